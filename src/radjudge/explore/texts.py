"""Every word the explorer shows, in Russian and English (one ``language`` for the whole UI).

Data identifiers (criteria, granularities, categories) are translated by
:mod:`radjudge.figures.labels`, like the figures; this module holds the
explorer's own words and its table headers, and formats numbers the way the
figures do (decimal comma in Russian).

>>> ui_text("tab_item", "en")
'Item'
>>> column_label("ci", "ru")
'95% ДИ'
>>> number(0.5, "ru"), number(float("nan"), "en")
('0,50', '–')
"""

from __future__ import annotations

import math

import numpy as np

from radjudge.contracts import JUDGE_KINDS
from radjudge.figures.labels import Language, check_language, label

__all__ = [
    "UI_TEXTS",
    "COLUMN_LABELS",
    "SECTION_TITLES",
    "DESIGN_LABELS",
    "REASON_LABELS",
    "INTEGER_COLUMNS",
    "ui_text",
    "column_label",
    "section_title",
    "value_label",
    "number",
    "interval",
]

UI_TEXTS: dict[str, dict[str, str]] = {
    "title": {"ru": "Обзор результатов", "en": "Explore the results"},
    "synthetic": {
        "ru": "Синтетические данные демонстрационного прогона: не клинические результаты.",
        "en": "Synthetic data of the demo run: not clinical results.",
    },
    "chance": {
        "ru": "W судьи против консенсуса экспертов: два оценщика, W = (1 + ρ)/2; "
        "0,5 — уровень случайности (нет связи).",
        "en": "W of a judge vs the expert consensus: two raters, W = (1 + ρ)/2; "
        "0.5 is chance (no association).",
    },
    "tab_config": {"ru": "Конфигурация", "en": "Configuration"},
    "tab_item": {"ru": "Резюме", "en": "Item"},
    "tab_compare": {"ru": "Сравнение", "en": "Compare"},
    "tab_tables": {"ru": "Таблицы", "en": "Tables"},
    "any": {"ru": "(любое)", "en": "(any)"},
    "patient": {"ru": "Пациент", "en": "Patient"},
    "summarizer": {"ru": "Резюме от", "en": "Summarizer"},
    "config_a": {"ru": "Конфигурация A", "en": "Configuration A"},
    "config_b": {"ru": "Конфигурация B", "en": "Configuration B"},
    "n_configs": {
        "ru": "{n} из {total} конфигураций LLM-судей; выберите строку:",
        "en": "{n} of {total} LLM-judge configurations; pick a row:",
    },
    "empty_slice": {
        "ru": "Нет конфигураций для {what}. Сбросьте один из фильтров.",
        "en": "No configuration for {what}. Reset one of the filters.",
    },
    "no_llm_configs": {
        "ru": "В этом прогоне нет конфигураций LLM-судей.",
        "en": "This run has no LLM-judge configuration.",
    },
    "list_header": {
        "ru": "судья · критерий · шкала · описание · W [95% ДИ] · ρ · n · статус",
        "en": "judge · criterion · scale · rubric · W [95% CI] · ρ · n · status",
    },
    "forest_title": {"ru": "W выбранных конфигураций", "en": "W of the configurations listed"},
    "baseline_line": {"ru": "метрика (ориентир)", "en": "metric (reference line)"},
    "chance_line": {"ru": "случайность", "en": "chance"},
    "scatter_x": {"ru": "Средний балл экспертов", "en": "Expert consensus (mean score)"},
    "scatter_y": {"ru": "Оценка судьи", "en": "Judge score"},
    "w_line": {
        "ru": "W = {w} {ci}, ρ = {rho}; резюме: {n}, пациентов: {p}",
        "en": "W = {w} {ci}, ρ = {rho}; n = {n} summaries ({p} patients)",
    },
    "w_undefined": {"ru": "не определён", "en": "undefined"},
    "w_undefined_constant": {
        "ru": "не определён (постоянный судья)",
        "en": "undefined (constant judge)",
    },
    "w_line_undefined": {
        "ru": "W {w}: ρ и ДИ тоже не определены; резюме: {n}, пациентов: {p}",
        "en": "W {w}: ρ and the CI are undefined too; n = {n} summaries ({p} patients)",
    },
    "n_flagged": {
        "ru": "Отмечены ✗ (не прошли проверку валидности, их W не результат): {n}.",
        "en": "Marked ✗ (failed the validity gate, their W is not a result): {n}.",
    },
    "incomplete": {
        "ru": "Резюме без оценки судьи (не оценены или все попытки неуспешны), не вошли в W: {n}.",
        "en": "{n} summaries have no judge value (not rated, or every attempt failed); "
        "they are not in W.",
    },
    "status": {"ru": "Статус", "en": "Status"},
    "status_valid": {"ru": "✓ прошла проверку валидности", "en": "✓ passed the validity gate"},
    "status_invalid": {
        "ru": "✗ не прошла проверку валидности: {reason}. W не является результатом.",
        "en": "✗ failed the validity gate: {reason}. Its W is not a result.",
    },
    "status_unchecked": {
        "ru": "проверка валидности в этом прогоне не выполнялась",
        "en": "this run has no validity gate",
    },
    "status_constant": {
        "ru": "✗ вырожденный судья: одна и та же оценка у всех {n} резюме. "
        "W = {w} здесь ничего не измеряет.",
        "en": "✗ degenerate judge: the same value for all {n} summaries. "
        "W = {w} measures nothing here.",
    },
    "status_constant_undefined": {
        "ru": "✗ вырожденный судья: одна и та же оценка у всех {n} резюме. "
        "У константы нет рангов, поэтому W не определён (а не 0,5 — уровень случайности).",
        "en": "✗ degenerate judge: the same value for all {n} summaries. "
        "A constant has no ranks, so W is undefined (not 0.5, which is chance).",
    },
    "undefined_mark": {"ru": "W не определён", "en": "W undefined"},
    "baselines_title": {
        "ru": "Метрики-ориентиры для этого критерия (не судьи):",
        "en": "Metric baselines on this criterion (reference lines, not judges):",
    },
    "baselines_heading": {
        "ru": "метрики-ориентиры (не судьи)",
        "en": "metric baselines (reference lines, not judges)",
    },
    "no_baselines": {
        "ru": "Метрик-ориентиров для этого критерия нет.",
        "en": "No metric baseline on this criterion.",
    },
    "disagree_title": {
        "ru": "Расхождения судьи и экспертов по рангам, от наибольшего (все {n} точек графика):",
        "en": "Where the judge and the experts disagree, by rank, largest first "
        "(all {n} points of the plot):",
    },
    "disagree_row": {
        "ru": "{patient} · {summarizer} · эксперты {expert} · судья {judge} · Δранг {d}",
        "en": "{patient} · {summarizer} · experts {expert} · judge {judge} · Δrank {d}",
    },
    "open_item": {"ru": "Открыть резюме", "en": "Open this summary"},
    "record": {"ru": "Медицинская карта (анонимизирована)", "en": "Record (anonymized)"},
    "no_record": {"ru": "Карты пациента {p} нет в прогоне.", "en": "No record of {p} in this run."},
    "summary": {"ru": "Резюме", "en": "Summary"},
    "no_summary": {"ru": "Текста резюме нет в прогоне.", "en": "No summary text in this run."},
    "flag": {"ru": "флаг", "en": "flag"},
    "experts": {"ru": "Оценки экспертов", "en": "Expert scores"},
    "consensus": {"ru": "среднее", "en": "mean"},
    "judge_answers": {
        "ru": "Ответы судьи {judge} во всех его конфигурациях",
        "en": "Answers of {judge} in all its configurations",
    },
    "no_answers": {
        "ru": "Судья {judge} не оценивал это резюме.",
        "en": "{judge} did not rate this summary.",
    },
    "compare_note": {
        "ru": "ΔW = W(B) − W(A) на одних и тех же резюме и бутстреп-выборках пациентов "
        "({n_boot} выборок, {method}).",
        "en": "ΔW = W(B) − W(A) on the same summaries and the same patient resamples "
        "({n_boot} resamples, {method}).",
    },
    "compare_same": {
        "ru": "Выберите две разные конфигурации одного судьи.",
        "en": "Pick two different configurations of the same judge.",
    },
    "compare_none": {
        "ru": "У этого судьи меньше двух конфигураций.",
        "en": "This judge has fewer than two configurations.",
    },
    "compare_dropped": {
        "ru": "{n} резюме, которые одна из конфигураций не оценила, исключены из обеих.",
        "en": "{n} summaries one of the two did not value are left out of both.",
    },
    "tables_note": {
        "ru": "Категория «Все эксперты (вместе)» — объединённая панель; «(любое)» — без фильтра.",
        "en": "Category “All experts (pooled)” is the pooled panel; “(any)” is no filter.",
    },
    "shown": {
        "ru": "показано {k} из {n} строк; полная таблица: {path}",
        "en": "showing {k} of {n} rows; full table: {path}",
    },
    "show_all": {"ru": "Показать все строки", "en": "Show all rows"},
    "empty_table": {
        "ru": "{name}: нет строк для этого выбора.",
        "en": "{name}: no rows for this choice.",
    },
    "full_grid": {"ru": "Полная таблица grid", "en": "Full grid table"},
    "pooled": {"ru": "Все эксперты (вместе)", "en": "All experts (pooled)"},
    "table_grid": {"ru": "W судей (grid)", "en": "Judge W (grid)"},
    "table_categories": {"ru": "Категории экспертов", "en": "Expert categories"},
    "table_panel_fit": {"ru": "ΔW: вписывается ли судья в панель", "en": "ΔW: panel fit"},
    "table_alt_test": {"ru": "Alt-test", "en": "Alt-test"},
    "table_selection": {"ru": "Выбор конфигурации (CV)", "en": "Configuration choice (CV)"},
    "metric": {"ru": "метрика", "en": "metric"},
}

