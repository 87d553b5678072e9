"""Notebook 02 executed for real through the runner, on an isolated copy of the project.

The copy holds notebooks 01 and 02 and a profile made of the real smoke
profile's sections for them: 01 anonymizes the smoke cohort, 02 summarizes it
cold (SmolLM2 loads, a fresh call cache fills); a second run of 02 alone then
replays every LLM summary from that cache with zero live calls.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from conftest import ROOT, isolated_notebooks, run_cli
from radjudge import pipeline
from radjudge.contracts import SUMMARIES
from radjudge.profiles import load_profile

NOTEBOOK = ROOT / "notebooks" / "02_summarization.ipynb"
STEM = "02_summarization"
STEMS = ("01_anonymization", STEM)


def isolated_project(tmp_path: Path, profile: str = "smoke") -> Path:
    """pyproject, notebooks 01 and 02, the committed cohort, a profile with their sections only."""
    return isolated_notebooks(
        tmp_path, STEMS, profile=profile, copy=["data/raw/synthetic_cohort.jsonl"]
    )


def test_notebook_declares_the_llm_parameters():
    # (clean commit and profile fit of every notebook: tests/test_notebooks.py, test_pipeline.py)
    assert {"seed", "cache_dir", "cache_mode", "models", "summarizers"} <= set(
        pipeline.declared_parameters(NOTEBOOK)
    )


def stage_record(root: Path) -> dict:
    man = json.loads((root / "data" / "results" / "run_manifest.json").read_text("utf-8"))
    assert man["status"] == "ok"
    return man


@pytest.mark.slow
def test_smoke_run_cold_then_replay_with_zero_live_calls(tmp_path):
    root = isolated_project(tmp_path)
    smoke = load_profile("smoke")
    n = smoke.section("01_anonymization")["n_patients"]
    summarizers = smoke.section(STEM)["summarizers"]
    n_llm = sum(s["kind"] == "llm" for s in summarizers)

    res = run_cli("run", "--profile", "p", root=root, timeout=1800)
    assert res.returncode == 0, res.stderr[-3000:]
    table = pd.read_parquet(root / "data" / "processed" / "summaries.parquet")
    assert list(table.columns) == list(SUMMARIES.names())
    assert len(table) == n * len(summarizers)
    assert list(table["summarizer"].unique()) == [s["name"] for s in summarizers]
    assert table.groupby("summarizer").size().eq(n).all()
    stats = pd.read_csv(root / "data" / "results" / "summary_stats.csv").set_index("summarizer")
    assert stats.loc["gold", "coverage"] == 1.0
    assert (stats["n"] == n).all()

    man = stage_record(root)
    stage = man["stages"][STEM]
    assert set(stage["outputs_sha256"]) == {
        "data/processed/summaries.parquet",
        "data/results/summary_stats.csv",
    }
    assert "data/interim/anonymized_records.jsonl" in stage["inputs_sha256"]
    assert list(stage["models_sha256"]) == ["smollm2"]
    cache = man["cache"][STEM]
    assert (cache["hits"], cache["misses"], cache["live_calls"]) == (0, n * n_llm, n * n_llm)
    assert (root / smoke.shared["cache_dir"]).is_dir()
    executed = nbformat.read(root / man["notebooks"][1]["executed"], as_version=4)
    shown = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert "=================== P001 ===================" in shown

    first = table
    res = run_cli("run", "--profile", "p", "--only", "02", root=root, timeout=900)
    assert res.returncode == 0, res.stderr[-3000:]
    again = pd.read_parquet(root / "data" / "processed" / "summaries.parquet")
    cache = stage_record(root)["cache"][STEM]
    assert (cache["hits"], cache["misses"], cache["live_calls"]) == (n * n_llm, 0, 0)
    assert not cache["models"]["smollm2"]["model_loaded"]
    assert again.loc[again["summarizer_kind"] == "llm", "cache_hit"].all()
    pd.testing.assert_frame_equal(again.drop(columns="cache_hit"), first.drop(columns="cache_hit"))
