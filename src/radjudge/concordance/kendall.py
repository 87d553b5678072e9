"""Kendall's coefficient of concordance W, with tie correction, as R ``irr::kendall``.

``m`` raters each rate the same ``n`` items. Each rater's ratings are turned
into ranks over the items (ties get the mean of the ranks they span,
"mid-ranks"); ``R_i`` is the sum of the ranks item ``i`` received and
``S = sum_i (R_i - m (n + 1) / 2) ** 2``. Then

.. math::

    W = \\frac{12 S}{m^2 (n^3 - n) - m \\sum_j T_j},
    \\qquad T_j = \\sum_{\\text{tie groups } g \\text{ of rater } j} (t_g^3 - t_g),

(Kendall 1948; Siegel & Castellan 1988, eq. 9.16; R ``irr::kendall(...,
correct = TRUE)``). Without the tie correction the ``T_j`` are left out, as in
``irr::kendall(..., correct = FALSE)``. The Friedman statistic is
``chi2 = m (n - 1) W`` on ``n - 1`` degrees of freedom.

W runs from 0 (no agreement) to 1; its expected value under independent random
rankings is ``1 / m``. With two raters and no ties ``W = (1 + rho_S) / 2``
(Spearman's rho), so 0.5 is chance level in the judge-versus-consensus design;
with ties, ``W = 1/2 + rho_S sqrt(A_1 A_2) / (A_1 + A_2)``, ``A_j = n^3 - n - T_j``,
which equals ``(1 + rho_S) / 2`` when both raters have the same tie sum.

Missing ratings
    An item with any missing (NaN) rating is dropped for all raters (listwise
    deletion, as R ``irr`` does with ``na.omit``); the result counts the items
    used (``n_items``) and dropped (``n_dropped``).
Undefined W
    When every rater gives every (kept) item the same rating, or fewer than two
    items remain, the denominator is zero and W is undefined: it is returned as
    NaN and an :class:`UndefinedStatisticWarning` says how many were undefined.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import stats

from radjudge.checks import check_choice

__all__ = ["KendallW", "PValueMethod", "UndefinedStatisticWarning", "kendall_w", "midranks"]

#: How the p-value of W is computed.
PValueMethod = Literal["chisq", "f", "permutation"]


class UndefinedStatisticWarning(RuntimeWarning):
    """A statistic is undefined for the data (e.g. constant ratings) and was returned as NaN."""


@dataclass(frozen=True)
class KendallW:
    """Result of :func:`kendall_w`. Fields are scalars, or arrays of the batch shape.

    Attributes
    ----------
    w : float or ndarray
        Kendall's W (tie-corrected unless ``correct_ties=False``); NaN where undefined.
    chi2 : float or ndarray
        Friedman chi-square ``m (n - 1) W``.
    df : int or ndarray
        Degrees of freedom of ``chi2``: ``n_items - 1``.
    pvalue : float or ndarray
        P-value of the test of no concordance, by ``method``.
    n_items : int or ndarray
        Items used (complete cases).
    n_raters : int
        Raters (columns).
    n_dropped : int or ndarray
        Items dropped because at least one rating was missing.
    method : str
        How ``pvalue`` was computed: ``"chisq"``, ``"f"`` or ``"permutation"``.
    correct_ties : bool
        Whether the tie correction was applied.
    """

    w: float | np.ndarray
    chi2: float | np.ndarray
    df: int | np.ndarray
    pvalue: float | np.ndarray
    n_items: int | np.ndarray
    n_raters: int
    n_dropped: int | np.ndarray
    method: str
    correct_ties: bool


def _as_ratings(ratings: object) -> np.ndarray:
    x = np.asarray(ratings, dtype=float)
    if x.ndim < 2:
        raise ValueError(
            "ratings must have shape (n_items, n_raters) or (..., n_items, n_raters); got shape "
            f"{x.shape}"
        )
    if x.shape[-1] < 2:
        raise ValueError(f"Kendall's W needs at least 2 raters (columns); got {x.shape[-1]}")
    if np.isinf(x).any():
        raise ValueError("ratings contain infinite values; use NaN for a missing rating")
    return x


def midranks(ratings: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Mid-ranks of each rater's ratings over the valid items.

    Parameters
    ----------
    ratings : ndarray, shape (..., n_items, n_raters)
    valid : ndarray of bool, shape (..., n_items)
        Items to rank; the others get rank NaN.

    Returns
    -------
    ndarray, shape (..., n_items, n_raters)
        Ranks 1..n_valid (ties averaged), NaN for invalid items.

    Examples
    --------
    >>> x, valid = np.array([[1.0], [3.0], [3.0], [np.nan]]), np.array([True, True, True, False])
    >>> midranks(x, valid)[:, 0]
    array([1. , 2.5, 2.5, nan])
    """
    # Invalid items go to +inf, so they rank after every valid one and leave
    # the valid items' ranks untouched.
    x = np.where(valid[..., None], ratings, np.inf)
    r = stats.rankdata(x, axis=-2)
    return np.where(valid[..., None], r, np.nan)