#: Table headers (result-table columns) -> label.
COLUMN_LABELS: dict[str, dict[str, str]] = {
    "judge": {"ru": "Судья", "en": "Judge"},
    "criterion": {"ru": "Критерий", "en": "Criterion"},
    "scale": {"ru": "Шкала", "en": "Scale"},
    "granularity": {"ru": "Описание", "en": "Rubric"},
    "category": {"ru": "Категория", "en": "Category"},
    "design": {"ru": "Дизайн", "en": "Design"},
    "w": {"ru": "W", "en": "W"},
    "ci": {"ru": "95% ДИ", "en": "95% CI"},
    "spearman": {"ru": "ρ", "en": "ρ"},
    "n_items": {"ru": "n резюме", "en": "n items"},
    "n_raters": {"ru": "n оценщиков", "en": "n raters"},
    "status": {"ru": "Статус", "en": "Status"},
    "valid": {"ru": "Валидна", "en": "Valid"},
    "judge_kind": {"ru": "Тип", "en": "Kind"},
    "validity_reason": {"ru": "Причина", "en": "Reason"},
    "w_experts": {"ru": "W экспертов", "en": "W experts"},
    "w_with_judge": {"ru": "W с судьёй", "en": "W with judge"},
    "delta_w": {"ru": "ΔW", "en": "ΔW"},
    "winning_rate": {"ru": "Доля побед", "en": "Winning rate"},
    "advantage_probability": {"ru": "Вер. преимущества", "en": "Advantage prob."},
    "passed": {"ru": "Пройден", "en": "Passed"},
    "selected": {"ru": "Выбрано", "en": "Selected"},
    "held_out_w": {"ru": "W на отложенных", "en": "Held-out W"},
    "in_sample_w": {"ru": "W на обучающих", "en": "In-sample W"},
    "stability": {"ru": "Устойчивость", "en": "Stability"},
    "expert_id": {"ru": "Эксперт", "en": "Expert"},
    "expert_category": {"ru": "Категория", "en": "Category"},
    "repeat": {"ru": "Повтор", "en": "Repeat"},
    "score": {"ru": "Балл", "en": "Score"},
    "expected_score": {"ru": "Ожидаемый балл", "en": "Expected score"},
    "distribution": {"ru": "Распределение меток", "en": "Label distribution"},
    "raw": {"ru": "Сырой ответ", "en": "Raw answer"},
    "mode": {"ru": "Режим", "en": "Mode"},
    "config": {"ru": "Конфигурация", "en": "Configuration"},
    "p": {"ru": "p (бутстреп)", "en": "p (bootstrap)"},
    "n_patients": {"ru": "n пациентов", "en": "n patients"},
}

