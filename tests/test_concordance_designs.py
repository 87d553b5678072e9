"""From the tidy tables to matrices: validation, consensus, judge values, failed answers counted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from radjudge.concordance.designs import (
    expert_consensus,
    judge_item_values,
    prepare_data,
)
from radjudge.contracts import JUDGE_KINDS


def _experts():
    rows = []
    for e, cat, scores in [
        ("E1", "radiologist", [5, 3, 1, 4]),
        ("E2", "radiologist", [4, 3, 2, None]),
        ("E3", "clinician", [5, 2, 1, 4]),
    ]:
        for (p, s), score in zip(
            [("P1", "a"), ("P1", "b"), ("P2", "a"), ("P2", "b")], scores, strict=True
        ):
            rows.append(
                {
                    "expert_id": e,
                    "expert_category": cat,
                    "patient_id": p,
                    "summarizer": s,
                    "criterion": "completeness",
                    "scale_max": 5,
                    "score": score,
                    "source_file": "x",
                }
            )
    df = pd.DataFrame(rows)
    df["score"] = df["score"].astype("Int64")
    return df


def _judges():
    base = {
        "judge": "j1",
        "judge_kind": "llm",
        "criterion": "completeness",
        "scale": 10,
        "granularity": "full",
        "distribution": None,
        "raw": "",
        "prompt_hash": "h",
        "prompt_tokens": 1,
        "completion_tokens": 1,
        "latency_s": 0.1,
    }
    rows = []
    for rep in (0, 1):
        for (p, s), (score, expected, status) in zip(
            [("P1", "a"), ("P1", "b"), ("P2", "a"), ("P2", "b"), ("P3", "a")],
            [
                (9, 8.5 + rep, "ok"),
                (5, np.nan, "ok"),
                (None, np.nan, "unparseable" if rep else "failed"),
                (7, np.nan, "ok" if rep else "refused"),
                (3, np.nan, "ok"),
            ],
            strict=True,
        ):
            rows.append(
                {
                    **base,
                    "repeat": rep,
                    "patient_id": p,
                    "summarizer": s,
                    "score": score,
                    "expected_score": expected,
                    "status": status,
                    "mode": "generate",
                }
            )
    df = pd.DataFrame(rows)
    df["score"] = df["score"].astype("Int64")
    return df


def test_consensus_is_the_mean_of_non_missing_scores():
    cons = expert_consensus(_experts()).set_index(["patient_id", "summarizer"])
    assert cons.loc[("P1", "a"), "consensus"] == pytest.approx(14 / 3)
    assert cons.loc[("P2", "b"), "consensus"] == pytest.approx(4.0)
    assert cons.loc[("P2", "b"), "n_experts"] == 2 and cons.loc[("P2", "b"), "n_missing"] == 1
    only = expert_consensus(_experts(), experts=["E3"]).set_index(["patient_id", "summarizer"])
    assert only.loc[("P1", "b"), "consensus"] == 2


def test_judge_values_average_ok_repeats_and_count_failures():
    v = judge_item_values(_judges()).set_index(["patient_id", "summarizer"])
    assert v.loc[("P1", "a"), "value"] == pytest.approx(9.0)  # expected_score 8.5 and 9.5
    assert v.loc[("P1", "b"), "value"] == 5  # score where there is no expected_score
    assert np.isnan(v.loc[("P2", "a"), "value"]) and v.loc[("P2", "a"), "n_failed"] == 2
    assert v.loc[("P2", "b"), "value"] == 7 and v.loc[("P2", "b"), "n_failed"] == 1
    scores_only = judge_item_values(_judges(), value="score").set_index(
        ["patient_id", "summarizer"]
    )
    assert scores_only.loc[("P1", "a"), "value"] == 9


def test_prepare_data_aligns_on_expert_items():
    data = prepare_data(_experts(), _judges())
    assert data.items.to_records(index=False).tolist() == [
        ("P1", "a"),
        ("P1", "b"),
        ("P2", "a"),
        ("P2", "b"),
    ]
    assert data.patients.tolist() == ["P1", "P1", "P2", "P2"]
    assert data.n_patients == 2 and data.criteria == ["completeness"]
    assert data.experts["expert_id"].tolist() == ["E1", "E2", "E3"]
    np.testing.assert_array_equal(data.expert_scores["completeness"][:, 1], [4, 3, 2, np.nan])
    np.testing.assert_allclose(data.judge_values[0], [9.0, 5.0, np.nan, 7.0])
    cfg = data.configs.iloc[0]
    assert (
        cfg["n_rows"],
        cfg["n_failed_rows"],
        cfg["n_items_valued"],
        cfg["n_items_unmatched"],
    ) == (10, 3, 3, 1)
    np.testing.assert_allclose(data.consensus("completeness"), [14 / 3, 8 / 3, 4 / 3, 4.0])
    np.testing.assert_allclose(
        data.consensus("completeness", data.category_columns("clinician")), [5, 2, 1, 4]
    )
    assert data.config_label(0) == "judge=j1, criterion=completeness, scale=10, granularity=full"
    assert (cfg["judge_kind"], cfg["valid"], cfg["validity_reason"]) == ("llm", True, None)


def test_a_metric_has_no_scale_and_no_granularity():
    metric = _judges().assign(
        judge="rouge", judge_kind="metric", scale=pd.NA, granularity=None, mode="metric"
    )
    data = prepare_data(_experts(), pd.concat([_judges(), metric], ignore_index=True))
    assert data.configs["judge_kind"].tolist() == list(JUDGE_KINDS)  # llm first, then metric
    rouge = data.configs.iloc[1]
    assert pd.isna(rouge["scale"]) and pd.isna(rouge["granularity"])
    np.testing.assert_allclose(data.judge_values[1], data.judge_values[0])
    assert data.llm().configs["judge"].tolist() == ["j1"]


def test_configurations_of_unrated_criteria_are_set_aside():
    judges = pd.concat([_judges(), _judges().assign(criterion="structure")], ignore_index=True)
    data = prepare_data(_experts(), judges)
    assert len(data.configs) == 1 and data.dropped_configs["criterion"].tolist() == ["structure"]


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda e: e.drop(columns=["scale_max"]), "lacks column"),
        (lambda e: pd.concat([e, e.iloc[[0]]]), "repeat an"),
        (
            lambda e: e.assign(score=e["score"].where(e.index != 2, 6)),
            "not an integer in 1..scale_max",
        ),
        (lambda e: e.assign(scale_max=np.where(e["expert_id"] == "E3", 7, 5)), "several scales"),
        (
            lambda e: e.assign(
                expert_category=np.where(e.index == 0, "other", e["expert_category"])
            ),
            "several categories",
        ),
        (
            lambda e: e.assign(patient_id=e["patient_id"].where(e.index != 1, None)),
            "missing in row 1",
        ),
        (
            lambda e: e.assign(scale_max=e["scale_max"].where(e.index != 4, np.nan)),
            "row 4: scale_max",
        ),
    ],
)
def test_expert_table_errors(mutate, match):
    with pytest.raises(ValueError, match=match):
        prepare_data(mutate(_experts()), _judges())


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda j: j.drop(columns=["status"]), "lacks column"),
        (lambda j: j.assign(status=j["status"].replace("refused", "timeout")), "unknown status"),
        (lambda j: pd.concat([j, j.iloc[[0]]]), "repeat a"),
        (
            lambda j: j.assign(
                score=pd.array([None] * len(j), dtype="Int64"), expected_score=np.nan
            ),
            "no auto value",
        ),
        (lambda j: j.assign(judge_kind="baseline"), "unknown judge_kind value"),
        (
            lambda j: j.assign(judge_kind=np.where(j.index == 0, "metric", "llm")),
            "several judge_kind values",
        ),
    ],
)
def test_judge_table_errors(mutate, match):
    with pytest.raises(ValueError, match=match):
        prepare_data(_experts(), mutate(_judges()))


def test_config_columns_must_name_judge_and_criterion():
    with pytest.raises(ValueError, match="config_columns"):
        prepare_data(_experts(), _judges(), config_columns=("scale", "granularity"))
