"""Summary-, system- and pooled-level meta-evaluation (radjudge.concordance.metaeval)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from radjudge.concordance import UndefinedStatisticWarning
from radjudge.concordance.metaeval import (
    meta_evaluate,
    per_document_correlation,
    pooled_correlation,
    summary_level_correlation,
    system_level_correlation,
)


def test_summary_level_hand_example():
    # d1: one adjacent swap of 4 -> rho = 1 - 6*2/(4*15) = 0.8, tau = (5 - 1)/6 = 2/3.
    # d2: reversed -> rho = tau = -1.
    # d3: human ties in two pairs -> tau-b = 4/sqrt(6*4) = 2/sqrt(6), rho = 4/sqrt(5*4) = 2/sqrt(5).
    metric = [1, 2, 3, 4] + [4, 3, 2, 1] + [1, 2, 3, 4]
    human = [1, 2, 4, 3] + [1, 2, 3, 4] + [1, 1, 2, 2]
    docs = ["d1"] * 4 + ["d2"] * 4 + ["d3"] * 4
    res = summary_level_correlation(metric, human, docs)
    assert res.spearman == pytest.approx((0.8 - 1 + 2 / math.sqrt(5)) / 3, abs=1e-12)
    assert res.kendall == pytest.approx((2 / 3 - 1 + 2 / math.sqrt(6)) / 3, abs=1e-12)
    assert (res.n_docs, res.n_skipped, res.n_missing) == (3, 0, 0)
    rhos = [0.8, -1, 2 / math.sqrt(5)]
    assert res.spearman_se == pytest.approx(np.std(rhos, ddof=1) / math.sqrt(3), abs=1e-12)


def test_constant_documents_are_skipped_and_counted_by_reason():
    metric = [1, 2, 3] + [1, 2, 3] + [5, 5, 5] + [3, 3, 3]
    human = [1, 2, 3] + [2, 2, 2] + [1, 2, 3] + [4, 4, 4]  # d4: both constant -> counted as human
    docs = ["d1"] * 3 + ["d2"] * 3 + ["d3"] * 3 + ["d4"] * 3
    res = summary_level_correlation(metric, human, docs)
    assert (res.spearman, res.kendall) == (1.0, 1.0)
    assert (res.n_docs, res.n_skipped_human, res.n_skipped_metric, res.n_skipped_pairs) == (
        1,
        2,
        1,
        0,
    )
    per = per_document_correlation(metric, human, docs)
    assert per["skipped"].tolist() == ["", "constant_human", "constant_metric", "constant_human"]
    assert per.loc[1:, ["spearman", "kendall"]].isna().all().all()


def test_missing_scores_drop_pairs_not_documents():
    # d1 keeps 3 complete pairs (perfect), d2 keeps 1 -> too few pairs.
    metric = [1, 2, 3, np.nan] + [1, np.nan, 3, 4]
    human = [1, 2, 3, 4] + [1, 2, np.nan, np.nan]
    res = summary_level_correlation(metric, human, ["d1"] * 4 + ["d2"] * 4)
    assert (res.spearman, res.n_docs, res.n_skipped_pairs, res.n_missing) == (1.0, 1, 1, 4)


def test_no_defined_document_is_nan_with_warning():
    with pytest.warns(UndefinedStatisticWarning, match="none of 2 documents"):
        res = summary_level_correlation([1, 2, 1, 2], [3, 3, 4, 4], ["a", "a", "b", "b"])
    assert math.isnan(res.spearman) and math.isnan(res.kendall) and res.n_docs == 0


def test_skipping_constant_documents_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        summary_level_correlation([1, 2, 1, 2], [1, 2, 4, 4], ["a", "a", "b", "b"])


def test_agrees_with_a_scipy_loop():
    # The G-Eval script: scipy per document, skip len(set(.)) <= 1, average.
    rng = np.random.default_rng(7)
    n_docs, n_sys = 40, 16
    human = rng.integers(3, 16, size=(n_docs, n_sys)) / 3  # means of 3 ratings, many ties
    human[3] = 5.0  # a constant document
    metric = human + rng.normal(0, 1.0, size=human.shape)
    metric[5] = 0.25
    docs = np.repeat(np.arange(n_docs), n_sys)
    res = summary_level_correlation(metric.ravel(), human.ravel(), docs)
    rhos, taus = [], []
    for d in range(n_docs):
        if len(set(human[d])) <= 1 or len(set(metric[d])) <= 1:
            continue
        rhos.append(stats.spearmanr(metric[d], human[d]).statistic)
        taus.append(stats.kendalltau(metric[d], human[d]).statistic)
    assert res.n_docs == len(rhos) == n_docs - 2
    assert res.spearman == pytest.approx(np.mean(rhos), abs=1e-12)
    assert res.kendall == pytest.approx(np.mean(taus), abs=1e-12)


def test_system_level_and_pooled():
    # System means (metric, human): A (1.5, 2), B (2.5, 4), C (3.5, 3) -> rho 0.5, tau 1/3.
    metric = [1, 2, 3, 2, 3, 4]
    human = [2, 4, 3, 2, 4, 3]
    res = system_level_correlation(metric, human, list("ABCABC"))
    assert (res.spearman, res.n, res.n_missing) == (0.5, 3, 0)
    assert res.kendall == pytest.approx(1 / 3)
    pooled = pooled_correlation(metric, human)
    assert pooled.spearman == pytest.approx(stats.spearmanr(metric, human).statistic)
    assert pooled.n == 6


def test_meta_evaluate_groups_and_levels():
    df = pd.DataFrame(
        {
            "patient_id": ["p1"] * 3 + ["p2"] * 3,
            "summarizer": ["a", "b", "c"] * 2,
            "judge": [1, 2, 3, 3, 2, 1],
            "expert": [1, 2, 3, 1, 2, 3],
        }
    )
    two = pd.concat([df.assign(criterion="x"), df.assign(criterion="y", judge=df["expert"])])
    # x: the judge's system means are all 2 -> system level undefined (NaN + warning)
    with pytest.warns(UndefinedStatisticWarning, match="system-level"):
        out = meta_evaluate(
            two,
            metric="judge",
            human="expert",
            by=["criterion"],
            levels=("summary", "system", "pooled"),
        )
    assert list(out.columns[:5]) == ["criterion", "level", "spearman", "kendall", "n_docs"]
    x = out[out["criterion"] == "x"].set_index("level")
    y = out[out["criterion"] == "y"].set_index("level")
    assert x.loc["summary", "spearman"] == 0.0 and x.loc["summary", "n_docs"] == 2  # (+1 and -1)/2
    assert math.isnan(x.loc["system", "spearman"])
    assert y.loc["summary", "spearman"] == 1.0 and y.loc["system", "n_units"] == 3
    assert y.loc["pooled", "n_units"] == 6


def test_meta_evaluate_rejects_bad_input():
    df = pd.DataFrame(
        {"patient_id": ["p", "p"], "summarizer": ["a", "a"], "m": [1, 2], "h": [1, 2]}
    )
    with pytest.raises(ValueError, match="duplicated"):
        meta_evaluate(df, metric="m", human="h")
    with pytest.raises(ValueError, match=r"column\(s\) \['score'\]"):
        meta_evaluate(df, metric="score", human="h")
    with pytest.raises(ValueError, match="levels"):
        meta_evaluate(df, metric="m", human="h", levels=("document",))
    with pytest.raises(ValueError, match="equal length"):
        summary_level_correlation([1, 2], [1, 2, 3], ["a", "a"])
    with pytest.raises(ValueError, match="missing label"):
        summary_level_correlation([1, 2], [1, 2], ["a", None])
