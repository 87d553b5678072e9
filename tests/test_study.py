"""The whole study, end to end, as `make all` runs it (one test module for the pipeline as a whole).

* The demo profile replays from the committed LLM cache in read-only mode: every
  notebook runs, no call is live, no model is loaded, and the manuscript builds.
* The smoke profile runs the whole chain from an *empty* cache: every LLM call is
  computed by the real local models, then the paper builds from those results.

Both run in a throw-away copy of the project, so the working tree is never touched.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, run_cli
from radjudge.paper import flatten_stats
from radjudge.profiles import load_profile

LLM_STAGES = ("02_summarization", "04_judge_sweeps", "07_external_validation")


def project_copy(tmp_path: Path, *, with_cache: bool) -> Path:
    """The files a fresh clone has (sources, raw and external data, optionally the LLM cache)."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy2(ROOT / "pyproject.toml", root / "pyproject.toml")
    for folder in ("params", "notebooks", "paper", "data/raw", "data/external"):
        shutil.copytree(
            ROOT / folder,
            root / folder,
            ignore=shutil.ignore_patterns("build", ".ipynb_checkpoints"),
        )
    if with_cache:
        shutil.copytree(ROOT / "data" / "cache" / "llm", root / "data" / "cache" / "llm")
    return root


def build_paper(root: Path) -> subprocess.CompletedProcess[str]:
    """``make paper`` in the copy: ``python -m radjudge.paper`` rooted there."""
    return subprocess.run(
        [sys.executable, "-m", "radjudge.paper"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "RADJUDGE_ROOT": str(root)},
        timeout=600,
    )


def manifest_of(root: Path) -> dict:
    return json.loads((root / "data" / "results" / "run_manifest.json").read_text("utf-8"))


def check_outputs(root: Path, profile: str) -> None:
    """What every complete run leaves: the tables of each stage, the figures, the paper."""
    prof = load_profile(profile)
    summarizers = prof.section("02_summarization")["summarizers"]
    n_patients = prof.section("01_anonymization")["n_patients"]
    summaries = pd.read_parquet(root / "data" / "processed" / "summaries.parquet")
    assert len(summaries) == n_patients * len(summarizers)
    assert summaries["text"].str.strip().str.len().gt(0).all()
    ratings = pd.read_parquet(root / "data" / "processed" / "judge_ratings.parquet")
    assert list(ratings["judge"].unique()) == [
        j["name"] for j in prof.section("04_judge_sweeps")["judges"]
    ]
    # failures are recorded statuses, never scores
    assert ratings.loc[ratings["status"] != "ok", "score"].isna().all()
    stats = json.loads((root / "data" / "results" / "stats.json").read_text("utf-8"))
    assert flatten_stats(stats)["data.n_patients"] == n_patients
    index = pd.read_csv(root / "figures" / "index.csv")
    assert len(index) >= 7
    for rel in index["file"]:
        assert (root / rel).stat().st_size > 0, rel
    language = prof.shared["language"]
    pdf = root / "paper" / "build" / f"radjudge_{language}.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"


@pytest.mark.slow
def test_demo_replays_the_whole_study_from_the_committed_cache(tmp_path: Path) -> None:
    root = project_copy(tmp_path, with_cache=True)
    res = run_cli(
        "run", "--profile", "demo", "--set", "cache_mode=readonly", root=root, timeout=1800
    )
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-4000:]
    man = manifest_of(root)
    assert man["status"] == "ok"
    for stem in LLM_STAGES:
        cache = man["stages"][stem]["cache"]
        assert cache["hits"] > 0 and cache["misses"] == 0 and cache["live_calls"] == 0, (
            stem,
            cache,
        )
        assert not any(m["model_loaded"] for m in cache["models"].values()), stem
    paper = build_paper(root)
    assert paper.returncode == 0, paper.stderr[-3000:]
    check_outputs(root, "demo")


@pytest.mark.slow
def test_smoke_runs_the_whole_chain_from_an_empty_cache(tmp_path: Path) -> None:
    root = project_copy(tmp_path, with_cache=False)
    assert not (root / "data" / "cache").exists()
    res = run_cli("run", "--profile", "smoke", root=root, timeout=2400)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-4000:]
    man = manifest_of(root)
    assert man["status"] == "ok"
    for stem in LLM_STAGES:
        cache = man["stages"][stem]["cache"]
        # identical prompts in one batch (two SummEval systems wrote the same summary) are computed
        # once
        assert cache["hits"] == 0 and 0 < cache["live_calls"] <= cache["misses"], (stem, cache)
    # every model file the run used is hashed in the manifest
    assert set(man["models_sha256"]) >= {"smollm2"}
    paper = build_paper(root)
    assert paper.returncode == 0, paper.stderr[-3000:]
    check_outputs(root, "smoke")
