"""THE GUARD: records without a valid marker and texts with residual PHI never reach an LLM."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from llm_servers import FaultServer
from radjudge.anonymize import (
    PHIGuardError,
    anonymize_records,
    check_llm_text,
    require_anonymized,
    scan_text,
)
from radjudge.anonymize.guard import mask
from radjudge.cohort import load_cohort
from radjudge.llm import GenerationRequest, load_client
from radjudge.records import RawRecord


@cache
def demo():
    raw = load_cohort()
    return raw, anonymize_records(raw)


def test_guard_error_is_a_value_error():
    assert issubclass(PHIGuardError, ValueError)


def test_anonymized_records_pass_both_checks():
    _, results = demo()
    for res in results:
        assert require_anonymized(res.record) is res.record
        check_llm_text(res.record.text)
        assert scan_text(res.record.text) == []


@pytest.mark.parametrize("kind", ["cohort", "raw", "dict", "str"])
def test_anything_but_an_anonymized_record_is_refused(kind):
    raw = load_cohort()[0]
    thing = {
        "cohort": raw,
        "raw": RawRecord(raw.patient_id, raw.sections),
        "dict": {
            "patient_id": raw.patient_id,
            "sections": raw.sections,
            "anonymization": {"scheme": "x"},
        },
        "str": raw.text,
    }[kind]
    with pytest.raises(PHIGuardError, match="only AnonymizedRecord objects may reach an LLM"):
        require_anonymized(thing)


def test_every_raw_record_fails_the_scan_and_the_message_never_shows_phi():
    raw, _ = demo()
    for rec in raw:
        with pytest.raises(PHIGuardError) as err:
            check_llm_text(rec.text)
        message = str(err.value)
        assert re.search(
            r"(NAME|DATE|PHONE|SNILS|ORGANIZATION|ADDRESS|POLICY|RECORD_ID|EMAIL|PASSPORT|INN"
            r"|LOCATION) "
            r"at offset \d+",
            message,
        )
        leaked = [s.text for s in rec.phi if len(s.text) >= 4 and s.text in message]
        assert not leaked, leaked
        assert err.value.findings and all(
            f.masked == mask(rec.text[f.start : f.end]) for f in err.value.findings
        )


def test_raw_structured_identifiers_are_caught_one_by_one():
    raw, _ = demo()
    structured = {
        "DATE",
        "PHONE",
        "EMAIL",
        "SNILS",
        "POLICY",
        "PASSPORT",
        "INN",
        "RECORD_ID",
        "ADDRESS",
    }
    for rec in raw:
        for span in rec.phi:
            if span.type in structured:
                text = rec.sections[span.section]
                found = scan_text(text)
                assert any(f.start < span.end and span.start < f.end for f in found), (
                    rec.patient_id,
                    span.type,
                )


@pytest.mark.parametrize(
    "text",
    [
        "Пациент [ФИО], [ДАТА] г.р., проживает: [АДРЕС], тел. [ТЕЛЕФОН], СНИЛС [СНИЛС].",
        "Симптом Щеткина–Блюмберга положительный, симптом Ортнера отрицательный; болезнь Крона.",
        "Синдром Жильбера. Цирроз, класс B по Child-Pugh. КК по Кокрофту–Голту 42 мл/мин.",
        "Метформин 1000 мг 2 р/сут; креатинин 132 мкмоль/л (62–106); K80.0; конкремент 12 мм; "
        "58 лет.",
        "Осмотрен хирургом Тихомировым Г.О.; со слов жены, Ясеневой Агнии Остаповны.",  # surrogates
    ],
)
def test_placeholders_eponyms_clinical_values_and_surrogates_pass(text):
    check_llm_text(text)


@pytest.mark.parametrize(
    ("text", "typ"),
    [
        ("Осмотрен хирургом Петровым А.В.", "NAME"),
        ("Со слов жены, Анны Сергеевны.", "NAME"),
        ("Пациентка Анна Смирнова жалуется.", "NAME"),
        ("Консультирован И.И. Ивановым.", "NAME"),
        ("поступил 3 марта 2023 г.", "DATE"),
        ("с 14.11. боли", "DATE"),
        ("тел. 8-910-123-45-67", "PHONE"),
        ("ИНН 500100732259", "INN"),
        ("ул. Садовая, д. 38, кв. 59", "ADDRESS"),
        ("в ГБУЗ «Городская клиническая больница № 7»", "ORGANIZATION"),
    ],
)
def test_residual_identifiers_are_named_by_type(text, typ):
    with pytest.raises(PHIGuardError, match=typ):
        check_llm_text(text)


def test_shifted_dates_pass_only_when_allowed_in_any_format():
    text = "Заболел 14.11.2023, осмотрен 15 ноября."
    with pytest.raises(PHIGuardError, match="DATE"):
        check_llm_text(text)
    check_llm_text(text, allowed=["14 ноября 2023 г.", "15.11.2023"])
    with pytest.raises(PHIGuardError, match="DATE"):
        check_llm_text(text, allowed=["14.11.2023"])
    with pytest.raises(TypeError):
        check_llm_text(None)  # type: ignore[arg-type]


def test_bypass_the_scan_runs_the_anonymizers_detectors_not_a_weaker_subset():
    # issue 14: "the residual scan uses the same detectors as the anonymizer"; a name only
    # NER or morphology finds (no initials, no role word, no patronymic) is caught.
    from radjudge.anonymize import detect_phi

    text = "Консультация: Кузнецова Светлана, 58 лет, боли в эпигастрии."
    assert (
        [(f.type, f.start, f.end) for f in scan_text(text)]
        == [(d.type, d.start, d.end) for d in detect_phi(text)]
        != []
    )


def test_bypass_an_upper_case_name_never_reaches_a_backend(tmp_path: Path, faults: FaultServer):
    # issue 14: "a record with an upper-case full name reached a backend through LLMClient"
    client = load_client(
        "fake",
        {
            "backend": "openai",
            "base_url": faults.base_url,
            "model": "fake-model",
            "endpoint": "completions",
            "max_retries": 0,
        },
        cache_dir=tmp_path / "cache",
        cache_mode="readwrite",
        text_guard=check_llm_text,
    )
    raw = load_cohort()[0]
    sections = {**raw.sections, "complaints": "Пациент ПЕТРОВСКИЙ ГЕННАДИЙ ЮРЬЕВИЧ, 58 лет."}
    request = GenerationRequest(segments=(RawRecord("X1", sections).text,), max_tokens=4)
    with pytest.raises(PHIGuardError, match="NAME at offset"):
        client.generate([request])
    assert faults.calls() == []
    anonymized = anonymize_records([RawRecord("X1", sections)])[0].record
    assert "ПЕТРОВСКИЙ" not in anonymized.text and "[ФИО]" in anonymized.sections["complaints"]
    out = client.generate([GenerationRequest(segments=(anonymized.text,), max_tokens=4)])
    assert out[0].status == "ok" and len(faults.calls()) == 1
