"""Kendall's W against published references (R irr, pingouin) and independent implementations."""

from __future__ import annotations

import itertools
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin
import pytest
from scipy import stats

from radjudge.concordance import kendall
from radjudge.concordance.kendall import UndefinedStatisticWarning, kendall_w, midranks

# R package irr, data set `anxiety` (20 subjects rated by 3 raters, 1-6). The values are
# printed in the documentation of DescTools::KendallW, which took kendall() over from irr
# unchanged: https://andrisignorell.github.io/DescTools/reference/KendallW.html
ANXIETY = np.column_stack(
    [
        [3, 3, 3, 4, 5, 5, 2, 3, 5, 2, 2, 6, 1, 5, 2, 2, 1, 2, 4, 3],
        [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4],
        [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2],
    ]
).astype(float)

# pingouin.friedman documentation example (wine tasting: 12 tasters rate 3 wines); pingouin
# 0.7 docstring: W = 0.083333, Q = 2.0, p = 0.367879; method="f": p = 0.378959.
WINE = pd.DataFrame(
    {
        "white": [10, 8, 7, 9, 7, 4, 5, 6, 5, 10, 4, 7],
        "red": [7, 5, 8, 6, 5, 7, 9, 6, 4, 6, 7, 3],
        "rose": [8, 5, 6, 4, 7, 5, 3, 7, 6, 4, 4, 3],
    }
)


def test_irr_anxiety_tie_corrected():
    # irr::kendall(anxiety, correct = TRUE): Wt = 0.5397, Chisq(19) = 30.76, p = 0.0429
    res = kendall_w(ANXIETY)
    assert res.w == pytest.approx(0.5397, abs=5e-5)
    assert res.chi2 == pytest.approx(30.76, abs=5e-3)
    assert res.df == 19
    assert res.pvalue == pytest.approx(0.0429, abs=5e-5)
    assert (res.n_items, res.n_raters, res.n_dropped) == (20, 3, 0)


def test_irr_anxiety_equals_the_friedman_test():
    # the tie-corrected chi-square is the Friedman statistic with raters as blocks
    res = kendall_w(ANXIETY)
    fried = stats.friedmanchisquare(*ANXIETY)  # one argument per subject (treatment)
    assert res.chi2 == pytest.approx(fried.statistic, rel=1e-12)
    assert res.pvalue == pytest.approx(fried.pvalue, rel=1e-10)


def test_pingouin_friedman_docs_example():
    # the wines are the items, the 12 tasters the raters
    res = kendall_w(WINE.to_numpy().T)
    assert res.w == pytest.approx(0.083333, abs=1e-6)
    assert res.chi2 == pytest.approx(2.0, abs=1e-9)
    assert res.pvalue == pytest.approx(0.367879, abs=1e-6)
    assert kendall_w(WINE.to_numpy().T, method="f").pvalue == pytest.approx(0.378959, abs=1e-6)


def test_matches_pingouin_on_random_data_with_ties():
    rng = np.random.default_rng(5)
    for _ in range(20):
        n, m = rng.integers(3, 30), rng.integers(3, 8)  # pingouin wants >= 3 rows (raters)
        x = rng.integers(1, 5, size=(n, m)).astype(float)
        if np.ptp(x) == 0:
            continue
        ref = pingouin.friedman(pd.DataFrame(x.T))
        res = kendall_w(x)
        assert res.w == pytest.approx(ref["W"].iat[0], abs=1e-12)
        assert res.chi2 == pytest.approx(ref["Q"].iat[0], abs=1e-9)


def test_uncorrected_w_uses_midranks_and_the_plain_denominator():
    x = ANXIETY
    ranks = stats.rankdata(x, axis=0)
    n, m = x.shape
    s = ((ranks.sum(axis=1) - m * (n + 1) / 2) ** 2).sum()
    assert kendall_w(x, correct_ties=False).w == pytest.approx(
        12 * s / (m**2 * (n**3 - n)), rel=1e-12
    )
    # ties make the correction raise W
    assert kendall_w(x).w > kendall_w(x, correct_ties=False).w


def test_perfect_agreement_and_two_rater_identity_with_spearman():
    x = np.column_stack([np.arange(10.0), np.arange(10.0) * 3 + 1])
    assert kendall_w(x).w == pytest.approx(1.0)
    rng = np.random.default_rng(1)
    y = rng.normal(size=(40, 2))
    rho = stats.spearmanr(y[:, 0], y[:, 1]).statistic
    assert kendall_w(y).w == pytest.approx((1 + rho) / 2, abs=1e-12)