def _tie_sum(ratings: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Sum over raters and tie groups of t^3 - t, among valid items."""
    x = np.where(valid[..., None], ratings, np.inf)
    t = stats.rankdata(x, method="max", axis=-2) - stats.rankdata(x, method="min", axis=-2) + 1
    # a group of size t has t members, each contributing t^2 - 1: t (t^2 - 1) = t^3 - t
    return np.where(valid[..., None], t * t - 1, 0).sum(axis=(-2, -1))


def _w_from_ranks(
    ranks: np.ndarray, valid: np.ndarray, ties: np.ndarray | float, m: int
) -> tuple[np.ndarray, np.ndarray]:
    n = valid.sum(axis=-1)
    rank_sums = np.where(valid, np.nan_to_num(ranks).sum(axis=-1), 0.0)
    centre = m * (n + 1) / 2.0
    s = np.where(valid, (rank_sums - centre[..., None]) ** 2, 0.0).sum(axis=-1)
    denom = m * m * (n.astype(float) ** 3 - n) - m * ties
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where((denom > 0) & (n >= 2), 12.0 * s / np.where(denom > 0, denom, 1.0), np.nan)
    return w, s


def kendall_w(
    ratings: object,
    *,
    correct_ties: bool = True,
    method: PValueMethod = "chisq",
    n_permutations: int = 9999,
    seed: int | np.random.Generator | None = None,
) -> KendallW:
    """Kendall's coefficient of concordance W of ``m`` raters over ``n`` items.

    Parameters
    ----------
    ratings : array_like, shape (n_items, n_raters) or (..., n_items, n_raters)
        One column per rater; NaN marks a missing rating (the item is dropped
        listwise). Leading dimensions are a batch: W is computed for each.
    correct_ties : bool, default True
        Apply the tie correction of Kendall / Siegel & Castellan / ``irr``.
    method : {"chisq", "f", "permutation"}, default "chisq"
        P-value: the Friedman chi-square approximation (as ``irr``); the F
        approximation ``F = (m - 1) W / (1 - W)`` on ``(n - 1 - 2/m, (m - 1)(n - 1 - 2/m))``
        degrees of freedom (better for few raters, e.g. two; Marozzi 2014); or
        a Monte Carlo permutation test that shuffles each rater's ratings over
        the items independently (``(1 + #{W* >= W}) / (1 + n_permutations)``).
    n_permutations : int, default 9999
        Permutations for ``method="permutation"``.
    seed : int, Generator or None
        Random state for ``method="permutation"``.

    Returns
    -------
    KendallW
        Scalars for a 2-D input, arrays of the batch shape otherwise.

    Warns
    -----
    UndefinedStatisticWarning
        When W is undefined (all ratings constant, or fewer than 2 complete items).

    Examples
    --------
    The ``anxiety`` data of R ``irr`` (20 subjects, 3 raters); ``irr::kendall(anxiety,
    TRUE)`` gives Wt = 0.54, chi2(19) = 30.8, p = 0.0429:

    >>> r1 = [3, 3, 3, 4, 5, 5, 2, 3, 5, 2, 2, 6, 1, 5, 2, 2, 1, 2, 4, 3]
    >>> r2 = [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4]
    >>> r3 = [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2]
    >>> res = kendall_w(np.column_stack([r1, r2, r3]))
    >>> round(res.w, 4), round(res.chi2, 2), res.df, round(res.pvalue, 4)
    (0.5397, 30.76, 19, 0.0429)
    """
    x = _as_ratings(ratings)
    check_choice("method", method, PValueMethod)
    if method == "permutation" and int(n_permutations) < 1:
        raise ValueError(f"n_permutations must be >= 1; got {n_permutations}")
    n_all, m = x.shape[-2], x.shape[-1]
    valid = ~np.isnan(x).any(axis=-1)
    n = valid.sum(axis=-1)
    ranks = midranks(x, valid)
    ties = _tie_sum(x, valid) if correct_ties else np.zeros(x.shape[:-2])
    w, s = _w_from_ranks(ranks, valid, ties, m)

    undefined = np.isnan(w)
    if undefined.any():
        warnings.warn(
            f"Kendall's W is undefined for {int(undefined.sum())} of {undefined.size} rating "
            "matrices (every rating constant, or fewer than 2 complete items); returned NaN",
            UndefinedStatisticWarning,
            stacklevel=2,
        )
    df = n - 1
    chi2 = m * df * w
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "chisq":
            pvalue = stats.chi2.sf(chi2, df)
        elif method == "f":
            df1 = df - 2.0 / m
            f = (m - 1) * w / (1 - w)
            pvalue = np.where(w >= 1, 0.0, stats.f.sf(f, df1, (m - 1) * df1))
        else:
            pvalue = _permutation_pvalue(ranks, valid, s, m, int(n_permutations), seed)
    pvalue = np.where(undefined, np.nan, pvalue)

    def out(a: np.ndarray, kind: type = float) -> Any:  # scalars for a single matrix
        return kind(a) if np.ndim(a) == 0 else a

    return KendallW(
        w=out(w),
        chi2=out(chi2),
        df=out(df, int),
        pvalue=out(pvalue),
        n_items=out(n, int),
        n_raters=int(m),
        n_dropped=out(n_all - n, int),
        method=method,
        correct_ties=bool(correct_ties),
    )


def _permutation_pvalue(
    ranks: np.ndarray,
    valid: np.ndarray,
    s_obs: np.ndarray,
    m: int,
    n_perm: int,
    seed: int | np.random.Generator | None,
) -> np.ndarray:
    """Monte Carlo p-value: shuffle raters 2..m over the items; ties and T_j are unchanged."""
    rng = np.random.default_rng(seed)
    batch = ranks.shape[:-2]
    flat_r = ranks.reshape(-1, *ranks.shape[-2:])
    flat_v = valid.reshape(-1, valid.shape[-1])
    flat_s = np.asarray(s_obs, dtype=float).reshape(-1)
    p = np.full(flat_s.shape, np.nan)
    for b in range(flat_r.shape[0]):
        r = flat_r[b][flat_v[b]]  # (n, m) complete items only
        n = r.shape[0]
        if n < 2 or np.isnan(flat_s[b]):
            continue
        # shuffling rater 1 too adds nothing: S depends on relative alignments only
        idx = rng.permuted(np.broadcast_to(np.arange(n), (n_perm, m - 1, n)), axis=-1)
        sums = r[:, 0][None, :] + np.take_along_axis(
            np.broadcast_to(r[:, 1:].T, (n_perm, m - 1, n)), idx, axis=-1
        ).sum(axis=1)
        s_perm = ((sums - m * (n + 1) / 2.0) ** 2).sum(axis=-1)
        # tolerance: equal S computed in a different order may differ in the last bits
        hits = np.count_nonzero(s_perm >= flat_s[b] * (1 - 1e-12))
        p[b] = (1 + hits) / (1 + n_perm)
    return p.reshape(batch)
