"""Meta-evaluation of an automatic metric (or an LLM judge) against human scores.

The protocol of summarization meta-evaluation (SummEval, Fabbri et al. 2021;
BARTScore, Yuan et al. 2021; UniEval, Zhong et al. 2022; G-Eval, Liu et al.
2023) at three levels. A *document* is a source text (here: a patient record,
or a SummEval article) and a *system* one of the summarizers that summarized it.

summary level ("sample level" in UniEval)
    For each document, correlate metric and human scores over its systems with
    Spearman's rho and Kendall's tau-b; skip documents where either variable is
    constant (no rank correlation exists there); average over the remaining
    documents. This is what G-Eval Table 1 reports (its ``meta_eval_summeval.py``
    skips a document when ``len(set(scores)) <= 1`` for either variable).
system level
    Average each system's scores over the documents, then correlate the system
    means (one pair per system).
pooled ("dataset level")
    Correlate over all (document, system) pairs at once.

Missing values (NaN: a judge answer that could not be parsed, a missing human
rating) drop the pair they belong to; nothing is imputed. A document left with
fewer than 2 complete pairs is skipped like a constant one, and counted.

When no document (or system) has a defined correlation the mean is NaN and an
:class:`~radjudge.concordance.kendall.UndefinedStatisticWarning` is raised;
skipping constant documents is the published protocol and is reported in the
result's counts, not warned about.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from radjudge.checks import check_choice
from radjudge.concordance.kendall import UndefinedStatisticWarning

__all__ = [
    "Level",
    "MetaCorrelation",
    "SummaryLevelCorrelation",
    "per_document_correlation",
    "summary_level_correlation",
    "system_level_correlation",
    "pooled_correlation",
    "meta_evaluate",
]

Level = Literal["summary", "system", "pooled"]


@dataclass(frozen=True)
class SummaryLevelCorrelation:
    """Result of :func:`summary_level_correlation`.

    Attributes
    ----------
    spearman, kendall : float
        Mean over the used documents of Spearman's rho and Kendall's tau-b;
        NaN when no document could be used.
    n_docs : int
        Documents used (the denominator of the means).
    n_skipped_human : int
        Documents skipped because the human scores are constant over their systems.
    n_skipped_metric : int
        Documents skipped because the metric scores are constant (human scores not constant).
    n_skipped_pairs : int
        Documents skipped with fewer than 2 complete (metric, human) pairs.
    n_missing : int
        (document, system) pairs dropped for a missing metric or human score.
    spearman_se, kendall_se : float
        Standard error of each mean over documents (SD / sqrt(n_docs), ddof 1);
        NaN with fewer than 2 documents. A rough guide for small subsets.
    """

    spearman: float
    kendall: float
    n_docs: int
    n_skipped_human: int
    n_skipped_metric: int
    n_skipped_pairs: int
    n_missing: int
    spearman_se: float = float("nan")
    kendall_se: float = float("nan")

    @property
    def n_skipped(self) -> int:
        """All skipped documents."""
        return self.n_skipped_human + self.n_skipped_metric + self.n_skipped_pairs


@dataclass(frozen=True)
class MetaCorrelation:
    """Result of :func:`system_level_correlation` and :func:`pooled_correlation`.

    Attributes
    ----------
    spearman, kendall : float
        Spearman's rho and Kendall's tau-b; NaN (with a warning) when undefined.
    n : int
        Complete pairs correlated (systems, or (document, system) pairs).
    n_missing : int
        Pairs dropped for a missing value.
    """

    spearman: float
    kendall: float
    n: int
    n_missing: int


def _arrays(metric: object, human: object, *others: object) -> tuple[np.ndarray, ...]:
    m = np.asarray(metric, dtype=float)
    h = np.asarray(human, dtype=float)
    if m.ndim != 1 or m.shape != h.shape:
        raise ValueError(
            f"metric and human must be 1-D of equal length; got shapes {m.shape} and {h.shape}"
        )
    out = [m, h]
    for name, o in zip(("documents", "systems"), others, strict=False):
        a = np.asarray(o, dtype=object)
        if a.shape != m.shape:
            raise ValueError(
                f"{name} must give one label per score ({m.shape[0]}); got shape {a.shape}"
            )
        if pd.isna(a).any():
            raise ValueError(
                f"{name} has a missing label at position {int(np.flatnonzero(pd.isna(a))[0])}"
            )
        out.append(a)
    return tuple(out)


def _rho_tau(m: np.ndarray, h: np.ndarray) -> tuple[float, float]:
    return (
        float(stats.spearmanr(m, h).statistic),
        float(stats.kendalltau(m, h, variant="b").statistic),
    )


def per_document_correlation(metric: object, human: object, documents: object) -> pd.DataFrame:
    """Spearman's rho and Kendall's tau-b inside each document, and why a document is skipped.

    Parameters
    ----------
    metric, human : array_like, shape (n,)
        Scores of each (document, system) pair; NaN marks a missing score.
    documents : array_like, shape (n,)
        Document label of each pair.

    Returns
    -------
    DataFrame, shape (n_documents, 6)
        ``document, n_pairs, n_missing, spearman, kendall, skipped`` in order of
        first appearance; ``skipped`` is ``""`` (used), ``"constant_human"``,
        ``"constant_metric"`` or ``"too_few_pairs"``, and the correlations of a
        skipped document are NaN.

    Examples
    --------
    >>> docs = ["a"] * 3 + ["b"] * 3
    >>> per = per_document_correlation([1, 2, 3, 1, 2, 3], [1, 3, 2, 4, 4, 4], docs)
    >>> per[["document", "n_pairs", "spearman", "skipped"]].to_dict("records")
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'document': 'a', 'n_pairs': 3, 'spearman': 0.5, 'skipped': ''},
     {'document': 'b', 'n_pairs': 3, 'spearman': nan, 'skipped': 'constant_human'}]
    """
    m, h, d = _arrays(metric, human, documents)
    codes, labels = pd.factorize(d, sort=False)
    rows = []
    for k, label in enumerate(labels):
        sel = codes == k
        mk, hk = m[sel], h[sel]
        ok = ~(np.isnan(mk) | np.isnan(hk))
        mk, hk = mk[ok], hk[ok]
        rho = tau = float("nan")
        # Order of the checks follows G-Eval's script: human first, then metric.
        if mk.size < 2:
            why = "too_few_pairs"
        elif np.ptp(hk) == 0:
            why = "constant_human"
        elif np.ptp(mk) == 0:
            why = "constant_metric"
        else:
            why = ""
            rho, tau = _rho_tau(mk, hk)
        rows.append((label, int(ok.sum()), int((~ok).sum()), rho, tau, why))
    return pd.DataFrame(
        rows, columns=["document", "n_pairs", "n_missing", "spearman", "kendall", "skipped"]
    )


def _warn_undefined(what: str) -> None:
    warnings.warn(f"{what}; returned NaN", UndefinedStatisticWarning, stacklevel=3)


def summary_level_correlation(
    metric: object, human: object, documents: object
) -> SummaryLevelCorrelation:
    """Summary-level correlation: within each document, then averaged over documents.

    Parameters
    ----------
    metric, human : array_like, shape (n,)
        Scores of each (document, system) pair; NaN marks a missing score
        (the pair is dropped).
    documents : array_like, shape (n,)
        Document label of each pair.

    Returns
    -------
    SummaryLevelCorrelation
        Means of rho and tau-b over the documents where both variables vary,
        with the skipped documents counted by reason.

    Warns
    -----
    UndefinedStatisticWarning
        When no document has a defined correlation (the means are NaN).

    Examples
    --------
    Three documents with three systems each. In ``d1`` the metric ranks the
    systems as the humans do (rho = tau = 1); in ``d2`` one pair is swapped
    (rho = 0.5, tau = 1/3); ``d3`` has the same human score for every system and
    is skipped, as in G-Eval:

    >>> metric = [0.1, 0.2, 0.3, 0.1, 0.2, 0.3, 0.1, 0.2, 0.3]
    >>> human = [1, 2, 3, 1, 3, 2, 4, 4, 4]
    >>> res = summary_level_correlation(metric, human, ["d1"] * 3 + ["d2"] * 3 + ["d3"] * 3)
    >>> round(res.spearman, 4), round(res.kendall, 4), res.n_docs, res.n_skipped_human
    (0.75, 0.6667, 2, 1)
    """
    per = per_document_correlation(metric, human, documents)
    used = per[per["skipped"] == ""]
    if used.empty:
        _warn_undefined(
            f"summary-level correlation undefined: none of {len(per)} documents has "
            "non-constant metric and human scores over 2 or more complete pairs"
        )
    return SummaryLevelCorrelation(
        spearman=float(used["spearman"].mean()) if len(used) else float("nan"),
        kendall=float(used["kendall"].mean()) if len(used) else float("nan"),
        n_docs=len(used),
        n_skipped_human=int((per["skipped"] == "constant_human").sum()),
        n_skipped_metric=int((per["skipped"] == "constant_metric").sum()),
        n_skipped_pairs=int((per["skipped"] == "too_few_pairs").sum()),
        n_missing=int(per["n_missing"].sum()),
        spearman_se=_se(used["spearman"]),
        kendall_se=_se(used["kendall"]),
    )


def _se(values: pd.Series) -> float:
    return float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) >= 2 else float("nan")


def _correlate(m: np.ndarray, h: np.ndarray, what: str) -> MetaCorrelation:
    ok = ~(np.isnan(m) | np.isnan(h))
    mk, hk = m[ok], h[ok]
    if mk.size < 2 or np.ptp(mk) == 0 or np.ptp(hk) == 0:
        _warn_undefined(f"{what} correlation undefined (a constant variable or fewer than 2 pairs)")
        return MetaCorrelation(float("nan"), float("nan"), int(ok.sum()), int((~ok).sum()))
    rho, tau = _rho_tau(mk, hk)
    return MetaCorrelation(rho, tau, int(ok.sum()), int((~ok).sum()))


def system_level_correlation(metric: object, human: object, systems: object) -> MetaCorrelation:
    """System-level correlation: correlate the systems' mean scores.

    Each system's metric and human scores are averaged over its complete pairs
    (pairs with a missing score are dropped first, so both means cover the same
    documents); a system with no complete pair is dropped and counted.

    Parameters
    ----------
    metric, human : array_like, shape (n,)
        Scores of each (document, system) pair; NaN marks a missing score.
    systems : array_like, shape (n,)
        System label of each pair.

    Returns
    -------
    MetaCorrelation
        ``n`` is the number of systems correlated; ``n_missing`` the number of
        dropped (document, system) pairs.

    Examples
    --------
    Two documents, three systems; the system means are A (1.5, 2), B (2.5, 4)
    and C (3.5, 3) for (metric, human):

    >>> res = system_level_correlation([1, 2, 3, 2, 3, 4], [2, 4, 3, 2, 4, 3], list("ABCABC"))
    >>> res.spearman, res.n
    (0.5, 3)
    """
    m, h, s = _arrays(metric, human, systems)
    ok = ~(np.isnan(m) | np.isnan(h))
    frame = pd.DataFrame({"s": s[ok], "m": m[ok], "h": h[ok]})
    means = frame.groupby("s", sort=False)[["m", "h"]].mean()
    res = _correlate(means["m"].to_numpy(float), means["h"].to_numpy(float), "system-level")
    return MetaCorrelation(res.spearman, res.kendall, res.n, int((~ok).sum()))


def pooled_correlation(metric: object, human: object) -> MetaCorrelation:
    """Pooled ("dataset-level") correlation over all complete (document, system) pairs.

    Examples
    --------
    >>> res = pooled_correlation([1, 2, 3, float("nan")], [1, 3, 2, 5])
    >>> round(res.spearman, 4), round(res.kendall, 4), res.n, res.n_missing
    (0.5, 0.3333, 3, 1)
    """
    m, h = _arrays(metric, human)
    return _correlate(m, h, "pooled")


def meta_evaluate(
    frame: pd.DataFrame,
    *,
    metric: str,
    human: str,
    document: str = "patient_id",
    system: str = "summarizer",
    by: Sequence[str] = (),
    levels: Sequence[Level] = ("summary",),
) -> pd.DataFrame:
    """Meta-evaluate a metric against human scores in a tidy table, per group.

    Parameters
    ----------
    frame : DataFrame
        One row per (group, document, system): the columns named by ``metric``,
        ``human``, ``document``, ``system`` and ``by``. A (group, document,
        system) must appear once.
    metric, human : str
        Columns of the metric (or judge) score and the human score (e.g. the
        expert mean); NaN marks a missing score.
    document, system : str, default "patient_id", "summarizer"
        Columns identifying the document and the system.
    by : sequence of str, default ()
        Grouping columns (e.g. ``("metric", "criterion")``); one result row per
        group and level.
    levels : sequence of {"summary", "system", "pooled"}, default ("summary",)
        Which correlations to compute.

    Returns
    -------
    DataFrame
        Columns ``*by, level, spearman, kendall, n_docs, n_units, n_skipped_human,
        n_skipped_metric, n_skipped_pairs, n_missing, spearman_se, kendall_se``
        (the standard errors are summary level only, NaN elsewhere). ``n_docs`` is the number
        of documents used at summary level (all documents with a complete pair
        otherwise); ``n_units`` the number of correlated units (documents,
        systems or pairs); the ``n_skipped_*`` counts are summary level only (0
        elsewhere).

    Raises
    ------
    ValueError
        A missing column, an unknown level, or a duplicated (group, document, system).

    Examples
    --------
    >>> df = pd.DataFrame({"doc": ["a", "a", "a", "b", "b", "b"], "sys": list("xyzxyz"),
    ...                    "rouge": [0.1, 0.2, 0.3, 0.3, 0.2, 0.1], "expert": [1, 2, 3, 1, 2, 3]})
    >>> meta_evaluate(df, metric="rouge", human="expert", document="doc", system="sys")[
    ...     ["level", "spearman", "kendall", "n_docs"]]
         level  spearman  kendall  n_docs
    0  summary       0.0      0.0       2
    """
    by = list(by)
    if not levels:
        raise ValueError("levels must name at least one of summary, system, pooled")
    for lv in levels:
        check_choice("each of levels", lv, Level)
    needed = [*by, document, system, metric, human]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(
            f"meta_evaluate: column(s) {missing} not in the table (columns: {list(frame.columns)})"
        )
    dup = frame.duplicated([*by, document, system])
    if dup.any():
        row = frame.loc[dup, [*by, document, system]].iloc[0].to_dict()
        raise ValueError(
            f"meta_evaluate: {int(dup.sum())} duplicated (group, document, system) row(s), first "
            f"{row}; aggregate repeats (e.g. the mean over judge repeats) before meta-evaluating"
        )
    groups = frame.groupby(by, sort=False, dropna=False) if by else [((), frame)]
    rows = []
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        m = g[metric].to_numpy(dtype=float, na_value=np.nan)
        h = g[human].to_numpy(dtype=float, na_value=np.nan)
        complete = ~(np.isnan(m) | np.isnan(h))
        n_docs_complete = int(pd.Series(g[document].to_numpy()[complete]).nunique())
        for level in levels:
            if level == "summary":
                r = summary_level_correlation(m, h, g[document].to_numpy())
                rows.append(
                    (
                        *key,
                        level,
                        r.spearman,
                        r.kendall,
                        r.n_docs,
                        r.n_docs,
                        r.n_skipped_human,
                        r.n_skipped_metric,
                        r.n_skipped_pairs,
                        r.n_missing,
                        r.spearman_se,
                        r.kendall_se,
                    )
                )
            else:
                c = (
                    system_level_correlation(m, h, g[system].to_numpy())
                    if level == "system"
                    else pooled_correlation(m, h)
                )
                rows.append(
                    (
                        *key,
                        level,
                        c.spearman,
                        c.kendall,
                        n_docs_complete,
                        c.n,
                        0,
                        0,
                        0,
                        c.n_missing,
                        float("nan"),
                        float("nan"),
                    )
                )
    return pd.DataFrame(
        rows,
        columns=[
            *by,
            "level",
            "spearman",
            "kendall",
            "n_docs",
            "n_units",
            "n_skipped_human",
            "n_skipped_metric",
            "n_skipped_pairs",
            "n_missing",
            "spearman_se",
            "kendall_se",
        ],
    )
