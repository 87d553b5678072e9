"""Tables of the manuscript, made from ``stats.json`` (every cell is a number notebook 05 wrote).

Each table is a mapping ``{"columns": [str], "align": [str], "rows": [[str]]}``,
every cell formatted for the language; ``paper/template.typ`` typesets it.
The levels shown (scales, granularities, criteria, judges) are the ones the
stats hold, in the display order of :mod:`radjudge.contracts`.

Key schema: :data:`radjudge.contracts.STATS_SCHEMA`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from radjudge.contracts import CRITERIA, GRANULARITIES, SUMMEVAL_CRITERIA, Language
from radjudge.figures.labels import display_name, label, text
from radjudge.paper.numbers import format_number

__all__ = [
    "paper_tables",
    "factor_table",
    "criteria_table",
    "selection_table",
    "external_table",
    "levels",
]


def levels(
    stats: Mapping[str, Any], prefix: str, suffix: str, order: tuple[str, ...] = ()
) -> list[str]:
    """Ids ``x`` with a key ``prefix + x + suffix`` (``x`` without dots), in display order.

    >>> levels({"effects.scale.10.delta_w": 1, "effects.scale.5.delta_w": 1,
    ...         "effects.scale.5.p": 1}, "effects.scale.", ".delta_w")
    ['5', '10']
    """
    found = []
    for k in stats:
        if k.startswith(prefix) and k.endswith(suffix):
            mid = k[len(prefix) : len(k) - len(suffix)]
            if mid and "." not in mid:
                found.append(mid)
    found = list(dict.fromkeys(found))
    first = [v for v in order if v in found]
    rest = [v for v in found if v not in order]
    rest.sort(key=lambda v: (0, int(v), "") if v.isdigit() else (1, 0, v))
    return first + rest


def _f(stats: Mapping[str, Any], key: str, language: Language, digits: int | None = None) -> str:
    return format_number(stats.get(key), language, key=key.rsplit(".", 1)[-1], digits=digits)


def _ci(stats: Mapping[str, Any], prefix: str, language: Language, value: str = "w") -> str:
    """``0,53 [0,41; 0,62]`` from ``prefix.value``, ``prefix.ci_low``, ``prefix.ci_high``."""
    sep = "; " if language == "ru" else ", "
    v = _f(stats, f"{prefix}.{value}", language)
    if f"{prefix}.ci_low" not in stats:
        return v
    return (
        f"{v} [{_f(stats, f'{prefix}.ci_low', language)}{sep}"
        f"{_f(stats, f'{prefix}.ci_high', language)}]"
    )


def factor_table(stats: Mapping[str, Any], *, language: Language) -> dict[str, Any]:
    """Effects of scale, granularity and criterion within judges: paired ΔW to the reference."""
    ru = language == "ru"
    rows = []
    for factor, order, name in (
        ("scale", (), text("scale", language)),
        ("granularity", GRANULARITIES, text("granularity", language)),
        ("criterion", CRITERIA, text("criterion", language)),
    ):
        ref = stats.get(f"effects.{factor}.reference")
        if ref is None:
            continue
        lv = [str(ref), *levels(stats, f"effects.{factor}.", ".delta_w", order)]

        def shown(level: str, factor: str = factor) -> str:
            if factor == "scale":
                return f"1–{level}"
            return label(factor, level, language)

        for i, level in enumerate(lv):
            p = f"effects.{factor}.{level}"
            rows.append(
                [
                    name if i == 0 else "",
                    shown(level),
                    ("референс" if ru else "reference")
                    if i == 0
                    else _ci(stats, p, language, value="delta_w"),
                    "" if i == 0 else _f(stats, p + ".p_adj", language),
                    "" if i == 0 else _f(stats, p + ".n_pairs", language),
                ]
            )
    return {
        "columns": [
            "Фактор" if ru else "Factor",
            "Уровень" if ru else "Level",
            f"{'ΔW с референсом внутри судьи' if ru else 'ΔW to reference within judge'} "
            f"[{text('ci95', language)}]",
            "p (скорр.)" if ru else "p (adj.)",
            "Пар" if ru else "Pairs",
        ],
        "align": ["left", "left", "right", "right", "right"],
        "rows": rows,
    }


def criteria_table(stats: Mapping[str, Any], *, language: Language) -> dict[str, Any]:
    """Per criterion: experts' W, its paired effect, the best configuration, its W, ΔW, alt-test."""
    ru = language == "ru"
    crits = levels(stats, "experts.w.", ".w", CRITERIA) or levels(stats, "w.best.", ".w", CRITERIA)
    ref = stats.get("effects.criterion.reference")
    rows = []
    for c in crits:
        best = f"w.best.{c}"
        cfg = " · ".join(
            display_name("judge", stats[k], language) if k.endswith(".judge") else f"1–{stats[k]}"
            for k in (f"{best}.judge", f"{best}.scale")
            if k in stats
        )
        if f"{best}.granularity" in stats:
            cfg += f" · {label('granularity', stats[f'{best}.granularity'], language)}"
        rows.append(
            [
                label("criterion", c, language),
                _ci(stats, f"experts.w.{c}", language),
                ("референс" if ru else "reference")
                if c == ref
                else _ci(stats, f"effects.criterion.{c}", language, value="delta_w"),
                cfg or "—",
                _ci(stats, best, language),
                _ci(stats, f"delta_w.best.{c}", language, value="delta_w"),
                _f(stats, f"alt_test.best.{c}.winning_rate", language),
            ]
        )
    return {
        "columns": [
            text("criterion", language),
            "W экспертов" if ru else "Experts' W",
            "ΔW критерия внутри судьи" if ru else "Criterion ΔW within judge",
            "Лучшая конфигурация" if ru else "Best configuration",
            "W лучшей" if ru else "Best W",
            "ΔW",
            "Доля побед" if ru else "Winning rate",
        ],
        "align": ["left", "right", "right", "left", "right", "right", "right"],
        "rows": rows,
    }


