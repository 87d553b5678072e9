"""Synthetic tables follow the stage-03/04 contracts and carry the structure they promise."""

from __future__ import annotations

import numpy as np
import pandas as pd

from radjudge.concordance.designs import prepare_data
from radjudge.concordance.synthetic import simulate_tables
from radjudge.contracts import EXPERT_RATINGS, JUDGE_RATINGS


def _small(seed=0, **kw):
    return simulate_tables(
        n_patients=8,
        summarizers=("a", "b", "c"),
        criteria=("completeness", "structure"),
        experts={"radiologist": 2, "clinician": 2},
        judges={"j1": 2.0, "j2": 0.5},
        scales=(5, 10),
        granularities=("full", "none"),
        seed=seed,
        **kw,
    )


def test_contract_columns_and_types():
    t = _small()
    EXPERT_RATINGS.check(t.expert_ratings)  # every column, in the stage-03 dtypes
    JUDGE_RATINGS.check(t.judge_ratings)
    assert t.expert_ratings["score"].dtype == "Int64" and t.judge_ratings["score"].dtype == "Int64"
    ok = t.judge_ratings["status"] == "ok"
    assert t.judge_ratings.loc[~ok, "score"].isna().all()  # a failed answer is never a score
    assert t.judge_ratings.loc[~ok, "expected_score"].isna().all()
    assert set(t.judge_ratings["mode"]) == {"logprobs", "generate"}
    assert t.judge_ratings.loc[t.judge_ratings["mode"] == "generate", "expected_score"].isna().all()
    s = t.judge_ratings.loc[ok]
    assert ((s["score"] >= 1) & (s["score"] <= s["scale"])).all()
    assert len(t.expert_ratings) == 8 * 3 * 2 * 4 and len(t.judge_ratings) == 8 * 3 * 2 * 2 * 2 * 2


def test_seeded_and_failure_rate():
    a, b = _small(seed=1), _small(seed=1)
    pd.testing.assert_frame_equal(a.judge_ratings, b.judge_ratings)
    big = simulate_tables(seed=2, failure_rate=0.1)
    share = (big.judge_ratings["status"] != "ok").mean()
    assert 0.09 < share < 0.11


def test_the_skilled_judge_agrees_more_with_the_experts():
    t = simulate_tables(
        seed=3, n_patients=20, criteria=("completeness",), scales=(5,), granularities=("full",)
    )
    data = prepare_data(t.expert_ratings, t.judge_ratings)
    cons = data.consensus("completeness")
    rho = {
        j: np.corrcoef(cons, np.nan_to_num(v, nan=np.nanmean(v)))[0, 1]
        for j, v in zip(data.configs["judge"], data.judge_values, strict=True)
    }
    assert rho["judge_a"] > rho["judge_d"]
