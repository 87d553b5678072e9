"""The sentences of the manuscript that state the design or word a result, made from the data.

Nothing the Methods say about the judges is typed by hand: how many judges of each kind,
which factors were crossed within which judge, how many summaries each judge rated, what
the rows without a score are and how many configurations passed the validity gate all
come from ``stats.json`` (``design.*``, ``data.*``, ``validity.*``, written by notebook 05
from the judge ratings: :func:`radjudge.concordance.stats.design_stats`). The one fact the
ratings do not hold, the summary the metrics compare against, comes from the run's
profile. Results whose words depend on a sign, a statistic or an interval are worded by
:mod:`radjudge.paper.wording`.

:func:`design_sentences` returns every such sentence by key; the Typst source shows one as
``#M("key")``. :func:`design_table` is the table of what each judge rated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from radjudge.contracts import CRITERIA, FACTORS, GRANULARITIES, Language
from radjudge.figures.labels import check_language, display_name, label
from radjudge.paper.numbers import PaperError, format_number
from radjudge.paper.wording import (
    bias_phrase,
    change_phrase,
    contrast_phrase,
    statistic_of,
)

__all__ = ["judges_in", "design_sentences", "design_table"]


def _n(value: Any, language: Language) -> str:
    return str(format_number(value, language))


def _join(items: Sequence[str], language: Language) -> str:
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    conj = " и " if language == "ru" else " and "
    sep = "; " if any(", " in i for i in items) else ", "
    return sep.join(items[:-1]) + conj + items[-1]


def _name(judge: str, language: Language) -> str:
    """A judge's display name for running text: ``Gemma-3 (log-probs)``."""
    name = display_name("judge", judge, language)
    return name.replace(", ", " (", 1) + ")" if ", " in name else name