def test_missing_ratings_drop_the_item_listwise_and_are_counted():
    x = ANXIETY.copy()
    x[[2, 7], [0, 2]] = np.nan
    res = kendall_w(x)
    ref = kendall_w(np.delete(ANXIETY, [2, 7], axis=0))
    assert res.w == pytest.approx(ref.w, abs=1e-14)
    assert (res.n_items, res.n_dropped, res.df) == (18, 2, 17)


def test_batch_equals_one_by_one():
    rng = np.random.default_rng(2)
    x = rng.integers(1, 6, size=(4, 3, 15, 3)).astype(float)
    x[0, 1, 4, 2] = np.nan
    res = kendall_w(x)
    assert res.w.shape == (4, 3) and res.n_items.shape == (4, 3)
    for i, j in itertools.product(range(4), range(3)):
        one = kendall_w(x[i, j])
        assert res.w[i, j] == pytest.approx(one.w, abs=1e-14)
        assert res.pvalue[i, j] == pytest.approx(one.pvalue, abs=1e-14)
        assert res.n_items[i, j] == one.n_items


def test_constant_ratings_give_nan_with_a_warning():
    with pytest.warns(UndefinedStatisticWarning, match="undefined for 1 of 1"):
        res = kendall_w(np.full((5, 3), 2.0))
    assert np.isnan(res.w) and np.isnan(res.pvalue)
    with pytest.warns(UndefinedStatisticWarning, match="1 of 2"):
        batch = kendall_w(np.stack([np.full((5, 2), 1.0), ANXIETY[:5, :2]]))
    assert np.isnan(batch.w[0]) and np.isfinite(batch.w[1])


