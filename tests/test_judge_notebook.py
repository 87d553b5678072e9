"""Notebook 04 executed for real through the runner, on an isolated copy of the project.

The copy holds notebook 04 only, the anonymized mini cohort (two patients, five
summaries each) as notebook 01 and 02 would have written it, and a profile with
the smoke profile's judges. A cold run computes every judge call (SmolLM2 loads,
a fresh call cache fills); a second run replays the whole sweep from that cache
with zero live calls and no model loaded.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import mini_cohort
from conftest import ROOT, isolated_notebooks, run_cli
from radjudge import pipeline
from radjudge.contracts import JUDGE_RATINGS, JUDGE_VALIDITY, SUMMARIES, write_table
from radjudge.profiles import load_profile

STEM = "04_judge_sweeps"
NOTEBOOK = ROOT / "notebooks" / f"{STEM}.ipynb"


def test_notebook_declares_the_judge_parameters() -> None:
    # (clean commit and profile fit of every notebook: tests/test_notebooks.py, test_pipeline.py)
    declared = pipeline.declared_parameters(NOTEBOOK)
    assert {"seed", "language", "cache_dir", "cache_mode", "models", "rubric", "judges"} <= set(
        declared
    )


def isolated_project(tmp_path: Path) -> Path:
    from radjudge.anonymize import save_anonymized

    smoke = load_profile("smoke")
    root = isolated_notebooks(
        tmp_path,
        [STEM],
        shared={
            "cache_dir": "data/cache/judge-test",
            "models": {"smollm2": {**smoke.shared["models"]["smollm2"], "num_threads": 1}},
        },
    )
    patients = ("P001", "P002")
    (root / "data" / "interim").mkdir(parents=True)
    (root / "data" / "processed").mkdir(parents=True)
    save_anonymized(
        [r for r in mini_cohort.anonymized() if r.patient_id in patients],
        root / "data" / "interim" / "anonymized_records.jsonl",
    )
    summaries = mini_cohort.summaries()
    summaries = summaries[summaries["patient_id"].isin(patients)].reset_index(drop=True)
    # the stage-02 table as notebook 02 writes it; model_b's one-liners are flagged degenerate
    short = summaries["summarizer"] == "model_b"
    full = summaries.assign(
        raw_text=summaries["text"],
        finish_reason=None,
        flag=short.map({True: "degenerate", False: "ok"}),
        flag_reason=short.map({True: "too_short", False: None}),
        error=None,
        phi_masked=False,
    )
    write_table(
        full[list(SUMMARIES.names())], SUMMARIES, root / "data" / "processed" / "summaries.parquet"
    )
    return root


def manifest_of(root: Path) -> dict:
    man = json.loads((root / "data" / "results" / "run_manifest.json").read_text("utf-8"))
    assert man["status"] == "ok"
    return man


@pytest.mark.slow
def test_cold_run_then_replay_with_zero_live_calls(tmp_path: Path) -> None:
    root = isolated_project(tmp_path)
    res = run_cli("run", "--profile", "p", root=root, timeout=2400)
    assert res.returncode == 0, res.stderr[-3000:]
    ratings = pd.read_parquet(root / "data" / "processed" / "judge_ratings.parquet")
    assert list(ratings.columns) == list(JUDGE_RATINGS.names())
    judges = load_profile("smoke").section(STEM)["judges"]
    assert list(ratings["judge"].unique()) == [j["name"] for j in judges]
    validity = pd.read_csv(root / "data" / "processed" / "judge_validity.csv")
    assert list(validity.columns) == list(JUDGE_VALIDITY.names())
    # the gate ran: gold (reference) vs the flagged one-liners gives an AUC for every log-prob cell
    lp = validity[validity["mode"] == "logprobs"]
    assert lp["auc_reference"].notna().all() and lp["valid"].isin([True, False]).all()
    metric = validity[validity["judge_kind"] == "metric"]
    assert metric["scale"].isna().all() and metric["granularity"].isna().all()

    stage = manifest_of(root)["stages"][STEM]
    assert set(stage["outputs_sha256"]) == {
        "data/processed/judge_ratings.parquet",
        "data/processed/judge_validity.csv",
    }
    assert {"data/interim/anonymized_records.jsonl", "data/processed/summaries.parquet"} <= set(
        stage["inputs_sha256"]
    )
    assert list(stage["models_sha256"]) == ["smollm2"]
    cache = stage["cache"]
    assert cache["hits"] == 0 and cache["misses"] == cache["live_calls"] > 0
    assert stage["extra"]["rubric"]["sha256"]

    res = run_cli("run", "--profile", "p", root=root, timeout=900)
    assert res.returncode == 0, res.stderr[-3000:]
    cache_again = manifest_of(root)["stages"][STEM]["cache"]
    assert (cache_again["hits"], cache_again["misses"], cache_again["live_calls"]) == (
        cache["calls"],
        0,
        0,
    )
    assert not cache_again["models"]["smollm2"]["model_loaded"]
    again = pd.read_parquet(root / "data" / "processed" / "judge_ratings.parquet")
    assert again.loc[again["mode"] != "metric", "cached"].all()
    pd.testing.assert_frame_equal(again.drop(columns="cached"), ratings.drop(columns="cached"))
