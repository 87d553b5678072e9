"""Russian and English labels for figures and the manuscript (one switch: ``language``).

Identifiers in the data (criterion ids, granularities, expert categories) stay
English; only what a reader sees is translated. An identifier without a
translation is shown as it is (model names, new categories), never dropped.

>>> label("criterion", "completeness", "ru")
'Полнота'
>>> label("granularity", "extremes", "en")
'extremes only'
>>> label("category", "oncologist", "ru")   # unknown id: shown as is
'oncologist'
>>> text("kendall_w", "ru")
'W Кендалла'
"""

from __future__ import annotations

from radjudge.checks import check_choice
from radjudge.contracts import LANGUAGES, Language

__all__ = ["Language", "LANGUAGES", "check_language", "label", "text", "LABELS", "TEXTS"]

#: Translations of data identifiers, by kind.
LABELS: dict[str, dict[str, dict[str, str]]] = {
    "criterion": {
        "completeness": {"ru": "Полнота", "en": "Completeness"},
        "correctness": {"ru": "Точность", "en": "Correctness"},
        "relevance": {"ru": "Клиническая значимость", "en": "Relevance"},
        "conciseness": {"ru": "Краткость", "en": "Conciseness"},
        "structure": {"ru": "Структура", "en": "Structure"},
        "unsupported": {"ru": "Без неподтверждённого", "en": "No unsupported claims"},
        "overall": {"ru": "В целом", "en": "Overall"},
    },
    "granularity": {
        "full": {"ru": "все баллы", "en": "all points"},
        "extremes": {"ru": "только крайние", "en": "extremes only"},
        "none": {"ru": "без описания", "en": "no description"},
    },
    "category": {
        "radiologist": {"ru": "Рентгенологи", "en": "Radiologists"},
        "clinician": {"ru": "Клиницисты", "en": "Clinicians"},
        "resident": {"ru": "Ординаторы", "en": "Residents"},
        "other": {"ru": "Другие", "en": "Other"},
        "all": {"ru": "Все эксперты", "en": "All experts"},
        "experts": {"ru": "Эксперты", "en": "Experts"},
    },
    "rater_kind": {
        "judge": {"ru": "LLM-судья", "en": "LLM judge"},
        "expert": {"ru": "Эксперты", "en": "Experts"},
    },
    "summarizer_kind": {
        "llm": {"ru": "LLM", "en": "LLM"},
        "gold": {"ru": "эталон", "en": "reference"},
        "extractive": {"ru": "экстрактивное", "en": "extractive"},
    },
}

#: Axis titles, legends and other fixed words.
TEXTS: dict[str, dict[str, str]] = {
    "kendall_w": {"ru": "W Кендалла", "en": "Kendall's W"},
    "delta_w": {"ru": "ΔW (эксперты + судья − эксперты)", "en": "ΔW (experts + judge − experts)"},
    "ci95": {"ru": "95% ДИ", "en": "95% CI"},
    "criterion": {"ru": "Критерий", "en": "Criterion"},
    "scale": {"ru": "Шкала", "en": "Scale"},
    "scale_points": {"ru": "Шкала 1–{n}", "en": "Scale 1–{n}"},
    "granularity": {"ru": "Описание шкалы", "en": "Rubric granularity"},
    "judge": {"ru": "Судья", "en": "Judge"},
    "summarizer": {"ru": "Автор резюме", "en": "Summarizer"},
    "category": {"ru": "Категория экспертов", "en": "Expert category"},
    "within": {"ru": "внутри категории", "en": "within category"},
    "between": {"ru": "между категориями", "en": "across categories"},
    "score": {"ru": "Балл", "en": "Score"},
    "share": {"ru": "Доля оценок", "en": "Share of ratings"},
    "summary_length": {"ru": "Длина резюме, символов", "en": "Summary length, characters"},
    "judge_score": {"ru": "Оценка (норм., 0–1)", "en": "Score (normalised, 0–1)"},
    "mean_score_norm": {"ru": "Средняя оценка (0–1)", "en": "Mean score (0–1)"},
    "self_bias": {"ru": "Судья − эксперты", "en": "Judge − experts"},
    "self_marker": {"ru": "□ собственное резюме судьи", "en": "□ judge's own summary"},
    "winning_rate": {"ru": "Доля побед (alt-test)", "en": "Winning rate (alt-test)"},
    "advantage_prob": {"ru": "Вероятность преимущества", "en": "Advantage probability"},
    "passes": {"ru": "проходит alt-test", "en": "passes alt-test"},
    "fails": {"ru": "не проходит", "en": "fails"},
    "threshold": {"ru": "порог", "en": "threshold"},
    "rho": {"ru": "ρ Спирмена", "en": "Spearman ρ"},
    "synthetic_note": {"ru": "синтетические данные", "en": "synthetic data"},
    "n_ratings": {"ru": "n оценок", "en": "n ratings"},
    "experts_agreement": {"ru": "согласие экспертов", "en": "agreement among experts"},
    "judge_vs_category": {"ru": "судьи против категорий", "en": "judges vs each category"},
    "other_configs": {"ru": "прочие конфигурации", "en": "other configurations"},
    "judge_selected": {
        "ru": "Судья (конфигурация, выбранная перекрёстной проверкой)",
        "en": "Judge (configuration selected by cross-validation)",
    },
}


def check_language(language: str) -> Language:
    """Return ``language`` if it is ``"ru"`` or ``"en"``; otherwise a ValueError says so."""
    return check_choice("language (profile key shared.language)", language, Language)


def label(kind: str, ident: object, language: Language) -> str:
    """Display label of a data identifier (``ident`` as-is when there is no translation).

    Raises
    ------
    ValueError
        Unknown ``kind`` or ``language``.
    """
    check_language(language)
    if kind not in LABELS:
        raise ValueError(f"label kind {kind!r} is unknown; known kinds: {sorted(LABELS)}")
    entry = LABELS[kind].get(str(ident))
    return entry[language] if entry else str(ident)


def text(key: str, language: Language, **fmt: object) -> str:
    """A fixed text in ``language``, formatted with ``fmt``.

    Raises
    ------
    ValueError
        Unknown key or language.

    >>> text("scale_points", "en", n=5)
    'Scale 1–5'
    """
    check_language(language)
    if key not in TEXTS:
        raise ValueError(f"text key {key!r} is unknown; add it to radjudge.figures.labels.TEXTS")
    return TEXTS[key][language].format(**fmt)
