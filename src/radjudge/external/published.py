"""Published summary-level correlations on SummEval, for comparison.

Source: Liu Y., Iter D., Xu Y., Wang S., Xu R., Zhu C. (2023). G-Eval: NLG
Evaluation using GPT-4 with Better Human Alignment. EMNLP 2023, pp. 2511-2522,
Table 1 ("Summary-level Spearman (rho) and Kendall-Tau (tau) correlations of
different metrics on SummEval benchmark"). The ROUGE, BARTScore and UniEval
rows are those of UniEval (Zhong et al. 2022, EMNLP) on the same data.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["G_EVAL_TABLE1", "published_table"]

#: ``{metric: {criterion: (spearman, kendall)}}`` from G-Eval Table 1.
G_EVAL_TABLE1: dict[str, dict[str, tuple[float, float]]] = {
    "ROUGE-1": {
        "coherence": (0.167, 0.126),
        "consistency": (0.160, 0.130),
        "fluency": (0.115, 0.094),
        "relevance": (0.326, 0.252),
    },
    "ROUGE-2": {
        "coherence": (0.184, 0.139),
        "consistency": (0.187, 0.155),
        "fluency": (0.159, 0.128),
        "relevance": (0.290, 0.219),
    },
    "ROUGE-L": {
        "coherence": (0.128, 0.099),
        "consistency": (0.115, 0.092),
        "fluency": (0.105, 0.084),
        "relevance": (0.311, 0.237),
    },
    "BARTScore": {
        "coherence": (0.448, 0.342),
        "consistency": (0.382, 0.315),
        "fluency": (0.356, 0.292),
        "relevance": (0.356, 0.273),
    },
    "UniEval": {
        "coherence": (0.575, 0.442),
        "consistency": (0.446, 0.371),
        "fluency": (0.449, 0.371),
        "relevance": (0.426, 0.325),
    },
    "G-Eval-3.5": {
        "coherence": (0.440, 0.335),
        "consistency": (0.386, 0.318),
        "fluency": (0.424, 0.347),
        "relevance": (0.385, 0.293),
    },
    "G-Eval-4": {
        "coherence": (0.582, 0.457),
        "consistency": (0.507, 0.425),
        "fluency": (0.506, 0.455),
        "relevance": (0.547, 0.433),
    },
}


def published_table(metrics: tuple[str, ...] | None = None) -> pd.DataFrame:
    """G-Eval Table 1 as a tidy table.

    Parameters
    ----------
    metrics : tuple of str, optional
        Rows to keep (e.g. ``("ROUGE-1", "G-Eval-4")``); all by default.

    Returns
    -------
    DataFrame
        ``metric, criterion, spearman, kendall``.

    Examples
    --------
    >>> published_table(("G-Eval-4",)).iloc[0].to_dict()
    {'metric': 'G-Eval-4', 'criterion': 'coherence', 'spearman': 0.582, 'kendall': 0.457}
    """
    names = list(G_EVAL_TABLE1) if metrics is None else list(metrics)
    unknown = [m for m in names if m not in G_EVAL_TABLE1]
    if unknown:
        raise ValueError(f"unknown published metric(s) {unknown}; known: {list(G_EVAL_TABLE1)}")
    rows = [(m, c, rho, tau) for m in names for c, (rho, tau) in G_EVAL_TABLE1[m].items()]
    return pd.DataFrame(rows, columns=["metric", "criterion", "spearman", "kendall"])
