"""Notebook 07 (external validation on SummEval): every profile's judges are registered models.

Its real run - a SmolLM2 judge on one article, then a read-only replay from the
cache - is part of the whole-chain smoke test (``tests/test_study.py``); every
check it made is made there.
"""

from __future__ import annotations

from radjudge.profiles import load_profile

STEM = "07_external_validation"


def test_every_profile_judges_with_registered_models():
    # (clean commit and profile fit of every notebook: tests/test_notebooks.py, test_pipeline.py)
    for name in ("demo", "smoke", "study"):
        prof = load_profile(name)
        assert set(prof.section(STEM)["judges"]) <= set(prof.shared["models"]), name
