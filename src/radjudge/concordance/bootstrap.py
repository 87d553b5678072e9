"""Cluster bootstrap of Kendall's W: resample patients, rank once, batch the rest.

The summaries of one patient are correlated (same record, same experts on the
same day), so the unit of resampling is the patient (cluster), not the summary.
A cluster-bootstrap resample is described by a vector of counts ``c`` (how many
times each patient was drawn); every item of patient ``p`` then appears
``c_p`` times.

Rank once
    The mid-rank of an item inside a resample is linear in the counts:
    ``rank_ij(c) = sum_p c_p M_ijp + 1/2`` with ``M_ijp`` = (number of items of
    patient ``p`` rated below item ``i`` by rater ``j``) + 1/2 (number rated
    equal). ``M`` is computed once per rating matrix; each batch of resamples is
    then one matrix product ``M @ C.T`` plus element-wise work, and the tie
    correction is ``sum (N^3 - N)`` over tie groups whose resampled sizes ``N``
    are again linear in the counts. Nothing is re-sorted per resample, and the
    result equals :func:`~radjudge.concordance.kendall.kendall_w` on the
    explicitly expanded data set (tested to 1e-12).

The same engine gives the jackknife over patients (counts ``1 - e_p``, for the
BCa acceleration) and W on any patient subset (0/1 counts, used by the
cross-validated configuration selection).

Intervals
    ``percentile``: quantiles of the bootstrap replicates. ``bca``: bias-corrected
    and accelerated (Efron & Tibshirani 1993, sec. 14.3), with ``z0`` from the
    replicates and the acceleration from the jackknife over patients; computed
    exactly as :func:`scipy.stats.bootstrap` does for given replicates (tested).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import special, stats
from threadpoolctl import threadpool_limits

from radjudge.checks import check_choice
from radjudge.concordance.kendall import UndefinedStatisticWarning, _as_ratings, kendall_w

__all__ = [
    "BootstrapSettings",
    "BootstrapW",
    "bootstrap_interval",
    "cluster_bootstrap_w",
    "cluster_codes",
    "jackknife_counts",
    "resample_counts",
    "resampled_kendall_w",
]

CIMethod = Literal["percentile", "bca"]

# Work arrays of one chunk stay below this many float64 cells (~64 MB).
_CHUNK_CELLS = 8_000_000


def cluster_codes(clusters: object) -> tuple[np.ndarray, int]:
    """Integer codes 0..P-1 for cluster labels (in order of first appearance), and P.

    >>> cluster_codes(["P2", "P2", "P1"])
    (array([0, 0, 1]), 2)
    """
    labels = np.asarray(clusters)
    if labels.ndim != 1:
        raise ValueError(f"clusters must be 1-D (one label per item); got shape {labels.shape}")
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    order = np.argsort(np.argsort(first))  # relabel by first appearance
    return order[inverse].astype(np.intp), int(first.size)


def resample_counts(
    n_clusters: int, *, n_boot: int, seed: int | np.random.Generator | None = None
) -> np.ndarray:
    """Cluster-bootstrap draws as counts: row ``b`` says how often each cluster was drawn.

    Parameters
    ----------
    n_clusters : int
        Number of clusters (patients) P.
    n_boot : int
        Number of resamples B.
    seed : int, Generator or None

    Returns
    -------
    ndarray of int, shape (n_boot, n_clusters)
        Each row sums to ``n_clusters`` (P draws with replacement).
    """
    if n_clusters < 1 or n_boot < 1:
        raise ValueError(f"need n_clusters >= 1 and n_boot >= 1; got {n_clusters}, {n_boot}")
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_clusters, size=(n_boot, n_clusters))
    counts = np.zeros((n_boot, n_clusters), dtype=np.int64)
    np.add.at(counts, (np.arange(n_boot)[:, None], draws), 1)
    return counts


def jackknife_counts(n_clusters: int) -> np.ndarray:
    """Leave-one-cluster-out counts, shape (n_clusters, n_clusters): ``1 - I``.

    >>> jackknife_counts(3)
    array([[0, 1, 1],
           [1, 0, 1],
           [1, 1, 0]])
    """
    return 1 - np.eye(n_clusters, dtype=np.int64)


@dataclass(frozen=True)
class _Prepared:
    """Per rating matrix: everything a resample needs, computed once."""

    m: int
    rank_basis: (
        np.ndarray
    )  # (n_valid, P), rows grouped by cluster: rank sums = rank_basis @ c + m/2
    segment_starts: np.ndarray  # first row of each cluster's block in rank_basis
    segment_clusters: np.ndarray  # cluster of each block
    items_per_cluster: np.ndarray  # (P,) valid items per cluster
    singletons: np.ndarray  # (P,) items (summed over raters) without a tie in the full data
    tie_groups: np.ndarray  # (K, P) items per cluster of each tie group (any rater), K may be 0


def _prepare(x: np.ndarray, codes: np.ndarray, n_clusters: int, correct_ties: bool) -> _Prepared:
    m = x.shape[1]
    valid = ~np.isnan(x).any(axis=1)
    order = np.argsort(codes[valid], kind="stable")  # group the items by cluster
    xv = x[valid][order]
    cv = codes[valid][order]
    rank_basis = np.zeros((xv.shape[0], n_clusters))
    singletons = np.zeros(n_clusters)
    groups: list[np.ndarray] = []
    for j in range(m):
        # items per (distinct value, cluster); a value's items below it = cumulative sum
        _, level = np.unique(xv[:, j], return_inverse=True)
        per_level = np.zeros((level.max() + 1 if level.size else 0, n_clusters))
        np.add.at(per_level, (level, cv), 1.0)
        below = np.cumsum(per_level, axis=0) - per_level
        rank_basis += below[level] + 0.5 * per_level[level]
        if correct_ties:
            size = per_level.sum(axis=1)
            singletons += per_level[size == 1].sum(axis=0)
            groups.append(per_level[size > 1])
    tie_groups = np.concatenate(groups) if groups else np.zeros((0, n_clusters))
    starts = np.flatnonzero(np.r_[True, cv[1:] != cv[:-1]]) if cv.size else np.zeros(0, np.intp)
    return _Prepared(
        m,
        rank_basis,
        starts,
        cv[starts],
        np.bincount(cv, minlength=n_clusters).astype(float),
        singletons,
        tie_groups,
    )


def _w_for_counts(
    prep: _Prepared, counts_t: np.ndarray, cubes_t: np.ndarray, correct_ties: bool
) -> np.ndarray:
    """W for each column of counts_t (P, B); cubes_t = counts_t**3 - counts_t."""
    m = prep.m
    n_eff = prep.items_per_cluster @ counts_t
    if prep.rank_basis.shape[0] == 0:
        return np.full(counts_t.shape[1], np.nan)
    # S = sum_i w_i R_i^2 - N mu^2, because sum_i w_i R_i = N mu for any counts
    sq = prep.rank_basis @ counts_t
    sq += m / 2.0
    np.square(sq, out=sq)
    per_cluster = np.add.reduceat(sq, prep.segment_starts, axis=0)
    s = np.einsum("pb,pb->b", counts_t[prep.segment_clusters], per_cluster)
    s -= n_eff * (m * (n_eff + 1) / 2.0) ** 2
    denom = m * m * (n_eff**3 - n_eff)
    if correct_ties:
        ties = prep.singletons @ cubes_t
        if prep.tie_groups.shape[0]:
            sizes = prep.tie_groups @ counts_t
            ties = ties + (sizes**3 - sizes).sum(axis=0)
        denom = denom - m * ties
    with np.errstate(divide="ignore", invalid="ignore"):
        # S is a sum of squares: clip the rounding of the subtraction at 0
        return np.where((denom > 1e-9) & (n_eff >= 2), 12.0 * np.maximum(s, 0.0) / denom, np.nan)


def resampled_kendall_w(
    ratings: object,
    clusters: object,
    counts: np.ndarray,
    *,
    correct_ties: bool = True,
) -> np.ndarray:
    """Kendall's W of each cluster-resampled data set, without re-ranking.

    Parameters
    ----------
    ratings : array_like, shape (n_items, n_raters) or (..., n_items, n_raters)
        NaN marks a missing rating; items with any missing rating are dropped
        listwise (per rating matrix) before resampling.
    clusters : array_like, shape (n_items,)
        Cluster label (patient) of each item; shared by the whole batch.
    counts : ndarray, shape (n_resamples, n_clusters)
        How often each cluster appears in each resample (e.g.
        :func:`resample_counts`, :func:`jackknife_counts`, or 0/1 subsets).
        Clusters are coded in order of first appearance (:func:`cluster_codes`).
    correct_ties : bool, default True

    Returns
    -------
    ndarray, shape (..., n_resamples)
        W per resample; NaN where undefined (constant ratings, < 2 items).

    Examples
    --------
    Counts of all ones reproduce the plain W:

    >>> x = np.array([[1, 2], [2, 1], [3, 3], [4, 4]], dtype=float)
    >>> resampled_kendall_w(x, ["a", "a", "b", "b"], np.ones((1, 2)))
    array([0.9])
    >>> kendall_w(x).w
    0.9
    """
    x = _as_ratings(ratings)
    codes, n_clusters = cluster_codes(clusters)
    if codes.shape[0] != x.shape[-2]:
        raise ValueError(
            f"clusters has {codes.shape[0]} labels but ratings has {x.shape[-2]} items (rows)"
        )
    c = np.asarray(counts, dtype=float)
    if c.ndim != 2 or c.shape[1] != n_clusters:
        raise ValueError(
            f"counts must have shape (n_resamples, {n_clusters}) for {n_clusters} clusters; got "
            f"{c.shape}"
        )
    if (c < 0).any():
        raise ValueError("counts must be non-negative")
    batch = x.shape[:-2]
    flat = x.reshape(-1, *x.shape[-2:])
    out = np.empty((flat.shape[0], c.shape[0]))
    counts_t = np.ascontiguousarray(c.T)
    step = max(1, _CHUNK_CELLS // max(1, x.shape[-2]))
    # The products are small (items x patients x resamples): BLAS threads only add
    # overhead, and on a shared machine they make it 10-30x slower.
    cubes_t = counts_t**3 - counts_t
    with threadpool_limits(limits=1, user_api="blas"):
        for g in range(flat.shape[0]):
            prep = _prepare(flat[g], codes, n_clusters, correct_ties)
            for start in range(0, c.shape[0], step):
                cols = slice(start, start + step)
                out[g, cols] = _w_for_counts(
                    prep, counts_t[:, cols], cubes_t[:, cols], correct_ties
                )
    return out.reshape(*batch, c.shape[0])


def bootstrap_interval(
    estimate: object,
    replicates: object,
    *,
    jackknife: object | None = None,
    method: CIMethod = "bca",
    confidence_level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided bootstrap confidence limits from given replicates, vectorized.

    Parameters
    ----------
    estimate : array_like, shape (...)
        The statistic on the original data.
    replicates : array_like, shape (..., n_boot)
        The statistic on the bootstrap resamples. NaN replicates (undefined
        statistic in a resample) are ignored.
    jackknife : array_like, shape (..., n_jack), optional
        Leave-one-cluster-out values; required for ``method="bca"``.
    method : {"bca", "percentile"}, default "bca"
    confidence_level : float, default 0.95

    Returns
    -------
    low, high : ndarray, shape (...)
        NaN where undefined (NaN estimate, degenerate replicates, or a BCa
        bias correction at 0 % or 100 %); a warning says how many.

    Notes
    -----
    Given the same replicates and jackknife values this equals
    :func:`scipy.stats.bootstrap` (``z0`` from the "mean" percentile of the
    estimate among the replicates, acceleration from the jackknife, linear
    quantiles).
    """
    check_choice("method", method, CIMethod)
    if not 0 < confidence_level < 1:
        raise ValueError(f"confidence_level must lie in (0, 1); got {confidence_level}")
    theta = np.asarray(estimate, dtype=float)
    boot = np.asarray(replicates, dtype=float)
    if boot.shape[:-1] != theta.shape:
        raise ValueError(f"replicates must have shape {theta.shape} + (n_boot,); got {boot.shape}")
    alpha = (1 - confidence_level) / 2
    n_ok = np.sum(~np.isnan(boot), axis=-1)
    if method == "percentile":
        levels = np.broadcast_to(np.array([alpha, 1 - alpha]), (*theta.shape, 2))
    else:
        if jackknife is None:
            raise ValueError("method='bca' needs the jackknife values (jackknife=...)")
        jack = np.asarray(jackknife, dtype=float)
        if jack.shape[:-1] != theta.shape:
            raise ValueError(
                f"jackknife must have shape {theta.shape} + (n_jack,); got {jack.shape}"
            )
        below = np.sum(boot < theta[..., None], axis=-1) + np.sum(boot <= theta[..., None], axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            z0 = special.ndtri(below / (2.0 * n_ok))
            n_jack = np.sum(~np.isnan(jack), axis=-1)
            u = (n_jack[..., None] - 1) * (np.nanmean(jack, axis=-1, keepdims=True) - jack)
            num = np.nansum(u**3, axis=-1) / n_jack**3
            den = np.nansum(u**2, axis=-1) / n_jack**2
            accel = num / (6.0 * den**1.5)
            accel = np.where(den == 0, 0.0, accel)
            z = special.ndtri(np.array([alpha, 1 - alpha]))
            zz = z0[..., None] + z
            levels = special.ndtr(z0[..., None] + zz / (1 - accel[..., None] * zz))
    bad = np.isnan(theta) | (n_ok == 0) | np.isnan(levels).any(axis=-1)
    safe_levels = np.where(np.isnan(levels), 0.5, levels)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ci = stats.quantile(boot, safe_levels, axis=-1, nan_policy="omit")
    ci = np.where(bad[..., None], np.nan, ci)
    if np.any(bad & ~np.isnan(theta)):
        warnings.warn(
            f"bootstrap interval undefined for {int(np.sum(bad & ~np.isnan(theta)))} statistic(s) "
            "(degenerate replicates or bias correction at 0/100 %); returned NaN",
            UndefinedStatisticWarning,
            stacklevel=2,
        )
    return ci[..., 0], ci[..., 1]


@dataclass(frozen=True)
class BootstrapW:
    """Result of :func:`cluster_bootstrap_w`; arrays have the batch shape.

    Attributes
    ----------
    w : float or ndarray
        W on the full data.
    ci_low, ci_high : float or ndarray
        Confidence limits.
    se : float or ndarray
        Standard deviation of the bootstrap replicates.
    method : str
        ``"bca"`` or ``"percentile"``.
    confidence_level : float
    n_boot : int
    n_clusters : int
    replicates : ndarray, shape (..., n_boot)
        Bootstrap W (NaN where undefined in a resample).
    jackknife : ndarray, shape (..., n_clusters)
        Leave-one-cluster-out W.
    """

    w: float | np.ndarray
    ci_low: float | np.ndarray
    ci_high: float | np.ndarray
    se: float | np.ndarray
    method: str
    confidence_level: float
    n_boot: int
    n_clusters: int
    replicates: np.ndarray
    jackknife: np.ndarray


def cluster_bootstrap_w(
    ratings: object,
    clusters: object,
    *,
    n_boot: int = 2000,
    method: CIMethod = "bca",
    confidence_level: float = 0.95,
    correct_ties: bool = True,
    seed: int | np.random.Generator | None = None,
    counts: np.ndarray | None = None,
) -> BootstrapW:
    """Confidence interval for Kendall's W by resampling clusters (patients).

    Parameters
    ----------
    ratings : array_like, shape (n_items, n_raters) or (..., n_items, n_raters)
        Missing ratings (NaN): the item is dropped listwise, per rating matrix.
    clusters : array_like, shape (n_items,)
        Patient of each item.
    n_boot : int, default 2000
    method : {"bca", "percentile"}, default "bca"
    confidence_level : float, default 0.95
    correct_ties : bool, default True
    seed : int, Generator or None
    counts : ndarray, shape (n_boot, n_clusters), optional
        Resample counts to use instead of drawing new ones (e.g. to pair
        several analyses on the same resamples); overrides ``n_boot``/``seed``.

    Returns
    -------
    BootstrapW
    """
    x = _as_ratings(ratings)
    _, n_clusters = cluster_codes(clusters)
    if counts is None:
        counts = resample_counts(n_clusters, n_boot=n_boot, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedStatisticWarning)
        w = np.asarray(kendall_w(x, correct_ties=correct_ties).w, dtype=float)
    if np.isnan(w).any():
        warnings.warn(
            f"Kendall's W is undefined for {int(np.isnan(w).sum())} rating matrices; "
            "their intervals are NaN",
            UndefinedStatisticWarning,
            stacklevel=2,
        )
    # one pass over the data for the resamples and the jackknife
    both = resampled_kendall_w(
        x, clusters, np.vstack([counts, jackknife_counts(n_clusters)]), correct_ties=correct_ties
    )
    boot, jack = both[..., : counts.shape[0]], both[..., counts.shape[0] :]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedStatisticWarning)
        low, high = bootstrap_interval(
            w, boot, jackknife=jack, method=method, confidence_level=confidence_level
        )
        with np.errstate(invalid="ignore"):
            se = (
                np.nanstd(boot, axis=-1, ddof=1) if boot.shape[-1] > 1 else np.full(w.shape, np.nan)
            )
    failed = np.isnan(low) & ~np.isnan(w)
    if failed.any():
        warnings.warn(
            f"bootstrap interval undefined for {int(failed.sum())} rating matrices "
            "(degenerate replicates); returned NaN",
            UndefinedStatisticWarning,
            stacklevel=2,
        )

    def out(a: np.ndarray) -> Any:
        return float(a) if np.ndim(a) == 0 else a

    return BootstrapW(
        w=out(w),
        ci_low=out(low),
        ci_high=out(high),
        se=out(se),
        method=method,
        confidence_level=float(confidence_level),
        n_boot=int(counts.shape[0]),
        n_clusters=n_clusters,
        replicates=boot,
        jackknife=jack,
    )