def judges_in(stats: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every judge of ``design.judge.*``, in the order of the ratings table.

    Returns
    -------
    list of dict
        Per judge: ``key`` (its key part), ``name`` and the other ``design.judge.<key>.*``
        facts, with ``levels`` mapping each factor to its list of levels (empty: none).

    Raises
    ------
    PaperError
        ``stats.json`` has no design facts (written by a notebook 05 older than them).
    """
    keys = sorted(
        {k.split(".")[2] for k in stats if k.startswith("design.judge.") and k.endswith(".name")}
    )
    if not keys:
        raise PaperError(
            "stats.json has no design facts (design.judge.*): the manuscript's Methods are "
            "made from them. Re-run notebook 05 (radjudge run --from 05)."
        )
    out = []
    for key in keys:
        p = f"design.judge.{key}."
        facts = {k[len(p) :]: v for k, v in stats.items() if k.startswith(p)}
        levels = {
            f: (facts.get(f"levels.{f}") or "").split(",") if facts.get(f"levels.{f}") else []
            for f in FACTORS
        }
        out.append({"key": key, **facts, "levels": levels})
    return sorted(out, key=lambda j: j.get("order", 0))


def _criteria_text(levels: list[str], n_all: int | None, language: Language) -> str:
    ru = language == "ru"
    if n_all and len(levels) == n_all and n_all > 1:
        return f"все {n_all}" if ru else f"all {n_all}"
    return _join([label("criterion", c, language).lower() for c in levels], language)


def _scales_text(levels: list[str]) -> str:
    return ", ".join(f"1–{s}" for s in levels)


def _grans_text(levels: list[str], language: Language) -> str:
    ru = language == "ru"
    if len(levels) == len(GRANULARITIES) and set(levels) == set(GRANULARITIES):
        return f"все {len(levels)}" if ru else f"all {len(levels)}"
    return _join([label("granularity", g, language) for g in levels], language)


_FACTOR_WORDS = {
    "scale": ("размер шкалы", "the scale size"),
    "granularity": ("описание шкалы", "the rubric granularity"),
    "criterion": ("критерий", "the criterion"),
}

#: Rows without a score, by judge kind and status: what they are, ru / en.
_FAILED_WORDS = {
    ("llm", "unparseable"): (
        "ответы LLM-судей, которые не удалось прочитать как балл",
        "answers of LLM judges that could not be read as a score",
    ),
    ("llm", "out_of_range"): ("ответы LLM-судей вне шкалы", "answers of LLM judges off the scale"),
    ("llm", "refused"): ("отказы LLM-судей от оценки", "refusals of LLM judges to rate"),
    ("llm", "failed"): ("несостоявшиеся вызовы LLM", "failed LLM calls"),
    ("metric", "failed"): ("строки метрик без значения", "metric rows without a value"),
}


def _failed_sentence(
    stats: Mapping[str, Any], language: Language, metric_reference: str | None
) -> str:
    ru = language == "ru"
    total, failed = stats.get("data.judge_rows"), stats.get("data.judge_rows_failed")
    if not failed:
        return (
            f"Каждая из {_n(total, language)} строк оценок судей содержит балл."
            if ru
            else f"Every one of the {_n(total, language)} judge rows carries a score."
        )
    parts = []
    kinds = sorted(
        {
            tuple(k.split(".")[2:4])
            for k in stats
            if k.startswith("data.failed.") and k.endswith(".n")
        }
    )
    for kind, status in kinds:
        n = stats[f"data.failed.{kind}.{status}.n"]
        on = stats.get(f"data.failed.{kind}.{status}.summarizer")
        if kind == "metric" and status == "failed" and on and on == metric_reference:
            ref = display_name("summarizer", on, language)
            what = (
                f"строки метрик для самих эталонных резюме («{ref}»): метрика не сравнивает "
                "резюме с ним же"
                if ru
                else f"metric rows of the reference summaries themselves ({ref}): a metric "
                "cannot score a summary against itself"
            )
        else:
            words = _FAILED_WORDS.get((kind, status), (f"{kind}: {status}", f"{kind}: {status}"))
            what = words[0 if ru else 1]
            if on:
                shown = display_name("summarizer", on, language)
                what += f" (все — резюме «{shown}»)" if ru else f" (all on summaries of {shown})"
        parts.append(f"{_n(n, language)} — {what}" if ru else f"{_n(n, language)} are {what}")
    if ru:
        return (
            f"Из {_n(total, language)} строк оценок судей {_n(failed, language)} без балла; "
            "они учтены как пропуски, а не как оценки: " + "; ".join(parts) + "."
        )
    return (
        f"Of the {_n(total, language)} judge rows, {_n(failed, language)} carry no score and "
        "count as missing, never as scores: " + "; ".join(parts) + "."
    )


def design_sentences(
    stats: Mapping[str, Any],
    *,
    language: Language,
    metric_reference: str | None = None,
) -> dict[str, str]:
    """Every generated sentence of the manuscript, by the key ``#M("...")`` quotes.

    Parameters
    ----------
    stats : mapping
        Flat ``stats.json``.
    language : {"ru", "en"}
    metric_reference : str, optional
        The summarizer the metric judges compare against (the profile's judge spec
        ``reference``, default ``gold``); names the metric rows of that summarizer.

    Returns
    -------
    dict of str
        ``judges_kinds`` (judges of each kind, with names), ``judges_crossed`` (which factors
        were varied within which LLM judge), ``judges_coverage`` (summaries each judge
        rated), ``judges_failed`` (what the rows without a score are), ``judges_validity``,
        ``abstract_design``, ``factor_references`` (the reference level of each factor),
        ``effects.<factor>`` (the paired contrasts, worded by their intervals),
        ``delta_w_change``, ``selection_bias``, ``judges_among``, ``ci_level`` (``95%``
        from ``settings.alpha``).

    Raises
    ------
    PaperError
        ``stats.json`` lacks the design facts.
    """
    check_language(language)
    ru = language == "ru"
    judges = judges_in(stats)
    llm = [j for j in judges if j.get("kind") == "llm"]
    metrics = [j for j in judges if j.get("kind") == "metric"]
    n_items = stats.get("data.n_items")
    out: dict[str, str] = {}

    # --- judges by kind
    names = _join([_name(j["name"], language) for j in llm], language)
    kinds = (
        f"LLM-судьи (n = {_n(len(llm), language)}: {names})"
        if ru
        else f"LLM judges (n = {_n(len(llm), language)}: {names})"
    )
    if metrics:
        mnames = _join([_name(j["name"], language) for j in metrics], language)
        ref = display_name("summarizer", metric_reference, language) if metric_reference else None
        against = (
            (f" сходства с резюме «{ref}»" if ru else f" of overlap with the {ref} summary")
            if ref
            else ""
        )
        kinds += (
            f" и, как ориентиры, метрики{against} (n = {_n(len(metrics), language)}: {mnames}); "
            "у метрик нет шкалы и описания шкалы, они не входят ни в анализ факторов, ни в "
            "выбор конфигурации, ни в итоговые числа"
            if ru
            else f" and, as reference lines, metrics{against} (n = {_n(len(metrics), language)}:"
            f" {mnames}); metrics have no scale and no rubric, and enter no factor analysis, "
            "configuration choice or headline number"
        )
    out["judges_kinds"] = ("Резюме оценивали " if ru else "The summaries were rated by ") + kinds

    # --- which factors were crossed within which judge
    crossed = []
    for f in FACTORS:
        who = [_name(j["name"], language) for j in llm if len(j["levels"].get(f, [])) > 1]
        word = _FACTOR_WORDS[f][0 if ru else 1]
        if who:
            crossed.append(
                f"{word} — {_join(who, language)}" if ru else f"{word} for {_join(who, language)}"
            )
        else:
            crossed.append(f"{word} — ни у одного" if ru else f"{word} for none")
    single = [_name(j["name"], language) for j in llm if j.get("n_configurations") == 1]
    full = [
        j
        for j in llm
        if j.get("factorial") and all(len(j["levels"].get(f, [])) > 1 for f in FACTORS)
    ]
    s = (
        "Внутри судьи варьировались: " + "; ".join(crossed) + "."
        if ru
        else "Within a judge, the design varied " + "; ".join(crossed) + "."
    )
    for j in full:
        dims = " × ".join(
            _n(len(j["levels"][f]), language) for f in ("criterion", "scale", "granularity")
        )
        s += (
            f" {_name(j['name'], language)} прошёл полный факторный план: критерии × шкалы × "
            f"описания = {dims} = {_n(j['n_configurations'], language)} конфигураций."
            if ru
            else f" {_name(j['name'], language)} rated the full factorial design: criteria × "
            f"scales × granularities = {dims} = {_n(j['n_configurations'], language)} "
            "configurations."
        )
    if single:
        s += (
            f" В одной конфигурации: {_join(single, language)}."
            if ru
            else f" A single configuration: {_join(single, language)}."
        )
    s += (
        " Эффект фактора оценивается только внутри судей, у которых он варьировался."
        if ru
        else " A factor's effect is estimated only within the judges that varied it."
    )
    out["judges_crossed"] = s

    # --- how many summaries each judge rated
    groups: dict[tuple[Any, Any], list[str]] = {}
    for j in judges:
        groups.setdefault((j.get("n_items"), j.get("n_patients")), []).append(
            _name(j["name"], language)
        )
    if len(groups) == 1 and next(iter(groups))[0] == n_items:
        out["judges_coverage"] = (
            f"Каждый судья оценил все {_n(n_items, language)} резюме."
            if ru
            else f"Every judge rated all {_n(n_items, language)} summaries."
        )
    else:
        parts = []
        for (items, patients), who in sorted(groups.items(), key=lambda kv: -(kv[0][0] or 0)):
            parts.append(
                f"{_join(who, language)} — {_n(items, language)} из {_n(n_items, language)} "
                f"(пациентов: {_n(patients, language)})"
                if ru
                else f"{_join(who, language)}: {_n(items, language)} of {_n(n_items, language)}"
                f" ({_n(patients, language)} patients)"
            )
        out["judges_coverage"] = (
            "Не все судьи оценивали все резюме: " + "; ".join(parts) + "."
            if ru
            else "Not every judge rated every summary: " + "; ".join(parts) + "."
        )

    out["judges_failed"] = _failed_sentence(stats, language, metric_reference)
    n_cfg, n_valid = stats.get("validity.n_configurations"), stats.get("validity.n_valid")
    out["judges_validity"] = (
        f"Проверку валидности (доля читаемых ответов, масса вероятности на допустимых метках, "
        f"разброс оценок, различение эталонных и вырожденных резюме) прошли "
        f"{_n(n_valid, language)} из {_n(n_cfg, language)} конфигураций LLM-судей; остальные "
        "остаются в таблицах с пометкой и не входят ни в одно итоговое число."
        if ru
        else f"The validity gate (share of readable answers, probability mass on the valid "
        f"labels, spread of the scores, telling reference summaries from degenerate ones) "
        f"passed {_n(n_valid, language)} of {_n(n_cfg, language)} LLM judge configurations; "
        "the others stay in the tables, marked, and enter no headline number."
    )

    # --- abstract: the design in one clause
    varied = [
        _FACTOR_WORDS[f][0 if ru else 1]
        for f in FACTORS
        if stats.get(f"design.factor.{f}.n_judges")
    ]
    metric_part = (
        (
            f" и метрики-ориентиры (n = {_n(len(metrics), language)})"
            if ru
            else f" and reference metrics (n = {_n(len(metrics), language)})"
        )
        if metrics
        else ""
    )
    out["abstract_design"] = (
        f"LLM-судьи (n = {_n(len(llm), language)}){metric_part}; внутри судей варьировались "
        f"{_join(varied, language) or 'никакие факторы'} (конфигураций LLM-судей: "
        f"{_n(n_cfg, language)}, из них прошли проверку валидности: {_n(n_valid, language)})"
        if ru
        else f"LLM judges (n = {_n(len(llm), language)}){metric_part}; within judges the design "
        f"varied {_join(varied, language) or 'no factor'} ({_n(n_cfg, language)} LLM judge "
        f"configurations, {_n(n_valid, language)} of which passed the validity gate)"
    )

    # --- factor effects, worded by their intervals
    refs = []
    for f in FACTORS:
        ref = stats.get(f"effects.{f}.reference")
        shown = lambda v, f=f: f"1–{v}" if f == "scale" else label(f, v, language).lower()  # noqa: E731
        word = _FACTOR_WORDS[f][0 if ru else 1]
        if ref is None:
            out[f"effects.{f}"] = (
                f"{word}: парного сравнения нет (меньше двух допустимых уровней внутри судьи)"
                if ru
                else f"{word}: no paired contrast (fewer than two valid levels within a judge)"
            )
            continue
        refs.append(f"{word} {shown(str(ref))}")
        levels = [
            k[len(f"effects.{f}.") : -len(".delta_w")]
            for k in stats
            if k.startswith(f"effects.{f}.") and k.endswith(".delta_w")
        ]
        order = {"criterion": CRITERIA, "granularity": GRANULARITIES}.get(f, ())
        levels.sort(
            key=lambda v: (
                (0, float(v), "")
                if f == "scale"
                else (order.index(v), 0, "")
                if v in order
                else (9, 0, v)
            )
        )
        parts = []
        for lv in levels:
            p = f"effects.{f}.{lv}"
            vs = "против" if ru else "vs"
            parts.append(
                f"{shown(lv)} {vs} {shown(str(ref))}: "
                + contrast_phrase(
                    stats.get(p + ".delta_w"),
                    stats.get(p + ".ci_low"),
                    stats.get(p + ".ci_high"),
                    stats.get(p + ".p_adj"),
                    language=language,
                )
            )
        out[f"effects.{f}"] = f"{word}: " + "; ".join(parts)
    out["factor_references"] = _join(refs, language) or ("нет" if ru else "none")

    # --- results whose words follow the sign and the statistic
    out["delta_w_change"] = change_phrase(
        stats.get("delta_w.median"), statistic=statistic_of("delta_w.median"), language=language
    )
    out["selection_bias"] = bias_phrase(
        stats.get("selection.mean_optimism"),
        statistic=statistic_of("selection.mean_optimism"),
        language=language,
    )
    alpha = stats.get("settings.alpha")
    out["ci_level"] = (
        f"{format_number(100 * (1 - alpha), language, digits=0)}%"
        if isinstance(alpha, int | float)
        else ("н/д" if ru else "n/a")
    )
    among = stats.get("judges.w_among.median")
    out["judges_among"] = (
        (
            f"Судьи согласованы между собой с медианой W {format_number(among, language, key='w')}."
            if ru
            else f"The judges agreed among themselves with a median W of "
            f"{format_number(among, language, key='w')}."
        )
        if among is not None
        else (
            "Согласие судей между собой не вычислялось: ни при одной настройке нет двух "
            "допустимых судей."
            if ru
            else "Agreement among the judges was not computed: no setting had two valid judges."
        )
    )
    return out


def design_table(stats: Mapping[str, Any], *, language: Language) -> dict[str, Any]:
    """What each judge rated: criteria, scales, granularities, configurations, summaries.

    Returns
    -------
    dict
        ``{"columns", "align", "rows"}`` as :mod:`radjudge.paper.tables` makes them.
    """
    check_language(language)
    ru = language == "ru"
    n_crit = stats.get("data.n_criteria")
    rows = []
    for j in judges_in(stats):
        metric = j.get("kind") == "metric"
        valid = stats.get(f"validity.by_judge.{j['key']}.n_valid")
        rows.append(
            [
                display_name("judge", j["name"], language),
                _criteria_text(j["levels"]["criterion"], n_crit, language),
                "—" if metric else _scales_text(j["levels"]["scale"]),
                "—" if metric else _grans_text(j["levels"]["granularity"], language),
                "—" if metric else _n(j.get("n_configurations"), language),
                "—" if metric or valid is None else _n(valid, language),
                _n(j.get("n_items"), language),
                _n(j.get("n_items_scored"), language),
            ]
        )
    return {
        "columns": [
            "Судья" if ru else "Judge",
            "Критерии" if ru else "Criteria",
            "Шкалы" if ru else "Scales",
            "Описание шкалы" if ru else "Granularity",
            "Конфиг." if ru else "Config.",
            "Валидных" if ru else "Valid",
            "Резюме" if ru else "Summaries",
            "С баллом" if ru else "Scored",
        ],
        "align": ["left", "left", "left", "left", "right", "right", "right", "right"],
        "rows": rows,
    }
