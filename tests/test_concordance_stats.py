"""stats.json: every number the manuscript quotes, written under the schema of the contracts."""

from __future__ import annotations

import json

import numpy as np
import pytest

from concordance_data import BOOT, N_BOOT, SEED, small_tables
from radjudge.concordance import analysis as ca
from radjudge.concordance import stats as cs
from radjudge.concordance.bootstrap import BootstrapSettings
from radjudge.concordance.designs import prepare_data
from radjudge.concordance.effects import paired_factor_effects
from radjudge.concordance.kendall import UndefinedStatisticWarning
from radjudge.contracts import STATS_PREFIXES, ContractError, check_stats

BOOT20 = BootstrapSettings(n_boot=20, seed=SEED)  # a quick grid for the edge cases


@pytest.fixture(scope="module")
def tables():
    return small_tables(metrics=("rouge",), constant_judges=("flat",))


@pytest.fixture(scope="module")
def data(tables):
    return prepare_data(tables.expert_ratings, tables.judge_ratings)


@pytest.fixture(scope="module")
def grid(data):
    with pytest.warns(UndefinedStatisticWarning, match="constant"):
        return ca.concordance_grid(data, bootstrap=BOOT)


@pytest.fixture(scope="module")
def summaries(tables):
    items = tables.quality[["patient_id", "summarizer"]].drop_duplicates()
    return items.assign(
        text=["x" * (10 + 7 * k) for k in range(len(items))],
        flag=np.where(items["summarizer"] == "llm_c", "degenerate", "ok"),
    )


@pytest.fixture(scope="module")
def stats(tables, data, grid, summaries):
    valid = ca.headline_data(data, grid)  # the valid LLM configurations, as notebook 05
    return cs.manuscript_stats(
        data,
        grid=grid,
        effects=paired_factor_effects(grid),
        panel=ca.panel_fit(data, bootstrap=BOOT),
        judges=ca.judge_agreement(valid, bootstrap=BOOT),
        categories=ca.category_concordance(data, bootstrap=BOOT),
        loeo=ca.leave_one_expert_out(data),
        alt=ca.alt_test_grid(data.llm(), min_items=20),
        selection=ca.select_configurations(valid, n_folds=3, n_repeats=1, seed=SEED),
        sensitivity=ca.sensitivity_grid(data),
        settings={"n_boot": N_BOOT, "seed": SEED},
        thresholds={"min_share_ok": 0.8, "min_spearman": None},
        summaries=summaries,
        judge_ratings=tables.judge_ratings,
    )


def test_manuscript_stats_schema(stats, grid):
    assert all(k.startswith(STATS_PREFIXES) for k in stats)
    json.dumps(stats, allow_nan=False)  # plain JSON: NaN became None
    for key in [
        "data.n_patients",
        "w.grid.median",
        "w.best.completeness.w",
        "w.best.completeness.scale",
        "w.best.completeness.spearman",
        "effects.scale.10.delta_w",
        "effects.scale.reference",
        "effects.granularity.none.p_adj",
        "effects.criterion.correctness.n_pairs",
        "validity.n_invalid",
        "validity.reason.constant.n",
        "validity.by_judge.flat.n_invalid",
        "validity.thresholds.min_spearman",
        "reference_lines.rouge.completeness.w",
        "experts.mean.gold.completeness",
        "experts.degenerate.correctness.mean",
        "experts.length_spearman.completeness",
        "experts.w.completeness.w",
        "experts.within.clinician.completeness.w",
        "experts.across_categories.median",
        "judge_vs_category.radiologist.median_w",
        "delta_w.median",
        "delta_w.best.correctness.delta_w",
        "judges.w_among.median",
        "loeo.max_abs_change",
        "alt_test.n_passed",
        "selection.j1.completeness.held_out_w",
        "selection.mean_optimism",
        "sensitivity.rank_agreement.icc_c1",
        "settings.n_boot",
        "design.n_judges.llm",
        "design.judge.j1.levels.scale",
    ]:
        assert key in stats, key
    assert stats["data.n_patients"] == 12 and stats["w.grid.n"] == 16
    llm = grid.table[grid.table["judge_kind"] == "llm"]
    assert stats["w.grid.max"] == pytest.approx(llm["w"].max())
    # headlines are the valid LLM configurations: never the metric, never the constant judge
    assert stats["validity.n_configurations"] == 24 and stats["validity.n_invalid"] == 8
    assert stats["validity.reason.constant.n"] == 8
    for crit in ("completeness", "correctness"):
        assert stats[f"w.best.{crit}.judge"] in ("j1", "j2")
        assert stats[f"alt_test.best.{crit}.config"].startswith(("judge=j1", "judge=j2"))
    assert stats["alt_test.n"] == 16 and not any(k.startswith("selection.flat") for k in stats)
    assert not any(k.startswith("selection.rouge") for k in stats)
    assert stats["effects.scale.reference"] == "5"
    assert stats["validity.thresholds.min_spearman"] is None
    assert stats["experts.degenerate.n"] == 12
    assert stats["experts.degenerate.completeness.mean"] == pytest.approx(
        stats["experts.mean.llm_c.completeness"]
    )


