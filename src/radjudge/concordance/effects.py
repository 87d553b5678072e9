"""Factor effects within judges: paired contrasts of W between levels of scale, granularity,
criterion.

Estimand
--------
For a factor F (scale, granularity or criterion) with reference level r, the
effect of level l is

    Delta(l) = mean over pairs (j, o) of [ W(j, F = l, o) - W(j, F = r, o) ]

where j runs over the LLM judges and o over the settings of the other
configuration columns (criterion and the other of scale/granularity, and any
extra column of the run) at which **both** configurations were run and passed
the validity gate. W is each configuration's Kendall W with the expert
consensus. Every pair compares one judge with itself under the same
conditions, so judge identity - which differs enormously between judges - and
the other factors cannot masquerade as an effect of F: a pooled mean over
unpaired configurations would mix in whichever judges and criteria happen to
have run at each level (the demo's first grid reported "scale 10 is best"
because only the metrics, coded as scale 10, rated four of six criteria).

The pooled row (``judge`` empty) weighs every pair equally, so a judge with
more valid pairs weighs more; each judge's own contrast is a row with its
``judge``. Metric judges (reference lines) never enter.

Inference
---------
Every configuration's W was recomputed on the same patient-cluster bootstrap
resamples (:func:`radjudge.concordance.analysis.concordance_grid`), so the
pair mean is recomputed per resample from those replicates; the interval is
the grid's (BCa with the jackknife over patients, or percentile). The
two-sided p-value of "no effect" is the bootstrap's

    p = min(1, 2 min((1 + #{Delta* <= 0}) / (B + 1), (1 + #{Delta* >= 0}) / (B + 1)))

which is never 0 (floor ``2 / (B + 1)``), and is adjusted (Holm by default)
within each factor over every level and every row, pooled and per judge.
A resample in which a configuration's W is undefined drops that pair from
that resample's mean (NaN-aware mean); a resample with no defined pair is left out.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from radjudge.concordance.analysis import ConcordanceGrid, _interval
from radjudge.concordance.multiple import PAdjustMethod, adjust_pvalues
from radjudge.contracts import CRITERIA, FACTOR_EFFECTS, FACTORS, GRANULARITIES

__all__ = ["bootstrap_pvalue", "factor_levels", "paired_factor_effects"]


def bootstrap_pvalue(replicates: np.ndarray) -> float:
    """Two-sided bootstrap p-value of "the statistic is 0", never 0; NaN if nothing is defined.

    >>> bootstrap_pvalue(np.array([0.1, 0.2, 0.3, -0.1]))
    0.8
    >>> bootstrap_pvalue(np.full(999, 0.05))
    0.002
    """
    d = np.asarray(replicates, dtype=float)
    d = d[np.isfinite(d)]
    if d.size == 0:
        return float("nan")
    b = d.size
    low = (1 + np.count_nonzero(d <= 0)) / (b + 1)
    high = (1 + np.count_nonzero(d >= 0)) / (b + 1)
    return float(min(1.0, 2 * min(low, high)))


def factor_levels(values: Sequence[Any], factor: str) -> list[Any]:
    """The levels of ``factor`` present in ``values``, in display order.

    Scale sizes ascending; granularities and criteria in the order of
    :mod:`radjudge.contracts` (unknown ones last, sorted); other factors sorted.

    >>> factor_levels(["none", "full", "extremes"], "granularity")
    ['full', 'extremes', 'none']
    >>> factor_levels([10, 3, 5, 3], "scale")
    [3, 5, 10]
    """
    present = list(dict.fromkeys(v for v in values if not pd.isna(v)))
    order = {"granularity": GRANULARITIES, "criterion": CRITERIA}.get(factor)
    if order is None:
        return sorted(present, key=lambda v: (str(type(v)), v))
    known = [v for v in order if v in present]
    return known + sorted(v for v in present if v not in order)


def _pairs(
    table: pd.DataFrame, factor: str, level: Any, reference: Any, others: list[str]
) -> pd.DataFrame:
    """Rows (``i_level``, ``i_reference``) of the same judge and other columns."""
    keys = ["judge", *others]
    cols = [*keys, factor]
    t = table.loc[:, cols].assign(_row=np.arange(len(table)))
    a = t[t[factor] == level].drop(columns=factor)
    b = t[t[factor] == reference].drop(columns=factor)
    merged = a.merge(b, on=keys, suffixes=("_level", "_reference"))
    return merged.rename(columns={"_row_level": "i_level", "_row_reference": "i_reference"})


def paired_factor_effects(
    grid: ConcordanceGrid,
    *,
    factors: Sequence[str] = FACTORS,
    references: Mapping[str, Any] | None = None,
    p_adjust: PAdjustMethod = "holm",
    by_judge: bool = True,
) -> pd.DataFrame:
    """Within-judge contrasts of W for each factor; the table of notebook 05 (module docstring).

    Parameters
    ----------
    grid : ConcordanceGrid
        From :func:`~radjudge.concordance.analysis.concordance_grid`; only its
        valid LLM configurations with a defined W are used.
    factors : sequence of str, default ("scale", "granularity", "criterion")
        Configuration columns to contrast; a factor absent from the grid or
        with fewer than two levels gives no row.
    references : mapping, optional
        Factor -> reference level; default the first level in display order
        (:func:`factor_levels`: the smallest scale, ``full``, ``completeness``).
    p_adjust : {"holm", "by", "bh", "bonferroni", "none"}, default "holm"
        Adjustment within each factor over all its rows.
    by_judge : bool, default True
        Add each judge's own contrasts (rows with ``judge`` set).

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`radjudge.contracts.FACTOR_EFFECTS`: ``factor,
        level, reference, n_pairs, delta_w, ci_low, ci_high, p_adj, judge``
        (NA = pooled over judges), then ``n_judges, w_level, w_reference`` (mean
        W of the paired configurations at the level and at the reference) and
        the unadjusted ``p``. Levels and reference are written as text.

    Raises
    ------
    ValueError
        A factor that is not a configuration column.

    Warns
    -----
    UserWarning
        A reference level that no valid LLM configuration has (the factor gets no row).
    """
    table = grid.table
    references = dict(references or {})
    columns = list(FACTOR_EFFECTS.names())
    use = (
        (table["judge_kind"] == "llm").to_numpy()
        & table["valid"].to_numpy(dtype=bool)
        & np.isfinite(table["w"].to_numpy(dtype=float))
    )
    unknown = sorted(set(references) - set(factors))
    if unknown:  # a misspelt factor would silently fall back to the first level
        raise ValueError(
            f"references name {unknown}, which are not among the contrasted factors {list(factors)}"
        )
    rows_out: list[dict[str, Any]] = []
    for factor in factors:
        if factor not in grid.config_columns or factor == "judge":
            raise ValueError(
                f"factor {factor!r} is not a configuration column to contrast; "
                f"choose from {[c for c in grid.config_columns if c != 'judge']}"
            )
        sub = table[use]
        levels = factor_levels(sub[factor].tolist(), factor)
        if len(levels) < 2:
            continue
        reference = references.get(factor, levels[0])
        if reference not in levels:
            # a gate outcome, not a user error: say so and leave the factor out
            warnings.warn(
                f"paired_factor_effects: reference {reference!r} of {factor} is no level of a "
                f"valid LLM configuration (levels: {levels}); no contrast of {factor}",
                UserWarning,
                stacklevel=2,
            )
            continue
        others = [c for c in grid.config_columns if c not in ("judge", factor)]
        found: list[dict[str, Any]] = []
        for level in levels:
            if level == reference:
                continue
            pairs = _pairs(sub.reset_index(drop=True), factor, level, reference, others)
            index = np.flatnonzero(use)
            groups = [(None, pairs)]
            if by_judge:
                groups += list(pairs.groupby("judge", sort=True))
            for judge, p in groups:
                if not len(p):
                    continue
                found.append(
                    _contrast(grid, index[p["i_level"]], index[p["i_reference"]])
                    | {
                        "factor": factor,
                        "level": str(level),
                        "reference": str(reference),
                        "judge": judge,
                        "n_judges": int(p["judge"].nunique()),
                    }
                )
        if found:
            p_raw = np.array([r["p"] for r in found], dtype=float)
            for r, q in zip(found, adjust_pvalues(p_raw, method=p_adjust), strict=True):
                r["p_adj"] = q
        rows_out.extend(sorted(found, key=lambda r: r["judge"] is not None))
    out = pd.DataFrame(rows_out, columns=columns)
    return out.astype({"n_pairs": "int64", "n_judges": "int64"}) if len(out) else out


def _contrast(grid: ConcordanceGrid, level: np.ndarray, reference: np.ndarray) -> dict[str, Any]:
    w = grid.table["w"].to_numpy(dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        reps = np.nanmean(grid.replicates[level] - grid.replicates[reference], axis=0)
        jack = np.nanmean(grid.jackknife[level] - grid.jackknife[reference], axis=0)
    delta = float(np.mean(w[level] - w[reference]))
    ok = np.isfinite(reps)
    b = _interval(
        np.array([delta]),
        reps[ok][None],
        jack[None],
        grid.ci_method,
        grid.alpha,
        np.array([level.size]),
    )
    return {
        "n_pairs": int(level.size),
        "delta_w": delta,
        "ci_low": float(b.low[0]),
        "ci_high": float(b.high[0]),
        "w_level": float(np.mean(w[level])),
        "w_reference": float(np.mean(w[reference])),
        "p": bootstrap_pvalue(reps),
    }
