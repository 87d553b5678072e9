"""radjudge.nbclean: committed notebooks hold no outputs or volatile metadata, whoever saves them.

The save hook runs in a real Jupyter ``FileContentsManager``; ``make strip``
and the git filter that ``make setup`` installs run for real in a throw-away
git repository.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from radjudge import nbclean

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
VENV = Path(sys.executable).parents[1]


def _dirty(text: str) -> str:
    """What JupyterLab (or another editor) writes after opening and running a notebook."""
    nb = json.loads(text)
    nb["metadata"]["language_info"] = {
        "name": "python",
        "version": "3.11.7",
        "pygments_lexer": "ipython3",
    }
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    for k, cell in enumerate(nb["cells"]):
        cell["metadata"]["scrolled"] = True
        if cell["cell_type"] == "markdown":
            cell["metadata"]["jp-MarkdownHeadingCollapsed"] = True
        if cell["cell_type"] == "code":
            cell["execution_count"] = k
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["ж\n"]}]
    return json.dumps(nb, indent=2, ensure_ascii=True)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_committed_notebook_is_already_clean(path):
    text = path.read_text(encoding="utf-8")
    assert nbclean.clean_text(text) == text, f"{path.name}: run `make strip`"


def test_stripping_removes_what_jupyter_adds_and_keeps_what_a_person_wrote():
    text = (ROOT / "notebooks" / "05_concordance.ipynb").read_text(encoding="utf-8")
    dirty = _dirty(text)
    assert dirty != text
    assert nbclean.clean_text(dirty) == text  # byte for byte, in Jupyter's own format
    nb = nbformat.reads(nbclean.clean_text(dirty), as_version=4)
    assert nb.cells[1].metadata["tags"] == ["parameters"] and nb.cells[1].id
    assert nb.metadata["kernelspec"]["name"] == "radjudge"
    with pytest.raises(ValueError, match="not a notebook"):
        nbclean.clean_text("{not json")


def _compendium(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "params").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (root / "notebooks").mkdir()
    (root / "scratch").mkdir()
    return root


def test_the_save_hook_strips_source_notebooks_in_a_real_contents_manager(tmp_path):
    from jupyter_server.services.contents.filemanager import FileContentsManager

    root = _compendium(tmp_path)
    committed = (ROOT / "notebooks" / "05_concordance.ipynb").read_text(encoding="utf-8")
    cm = FileContentsManager(root_dir=str(root), pre_save_hook="radjudge.nbclean.pre_save_hook")
    for where in ("notebooks/05_concordance.ipynb", "scratch/copy.ipynb"):
        cm.save(
            {"type": "notebook", "format": "json", "content": json.loads(_dirty(committed))}, where
        )
    assert (root / "notebooks" / "05_concordance.ipynb").read_text(encoding="utf-8") == committed
    other = json.loads((root / "scratch" / "copy.ipynb").read_text(encoding="utf-8"))
    assert other["metadata"]["language_info"]["version"] == "3.11.7"  # not a source notebook
    assert any(c.get("outputs") for c in other["cells"])
    assert nbclean.is_source_notebook(root / "notebooks" / "05_concordance.ipynb")
    assert not nbclean.is_source_notebook(root / "scratch" / "copy.ipynb")


def _run(cmd: list[str], cwd: Path, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120, **kw)


def test_command_line_checks_strips_and_filters(tmp_path):
    committed = (ROOT / "notebooks" / "05_concordance.ipynb").read_text(encoding="utf-8")
    f = tmp_path / "05_concordance.ipynb"
    f.write_text(_dirty(committed), encoding="utf-8")
    mod = [sys.executable, "-m", "radjudge.nbclean"]
    res = _run([*mod, "--check", str(f)], tmp_path)
    assert res.returncode == 1 and f"not clean: {f}" in res.stdout
    assert f.read_text(encoding="utf-8") != committed
    res = _run([*mod, str(f)], tmp_path)
    assert res.returncode == 0 and f"stripped: {f}" in res.stdout
    assert f.read_text(encoding="utf-8") == committed
    # the git filter: stdin to stdout, UTF-8 whatever the locale
    res = subprocess.run(
        mod,
        input=_dirty(committed).encode(),
        capture_output=True,
        env={**os.environ, "LC_ALL": "C", "PYTHONIOENCODING": ""},
        timeout=120,
    )
    assert res.returncode == 0, res.stderr.decode()
    assert res.stdout.decode("utf-8") == committed
    bad = tmp_path / "bad.ipynb"
    bad.write_text("[]")
    res = _run([*mod, str(bad)], tmp_path)
    assert res.returncode == 2 and "bad.ipynb: not a notebook" in res.stderr


def test_make_strip_and_the_git_filter_of_make_setup(tmp_path):
    if shutil.which("git") is None or shutil.which("make") is None:
        pytest.skip("git and make are needed")
    repo = tmp_path / "clone"
    repo.mkdir()
    for name in ("Makefile", "pyproject.toml", ".gitattributes", ".gitignore"):
        shutil.copy2(ROOT / name, repo / name)
    (repo / "notebooks").mkdir()
    for name in ("03_expert_ratings.ipynb", "05_concordance.ipynb"):  # git runs the filter per file
        shutil.copy2(ROOT / "notebooks" / name, repo / "notebooks" / name)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    assert _run(["git", "init", "-q"], repo).returncode == 0
    make = ["make", "--no-print-directory", f"VENV={VENV}", "-o", "setup"]
    res = _run([*make, "nbfilter"], repo)
    assert res.returncode == 0, res.stderr
    clean = _run(["git", "config", "filter.nbclean.clean"], repo).stdout.strip()
    assert clean == f"'{VENV}/bin/python' -m radjudge.nbclean"
    assert _run([*git, "add", "-A"], repo).returncode == 0
    assert _run([*git, "commit", "-qm", "clone"], repo).returncode == 0
    nb = repo / "notebooks" / "03_expert_ratings.ipynb"
    committed = nb.read_text(encoding="utf-8")
    # make strip rewrites a run notebook as committed
    nb.write_text(_dirty(committed), encoding="utf-8")
    res = _run([*make, "strip"], repo)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[-1] == "stripped: notebooks/03_expert_ratings.ipynb"
    assert nb.read_text(encoding="utf-8") == committed
    assert _run(["git", "status", "--porcelain"], repo).stdout == ""
    # another editor saved it, run: git sees it through the filter, nothing to diff or commit
    nb.write_text(_dirty(committed), encoding="utf-8")
    assert _run(["git", "diff", "--quiet"], repo).returncode == 0
    unfiltered = _run(["git", "-c", "filter.nbclean.clean=cat", "diff", "--quiet"], repo)
    assert unfiltered.returncode == 1  # the file really differs; the filter hides it
    assert _run([*git, "add", "-A"], repo).returncode == 0
    assert _run(["git", "status", "--porcelain"], repo).stdout == ""
    assert _run(["git", "diff", "--cached", "--quiet"], repo).returncode == 0
