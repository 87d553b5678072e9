"""Honest configuration selection: choose by cross-validation over patients, report held-out W.

Picking the configuration (scale, granularity, prompt, ...) with the largest W
and reporting that W overstates how well the tuned judge will work: the maximum
of many noisy estimates is biased upwards. Here the patients are split into
``n_folds`` folds (repeated ``n_repeats`` times with fresh splits); in each fold
the configuration with the largest W on the *training* patients is chosen and
its W is measured on the *held-out* patients. The mean held-out W estimates the
concordance of "the configuration this procedure would pick"; the gap to the
in-sample maximum is the optimism of naive selection.

Patients, not summaries, are split, because the summaries of one patient are
correlated. W on a subset of patients is computed by the same engine as the
bootstrap (0/1 counts), so nothing is re-ranked by hand. Ties in training W go
to the candidate listed first.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from radjudge.concordance.bootstrap import cluster_codes, resampled_kendall_w
from radjudge.concordance.kendall import UndefinedStatisticWarning

__all__ = ["SelectionResult", "patient_folds", "select_by_cross_validation"]


@dataclass(frozen=True)
class SelectionResult:
    """Result of :func:`select_by_cross_validation`.

    Attributes
    ----------
    selected : int
        Index of the candidate with the largest W on all patients (NaN-safe);
        -1 if every candidate's W is undefined.
    in_sample_w : float
        That largest W (optimistic).
    held_out_w : float
        Mean over folds (and repeats) of the held-out W of each fold's choice.
    held_out_sd : float
        Standard deviation of those held-out W.
    n_folds_used : int
        Folds with a defined choice and held-out W.
    selection_frequency : ndarray, shape (n_candidates,)
        Share of folds choosing each candidate (stability of the choice).
    folds : pandas.DataFrame
        ``repeat, fold, n_test_patients, selected, train_w, test_w``.
    """

    selected: int
    in_sample_w: float
    held_out_w: float
    held_out_sd: float
    n_folds_used: int
    selection_frequency: np.ndarray
    folds: pd.DataFrame


def patient_folds(
    n_clusters: int,
    *,
    n_folds: int,
    n_repeats: int = 1,
    seed: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Random fold of each cluster, per repeat.

    Returns
    -------
    ndarray of int, shape (n_repeats, n_clusters)
        Fold 0..n_folds-1 of every cluster; fold sizes differ by at most one.
    """
    if not 2 <= n_folds <= n_clusters:
        raise ValueError(
            f"n_folds must be between 2 and the number of patients ({n_clusters}); got {n_folds}"
        )
    if n_repeats < 1:
        raise ValueError(f"n_repeats must be >= 1; got {n_repeats}")
    rng = np.random.default_rng(seed)
    out = np.empty((n_repeats, n_clusters), dtype=np.intp)
    for r in range(n_repeats):
        out[r, rng.permutation(n_clusters)] = np.arange(n_clusters) % n_folds
    return out


def select_by_cross_validation(
    candidates: object,
    reference: object,
    clusters: object,
    *,
    n_folds: int = 5,
    n_repeats: int = 1,
    seed: int | np.random.Generator | None = None,
    correct_ties: bool = True,
) -> SelectionResult:
    """Choose the candidate configuration with the largest W, cross-validated over patients.

    Parameters
    ----------
    candidates : array_like, shape (n_candidates, n_items)
        Each candidate configuration's rating of every item (NaN = missing).
    reference : array_like, shape (n_items,) or (n_items, n_reference)
        The reference rater(s) - e.g. the expert consensus; W is computed on
        ``[reference, candidate]``.
    clusters : array_like, shape (n_items,)
        Patient of each item.
    n_folds : int, default 5
    n_repeats : int, default 1
        Repetitions of the fold split (fresh random split each time).
    seed : int, Generator or None
    correct_ties : bool, default True

    Returns
    -------
    SelectionResult
    """
    cand = np.asarray(candidates, dtype=float)
    ref = np.asarray(reference, dtype=float)
    if ref.ndim == 1:
        ref = ref[:, None]
    if cand.ndim != 2 or ref.ndim != 2 or cand.shape[1] != ref.shape[0]:
        raise ValueError(
            "candidates must have shape (n_candidates, n_items) and reference (n_items[, k]); "
            f"got {cand.shape} and {ref.shape}"
        )
    codes, n_clusters = cluster_codes(clusters)
    if codes.shape[0] != ref.shape[0]:
        raise ValueError(f"clusters has {codes.shape[0]} labels for {ref.shape[0]} items")
    folds = patient_folds(n_clusters, n_folds=n_folds, n_repeats=n_repeats, seed=seed)
    design = np.concatenate(
        [np.broadcast_to(ref, (cand.shape[0], *ref.shape)), cand[:, :, None]], axis=2
    )
    # rows: (repeat, fold) pairs; columns: clusters
    test = np.concatenate(
        [(folds[r][None, :] == np.arange(n_folds)[:, None]) for r in range(n_repeats)]
    )
    test = test.astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedStatisticWarning)
        full = resampled_kendall_w(
            design, clusters, np.ones((1, n_clusters)), correct_ties=correct_ties
        )[:, 0]
        w_train = resampled_kendall_w(design, clusters, 1.0 - test, correct_ties=correct_ties)
        w_test = resampled_kendall_w(design, clusters, test, correct_ties=correct_ties)

    rows = []
    freq = np.zeros(cand.shape[0])
    for k in range(test.shape[0]):
        col = w_train[:, k]
        choice = int(np.nanargmax(col)) if np.isfinite(col).any() else -1
        test_w = float(w_test[choice, k]) if choice >= 0 else np.nan
        if choice >= 0 and np.isfinite(test_w):
            freq[choice] += 1
        rows.append(
            {
                "repeat": k // n_folds,
                "fold": k % n_folds,
                "n_test_patients": int(test[k].sum()),
                "selected": choice,
                "train_w": float(col[choice]) if choice >= 0 else np.nan,
                "test_w": test_w,
            }
        )
    table = pd.DataFrame(rows)
    held = table["test_w"].to_numpy(dtype=float)
    used = int(np.isfinite(held).sum())
    if used == 0:
        warnings.warn(
            "no fold gave a defined held-out W; held_out_w is NaN",
            UndefinedStatisticWarning,
            stacklevel=2,
        )
    selected = int(np.nanargmax(full)) if np.isfinite(full).any() else -1
    return SelectionResult(
        selected=selected,
        in_sample_w=float(full[selected]) if selected >= 0 else float("nan"),
        held_out_w=float(np.nanmean(held)) if used else float("nan"),
        held_out_sd=float(np.nanstd(held, ddof=1)) if used > 1 else float("nan"),
        n_folds_used=used,
        selection_frequency=freq / max(used, 1),
        folds=table,
    )
