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


def test_partial_spearman_equals_pingouin_with_ties():
    """The reference is pingouin's partial_corr(method="spearman") (Vallat 2018, JOSS 3(31))."""
    import pingouin as pg

    from radjudge.concordance.panel import partial_spearman

    rng = np.random.default_rng(7)
    c = rng.integers(0, 6, 60).astype(float)  # ties in every variable
    x = np.round(c + rng.normal(0, 1.5, 60))
    y = np.round(2 * c + rng.normal(0, 2.0, 60))
    ref = pg.partial_corr(
        pd.DataFrame({"x": x, "y": y, "c": c}), x="x", y="y", covar="c", method="spearman"
    )["r"].iloc[0]
    assert partial_spearman(x, y, c) == pytest.approx(ref, abs=1e-12)


def test_partial_spearman_refuses_nan_and_flags_undefined():
    from radjudge.concordance.kendall import UndefinedStatisticWarning
    from radjudge.concordance.panel import partial_spearman

    with pytest.raises(ValueError, match="must not contain NaN"):
        partial_spearman([1, 2, np.nan, 4], [1, 2, 3, 4], [1, 2, 3, 4])
    with pytest.raises(ValueError, match="1-d of one length"):
        partial_spearman([1, 2, 3, 4], [1, 2, 3], [1, 2, 3, 4])
    with pytest.warns(UndefinedStatisticWarning, match="monotone function"):
        # x is the covariate itself: nothing is left once it is partialled out
        assert np.isnan(partial_spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5], [1, 2, 3, 4, 5]))


def test_length_beyond_content_separates_a_length_rater_from_a_content_rater():
    """Content grows with length (as in the demo summaries); one panel rates the content, the
    other the length. Pooled, both correlate with length; with the coverage partialled out only
    the length rater does - the estimand notebook 03 holds the simulated panel to."""
    from radjudge.concordance.panel import panel_behaviour

    rng = np.random.default_rng(3)
    n = 120
    length = rng.uniform(50, 700, n)
    cover = np.clip(length / 700 + rng.normal(0, 0.2, n), 0, 1)  # content tracks length
    summaries = pd.DataFrame(
        {
            "patient_id": [f"P{i}" for i in range(n)],
            "summarizer": "s",
            "text": ["ж" * int(v) for v in length],
            "flag": "ok",
        }
    )
    coverage = summaries[["patient_id", "summarizer"]].assign(coverage=cover)
    got = {}
    for rater, latent in (("content", cover), ("length", length / 700)):
        score = np.clip(np.round(1 + 4 * latent + rng.normal(0, 0.3, n)), 1, 5)
        ratings = summaries[["patient_id", "summarizer"]].assign(
            expert_id="E1", criterion="completeness", score=score
        )
        got[rater] = panel_behaviour(ratings, summaries, coverage=coverage).iloc[0]
    assert got["content"]["length_spearman"] > 0.6 and got["length"]["length_spearman"] > 0.6
    assert got["content"]["length_spearman_given_coverage"] < 0.2
    assert got["length"]["length_spearman_given_coverage"] > 0.5
    with pytest.raises(ValueError, match="no key-fact coverage"):
        panel_behaviour(ratings, summaries, coverage=coverage.iloc[1:])
