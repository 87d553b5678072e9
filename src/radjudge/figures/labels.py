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

Judges and summarizers get display names (:func:`display_name`) made of their
parts: ``gemma3-logprobs`` is "Gemma-3, log-probs" / "Gemma-3, лог-вероятности",
``smollm2_narrative`` "SmolLM2, narrative" / "SmolLM2, повествовательный".

>>> display_name("judge", "gemma3-logprobs", "ru")
'Gemma-3, лог-вероятности'
>>> display_name("summarizer", "gemma3_narrative", "en")
'Gemma-3, narrative'
>>> display_name("judge", "qwen2.5-72b-sample", "en")
'Qwen2.5-72B, sampling'
>>> display_name("summarizer", "qwen2_5_72b", "en")
'Qwen2.5-72B'
"""

from __future__ import annotations

from radjudge.checks import check_choice
from radjudge.contracts import LANGUAGES, Language

__all__ = [
    "Language",
    "LANGUAGES",
    "check_language",
    "display_name",
    "label",
    "text",
    "LABELS",
    "NAME_PARTS",
    "TEXTS",
]

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
    "summeval_criterion": {
        "coherence": {"ru": "Связность", "en": "Coherence"},
        "consistency": {"ru": "Согласованность", "en": "Consistency"},
        "fluency": {"ru": "Беглость", "en": "Fluency"},
        "relevance": {"ru": "Релевантность", "en": "Relevance"},
    },
    "judge_kind": {
        "llm": {"ru": "LLM-судья", "en": "LLM judge"},
        "metric": {"ru": "метрика-ориентир", "en": "reference metric"},
    },
    "mode": {
        "logprobs": {"ru": "лог-вероятности", "en": "log-probs"},
        "sample": {"ru": "выборка ответов", "en": "sampled answers"},
        "generate": {"ru": "один ответ", "en": "one answer"},
        "metric": {"ru": "метрика", "en": "metric"},
    },
    # whole summarizer / judge ids whose name is not made of parts
    "name": {
        "gold": {"ru": "Эталон", "en": "Gold"},
        "extractive": {"ru": "Экстрактивное", "en": "Extractive"},
        "rouge-l": {"ru": "ROUGE-L", "en": "ROUGE-L"},
        "rouge_l": {"ru": "ROUGE-L", "en": "ROUGE-L"},
        "chrf": {"ru": "chrF", "en": "chrF"},
    },
}

#: Parts of judge and summarizer ids (split at ``-`` and ``_``): model families (the same
#: in both languages) and modes or prompt styles (translated). An unknown part is kept.
NAME_PARTS: dict[str, dict[str, str]] = {
    "smollm2": {"ru": "SmolLM2", "en": "SmolLM2"},
    "gemma3": {"ru": "Gemma-3", "en": "Gemma-3"},
    "qwen2.5": {"ru": "Qwen2.5", "en": "Qwen2.5"},
    "llama3.3": {"ru": "Llama-3.3", "en": "Llama-3.3"},
    "yandexgpt5": {"ru": "YandexGPT-5", "en": "YandexGPT-5"},
    "vikhr": {"ru": "Vikhr", "en": "Vikhr"},
    "nemo": {"ru": "Nemo", "en": "Nemo"},
    "lite": {"ru": "Lite", "en": "Lite"},
    "t": {"ru": "T", "en": "T"},
    "pro": {"ru": "Pro", "en": "Pro"},
    "logprobs": {"ru": "лог-вероятности", "en": "log-probs"},
    "sample": {"ru": "выборка", "en": "sampling"},
    "generate": {"ru": "генерация", "en": "generation"},
    "structured": {"ru": "структурированный", "en": "structured"},
    "narrative": {"ru": "повествовательный", "en": "narrative"},
}
#: Parts that name how a model was used (they follow the model after a comma).
_STYLE_PARTS = ("logprobs", "sample", "generate", "structured", "narrative")

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
    "chance": {"ru": "случайный уровень", "en": "chance level"},
    "invalid": {"ru": "не прошла проверку валидности", "en": "failed the validity gate"},
    "undefined_w": {"ru": "W не определён", "en": "W undefined"},
    "reference_metric": {"ru": "{name} (метрика-ориентир)", "en": "{name} (reference metric)"},
    "experts_mean": {"ru": "Эксперты (среднее)", "en": "Experts (mean)"},
    "argmax_note": {
        "ru": "лог-вероятности: самая вероятная метка",
        "en": "log-probs: the most probable label",
    },
    "published_rows": {"ru": "опубликовано, 100 статей", "en": "published, 100 articles"},
    "this_subset": {"ru": "это подмножество", "en": "this subset"},
    "summeval_axis": {
        "ru": "корреляция с экспертами на уровне резюме:  ● ρ Спирмена (±1,96 SE по статьям)"
        "   □ τ-b Кендалла",
        "en": "summary-level correlation with the expert means:  ● Spearman ρ (bar ±1.96 SE "
        "over articles)   □ Kendall τ-b",
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


def _name_part(part: str, language: Language) -> str:
    if part in NAME_PARTS:
        return NAME_PARTS[part][language]
    # model sizes read as sizes: 72b -> 72B, 270m -> 270M
    if part[:-1].replace(".", "").isdigit() and part[-1:] in ("b", "m"):
        return part.upper()
    return part


def display_name(kind: str, ident: object, language: Language) -> str:
    """A judge's or a summarizer's name for a reader, in ``language`` (never its internal id).

    A whole id of :data:`LABELS` ``["name"]`` (``gold``, ``rouge-l``, ...) has its own label;
    otherwise the id is split at ``-`` and ``_`` and each part named by :data:`NAME_PARTS`
    (unknown parts kept): the model parts joined by ``-``, then the way the model was
    used (mode or prompt style) after a comma.

    Parameters
    ----------
    kind : {"judge", "summarizer"}
    ident : object
        The id in the data (``judge`` or ``summarizer`` column).
    language : {"ru", "en"}

    Raises
    ------
    ValueError
        Unknown ``kind`` or ``language``.

    >>> display_name("summarizer", "smollm2_structured", "ru")
    'SmolLM2, структурированный'
    >>> display_name("judge", "rouge-l", "en")
    'ROUGE-L'
    """
    check_language(language)
    if kind not in ("judge", "summarizer"):
        raise ValueError(f"display_name kind {kind!r}: use 'judge' or 'summarizer'")
    name = str(ident)
    if name in LABELS["name"]:
        return LABELS["name"][name][language]
    parts: list[str] = []
    for p in name.replace("_", "-").split("-"):
        if p.isdigit() and parts and parts[-1][-1:].isdigit():
            parts[-1] += "." + p  # qwen2_5 -> qwen2.5: an id cannot hold the dot
        elif p:
            parts.append(p)
    model = [_name_part(p, language) for p in parts if p not in _STYLE_PARTS]
    style = [_name_part(p, language) for p in parts if p in _STYLE_PARTS]
    shown = "-".join(model)
    return f"{shown}, {', '.join(style)}" if shown and style else shown or ", ".join(style)
