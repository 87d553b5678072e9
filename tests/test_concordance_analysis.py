"""The analysis tables on synthetic tidy tables, checked against the array-level functions,
and notebook 05 run for real by the pipeline runner in an isolated project."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
import yaml

from concordance_data import BOOT, N_BOOT, SEED, small_data, small_grid, small_tables
from conftest import ROOT, run_cli
from radjudge.concordance import analysis as ca
from radjudge.concordance.alt_test import alt_test
from radjudge.concordance.bootstrap import (
    BootstrapSettings,
    resample_counts,
    resampled_kendall_w,
)
from radjudge.concordance.designs import prepare_data
from radjudge.concordance.kendall import UndefinedStatisticWarning, kendall_w
from radjudge.concordance.synthetic import simulate_tables
from radjudge.contracts import CONCORDANCE_TABLES, JUDGE_VALIDITY, SUMMARIES, write_table
from radjudge.judge.validity import validity_report
from radjudge.profiles import load_profile


@pytest.fixture(scope="module")
def data():
    return small_data()


@pytest.fixture(scope="module")
def grid():
    return small_grid()


def _w(x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedStatisticWarning)
        return kendall_w(x).w


def test_grid_matches_kendall_w_and_counts(data, grid):
    t = grid.table
    assert len(t) == len(data.configs) == 16
    for k in range(len(t)):
        crit = t["criterion"].iat[k]
        x = np.column_stack([data.consensus(crit), data.judge_values[k]])
        assert t["w"].iat[k] == pytest.approx(_w(x), abs=1e-14)
        assert t["n_missing"].iat[k] == np.isnan(data.judge_values[k]).sum()
    assert (t["p_adj"] >= t["pvalue"]).all()
    assert (t["significant"] == (t["p_adj"] <= 0.05)).all()
    inside = (t["ci_low"] <= t["w"]) & (t["w"] <= t["ci_high"])
    assert inside.mean() >= 0.9
    assert (t["n_failed_rows"] == data.configs["n_failed_rows"]).all()


def test_grid_uses_the_seeded_patient_resamples(data, grid):
    # same seed -> same resamples in every analysis: the replicates are paired
    counts = resample_counts(data.n_patients, n_boot=N_BOOT, seed=SEED)
    x = np.column_stack([data.consensus("completeness"), data.judge_values[0]])
    expected = resampled_kendall_w(x, data.patients, counts)
    np.testing.assert_allclose(grid.replicates[0], expected, atol=1e-14)


def test_grid_marks_kinds_and_validity_and_reports_rho_beside_w(data, grid):
    t = grid.table
    assert list(t.columns[:7]) == [*data.config_columns, "judge_kind", "w", "spearman"]
    assert (t["judge_kind"] == "llm").all() and t["valid"].all()
    assert t["validity_reason"].isna().all()
    # two raters without ties in the judge: W = (1 + rho) / 2 up to the experts' ties
    lp = t["judge"] == "j1"  # log-prob judge: continuous values
    np.testing.assert_allclose(t.loc[lp, "w"], (1 + t.loc[lp, "spearman"]) / 2, atol=0.02)


def test_a_constant_judge_has_no_w_and_is_marked_constant():
    t = simulate_tables(
        n_patients=8,
        summarizers=("gold", "llm_a", "llm_b"),
        criteria=("completeness",),
        experts={"radiologist": 2, "clinician": 2},
        judges={"j1": 1.5},
        scales=(5,),
        granularities=("full",),
        metrics=("rouge",),
        constant_judges=("flat",),
        seed=4,
    )
    data = prepare_data(t.expert_ratings, t.judge_ratings)
    with pytest.warns(UndefinedStatisticWarning, match="1 of 3"):
        grid = ca.concordance_grid(data, bootstrap=BootstrapSettings(n_boot=50, seed=1))
    g = grid.table.set_index("judge")
    # the tie-corrected formula would give exactly 0.5 ("chance"); the grid gives NaN
    k = int(np.flatnonzero(data.configs["judge"] == "flat")[0])
    x = np.column_stack([data.consensus("completeness"), data.judge_values[k]])
    assert _w(x) == pytest.approx(0.5)
    flat = g.loc["flat"]
    assert np.isnan([flat["w"], flat["spearman"], flat["ci_low"], flat["pvalue"]]).all()
    assert not flat["valid"] and flat["validity_reason"] == "constant"
    assert not flat["significant"] and np.isnan(flat["p_adj"])
    assert np.isnan(grid.replicates[k]).all()
    # the metric is a reference line: no scale, no granularity, its own p-value family
    rouge = g.loc["rouge"]
    assert rouge["judge_kind"] == "metric" and pd.isna(rouge["scale"])
    assert pd.isna(rouge["granularity"]) and rouge["p_adj"] == pytest.approx(rouge["pvalue"])
    assert g.loc["j1", "p_adj"] == pytest.approx(g.loc["j1", "pvalue"])
    # the same judge is undefined against each category's consensus and when an expert leaves
    cat = ca.category_concordance(data, bootstrap=BootstrapSettings(n_boot=50, seed=1))
    jv = cat[(cat["design"] == "judge_vs_category") & (cat["judge"] == "flat")]
    assert len(jv) == 2 and jv["w"].isna().all() and jv["spearman"].isna().all()
    other = cat[(cat["design"] == "judge_vs_category") & (cat["judge"] == "j1")]
    np.testing.assert_allclose(other["w"], (1 + other["spearman"]) / 2, atol=0.05)
    assert cat.loc[cat["design"] == "experts_all", "spearman"].isna().all()  # 4 raters
    loeo = ca.leave_one_expert_out(data)
    assert loeo.loc[loeo["judge"] == "flat", "w_without"].isna().all()


def test_validity_of_notebook_04_marks_the_grid():
    from radjudge.judge.validity import ValidityGate, validity_report

    t = small_tables()
    validity = validity_report(t.judge_ratings, gate=ValidityGate(min_share_ok=0.99))
    data = prepare_data(t.expert_ratings, t.judge_ratings, validity=validity)
    assert (~data.configs["valid"]).any()
    assert set(data.configs.loc[~data.configs["valid"], "validity_reason"]) == {"few_valid_answers"}
    grid = ca.concordance_grid(data, bootstrap=BootstrapSettings(n_boot=20, seed=1))
    bad = grid.table[~grid.table["valid"]]
    assert bad["p_adj"].isna().all() and bad["w"].notna().all()  # marked, still computed
    assert data.llm(valid_only=True).configs["valid"].all()
    with pytest.raises(ValueError, match="judge_validity lacks 1 configuration"):
        prepare_data(t.expert_ratings, t.judge_ratings, validity=validity.iloc[1:])


def test_panel_fit_is_the_paired_difference(data):
    panel = ca.panel_fit(data, bootstrap=BOOT)
    assert len(panel) == 16
    r = panel.iloc[3]
    k = 3
    experts = data.expert_scores[r["criterion"]].copy()
    judge = data.judge_values[k]
    experts[np.isnan(judge)] = np.nan
    w_alone = _w(experts)
    w_with = _w(np.column_stack([experts, judge]))
    assert r["w_experts"] == pytest.approx(w_alone, abs=1e-14)
    assert r["delta_w"] == pytest.approx(w_with - w_alone, abs=1e-14)
    assert r["n_experts"] == 6 and 0 <= r["p_not_positive"] <= 1


def test_judge_agreement(data):
    judges = ca.judge_agreement(data, bootstrap=BOOT)
    assert len(judges) == 8 and (judges["n_judges"] == 2).all()
    r = judges.iloc[0]
    rows = data.configs.index[
        (data.configs["criterion"] == r["criterion"])
        & (data.configs["scale"] == r["scale"])
        & (data.configs["granularity"] == r["granularity"])
    ]
    assert r["w"] == pytest.approx(_w(data.judge_values[rows].T), abs=1e-14)


def test_category_concordance_designs(data):
    cat = ca.category_concordance(data, bootstrap=BOOT)
    counts = cat.groupby("design").size().to_dict()
    assert counts == {
        "experts_all": 2,
        "experts_within": 4,
        "categories_across": 2,
        "judge_vs_category": 32,
    }
    within = cat[
        (cat["design"] == "experts_within")
        & (cat["category"] == "clinician")
        & (cat["criterion"] == "completeness")
    ].iloc[0]
    cols = data.category_columns("clinician")
    assert within["w"] == pytest.approx(_w(data.expert_scores["completeness"][:, cols]), abs=1e-14)
    across = cat[
        (cat["design"] == "categories_across") & (cat["criterion"] == "completeness")
    ].iloc[0]
    cons = np.column_stack(
        [
            data.consensus("completeness", data.category_columns(c))
            for c in ("clinician", "radiologist")
        ]
    )
    assert across["w"] == pytest.approx(_w(cons), abs=1e-14)


def test_leave_one_expert_out(data):
    loeo = ca.leave_one_expert_out(data)
    jv = loeo[loeo["design"] == "judge_vs_consensus"]
    assert len(jv) == 16 * 6 and len(loeo[loeo["design"] == "experts"]) == 2 * 6
    r = jv.iloc[0]
    keep = np.flatnonzero(data.experts["expert_id"] != r["expert_id"])
    k = int(
        np.flatnonzero(
            (data.configs["judge"] == r["judge"])
            & (data.configs["criterion"] == r["criterion"])
            & (data.configs["scale"] == r["scale"])
            & (data.configs["granularity"] == r["granularity"])
        )[0]
    )
    x = np.column_stack([data.consensus(r["criterion"], keep), data.judge_values[k]])
    assert r["w_without"] == pytest.approx(_w(x), abs=1e-14)
    assert r["change"] == pytest.approx(r["w_without"] - r["w_full"])


def test_alt_test_grid_runs_the_alt_test_per_configuration(data):
    alt = ca.alt_test_grid(data, epsilon=0.2, min_items=20)
    assert len(alt.summary) == 16 and len(alt.per_annotator) == 16 * 6
    k = 5
    ref = alt_test(
        data.judge_values[k],
        data.expert_scores[data.configs["criterion"].iat[k]],
        epsilon=0.2,
        min_items=20,
    )
    row = alt.summary.iloc[k]
    assert (row["winning_rate"], row["advantage_probability"]) == pytest.approx(
        (ref.winning_rate, ref.advantage_probability)
    )
    scaled = ca.alt_test_grid(data, alignment="scaled", min_items=20)
    assert scaled.summary["advantage_probability"].notna().all()


def test_select_configurations(data):
    sel = ca.select_configurations(data, n_folds=3, n_repeats=2, seed=SEED)
    s = sel.summary
    assert len(s) == 4 and set(s.columns) >= {
        "judge",
        "criterion",
        "scale",
        "granularity",
        "held_out_w",
    }
    assert (s["n_candidates"] == 4).all() and (s["n_folds_used"] == 6).all()
    assert len(sel.folds) == 4 * 3 * 2
    g = s.iloc[0]
    rows = data.configs.index[
        (data.configs["judge"] == g["judge"]) & (data.configs["criterion"] == g["criterion"])
    ]
    ws = [_w(np.column_stack([data.consensus(g["criterion"]), data.judge_values[r]])) for r in rows]
    assert g["in_sample_w"] == pytest.approx(max(ws))
    with pytest.warns(UserWarning, match="n_folds"):
        ca.select_configurations(data, n_folds=50, n_repeats=1, seed=SEED)
    with pytest.raises(ValueError, match="criterion"):
        ca.select_configurations(data, group_columns=("judge",))


def test_sensitivity_grid(data, grid):
    sens = ca.sensitivity_grid(data)
    assert len(sens) == 16
    np.testing.assert_allclose(sens["spearman"], grid.table["spearman"])
    stats_cols = [
        "kendall_tau_b",
        "spearman_per_patient",
        "icc_a1",
        "icc_c1",
        "alpha_interval",
        "kappa_linear",
        "kappa_quadratic",
        "ac1",
        "ac2_quadratic",
    ]
    assert sens[stats_cols].notna().all().all()
    assert ((sens[stats_cols] <= 1) & (sens[stats_cols] >= -1)).all().all()


def test_write_tables(tmp_path, grid):
    files = ca.write_tables({"grid": grid.table}, tmp_path / "c")
    assert sorted(p.name for p in files) == ["grid.csv", "grid.parquet"]
    back = pd.read_parquet(tmp_path / "c" / "grid.parquet")
    assert back["w"].tolist() == pytest.approx(grid.table["w"].tolist())
    with pytest.raises(ValueError, match="unknown table"):
        ca.write_tables({"nope": grid.table}, tmp_path)
    with pytest.raises(ValueError, match=r"grid.csv: lacks column\(s\) \['w'\]"):
        ca.write_tables({"grid": grid.table.drop(columns=["w"])}, tmp_path / "d")


def test_empty_or_unusable_inputs():
    t = small_tables(n_patients=3)
    judges = t.judge_ratings[t.judge_ratings["criterion"] == "completeness"].assign(
        criterion="structure"
    )
    data = prepare_data(t.expert_ratings, judges)
    with pytest.raises(ValueError, match="nothing to compare"):
        ca.concordance_grid(data, bootstrap=BootstrapSettings(n_boot=10))
    with pytest.raises(ValueError, match="n_boot"):
        BootstrapSettings(n_boot=1)
    with pytest.raises(ValueError, match="ci_method must be one of 'percentile', 'bca'"):
        BootstrapSettings(ci_method="basic")


def _summaries(quality: pd.DataFrame) -> pd.DataFrame:
    """A summaries table (stage-02 contract) for synthetic items: llm_b's are flagged degenerate."""
    items = quality[["patient_id", "summarizer"]].drop_duplicates().reset_index(drop=True)
    n = len(items)
    row = {c.name: (0 if c.kind == "int" else None) for c in SUMMARIES.columns()}
    out = pd.DataFrame([row] * n).assign(
        patient_id=items["patient_id"],
        summarizer=items["summarizer"],
        summarizer_kind="llm",
        model="m",
        text=["Резюме " * (3 + k % 5) for k in range(n)],
        latency_s=0.0,
        cache_hit=False,
        phi_masked=False,
    )
    out["flag"] = np.where(out["summarizer"] == "llm_b", "degenerate", "ok")
    out["flag_reason"] = np.where(out["summarizer"] == "llm_b", "loop", None)
    return out


