"""stats.json: every number the manuscript quotes, written under the schema of the contracts."""

from __future__ import annotations

import json

import pytest

from concordance_data import BOOT, N_BOOT, SEED, small_data, small_grid
from radjudge.concordance import analysis as ca
from radjudge.concordance import stats as cs
from radjudge.contracts import STATS_PREFIXES, ContractError, check_stats


@pytest.fixture(scope="module")
def data():
    return small_data()


@pytest.fixture(scope="module")
def grid():
    return small_grid()


@pytest.fixture(scope="module")
def stats(data, grid):
    return cs.manuscript_stats(
        data,
        grid=grid,
        panel=ca.panel_fit(data, bootstrap=BOOT),
        judges=ca.judge_agreement(data, bootstrap=BOOT),
        categories=ca.category_concordance(data, bootstrap=BOOT),
        loeo=ca.leave_one_expert_out(data),
        alt=ca.alt_test_grid(data, min_items=20),
        selection=ca.select_configurations(data, n_folds=3, n_repeats=1, seed=SEED),
        sensitivity=ca.sensitivity_grid(data),
        settings={"n_boot": N_BOOT, "seed": SEED},
    )


def test_manuscript_stats_schema(stats, grid):
    assert all(k.startswith(STATS_PREFIXES) for k in stats)
    json.dumps(stats, allow_nan=False)  # plain JSON: NaN became None
    for key in [
        "data.n_patients",
        "w.grid.median",
        "w.best.completeness.w",
        "w.best.completeness.scale",
        "w.by_scale.10.vs_5.diff",
        "w.by_granularity.none.mean",
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
    ]:
        assert key in stats, key
    assert stats["data.n_patients"] == 12 and stats["w.grid.n"] == 16
    assert stats["w.grid.max"] == pytest.approx(grid.table["w"].max())


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
        "grid",
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
    assert "5: " in cs.findings_markdown(stats, section="scale")
    with pytest.raises(ValueError, match="section"):
        cs.findings_markdown(stats, section="abstract")


def test_manuscript_stats_fit_the_schema(stats):
    check_stats(stats)
    with pytest.raises(ContractError, match=r"'w.grid.n' = 1.5 fits no pattern"):
        check_stats({**stats, "w.grid.n": 1.5})
    with pytest.raises(ContractError, match=r"'w.by_scale.5.median' = 0.5 fits no pattern"):
        check_stats({**stats, "w.by_scale.5.median": 0.5})
    with pytest.raises(ContractError, match=r"required key\(s\) \['data.n_patients'\]"):
        check_stats({k: v for k, v in stats.items() if k != "data.n_patients"})


def test_write_stats_refuses_keys_outside_the_schema(tmp_path, stats):
    with pytest.raises(ContractError, match="w.grid.typo"):
        cs.write_stats({**stats, "w.grid.typo": 1}, tmp_path / "stats.json")
    assert not (tmp_path / "stats.json").exists()