def selection_table(stats: Mapping[str, Any], *, language: Language) -> dict[str, Any]:
    """Configurations chosen by cross-validation over patients, per judge and criterion."""
    ru = language == "ru"
    judges = sorted(
        {
            k.split(".")[1]
            for k in stats
            if k.startswith("selection.") and k.endswith(".held_out_w") and k.count(".") == 3
        }
    )
    rows = []
    for j in judges:
        crits = levels(stats, f"selection.{j}.", ".held_out_w", CRITERIA)
        for i, c in enumerate(crits):
            p = f"selection.{j}.{c}"
            sel = str(stats.get(f"{p}.selected", "—"))
            for g in GRANULARITIES:  # "scale=5, granularity=full" -> readable
                sel = sel.replace(f"granularity={g}", label("granularity", g, language))
            sel = sel.replace("scale=", "1–")
            rows.append(
                [
                    display_name("judge", j, language) if i == 0 else "",
                    label("criterion", c, language),
                    sel,
                    _f(stats, f"{p}.in_sample_w", language),
                    f"{_f(stats, f'{p}.held_out_w', language)} "
                    f"± {_f(stats, f'{p}.held_out_sd', language)}",
                    _f(stats, f"{p}.optimism", language, digits=3),
                    _f(stats, f"{p}.stability", language),
                ]
            )
    return {
        "columns": [
            text("judge", language),
            text("criterion", language),
            "Выбрано" if ru else "Selected",
            "W, обучение" if ru else "W, in sample",
            "W, отложенные ± SD" if ru else "W, held out ± SD",
            "Оптимизм" if ru else "Optimism",
            "Стабильность" if ru else "Stability",
        ],
        "align": ["left", "left", "left", "right", "right", "right", "right"],
        "rows": rows,
    }


def external_table(
    baselines: pd.DataFrame, judges: pd.DataFrame, *, language: Language
) -> dict[str, Any]:
    """SummEval summary-level ρ / τ per criterion: reproduced ROUGE, published rows, local judges.

    Parameters
    ----------
    baselines : DataFrame
        ``paths.SUMMEVAL_BASELINES`` (``metric, criterion, spearman, kendall, n_docs``).
    judges : DataFrame
        ``paths.SUMMEVAL_JUDGES`` (:data:`radjudge.contracts.SUMMEVAL_JUDGES`): its
        ``published`` rows and, per local judge, the mean over its configurations.
    language : {"ru", "en"}
    """
    ru = language == "ru"

    def cell(df: pd.DataFrame, crit: str) -> str:
        sel = df[df["criterion"] == crit]
        if sel.empty:
            return "—"
        rho = _number(sel["spearman"].mean(), language)
        tau = _number(sel["kendall"].mean(), language)
        return f"{rho} / {tau}"

    rows = []
    for metric, df in baselines.groupby("metric", sort=True):
        n = int(df["n_docs"].max())
        rows.append(
            [
                f"{metric} ({'воспроизведено' if ru else 'reproduced'}, n = {n})",
                *(cell(df, c) for c in SUMMEVAL_CRITERIA),
            ]
        )
    published = judges[judges["kind"] == "published"]
    for method, df in published.groupby("method", sort=True):
        rows.append(
            [
                f"{method} ({'опубликовано' if ru else 'published'})",
                *(cell(df, c) for c in SUMMEVAL_CRITERIA),
            ]
        )
    local = judges[judges["kind"] == "judge"]
    for method, df in local.groupby("method", sort=True):
        n_cfg = len(df.drop_duplicates(["scale", "granularity"]))
        n_docs = int(df["n_docs"].max())
        what = (
            f"среднее {n_cfg} конфигураций, n = {n_docs}"
            if ru
            else f"mean of {n_cfg} configurations, n = {n_docs}"
        )
        name = display_name("judge", method, language)
        rows.append([f"{name} ({what})", *(cell(df, c) for c in SUMMEVAL_CRITERIA)])
    names = {
        "coherence": ("Связность", "Coherence"),
        "consistency": ("Согласованность", "Consistency"),
        "fluency": ("Беглость", "Fluency"),
        "relevance": ("Релевантность", "Relevance"),
    }
    return {
        "columns": [
            "Метод (n статей)" if ru else "Method (n articles)",
            *(f"{names[c][0 if ru else 1]} ρ / τ" for c in SUMMEVAL_CRITERIA),
        ],
        "align": ["left", "right", "right", "right", "right"],
        "rows": rows,
    }


def _number(value: Any, language: Language) -> str:
    return str(format_number(float(value), language, digits=3))


def paper_tables(
    stats: Mapping[str, Any],
    *,
    language: Language,
    external: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> dict[str, dict[str, Any]]:
    """All manuscript tables, keyed by the name ``paper/main.typ`` uses (``tab("name", ...)``).

    ``stats`` is the flat stats.json; ``external`` the SummEval results
    (baselines, judges) of notebook 07, when it ran (table ``external``).
    """
    tables = {
        "factors": factor_table(stats, language=language),
        "criteria": criteria_table(stats, language=language),
        "selection": selection_table(stats, language=language),
    }
    if external is not None:
        tables["external"] = external_table(*external, language=language)
    return tables