@pytest.mark.slow
def test_notebook_05_runs_in_an_isolated_project(tmp_path):
    """The real notebook, on synthetic tables, with the smoke profile's section, via the runner."""
    root = tmp_path / "project"
    (root / "params").mkdir(parents=True)
    (root / "notebooks").mkdir()
    (root / "data" / "processed").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'mini'\n")
    nb = nbformat.read(ROOT / "notebooks" / "05_concordance.ipynb", as_version=4)
    nbformat.write(nb, root / "notebooks" / "05_concordance.ipynb")
    # the synthetic grid has scales 5 and 10: the first level is the reference
    section = {**load_profile("smoke").section("05_concordance"), "factor_references": {}}
    profile = {
        "description": "notebook 05 test",
        "shared": {"seed": 5, "validity_gate": {"min_auc": None}},
        "notebooks": {"05_concordance": section},
    }
    (root / "params" / "t.yaml").write_text(yaml.safe_dump(profile))
    t = simulate_tables(
        n_patients=4,
        summarizers=("gold", "llm_a", "llm_b"),
        criteria=("completeness", "structure"),
        experts={"radiologist": 2, "clinician": 2},
        judges={"j1": 1.5, "j2": 0.5},
        scales=(5, 10),
        granularities=("full", "none"),
        metrics=("rouge",),
        constant_judges=("flat",),
        seed=9,
    )
    processed = root / "data" / "processed"
    t.expert_ratings.to_parquet(processed / "expert_ratings.parquet")
    t.judge_ratings.to_parquet(processed / "judge_ratings.parquet")
    summaries = _summaries(t.quality)
    write_table(summaries, SUMMARIES, processed / "summaries.parquet")
    validity = validity_report(t.judge_ratings, summaries=summaries, gate={"min_auc": None})
    write_table(validity, JUDGE_VALIDITY, processed / "judge_validity.csv")

    res = run_cli("run", "--profile", "t", root=root, timeout=900)
    assert res.returncode == 0, res.stdout + res.stderr
    results = root / "data" / "results"
    for name in (t.name for t in CONCORDANCE_TABLES):
        assert (results / "concordance" / f"{name}.parquet").is_file(), name
        assert (results / "concordance" / f"{name}.csv").is_file(), name
    stats = json.loads((results / "stats.json").read_text())
    assert stats["data.n_patients"] == 4 and stats["settings.n_boot"] == section["n_boot"]
    assert "selection.j1.completeness.held_out_w" in stats and "delta_w.median" in stats
    assert stats["validity.n_invalid"] >= 4 and "reference_lines.rouge.completeness.w" in stats
    assert "effects.scale.10.delta_w" in stats and "experts.degenerate.n" in stats
    assert "w.best.completeness.w" in stats and stats["w.best.completeness.judge"] != "rouge"
    effects = pd.read_csv(results / "concordance" / "factor_effects.csv")
    assert list(effects.columns[:9]) == [
        "factor",
        "level",
        "reference",
        "n_pairs",
        "delta_w",
        "ci_low",
        "ci_high",
        "p_adj",
        "judge",
    ]
    assert not effects["judge"].isin(["rouge", "flat"]).any()
    manifest = json.loads((results / "run_manifest.json").read_text())
    stage = manifest["stages"]["05_concordance"]
    assert "data/results/stats.json" in stage["outputs_sha256"]
    executed = nbformat.read(root / manifest["notebooks"][0]["executed"], as_version=4)
    text = "".join(
        o.get("data", {}).get("text/markdown", "")
        for c in executed.cells
        for o in c.get("outputs", [])
    )
    assert "held-out W" in text and "Alt-test" in text


def test_the_committed_notebook_declares_what_the_profiles_set():
    from radjudge.pipeline import declared_parameters

    declared = declared_parameters(Path(ROOT / "notebooks" / "05_concordance.ipynb"))
    for name in ("demo", "smoke", "study"):
        section = load_profile(name).section("05_concordance")
        assert set(section) <= set(declared), name
        assert set(declared) - set(section) <= {"profile", "run_dir", "seed", "validity_gate"}