@dataclass(frozen=True)
class BootstrapSettings:
    """The bootstrap options every analysis of :mod:`radjudge.concordance.analysis` shares.

    One run uses one settings object, so all its analyses draw the same patient
    resamples and their replicates are paired.

    Attributes
    ----------
    n_boot : int, default 2000
        Cluster-bootstrap resamples (patients); at least 2.
    seed : int, default 0
        Seeds the resamples (and permutations): same seed, same resamples.
    ci_method : {"bca", "percentile"}, default "bca"
    alpha : float, default 0.05
        Intervals are ``1 - alpha``; in (0, 1).
    correct_ties : bool, default True
        Tie correction of Kendall's W.

    Raises
    ------
    ValueError
        An option out of range, naming it.

    >>> BootstrapSettings(n_boot=200, ci_method="percentile").confidence_level
    0.95
    >>> BootstrapSettings(n_boot=1)
    Traceback (most recent call last):
    ...
    ValueError: n_boot must be an integer >= 2; got 1
    """

    n_boot: int = 2000
    seed: int = 0
    ci_method: CIMethod = "bca"
    alpha: float = 0.05
    correct_ties: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.n_boot, bool) or not isinstance(self.n_boot, int) or self.n_boot < 2:
            raise ValueError(f"n_boot must be an integer >= 2; got {self.n_boot!r}")
        if not 0 < self.alpha < 1:
            raise ValueError(f"alpha must lie in (0, 1); got {self.alpha}")
        check_choice("ci_method", self.ci_method, CIMethod)

    @property
    def confidence_level(self) -> float:
        """``1 - alpha``."""
        return 1 - self.alpha
