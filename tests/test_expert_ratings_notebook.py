"""Notebook 03 run for real by the pipeline runner, on an isolated copy of the project.

Inputs are made by the real upstream code, in the documented formats: a synthetic
cohort (``radjudge.cohort``), its anonymization (``radjudge.anonymize``), and the
summaries table of ``radjudge.summarize`` with its two non-LLM summarizers (gold
from the ground-truth facts, extractive) plus a one-line diagnosis ("terse").
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

from conftest import ROOT, run_cli
from radjudge.anonymize import anonymize_records, save_anonymized
from radjudge.cohort import generate_cohort, save_cohort
from radjudge.profiles import load_profile
from radjudge.summarize.config import parse_summarizers
from radjudge.summarize.run import run_summarizers

pytestmark = pytest.mark.slow
STEM = "03_expert_ratings"
N_PATIENTS = 4


def summaries_of(anon, cohort) -> pd.DataFrame:
    """F's non-LLM summarizers (gold from the facts, extractive), plus a one-line "terse" system."""
    configs = parse_summarizers(
        [
            {"name": "gold", "kind": "gold"},
            {"name": "extractive", "kind": "extractive", "max_chars": 600},
        ]
    )
    table = run_summarizers(anon, configs, facts={r.patient_id: r.facts for r in cohort}, seed=1)
    terse = table[table["summarizer"] == "extractive"].assign(
        summarizer="terse", text=[r.facts["diagnosis"].split(";")[0] for r in cohort]
    )
    return pd.concat([table, terse], ignore_index=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("nb03") / "project"
    (root / "params").mkdir(parents=True)
    (root / "notebooks").mkdir()
    (root / "pyproject.toml").write_text("[project]\nname = 'nb03'\n")
    shutil.copy(ROOT / "notebooks" / f"{STEM}.ipynb", root / "notebooks")
    cohort = generate_cohort(N_PATIENTS, seed=20240611)
    save_cohort(cohort, root / "data" / "raw" / "synthetic_cohort.jsonl")
    anon = [r.record for r in anonymize_records(cohort)]
    save_anonymized(anon, root / "data" / "interim" / "anonymized_records.jsonl")
    (root / "data" / "processed").mkdir(parents=True)
    summaries_of(anon, cohort).to_parquet(
        root / "data" / "processed" / "summaries.parquet", index=False
    )
    smoke = load_profile("smoke")
    demo = {"shared": {"seed": smoke.shared["seed"]}, "notebooks": {STEM: smoke.section(STEM)}}
    (root / "params" / "demo.yaml").write_text(yaml.safe_dump(demo, allow_unicode=True))
    study_section = {**load_profile("study").section(STEM)}
    study = {"extends": "demo", "notebooks": {STEM: study_section}}
    (root / "params" / "study.yaml").write_text(yaml.safe_dump(study, allow_unicode=True))
    return root


def stage_record(root: Path) -> dict:
    man = json.loads((root / "data" / "results" / "run_manifest.json").read_text())
    return man["stages"][STEM]


def test_demo_run_exports_simulates_imports_and_keeps_forms_on_rerun(project):
    res = run_cli("run", "--profile", "demo", root=project, timeout=900)
    assert res.returncode == 0, res.stdout + res.stderr
    ratings = pd.read_parquet(project / "data" / "processed" / "expert_ratings.parquet")
    section = load_profile("smoke").section(STEM)
    n_experts = sum(c["n"] for c in section["panel"].values())
    assert len(ratings) == n_experts * N_PATIENTS * 3 * len(section["criteria"])
    assert set(ratings["summarizer"]) == {"gold", "extractive", "terse"}  # unblinded
    assert str(ratings["score"].dtype) == "Int64"
    rec = stage_record(project)
    assert rec["extra"]["forms"] == "exported" and rec["extra"]["simulated_panel"] is True
    assert rec["extra"]["n_ratings"] == len(ratings)
    assert rec["extra"]["n_missing"] == int(ratings["score"].isna().sum())
    assert set(rec["extra"]["kendall_w_all_experts"]) == set(section["criteria"])
    # the gold summary written from the facts beats the one-line diagnosis on completeness
    comp = ratings[ratings["criterion"] == "completeness"].groupby("summarizer")["score"].mean()
    assert comp["gold"] > comp["terse"]
    forms = {
        p.name: p.read_bytes() for p in (project / "data" / "interim" / "forms").glob("*.xlsx")
    }
    assert len(forms) == n_experts
    executed = nbformat.read(
        project
        / json.loads((project / "data" / "results" / "run_manifest.json").read_text())["notebooks"][
            0
        ]["executed"],
        4,
    )
    text = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert "round trip exact" in text
    # second run: same inputs, forms kept byte for byte, same ratings
    res = run_cli("run", "--profile", "demo", root=project, timeout=900)
    assert res.returncode == 0, res.stdout + res.stderr
    assert stage_record(project)["extra"]["forms"] == "kept"
    assert {
        p.name: p.read_bytes() for p in (project / "data" / "interim" / "forms").glob("*.xlsx")
    } == forms
    pd.testing.assert_frame_equal(
        pd.read_parquet(project / "data" / "processed" / "expert_ratings.parquet"), ratings
    )


def test_study_run_asks_for_forms_then_imports_the_returned_ones(project):
    if not (project / "data" / "interim" / "blinding_key.json").exists():
        pytest.skip("needs the demo run's forms (run the whole module)")
    filled = project / "data" / "interim" / "forms_filled"
    keep = project / "returned"
    shutil.move(filled, keep)
    # the study profile is for another study id: its forms must be new, the demo key must not be
    # reused
    res = run_cli("run", "--profile", "study", root=project, timeout=900)
    assert res.returncode != 0
    assert (
        "no longer fit" in res.stdout + res.stderr and "radjudge-study" in res.stdout + res.stderr
    )
    # same study id as the forms: the run asks for the returned forms, then imports them
    study = yaml.safe_load((project / "params" / "study.yaml").read_text())
    study["notebooks"][STEM]["study_id"] = load_profile("smoke").section(STEM)["study_id"]
    (project / "params" / "study.yaml").write_text(yaml.safe_dump(study, allow_unicode=True))
    filled.mkdir()
    res = run_cli("run", "--profile", "study", root=project, timeout=900)
    assert res.returncode != 0 and "no returned form" in res.stdout + res.stderr
    for p in keep.glob("*.xlsx"):
        shutil.copy(p, filled)
    res = run_cli("run", "--profile", "study", root=project, timeout=900)
    assert res.returncode == 0, res.stdout + res.stderr
    rec = stage_record(project)
    assert rec["extra"]["simulated_panel"] is False and rec["extra"]["forms"] == "kept"
