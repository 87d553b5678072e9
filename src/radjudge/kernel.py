"""The ``radjudge`` Jupyter kernel: same working directory and failure rules everywhere.

The kernel spec (``radjudge kernel install``, run by ``make``) starts IPython
with this extension loaded, so a notebook behaves the same when the runner,
JupyterLab or a test executes it:

* the working directory is ``notebooks/``;
* a shell command (``!cmd``) that exits non-zero raises
  :class:`ShellCommandFailed` instead of printing and carrying on;
* ``PYTHONHASHSEED`` is fixed in the kernel's environment.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from radjudge import paths

__all__ = ["ShellCommandFailed", "load_ipython_extension", "install_kernelspec", "KERNEL_NAME"]

KERNEL_NAME = "radjudge"


class ShellCommandFailed(RuntimeError):
    """A ``!command`` in a notebook exited with a non-zero status."""


def load_ipython_extension(ip: Any) -> None:  # IPython's interactive shell
    """Called by IPython at kernel start (``--ext=radjudge.kernel``)."""
    os.chdir(paths.NOTEBOOKS)
    original_system = ip.system

    def system_raising(cmd: str) -> None:
        ip.user_ns["_exit_code"] = 0
        original_system(cmd)
        code = ip.user_ns.get("_exit_code", 0)
        if code:
            raise ShellCommandFailed(f"shell command exited with status {code}: {cmd}")

    ip.system = system_raising


def install_kernelspec(*, prefix: str | None = None) -> Path:
    """Write the ``radjudge`` kernel spec under ``PREFIX/share/jupyter/kernels``.

    Parameters
    ----------
    prefix : str, optional
        Installation prefix; the running interpreter's ``sys.prefix`` by default
        (the project's ``.venv``).

    Returns
    -------
    pathlib.Path
        The kernel spec folder.
    """
    prefix = prefix or sys.prefix
    target = Path(prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    spec = {
        "argv": [
            sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
            "--ext=radjudge.kernel",
        ],
        "display_name": "Python 3 (radjudge)",
        "language": "python",
        "env": {"PYTHONHASHSEED": "0"},
        "metadata": {"debugger": True},
    }
    (target / "kernel.json").write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
    return target
