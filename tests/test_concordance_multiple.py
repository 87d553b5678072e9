"""p-value adjustment against statsmodels (an independent implementation) and the definitions."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from radjudge.concordance.multiple import adjust_pvalues


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [("holm", "holm"), ("bh", "fdr_bh"), ("by", "fdr_by"), ("bonferroni", "bonferroni")],
)
def test_matches_statsmodels(ours, theirs):
    rng = np.random.default_rng(0)
    p = np.concatenate([rng.uniform(size=40), rng.uniform(0, 0.01, size=10)])
    expected = multipletests(p, method=theirs)[1]
    np.testing.assert_allclose(adjust_pvalues(p, method=ours), expected, rtol=0, atol=1e-14)


def test_by_rejections_equal_the_step_up_rule():
    # Benjamini & Yekutieli (2001): reject the k smallest, k = max{i: p_(i) <= i q / (m c(m))},
    # c(m) = sum_{j<=m} 1/j (the alt-test reference implementation uses the same rule)
    rng = np.random.default_rng(1)
    p = rng.uniform(0, 0.05, size=12)
    q = 0.05
    m = p.size
    order = np.argsort(p)
    thresholds = np.arange(1, m + 1) / m * q / np.sum(1 / np.arange(1, m + 1))
    below = np.flatnonzero(p[order] <= thresholds)
    expected = set(order[: below.max() + 1]) if below.size else set()
    assert set(np.flatnonzero(adjust_pvalues(p, method="by") <= q)) == expected


def test_nan_is_left_out_of_the_family_and_shape_is_kept():
    p = np.array([[0.01, np.nan], [0.04, 0.03]])
    out = adjust_pvalues(p, method="holm")
    assert out.shape == (2, 2) and np.isnan(out[0, 1])
    np.testing.assert_allclose(out[~np.isnan(p)], adjust_pvalues([0.01, 0.04, 0.03], method="holm"))
    assert np.isnan(adjust_pvalues([np.nan, np.nan])).all()


def test_none_and_caps():
    assert adjust_pvalues([0.2, 0.9], method="none").tolist() == [0.2, 0.9]
    assert adjust_pvalues([0.6, 0.9], method="bonferroni").tolist() == [1.0, 1.0]


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="method"):
        adjust_pvalues([0.1], method="sidak")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        adjust_pvalues([1.2])
