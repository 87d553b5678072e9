"""Cross-validated configuration choice: patient folds, held-out W, optimism of a naive choice."""

from __future__ import annotations

import numpy as np
import pytest

from radjudge.concordance.kendall import kendall_w
from radjudge.concordance.selection import patient_folds, select_by_cross_validation


def test_patient_folds_partition_the_patients():
    folds = patient_folds(23, n_folds=5, n_repeats=3, seed=0)
    assert folds.shape == (3, 23)
    for row in folds:
        sizes = np.bincount(row, minlength=5)
        assert sizes.sum() == 23 and sizes.max() - sizes.min() <= 1
    assert not np.array_equal(folds[0], folds[1])  # fresh split per repeat
    with pytest.raises(ValueError, match="n_folds"):
        patient_folds(3, n_folds=4)


def _data(seed, n_patients=30, per=6, noises=(0.3, 1.0, 3.0)):
    rng = np.random.default_rng(seed)
    truth = rng.normal(size=n_patients * per)
    reference = truth + rng.normal(scale=0.3, size=truth.size)
    candidates = np.stack([truth + rng.normal(scale=s, size=truth.size) for s in noises])
    clusters = np.repeat(np.arange(n_patients), per)
    return candidates, reference, clusters


def test_the_best_candidate_is_chosen_and_scored_on_held_out_patients():
    cand, ref, clusters = _data(0)
    res = select_by_cross_validation(cand, ref, clusters, n_folds=5, n_repeats=2, seed=1)
    assert res.selected == 0
    assert res.selection_frequency[0] == 1.0
    assert res.in_sample_w == pytest.approx(kendall_w(np.column_stack([ref, cand[0]])).w)
    assert res.folds.shape[0] == 10 and res.n_folds_used == 10
    # the held-out W of each fold is W on that fold's patients only
    folds = patient_folds(30, n_folds=5, n_repeats=2, seed=1)
    first = res.folds.iloc[0]
    test_items = np.isin(clusters, np.flatnonzero(folds[0] == first["fold"]))
    expected = kendall_w(np.column_stack([ref, cand[int(first["selected"])]])[test_items]).w
    assert first["test_w"] == pytest.approx(expected, abs=1e-12)
    assert res.held_out_w == pytest.approx(res.folds["test_w"].mean())


def test_naive_selection_is_optimistic_under_the_null():
    # 20 candidates of equal (no) skill: the in-sample maximum overstates what the choice achieves
    rng = np.random.default_rng(3)
    ref = rng.normal(size=120)
    cand = rng.normal(size=(20, 120))
    clusters = np.repeat(np.arange(20), 6)
    res = select_by_cross_validation(cand, ref, clusters, n_folds=5, n_repeats=5, seed=4)
    assert res.in_sample_w - res.held_out_w > 0.05
    assert abs(res.held_out_w - 0.5) < 0.05  # chance level of two raters


def test_missing_values_and_undefined_candidates():
    cand, ref, clusters = _data(5)
    cand = np.vstack([cand, np.full(cand.shape[1], np.nan)])  # a configuration that never answered
    cand[1, :20] = np.nan
    res = select_by_cross_validation(cand, ref, clusters, n_folds=3, seed=6)
    assert res.selected == 0 and res.selection_frequency[-1] == 0


def test_shapes_are_checked():
    cand, ref, clusters = _data(7)
    with pytest.raises(ValueError, match="candidates"):
        select_by_cross_validation(cand[0], ref, clusters)
    with pytest.raises(ValueError, match="clusters"):
        select_by_cross_validation(cand, ref, clusters[:-1])
