"""The Alternative Annotator Test (alt-test) of Calderon, Reichart & Dror (2025).

"The Alternative Annotator Test for LLM-as-a-Judge: How to Statistically
Justify Replacing Human Annotators with LLMs", ACL 2025 (arXiv:2501.10970);
reference implementation: github.com/nitaytech/AltTest (``alt_test_example.ipynb``).

Procedure, for one judge and annotators ``h_1..h_m`` rating the same items:

1. Leave annotator ``j`` out. On each item ``i`` rated by ``j``, by the judge
   and by at least one other annotator, score how well the judge and how well
   ``h_j`` align with the *remaining* annotators: ``s_f`` and ``s_h`` (here the
   negative root-mean-square difference to the remaining annotators'
   ratings, ``neg_rmse``, or the share of remaining annotators agreeing,
   ``accuracy``).
2. Indicators ``W^f_i = [s_f >= s_h]`` and ``W^h_i = [s_h >= s_f]``; the judge's
   advantage probability for ``j`` is ``rho_j = mean_i W^f_i``.
3. One-sided paired t-test of ``H0: mean(W^h - W^f) >= epsilon`` against
   ``H1: < epsilon``; ``epsilon`` is the cost-benefit margin granted to the
   judge (0.2 for experts, 0.15 skilled annotators, 0.1 crowd workers).
4. Benjamini-Yekutieli over the ``m`` annotators at FDR ``q``. The winning rate
   is the share of annotators whose null is rejected; the judge *passes* when
   it is >= 0.5. The average advantage probability ``rho = mean_j rho_j``
   compares judges.

Annotators with fewer than ``min_items`` usable items are skipped (the
t-test needs about 30; the paper's default) and reported.

Scales and ranks
    Judges here rate on other scales than the experts, and the study is about
    rankings (Kendall's W). ``alignment="rank"`` (default) follows the paper's
    FAQ for rankings: every annotator's and the judge's ratings are replaced
    by their normalized mid-ranks over the items that rater rated
    (``rank / n_rated``), then ``neg_rmse`` is applied. ``"neg_rmse"`` and
    ``"accuracy"`` use the values as given (put them on one scale first).

The t-test treats items as independent; summaries of one patient are not, so
the p-values are somewhat optimistic - one more reason to read the winning
rate together with the bootstrap intervals of W.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from radjudge.checks import check_choice
from radjudge.concordance.multiple import adjust_pvalues

__all__ = ["AltTestResult", "alt_test"]

Alignment = Literal["rank", "neg_rmse", "accuracy"]


@dataclass(frozen=True)
class AltTestResult:
    """Result of :func:`alt_test`.

    Attributes
    ----------
    winning_rate : float
        Share of tested annotators over whom the judge wins (null rejected).
    advantage_probability : float
        Mean over tested annotators of ``rho_j``.
    passed : bool
        ``winning_rate >= 0.5``.
    epsilon, q : float
        Margin and FDR level used.
    alignment : str
    per_annotator : pandas.DataFrame
        One row per annotator: ``annotator, n_items, tested, advantage_probability,
        human_advantage_probability, mean_difference, pvalue, pvalue_adjusted, won``.
    """

    winning_rate: float
    advantage_probability: float
    passed: bool
    epsilon: float
    q: float
    alignment: str
    per_annotator: pd.DataFrame


def _normalized_ranks(x: np.ndarray) -> np.ndarray:
    valid = ~np.isnan(x)
    r = stats.rankdata(np.where(valid, x, np.inf), axis=0)
    return np.where(valid, r / valid.sum(axis=0), np.nan)


def alt_test(
    judge: object,
    annotators: object,
    *,
    epsilon: float = 0.2,
    q: float = 0.05,
    alignment: Alignment = "rank",
    min_items: int = 30,
    annotator_names: Sequence[Any] | None = None,
) -> AltTestResult:
    """Run the alt-test for one judge against a panel of annotators.

    Parameters
    ----------
    judge : array_like, shape (n_items,)
        The judge's rating of each item; NaN = missing (item unused).
    annotators : array_like, shape (n_items, n_annotators)
        Human ratings; NaN = not rated. At least 2 annotators.
    epsilon : float, default 0.2
        Cost-benefit margin (paper: 0.2 experts, 0.15 skilled, 0.1 crowd).
    q : float, default 0.05
        Benjamini-Yekutieli FDR level over annotators.
    alignment : {"rank", "neg_rmse", "accuracy"}, default "rank"
        See the module notes.
    min_items : int, default 30
        Annotators with fewer usable items are not tested.
    annotator_names : sequence of str, optional
        Labels for ``per_annotator`` (default ``0..m-1``).

    Returns
    -------
    AltTestResult
        ``winning_rate`` and ``advantage_probability`` are NaN when no annotator
        could be tested.

    Examples
    --------
    A judge equal to the mean of three noisy annotators beats each of them:

    >>> rng = np.random.default_rng(0)
    >>> truth = rng.normal(size=60)
    >>> humans = truth[:, None] + rng.normal(scale=1.0, size=(60, 3))
    >>> res = alt_test(humans.mean(axis=1), humans, epsilon=0.2)
    >>> res.passed, res.winning_rate
    (True, 1.0)
    """
    f = np.asarray(judge, dtype=float)
    h = np.asarray(annotators, dtype=float)
    if h.ndim != 2 or f.shape != (h.shape[0],):
        raise ValueError(
            "judge must have shape (n_items,) and annotators (n_items, n_annotators); got "
            f"{f.shape}, {h.shape}"
        )
    if h.shape[1] < 2:
        raise ValueError(f"the alt-test needs at least 2 annotators; got {h.shape[1]}")
    if not 0 <= epsilon < 1:
        raise ValueError(f"epsilon must lie in [0, 1); got {epsilon}")
    check_choice("alignment", alignment, Alignment)
    names = list(range(h.shape[1])) if annotator_names is None else list(annotator_names)
    if len(names) != h.shape[1]:
        raise ValueError(f"annotator_names has {len(names)} names for {h.shape[1]} annotators")

    keep = ~np.isnan(f)
    f, h = f[keep], h[keep]
    if alignment == "rank":
        f = _normalized_ranks(f[:, None])[:, 0]
        h = _normalized_ranks(h)

    rows = []
    for j in range(h.shape[1]):
        others = np.delete(h, j, axis=1)
        n_others = (~np.isnan(others)).sum(axis=1)
        use = ~np.isnan(h[:, j]) & (n_others >= 1)
        o = others[use]
        if alignment == "accuracy":
            rated = ~np.isnan(o)
            s_f = ((o == f[use, None]) & rated).sum(axis=1) / rated.sum(axis=1)
            s_h = ((o == h[use, j, None]) & rated).sum(axis=1) / rated.sum(axis=1)
        else:
            s_f = -np.sqrt(np.nanmean((o - f[use, None]) ** 2, axis=1))
            s_h = -np.sqrt(np.nanmean((o - h[use, j, None]) ** 2, axis=1))
        w_f = (s_f >= s_h).astype(float)
        w_h = (s_h >= s_f).astype(float)
        n = int(use.sum())
        tested = n >= max(2, min_items)
        row = {
            "annotator": names[j],
            "n_items": n,
            "tested": tested,
            "advantage_probability": float(w_f.mean()) if n else np.nan,
            "human_advantage_probability": float(w_h.mean()) if n else np.nan,
            "mean_difference": float((w_h - w_f).mean()) if n else np.nan,
            "pvalue": np.nan,
        }
        if tested:
            d = w_h - w_f
            sd = d.std(ddof=1)
            if sd == 0:  # a constant difference: the t statistic is +-inf (as scipy)
                row["pvalue"] = 0.0 if d.mean() < epsilon else 1.0
            else:
                t = (d.mean() - epsilon) / (sd / np.sqrt(n))
                row["pvalue"] = float(stats.t.cdf(t, n - 1))
        rows.append(row)
    table = pd.DataFrame(rows)
    table["pvalue_adjusted"] = adjust_pvalues(table["pvalue"].to_numpy(), method="by")
    table["won"] = table["pvalue_adjusted"] <= q
    tested = table[table["tested"]]
    if len(tested):
        winning_rate = float(tested["won"].mean())
        advantage = float(tested["advantage_probability"].mean())
    else:
        winning_rate = advantage = float("nan")
    return AltTestResult(
        winning_rate=winning_rate,
        advantage_probability=advantage,
        passed=bool(winning_rate >= 0.5),
        epsilon=float(epsilon),
        q=float(q),
        alignment=alignment,
        per_annotator=table,
    )
