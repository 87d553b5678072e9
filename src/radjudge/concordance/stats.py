"""The numbers the manuscript quotes: ``stats.json`` from the concordance tables of notebook 05.

:func:`manuscript_stats` reduces the results of :mod:`radjudge.concordance.analysis`
to a flat mapping of dotted keys; :func:`write_stats` checks it against the
schema (:data:`radjudge.contracts.STATS_SCHEMA`, where every key pattern and its
type is listed) and merges it into ``paths.STATS_JSON``, replacing the keys
this stage owns; :func:`findings_markdown` words a section of it for the notebook.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from radjudge.concordance.agreement import rank_correlation
from radjudge.concordance.analysis import AltTestTables, ConcordanceGrid, SelectionTables
from radjudge.concordance.designs import ConcordanceData
from radjudge.concordance.kendall import UndefinedStatisticWarning
from radjudge.concordance.panel import panel_behaviour
from radjudge.contracts import (
    CONFIG_COLUMNS,
    CRITERIA,
    GRANULARITIES,
    JUDGE_KINDS,
    STATS_PREFIXES,
    check_stats,
)
from radjudge.manifest import write_json

__all__ = [
    "design_stats",
    "manuscript_stats",
    "panel_checks",
    "write_stats",
    "findings_markdown",
]


def _key(value: object) -> str:
    return str(value).replace(".", "_").replace(" ", "_")


def _num(value: object) -> object:
    """JSON-friendly scalar: numpy -> Python, NaN -> None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _restrict(table: pd.DataFrame, keep: pd.DataFrame, cfg_cols: list[str]) -> pd.DataFrame:
    """The rows of ``table`` whose configuration is one of ``keep``'s (index kept)."""
    on = [c for c in cfg_cols if c in table.columns]
    if not len(table) or not on:
        return table
    keys = set(map(tuple, keep[on].astype(str).to_numpy()))
    mine = map(tuple, table[on].astype(str).to_numpy())
    return table[[k in keys for k in mine]]


def panel_checks(data: ConcordanceData, summaries: pd.DataFrame) -> dict[str, object]:
    """Does the expert panel behave like one? Means by summarizer, on flagged summaries, vs length.

    Parameters
    ----------
    data : ConcordanceData
    summaries : pandas.DataFrame
        ``patient_id, summarizer, text, flag`` of the rated summaries (stage 02).

    Returns
    -------
    dict
        ``experts.mean.<summarizer>.<criterion>`` (mean of every expert score of
        the summarizer's summaries), ``experts.degenerate.<criterion>.mean``
        (over the summaries whose flag is not ok) and ``experts.degenerate.n``,
        ``experts.length_spearman.<criterion>`` and
        ``experts.length_spearman_within.<criterion>``
        (:func:`radjudge.concordance.panel.panel_behaviour`).
    """
    long = pd.concat(
        [
            data.items.assign(
                criterion=crit, **dict(zip(data.experts["expert_id"], m.T, strict=True))
            ).melt(
                id_vars=["patient_id", "summarizer", "criterion"],
                var_name="expert_id",
                value_name="score",
            )
            for crit, m in data.expert_scores.items()
        ],
        ignore_index=True,
    )
    behaviour = panel_behaviour(long, summaries)
    out: dict[str, object] = {
        "experts.degenerate.n": int(behaviour["n_degenerate"].max()) if len(behaviour) else 0
    }
    means = long.groupby(["summarizer", "criterion"])["score"].mean()
    for (summ, crit), v in means.items():
        out[f"experts.mean.{_key(summ)}.{_key(crit)}"] = v
    for r in behaviour.itertuples(index=False):
        c = _key(r.criterion)
        out[f"experts.degenerate.{c}.mean"] = r.degenerate_mean if r.n_degenerate else None
        out[f"experts.length_spearman.{c}"] = r.length_spearman
        out[f"experts.length_spearman_within.{c}"] = r.length_spearman_within
    return out


