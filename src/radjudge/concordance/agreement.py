"""Sensitivity statistics: rank correlations, ICC, Krippendorff's alpha, weighted kappa, Gwet's AC.

Kendall's W is the study's headline statistic; these answer "would another
common agreement statistic tell a different story?".

* :func:`rank_correlation` - Spearman rho or Kendall tau-b over all items
  ("pooled"; pairs with a missing value are dropped).
* The correlation inside each patient, averaged over patients (the
  "summary-level" meta-evaluation of G-Eval and UniEval), is
  :func:`radjudge.concordance.metaeval.summary_level_correlation`.
* :func:`icc` - the six intraclass correlations of Shrout & Fleiss (1979) /
  McGraw & Wong (1996), in closed form (equal to :func:`pingouin.intraclass_corr`,
  tested; ~100x faster over a grid).
* :func:`krippendorff_alpha` - via the ``krippendorff`` package; the interval level
  in closed form (equal to the package, tested), because the package's cost grows
  with the square of the number of distinct values (continuous judge scores).
* :func:`weighted_kappa` - Cohen's kappa, unweighted or with linear/quadratic
  agreement weights (two raters).
* :func:`gwet_ac` - Gwet's AC1 (unweighted) / AC2 (weighted), two raters
  (Gwet 2008, 2014), as ``irrCAC::gwet.ac1.table``.

Weights follow ``irrCAC``: for category values ``k, l`` and range
``r = max - min``, linear ``1 - |k - l| / r`` and quadratic ``1 - (k - l)^2 / r^2``.

Undefined values (a constant variable, kappa with chance agreement 1) are NaN
with an :class:`~radjudge.concordance.kendall.UndefinedStatisticWarning`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import krippendorff
import numpy as np
from scipy import stats

from radjudge.checks import check_choice
from radjudge.concordance.kendall import UndefinedStatisticWarning

__all__ = [
    "ICC",
    "gwet_ac",
    "icc",
    "krippendorff_alpha",
    "rank_correlation",
    "weighted_kappa",
]

CorrelationMethod = Literal["spearman", "kendall"]
Weights = Literal["none", "linear", "quadratic"]
AlphaLevel = Literal["nominal", "ordinal", "interval", "ratio"]


def _pair(x: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(x, dtype=float)
    b = np.asarray(y, dtype=float)
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"x and y must be 1-D of equal length; got shapes {a.shape} and {b.shape}")
    return a, b


def _corr(a: np.ndarray, b: np.ndarray, method: CorrelationMethod) -> float:
    if check_choice("method", method, CorrelationMethod) == "spearman":
        return float(stats.spearmanr(a, b).statistic)
    return float(stats.kendalltau(a, b, variant="b").statistic)


def rank_correlation(x: object, y: object, *, method: CorrelationMethod = "spearman") -> float:
    """Spearman rho or Kendall tau-b over all complete pairs.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        NaN marks a missing value; the pair is dropped.
    method : {"spearman", "kendall"}, default "spearman"
        ``"kendall"`` is tau-b (tie-adjusted).

    Returns
    -------
    float
        NaN (with a warning) when either variable is constant or < 2 pairs remain.

    Examples
    --------
    >>> rank_correlation([1, 2, 3, 4], [1, 3, 2, 4], method="kendall")
    0.6666666666666669
    """
    a, b = _pair(x, y)
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    if a.size < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        warnings.warn(
            f"{method} correlation undefined (constant variable or fewer than 2 pairs); returned "
            "NaN",
            UndefinedStatisticWarning,
            stacklevel=2,
        )
        return float("nan")
    return _corr(a, b, method)


@dataclass(frozen=True)
class ICC:
    """The six intraclass correlations (Shrout & Fleiss 1979; McGraw & Wong 1996 names).

    Attributes
    ----------
    icc1 : float
        ICC(1,1): one-way random, single rater.
    icc_a1 : float
        ICC(2,1) = ICC(A,1): two-way, absolute agreement, single rater.
    icc_c1 : float
        ICC(3,1) = ICC(C,1): two-way, consistency, single rater.
    icc1k, icc_ak, icc_ck : float
        The same for the mean of the k raters.
    n_items : int
        Complete items used.
    """

    icc1: float
    icc_a1: float
    icc_c1: float
    icc1k: float
    icc_ak: float
    icc_ck: float
    n_items: int


def icc(ratings: object) -> ICC:
    """Intraclass correlations of ``k`` raters over ``n`` items (two-way ANOVA mean squares).

    Computed in closed form from the mean squares of Shrout & Fleiss (1979)
    (rows = items, columns = raters); identical to
    :func:`pingouin.intraclass_corr` (tested to 1e-12) and about 100 times
    faster, which matters over a grid of hundreds of configurations.

    Parameters
    ----------
    ratings : array_like, shape (n_items, n_raters)
        Items with a missing rating (NaN) are dropped listwise.

    Returns
    -------
    ICC

    Examples
    --------
    Shrout & Fleiss (1979), Table 2 data (6 targets, 4 judges); their Table 4
    gives .17, .29, .71, .44, .62, .91:

    >>> sf = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
    >>> r = icc(sf)
    >>> [round(v, 2) for v in (r.icc1, r.icc_a1, r.icc_c1, r.icc1k, r.icc_ak, r.icc_ck)]
    [0.17, 0.29, 0.71, 0.44, 0.62, 0.91]
    """
    x = np.asarray(ratings, dtype=float)
    if x.ndim != 2 or x.shape[1] < 2:
        raise ValueError(f"ratings must have shape (n_items, n_raters >= 2); got {x.shape}")
    x = x[~np.isnan(x).any(axis=1)]
    nan = float("nan")
    if x.shape[0] < 3 or np.ptp(x) == 0:
        warnings.warn(
            "ICC undefined (fewer than 3 complete items or constant ratings); returned NaN",
            UndefinedStatisticWarning,
            stacklevel=2,
        )
        return ICC(nan, nan, nan, nan, nan, nan, int(x.shape[0]))
    n, k = x.shape
    grand = x.mean()
    ss_total = ((x - grand) ** 2).sum()
    ss_items = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ss_raters = n * ((x.mean(axis=0) - grand) ** 2).sum()
    ms_items = ss_items / (n - 1)
    ms_raters = ss_raters / (k - 1)
    ms_error = (ss_total - ss_items - ss_raters) / ((n - 1) * (k - 1))
    ms_within = (ss_total - ss_items) / (n * (k - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return ICC(
            icc1=float((ms_items - ms_within) / (ms_items + (k - 1) * ms_within)),
            icc_a1=float(
                (ms_items - ms_error)
                / (ms_items + (k - 1) * ms_error + k * (ms_raters - ms_error) / n)
            ),
            icc_c1=float((ms_items - ms_error) / (ms_items + (k - 1) * ms_error)),
            icc1k=float((ms_items - ms_within) / ms_items),
            icc_ak=float((ms_items - ms_error) / (ms_items + (ms_raters - ms_error) / n)),
            icc_ck=float((ms_items - ms_error) / ms_items),
            n_items=int(n),
        )


def krippendorff_alpha(ratings: object, *, level: AlphaLevel = "interval") -> float:
    """Krippendorff's alpha of ``k`` raters over ``n`` items.

    Nominal, ordinal and ratio levels call the ``krippendorff`` package; the
    interval level is computed in closed form (same value, see :func:`_interval_alpha`).

    Parameters
    ----------
    ratings : array_like, shape (n_items, n_raters)
        NaN marks a missing rating; alpha uses all pairable values.
    level : {"nominal", "ordinal", "interval", "ratio"}, default "interval"

    Returns
    -------
    float
        NaN (with a warning) when fewer than 2 distinct values are pairable.

    Examples
    --------
    Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C
    (4 observers, 12 units, missing values): alpha = 0.743 (nominal),
    0.815 (ordinal), 0.849 (interval), 0.797 (ratio).

    >>> nan = float("nan")
    >>> data = np.array([[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...                  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...                  [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...                  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]).T
    >>> round(krippendorff_alpha(data, level="interval"), 3)
    0.849
    """
    x = np.asarray(ratings, dtype=float)
    if x.ndim != 2 or x.shape[1] < 2:
        raise ValueError(f"ratings must have shape (n_items, n_raters >= 2); got {x.shape}")
    check_choice("level", level, AlphaLevel)
    pairable = x[(~np.isnan(x)).sum(axis=1) >= 2]
    if np.unique(pairable[~np.isnan(pairable)]).size < 2:
        warnings.warn(
            "Krippendorff's alpha undefined (fewer than 2 distinct pairable values); returned NaN",
            UndefinedStatisticWarning,
            stacklevel=2,
        )
        return float("nan")
    if level == "interval":
        return _interval_alpha(pairable)
    return float(krippendorff.alpha(reliability_data=x.T, level_of_measurement=level))


def _interval_alpha(pairable: np.ndarray) -> float:
    """Interval alpha in closed form: squared differences need no coincidence matrix.

    ``D_o = (1/n) sum_u sum_{i != j in u} (v_i - v_j)^2 / (m_u - 1)`` and
    ``D_e = sum_{i != j} (v_i - v_j)^2 / (n (n - 1))`` over all ``n`` pairable
    values, with ``sum_{i != j} (v_i - v_j)^2 = 2 m sum v^2 - 2 (sum v)^2``.
    Equals the ``krippendorff`` package (tested), whose coincidence matrix
    grows with the square of the number of distinct values (continuous judge
    scores: hundreds).
    """
    ok = ~np.isnan(pairable)
    v = np.where(ok, pairable, 0.0)
    m_u = ok.sum(axis=1)
    s1, s2 = v.sum(axis=1), (v * v).sum(axis=1)
    n = m_u.sum()
    d_o = ((2 * m_u * s2 - 2 * s1**2) / (m_u - 1)).sum() / n
    d_e = (2 * n * s2.sum() - 2 * s1.sum() ** 2) / (n * (n - 1))
    return float(1 - d_o / d_e)


def _table(x: object, y: object, categories: object | None) -> tuple[np.ndarray, np.ndarray]:
    a, b = _pair(x, y)
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    cats = (
        np.unique(np.concatenate([a, b])) if categories is None else np.asarray(categories, float)
    )
    if cats.ndim != 1 or cats.size < 2 or np.any(np.diff(cats) <= 0):
        raise ValueError(f"categories must be >= 2 increasing values; got {cats}")
    ia, ib = np.searchsorted(cats, a), np.searchsorted(cats, b)
    outside = (ia >= cats.size) | (ib >= cats.size)
    outside |= cats[np.minimum(ia, cats.size - 1)] != a
    outside |= cats[np.minimum(ib, cats.size - 1)] != b
    if outside.any():
        bad = np.unique(np.concatenate([a[outside], b[outside]]))
        raise ValueError(
            f"ratings {bad} are not among the categories {cats}; round or map them first"
        )
    table = np.zeros((cats.size, cats.size))
    np.add.at(table, (ia, ib), 1.0)
    return table / max(1.0, table.sum()), cats


def _weights(cats: np.ndarray, weights: Weights) -> np.ndarray:
    check_choice("weights", weights, Weights)
    d = cats[:, None] - cats[None, :]
    r = cats[-1] - cats[0]
    if weights == "none":
        return np.eye(cats.size)
    if weights == "linear":
        return 1 - np.abs(d) / r
    return 1 - d**2 / r**2  # quadratic


def _chance_corrected(pa: float, pe: float, name: str) -> float:
    if np.isclose(pe, 1.0):
        warnings.warn(
            f"{name} undefined (chance agreement is 1, e.g. one category used); returned NaN",
            UndefinedStatisticWarning,
            stacklevel=3,
        )
        return float("nan")
    return float((pa - pe) / (1 - pe))


def weighted_kappa(
    x: object, y: object, *, categories: object | None = None, weights: Weights = "quadratic"
) -> float:
    """Cohen's kappa of two raters, unweighted or with linear / quadratic weights.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Category values (numbers); pairs with a NaN are dropped.
    categories : array_like, optional
        All possible category values, increasing (default: the observed ones).
        Needed for the weights' range when some category is unused.
    weights : {"quadratic", "linear", "none"}, default "quadratic"

    Returns
    -------
    float

    Examples
    --------
    ``irrCAC`` data set ``cont3x3abstractors`` (Gwet 2014; 100 pregnancies, 2
    abstractors, 3 categories). ``kappa2.table`` gives 0.7964094 unweighted and
    0.8921569 with quadratic weights:

    >>> table = np.array([[13, 0, 0], [0, 20, 7], [0, 4, 56]])
    >>> rows, cols = np.nonzero(table)
    >>> a = np.repeat(rows + 1, table[rows, cols]); b = np.repeat(cols + 1, table[rows, cols])
    >>> round(weighted_kappa(a, b, weights="none"), 7), round(weighted_kappa(a, b), 7)
    (0.7964094, 0.8921569)
    """
    p, cats = _table(x, y, categories)
    w = _weights(cats, weights)
    pa = float((w * p).sum())
    pe = float((w * np.outer(p.sum(axis=1), p.sum(axis=0))).sum())
    return _chance_corrected(pa, pe, "Cohen's kappa")


def gwet_ac(
    x: object, y: object, *, categories: object | None = None, weights: Weights = "none"
) -> float:
    """Gwet's AC1 (``weights="none"``) or AC2 (weighted) of two raters.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Category values; pairs with a NaN are dropped.
    categories : array_like, optional
        All possible category values, increasing (default: the observed ones).
    weights : {"none", "linear", "quadratic"}, default "none"

    Returns
    -------
    float

    Examples
    --------
    ``irrCAC`` ``cont3x3abstractors``: ``gwet.ac1.table`` gives AC1 = 0.8493305,
    and AC2 = 0.9402369 with quadratic weights:

    >>> table = np.array([[13, 0, 0], [0, 20, 7], [0, 4, 56]])
    >>> rows, cols = np.nonzero(table)
    >>> a = np.repeat(rows + 1, table[rows, cols]); b = np.repeat(cols + 1, table[rows, cols])
    >>> round(gwet_ac(a, b), 7), round(gwet_ac(a, b, weights="quadratic"), 7)
    (0.8493305, 0.9402369)
    """
    p, cats = _table(x, y, categories)
    w = _weights(cats, weights)
    q = cats.size
    pa = float((w * p).sum())
    pi = (p.sum(axis=1) + p.sum(axis=0)) / 2
    pe = float(w.sum() / (q * (q - 1)) * (pi * (1 - pi)).sum())
    return _chance_corrected(pa, pe, "Gwet's AC")