def test_write_stats_merges_and_replaces_own_keys(tmp_path, stats):
    path = tmp_path / "stats.json"
    path.write_text(json.dumps({"figures.n": 3, "w.stale.key": 1}))
    cs.write_stats(stats, path)
    merged = json.loads(path.read_text())
    assert merged["figures.n"] == 3 and "w.stale.key" not in merged
    assert merged["w.grid.median"] == pytest.approx(stats["w.grid.median"])
    with pytest.raises(ValueError, match="prefix"):
        cs.write_stats({"other.x": 1}, path)


def test_findings_markdown(stats):
    for section in (
        "data",
        "validity",
        "grid",
        "reference_lines",
        "scale",
        "granularity",
        "criteria",
        "experts",
        "panel",
        "alt_test",
        "selection",
    ):
        text = cs.findings_markdown(stats, section=section)
        assert isinstance(text, str) and any(ch.isdigit() for ch in text)
    assert "10: Delta W" in cs.findings_markdown(stats, section="scale")
    assert "(1 + Spearman rho) / 2" in cs.findings_markdown(stats, section="grid")
    assert "constant 8" in cs.findings_markdown(stats, section="validity")
    tiny = {**stats, "effects.scale.10.p_adj": 1e-5}
    assert "p_adj = < 0.001" in cs.findings_markdown(tiny, section="scale")  # never "0.000"
    assert "LLM judges and 1 reference metrics" in cs.findings_markdown(stats, section="data")
    with pytest.raises(ValueError, match="section"):
        cs.findings_markdown(stats, section="abstract")


def test_manuscript_stats_fit_the_schema(stats):
    check_stats(stats)
    with pytest.raises(ContractError, match=r"'w.grid.n' = 1.5 fits no pattern"):
        check_stats({**stats, "w.grid.n": 1.5})
    with pytest.raises(ContractError, match=r"'w.by_scale.5.mean' = 0.5 fits no pattern"):
        check_stats({**stats, "w.by_scale.5.mean": 0.5})  # unpaired level means are gone
    with pytest.raises(ContractError, match=r"required key\(s\) \['data.n_patients'\]"):
        check_stats({k: v for k, v in stats.items() if k != "data.n_patients"})


def test_write_stats_refuses_keys_outside_the_schema(tmp_path, stats):
    with pytest.raises(ContractError, match="w.grid.typo"):
        cs.write_stats({**stats, "w.grid.typo": 1}, tmp_path / "stats.json")
    assert not (tmp_path / "stats.json").exists()


def test_no_valid_configuration_is_a_result_not_a_crash():
    """Only a constant judge and a metric: every quoted headline key is there, empty."""
    t = small_tables(judges={}, metrics=("rouge",), constant_judges=("flat",))
    data = prepare_data(t.expert_ratings, t.judge_ratings)
    with pytest.warns(UndefinedStatisticWarning):
        grid = ca.concordance_grid(data, bootstrap=BOOT20)
    none = ca.headline_data(data, grid)
    assert len(none.configs) == 0
    stats = cs.manuscript_stats(
        data,
        grid=grid,
        effects=paired_factor_effects(grid),
        panel=ca.panel_fit(data, bootstrap=BOOT20),
        judges=ca.judge_agreement(none, bootstrap=BOOT20),
        categories=ca.category_concordance(data, bootstrap=BOOT20),
        loeo=ca.leave_one_expert_out(data),
        alt=ca.alt_test_grid(data.llm(), min_items=20),
        selection=ca.select_configurations(none, n_folds=3, n_repeats=1, seed=SEED),
        sensitivity=ca.sensitivity_grid(data),
        settings={"n_boot": 20, "seed": SEED},
    )
    check_stats(stats)
    assert stats["w.grid.n"] == 0 and stats["w.grid.median"] is None
    assert stats["validity.n_valid"] == 0 and stats["alt_test.n"] == 0
    for key in ("delta_w.median", "judges.w_among.median", "selection.mean_held_out_w"):
        assert key in stats and stats[key] is None
    assert stats["reference_lines.rouge.completeness.w"] is not None
    assert not any(k.startswith(("w.best.", "effects.")) for k in stats)


