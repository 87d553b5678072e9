"""Panel agreement: Kendall's W per criterion and per category, on a worked example."""

from __future__ import annotations

import numpy as np
import pandas as pd

from radjudge.concordance import panel_agreement
from radjudge.contracts import EXPERT_RATINGS


def tidy(matrix: np.ndarray, *, criterion: str, categories: list[str]) -> pd.DataFrame:
    rows = []
    for i, item in enumerate(matrix):
        for j, v in enumerate(item):
            rows.append((f"E{j}", categories[j], f"P{i}", "m", criterion, 5, v))
    df = pd.DataFrame(rows, columns=list(EXPERT_RATINGS.core))
    df["score"] = pd.array([None if np.isnan(v) else int(v) for v in df["score"]], dtype="Int64")
    return df


def test_worked_example_without_ties():
    """3 raters rank 4 items alike, rater 3 swaps two.

    W = 12 S / (m^2 (n^3 - n)) = 492 / 540 (Kendall 1948).
    """
    m = np.array([[1, 1, 1], [2, 2, 3], [3, 3, 2], [4, 4, 4]], dtype=float)
    # rank sums R = 3, 7, 8, 12; mean 7.5; S = 20.25 + 0.25 + 0.25 + 20.25 = 41
    out = panel_agreement(tidy(m, criterion="completeness", categories=["a", "a", "a"]))
    assert out.loc[0, "w"] == 12 * 41 / (9 * (64 - 4))
    assert out.loc[0, ["n_raters", "n_items", "n_dropped"]].tolist() == [3, 4, 0]


def test_per_category_missing_and_single_rater():
    m = np.array([[1, 1, 5], [2, 2, 1], [3, np.nan, 2], [4, 4, 3]], dtype=float)
    df = tidy(m, criterion="structure", categories=["a", "a", "b"])
    out = panel_agreement(df, by=("expert_category", "criterion")).set_index("expert_category")
    assert (
        out.loc["a", "w"] == 1.0 and out.loc["a", "n_items"] == 3 and out.loc["a", "n_dropped"] == 1
    )
    assert np.isnan(out.loc["b", "w"]) and out.loc["b", "n_raters"] == 1
