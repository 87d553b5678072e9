"""Anonymized records: only the anonymizer makes them; the marker binds to the text prompts use."""

from __future__ import annotations

import copy
import json
import pickle
from functools import cache

import pytest

import radjudge.anonymize.record as record_module
from radjudge.anonymize import (
    AnonymizedRecord,
    PHIGuardError,
    anonymize_records,
    load_anonymized,
    require_anonymized,
    save_anonymized,
)
from radjudge.anonymize.record import SCHEME, _seal, content_sha256
from radjudge.cohort import load_cohort
from radjudge.records import SECTIONS, render_text

CLEAN = {k: f"Текст раздела {i}: без особенностей." for i, k in enumerate(SECTIONS)}


@cache
def sealed() -> AnonymizedRecord:
    return anonymize_records(load_cohort()[:1])[0].record


def test_bypass_seal_is_private_and_even_the_private_path_refuses_raw_sections():
    # issue 14: "seal() seals raw sections"
    assert not hasattr(record_module, "seal")
    with pytest.raises(TypeError, match="made only by the anonymizer"):
        AnonymizedRecord("P1", CLEAN, {}, True)  # type: ignore[call-arg]
    raw = load_cohort()[0]
    with pytest.raises(PHIGuardError, match="still holds .* identifier"):
        _seal(raw.patient_id, True, raw.sections, {"replacement": "placeholder"})
    rec = _seal("P1", True, CLEAN, {"replacement": "placeholder"})
    assert require_anonymized(rec) is rec and rec.marker["scheme"] == SCHEME


def test_bypass_a_subclass_overriding_text_cannot_be_defined_or_passed_off():
    # issue 14: "a subclass of AnonymizedRecord overriding .text passes the marker check"
    with pytest.raises(TypeError, match="cannot be subclassed"):

        class Leaky(AnonymizedRecord):  # noqa: F841 - the definition itself must fail
            @property
            def text(self) -> str:
                return "Иванов Иван Иванович"

    class LookAlike:  # duck-typed copy of a sealed record with another text
        def __init__(self, rec: AnonymizedRecord) -> None:
            self.patient_id, self.sections, self.marker = rec.patient_id, rec.sections, rec.marker
            self.synthetic, self.text = rec.synthetic, "Иванов Иван Иванович"

    with pytest.raises(PHIGuardError, match="only AnonymizedRecord objects may reach an LLM"):
        require_anonymized(LookAlike(sealed()))


def test_records_are_immutable_and_cannot_be_copied_into_a_new_object():
    rec = sealed()
    with pytest.raises(AttributeError, match="immutable"):
        rec._text = "Иванов И.И."  # type: ignore[misc]
    with pytest.raises(AttributeError):
        rec.text = "Иванов И.И."  # type: ignore[misc]
    with pytest.raises(TypeError):
        rec.sections["labs"] = "Иванов И.И."  # type: ignore[index]
    rec.marker["surrogates"] = ["Иванов"]  # a copy: the record does not change
    assert rec.marker["surrogates"] == []
    assert copy.copy(rec) is rec and copy.deepcopy(rec) is rec
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(rec)


def test_the_hash_covers_the_rendered_text_and_every_field():
    rec = _seal("P1", True, CLEAN, {"replacement": "placeholder"})
    assert rec.text == render_text(CLEAN)
    marker = rec.marker
    base = marker["content_sha256"]
    assert base == content_sha256("P1", True, rec.text, rec.sections, marker)
    variants = [
        content_sha256("P2", True, rec.text, rec.sections, marker),
        content_sha256("P1", False, rec.text, rec.sections, marker),
        content_sha256("P1", True, rec.text + " ", rec.sections, marker),
        content_sha256("P1", True, rec.text, {**rec.sections, "labs": "другое"}, marker),
        content_sha256("P1", True, rec.text, rec.sections, {**marker, "replacement": "x"}),
    ]
    assert base not in variants and len(set(variants)) == 5


def test_text_has_the_same_format_as_the_cohort():
    rec = sealed()
    assert rec.text.startswith("Жалобы:\n")
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


def test_loading_an_edited_or_forged_file_is_refused(tmp_path):
    path = save_anonymized([sealed()], tmp_path / "a.jsonl")
    obj = json.loads(path.read_text("utf-8"))
    obj["sections"]["complaints"] = "Пациент Иванов И.И. жалуется на боли."
    path.write_text(json.dumps(obj, ensure_ascii=False) + "\n", "utf-8")
    with pytest.raises(PHIGuardError, match="edited after anonymization"):
        load_anonymized(path)
    # a forger who recomputes the hash is still stopped by the scan of the text
    marker = obj["anonymization"]
    marker["content_sha256"] = content_sha256(
        obj["patient_id"],
        True,
        render_text(obj["sections"]),
        obj["sections"],
        marker,
    )
    path.write_text(json.dumps(obj, ensure_ascii=False) + "\n", "utf-8")
    with pytest.raises(PHIGuardError, match=r"a\.jsonl, line 1: patient P001: the text still"):
        load_anonymized(path)
    with pytest.raises(FileNotFoundError, match="notebook 01"):
        load_anonymized(tmp_path / "none.jsonl")
    path.write_text('{"patient_id": "P1"}\n', "utf-8")
    with pytest.raises(ValueError, match=r"line 1: missing field\(s\)"):
        load_anonymized(path)


def test_save_refuses_anything_but_sealed_records(tmp_path):
    raw = load_cohort()[0]
    with pytest.raises(PHIGuardError, match="only AnonymizedRecord"):
        save_anonymized([raw], tmp_path / "x.jsonl")
    assert not (tmp_path / "x.jsonl").exists()
