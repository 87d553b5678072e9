"""Anonymized records: the marker binds to the content; the JSONL file follows the contract."""

from __future__ import annotations

import json

import pytest

from radjudge.anonymize import PHIGuardError, anonymize_records, load_anonymized
from radjudge.anonymize.record import (
    SCHEME,
    content_sha256,
    read_anonymized_jsonl,
    save_anonymized,
    seal,
)
from radjudge.cohort import load_cohort
from radjudge.records import SECTIONS, render_text

SECTIONS_OK = {k: f"текст {k}" for k in SECTIONS}


def test_seal_binds_every_field():
    rec = seal("P1", True, SECTIONS_OK, {"replacement": "placeholder"})
    assert rec.marker["scheme"] == SCHEME
    base = rec.marker["content_sha256"]
    assert base == content_sha256("P1", True, rec.sections, rec.marker)
    variants = [
        content_sha256("P2", True, rec.sections, rec.marker),
        content_sha256("P1", False, rec.sections, rec.marker),
        content_sha256("P1", True, {**rec.sections, "labs": "другое"}, rec.marker),
        content_sha256("P1", True, rec.sections, {**rec.marker, "replacement": "surrogate"}),
    ]
    assert base not in variants and len(set(variants)) == 4


def test_text_has_the_same_format_as_the_cohort():
    rec = seal("P1", True, SECTIONS_OK, {})
    assert rec.text == render_text(SECTIONS_OK)
    assert rec.text.startswith("Жалобы:\nтекст complaints\n\nАнамнез заболевания:\n")
    assert load_cohort()[0].text.split("\n")[0] == rec.text.split("\n")[0]


def test_file_round_trip_follows_the_contract(tmp_path):
    results = anonymize_records(load_cohort()[:2])
    path = save_anonymized([r.record for r in results], tmp_path / "a.jsonl")
    lines = [json.loads(x) for x in path.read_text("utf-8").splitlines()]
    assert [list(obj) for obj in lines] == [
        ["patient_id", "synthetic", "sections", "anonymization"]
    ] * 2
    assert all(
        obj["synthetic"] is True and list(obj["sections"]) == list(SECTIONS) for obj in lines
    )
    assert load_anonymized(path) == [r.record for r in results]


def test_loading_an_edited_file_is_refused(tmp_path):
    results = anonymize_records(load_cohort()[:1])
    path = save_anonymized([r.record for r in results], tmp_path / "a.jsonl")
    obj = json.loads(path.read_text("utf-8"))
    obj["sections"]["complaints"] = "Пациент Иванов И.И. жалуется на боли."
    path.write_text(json.dumps(obj, ensure_ascii=False) + "\n", "utf-8")
    assert read_anonymized_jsonl(path)[0].sections["complaints"].startswith("Пациент Иванов")
    with pytest.raises(PHIGuardError, match="edited after anonymization"):
        load_anonymized(path)
    with pytest.raises(FileNotFoundError, match="notebook 01"):
        load_anonymized(tmp_path / "none.jsonl")


def test_save_refuses_unsealed_records(tmp_path):
    rec = seal("P1", True, SECTIONS_OK, {})
    rec.sections["labs"] = "изменено"
    with pytest.raises(PHIGuardError):
        save_anonymized([rec], tmp_path / "x.jsonl")
    assert not (tmp_path / "x.jsonl").exists()
