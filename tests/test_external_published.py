"""G-Eval Table 1 as data (radjudge.external.published).

Reference: Liu et al. (2023), G-Eval: NLG Evaluation using GPT-4 with Better Human Alignment,
EMNLP 2023, Table 1 (SummEval, summary-level Spearman rho / Kendall tau), restated here.
"""

from __future__ import annotations

import pytest

from radjudge.contracts import SUMMEVAL_CRITERIA as CRITERIA
from radjudge.external.published import G_EVAL_TABLE1, published_table

PAPER = {
    "ROUGE-1": [(0.167, 0.126), (0.160, 0.130), (0.115, 0.094), (0.326, 0.252)],
    "ROUGE-2": [(0.184, 0.139), (0.187, 0.155), (0.159, 0.128), (0.290, 0.219)],
    "G-Eval-4": [(0.582, 0.457), (0.507, 0.425), (0.506, 0.455), (0.547, 0.433)],
}


def test_rows_match_the_paper():
    pub = published_table(tuple(PAPER)).set_index(["metric", "criterion"])
    assert len(pub) == 12
    for metric, cells in PAPER.items():
        for crit, (rho, tau) in zip(CRITERIA, cells, strict=True):
            assert (pub.loc[(metric, crit), "spearman"], pub.loc[(metric, crit), "kendall"]) == (
                rho,
                tau,
            )


def test_all_rows_and_unknown_metric():
    assert published_table()["metric"].unique().tolist() == list(G_EVAL_TABLE1)
    with pytest.raises(ValueError, match="ROUGE-4"):
        published_table(("ROUGE-4",))