def _ratings(judge, kind, criteria, scales, grans, patients, summarizers, status="ok"):
    rows = [
        {
            "judge": judge,
            "judge_kind": kind,
            "criterion": c,
            "scale": s,
            "granularity": g,
            "repeat": 0,
            "patient_id": p,
            "summarizer": m,
            "status": status(p, m) if callable(status) else status,
            "mode": "metric" if kind == "metric" else "logprobs",
            "model": judge.split("-")[0],
        }
        for c in criteria
        for s in scales
        for g in grans
        for p in patients
        for m in summarizers
    ]
    return rows


def test_design_stats_describe_what_each_judge_did(stats):
    """The Methods' design facts come from the ratings: kinds, crossed factors, coverage, failed."""
    import pandas as pd

    pts, summ = ["P1", "P2", "P3"], ["gold", "llm_a", "llm_b"]
    rows = (
        _ratings(
            "big-lp", "llm", ["completeness", "correctness"], [3, 5], ["full", "none"], pts, summ
        )
        + _ratings("small-lp", "llm", ["correctness"], [3, 5, 10], ["full"], pts[:1], summ)
        # a sampling judge on one cell, two answers unreadable
        + _ratings(
            "one-sample",
            "llm",
            ["correctness"],
            [5],
            ["full"],
            pts[:1],
            summ,
            status=lambda p, m: "unparseable" if m != "gold" else "ok",
        )
        # a metric: no scale, no granularity; it cannot rate its own reference
        + _ratings(
            "rouge",
            "metric",
            ["completeness", "correctness"],
            [None],
            [None],
            pts,
            summ,
            status=lambda p, m: "failed" if m == "gold" else "ok",
        )
    )
    jr = pd.DataFrame(rows).astype({"scale": "Int64"})
    d = cs.design_stats(jr)
    check_stats({**stats, **d})  # every key fits the schema
    assert d["design.n_judges.llm"] == 3 and d["design.n_judges.metric"] == 1
    assert d["design.n_items"] == 9
    big, small, one, rouge = (
        f"design.judge.{j}." for j in ("big-lp", "small-lp", "one-sample", "rouge")
    )
    assert d[big + "n_configurations"] == 8 and d[big + "factorial"] is True
    assert d[big + "levels.criterion"] == "completeness,correctness"
    assert d[small + "levels.scale"] == "3,5,10" and d[small + "n_items"] == 3
    assert d[small + "n_patients"] == 1 and d[small + "n_levels.granularity"] == 1
    assert d[one + "n_items"] == 3 and d[one + "n_items_scored"] == 1 and d[one + "n_failed"] == 2
    assert d[rouge + "levels.scale"] is None and d[rouge + "n_levels.granularity"] == 0
    assert d[rouge + "kind"] == "metric" and d[rouge + "n_items_scored"] == 6
    # which factors are crossed within a judge (metrics never count)
    assert d["design.factor.criterion.n_judges"] == 1
    assert d["design.factor.scale.n_judges"] == 2
    assert d["design.factor.granularity.n_judges"] == 1
    # what the rows without a score are
    assert d["data.failed.metric.failed.n"] == 6
    assert d["data.failed.metric.failed.summarizer"] == "gold"
    assert d["data.failed.llm.unparseable.n"] == 2
    assert d["data.failed.llm.unparseable.summarizer"] is None
    with pytest.raises(ValueError, match="status"):
        cs.design_stats(jr.drop(columns=["status"]))
    # a judge whose grid has a hole is not a full factorial
    holed = jr[~((jr["judge"] == "big-lp") & (jr["scale"] == 5) & (jr["granularity"] == "none"))]
    assert cs.design_stats(holed)[big + "factorial"] is False
