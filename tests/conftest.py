"""Shared fixtures: a throw-away compendium for running real notebooks in isolation."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _worker_threads() -> int | None:
    """CPU threads per pytest-xdist worker: the cores shared out, or None outside xdist."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 0)
    if not os.environ.get("PYTEST_XDIST_WORKER") or workers < 1:
        return None
    return max(1, (os.cpu_count() or 1) // workers)


# `make test` runs the suite in pytest-xdist workers, one per core: a worker whose torch or
# notebook kernels ran on every core would thrash against the others. Set before torch is
# imported (kernels and `python -m radjudge` subprocesses inherit it); a value the caller
# exported wins. Thread counts do not change the results the tests compare (greedy texts,
# log-probs): tests/test_summarize_run.py and tests/test_judge_sweep.py recompute the
# committed demo cache under these settings.
_THREADS = _worker_threads()
if _THREADS is not None:
    for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(_name, str(_THREADS))


def pytest_configure(config: pytest.Config) -> None:
    if _THREADS is not None and "torch" in sys.modules:  # imported before this file
        sys.modules["torch"].set_num_threads(int(os.environ["OMP_NUM_THREADS"]))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Modules with slow tests first (stable otherwise).

    pytest-xdist (``--dist loadfile``, see the Makefile) hands whole modules to the
    workers in this order: the long model and notebook runs start early and the
    many quick modules fill in behind them, so no worker is left idle at the end.
    """
    slow_modules = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_modules)


def make_notebook(parameters: str, *cells: str) -> nbformat.NotebookNode:
    """A notebook on the radjudge kernel: a tagged parameters cell, then code cells."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "radjudge",
        "display_name": "Python 3 (radjudge)",
        "language": "python",
    }
    nb.cells.append(nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}))
    nb.cells.extend(nbformat.v4.new_code_cell(c) for c in cells)
    return nb


@pytest.fixture
def mini_project(tmp_path: Path) -> Callable[..., Path]:
    """Build a minimal compendium (pyproject.toml, params/, notebooks/) under tmp_path.

    Call it with ``notebooks={"01_a": nb, ...}`` and ``profiles={"p": "yaml text"}``.
    """

    def build(*, notebooks: dict[str, nbformat.NotebookNode], profiles: dict[str, str]) -> Path:
        root = tmp_path / "project"
        (root / "params").mkdir(parents=True)
        (root / "notebooks").mkdir()
        (root / "pyproject.toml").write_text("[project]\nname = 'mini'\n")
        for stem, nb in notebooks.items():
            nbformat.write(nb, root / "notebooks" / f"{stem}.ipynb")
        for name, text in profiles.items():
            (root / "params" / f"{name}.yaml").write_text(text)
        return root

    return build


def run_cli(
    *args: str, root: Path | None = None, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m radjudge ARGS`` in a subprocess rooted at ``root``."""
    full_env = {**os.environ, **(env or {})}
    if root is not None:
        full_env["RADJUDGE_ROOT"] = str(root)
    return subprocess.run(
        [sys.executable, "-m", "radjudge", *args],
        cwd=root or ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def isolated_notebooks(
    tmp_path: Path,
    stems: Sequence[str],
    *,
    profile: str = "smoke",
    copy: Sequence[str] = (),
    shared: Mapping[str, Any] | None = None,
    sections: Mapping[str, Mapping[str, Any]] | None = None,
) -> Path:
    """A throw-away project that runs only the notebooks ``stems``, with the values of ``profile``.

    It holds ``pyproject.toml``, the notebooks, copies of the ``copy`` paths
    (files or folders, relative to the repository) and ``params/p.yaml``: the
    notebooks' sections of ``profile`` (each updated by ``sections[stem]``) and
    the shared keys they declare (updated by ``shared``). Run it with
    ``run_cli("run", "--profile", "p", root=root)``.
    """
    from radjudge import pipeline
    from radjudge.profiles import load_profile

    root = tmp_path / "project"
    (root / "params").mkdir(parents=True)
    (root / "notebooks").mkdir()
    shutil.copy(ROOT / "pyproject.toml", root)
    for stem in stems:
        shutil.copy(ROOT / "notebooks" / f"{stem}.ipynb", root / "notebooks")
    for rel in copy:
        src, dst = ROOT / rel, root / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy(src, dst)
    real = load_profile(profile)
    declared = set().union(
        *(pipeline.declared_parameters(root / "notebooks" / f"{s}.ipynb") for s in stems)
    )
    doc = {
        "description": f"notebooks {', '.join(stems)} alone, {profile} values",
        "shared": {**{k: v for k, v in real.shared.items() if k in declared}, **(shared or {})},
        "notebooks": {s: {**real.section(s), **(sections or {}).get(s, {})} for s in stems},
    }
    (root / "params" / "p.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    return root


@pytest.fixture(scope="module")
def fault_server() -> Iterator[Any]:
    """A real local HTTP server speaking the OpenAI API, injecting faults (tests/llm_servers.py)."""
    from llm_servers import FaultServer

    server = FaultServer()
    yield server
    server.stop()


@pytest.fixture
def faults(fault_server: Any) -> Any:
    """The module's fault server, with its log and injected faults cleared for this test."""
    fault_server.reset()
    return fault_server
