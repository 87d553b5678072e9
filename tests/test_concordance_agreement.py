"""Sensitivity statistics vs published worked examples (Shrout & Fleiss, Krippendorff, irrCAC)."""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pingouin
import pytest
from scipy import stats
from sklearn.metrics import cohen_kappa_score

from radjudge.concordance.agreement import (
    gwet_ac,
    icc,
    krippendorff_alpha,
    rank_correlation,
    weighted_kappa,
)
from radjudge.concordance.kendall import UndefinedStatisticWarning

# Shrout & Fleiss (1979), Psychological Bulletin 86:420, Table 2: 6 targets x 4 judges;
# Table 4 gives ICC(1,1) .17, ICC(2,1) .29, ICC(3,1) .71, ICC(1,4) .44, ICC(2,4) .62, ICC(3,4) .91
# (also the example of R psych::ICC).
SHROUT_FLEISS = np.array(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
)

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C: 4 observers x 12
# units with missing values; alpha = 0.743 nominal, 0.815 ordinal, 0.849 interval, 0.797 ratio.
NAN = np.nan
KRIPPENDORFF_2011 = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    ]
).T

# irrCAC (Gwet 2014) data set cont3x3abstractors: 100 pregnancies classified by 2 abstractors
# (Ectopic / AIU / NIU). CRAN vignettes "overview" and "weighting" of irrCAC give:
# Cohen's kappa 0.7964094 (quadratic weights 0.8921569), Gwet's AC1 0.8493305 (AC2 quadratic
# 0.9402369).
ABSTRACTORS = np.array([[13, 0, 0], [0, 20, 7], [0, 4, 56]])


def _raw(table):
    rows, cols = np.nonzero(table)
    counts = table[rows, cols]
    return np.repeat(rows + 1, counts).astype(float), np.repeat(cols + 1, counts).astype(float)


def test_icc_shrout_fleiss_table_4():
    r = icc(SHROUT_FLEISS)
    got = [r.icc1, r.icc_a1, r.icc_c1, r.icc1k, r.icc_ak, r.icc_ck]
    assert [round(v, 2) for v in got] == [0.17, 0.29, 0.71, 0.44, 0.62, 0.91]
    assert r.n_items == 6


@pytest.mark.filterwarnings("ignore:The inplace keyword")  # pingouin's own pandas usage
def test_icc_equals_pingouin_on_random_data():
    rng = np.random.default_rng(3)
    for _ in range(5):
        n, k = rng.integers(5, 40), rng.integers(2, 6)
        x = rng.normal(size=(n, 1)) + rng.normal(scale=0.8, size=(n, k)) + rng.normal(size=k)
        long = pd.DataFrame(
            {
                "item": np.repeat(np.arange(n), k),
                "rater": np.tile(np.arange(k), n),
                "score": x.ravel(),
            }
        )
        ref = pingouin.intraclass_corr(long, targets="item", raters="rater", ratings="score")
        ref = dict(zip(ref["Type"], ref["ICC"], strict=True))
        r = icc(x)
        got = [r.icc1, r.icc_a1, r.icc_c1, r.icc1k, r.icc_ak, r.icc_ck]
        want = [
            ref[t] for t in ("ICC(1,1)", "ICC(A,1)", "ICC(C,1)", "ICC(1,k)", "ICC(A,k)", "ICC(C,k)")
        ]
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_icc_drops_incomplete_items_and_flags_constant_data():
    x = SHROUT_FLEISS.astype(float)
    x[0, 1] = np.nan
    assert icc(x).n_items == 5
    assert icc(x).icc_c1 == pytest.approx(icc(SHROUT_FLEISS[1:]).icc_c1)
    with pytest.warns(UndefinedStatisticWarning):
        assert np.isnan(icc(np.ones((5, 2))).icc_a1)


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_worked_example(level, expected):
    assert krippendorff_alpha(KRIPPENDORFF_2011, level=level) == pytest.approx(expected, abs=5e-4)


def test_closed_form_interval_alpha_equals_the_package():
    rng = np.random.default_rng(4)
    for _ in range(5):
        x = rng.normal(size=(60, 1)) + rng.normal(
            scale=0.7, size=(60, 3)
        )  # continuous: many values
        x[rng.random(x.shape) < 0.15] = np.nan
        ref = krippendorff.alpha(reliability_data=x.T, level_of_measurement="interval")
        assert krippendorff_alpha(x, level="interval") == pytest.approx(ref, abs=1e-12)


def test_krippendorff_constant_data_is_undefined():
    with pytest.warns(UndefinedStatisticWarning):
        assert np.isnan(krippendorff_alpha(np.full((6, 2), 3.0)))


def test_kappa_and_ac_reproduce_irrcac():
    a, b = _raw(ABSTRACTORS)
    assert weighted_kappa(a, b, weights="none") == pytest.approx(0.7964094, abs=5e-8)
    assert weighted_kappa(a, b, weights="quadratic") == pytest.approx(0.8921569, abs=5e-8)
    assert gwet_ac(a, b) == pytest.approx(0.8493305, abs=5e-8)
    assert gwet_ac(a, b, weights="quadratic") == pytest.approx(0.9402369, abs=5e-8)


@pytest.mark.parametrize("weights", ["linear", "quadratic"])
def test_weighted_kappa_matches_scikit_learn(weights):
    rng = np.random.default_rng(0)
    a = rng.integers(1, 6, 200)
    b = np.clip(a + rng.integers(-2, 3, 200), 1, 5)
    ours = weighted_kappa(a, b, weights=weights, categories=[1, 2, 3, 4, 5])
    assert ours == pytest.approx(cohen_kappa_score(a, b, weights=weights), abs=1e-12)


def test_unused_categories_change_ac_but_values_off_the_scale_are_refused():
    a, b = _raw(ABSTRACTORS)
    # q enters Gwet's chance agreement: declaring an unused 4th category changes AC1
    assert gwet_ac(a, b, categories=[1, 2, 3, 4]) != pytest.approx(gwet_ac(a, b))
    with pytest.raises(ValueError, match="not among the categories"):
        weighted_kappa([1.5, 2.0], [1.0, 2.0], categories=[1, 2, 3])


def test_kappa_with_one_category_is_undefined():
    with pytest.warns(UndefinedStatisticWarning):
        assert np.isnan(weighted_kappa([2, 2, 2], [2, 2, 2], categories=[1, 2, 3]))


def test_rank_correlation_pooled():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=50), rng.normal(size=50)
    y[3] = np.nan
    keep = ~np.isnan(y)
    assert rank_correlation(x, y) == pytest.approx(stats.spearmanr(x[keep], y[keep]).statistic)
    assert rank_correlation(x, y, method="kendall") == pytest.approx(
        stats.kendalltau(x[keep], y[keep]).statistic
    )
    with pytest.warns(UndefinedStatisticWarning):
        assert np.isnan(rank_correlation([1, 1, 1], [1, 2, 3]))
