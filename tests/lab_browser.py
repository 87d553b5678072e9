"""Test helper (not a test module): JupyterLab in a throw-away project, driven by headless Chromium.

* :func:`project_copy` - the files a fresh clone has that JupyterLab needs
  (Makefile, pyproject.toml, params/, notebooks/, git attributes);
* :func:`jupyter_lab` - a real JupyterLab server on 127.0.0.1 with the
  ``radjudge`` kernel and the save hook of ``make lab``, stopped (with its
  kernels) on exit;
* :func:`chromium` - Debian's Chromium through Playwright for Python, with a
  fresh profile (Playwright's own browser download does not work offline);
* :class:`Notebook` - one notebook open in JupyterLab: wait for the kernel,
  run all cells, save, read widgets.

Run as a script to take screenshots of the explorer on an existing run::

    python tests/lab_browser.py --results /path/to/project --out /path/to/screens
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: What a fresh clone holds that a JupyterLab session of the compendium needs.
PROJECT_FILES = ("Makefile", "pyproject.toml", ".gitignore", ".gitattributes")
PROJECT_DIRS = ("params", "notebooks")


def missing_browser() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} not found: apt-get install chromium (.ci/run installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[dev]')"
    return None


def project_copy(target: Path) -> Path:
    """Copy the project files JupyterLab needs into ``target`` (created); returns it."""
    target.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, target / name)
    for name in PROJECT_DIRS:
        shutil.copytree(
            ROOT / name, target / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints")
        )
    return target


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Lab:
    """A running JupyterLab server."""

    url: str
    token: str
    root: Path
    process: subprocess.Popen
    log: Path

    def api(self, path: str) -> bytes:
        req = urllib.request.Request(
            f"{self.url}{path}", headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.read()


@contextlib.contextmanager
def jupyter_lab(root: Path, *, workdir: Path, timeout: float = 90) -> Iterator[Lab]:
    """JupyterLab on ``root/notebooks`` as ``make lab`` starts it, plus what a test needs.

    ``RADJUDGE_ROOT`` points the kernels at ``root``; the app object is
    exposed to the page (``window.jupyterapp``) so a test runs JupyterLab's
    own commands (run all, save) instead of guessing at key bindings.
    """
    port, token = _free_port(), secrets.token_hex(16)
    log = workdir / "jupyterlab.log"
    # no "get Jupyter news?" toast over the page (user settings of this throw-away session)
    news = workdir / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True, exist_ok=True)
    (news / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}'
    )
    env = {
        **os.environ,
        "RADJUDGE_ROOT": str(root),
        "JUPYTER_RUNTIME_DIR": str(workdir / "runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(workdir / "workspaces"),
        "JUPYTERLAB_SETTINGS_DIR": str(workdir / "settings"),
    }
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--notebook-dir={root / 'notebooks'}",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        "--ContentsManager.pre_save_hook=radjudge.nbclean.pre_save_hook",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    lab = Lab(f"http://127.0.0.1:{port}", token, root, proc, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited ({proc.returncode}):\n{log.read_text()}")
            try:
                lab.api("/api/status")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not answer:\n{log.read_text()}") from None
                time.sleep(0.3)
        yield lab
    finally:
        stop_process_group(proc)


def stop_process_group(proc: subprocess.Popen, *, grace: float = 20) -> None:
    """SIGTERM the process and everything it started (kernels), SIGKILL what is left."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # kernels the server did not stop
    proc.wait()


@contextlib.contextmanager
def chromium(profile: Path) -> Iterator[Any]:
    """A headless Chromium context (Debian's browser, fresh ``profile`` directory)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1600, "height": 1100},
        )
        try:
            yield ctx
        finally:
            ctx.close()


def _panel(name: str) -> str:
    """JavaScript: the notebook panel of ``name`` among JupyterLab's main-area widgets."""
    return (
        "[...window.jupyterapp.shell.widgets('main')]"
        f".find(w => w.context && w.context.path === {name!r})"
    )


def lab_page(ctx: Any, lab: Lab, *, timeout_ms: float = 90_000) -> Any:
    """A page with JupyterLab loaded and restored (one page serves many notebooks)."""
    page = ctx.new_page()
    page.goto(f"{lab.url}/lab?token={lab.token}")
    page.wait_for_function("() => !!window.jupyterapp", timeout=timeout_ms)
    page.evaluate("async () => { await window.jupyterapp.restored; }")
    return page


