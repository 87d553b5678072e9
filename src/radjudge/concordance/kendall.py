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

How the ranks are computed
    Ratings in this project are integers on small scales, so by default the
    mid-ranks and tie sums are *counted*, not sorted: per matrix and rater, the
    number of items at each score value (one ``bincount``), a cumulative sum over
    the values (a value's mid-rank is the items below it plus half its own tie
    group, plus 1/2) and one gather of each item's rank. That is O(n + k) per
    rater for k score values, with no sort. It is chosen automatically, per chunk
    of matrices, when every rating of the chunk is an integer and the value range
    ``max - min + 1`` is at most ``max(256, n_items)``; any other data (fractional
    scores such as a consensus mean, wide ranges) go through the sort path
    (:func:`scipy.stats.rankdata`). Both give the same ranks (exact half-integers)
    and so the same W. A batch is processed in chunks of about 65,000 ratings,
    so the work memory stays a few MB whatever the batch size.
"""

from __future__ import annotations

import math
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


# A chunk of the batch holds about this many ratings: its work arrays (int32 codes,
# intp indices, float64 ranks) stay within a few MB, i.e. in the CPU caches.
_CHUNK_CELLS = 1 << 16
# Counting needs integer ratings whose range spans at most max(this, n_items) values.
_MAX_COUNTED_LEVELS = 256


def _as_ratings(ratings: object, *, check_finite: bool = True) -> np.ndarray:
    x = np.asarray(ratings, dtype=float)
    if x.ndim < 2:
        raise ValueError(
            "ratings must have shape (n_items, n_raters) or (..., n_items, n_raters); "
            f"got shape {x.shape}"
        )
    if x.shape[-1] < 2:
        raise ValueError(f"Kendall's W needs at least 2 raters (columns); got {x.shape[-1]}")
    if check_finite and np.isinf(x).any():
        _refuse_infinite()
    return x


def _refuse_infinite() -> None:
    raise ValueError("ratings contain infinite values; use NaN for a missing rating")


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
    >>> x = np.array([[1.0], [3.0], [3.0], [np.nan]])
    >>> midranks(x, np.array([True, True, True, False]))[:, 0]
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


def _centred_square_sum(
    rank_sums: np.ndarray, valid: np.ndarray | None, n: np.ndarray, m: int
) -> np.ndarray:
    """S = sum over valid items of (R_i - m (n + 1) / 2)^2; rank_sums has shape (B, n_items)."""
    centred = rank_sums - (m * (n + 1) / 2.0)[:, None]
    if valid is not None:
        centred = np.where(valid, centred, 0.0)
    return np.einsum("bi,bi->b", centred, centred)


def _sums_by_sorting(x: np.ndarray, correct_ties: bool) -> tuple[np.ndarray, ...]:
    """(n, S, T) of a chunk (B, n_items, m) through :func:`scipy.stats.rankdata`."""
    valid = ~np.isnan(x).any(axis=-1)
    n = valid.sum(axis=-1)
    ranks = midranks(x, valid)
    s = _centred_square_sum(np.nan_to_num(ranks).sum(axis=-1), valid, n, x.shape[-1])
    ties = _tie_sum(x, valid) if correct_ties else np.zeros(x.shape[0])
    return n, s, ties


class _Workspace:
    """Work arrays of the counting path, allocated once per call and reused by every chunk.

    Chunk-sized temporaries allocated afresh for each chunk are, depending on the
    allocator's state, handed back to the OS and page-faulted in again on every
    chunk: that can cost more than the counting itself.
    """

    def __init__(self, cells: int, rows: int) -> None:
        self._buffers = {
            "values": np.empty(cells, dtype=np.int32),
            "same": np.empty(cells, dtype=bool),
            "bins": np.empty(cells, dtype=np.intp),
            "ranks": np.empty(cells),
            "centred": np.empty(rows),
        }

        self._offsets_key: tuple[int, ...] = ()
        self._offsets = np.empty(0, dtype=np.intp)

    def get(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """The first ``prod(shape)`` cells of buffer ``name``, shaped."""
        return self._buffers[name][: math.prod(shape)].reshape(shape)

    def bin_offsets(self, shape: tuple[int, int, int], n_levels: int, lo: int) -> np.ndarray:
        """Per cell of a chunk ``(B, n_items, m)``: first bin of its (matrix, rater) minus ``lo``.

        Kept while the chunk shape and levels stay the same (every chunk but the last).
        """
        key = (*shape, n_levels, lo)
        if key != self._offsets_key:
            b, n_items, m = shape
            first = np.arange(b * m, dtype=np.intp).reshape(b, 1, m) * n_levels - lo
            self._offsets = np.ascontiguousarray(np.broadcast_to(first, shape))
            self._offsets_key = key
        return self._offsets


def _small_integers(
    x: np.ndarray, max_levels: int, work: _Workspace | None = None
) -> tuple[np.ndarray, int, int] | None:
    """``x`` as int32, its minimum and its number of levels; None if it cannot be counted.

    Countable: every value an integer (so no NaN or infinity), at most ``max_levels``
    levels (``max - min + 1``). ``x`` must not be empty. With ``work``, the int32
    array lives in the workspace (valid until its next use).
    """
    values = x.astype(np.int32) if work is None else work.get("values", x.shape)
    with np.errstate(invalid="ignore"):  # NaN, infinite or huge values: caught just below
        if work is not None:
            np.copyto(values, x, casting="unsafe")
        same = np.equal(values, x, out=None if work is None else work.get("same", x.shape))
    if not same.all():
        return None
    lo, hi = int(values.min()), int(values.max())
    if hi - lo + 1 > max_levels:
        return None
    return values, lo, hi - lo + 1


def _sums_by_counting(
    x: np.ndarray, correct_ties: bool, work: _Workspace | None = None
) -> tuple[np.ndarray, ...] | None:
    """(n, S, T) of a chunk (B, n_items, m) by counting score values; None if not applicable.

    Not applicable (the caller sorts instead): non-integer ratings, or a value
    range wider than ``max(_MAX_COUNTED_LEVELS, n_items)``. Refuses infinite values.
    ``work``: reusable work arrays for chunks of up to its size (one is made if None).
    """
    b, n_all, m = x.shape
    if work is None:
        work = _Workspace(x.size, b * n_all)
    max_levels = max(_MAX_COUNTED_LEVELS, n_all)
    coded = _small_integers(x, max_levels, work)
    valid = None
    if coded is None:  # missing, infinite, fractional or widely spread ratings
        missing = np.isnan(x)
        if np.isinf(x).any():
            _refuse_infinite()
        if not missing.any():
            return None
        valid = ~missing.any(axis=-1)
        if not valid.any():
            return None
        # dropped items go to one more level, above every kept rating
        filled = np.where(valid[..., None], x, x[valid].max() + 1)
        coded = _small_integers(filled, max_levels, work)
        if coded is None:
            return None
    codes, lo, k = coded
    # one bin per (matrix, rater, level): an item's bin is its code plus its column's offset
    bins = np.add(codes, work.bin_offsets(x.shape, k, lo), out=work.get("bins", x.shape))
    counts = np.bincount(bins.ravel(), minlength=b * m * k).reshape(b, m, k)
    if valid is not None:
        n = n_all - counts[:, 0, -1]
        counts[:, :, -1] = 0  # the dropped items' level: no ties
    else:
        n = np.full(b, n_all)
    # Mid-rank of a level = items below it + (its own count + 1) / 2. Centred on the mean
    # rank (n + 1) / 2, so each item's rank sum comes out centred on m (n + 1) / 2.
    table = np.cumsum(counts, axis=-1) - (counts - 1) / 2.0 - ((n + 1) / 2.0)[:, None, None]
    if valid is not None:
        table[:, :, -1] = 0.0  # dropped items add nothing to S
    # mode="clip": no bounds check (the bins are in range)
    ranks = np.take(table, bins, mode="clip", out=work.get("ranks", bins.shape))
    centred = np.add(ranks[..., 0], ranks[..., 1], out=work.get("centred", (b, n_all)))
    for j in range(2, m):  # strided adds beat a reduction over a short last axis
        centred += ranks[..., j]
    s = np.einsum("bi,bi->b", centred, centred)
    ties = (counts**3 - counts).sum(axis=(1, 2)) if correct_ties else np.zeros(b)
    return n, s, ties


def _concordance_sums(
    flat: np.ndarray, correct_ties: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Items kept ``n``, ``S``, tie sum ``T`` per matrix of ``flat`` (B, n_items, m), in chunks."""
    n_mat, n_all, m = flat.shape
    n = np.empty(n_mat, dtype=np.intp)
    s = np.empty(n_mat)
    ties = np.empty(n_mat)
    step = max(1, _CHUNK_CELLS // max(1, n_all * m))
    work = _Workspace(min(step, n_mat) * n_all * m, min(step, n_mat) * n_all)
    for start in range(0, n_mat, step):
        chunk = flat[start : start + step]
        # counting checks for infinite values before it declines
        out = _sums_by_counting(chunk, correct_ties, work) if n_all else None
        if out is None:
            out = _sums_by_sorting(chunk, correct_ties)
        n[start : start + step], s[start : start + step], ties[start : start + step] = out
    return n, s, ties


def _w_from_sums(n: np.ndarray, s: np.ndarray, ties: np.ndarray, m: int) -> np.ndarray:
    denom = m * m * (n.astype(float) ** 3 - n) - m * ties
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((denom > 0) & (n >= 2), 12.0 * s / np.where(denom > 0, denom, 1.0), np.nan)


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
    x = _as_ratings(ratings, check_finite=False)  # checked chunk by chunk
    check_choice("method", method, PValueMethod)
    if method == "permutation" and int(n_permutations) < 1:
        raise ValueError(f"n_permutations must be >= 1; got {n_permutations}")
    n_all, m = x.shape[-2], x.shape[-1]
    batch = x.shape[:-2]
    flat = x.reshape(-1, n_all, m)
    n, s, ties = _concordance_sums(flat, bool(correct_ties))
    w = _w_from_sums(n, s, ties, m)
    n, s, w = n.reshape(batch), s.reshape(batch), w.reshape(batch)

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
            pvalue = _permutation_pvalue(flat, s, int(n_permutations), seed)
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
    flat: np.ndarray,
    s_obs: np.ndarray,
    n_perm: int,
    seed: int | np.random.Generator | None,
) -> np.ndarray:
    """Monte Carlo p-value: shuffle raters 2..m over the items; ties and T_j are unchanged."""
    rng = np.random.default_rng(seed)
    m = flat.shape[-1]
    flat_s = np.asarray(s_obs, dtype=float).reshape(-1)
    p = np.full(flat_s.shape, np.nan)
    for b in range(flat.shape[0]):
        valid = ~np.isnan(flat[b]).any(axis=-1)
        r = midranks(flat[b], valid)[valid]  # (n, m) complete items only
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
    return p.reshape(np.shape(s_obs))
