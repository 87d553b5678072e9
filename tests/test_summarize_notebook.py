"""Notebook 02 declares what the runner passes it.

Its real run - cold from an empty cache with SmolLM2, then replayed with zero
live calls - is part of the whole-chain smoke test (``tests/test_study.py``),
which runs every notebook anyway; every check it made is made there.
"""

from __future__ import annotations

from conftest import ROOT
from radjudge import pipeline

NOTEBOOK = ROOT / "notebooks" / "02_summarization.ipynb"


def test_notebook_declares_the_llm_parameters():
    # (clean commit and profile fit of every notebook: tests/test_notebooks.py, test_pipeline.py)
    assert {"seed", "cache_dir", "cache_mode", "models", "summarizers"} <= set(
        pipeline.declared_parameters(NOTEBOOK)
    )