def _level_order(factor: str, values: pd.Series) -> list[str]:
    """The distinct levels of a factor, in display order, as strings."""
    present = [v for v in pd.unique(values.dropna())]
    if factor == "scale":
        return [str(int(v)) for v in sorted(present, key=float)]
    order = {"criterion": CRITERIA, "granularity": GRANULARITIES}.get(factor, ())
    text = [str(v) for v in present]
    return [v for v in order if v in text] + sorted(v for v in text if v not in order)


def design_stats(
    judge_ratings: pd.DataFrame, *, config_columns: tuple[str, ...] | list[str] = CONFIG_COLUMNS
) -> dict[str, object]:
    """What each judge was asked to do, from the ratings themselves: the design facts of Methods.

    Parameters
    ----------
    judge_ratings : pandas.DataFrame
        The long judge table of notebook 04 (:data:`radjudge.contracts.JUDGE_RATINGS`): one
        row per rating, with ``judge, judge_kind, patient_id, summarizer, status`` and the
        configuration columns; ``mode``, ``model`` and ``repeat`` when present.
    config_columns : sequence of str, default ``CONFIG_COLUMNS``
        The judge-configuration columns; every one but ``judge`` is a factor.

    Returns
    -------
    dict
        ``design.n_judges.<kind>`` (every kind, 0 when none); ``design.n_items`` (summaries
        any judge was asked to rate); per judge (``design.judge.<judge>.*``): ``name``,
        ``order`` (position in the table), ``kind``, ``mode``, ``model``,
        ``n_configurations``, ``n_items`` (summaries asked), ``n_items_scored`` (with at
        least one ``ok`` answer), ``n_patients``, ``n_repeats``, ``n_rows``, ``n_failed``,
        ``levels.<factor>`` (comma-separated, None when the judge has no such factor, as
        metrics have no scale), ``n_levels.<factor>`` and ``factorial`` (every combination
        of its levels ran); ``design.factor.<factor>.n_judges`` (LLM judges that rated two
        or more levels of the factor: it is crossed within them); and the rows without a
        score, ``data.failed.<kind>.<status>.n`` with ``.summarizer`` (the one summarizer
        they all belong to, else None).

    Examples
    --------
    >>> r = pd.DataFrame({"judge": ["a", "a", "m", "m"], "judge_kind": ["llm", "llm", "metric",
    ...     "metric"], "criterion": "c", "scale": pd.array([3, 5, None, None], "Int64"),
    ...     "granularity": ["full", "full", None, None], "patient_id": "P1",
    ...     "summarizer": ["s", "s", "gold", "s"], "status": ["ok", "ok", "failed", "ok"]})
    >>> d = design_stats(r)
    >>> d["design.n_judges.llm"], d["design.judge.a.levels.scale"], d["design.judge.m.n_failed"]
    (1, '3,5', 1)
    >>> d["design.factor.scale.n_judges"], d["data.failed.metric.failed.summarizer"]
    (1, 'gold')
    """
    need = ["judge", "judge_kind", "patient_id", "summarizer", "status", *config_columns]
    missing = [c for c in dict.fromkeys(need) if c not in judge_ratings.columns]
    if missing:
        raise ValueError(
            f"design_stats: judge_ratings lacks column(s) {missing}; it is the table of "
            "notebook 04 (radjudge.contracts.JUDGE_RATINGS)"
        )
    factors = [c for c in config_columns if c != "judge"]
    jr = judge_ratings
    out: dict[str, object] = {f"design.n_judges.{k}": 0 for k in JUDGE_KINDS}
    kinds = jr.drop_duplicates("judge").set_index("judge")["judge_kind"]
    for kind, n in kinds.value_counts().items():
        out[f"design.n_judges.{_key(kind)}"] = int(n)
    out["design.n_items"] = int(len(jr[["patient_id", "summarizer"]].drop_duplicates()))
    crossed = dict.fromkeys(factors, 0)
    for order, (judge, g) in enumerate(jr.groupby("judge", sort=False)):
        p = f"design.judge.{_key(judge)}"
        kind = str(g["judge_kind"].iat[0])
        ok = g[g["status"] == "ok"]
        present = [f for f in factors if g[f].notna().any()]
        levels = {f: _level_order(f, g[f]) for f in present}
        configs = g[present].drop_duplicates() if present else g.iloc[:1]
        out.update(
            {
                f"{p}.name": str(judge),
                f"{p}.order": order,
                f"{p}.kind": kind,
                f"{p}.mode": str(g["mode"].iat[0]) if "mode" in g.columns else None,
                f"{p}.model": str(g["model"].iat[0])
                if "model" in g.columns and pd.notna(g["model"].iat[0])
                else None,
                f"{p}.n_configurations": int(len(configs)),
                f"{p}.n_items": int(len(g[["patient_id", "summarizer"]].drop_duplicates())),
                f"{p}.n_items_scored": int(len(ok[["patient_id", "summarizer"]].drop_duplicates())),
                f"{p}.n_patients": int(g["patient_id"].nunique()),
                f"{p}.n_repeats": int(g["repeat"].nunique()) if "repeat" in g.columns else 1,
                f"{p}.n_rows": int(len(g)),
                f"{p}.n_failed": int((g["status"] != "ok").sum()),
                f"{p}.factorial": bool(
                    len(configs) == int(np.prod([len(v) for v in levels.values()]))
                ),
            }
        )
        for f in factors:
            out[f"{p}.levels.{_key(f)}"] = ",".join(levels[f]) if f in levels else None
            out[f"{p}.n_levels.{_key(f)}"] = len(levels.get(f, []))
            if kind == "llm" and len(levels.get(f, [])) > 1:
                crossed[f] += 1
    for f, n in crossed.items():
        out[f"design.factor.{_key(f)}.n_judges"] = n
    failed = jr[jr["status"] != "ok"]
    for (kind, status), g in failed.groupby(["judge_kind", "status"], sort=True):
        p = f"data.failed.{_key(kind)}.{_key(status)}"
        summs = g["summarizer"].unique()
        out[f"{p}.n"] = int(len(g))
        out[f"{p}.summarizer"] = str(summs[0]) if len(summs) == 1 else None
    return out


