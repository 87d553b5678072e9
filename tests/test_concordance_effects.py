"""Factor effects within judges: paired contrasts recover a known effect that a pooled mean hides."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from radjudge.concordance import analysis as ca
from radjudge.concordance.bootstrap import BootstrapSettings
from radjudge.concordance.designs import prepare_data
from radjudge.concordance.effects import bootstrap_pvalue, factor_levels, paired_factor_effects
from radjudge.concordance.multiple import adjust_pvalues
from radjudge.concordance.synthetic import simulate_tables
from radjudge.contracts import FACTOR_EFFECTS

TRUE_EFFECT = -0.05  # W(scale 10) - W(scale 3), the same within every judge
B = 999


def _confounded_grid() -> ca.ConcordanceGrid:
    """Judge A agrees with the experts far better than B, and mostly ran scale 10; B scale 3.

    Within each judge scale 10 costs 0.05 of W. The unpaired means by level mix the
    judges: scale 10 is mostly A, so it looks better (+0.033). Only (judge, criterion)
    settings run at both scales pair up: (A, c1) and (B, c1). B's scale-10 run on c2 is
    invalid (it failed the gate with a spurious W of 0.95) and a metric reference line
    rates c1 with W 0.9: neither may enter.
    """
    rows = [
        # judge, kind, criterion, scale, w, valid
        ("A", "llm", "c1", 10, 0.75, True),
        ("A", "llm", "c2", 10, 0.75, True),
        ("A", "llm", "c1", 3, 0.80, True),
        ("B", "llm", "c1", 3, 0.55, True),
        ("B", "llm", "c2", 3, 0.55, True),
        ("B", "llm", "c1", 10, 0.50, True),
        ("B", "llm", "c2", 10, 0.95, False),
        ("rouge", "metric", "c1", pd.NA, 0.90, True),
    ]
    table = pd.DataFrame(rows, columns=["judge", "judge_kind", "criterion", "scale", "w", "valid"])
    table["scale"] = table["scale"].astype("Int64")
    table["granularity"] = ["full"] * 7 + [None]
    rng = np.random.default_rng(0)
    shared = rng.normal(scale=0.03, size=B)  # every configuration sees the same resample
    reps = table["w"].to_numpy()[:, None] + shared + rng.normal(scale=0.005, size=(len(table), B))
    jack = table["w"].to_numpy()[:, None] + rng.normal(scale=0.002, size=(len(table), 10))
    return ca.ConcordanceGrid(
        table, reps, jack, "percentile", 0.05, ("judge", "criterion", "scale", "granularity")
    )


def test_the_paired_estimate_recovers_the_effect_the_pooled_mean_gets_wrong():
    grid = _confounded_grid()
    t = grid.table[grid.table["valid"] & (grid.table["judge_kind"] == "llm")]
    pooled = t.loc[t["scale"] == 10, "w"].mean() - t.loc[t["scale"] == 3, "w"].mean()
    assert pooled == pytest.approx(1 / 30)  # wrong sign: the judges are confounded with scale

    eff = paired_factor_effects(grid, factors=["scale"])
    assert list(eff.columns) == list(FACTOR_EFFECTS.names())
    row = eff[eff["judge"].isna()].iloc[0]
    assert (row["factor"], row["level"], row["reference"]) == ("scale", "10", "3")
    assert row["n_pairs"] == 2 and row["n_judges"] == 2
    assert row["delta_w"] == pytest.approx(TRUE_EFFECT, abs=1e-12)
    assert row["ci_low"] < TRUE_EFFECT < row["ci_high"] < 0
    assert row["w_level"] == pytest.approx(0.625) and row["w_reference"] == pytest.approx(0.675)
    assert 2 / (B + 1) <= row["p"] < 0.01 and row["p_adj"] >= row["p"]
    per_judge = eff[eff["judge"].notna()].set_index("judge")
    assert list(per_judge.index) == ["A", "B"]
    np.testing.assert_allclose(per_judge["delta_w"], TRUE_EFFECT, atol=1e-12)
    assert (per_judge["n_pairs"] == 1).all()


def test_p_values_are_adjusted_within_the_factor_and_never_zero():
    grid = _confounded_grid()
    eff = paired_factor_effects(grid, factors=["scale", "criterion"])
    for _, g in eff.groupby("factor"):
        np.testing.assert_allclose(g["p_adj"], adjust_pvalues(g["p"].to_numpy(), method="holm"))
    assert (eff["p"] > 0).all()
    crit = eff[(eff["factor"] == "criterion") & eff["judge"].isna()].iloc[0]
    # criterion pairs: same judge and scale; (A, 10) and (B, 3); c2 - c1 is 0 in both
    assert crit["n_pairs"] == 2 and crit["delta_w"] == pytest.approx(0.0, abs=1e-12)
    assert crit["p"] > 0.05
    none = paired_factor_effects(grid, factors=["scale"], p_adjust="none")
    np.testing.assert_allclose(none["p_adj"], none["p"])


def test_references_and_errors():
    grid = _confounded_grid()
    eff = paired_factor_effects(grid, factors=["scale"], references={"scale": 10}, by_judge=False)
    assert len(eff) == 1 and eff["level"].iat[0] == "3"
    assert eff["delta_w"].iat[0] == pytest.approx(-TRUE_EFFECT)
    with pytest.warns(UserWarning, match="reference 5 of scale"):
        assert paired_factor_effects(grid, factors=["scale"], references={"scale": 5}).empty
    with pytest.raises(ValueError, match="not a configuration column"):
        paired_factor_effects(grid, factors=["temperature"])
    with pytest.raises(ValueError, match="not a configuration column"):
        paired_factor_effects(grid, factors=["judge"])
    # a factor with one level gives no row
    assert paired_factor_effects(grid, factors=["granularity"]).empty


def test_helpers():
    assert bootstrap_pvalue(np.array([np.nan, np.nan])) != bootstrap_pvalue(np.array([0.1]))
    assert np.isnan(bootstrap_pvalue(np.array([np.nan])))
    assert bootstrap_pvalue(np.zeros(9)) == 1.0
    assert factor_levels(["structure", "completeness", "other"], "criterion") == [
        "completeness",
        "structure",
        "other",
    ]


def test_end_to_end_the_known_granularity_effect_is_found():
    """simulate_tables makes every judge noisier without a scale description (none vs full)."""
    t = simulate_tables(
        n_patients=30,
        summarizers=("gold", "llm_a", "llm_b", "llm_c"),
        criteria=("completeness", "correctness"),
        experts={"radiologist": 3, "clinician": 3},
        judges={"j1": 1.5, "j2": 1.0},
        scales=(5, 10),
        granularities=("full", "none"),
        metrics=("rouge",),
        seed=2,
    )
    data = prepare_data(t.expert_ratings, t.judge_ratings)
    grid = ca.concordance_grid(data, bootstrap=BootstrapSettings(n_boot=300, seed=3))
    eff = paired_factor_effects(grid)
    gran = eff[(eff["factor"] == "granularity") & eff["judge"].isna()].iloc[0]
    assert gran["level"] == "none" and gran["n_pairs"] == 8 and gran["n_judges"] == 2
    assert gran["ci_high"] < 0 and gran["p_adj"] < 0.05
    assert set(eff["factor"]) == {"scale", "granularity", "criterion"}
    assert not eff["judge"].isin(["rouge"]).any()
