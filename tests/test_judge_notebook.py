"""Notebook 04 declares what the runner passes it.

Its real run - the smoke judges computed cold by SmolLM2, then the whole sweep
replayed from the cache with no model loaded - is part of the whole-chain smoke
test (``tests/test_study.py``); every check it made is made there.
"""

from __future__ import annotations

from conftest import ROOT
from radjudge import pipeline

STEM = "04_judge_sweeps"
NOTEBOOK = ROOT / "notebooks" / f"{STEM}.ipynb"


def test_notebook_declares_the_judge_parameters() -> None:
    # (clean commit and profile fit of every notebook: tests/test_notebooks.py, test_pipeline.py)
    declared = pipeline.declared_parameters(NOTEBOOK)
    assert {"seed", "language", "cache_dir", "cache_mode", "models", "rubric", "judges"} <= set(
        declared
    )
