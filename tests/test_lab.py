"""JupyterLab for the compendium: ``make lab`` (also as root), and saving notebooks keeps git clean.

* ``make lab`` is run for real in a throw-away copy: it detects root and
  passes ``--allow-root``, prints the URL, serves it, and its server strips a
  source notebook saved through the contents API.
* Every notebook is opened in JupyterLab with a real browser (its kernel
  starts, JupyterLab writes ``language_info`` into the notebook) and saved
  with File > Save; ``git status`` of the throw-away clone stays clean.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import lab_browser as L

VENV = Path(sys.executable).parents[1]
NOTEBOOKS = sorted(p.name for p in (L.ROOT / "notebooks").glob("*.ipynb"))


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_make_lab_prints_the_url_starts_as_root_and_strips_saved_notebooks(tmp_path):
    root = L.project_copy(tmp_path / "project")
    port = L._free_port()
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "-o", "setup", "lab", f"VENV={VENV}", f"LAB_PORT={port}"],
        cwd=root,
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "BROWSER": "true"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    try:
        url = None
        deadline = time.monotonic() + 90
        while url is None:
            line = proc.stdout.readline()
            assert line or proc.poll() is None, "make lab exited:\n" + "".join(lines)
            assert time.monotonic() < deadline, "no URL printed:\n" + "".join(lines)
            lines.append(line)
            hit = re.search(rf"http://127\.0\.0\.1:{port}/lab\?token=(\w+)", line)
            url = hit and hit.group(0)
        out = "".join(lines)
        assert ("running as root: --allow-root" in out) == (os.geteuid() == 0)
        token = url.rsplit("=", 1)[1]
        while True:  # the URL is printed as the server starts listening
            try:
                with urllib.request.urlopen(
                    f"{url.split('/lab')[0]}/api/status?token={token}"
                ) as r:
                    assert r.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "make lab printed a URL nobody answers"
                time.sleep(0.3)
        # a notebook saved through the server (as JupyterLab saves) lands stripped on disk
        name = "06_figures.ipynb"
        committed = (root / "notebooks" / name).read_text(encoding="utf-8")
        nb = json.loads(committed)
        nb["metadata"]["language_info"] = {"name": "python", "version": "3.11.7"}
        nb["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x\n"}]
        nb["cells"][1]["execution_count"] = 1
        body = json.dumps({"type": "notebook", "format": "json", "content": nb}).encode()
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/contents/{name}?token={token}",
            data=body,
            method="PUT",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req) as r:
            assert r.status == 200
        assert (root / "notebooks" / name).read_text(encoding="utf-8") == committed
    finally:
        L.stop_process_group(proc)
        proc.stdout.close()


@pytest.mark.browser
@pytest.mark.skipif(L.missing_browser() is not None, reason=str(L.missing_browser()))
def test_opening_and_saving_every_notebook_in_jupyterlab_leaves_git_status_clean(tmp_path):
    repo = L.project_copy(tmp_path / "clone")
    assert _git(repo, "init", "-q").returncode == 0
    res = subprocess.run(
        ["make", "--no-print-directory", "nbfilter", f"VENV={VENV}"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    assert _git(repo, "add", "-A").returncode == 0
    assert _git(repo, "commit", "-qm", "clone").returncode == 0
    committed = {n: (repo / "notebooks" / n).read_bytes() for n in NOTEBOOKS}
    with L.jupyter_lab(repo, workdir=tmp_path) as lab, L.chromium(tmp_path / "profile") as ctx:
        page = L.lab_page(ctx, lab)
        before = {n: (repo / "notebooks" / n).stat().st_mtime_ns for n in NOTEBOOKS}
        opened = [L.Notebook(page, name) for name in NOTEBOOKS]  # kernels start together
        for nb in opened:
            info = nb.ready().language_info()  # what made committed notebooks look modified
            assert info["name"] == "python" and info["version"].startswith("3.11"), nb.name
        for nb in opened:
            nb.save()
            path = repo / "notebooks" / nb.name
            assert path.stat().st_mtime_ns > before[nb.name], f"{nb.name}: JupyterLab did not save"
            assert path.read_bytes() == committed[nb.name], nb.name
        L.shutdown_kernels(lab)
    status = _git(repo, "status", "--porcelain")
    assert status.returncode == 0 and status.stdout == "", status.stdout
