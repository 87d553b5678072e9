"""Multiple-comparison adjustment of p-values across the configuration grid.

* ``holm`` - Holm (1979) step-down; controls the family-wise error rate under
  any dependence.
* ``by`` - Benjamini & Yekutieli (2001) step-up; controls the false discovery
  rate under any dependence (the grid's tests share items and experts, so they
  are dependent). Also the correction of the alt-test (Calderon et al. 2025).
* ``bh`` - Benjamini & Hochberg (1995); FDR under independence or positive
  dependence.
* ``bonferroni``, ``none``.

Adjusted p-values are returned (a test is rejected at level ``q`` iff its
adjusted p-value is <= ``q``). NaN p-values (undefined tests) stay NaN and are
not counted in the family.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from radjudge.checks import check_choice

__all__ = ["PAdjustMethod", "adjust_pvalues"]

PAdjustMethod = Literal["holm", "by", "bh", "bonferroni", "none"]


def adjust_pvalues(pvalues: object, *, method: PAdjustMethod = "holm") -> np.ndarray:
    """Adjust a family of p-values for multiple comparisons.

    Parameters
    ----------
    pvalues : array_like
        Any shape; NaN entries are left out of the family and stay NaN.
    method : {"holm", "by", "bh", "bonferroni", "none"}, default "holm"

    Returns
    -------
    ndarray
        Adjusted p-values, same shape, capped at 1.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03, np.nan], method="holm")
    array([0.03, 0.06, 0.06,  nan])
    >>> adjust_pvalues([0.01, 0.04, 0.03], method="bh")
    array([0.03, 0.04, 0.04])
    """
    check_choice("method", method, PAdjustMethod)
    p = np.asarray(pvalues, dtype=float)
    if np.any((p < 0) | (p > 1)):
        raise ValueError("p-values must lie in [0, 1] (NaN allowed for undefined tests)")
    out = np.full(p.shape, np.nan)
    flat = p.ravel()
    keep = np.flatnonzero(~np.isnan(flat))
    m = keep.size
    if m == 0:
        return out
    order = keep[np.argsort(flat[keep], kind="stable")]
    ps = flat[order]
    k = np.arange(1, m + 1)
    if method == "none":
        adj = ps
    elif method == "bonferroni":
        adj = ps * m
    elif method == "holm":
        adj = np.maximum.accumulate((m - k + 1) * ps)
    else:  # bh, by
        scale = np.sum(1.0 / k) if method == "by" else 1.0
        adj = np.minimum.accumulate((ps * m * scale / k)[::-1])[::-1]
    res = out.ravel()
    res[order] = np.minimum(adj, 1.0)
    return res.reshape(p.shape)
