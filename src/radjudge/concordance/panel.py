"""Agreement inside an expert panel (Kendall's W per criterion, overall or per category), and
whether the panel behaves like one: how it rates the degenerate summaries and how its scores
follow the summaries' length.

Notebook 03 shows both right after the import of the expert ratings, before any judge ran;
notebook 05 writes the second to ``stats.json`` (``experts.degenerate.*``,
``experts.length_spearman.*``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from radjudge.concordance.agreement import rank_correlation
from radjudge.concordance.kendall import kendall_w

__all__ = ["panel_agreement", "panel_behaviour"]


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


def panel_behaviour(ratings: pd.DataFrame, summaries: pd.DataFrame) -> pd.DataFrame:
    """Per criterion: the panel's mean score on flagged and on ok summaries, and length vs score.

    Parameters
    ----------
    ratings : DataFrame
        The tidy expert table (``patient_id, summarizer, criterion, score``).
    summaries : DataFrame
        The summaries of stage 02 (``patient_id, summarizer, text, flag``).

    Returns
    -------
    DataFrame
        ``criterion, n_degenerate, degenerate_mean, ok_mean, length_spearman,
        length_spearman_within``: mean expert score over the summaries whose
        ``flag`` is not ``ok`` and over the others; Spearman of the consensus
        (mean over experts) with the length in characters, over all summaries
        and pooled within summarizer (ranks of both centred per summarizer:
        do longer summaries of the *same* system get higher scores?).

    Raises
    ------
    ValueError
        A missing column, or a rated summary that ``summaries`` lacks.
    """
    need = [c for c in ("patient_id", "summarizer", "text", "flag") if c not in summaries.columns]
    need += [c for c in ("patient_id", "summarizer", "criterion", "score") if c not in ratings]
    if need:
        raise ValueError(f"panel_behaviour: missing column(s) {need}")
    info = summaries[["patient_id", "summarizer", "text", "flag"]].assign(
        length=lambda d: d["text"].fillna("").str.strip().str.len().astype(float)
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
            }
        )
    return pd.DataFrame(rows)
