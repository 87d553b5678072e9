"""Notebook 01 executed for real through the runner, on an isolated copy of the project."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from conftest import ROOT, isolated_notebooks, run_cli
from radjudge.anonymize import load_anonymized
from radjudge.anonymize.evalset import EVAL_TYPES
from radjudge.cohort import load_cohort
from radjudge.manifest import sha256_file
from radjudge.profiles import load_profile
from radjudge.records import SECTIONS

NOTEBOOK = ROOT / "notebooks" / "01_anonymization.ipynb"
STEM = "01_anonymization"


def isolated_project(tmp_path: Path, profile: str = "smoke", **overrides) -> Path:
    """pyproject, notebook 01, the committed cohort, the independent set and 01's section."""
    return isolated_notebooks(
        tmp_path,
        [STEM],
        profile=profile,
        copy=["data/raw/synthetic_cohort.jsonl", "tests/data/anonymization_eval"],
        sections={STEM: overrides},
    )


def test_study_profile_reads_real_records():
    # (clean commit and profile fit of every notebook: tests/test_notebooks.py, test_pipeline.py)
    assert load_profile("study").section(STEM)["records_path"] == "data/raw/records.xlsx"


@pytest.mark.slow
def test_smoke_run_writes_sealed_records_the_audit_and_the_stage_record(tmp_path):
    root = isolated_project(tmp_path, evaluation_splits=["dev"])
    cohort_before = (root / "data" / "raw" / "synthetic_cohort.jsonl").read_bytes()
    res = run_cli("run", "--profile", "p", root=root, timeout=900)
    assert res.returncode == 0, res.stderr[-3000:]
    n = load_profile("smoke").section(STEM)["n_patients"]
    records = load_anonymized(root / "data" / "interim" / "anonymized_records.jsonl")
    assert [r.patient_id for r in records] == [r.patient_id for r in load_cohort()[:n]]
    assert all(r.synthetic for r in records)
    # the committed cohort file is used as is (prefix-stable generation), never rewritten
    assert (root / "data" / "raw" / "synthetic_cohort.jsonl").read_bytes() == cohort_before
    audit = pd.read_csv(root / "data" / "results" / "anonymization_audit.csv")
    groups = audit[audit["kind"] == "phi_group"].set_index("name")
    assert groups.loc["all", "recall"] == 1.0 and groups.loc["all", "precision"] >= 0.95
    independent = audit[audit["kind"] == "eval_dev"].set_index("name")  # the per-type table
    assert list(independent.index) == [*EVAL_TYPES, "all", "clinical_kept"]
    assert independent.loc["all", "recall"] >= 0.98
    man = json.loads((root / "data" / "results" / "run_manifest.json").read_text("utf-8"))
    stage = man["stages"][STEM]
    assert set(stage["outputs_sha256"]) == {
        "data/interim/anonymized_records.jsonl",
        "data/results/anonymization_audit.csv",
    }
    assert stage["inputs_sha256"] == {
        rel: sha256_file(root / rel)
        for rel in (
            "data/raw/synthetic_cohort.jsonl",
            "tests/data/anonymization_eval/dev.jsonl",
        )
    }
    assert stage["extra"]["independent_dev"]["recall_all"] >= 0.98
    rescanned = audit.set_index("name").loc["records_rescanned", "n_detected"]
    assert stage["extra"]["records_rescanned"] == rescanned and stage["extra"]["n_records"] == n
    executed = nbformat.read(root / man["notebooks"][0]["executed"], as_version=4)
    shown = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert "BEFORE" in shown and "AFTER" in shown  # synthetic: before/after examples shown


@pytest.mark.slow
def test_real_records_run_shows_no_raw_text_and_has_no_ground_truth(tmp_path):
    root = isolated_project(tmp_path, records_path="data/raw/records.csv", n_examples=2)
    raw = load_cohort()[:3]
    with (root / "data" / "raw" / "records.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["patient_id", *SECTIONS])
        for r in raw:
            w.writerow([f"R{r.patient_id}", *(r.sections[k] for k in SECTIONS)])
    res = run_cli("run", "--profile", "p", root=root, timeout=900)
    assert res.returncode == 0, res.stderr[-3000:]
    records = load_anonymized(root / "data" / "interim" / "anonymized_records.jsonl")
    assert [r.patient_id for r in records] == ["RP001", "RP002", "RP003"]
    assert not any(r.synthetic for r in records)
    audit = pd.read_csv(root / "data" / "results" / "anonymization_audit.csv")
    assert set(audit["kind"]) == {"phi_type", "passes"} and audit["recall"].isna().all()
    man = json.loads((root / "data" / "results" / "run_manifest.json").read_text("utf-8"))
    executed = nbformat.read(root / man["notebooks"][0]["executed"], as_version=4)
    shown = json.dumps(
        [o for c in executed.cells for o in c.get("outputs", [])], ensure_ascii=False
    )
    leaked = [s.text for r in raw for s in r.phi if len(s.text) >= 5 and s.text in shown]
    assert not leaked, leaked


def test_bypass_a_profile_cannot_turn_off_the_name_detectors():
    # issue 14: "a profile cannot turn off the name detectors for real records": the
    # anonymizer has no detector option, so a profile naming one is refused before anything runs
    from radjudge.pipeline import check_profile, discover_notebooks
    from radjudge.profiles import ProfileError

    profile = load_profile("study")
    profile.notebooks[STEM]["detectors"] = ["rules"]
    with pytest.raises(ProfileError, match=r"parameter 'detectors' \(notebooks\.01_anonymization"):
        check_profile(profile, discover_notebooks())