#: Designs of the categories table -> label.
DESIGN_LABELS: dict[str, dict[str, str]] = {
    "experts_all": {"ru": "все эксперты", "en": "all experts"},
    "experts_within": {"ru": "внутри категории", "en": "within a category"},
    "categories_across": {"ru": "между категориями", "en": "across categories"},
    "judge_vs_category": {"ru": "судья против категории", "en": "judge vs a category"},
}
#: Reasons of the validity gate (and the explorer's own ``constant``) -> label;
#: a reason without a label is shown as it is.
#: The gate joins several reasons with ``;`` (:func:`value_label` labels each).
REASON_LABELS: dict[str, dict[str, str]] = {
    "few_valid_answers": {"ru": "мало валидных ответов", "en": "few valid answers"},
    "low_valid_mass": {
        "ru": "мала вероятность валидных меток",
        "en": "low valid-label probability",
    },
    "constant": {"ru": "постоянная оценка", "en": "constant scores"},
    "no_spread": {"ru": "нет разброса оценок", "en": "no spread of scores"},
    "no_discrimination": {
        "ru": "не отличает эталонные резюме от вырожденных",
        "en": "does not tell reference summaries from degenerate ones",
    },
    "low_spearman": {"ru": "низкий ρ с экспертами", "en": "low ρ with the experts"},
}
#: Columns holding counts or scale sizes: shown as integers.
INTEGER_COLUMNS = frozenset(
    {"scale", "repeat", "score", "n_items", "n_raters", "n_patients", "n_experts", "n_tested"}
)

