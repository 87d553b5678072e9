"""The detection pipeline and record-level anonymization, with the real models."""

from __future__ import annotations

import pytest

from radjudge.anonymize import (
    AnonymizationResult,
    AnonymizedRecord,
    anonymize_record,
    anonymize_records,
    anonymize_text,
    detect_phi,
    detect_phi_batch,
)
from radjudge.cohort import load_cohort
from radjudge.records import SECTIONS, RawRecord


def test_anonymize_text_keeps_clinical_content():
    text = (
        "Больная Смирнова А.П., 58 лет, осмотрена 3 марта 2023 г. Симптом Щеткина–Блюмберга "
        "отрицательный, болезнь Крона в анамнезе. Метформин 1000 мг. "
        "СКФ по Кокрофту–Голту 48 мл/мин."
    )
    out = anonymize_text(text)
    assert out == (
        "Больная [ФИО], 58 лет, осмотрена [ДАТА] Симптом Щеткина–Блюмберга отрицательный, "
        "болезнь Крона в анамнезе. Метформин 1000 мг. СКФ по Кокрофту–Голту 48 мл/мин."
    )


def test_record_result_holds_spans_into_the_raw_text_with_their_detectors():
    raw = load_cohort()[0]
    res = anonymize_record(raw)
    assert isinstance(res, AnonymizationResult) and isinstance(res.record, AnonymizedRecord)
    assert res.record.patient_id == raw.patient_id and res.record.synthetic is True
    assert res.spans
    for span in res.spans:
        assert span.section in SECTIONS and 0 <= span.start < span.end <= len(
            raw.sections[span.section]
        )
        assert set(span.detector.split("+")) <= {"rules", "ner", "morph", "heuristics"}
    assert res.record.marker["counts"] == {
        t: sum(s.type == t for s in res.spans) for t in res.record.marker["counts"]
    }


def test_records_of_every_kind_are_accepted_and_results_keep_input_order():
    cohort = load_cohort()[:2]
    as_dict = {"patient_id": "D1", "sections": cohort[0].sections}
    raw = RawRecord("R1", cohort[1].sections)
    results = anonymize_records([raw, as_dict, cohort[0]])
    assert [r.record.patient_id for r in results] == ["R1", "D1", "P001"]
    assert [r.record.synthetic for r in results] == [False, False, True]
    assert results[1].record.sections == results[2].record.sections


def test_bad_input_is_refused_with_the_rule():
    rec = load_cohort()[0]
    with pytest.raises(ValueError, match="replacement must be"):
        anonymize_record(rec, replacement="redact")
    with pytest.raises(ValueError, match="date_strategy must be"):
        anonymize_record(rec, date_strategy="drop")
    with pytest.raises(ValueError, match="detectors must be"):
        detect_phi("текст", detectors=["regex"])
    with pytest.raises(ValueError, match="duplicate patient ids"):
        anonymize_records([rec, rec])
    with pytest.raises(ValueError, match="missing section"):
        anonymize_record({"patient_id": "X", "sections": {"complaints": "x"}})
    with pytest.raises(ValueError, match="patient_id and sections"):
        anonymize_record("Иванов И.И.")


def test_rules_alone_still_catch_structured_identifiers_but_not_every_name():
    text = "Тел. 8-910-123-45-67. Заболела Анна вчера, СНИЛС 112-233-445 95."
    rules = [(d.type, text[d.start : d.end]) for d in detect_phi(text, detectors=["rules"])]
    assert rules == [("PHONE", "8-910-123-45-67"), ("SNILS", "112-233-445 95")]
    assert ("NAME", "Анна") in [(d.type, text[d.start : d.end]) for d in detect_phi(text)]


def test_batch_detection_equals_single_texts():
    texts = [s for r in load_cohort()[:2] for s in r.sections.values()]
    assert detect_phi_batch(texts) == [detect_phi(t) for t in texts]


def test_bypass_the_anonymizer_cannot_run_with_fewer_detectors():
    # issue 14: "a record anonymized with detectors=('guard',) carries a valid marker"
    rec = load_cohort()[0]
    with pytest.raises(TypeError, match="detectors"):
        anonymize_record(rec, detectors=("heuristics",))  # type: ignore[call-arg]
    res = anonymize_record(rec)
    assert res.record.marker["detectors"] == ["rules", "ner", "morph", "heuristics"]


def test_what_ner_finds_only_after_a_replacement_is_replaced_in_another_pass():
    texts = [r.sections for r in load_cohort()]
    results = anonymize_records(load_cohort())
    assert all(r.passes >= 1 for r in results) and len(texts) == len(results)
    for res in results:
        for key, text in res.record.sections.items():
            assert detect_phi(text) == [], (res.record.patient_id, key)
