"""Agreement inside an expert panel: Kendall's W per criterion, overall or per category.

Notebook 03 shows it right after the import of the expert ratings, before any judge ran.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from radjudge.concordance.kendall import kendall_w

__all__ = ["panel_agreement"]


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
