"""Panel agreement: Kendall's W per criterion and per category, on a worked example."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

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


def test_panel_behaviour_on_flagged_summaries_and_length():
    from radjudge.concordance.panel import panel_behaviour

    # two systems; the flagged one is short and scored 1; within each system the longer
    # summary scores lower (so length helps across systems but not within them)
    rows, summaries = [], []
    for p in range(6):
        for summ, flag, base, length in (("good", "ok", 4, 300), ("bad", "degenerate", 1, 40)):
            text = "ж" * (length - 10 * p)
            summaries.append(
                {"patient_id": f"P{p}", "summarizer": summ, "text": text, "flag": flag}
            )
            for e in ("E1", "E2"):
                score = min(5, base + (p % 2 if summ == "good" else 0) + (e == "E2"))
                rows.append(
                    {
                        "expert_id": e,
                        "patient_id": f"P{p}",
                        "summarizer": summ,
                        "criterion": "completeness",
                        "score": score,
                    }
                )
    got = panel_behaviour(pd.DataFrame(rows), pd.DataFrame(summaries)).iloc[0]
    assert got["n_degenerate"] == 6 and got["degenerate_mean"] == pytest.approx(1.5)
    assert got["ok_mean"] == pytest.approx(4.75)  # (4 + 5) and (5 + 5), alternating
    assert got["length_spearman"] > 0.7 and got["length_spearman_within"] < 0.3
    with pytest.raises(ValueError, match="lack rated item"):
        panel_behaviour(pd.DataFrame(rows), pd.DataFrame(summaries[1:]))