#: Record section key -> heading (the Russian ones are those of radjudge.records).
SECTION_TITLES: dict[str, dict[str, str]] = {
    "complaints": {"ru": "Жалобы", "en": "Complaints"},
    "present_illness": {"ru": "Анамнез заболевания", "en": "History of present illness"},
    "past_history": {"ru": "Анамнез жизни", "en": "Past history"},
    "labs": {"ru": "Лабораторные исследования", "en": "Laboratory findings"},
    "instrumental": {"ru": "Инструментальные исследования", "en": "Instrumental findings"},
    "referral": {"ru": "Направление", "en": "Referral"},
}


def ui_text(key: str, language: Language, **fmt: object) -> str:
    """An explorer text in ``language``, formatted with ``fmt``.

    Raises
    ------
    ValueError
        Unknown key or language.
    """
    check_language(language)
    if key not in UI_TEXTS:
        raise ValueError(f"explorer text {key!r} is unknown; add it to radjudge.explore.texts")
    return UI_TEXTS[key][language].format(**fmt)


def column_label(column: str, language: Language) -> str:
    """Header of a table column (the column name itself when it has no label)."""
    check_language(language)
    entry = COLUMN_LABELS.get(column)
    return entry[language] if entry else column


def section_title(section: str, language: Language) -> str:
    """Heading of a record section (the key itself when unknown)."""
    check_language(language)
    entry = SECTION_TITLES.get(section)
    return entry[language] if entry else section


def value_label(column: str, value: object, language: Language) -> str:
    """Display text of a data value: translated ids, pooled category, formatted numbers."""
    if column == "category" and str(value) == "all":
        return ui_text("pooled", language)
    if column in ("criterion", "granularity", "category"):
        return label(column, value, language)
    if column == "expert_category":
        return label("category", value, language)
    if column == "design" and str(value) in DESIGN_LABELS:
        return DESIGN_LABELS[str(value)][language]
    if column == "judge_kind" and str(value) in JUDGE_KINDS:
        return "LLM" if value == "llm" else ui_text("metric", language)
    if column == "valid" and isinstance(value, bool | np.bool_):
        return "✓" if value else "✗"
    if column == "validity_reason" and isinstance(value, str):
        return "; ".join(
            REASON_LABELS[r][language] if r in REASON_LABELS else r for r in value.split(";")
        )
    if isinstance(value, float):
        if column in INTEGER_COLUMNS and value.is_integer():
            return str(int(value))
        return number(value, language)
    return str(value)


def number(x: object, language: Language, digits: int = 2) -> str:
    """A number as the figures print it: ``–`` when missing, decimal comma in Russian."""
    if x is None:
        return "–"
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(x)
    if not math.isfinite(v):
        return "–"
    if round(v, digits) == 0:
        v = 0.0  # no "−0.00"
    s = f"{v:.{digits}f}".replace("-", "−")
    return s.replace(".", ",") if language == "ru" else s


def interval(lo: object, hi: object, language: Language, digits: int = 2) -> str:
    """``[lo, hi]`` (``[lo; hi]`` in Russian, where the comma is the decimal mark)."""
    sep = "; " if language == "ru" else ", "
    return f"[{number(lo, language, digits)}{sep}{number(hi, language, digits)}]"
