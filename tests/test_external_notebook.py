"""Notebook 07 (external validation on SummEval) executed for real through the runner, on an
isolated copy of the project (conftest.run_cli + RADJUDGE_ROOT), with the smoke profile's values:
a real SmolLM2 judge on one article, then a replay from the cache in readonly mode."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, isolated_notebooks, run_cli
from radjudge.contracts import SUMMEVAL_JUDGES
from radjudge.profiles import load_profile

NOTEBOOK = ROOT / "notebooks" / "07_external_validation.ipynb"
STEM = "07_external_validation"


def isolated_project(tmp_path: Path, **overrides) -> Path:
    """pyproject, notebook 07, the SummEval copy and a profile with 07's smoke section only."""
    smoke = load_profile("smoke")
    models = {name: smoke.shared["models"][name] for name in smoke.section(STEM)["judges"]}
    return isolated_notebooks(
        tmp_path, [STEM], copy=["data/external/summeval"], shared={"models": models, **overrides}
    )


def test_every_profile_judges_with_registered_models():
    # (clean commit and profile fit of every notebook: tests/test_notebooks.py, test_pipeline.py)
    for name in ("demo", "smoke", "study"):
        prof = load_profile(name)
        assert set(prof.section(STEM)["judges"]) <= set(prof.shared["models"]), name


@pytest.mark.slow
def test_smoke_run_then_replay_from_the_cache(tmp_path):
    root = isolated_project(tmp_path)
    res = run_cli("run", "--profile", "p", root=root, timeout=1500)
    assert res.returncode == 0, res.stderr[-3000:]
    results = root / "data" / "results" / "external"
    baselines = pd.read_csv(results / "summeval_baselines.csv")
    assert list(baselines.columns) == ["metric", "criterion", "spearman", "kendall", "n_docs"]
    assert len(baselines) == 12  # 3 ROUGE variants x 4 criteria
    judges = pd.read_csv(results / "summeval_judges.csv")
    assert list(judges.columns) == list(SUMMEVAL_JUDGES.names())
    section = load_profile("smoke").section(STEM)
    mine = judges[judges["kind"] == "judge"]
    assert set(mine["method"]) == set(section["judges"]) and set(mine["criterion"]) == set(
        section["criteria"]
    )
    assert (mine["n_items"] + mine["n_missing"] == 16 * section["judge_docs"]).all()
    assert mine["spearman"].between(-1, 1).all() and mine["kendall_w"].between(0, 1).all()
    assert set(judges.loc[judges["kind"] == "published", "method"]) == set(
        section.get("published", ["ROUGE-1", "ROUGE-2", "G-Eval-4"])
    )
    for ext in ("pdf", "png"):
        assert (root / "figures" / f"ext_summeval_correlations.{ext}").stat().st_size > 0
    ratings = pd.read_parquet(root / "data" / "processed" / "summeval_judge_ratings.parquet")
    assert (ratings["status"] == "ok").all() and not ratings["cached"].any()
    man = json.loads((root / "data" / "results" / "run_manifest.json").read_text("utf-8"))
    stage = man["stages"][STEM]
    assert stage["extra"]["text_guard"]["guard"] == "PublicTextGuard"
    assert stage["extra"]["text_guard"]["texts_sent_to_phi_guard"] >= 1  # the system message
    assert "data/external/summeval/summeval.jsonl.gz" in stage["inputs_sha256"]

    # Replay: readonly cache, no model may load; same results.
    (root / "params" / "p.yaml").write_text(
        (root / "params" / "p.yaml")
        .read_text("utf-8")
        .replace("cache_mode: readwrite", "cache_mode: readonly"),
        "utf-8",
    )
    res = run_cli("run", "--profile", "p", root=root, timeout=900)
    assert res.returncode == 0, res.stderr[-3000:]
    replay = pd.read_parquet(root / "data" / "processed" / "summeval_judge_ratings.parquet")
    assert replay["cached"].all()
    pd.testing.assert_frame_equal(
        replay.drop(columns=["cached", "latency_s"]), ratings.drop(columns=["cached", "latency_s"])
    )
    man = json.loads((root / "data" / "results" / "run_manifest.json").read_text("utf-8"))
    assert all(not s.get("model_loaded") for s in man["stages"][STEM]["cache"]["models"].values())
