"""Multi-reference ROUGE on SummEval (radjudge.external.rouge): reproduction of the published rows.

Reference values: Liu et al. (2023), G-Eval: NLG Evaluation using GPT-4 with Better Human
Alignment, EMNLP 2023, Table 1 (SummEval, summary-level Spearman rho / Kendall tau), rows
ROUGE-1, ROUGE-2 and ROUGE-L - held in radjudge.external.published.G_EVAL_TABLE1 and
restated below so that the test does not just compare the package with itself.
"""

from __future__ import annotations

import numpy as np
import pytest
from rouge_score import rouge_scorer

from radjudge.contracts import SUMMEVAL_CRITERIA as CRITERIA
from radjudge.external import expert_means, load_summeval_ratings, read_summeval, write_ratings_csv
from radjudge.external.rouge import rouge_baselines, rouge_scores, split_sentences

# G-Eval Table 1 (rho, tau) per criterion: coherence, consistency, fluency, relevance.
G_EVAL_TABLE1_ROUGE = {
    "ROUGE-1": [(0.167, 0.126), (0.160, 0.130), (0.115, 0.094), (0.326, 0.252)],
    "ROUGE-2": [(0.184, 0.139), (0.187, 0.155), (0.159, 0.128), (0.290, 0.219)],
    "ROUGE-L": [(0.128, 0.099), (0.115, 0.092), (0.105, 0.084), (0.311, 0.237)],
}


@pytest.fixture(scope="module")
def data():
    return read_summeval()


@pytest.mark.slow
def test_mean_over_references_equals_plain_rouge_score(data):
    # The cached tokenizer and the sentence split change nothing but speed for ROUGE-1/2,
    # and ROUGE-L is rouge-score's rougeLsum on the " . "-split text.
    sub = data.subset(list(data.documents["doc_id"].iloc[:1]))
    got = rouge_scores(sub).pivot(index="system_id", columns="metric", values="score")
    plain = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    refs = sub.references["text"].tolist()
    for system, text in sub.summaries[["system_id", "text"]].itertuples(index=False):
        s = [plain.score(r, text) for r in refs]
        assert got.loc[system, "ROUGE-1"] == pytest.approx(
            np.mean([x["rouge1"].fmeasure for x in s]), abs=1e-12
        )
        assert got.loc[system, "ROUGE-2"] == pytest.approx(
            np.mean([x["rouge2"].fmeasure for x in s]), abs=1e-12
        )
        lsum = [
            plain.score(split_sentences(r), split_sentences(text))["rougeLsum"].fmeasure
            for r in refs
        ]
        assert got.loc[system, "ROUGE-L"] == pytest.approx(np.mean(lsum), abs=1e-12)
    best = rouge_scores(sub, metrics=("ROUGE-2",), aggregate="max").set_index("system_id")["score"]
    mean = got["ROUGE-2"].reindex(best.index).to_numpy()
    assert (best.to_numpy() >= mean).all() and (best.to_numpy() > mean).any()


def test_bad_options_are_named(data):
    with pytest.raises(ValueError, match="ROUGE-3"):
        rouge_scores(data, metrics=("ROUGE-3",))
    with pytest.raises(ValueError, match="aggregate"):
        rouge_scores(data, aggregate="median")


@pytest.mark.slow
def test_reproduces_g_eval_table1_rouge_rows(data, tmp_path):
    # Averaged F over the 11 references, Porter stemming (rouge-score use_stemmer=True),
    # expert means imported through load_expert_ratings; within 0.005 of every published cell.
    human = expert_means(load_summeval_ratings(write_ratings_csv(data, tmp_path / "r.csv")))
    table = rouge_baselines(rouge_scores(data), human).set_index(["metric", "criterion"])
    assert list(table.reset_index().columns[:5]) == [
        "metric",
        "criterion",
        "spearman",
        "kendall",
        "n_docs",
    ]
    for metric, cells in G_EVAL_TABLE1_ROUGE.items():
        for crit, (rho, tau) in zip(CRITERIA, cells, strict=True):
            row = table.loc[(metric, crit)]
            assert abs(row["spearman"] - rho) <= 0.005, (metric, crit, row["spearman"], rho)
            assert abs(row["kendall"] - tau) <= 0.005, (metric, crit, row["kendall"], tau)
    # Articles whose 16 summaries got one expert mean are skipped: 4 for consistency, 2 for fluency.
    n_docs = table.xs("ROUGE-1", level="metric")["n_docs"].to_dict()
    assert n_docs == {"coherence": 100, "consistency": 96, "fluency": 98, "relevance": 100}
    assert (table["n_skipped_metric"] == 0).all()
