"""Agreement inside an expert panel (Kendall's W per criterion, overall or per category), and
whether the panel behaves like one: how it rates the degenerate summaries and how its scores
follow the summaries' length.

Notebook 03 shows both right after the import of the expert ratings, before any judge ran;
notebook 05 writes the second to ``stats.json`` (``experts.degenerate.*``,
``experts.length_spearman.*``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from radjudge.concordance.agreement import rank_correlation
from radjudge.concordance.kendall import UndefinedStatisticWarning, kendall_w

__all__ = ["panel_agreement", "panel_behaviour", "partial_spearman"]


def panel_agreement(ratings: pd.DataFrame, *, by: Sequence[str] = ("criterion",)) -> pd.DataFrame:
    """Kendall's W among the experts of each group, over the summaries they rated.

    Items are summaries (``patient_id, summarizer``), raters are experts. W is
    :func:`~radjudge.concordance.kendall.kendall_w` (tie-corrected; a summary with a
    missing rating is dropped for that group, listwise, and counted).

    Parameters
    ----------
    ratings : DataFrame
        The tidy expert table (:func:`radjudge.ratings.load_expert_ratings`).
    by : sequence of str, default ("criterion",)
        Grouping columns; ``("expert_category", "criterion")`` gives W inside each category.

    Returns
    -------
    DataFrame
        ``*by, n_raters, n_items, n_dropped, w, pvalue``. W is NaN where it is
        undefined: fewer than two raters, fewer than two complete items, or
        constant ratings (the last with a warning from ``kendall_w``).
    """
    by = list(by)
    missing = [
        c
        for c in (*by, "expert_id", "patient_id", "summarizer", "score")
        if c not in ratings.columns
    ]
    if missing:
        raise ValueError(f"ratings lacks column(s) {missing}")
    items = ["patient_id", "summarizer"]
    raters = ratings.groupby(by, sort=True)["expert_id"].unique()
    scores = ratings["score"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    wide = (
        ratings.assign(_score=scores)
        .set_index([*by, *items, "expert_id"])["_score"]
        .unstack("expert_id")
    )
    rows = []
    for key, block in wide.groupby(level=list(range(len(by))), sort=True):
        key = key if isinstance(key, tuple) else (key,)
        m = block[list(raters.loc[key if len(by) > 1 else key[0]])].to_numpy(dtype=float)
        n_raters, complete = m.shape[1], int((~np.isnan(m).any(axis=1)).sum())
        if n_raters < 2 or complete < 2:
            w = p = float("nan")
        else:
            res = kendall_w(m)
            w, p = float(res.w), float(res.pvalue)
        rows.append((*key, n_raters, complete, m.shape[0] - complete, w, p))
    return pd.DataFrame(rows, columns=[*by, "n_raters", "n_items", "n_dropped", "w", "pvalue"])


def partial_spearman(x: object, y: object, covariate: object) -> float:
    """Spearman correlation of ``x`` and ``y`` with ``covariate`` partialled out.

    The ranks (midranks for ties) of ``x`` and ``y`` are each regressed on the
    ranks of ``covariate`` (least squares with an intercept); the result is the
    Pearson correlation of the two residuals - the rank partial correlation that
    ``pingouin.partial_corr(method="spearman")`` computes.

    Parameters
    ----------
    x, y, covariate : array_like, shape (n,)
        No missing values (a NaN raises: decide what a missing value means first).

    Returns
    -------
    float
        NaN (with an ``UndefinedStatisticWarning``) when fewer than 4 values are
        given, or a residual is constant (e.g. ``x`` is a monotone function of
        ``covariate``).

    Examples
    --------
    Scores that follow the content, whose amount grows with the length: the
    length says nothing more once the content is known.

    >>> content = [0, 1, 2, 3, 4, 5, 6, 7]
    >>> length = [10, 25, 20, 40, 35, 60, 50, 70]
    >>> score = [1, 1, 2, 2, 3, 4, 4, 5]
    >>> round(rank_correlation(score, length), 3)
    0.897
    >>> round(partial_spearman(score, length, content), 3)
    -0.21
    """
    a, b, c = (np.asarray(v, dtype=float) for v in (x, y, covariate))
    if not a.shape == b.shape == c.shape or a.ndim != 1:
        raise ValueError(
            f"partial_spearman: x, y and covariate must be 1-d of one length, got shapes "
            f"{a.shape}, {b.shape}, {c.shape}"
        )
    if np.isnan(a).any() or np.isnan(b).any() or np.isnan(c).any():
        raise ValueError("partial_spearman: x, y and covariate must not contain NaN")
    if a.size >= 4:
        design = np.column_stack([np.ones(a.size), rankdata(c)])
        res = [
            r - design @ np.linalg.lstsq(design, r, rcond=None)[0] for r in map(rankdata, (a, b))
        ]
        # a residual at rounding level is constant: the correlation is undefined, not noise
        if all(np.ptp(r) > 1e-9 * a.size for r in res):
            return float(np.corrcoef(res[0], res[1])[0, 1])
    warnings.warn(
        "partial Spearman correlation undefined (fewer than 4 values, or x or y is a monotone "
        "function of the covariate); returned NaN",
        UndefinedStatisticWarning,
        stacklevel=2,
    )
    return float("nan")


def panel_behaviour(
    ratings: pd.DataFrame, summaries: pd.DataFrame, *, coverage: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per criterion: the panel's mean score on flagged and on ok summaries, and length vs score.

    Parameters
    ----------
    ratings : DataFrame
        The tidy expert table (``patient_id, summarizer, criterion, score``).
    summaries : DataFrame
        The summaries of stage 02 (``patient_id, summarizer, text, flag``).
    coverage : DataFrame, optional
        ``patient_id, summarizer, coverage``: the share of the patient's key facts
        each summary holds (:func:`radjudge.summary_features.summary_features`;
        only where a ground truth exists - the synthetic cohort). Default None:
        ``length_spearman_given_coverage`` is NaN.

    Returns
    -------
    DataFrame
        ``criterion, n_degenerate, degenerate_mean, ok_mean, length_spearman,
        length_spearman_within, length_spearman_given_coverage``: mean expert
        score over the summaries whose ``flag`` is not ``ok`` and over the
        others; Spearman of the consensus (mean over experts) with the length in
        characters, (1) over all summaries, (2) pooled within summarizer (ranks
        of both centred per summarizer: do longer summaries of the *same* system
        get higher scores?) and (3) over all summaries with the key-fact
        coverage partialled out (:func:`partial_spearman`: does length buy a
        score beyond the content it carries?). (1) mixes a length effect with
        content that grows with length; (2) and (3) separate them.

    Raises
    ------
    ValueError
        A missing column, a rated summary that ``summaries`` (or ``coverage``)
        lacks, or a missing coverage value.
    """
    need = [c for c in ("patient_id", "summarizer", "text", "flag") if c not in summaries.columns]
    need += [c for c in ("patient_id", "summarizer", "criterion", "score") if c not in ratings]
    if coverage is not None:
        need += [
            f"coverage.{c}"
            for c in ("patient_id", "summarizer", "coverage")
            if c not in coverage.columns
        ]
    if need:
        raise ValueError(f"panel_behaviour: missing column(s) {need}")
    info = summaries[["patient_id", "summarizer", "text", "flag"]].assign(
        length=lambda d: d["text"].fillna("").str.strip().str.len().astype(float)
    )
    if coverage is not None:
        info = info.merge(
            coverage[["patient_id", "summarizer", "coverage"]],
            on=["patient_id", "summarizer"],
            how="left",
            validate="one_to_one",
        )
        if info["coverage"].isna().any():
            ex = info.loc[info["coverage"].isna(), ["patient_id", "summarizer"]].head(3)
            raise ValueError(
                f"panel_behaviour: no key-fact coverage for summar(ies) {ex.to_dict('records')}; "
                "pass the features of every summary, or coverage=None where no ground truth exists"
            )
    cons = (
        ratings.assign(score=ratings["score"].astype("Float64").astype(float))
        .groupby(["criterion", "patient_id", "summarizer"], sort=True)["score"]
        .agg(["mean", "sum", "count"])
        .reset_index()
        .merge(info, on=["patient_id", "summarizer"], how="left", validate="many_to_one")
    )
    if cons["flag"].isna().any():
        ex = cons.loc[cons["flag"].isna(), ["patient_id", "summarizer"]].head(3).to_dict("records")
        raise ValueError(f"summaries lack rated item(s) {ex}: pass the stage-02 table of this run")
    rows = []
    for crit, g in cons.groupby("criterion", sort=False):
        deg = g["flag"] != "ok"

        def mean_of(sel: pd.Series, g: pd.DataFrame = g) -> float:
            n = g.loc[sel, "count"].sum()
            return float(g.loc[sel, "sum"].sum() / n) if n else float("nan")

        centred = g.assign(
            score_rank=g.groupby("summarizer")["mean"].rank(),
            length_rank=g.groupby("summarizer")["length"].rank(),
        )
        for col in ("score_rank", "length_rank"):
            centred[col] -= centred.groupby("summarizer")[col].transform("mean")
        rows.append(
            {
                "criterion": crit,
                "n_degenerate": int(deg.sum()),
                "degenerate_mean": mean_of(deg),
                "ok_mean": mean_of(~deg),
                "length_spearman": rank_correlation(g["mean"], g["length"]),
                "length_spearman_within": float(
                    np.corrcoef(centred["score_rank"], centred["length_rank"])[0, 1]
                ),
                "length_spearman_given_coverage": (
                    partial_spearman(g["mean"], g["length"], g["coverage"])
                    if coverage is not None
                    else float("nan")
                ),
            }
        )
    return pd.DataFrame(rows)