class Notebook:
    """One notebook opened in JupyterLab (File > Open); :meth:`ready` waits for its kernel.

    Several can be open in one page at once (their kernels start in parallel);
    every method finds the notebook's own panel by its path.
    """

    def __init__(self, page: Any, name: str) -> None:
        self.page = page
        self.name = name
        self.panel = _panel(name)
        self.errors: list[str] = []
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.evaluate(
            f"async () => {{ await window.jupyterapp.commands.execute("
            f"'docmanager:open', {{path: {name!r}}}); }}"
        )

    def ready(self, timeout_ms: float = 120_000) -> Notebook:
        """Wait until the notebook's kernel is connected and idle."""
        self.page.wait_for_function(
            f"""() => {{
                const p = {self.panel};
                const k = p && p.sessionContext.session && p.sessionContext.session.kernel;
                return !!k && k.connectionStatus === 'connected' && k.status === 'idle';
            }}""",
            timeout=timeout_ms,
        )
        return self

    def evaluate(self, js: str) -> Any:
        return self.page.evaluate(js)

    def language_info(self, timeout_ms: float = 30_000) -> dict:
        """The language_info JupyterLab put into the notebook's metadata from the kernel."""
        self.page.wait_for_function(
            f"() => !!{self.panel}.context.model.getMetadata('language_info')", timeout=timeout_ms
        )
        return self.evaluate(f"() => {self.panel}.context.model.getMetadata('language_info')")

    def command(self, command: str) -> None:
        """Activate the notebook's tab and run a JupyterLab command (what the menu runs)."""
        self.evaluate(
            f"""async () => {{
                const app = window.jupyterapp, panel = {self.panel};
                app.shell.activateById(panel.id);  // takes effect on a later frame
                for (let i = 0; i < 200 && app.shell.currentWidget !== panel; i++) {{
                    await new Promise(r => setTimeout(r, 50));
                }}
                if (app.shell.currentWidget !== panel) {{
                    throw new Error('{self.name} is not the current tab; not running {command}');
                }}
                await app.commands.execute({command!r});
            }}"""
        )

    def run_all(self, timeout_ms: float = 120_000) -> None:
        """Run all cells and wait until the kernel is idle again with every cell executed."""
        self.command("notebook:run-all-cells")
        self.page.wait_for_function(
            f"""() => {{
                const p = {self.panel};
                const cells = p.content.widgets.filter(c => c.model.type === 'code');
                return p.sessionContext.session.kernel.status === 'idle'
                    && cells.every(c => c.model.executionCount !== null);
            }}""",
            timeout=timeout_ms,
        )

    def save(self, timeout_ms: float = 30_000) -> None:
        """File > Save, then wait until JupyterLab has no unsaved change."""
        self.command("docmanager:save")
        self.page.wait_for_function(f"() => !{self.panel}.context.model.dirty", timeout=timeout_ms)


def shutdown_kernels(lab: Lab) -> None:
    """Stop every kernel of the server (one notebook at a time keeps memory low)."""
    import json

    for kernel in json.loads(lab.api("/api/kernels")):
        req = urllib.request.Request(
            f"{lab.url}/api/kernels/{kernel['id']}",
            method="DELETE",
            headers={"Authorization": f"token {lab.token}"},
        )
        with contextlib.suppress(OSError):
            urllib.request.urlopen(req, timeout=20).close()


def open_explorer(ctx: Any, lab: Lab) -> Notebook:
    """Open ``explore_results.ipynb``, run all cells and wait for the explorer to show."""
    nb = Notebook(lab_page(ctx, lab), "explore_results.ipynb").ready()
    nb.evaluate("() => window.jupyterapp.shell.collapseLeft()")  # room for the explorer
    nb.run_all()
    nb.page.locator(".rj-explorer").wait_for(state="visible", timeout=60_000)
    nb.page.locator(".rj-forest img, img.rj-forest").first.wait_for(timeout=30_000)
    return nb


def image_src(page: Any, cls: str) -> str:
    """The ``src`` of an image widget (a new blob URL each time the picture changes)."""
    return page.locator(f"img.{cls}").first.get_attribute("src") or ""


def wait_image_changed(page: Any, cls: str, old_src: str, timeout_ms: float = 20_000) -> None:
    """Wait until image widget ``cls`` shows another picture than ``old_src``."""
    page.wait_for_function(
        f"() => (document.querySelector('img.{cls}') || {{}}).src !== {old_src!r}",
        timeout=timeout_ms,
    )


def select_tab(page: Any, title: str) -> None:
    page.locator(".rj-tabs .lm-TabBar-tab", has_text=title).first.click()


def _screenshots(results: Path, out: Path, config: str, compare: tuple[str, str] | None) -> None:
    """Screenshots of the configuration, item and compare views on an existing run."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="radjudge-screens-") as tmp:
        work = Path(tmp)
        root = project_copy(work / "project")
        for sub in ("interim", "processed", "results"):
            shutil.copytree(results / "data" / sub, root / "data" / sub)
        with jupyter_lab(root, workdir=work) as lab, chromium(work / "profile") as ctx:
            nb = open_explorer(ctx, lab)
            page = nb.page
            page.set_viewport_size({"width": 1600, "height": 1500})
            values = page.locator(".rj-config-list select option").all_inner_texts()
            index = next(
                k for k, v in enumerate(values) if v.replace("\xa0", " ").startswith(config)
            )
            page.locator(".rj-config-list select").select_option(index=index)
            page.wait_for_timeout(2500)
            page.locator(".rj-explorer").screenshot(path=str(out / "configuration_view.png"))
            page.locator(".rj-disagreements select").select_option(index=0)
            page.locator(".rj-open-item").click()
            page.locator(".rj-item-summary").wait_for(state="visible")
            page.wait_for_timeout(1500)
            page.locator(".rj-explorer").screenshot(path=str(out / "item_view.png"))
            select_tab(page, page.locator(".rj-tabs .lm-TabBar-tab").nth(2).inner_text())
            if compare:
                for cls, label in zip(("rj-compare-a", "rj-compare-b"), compare, strict=True):
                    opts = page.locator(f".{cls} select option").all_inner_texts()
                    k = next(
                        i for i, v in enumerate(opts) if v.replace("\xa0", " ").startswith(label)
                    )
                    page.locator(f".{cls} select").select_option(index=k)
                    page.wait_for_timeout(1500)
            page.wait_for_timeout(2000)
            page.locator(".rj-explorer").screenshot(path=str(out / "compare_view.png"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results", type=Path, required=True, help="project root of a run")
    parser.add_argument("--out", type=Path, required=True, help="folder for the PNG files")
    parser.add_argument("--config", default="gemma3-sample", help="start of a configuration row")
    parser.add_argument("--compare", nargs=2, default=None, help="starts of the A and B rows")
    args = parser.parse_args(argv)
    _screenshots(args.results, args.out, args.config, tuple(args.compare) if args.compare else None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
