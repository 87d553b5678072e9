"""`make all` replaying the committed demo cache, on a warm install.

Runs, in an isolated copy of the project (so the working tree's outputs are not
touched), the whole demo pipeline with ``cache_mode=readonly`` - any LLM cache
miss is an error, so this is a true replay - then builds the paper.

Baseline, measured in the same run: the same number of *empty* notebooks
executed through the same runner and kernel, i.e. the fixed cost of papermill
and kernel start-up. Reported: replay seconds, the budget ratio (replay / 300 s,
the issue's limit is <= 1.0) and the replay / baseline ratio.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from radjudge import paths, pipeline

BUDGET_SECONDS = 300.0
#: Goal of the headline ratio (printed by ``python -m benchmarks``): key -> (op, goal).
GOALS = {"budget_ratio (replay/300s, <=1 passes)": ("<=", 1.0)}
# What an isolated replay needs from the checkout (outputs are regenerated).
COPY = ["pyproject.toml", "params", "notebooks", "paper", "data/raw", "data/external", "data/cache"]


def _isolated_copy(dest: Path) -> Path:
    for item in COPY:
        src = paths.ROOT / item
        if src.is_dir():
            shutil.copytree(src, dest / item, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        elif src.is_file():
            dest.joinpath(item).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / item)
    return dest


def _timed(cmd: list[str], root: Path) -> float:
    env = {**os.environ, "RADJUDGE_ROOT": str(root)}
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=root, env=env, check=True, capture_output=True, text=True)
    return time.perf_counter() - t0


def _empty_pipeline(root: Path, n: int) -> None:
    (root / "params").mkdir(parents=True)
    (root / "notebooks").mkdir()
    (root / "pyproject.toml").write_text("[project]\nname = 'baseline'\n")
    (root / "params" / "empty.yaml").write_text("description: empty notebooks\nnotebooks: {}\n")
    for i in range(1, n + 1):
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {
            "name": "radjudge",
            "display_name": "radjudge",
            "language": "python",
        }
        nb.cells.append(
            nbformat.v4.new_code_cell(
                "profile = None\nrun_dir = None", metadata={"tags": ["parameters"]}
            )
        )
        nbformat.write(nb, root / "notebooks" / f"{i:02d}_empty.ipynb")


def run() -> dict:
    n_notebooks = len(pipeline.discover_notebooks())
    with tempfile.TemporaryDirectory(prefix="radjudge-bench-") as tmp:
        replay_root = _isolated_copy(Path(tmp) / "replay")
        t_run = _timed(
            [
                sys.executable,
                "-m",
                "radjudge",
                "run",
                "--profile",
                "demo",
                "--set",
                "cache_mode=readonly",
            ],
            replay_root,
        )
        t_paper = _timed([sys.executable, "-m", "radjudge.paper"], replay_root)
        base_root = Path(tmp) / "baseline"
        _empty_pipeline(base_root, n_notebooks)
        t_base = _timed([sys.executable, "-m", "radjudge", "run", "--profile", "empty"], base_root)
    replay = t_run + t_paper
    return {
        "replay_seconds": round(replay, 1),
        "pipeline_seconds": round(t_run, 1),
        "paper_seconds": round(t_paper, 1),
        "budget_ratio (replay/300s, <=1 passes)": round(replay / BUDGET_SECONDS, 3),
        "empty_pipeline_seconds (baseline)": round(t_base, 1),
        "replay/baseline": round(replay / t_base, 2),
        "notebooks": n_notebooks,
    }