def manuscript_stats(
    data: ConcordanceData,
    *,
    grid: ConcordanceGrid,
    effects: pd.DataFrame,
    panel: pd.DataFrame,
    judges: pd.DataFrame,
    categories: pd.DataFrame,
    loeo: pd.DataFrame,
    alt: AltTestTables,
    selection: SelectionTables,
    sensitivity: pd.DataFrame,
    settings: Mapping[str, object],
    thresholds: Mapping[str, float | None] | None = None,
    summaries: pd.DataFrame | None = None,
    judge_ratings: pd.DataFrame | None = None,
    synthetic: bool | None = None,
) -> dict[str, object]:
    """Every number the manuscript quotes, as a flat mapping (schema: ``contracts.STATS_SCHEMA``).

    Headline numbers (``w.*``, ``effects.*``, ``delta_w.*``, ``alt_test.*``,
    ``selection.*``, ``judges.*``) use the valid LLM configurations only; the
    metric judges are ``reference_lines.*``; ``validity.*`` counts what the
    gate left out and why.

    Parameters
    ----------
    data : ConcordanceData
    grid, effects, panel, judges, categories, loeo, alt, selection, sensitivity
        The results of the functions of this package (``effects``:
        :func:`~radjudge.concordance.effects.paired_factor_effects`).
    settings : mapping
        The analysis knobs to record under ``settings.*``.
    thresholds : mapping, optional
        The validity gate's thresholds (name -> value or None), recorded under
        ``validity.thresholds.*``.
    summaries : pandas.DataFrame, optional
        ``patient_id, summarizer, text, flag`` (stage 02): the expert panel's
        mean score per summarizer, over the flagged summaries, and its
        Spearman with the summary length (``experts.mean.*``,
        ``experts.degenerate.*``, ``experts.length_spearman.*``).
    judge_ratings : pandas.DataFrame, optional
        The long judge table of notebook 04: what each judge was asked to do and which rows
        have no score (``design.*``, ``data.failed.*``; :func:`design_stats`), so the
        Methods of the manuscript describe the design that ran.
    synthetic : bool, optional
        Whether the records are synthetic (``data.synthetic``; the manuscript
        then carries a banner). None = unknown.

    Returns
    -------
    dict
        Dotted keys -> int, float, bool, str or None (NaN becomes None).
    """
    s: dict[str, object] = {}
    full = grid.table
    cfg_cols = list(data.config_columns)
    llm = (full["judge_kind"] == "llm").to_numpy()
    headline = llm & full["valid"].to_numpy(dtype=bool)
    t = full[headline]  # the valid LLM configurations: every headline number
    judge_rows = int(data.configs["n_rows"].sum())
    failed = int(data.configs["n_failed_rows"].sum())
    n_expert_cells = sum(
        int(np.isfinite(v).sum() + np.isnan(v).sum()) for v in data.expert_scores.values()
    )
    expert_missing = sum(
        int(np.isnan(v[:, data.active_experts(c)]).sum()) for c, v in data.expert_scores.items()
    )
    s.update(
        {
            "data.n_patients": data.n_patients,
            "data.n_items": data.n_items,
            "data.n_summarizers": int(data.items["summarizer"].nunique()),
            "data.n_criteria": len(data.criteria),
            "data.n_experts": int(len(data.experts)),
            "data.n_expert_categories": int(data.experts["expert_category"].nunique()),
            "data.n_judges": int(data.configs["judge"].nunique()),
            "data.n_configurations": int(len(data.configs)),
            "data.judge_rows": judge_rows,
            "data.judge_rows_failed": failed,
            "data.judge_failed_share": failed / judge_rows if judge_rows else None,
            "data.expert_scores_missing": expert_missing,
            "data.expert_missing_share": expert_missing / n_expert_cells
            if n_expert_cells
            else None,
            "data.configs_without_experts": int(len(data.dropped_configs)),
            "data.synthetic": None if synthetic is None else bool(synthetic),
        }
    )
    for k, v in settings.items():
        s[f"settings.{k}"] = v

    gated = full[llm]
    s.update(
        {
            "validity.n_configurations": int(len(gated)),
            "validity.n_valid": int(gated["valid"].sum()),
            "validity.n_invalid": int((~gated["valid"].astype(bool)).sum()),
        }
    )
    reasons = gated["validity_reason"].dropna().astype(str).str.split(";").explode()
    for reason, n in reasons.value_counts().items():
        s[f"validity.reason.{_key(reason)}.n"] = int(n)
    for judge, g in gated.groupby("judge"):
        s[f"validity.by_judge.{_key(judge)}.n_valid"] = int(g["valid"].sum())
        s[f"validity.by_judge.{_key(judge)}.n_invalid"] = int((~g["valid"].astype(bool)).sum())
    for name, value in (thresholds or {}).items():
        s[f"validity.thresholds.{_key(name)}"] = value
    for r in full[~llm].itertuples(index=False):
        p = f"reference_lines.{_key(r.judge)}.{_key(r.criterion)}"
        s.update(
            {
                f"{p}.w": r.w,
                f"{p}.spearman": r.spearman,
                f"{p}.ci_low": r.ci_low,
                f"{p}.ci_high": r.ci_high,
                f"{p}.valid": bool(r.valid),
            }
        )

    w = t["w"].to_numpy(dtype=float)
    s.update(
        {
            "w.grid.n": int(len(t)),
            "w.grid.median": np.nanmedian(w) if np.isfinite(w).any() else None,
            "w.grid.min": np.nanmin(w) if np.isfinite(w).any() else None,
            "w.grid.max": np.nanmax(w) if np.isfinite(w).any() else None,
            "w.grid.n_significant": int(t["significant"].sum()),
            "w.grid.share_significant": float(t["significant"].mean()) if len(t) else None,
            "w.grid.chance_level": 0.5,
        }
    )
    best_rows: dict[str, int] = {}
    for crit, g in t.groupby("criterion"):
        if g["w"].notna().any():
            i = int(g["w"].idxmax())
            best_rows[crit] = i
            p = f"w.best.{_key(crit)}"
            s.update(
                {
                    f"{p}.w": t.at[i, "w"],
                    f"{p}.spearman": t.at[i, "spearman"],
                    f"{p}.ci_low": t.at[i, "ci_low"],
                    f"{p}.ci_high": t.at[i, "ci_high"],
                    f"{p}.p_adj": t.at[i, "p_adj"],
                    f"{p}.config": data.config_label(i),
                }
            )
            for c in cfg_cols:
                if c != "criterion":
                    s[f"{p}.{c}"] = t.at[i, c]
    for factor, g in effects[effects["judge"].isna()].groupby("factor", sort=False):
        s[f"effects.{_key(factor)}.reference"] = str(g["reference"].iat[0])
        for r in g.itertuples(index=False):
            p = f"effects.{_key(factor)}.{_key(r.level)}"
            s.update(
                {
                    f"{p}.delta_w": r.delta_w,
                    f"{p}.ci_low": r.ci_low,
                    f"{p}.ci_high": r.ci_high,
                    f"{p}.p_adj": r.p_adj,
                    f"{p}.p": r.p,
                    f"{p}.w_level": r.w_level,
                    f"{p}.w_reference": r.w_reference,
                    f"{p}.n_pairs": int(r.n_pairs),
                    f"{p}.n_judges": int(r.n_judges),
                }
            )

    if len(categories):
        ea = categories[categories["design"] == "experts_all"]
        for r in ea.itertuples(index=False):
            p = f"experts.w.{_key(r.criterion)}"
            s.update(
                {
                    f"{p}.w": r.w,
                    f"{p}.ci_low": r.ci_low,
                    f"{p}.ci_high": r.ci_high,
                    f"{p}.n_experts": r.n_raters,
                }
            )
        s["experts.w.median"] = ea["w"].median() if len(ea) else None
        within = categories[categories["design"] == "experts_within"]
        for r in within.itertuples(index=False):
            s[f"experts.within.{_key(r.category)}.{_key(r.criterion)}.w"] = r.w
        for cat, g in within.groupby("category"):
            s[f"experts.within.{_key(cat)}.median"] = g["w"].median()
        across = categories[categories["design"] == "categories_across"]
        for r in across.itertuples(index=False):
            s[f"experts.across_categories.{_key(r.criterion)}.w"] = r.w
        s["experts.across_categories.median"] = across["w"].median() if len(across) else None
        jv = _restrict(categories[categories["design"] == "judge_vs_category"], t, cfg_cols)
        for cat, g in jv.groupby("category"):
            s[f"judge_vs_category.{_key(cat)}.median_w"] = g["w"].median()

    if summaries is not None:
        s.update(panel_checks(data, summaries))
    if judge_ratings is not None:
        s.update(design_stats(judge_ratings, config_columns=cfg_cols))

    # headline keys exist even when no configuration passed the gate (None, 0): the manuscript
    # quotes them, and "no valid judge" is a result to print, not a crash
    s.update(
        {
            "delta_w.median": None,
            "delta_w.n": 0,
            "delta_w.n_positive": 0,
            "delta_w.n_ci_above_zero": 0,
            "judges.w_among.median": None,
            "loeo.max_abs_change": None,
            "alt_test.n": 0,
            "alt_test.n_passed": 0,
            "alt_test.advantage_probability_max": None,
            "selection.mean_held_out_w": None,
            "selection.mean_optimism": None,
        }
    )
    panel = _restrict(panel, t, cfg_cols)
    if len(panel):
        d = panel["delta_w"]
        s.update(
            {
                "delta_w.median": d.median(),
                "delta_w.n": int(d.notna().sum()),
                "delta_w.n_positive": int((d > 0).sum()),
                "delta_w.n_ci_above_zero": int((panel["ci_low"] > 0).sum()),
            }
        )
        keyed = panel.set_index(cfg_cols)
        for crit, i in best_rows.items():
            key = tuple(t.loc[i, cfg_cols])
            if key in keyed.index:
                r = keyed.loc[key]
                p = f"delta_w.best.{_key(crit)}"
                s.update(
                    {
                        f"{p}.delta_w": r["delta_w"],
                        f"{p}.ci_low": r["ci_low"],
                        f"{p}.ci_high": r["ci_high"],
                        f"{p}.w_experts": r["w_experts"],
                        f"{p}.w_with_judge": r["w_with_judge"],
                    }
                )

    if len(judges):
        s["judges.w_among.median"] = judges["w"].median()
        for crit, g in judges.groupby("criterion"):
            s[f"judges.w_among.{_key(crit)}.median"] = g["w"].median()

    loeo = pd.concat(
        [
            loeo[loeo["design"] != "judge_vs_consensus"],
            _restrict(loeo[loeo["design"] == "judge_vs_consensus"], t, cfg_cols),
        ],
        ignore_index=True,
    )
    if len(loeo):
        s["loeo.max_abs_change"] = loeo["change"].abs().max()
        for crit, g in loeo.groupby("criterion"):
            s[f"loeo.{_key(crit)}.max_abs_change"] = g["change"].abs().max()

    a = _restrict(alt.summary, t, cfg_cols)
    if len(a):
        s.update(
            {
                "alt_test.n": int(len(a)),
                "alt_test.n_passed": int(a["passed"].sum()),
                "alt_test.share_passed": float(a["passed"].mean()),
                "alt_test.winning_rate_max": a["winning_rate"].max(),
                "alt_test.advantage_probability_max": a["advantage_probability"].max(),
            }
        )
        for crit, g in a.groupby("criterion"):
            if g["advantage_probability"].notna().any():
                i = g["advantage_probability"].idxmax()
                p = f"alt_test.best.{_key(crit)}"
                s.update(
                    {
                        f"{p}.winning_rate": g.at[i, "winning_rate"],
                        f"{p}.advantage_probability": g.at[i, "advantage_probability"],
                        f"{p}.passed": bool(g.at[i, "passed"]),
                        f"{p}.config": ", ".join(f"{c}={g.at[i, c]}" for c in cfg_cols),
                    }
                )

    sel = selection.summary
    if len(sel):
        group_cols = list(selection.group_columns)
        for r in sel.to_dict("records"):
            p = "selection." + ".".join(_key(r[c]) for c in group_cols)
            s.update(
                {
                    f"{p}.held_out_w": r["held_out_w"],
                    f"{p}.held_out_sd": r["held_out_sd"],
                    f"{p}.in_sample_w": r["in_sample_w"],
                    f"{p}.optimism": r["optimism"],
                    f"{p}.stability": r["stability"],
                    f"{p}.selected": r["selected"],
                }
            )
        s["selection.mean_optimism"] = sel["optimism"].mean()
        s["selection.mean_held_out_w"] = sel["held_out_w"].mean()

    if len(sensitivity):
        stat_cols = [
            "spearman",
            "kendall_tau_b",
            "spearman_per_patient",
            "icc_c1",
            "icc_a1",
            "alpha_interval",
            "kappa_quadratic",
            "ac2_quadratic",
        ]
        merged = t[[*cfg_cols, "w"]].merge(sensitivity, on=cfg_cols)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UndefinedStatisticWarning)
            for c in stat_cols:
                s[f"sensitivity.rank_agreement.{c}"] = rank_correlation(merged["w"], merged[c])
    return {k: _num(v) for k, v in s.items()}


