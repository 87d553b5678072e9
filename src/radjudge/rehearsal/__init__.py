"""The study's path, rehearsed on this machine: HTTP judges, a spreadsheet application, real inputs.

``params/rehearsal.yaml`` has the shape of the study profile, scaled to two
CPU cores, and this package provides what the study gets from outside:

* **Inputs** (:func:`prepare_inputs`): the synthetic cohort's first patients
  exported WITH their identifiers to an XLSX file in the documented record
  format (``patient_id`` + the six Russian section headings; saved by
  LibreOffice when it is installed), and a roster CSV - the files a study
  team puts in ``data/raw``. Notebook 01 reads them through the real-record
  path (:func:`radjudge.records.read_records`) and anonymizes them.
* **A model server** (:class:`LlamaCppServer`): one ``llama_cpp.server``
  (llama-cpp-python) serving both GGUF models of the demo (SmolLM2-135M-Instruct
  and Gemma-3-270M) with its multi-model ``--config_file``, on 127.0.0.1 only,
  at the port of the profile's ``base_url``. Every summarizer and judge of the
  profile is a ``backend: openai`` model: every LLM call goes over HTTP, no
  model is loaded in-process.
* **Experts who use a spreadsheet application** (:func:`fill_forms_libreoffice`):
  the simulated panel's ratings are typed into the exported forms by LibreOffice
  Calc, headless (``lo_fill.py``, a separate script run by the system Python
  with LibreOffice's UNO bridge), and saved with Calc's XLSX filter. Notebook 03
  imports them from ``filled_forms_dir`` with the roster file, as a study does,
  and records which application saved each form in the run manifest.

``python -m radjudge.rehearsal run`` (``make rehearsal``) prepares the inputs,
starts the server, runs ``radjudge run --profile rehearsal`` and stops the
server, whatever happens. Requirements: ``llama-cpp-python[server]`` (the
``server`` extra) and, for the forms, Debian's ``libreoffice-calc-nogui`` and
``python3-uno`` (``.ci/run`` installs them).

Why the judges generate instead of scoring log-probabilities: llama-cpp-python's
server returns prompt log-probabilities (``echo``) by sorting the whole
vocabulary in Python for every prompt token - measured here at ~77 s for one
1258-token SmolLM2 prompt and ~73 s for a 161-token Gemma-3 prompt (262k-token
vocabulary) on 2 cores, against ~6 s to generate. A study's vLLM server does not
have that cost; the rehearsal's judges use guided generation and sampling.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypedDict

import pandas as pd

from radjudge import paths
from radjudge.cohort import materialize_cohort
from radjudge.llm.models import resolve_source
from radjudge.ratings import read_key, write_roster
from radjudge.ratings.forms import RATING_SHEET, form_cells
from radjudge.ratings.key import BlindingKey
from radjudge.ratings.simulate import make_roster
from radjudge.records import SECTION_HEADINGS, SECTIONS

__all__ = [
    "LibreOfficeMissing",
    "LlamaCppServer",
    "fill_forms_libreoffice",
    "libreoffice_resave",
    "prepare_inputs",
    "server_models",
    "uno_python",
]

#: The separate script that drives LibreOffice (run by the system Python, see its docstring).
LO_SCRIPT = Path(__file__).with_name("lo_fill.py")


class LibreOfficeMissing(RuntimeError):
    """LibreOffice headless or its Python bridge is not installed; the message says how to."""


# -------------------------------------------------------------------------- LibreOffice


def uno_python() -> str:
    """A Python interpreter that can ``import uno`` (LibreOffice's bridge).

    ``RADJUDGE_UNO_PYTHON`` if set, else the system ``/usr/bin/python3`` (Debian's
    ``python3-uno``), else LibreOffice's own bundled Python.

    Raises
    ------
    LibreOfficeMissing
        Naming the packages to install.
    """
    if shutil.which("soffice") is None:
        raise LibreOfficeMissing(
            "LibreOffice is not installed (no 'soffice' on PATH): "
            "apt-get install libreoffice-calc-nogui python3-uno"
        )
    candidates = [
        os.environ.get("RADJUDGE_UNO_PYTHON"),
        "/usr/bin/python3",
        "/usr/lib/libreoffice/program/python",
        "/opt/libreoffice/program/python",
    ]
    for python in filter(None, candidates):
        if not Path(python).is_file():
            continue
        probe = subprocess.run(
            [python, "-c", "import uno"], capture_output=True, timeout=60, check=False
        )
        if probe.returncode == 0:
            return python
    raise LibreOfficeMissing(
        "no Python with LibreOffice's UNO bridge: apt-get install python3-uno "
        "(or set RADJUDGE_UNO_PYTHON to a Python that can 'import uno')"
    )


def _run_lo(forms: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Run ``lo_fill.py`` on a job; returns its per-form records."""
    python = uno_python()
    with tempfile.TemporaryDirectory(prefix="radjudge-lo-job-") as tmp:
        job = Path(tmp) / "job.json"
        job.write_text(json.dumps({"forms": list(forms)}, ensure_ascii=False), "utf-8")
        res = subprocess.run(
            [python, str(LO_SCRIPT), str(job)],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")},
        )
    if res.returncode != 0:
        raise RuntimeError(
            f"LibreOffice could not fill the forms (exit {res.returncode}): {res.stderr[-2000:]}"
        )
    return [json.loads(line) for line in res.stdout.splitlines() if line.strip()]


def fill_forms_libreoffice(
    ratings: pd.DataFrame,
    *,
    key: Any,
    forms_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
) -> dict[str, Path]:
    """Type ratings into the exported forms with LibreOffice Calc and save them as Calc does.

    The same cells as :func:`radjudge.ratings.fill_forms`
    (:func:`radjudge.ratings.forms.form_cells`), typed through LibreOffice's
    UNO API into the rating sheet and saved with Calc's XLSX export filter.

    Parameters and result as :func:`radjudge.ratings.fill_forms`.

    Raises
    ------
    LibreOfficeMissing
        LibreOffice or its UNO bridge is not installed.
    """
    key = key if isinstance(key, BlindingKey) else read_key(key)
    cells = form_cells(ratings, key=key)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = {eid: out_dir / key.forms[eid].file for eid in cells}
    _run_lo(
        [
            {
                "source": str(Path(forms_dir) / key.forms[eid].file),
                "target": str(targets[eid]),
                "sheet": RATING_SHEET,
                "cells": [list(c) for c in entries],
            }
            for eid, entries in cells.items()
        ]
    )
    return targets


def libreoffice_resave(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> Path:
    """Open a workbook in LibreOffice Calc and save it as ``target`` (XLSX), changing nothing."""
    sheet = _first_sheet(Path(source))
    _run_lo([{"source": str(source), "target": str(target), "sheet": sheet, "cells": []}])
    return Path(target)


def _first_sheet(path: Path) -> str:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return wb.sheetnames[0]
    finally:
        wb.close()


# ---------------------------------------------------------------------------- inputs


def prepare_inputs(
    profile: Any, *, libreoffice: bool | None = None, overwrite: bool = True
) -> dict[str, Path]:
    """Write the rehearsal's input files where the profile expects them.

    * ``01_anonymization.records_path``: the synthetic cohort's first
      ``n_patients`` records, identifiers included, as an XLSX in the
      documented format (``patient_id`` + Russian headings), re-saved by
      LibreOffice when available;
    * ``03_expert_ratings.roster_file``: the roster of the profile's ``panel``.

    Parameters
    ----------
    profile : radjudge.profiles.Profile
    libreoffice : bool, optional
        Re-save the records with LibreOffice; by default when it is installed.
    overwrite : bool, default True

    Returns
    -------
    dict[str, pathlib.Path]
        ``{"records": ..., "roster": ...}``.
    """
    import openpyxl

    s01 = profile.section("01_anonymization")
    s03 = profile.section("03_expert_ratings")
    seed = profile.shared["seed"]
    records_path = paths.resolve(s01["records_path"])
    roster_path = paths.resolve(s03["roster_file"])
    if overwrite or not records_path.exists():
        cohort = materialize_cohort(s01["n_patients"], seed=seed)
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Записи"
        ws.append(["patient_id", *(SECTION_HEADINGS[k] for k in SECTIONS)])
        for rec in cohort:
            ws.append([rec.patient_id, *(rec.sections[k] for k in SECTIONS)])
        records_path.parent.mkdir(parents=True, exist_ok=True)
        use_lo = libreoffice if libreoffice is not None else shutil.which("soffice") is not None
        if use_lo:
            with tempfile.TemporaryDirectory() as tmp:
                plain = Path(tmp) / "records.xlsx"
                wb.save(plain)
                libreoffice_resave(plain, records_path)
        else:
            wb.save(records_path)
    if overwrite or not roster_path.exists():
        write_roster(make_roster(s03["panel"], seed=seed), roster_path)
    return {"records": records_path, "roster": roster_path}


# ---------------------------------------------------------------------------- server


def server_models(profile: Any) -> dict[str, Any]:
    """The profile's server: ``{"host", "port", "models": {model id: GGUF path}}``.

    Every ``backend: openai`` model of ``shared.models`` whose ``base_url`` is on
    127.0.0.1 is served, under its ``model`` id, from the GGUF its ``source`` names.

    Raises
    ------
    ValueError
        Models on different servers, a server not on loopback, or a model without a GGUF source.
    """
    servers: dict[tuple[str, int], dict[str, Path]] = {}
    for name, spec in profile.shared["models"].items():
        if spec.get("backend") != "openai":
            continue
        url = urllib.parse.urlsplit(spec["base_url"])
        if url.hostname != "127.0.0.1":
            raise ValueError(
                f"models.{name}: the rehearsal serves models on 127.0.0.1 only, not {url.hostname}"
            )
        gguf = resolve_source(name, spec["source"]) if spec.get("source") else None
        if gguf is None or gguf.suffix != ".gguf":
            raise ValueError(f"models.{name}: source must name a GGUF file for llama.cpp")
        servers.setdefault((url.hostname, url.port or 80), {})[spec["model"]] = gguf
    if len(servers) != 1:
        raise ValueError(f"the rehearsal runs ONE server; the profile names {len(servers)}")
    (host, port), models = next(iter(servers.items()))
    return {"host": host, "port": port, "models": models}


class ServedModel(TypedDict):
    """One model of the server's ``--config_file`` (llama-cpp-python's ``ModelSettings``)."""

    model: str
    model_alias: str
    n_ctx: int
    n_threads: int
    n_threads_batch: int
    seed: int
    logits_all: bool
    verbose: bool


class ServerConfig(TypedDict):
    """The server's ``--config_file`` (llama-cpp-python's ``ConfigFileSettings``)."""

    host: str
    port: int
    models: list[ServedModel]


class LlamaCppServer:
    """``python -m llama_cpp.server --config_file`` serving several GGUF models on loopback.

    The server loads one model at a time and swaps on a request for another
    (llama-cpp-python's multi-model proxy). Use as a context manager, or call
    :meth:`start` and :meth:`stop`; :meth:`stop` escalates to SIGKILL.

    Parameters
    ----------
    models : mapping of str to path
        Model id (the request's ``model``) -> GGUF file.
    port : int
    host : str, default "127.0.0.1"
    n_threads : int, default 1
        llama.cpp threads. One: with two, llama.cpp's threads spin-wait on each
        other, and on a busy 2-core machine a 32-token answer after a cached
        prefix took 22 s instead of 2 s (measured, load average ~10).
    n_ctx : int, default 4096
        Context per model; prompts of the rehearsal are ~2000 tokens.
    log : path-like, optional
        Server log; discarded by default.
    """

    def __init__(
        self,
        models: Mapping[str, str | os.PathLike[str]],
        *,
        port: int,
        host: str = "127.0.0.1",
        n_threads: int = 1,
        n_ctx: int = 4096,
        log: str | os.PathLike[str] | None = None,
    ) -> None:
        if host != "127.0.0.1":
            raise ValueError("the rehearsal server listens on 127.0.0.1 only")
        self.host, self.port = host, int(port)
        self.base_url = f"http://{host}:{self.port}/v1"
        self.config: ServerConfig = {
            "host": host,
            "port": self.port,
            "models": [
                {
                    "model": str(path),
                    "model_alias": alias,
                    "n_ctx": n_ctx,
                    "n_threads": n_threads,
                    "n_threads_batch": n_threads,
                    "seed": 0,
                    # no prompt log-probs (see the module docstring): logits of the last token only
                    "logits_all": False,
                    "verbose": False,
                }
                for alias, path in models.items()
            ],
        }
        self.log_path = Path(log) if log else None
        self.process: subprocess.Popen[bytes] | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> LlamaCppServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, *, timeout_s: float = 300.0) -> None:
        """Start the server and wait until ``GET /v1/models`` lists every model."""
        if self.process is not None and self.process.poll() is None:
            return
        self._tmp = tempfile.TemporaryDirectory(prefix="radjudge-llama-")
        config = Path(self._tmp.name) / "config.json"
        config.write_text(json.dumps(self.config), "utf-8")
        log = open(self.log_path, "ab") if self.log_path else None  # noqa: SIM115
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "llama_cpp.server", "--config_file", str(config)],
                stdout=subprocess.DEVNULL if log is None else log,
                stderr=subprocess.STDOUT,
            )
        finally:
            if log is not None:
                log.close()
        deadline = time.monotonic() + timeout_s
        want = {m["model_alias"] for m in self.config["models"]}
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"llama_cpp.server exited with code {self.process.returncode}"
                    + (f"; see {self.log_path}" if self.log_path else "")
                )
            try:
                with urllib.request.urlopen(f"{self.base_url}/models", timeout=2) as r:
                    served = {m["id"] for m in json.load(r)["data"]}
                if want <= served:
                    return
            except (OSError, ValueError, KeyError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"llama_cpp.server did not answer within {timeout_s:g} s")
            time.sleep(0.5)

    def kill(self) -> None:
        """SIGKILL the server (a crash, for the fault-path rehearsal)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after 20 s) and remove its config."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    @classmethod
    def for_profile(cls, profile: Any, **kwargs: Any) -> LlamaCppServer:
        """The server the profile's models point at (:func:`server_models`)."""
        spec = server_models(profile)
        return cls(spec["models"], port=spec["port"], host=spec["host"], **kwargs)
