"""radjudge.figures.summaries: rating-level tables, counted by hand on simulated ratings."""

from __future__ import annotations

import pandas as pd
import pytest

from figure_tables import simulated_ratings
from radjudge.figures import summaries as S


@pytest.fixture(scope="module")
def ratings():
    return simulated_ratings(seed=3)


def test_score_use_counts_only_valid_scores(ratings):
    experts, judges, _ = ratings
    t = S.score_use_table(judges, experts)
    ok = judges[(judges["status"] == "ok") & judges["score"].notna()]
    assert t.loc[t["rater_kind"] == "judge", "n"].sum() == len(ok)
    assert t.loc[t["rater_kind"] == "expert", "n"].sum() == experts["score"].notna().sum()
    one = ok[(ok["judge"] == ok["judge"].iloc[0]) & (ok["scale"] == 5)]
    by_hand = one["score"].astype(int).value_counts().sort_index()
    got = t[(t["rater"] == ok["judge"].iloc[0]) & (t["scale"] == 5)].set_index("score")["n"]
    assert got.sort_index().tolist() == by_hand.tolist()
    assert (judges["status"] != "ok").any()  # the failures exist and were not counted


def test_length_scores_are_means_on_zero_one(ratings):
    experts, judges, summaries = ratings
    t = S.length_score_table(judges, experts, summaries)
    assert t["score_norm"].between(0, 1).all()
    e = experts.dropna(subset=["score"])
    first = e.iloc[0]
    cell = e[(e["patient_id"] == first["patient_id"]) & (e["summarizer"] == first["summarizer"])]
    by_hand = ((cell["score"].astype(float) - 1) / (cell["scale_max"] - 1)).mean()
    got = t[
        (t["rater"] == "experts")
        & (t["patient_id"] == first["patient_id"])
        & (t["summarizer"] == first["summarizer"])
    ]["score_norm"].item()
    assert got == pytest.approx(by_hand)
    length = summaries.set_index(["patient_id", "summarizer"]).loc[
        (first["patient_id"], first["summarizer"]), "text"
    ]
    assert t[(t["patient_id"] == first["patient_id"]) & (t["summarizer"] == first["summarizer"])][
        "summary_length"
    ].iloc[0] == len(length)


def test_metric_reference_lines_are_in_no_rating_summary(ratings):
    # A metric (ROUGE-L) has no scale and no model: it is neither a scale user, nor a rater
    # whose length bias or self-preference the figures compare with the judges.
    experts, judges, summaries = ratings
    assert (judges["judge_kind"] == "metric").any()
    metrics = set(judges.loc[judges["judge_kind"] == "metric", "judge"])
    tables = S.rating_summaries(judges, experts, summaries)
    assert not metrics & set(tables["score_use"]["rater"])
    assert not metrics & set(tables["length_scores"]["rater"])
    assert not metrics & set(tables["self_preference"]["judge"])
    llm = set(judges.loc[judges["judge_kind"] == "llm", "judge"])
    assert llm <= set(tables["length_scores"]["rater"])


def test_length_table_refuses_ratings_of_unknown_summaries(ratings):
    experts, judges, summaries = ratings
    with pytest.raises(ValueError, match="not in the summaries table"):
        S.length_score_table(judges, experts, summaries.iloc[1:])


def test_self_preference_pairs(ratings):
    experts, judges, summaries = ratings
    t = S.self_preference_table(judges, experts, summaries)
    assert t.loc[t["is_self"], ["judge", "summarizer"]].values.tolist() == [
        ["gemma3-sample", "gemma3"],
        ["smollm2-logprobs", "smollm2"],
    ]
    forced = S.self_preference_table(
        judges, experts, summaries, judge_models={"gemma3-sample": "smollm2"}
    )
    assert ["gemma3-sample", "smollm2"] in forced.loc[
        forced["is_self"], ["judge", "summarizer"]
    ].values.tolist()


def test_write_refuses_unknown_tables(tmp_path, ratings):
    with pytest.raises(ValueError, match="unknown table"):
        S.write_rating_summaries({"other": pd.DataFrame()}, tmp_path)
    with pytest.raises(ValueError, match="status"):
        S.score_use_table(ratings[1].drop(columns=["status"]), ratings[0])