def test_one_constant_rater_is_defined():
    # a judge that always answers the same is at chance level with two raters
    x = np.column_stack([np.arange(8.0), np.full(8, 3.0)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert kendall_w(x).w == pytest.approx(0.5)


def test_permutation_pvalue_matches_the_exact_distribution():
    x = np.array([[1, 2], [2, 1], [3, 4], [4, 3], [5, 5]], dtype=float)
    observed = kendall_w(x).w
    perms = [
        kendall_w(np.column_stack([x[:, 0], x[list(p), 1]])).w
        for p in itertools.permutations(range(5))
    ]
    exact = np.mean(np.array(perms) >= observed - 1e-12)
    res = kendall_w(x, method="permutation", n_permutations=20000, seed=3)
    assert res.pvalue == pytest.approx(exact, abs=0.01)
    again = kendall_w(x, method="permutation", n_permutations=20000, seed=3)
    assert again.pvalue == res.pvalue


def test_f_approximation_holds_its_level_for_two_raters_where_chisq_does_not():
    # null simulation: independent raters, 60 items, 2000 replicates (seeded)
    rng = np.random.default_rng(11)
    x = rng.normal(size=(2000, 60, 2))
    f = kendall_w(x, method="f").pvalue
    chisq = kendall_w(x, method="chisq").pvalue
    assert 0.035 < np.mean(f < 0.05) < 0.065
    assert np.mean(chisq < 0.05) < 0.02


def test_midranks_average_ties():
    r = midranks(np.array([[3.0], [1.0], [3.0], [2.0]]), np.ones(4, bool))
    assert r[:, 0].tolist() == [3.5, 1.0, 3.5, 2.0]


@pytest.mark.parametrize(
    ("ratings", "match"),
    [
        (np.arange(5.0), "shape"),
        (np.ones((5, 1)), "at least 2 raters"),
        (np.array([[1.0, np.inf], [2.0, 3.0]]), "infinite"),
        (np.array([[1.0, -np.inf], [2.0, 3.0], [np.nan, 1.0]]), "infinite"),  # with a NaN
        (np.array([[1.5, np.inf], [2.0, 3.0]]), "infinite"),  # fractional
    ],
)
def test_bad_input_is_refused(ratings, match):
    with pytest.raises(ValueError, match=match):
        kendall_w(ratings)


def test_bad_method_is_refused():
    with pytest.raises(ValueError, match="method"):
        kendall_w(ANXIETY, method="exact")


# Outputs of kendall_w as of commit cf508ea (sort-based, before the counting path), on
# random integer and non-integer batches with ties and missing ratings; inputs and
# outputs are regenerated by tests/data/kendall_reference/make_reference.py.
REFERENCE = Path(__file__).parent / "data" / "kendall_reference" / "kendall_w_cf508ea.npz"


@pytest.fixture(scope="module")
def reference():
    with np.load(REFERENCE) as data:
        return {k: data[k] for k in data.files}


@pytest.mark.parametrize("chunk_cells", [None, 100])
def test_equals_the_sort_based_implementation_it_replaced(reference, monkeypatch, chunk_cells):
    if chunk_cells is not None:  # many chunks: integer and fractional chunks side by side
        monkeypatch.setattr(kendall, "_CHUNK_CELLS", chunk_cells)
    names = sorted({key.split("/")[0] for key in reference})
    assert len(names) == 7
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedStatisticWarning)
        for name in names:
            x = reference[f"{name}/ratings"]
            for correct in (True, False):
                tag = f"{name}/ties={int(correct)}"
                res = kendall_w(x, correct_ties=correct)
                for field in ("w", "chi2", "pvalue"):
                    np.testing.assert_allclose(
                        getattr(res, field), reference[f"{tag}/{field}"], rtol=1e-12, atol=1e-12
                    )
                np.testing.assert_array_equal(res.n_items, reference[f"{tag}/n_items"])
                np.testing.assert_array_equal(res.n_dropped, reference[f"{tag}/n_dropped"])
                np.testing.assert_allclose(
                    kendall_w(x, correct_ties=correct, method="f").pvalue,
                    reference[f"{tag}/pvalue_f"],
                    rtol=1e-12,
                    atol=1e-12,
                )
            perm = kendall_w(x, method="permutation", n_permutations=199, seed=7)
            np.testing.assert_array_equal(perm.pvalue, reference[f"{name}/pvalue_permutation"])


def test_the_reference_exercises_both_rank_paths(reference):
    counted = {
        name: kendall._sums_by_counting(
            reference[f"{name}/ratings"].reshape(-1, *reference[f"{name}/ratings"].shape[-2:]),
            True,
        )
        is not None
        for name in sorted({key.split("/")[0] for key in reference})
    }
    assert counted == {
        "continuous": False,
        "fractional": False,
        "int5": True,
        "int_offset": True,
        "int_wide": True,
        "mixed": False,
        "single": True,
    }


def _random_integer_batch(rng):
    shape = (int(rng.integers(1, 40)), int(rng.integers(1, 30)), int(rng.integers(2, 7)))
    low = int(rng.integers(-5, 5))
    x = rng.integers(low, low + int(rng.integers(1, 12)), size=shape).astype(float)
    x[rng.random(shape) < rng.choice([0.0, 0.02, 0.3])] = np.nan
    if rng.random() < 0.2:
        x[rng.integers(shape[0])] = np.nan  # a matrix without any complete item
    return x


@pytest.mark.parametrize("correct_ties", [True, False])
def test_counting_equals_sorting_on_random_integer_batches(correct_ties):
    rng = np.random.default_rng(16)
    for _ in range(300):
        x = _random_integer_batch(rng)
        counted = kendall._sums_by_counting(x, correct_ties)
        if np.isnan(x).any(axis=-1).all():
            assert counted is None  # nothing to count: the sort path handles it
            continue
        assert counted is not None
        sorted_ = kendall._sums_by_sorting(x, correct_ties)
        for got, want in zip(counted, sorted_, strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_counting_declines_fractional_and_wide_ranges():
    x = np.tile(np.arange(10.0)[:, None], (1, 1, 3))  # one matrix: (1, 10, 3)
    assert kendall._sums_by_counting(x, True) is not None
    assert kendall._sums_by_counting(x + 0.5, True) is None
    wide = x * 1000  # 9001 levels for 10 items
    assert kendall._sums_by_counting(wide, True) is None
    assert kendall_w(wide).w == pytest.approx(1.0)


def test_memory_stays_bounded_by_chunking():
    # 2,000 matrices of 180 x 4 (11.5 MB of float64): the work memory is the chunk's, a few MB
    x = np.random.default_rng(3).integers(1, 6, size=(2000, 180, 4)).astype(float)
    tracemalloc.start()
    try:
        kendall_w(x)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 6e6, f"peak {peak / 1e6:.1f} MB"