def write_stats(stats: Mapping[str, object], path: str | os.PathLike[str]) -> Path:
    """Merge ``stats`` into the JSON file at ``path``: keys with a stage-05 prefix are replaced.

    Keys other stages wrote (other prefixes) are kept. Written atomically,
    sorted by key.

    Raises
    ------
    ValueError
        A key without a stage-05 prefix (:data:`~radjudge.contracts.STATS_PREFIXES`),
        or a key or value outside the stats.json schema
        (:class:`radjudge.contracts.ContractError`).
    """
    path = Path(path)
    current: dict[str, object] = {}
    if path.is_file():
        current = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(current, dict):
            raise ValueError(f"{path} does not hold a JSON object; remove it or fix it")
    kept = {k: v for k, v in current.items() if not k.startswith(STATS_PREFIXES)}
    bad = [k for k in stats if not k.startswith(STATS_PREFIXES)]
    if bad:
        raise ValueError(f"stats keys {bad[:5]} lack a stage-05 prefix {STATS_PREFIXES}")
    own = {k: _num(v) for k, v in stats.items()}
    check_stats(own, source=f"stats for {path}")
    merged = {**kept, **own}
    return write_json(path, dict(sorted(merged.items())))


def findings_markdown(stats: Mapping[str, object], *, section: str) -> str:
    """A short paragraph, in the paper's words, of the numbers in ``stats`` for one section.

    Parameters
    ----------
    stats : mapping
        From :func:`manuscript_stats`.
    section : {"data", "validity", "grid", "reference_lines", "scale", "granularity",
               "criteria", "experts", "panel", "alt_test", "selection"}

    Returns
    -------
    str
        Markdown.
    """

    def f(key: str, digits: int = 2) -> str:
        v = stats.get(key)
        return "n/a" if v is None else (f"{v:.{digits}f}" if isinstance(v, float) else str(v))

    def pval(key: str) -> str:
        """A p-value: 3 decimals, and below 0.001 as "< 0.001" (never "0.000")."""
        v = stats.get(key)
        if not isinstance(v, (int, float)):
            return "n/a"
        return "< 0.001" if v < 0.001 else f"{v:.3f}"

    def levels(prefix: str) -> list[str]:
        def natural(v: str) -> tuple:
            try:
                return (0, float(v), v)
            except ValueError:
                return (1, 0.0, v)

        return sorted(
            {k[len(prefix) :].split(".")[0] for k in stats if k.startswith(prefix)}, key=natural
        )

    def levels_deep(prefix: str) -> list[str]:
        """``a.b`` of the keys ``prefix + a.b.n``."""
        return sorted(
            k[len(prefix) : -2] for k in stats if k.startswith(prefix) and k.endswith(".n")
        )

    if section == "data":
        judges = f"{f('data.n_judges')} judges"
        if "design.n_judges.llm" in stats:
            judges = (
                f"{f('design.n_judges.llm')} LLM judges and {f('design.n_judges.metric')} "
                "reference metrics"
            )
        failed = "; ".join(
            f"{f(f'data.failed.{k}.n')} {k.split('.')[0]} rows {k.split('.')[1]}"
            + (
                f" (all on summarizer {stats[f'data.failed.{k}.summarizer']})"
                if stats.get(f"data.failed.{k}.summarizer")
                else ""
            )
            for k in levels_deep("data.failed.")
        )
        return (
            f"{f('data.n_items')} summaries of {f('data.n_patients')} patients, rated on "
            f"{f('data.n_criteria')} criteria by {f('data.n_experts')} experts in "
            f"{f('data.n_expert_categories')} categories and by {judges} in "
            f"{f('data.n_configurations')} configurations. {f('data.judge_rows_failed')} of "
            f"{f('data.judge_rows')} judge rows ({f('data.judge_failed_share', 3)}) had no valid "
            f"score and count as missing{': ' + failed if failed else ''}; "
            f"{f('data.expert_scores_missing')} expert scores are missing."
        )
    if section == "validity":
        reasons = levels("validity.reason.")
        why = ", ".join(f"{r} {f(f'validity.reason.{r}.n')}" for r in reasons) or "none"
        return (
            f"Validity gate: {f('validity.n_valid')} of {f('validity.n_configurations')} LLM "
            f"judge configurations pass; {f('validity.n_invalid')} fail (reasons: {why}). "
            "Failed configurations stay in the tables, marked, but enter no headline number, "
            "factor effect or best-configuration choice."
        )
    if section == "grid":
        return (
            f"Across the {f('w.grid.n')} valid LLM configurations, W (judge vs expert consensus; "
            f"two raters, so W = (1 + Spearman rho) / 2 and chance level is "
            f"{f('w.grid.chance_level')}) has median {f('w.grid.median')} (range "
            f"{f('w.grid.min')}-{f('w.grid.max')}); {f('w.grid.n_significant')} of them exceed "
            f"chance after {f('settings.p_adjust')} adjustment (alpha = {f('settings.alpha')})."
        )
    if section == "reference_lines":
        parts = []
        for judge in levels("reference_lines."):
            crits = levels(f"reference_lines.{judge}.")
            ws = ", ".join(f"{c} {f(f'reference_lines.{judge}.{c}.w')}" for c in crits)
            parts.append(f"{judge}: {ws}")
        if not parts:
            return "No reference-based metric in this run."
        return (
            "Reference lines (metrics against a reference summary, not study arms; W with the "
            "expert consensus): " + "; ".join(parts) + "."
        )
    if section in ("scale", "granularity", "criteria"):
        factor = {"criteria": "criterion"}.get(section, section)
        ref = stats.get(f"effects.{factor}.reference")
        if ref is None:
            return f"No paired contrast of {factor}: fewer than two of its levels were valid."
        parts = []
        for lv in levels(f"effects.{factor}."):
            if lv == "reference":
                continue
            p = f"effects.{factor}.{lv}"
            parts.append(
                f"{lv}: Delta W {f(p + '.delta_w', 3)} [{f(p + '.ci_low', 3)}, "
                f"{f(p + '.ci_high', 3)}], p_adj = {pval(p + '.p_adj')} "
                f"({f(p + '.n_pairs')} pairs of {f(p + '.n_judges')} judge(s))"
            )
        return (
            f"Effect of {factor} within judges (paired: same judge and other settings), vs "
            f"{ref}: " + "; ".join(parts) + "."
        )
    if section == "experts":
        checks = ""
        if "experts.degenerate.n" in stats:
            checks = (
                f" Over the {f('experts.degenerate.n')} degenerate summaries (flag not ok) "
                "the mean "
                "expert score is "
                + ", ".join(
                    f"{c} {f(f'experts.degenerate.{c}.mean')}"
                    for c in levels("experts.degenerate.")
                    if c != "n"
                )
                + "; Spearman of the consensus with the summary length: "
                + ", ".join(
                    f"{c} {f(f'experts.length_spearman.{c}')}"
                    for c in levels("experts.length_spearman.")
                )
                + "."
            )
        return (
            f"The experts agree among themselves with median W {f('experts.w.median')} over "
            "criteria; the category consensuses agree with median W "
            f"{f('experts.across_categories.median')}. Judge concordance by the category whose "
            "consensus is the reference: "
            + "; ".join(
                f"{c}: median {f(f'judge_vs_category.{c}.median_w')}"
                for c in levels("judge_vs_category.")
            )
            + f". Leaving one expert out changes W by at most {f('loeo.max_abs_change', 3)}."
            + checks
        )
    if section == "panel":
        return (
            "Adding the judge to the expert panel changes W by a median "
            f"{f('delta_w.median', 3)}; Delta W is positive for {f('delta_w.n_positive')} of "
            f"{f('delta_w.n')} configurations, with the interval above zero for "
            f"{f('delta_w.n_ci_above_zero')}."
        )
    if section == "alt_test":
        return (
            f"Alt-test (epsilon = {f('settings.alt_test_epsilon')}, BY at q = "
            f"{f('settings.alt_test_q')}): {f('alt_test.n_passed')} of {f('alt_test.n')} "
            "configurations pass (winning rate >= 0.5); the largest advantage probability is "
            f"{f('alt_test.advantage_probability_max')}."
        )
    if section == "selection":
        return (
            f"Choosing the configuration per judge and criterion by {f('settings.cv_folds')}-fold "
            "cross-validation over patients gives a mean held-out W of "
            f"{f('selection.mean_held_out_w')}; naive in-sample selection overstates W by "
            f"{f('selection.mean_optimism', 3)} on average."
        )
    raise ValueError(f"unknown section {section!r}")
