"""The rehearsal (params/rehearsal.yaml): forms typed in LibreOffice, a llama.cpp server, the path.

* Forms filled by a real LibreOffice Calc (headless, UNO) and saved with its
  XLSX filter import exactly, and the import says which application saved them.
* The whole rehearsal from a clean copy of the project (``python -m
  radjudge.rehearsal run``, what ``make rehearsal`` runs): every notebook, every
  LLM call over HTTP to one local ``llama_cpp.server`` serving both GGUF models,
  no model loaded in-process, the forms through LibreOffice.
* The fault path: the server is killed half-way through notebook 04; the rerun
  reuses every call that completed and computes only the others.

LibreOffice headless (Debian: ``libreoffice-calc-nogui``, ``python3-uno``) is
required, as is the ``server`` extra; ``.ci/run`` installs LibreOffice.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mini_cohort
from conftest import run_cli
from llm_servers import free_port
from radjudge.profile_schema import apply_overrides
from radjudge.profiles import load_profile
from radjudge.ratings import MissingRatingsWarning, export_forms, load_expert_ratings
from radjudge.records import read_records
from radjudge.rehearsal import (
    LibreOfficeMissing,
    LlamaCppServer,
    fill_forms_libreoffice,
    libreoffice_resave,
    server_models,
    uno_python,
)
from test_study import manifest_of, project_copy

MODELS = ("smollm2-http", "gemma3-http")


def require_libreoffice() -> None:
    try:
        uno_python()
    except LibreOfficeMissing as exc:  # a failure, not a skip: CI installs it (.ci/run)
        pytest.fail(str(exc))


def base_url_overrides(port: int) -> list[str]:
    return [f"models.{m}.base_url=http://127.0.0.1:{port}/v1" for m in MODELS]


def set_args(overrides: list[str]) -> list[str]:
    return [a for o in overrides for a in ("--set", o)]


# ------------------------------------------------------------------------ LibreOffice


def test_forms_typed_and_saved_by_libreoffice_import_exactly(tmp_path):
    require_libreoffice()
    roster = mini_cohort.roster(1)
    out = export_forms(
        mini_cohort.anonymized(),
        mini_cohort.summaries(),
        roster,
        study_id="lo-test",
        seed=5,
        forms_dir=tmp_path / "forms",
        key_path=tmp_path / "key.json",
    )
    rng = np.random.default_rng(6)
    rows = [
        (eid, e.patient_id, e.summarizer, crit, int(rng.integers(1, n + 1)))
        for eid in out.key.forms
        for e in out.key.codes.values()
        for crit, n in out.key.scales.items()
    ]
    truth = pd.DataFrame(
        rows, columns=["expert_id", "patient_id", "summarizer", "criterion", "score"]
    )
    truth["score"] = truth["score"].astype("Int64")
    truth.loc[::17, "score"] = pd.NA  # left empty by the expert
    filled = fill_forms_libreoffice(
        truth, key=out.key, forms_dir=tmp_path / "forms", out_dir=tmp_path / "returned"
    )
    assert set(filled) == set(roster["expert_id"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingRatingsWarning)
        got = load_expert_ratings(tmp_path / "returned", key=out.key_path, roster=roster)
    ids = ["expert_id", "patient_id", "summarizer", "criterion"]
    both = got.merge(truth, on=ids, suffixes=("", "_typed"), validate="one_to_one")
    assert len(both) == len(got) == len(truth)
    assert both["score"].isna().equals(both["score_typed"].isna())
    assert (both["score"].dropna() == both["score_typed"].dropna()).all()
    apps = {f["application"] for f in got.attrs["files"].values()}
    assert len(apps) == 1 and apps.pop().startswith("LibreOffice/")


def test_records_resaved_by_libreoffice_read_back_unchanged(tmp_path):
    require_libreoffice()
    import openpyxl

    from radjudge.cohort import load_cohort
    from radjudge.records import SECTION_HEADINGS, SECTIONS

    cohort = load_cohort()[:2]
    wb = openpyxl.Workbook()
    wb.active.append(["patient_id", *(SECTION_HEADINGS[k] for k in SECTIONS)])
    for rec in cohort:
        wb.active.append([rec.patient_id, *(rec.sections[k] for k in SECTIONS)])
    wb.save(tmp_path / "plain.xlsx")
    libreoffice_resave(tmp_path / "plain.xlsx", tmp_path / "records.xlsx")
    got = read_records(tmp_path / "records.xlsx")
    assert [(r.patient_id, r.sections) for r in got] == [(c.patient_id, c.sections) for c in cohort]


def test_the_rehearsal_serves_both_models_from_one_loopback_server():
    spec = server_models(load_profile("rehearsal"))
    assert spec["host"] == "127.0.0.1"
    assert set(spec["models"]) == {"smollm2", "gemma3"}
    assert all(Path(p).suffix == ".gguf" and Path(p).is_file() for p in spec["models"].values())
    remote = apply_overrides(
        load_profile("rehearsal"), ["models.gemma3-http.base_url=http://10.0.0.5:8000/v1"]
    )
    with pytest.raises(ValueError, match="127.0.0.1 only"):
        server_models(remote)


# ---------------------------------------------------------------- the whole rehearsal


@pytest.fixture(scope="module")
def rehearsed(tmp_path_factory) -> tuple[Path, list[str], float]:
    """A clean copy of the project after ``python -m radjudge.rehearsal run`` (timed)."""
    require_libreoffice()
    root = project_copy(tmp_path_factory.mktemp("rehearsal"), with_cache=False)
    overrides = base_url_overrides(free_port())
    t0, cpu0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    res = subprocess.run(
        [sys.executable, "-m", "radjudge.rehearsal", "run", *set_args(overrides)],
        cwd=root,
        env={**os.environ, "RADJUDGE_ROOT": str(root)},
        capture_output=True,
        text=True,
        timeout=1800,
    )
    seconds = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-4000:]
    # CPU seconds of the driver, the runner, the kernels, the server and LibreOffice: on idle
    # cores the wall time is about this (the work is mostly one process at a time)
    cpu = cpu1.ru_utime - cpu0.ru_utime + cpu1.ru_stime - cpu0.ru_stime
    print(f"rehearsal: wall {seconds:.0f} s, CPU {cpu:.0f} s (load {os.getloadavg()[0]:.1f})")
    return root, overrides, seconds


@pytest.mark.slow
@pytest.mark.server
def test_the_rehearsal_runs_every_notebook_over_http_with_libreoffice_forms(rehearsed):
    root, _, seconds = rehearsed
    man = manifest_of(root)
    assert man["status"] == "ok"
    assert [n["status"] for n in man["notebooks"]] == ["ok"] * 7
    # records through the real-record path, from the XLSX file
    s01 = man["stages"]["01_anonymization"]
    assert s01["extra"]["synthetic"] is False
    assert "data/raw/rehearsal_records.xlsx" in s01["inputs_sha256"]
    # every LLM call over HTTP, no model loaded in-process
    for stem in ("02_summarization", "04_judge_sweeps"):
        cache = man["stages"][stem]["cache"]
        assert cache["live_calls"] == cache["misses"] > 0 and cache["failures"] == 0, cache
        for name, model in cache["models"].items():
            assert model["backend"] == "openai", (stem, name)
            assert model["http_calls"] >= model["live_calls"] > 0, (stem, name, model)
            assert model["server_model_ids"] == [name.removesuffix("-http")]
    assert man["models_sha256"] == {}  # no weight file was loaded by any notebook
    assert man["stages"]["07_external_validation"]["cache"] == {}  # ROUGE only
    # the forms went through LibreOffice and back, exactly (notebook 03 checks the round trip)
    s03 = man["stages"]["03_expert_ratings"]["extra"]
    files = s03["returned_files"]
    assert s03["forms_filled_with"] == "libreoffice" and len(files) == s03["n_experts"] == 4
    assert all(f["application"].startswith("LibreOffice/") for f in files.values()), files
    summaries = pd.read_parquet(root / "data" / "processed" / "summaries.parquet")
    assert len(summaries) == 3 * 2 and summaries["text"].str.strip().str.len().gt(0).all()
    ratings = pd.read_parquet(root / "data" / "processed" / "judge_ratings.parquet")
    assert set(ratings["judge"]) == {"smollm2-guided", "gemma3-sample"}
    assert (ratings["status"] != "failed").all()
    print(f"rehearsal wall time {seconds:.0f} s; notebooks {man['total_seconds']:.0f} s")


@pytest.mark.slow
@pytest.mark.server
def test_a_server_killed_halfway_through_04_costs_only_the_calls_in_flight(rehearsed):
    """Kill -9 the server mid-sweep, restart it, rerun 04: every completed call is reused."""
    root, overrides, _ = rehearsed
    fault = "data/cache/fault"  # an empty cache: 04 computes every call again
    args = [
        "run",
        "--profile",
        "rehearsal",
        "--only",
        "04",
        *set_args([*overrides, f"cache_dir={fault}"]),
    ]
    env = {**os.environ, "RADJUDGE_ROOT": str(root)}
    profile = apply_overrides(load_profile(root / "params" / "rehearsal.yaml"), overrides)
    server = LlamaCppServer.for_profile(profile)
    server.start()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "radjudge", *args],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 900
        while sum(p.read_bytes().count(b"\n") for p in (root / fault).glob("*.jsonl")) < 5:
            assert proc.poll() is None, proc.stdout.read()[-3000:]
            assert time.monotonic() < deadline, "04 made no progress"
            time.sleep(0.2)
        server.kill()  # SIGKILL: a crash, mid-request
        out, _ = proc.communicate(timeout=900)
        assert proc.returncode == 0, out[-3000:]
        first = manifest_of(root)["stages"]["04_judge_sweeps"]["cache"]
        server.start()
        again = run_cli(*args, root=root, timeout=900)
        assert again.returncode == 0, again.stderr[-3000:]
        second = manifest_of(root)["stages"]["04_judge_sweeps"]["cache"]
    finally:
        server.stop()
    completed = first["live_calls"] - first["failures"]
    assert 0 < completed < first["calls"] and first["failures"] > 0, first
    assert second["calls"] == first["calls"]
    assert second["hits"] == completed, (first, second)  # every completed call reused
    assert second["live_calls"] == first["failures"] and second["failures"] == 0, second
    print(
        f"fault path: {first['calls']} calls; killed after {completed} completed, "
        f"{first['failures']} failed; rerun: {second['hits']} reused, {second['live_calls']} live"
    )
