"""The cluster bootstrap engine: exact against explicit resampling, intervals against scipy."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats

from radjudge.concordance.bootstrap import (
    bootstrap_interval,
    cluster_bootstrap_w,
    cluster_codes,
    jackknife_counts,
    resample_counts,
    resampled_kendall_w,
)
from radjudge.concordance.kendall import UndefinedStatisticWarning, kendall_w


def _expanded_w(x, codes, counts_row, correct_ties=True):
    """W of the data set in which every item of cluster p appears counts_row[p] times."""
    rows = np.concatenate([np.flatnonzero(codes == p).repeat(c) for p, c in enumerate(counts_row)])
    if rows.size < 2:
        return np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedStatisticWarning)
        return kendall_w(x[rows], correct_ties=correct_ties).w


@pytest.mark.parametrize("correct_ties", [True, False])
def test_resampled_w_equals_kendall_w_on_the_expanded_data(correct_ties):
    rng = np.random.default_rng(0)
    for trial in range(5):
        sizes = rng.integers(1, 6, size=9)  # unequal clusters
        labels = np.repeat([f"P{i}" for i in range(9)], sizes)
        labels = labels[rng.permutation(labels.size)]  # items of a patient need not be adjacent
        n = labels.size
        x = np.column_stack(
            [
                rng.integers(1, 6, n),  # integer scores: many ties
                rng.integers(1, 4, n),
                rng.normal(size=n),  # continuous: no ties
            ]
        ).astype(float)
        x[rng.integers(0, n, 2), rng.integers(0, 3, 2)] = np.nan
        codes, n_clusters = cluster_codes(labels)
        counts = np.vstack(
            [resample_counts(n_clusters, n_boot=60, seed=trial), jackknife_counts(n_clusters)]
        )
        fast = resampled_kendall_w(x, labels, counts, correct_ties=correct_ties)
        slow = np.array([_expanded_w(x, codes, c, correct_ties) for c in counts])
        np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-12)


def test_batch_and_subset_counts():
    rng = np.random.default_rng(1)
    labels = np.repeat(np.arange(6), 4)
    x = rng.integers(1, 5, size=(3, 24, 2)).astype(float)
    subset = np.array([[1, 1, 0, 0, 1, 0]])
    out = resampled_kendall_w(x, labels, subset)
    assert out.shape == (3, 1)
    keep = np.isin(labels, [0, 1, 4])
    for g in range(3):
        assert out[g, 0] == pytest.approx(kendall_w(x[g][keep]).w, abs=1e-12)


def test_counts_of_one_reproduce_w():
    rng = np.random.default_rng(2)
    x = rng.integers(1, 6, size=(30, 4)).astype(float)
    labels = np.repeat(np.arange(10), 3)
    assert resampled_kendall_w(x, labels, np.ones((1, 10)))[0] == pytest.approx(
        kendall_w(x).w, abs=1e-13
    )


def test_resample_counts_and_jackknife_counts():
    c = resample_counts(7, n_boot=500, seed=3)
    assert c.shape == (500, 7) and (c.sum(axis=1) == 7).all()
    assert np.array_equal(c, resample_counts(7, n_boot=500, seed=3))
    assert abs(c.mean() - 1) < 0.05
    assert np.array_equal(jackknife_counts(3), 1 - np.eye(3, dtype=int))


def test_cluster_codes_follow_first_appearance():
    codes, n = cluster_codes(["b", "b", "a", "c", "a"])
    assert codes.tolist() == [0, 0, 1, 2, 1] and n == 3


@pytest.mark.parametrize("method", ["BCa", "percentile"])
def test_interval_equals_scipy_bootstrap_given_the_same_replicates(method):
    # iid data = clusters of size one; the statistic is the (skewed) mean
    rng = np.random.default_rng(4)
    data = rng.exponential(size=40)
    res = stats.bootstrap((data,), np.mean, n_resamples=999, method=method, rng=5)
    jack = np.array([np.delete(data, i).mean() for i in range(data.size)])
    low, high = bootstrap_interval(
        data.mean(),
        res.bootstrap_distribution,
        jackknife=jack,
        method=method.lower(),
        confidence_level=0.95,
    )
    assert low == pytest.approx(res.confidence_interval.low, abs=1e-12)
    assert high == pytest.approx(res.confidence_interval.high, abs=1e-12)


def test_interval_is_vectorized_and_refuses_bca_without_jackknife():
    rng = np.random.default_rng(6)
    boot = rng.normal(size=(3, 500))
    low, high = bootstrap_interval(np.zeros(3), boot, method="percentile", confidence_level=0.9)
    for g in range(3):
        assert low[g] == pytest.approx(np.quantile(boot[g], 0.05))
        assert high[g] == pytest.approx(np.quantile(boot[g], 0.95))
    with pytest.raises(ValueError, match="jackknife"):
        bootstrap_interval(np.zeros(3), boot, method="bca")


def test_degenerate_replicates_give_nan_with_warning():
    # every replicate above the estimate: the BCa bias correction is infinite
    with pytest.warns(UndefinedStatisticWarning):
        low, high = bootstrap_interval(0.0, np.ones(100), jackknife=np.linspace(0, 1, 10))
    assert np.isnan(low) and np.isnan(high)


def test_cluster_bootstrap_w_interval_and_reproducibility():
    rng = np.random.default_rng(7)
    truth = rng.normal(size=90)
    x = np.column_stack([truth + rng.normal(scale=0.7, size=90) for _ in range(3)])
    labels = np.repeat(np.arange(30), 3)
    res = cluster_bootstrap_w(x, labels, n_boot=500, seed=8)
    assert res.ci_low < res.w < res.ci_high
    assert res.replicates.shape == (500,) and res.jackknife.shape == (30,)
    assert res.se == pytest.approx(np.std(res.replicates, ddof=1))
    again = cluster_bootstrap_w(x, labels, n_boot=500, seed=8)
    assert (again.ci_low, again.ci_high) == (res.ci_low, res.ci_high)
    pct = cluster_bootstrap_w(
        x, labels, counts=resample_counts(30, n_boot=500, seed=8), method="percentile"
    )
    assert pct.ci_low == pytest.approx(np.quantile(res.replicates, 0.025))


def test_cluster_bootstrap_is_wider_than_an_item_bootstrap_when_patients_matter():
    # a strong patient effect shared by both raters: items of a patient are not independent
    rng = np.random.default_rng(9)
    patient = np.repeat(rng.normal(scale=2.0, size=20), 6)
    x = np.column_stack([patient + rng.normal(size=120), patient + rng.normal(size=120)])
    labels = np.repeat(np.arange(20), 6)
    clustered = cluster_bootstrap_w(x, labels, n_boot=1000, seed=1, method="percentile")
    naive = cluster_bootstrap_w(x, np.arange(120), n_boot=1000, seed=1, method="percentile")
    assert clustered.se > 1.3 * naive.se


def test_bad_counts_are_refused():
    x = np.ones((4, 2))
    with pytest.raises(ValueError, match="shape"):
        resampled_kendall_w(x, [0, 0, 1, 1], np.ones((3, 3)))
    with pytest.raises(ValueError, match="labels"):
        resampled_kendall_w(x, [0, 1, 1], np.ones((3, 2)))
    with pytest.raises(ValueError, match="non-negative"):
        resampled_kendall_w(x, [0, 0, 1, 1], -np.ones((3, 2)))
