"""LLM judges on SummEval (radjudge.external.judges): values from judge ratings, the results table,
and a small real run of a local judge through the study's judge sweep."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from radjudge.contracts import JUDGE_RATINGS, SUMMEVAL_CRITERIA, SUMMEVAL_JUDGES
from radjudge.external import judges as ej
from radjudge.external import read_summeval, select_documents


@pytest.fixture(scope="module")
def summeval():
    return read_summeval()


@pytest.fixture(scope="module")
def human(summeval):
    em = summeval.expert_means.rename(
        columns={"doc_id": "patient_id", "system_id": "summarizer", "score": "human"}
    )
    return em[["patient_id", "summarizer", "criterion", "human"]]


def _ratings(human: pd.DataFrame, docs, criterion: str, judge: str, transform) -> pd.DataFrame:
    h = human[(human["patient_id"].isin(docs)) & (human["criterion"] == criterion)]
    return pd.DataFrame(
        {
            "judge": judge,
            "criterion": criterion,
            "scale": 5,
            "granularity": "full",
            "repeat": 0,
            "patient_id": h["patient_id"].to_numpy(),
            "summarizer": h["summarizer"].to_numpy(),
            "score": pd.array(
                np.clip(np.rint(transform(h["human"].to_numpy())), 1, 5).astype(int), dtype="Int64"
            ),
            "expected_score": transform(h["human"].to_numpy()).astype(float),
            "status": "ok",
        }
    )


def test_a_judge_equal_to_the_experts_scores_one_and_a_reversed_one_minus_one(summeval, human):
    docs = select_documents(summeval, n_docs=4, seed=3)
    ratings = pd.concat(
        [
            _ratings(human, docs, "relevance", "oracle", lambda h: h),
            _ratings(human, docs, "relevance", "contrarian", lambda h: 6 - h),
        ],
        ignore_index=True,
    )
    res = ej.judge_results(ej.judge_values(ratings), human, published=("G-Eval-4",)).set_index(
        ["kind", "method"]
    )
    assert list(res.reset_index().columns) == list(SUMMEVAL_JUDGES.names())
    oracle, contrarian = res.loc[("judge", "oracle")], res.loc[("judge", "contrarian")]
    assert (oracle["spearman"], oracle["kendall"], oracle["kendall_w"]) == pytest.approx((1, 1, 1))
    assert (
        contrarian["spearman"],
        contrarian["kendall"],
        contrarian["kendall_w"],
    ) == pytest.approx((-1, -1, 0))
    assert oracle["n_docs"] == 4 and oracle["n_items"] == 64 and oracle["n_missing"] == 0
    g4 = res.loc[("published", "G-Eval-4")].set_index("criterion")
    assert g4.loc["relevance", "spearman"] == 0.547 and np.isnan(g4.loc["relevance", "kendall_w"])


def test_failed_answers_are_missing_never_scores(summeval, human):
    docs = select_documents(summeval, n_docs=2, seed=3)
    r = _ratings(human, docs, "coherence", "j", lambda h: h)
    r.loc[:4, "status"] = "unparseable"
    r.loc[:4, "score"] = pd.NA
    r.loc[5:6, "expected_score"] = np.nan  # generation mode: falls back to the parsed score
    v = ej.judge_values(r)
    assert v["value"].isna().sum() == 5
    assert v.loc[5, "value"] == float(r.loc[5, "score"])
    res = ej.judge_results(v, human, published=())
    assert (res.loc[0, "n_items"], res.loc[0, "n_missing"]) == (27, 5)
    with pytest.raises(ValueError, match="use must be"):
        ej.judge_values(r, use="mean")


def test_metric_rows_are_computed_on_the_judged_articles_only(summeval, human):
    docs = select_documents(summeval, n_docs=2, seed=5)
    r = _ratings(human, docs, "fluency", "j", lambda h: h)
    rouge = pd.DataFrame(
        {
            "doc_id": human["patient_id"],
            "system_id": human["summarizer"],
            "metric": "ROUGE-1",
            "score": human["human"],
        }
    ).drop_duplicates(["doc_id", "system_id"])
    res = ej.judge_results(ej.judge_values(r), human, rouge=rouge, published=())
    metric = res[res["kind"] == "metric"].set_index("criterion")
    assert set(metric.index) == set(SUMMEVAL_CRITERIA)
    assert (metric["n_items"] == 32).all()


def test_a_judged_summary_without_expert_mean_is_an_error(human):
    bad = pd.DataFrame(
        {
            "judge": ["j"],
            "criterion": ["coherence"],
            "scale": [5],
            "granularity": ["full"],
            "patient_id": ["nope"],
            "summarizer": ["M0"],
            "value": [3.0],
        }
    )
    with pytest.raises(ValueError, match="no expert mean"):
        ej.judge_results(bad, human)


@pytest.mark.slow
def test_small_real_run_with_smollm2(summeval, human, tmp_path):
    # One article x 16 systems, SmolLM2 as a logprobs judge, one configuration; real model, real
    # cache.
    from radjudge.judge import load_template, render_judge_prompt
    from radjudge.profiles import load_profile
    from radjudge.rubric import load_rubric

    models = load_profile("demo").shared["models"]
    sub = summeval.subset(select_documents(summeval, n_docs=1, seed=20240611))
    run = ej.run_summeval_judges(
        sub,
        judges=["smollm2"],
        models=models,
        criteria=["coherence"],
        scales=[5],
        granularities=["full"],
        cache_dir=str(tmp_path / "cache"),
        cache_mode="readwrite",
        progress=False,
    )
    r = run.ratings
    assert list(r.columns) == list(JUDGE_RATINGS.names()) and len(r) == 16
    assert (r["status"] == "ok").all() and r["expected_score"].between(1, 5).all()
    assert r["score"].between(1, 5).all() and r["valid_mass"].between(0, 1).all()
    first = sub.summaries.iloc[0]
    prompt = render_judge_prompt(
        sub.documents["source"].iloc[0],
        first["text"],
        criterion="coherence",
        scale=5,
        granularity="full",
        rubric=load_rubric("summeval", language="en"),
        template=load_template(ej.SUMMEVAL_TEMPLATE),
    )
    assert (
        r.loc[(r["summarizer"] == first["system_id"]), "prompt_hash"].item() == prompt.prompt_hash
    )
    assert (
        run.guard["prompts_allowed_as_public"] >= 1
        and run.cache_stats["models"]["smollm2"]["model_loaded"]
    )
    res = ej.judge_results(ej.judge_values(r), human, published=("G-Eval-4",))
    assert list(res.columns) == list(SUMMEVAL_JUDGES.names())
    row = res[res["kind"] == "judge"].iloc[0]
    assert row["n_items"] == 16 and -1 <= row["spearman"] <= 1 and 0 <= row["kendall_w"] <= 1
    # the same run again is answered from the cache without loading the model
    again = ej.run_summeval_judges(
        sub,
        judges=["smollm2"],
        models=models,
        criteria=["coherence"],
        scales=[5],
        granularities=["full"],
        cache_dir=str(tmp_path / "cache"),
        cache_mode="readonly",
        progress=False,
    )
    assert (
        again.ratings["cached"].all() and not again.cache_stats["models"]["smollm2"]["model_loaded"]
    )
    assert again.ratings["expected_score"].tolist() == r["expected_score"].tolist()
