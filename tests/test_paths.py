"""Paths: one root, whatever the working directory; RADJUDGE_ROOT validated."""

from __future__ import annotations

import subprocess
import sys

import pytest

from radjudge import paths


def test_root_is_this_checkout_and_folders_hang_off_it():
    assert (paths.ROOT / "pyproject.toml").is_file()
    for folder in (
        paths.PARAMS,
        paths.NOTEBOOKS,
        paths.RAW,
        paths.EXTERNAL,
        paths.FIGURES,
        paths.PAPER,
    ):
        assert folder.is_dir() and paths.ROOT in folder.parents
    assert paths.resolve("data/raw") == paths.RAW
    assert paths.relative(paths.SUMMARIES) == "data/processed/summaries.parquet"


def _root_from(cwd, env):
    code = "from radjudge import paths; print(paths.ROOT)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True
    )


def test_root_found_from_a_subfolder_and_from_elsewhere(tmp_path):
    env = {k: v for k, v in __import__("os").environ.items() if k != "RADJUDGE_ROOT"}
    assert _root_from(paths.NOTEBOOKS, env).stdout.strip() == str(paths.ROOT)
    # outside the project the editable install points back to the checkout
    assert _root_from(tmp_path, env).stdout.strip() == str(paths.ROOT)


def test_bad_radjudge_root_is_a_clear_error(tmp_path):
    env = {**__import__("os").environ, "RADJUDGE_ROOT": str(tmp_path)}
    res = _root_from(tmp_path, env)
    assert res.returncode != 0
    assert "is not a radjudge compendium" in res.stderr


def test_only_the_demo_llm_cache_may_be_committed():
    # issue 14: a cache stores generated text (a summary may repeat a missed name); every
    # cache folder but the committed demo cache is git-ignored
    def ignored(rel: str) -> bool:
        res = subprocess.run(
            ["git", "check-ignore", "-q", rel], cwd=paths.ROOT, capture_output=True, check=False
        )
        assert res.returncode in (0, 1), res.stderr
        return res.returncode == 0

    if not (paths.ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    for rel in (
        "data/cache/study/00.jsonl",
        "data/cache/smoke/00.jsonl",
        "data/cache/mine/a.jsonl",
    ):
        assert ignored(rel), rel
    assert not ignored("data/cache/llm/00.jsonl")
