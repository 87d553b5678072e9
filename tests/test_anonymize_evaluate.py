"""Precision/recall per PHI type against ground truth - and the issue's targets, for real."""

from __future__ import annotations

import math
from functools import cache

import pytest

from radjudge.anonymize import anonymize_records, audit_table, detection_counts, score_anonymization
from radjudge.anonymize.evaluate import covered, score_spans
from radjudge.anonymize.spans import Detection
from radjudge.cohort import Span, generate_cohort, load_cohort
from radjudge.profiles import load_profile

DEMO_SEED = load_profile("demo").shared["seed"]


def test_coverage_counts_letters_and_digits_only():
    text = "тел. +7 (910) 123-45-67"
    assert covered(text, 5, 23, [(5, 8), (9, 23)])  # "+7" and "(910) ..." - punctuation ignored
    assert not covered(text, 5, 23, [(9, 23)])  # the "7" of "+7" is left
    assert covered(text, 0, 0, [])


def test_scores_on_a_worked_example():
    # Two true spans (a NAME, a DATE); three detections: the NAME covered by two pieces,
    # the DATE only half covered, one false positive. Recall NAME 1/1, DATE 0/1;
    # precision: NAME pieces 2/2, DATE 1/1, ORGANIZATION 0/1. One clinical span, overlapped.
    text = "Иванов И.И. 12.03.2023 ОАК"
    truth = [Span("s", 0, 11, "NAME", "Иванов И.И."), Span("s", 12, 22, "DATE", "12.03.2023")]
    det = [
        Detection(0, 6, "NAME", "ner"),
        Detection(7, 11, "NAME", "morph"),
        Detection(12, 17, "DATE", "rules"),
        Detection(23, 26, "ORGANIZATION", "ner"),
    ]
    clinical = [Span("s", 23, 26, "LAB", "ОАК")]
    sc = score_spans([(("P1", "s"), text, truth, det, clinical)])
    assert (sc.recall("NAME"), sc.recall("DATE"), sc.recall("all")) == (1.0, 0.0, 0.5)
    assert (sc.precision("NAME"), sc.precision("DATE"), sc.precision("ORGANIZATION")) == (
        1.0,
        1.0,
        0.0,
    )
    assert sc.precision("all") == 3 / 4
    assert math.isnan(sc.recall("PHONE")) and math.isnan(sc.precision("PHONE"))
    assert sc.clinical_preserved == 0.0
    assert sc.misses.to_dict("records") == [
        {"patient_id": "P1", "section": "s", "type": "DATE", "text": "12.03.2023"}
    ]
    assert list(sc.false_positives["text"]) == ["ОАК"]
    with pytest.raises(ValueError, match="no type or group"):
        sc.recall("SSN")


@cache
def scored(which: str):
    records = load_cohort() if which == "demo" else generate_cohort(300, seed=DEMO_SEED + 1)
    results = anonymize_records(records)
    return records, results, score_anonymization(records, results)


def assert_targets(scores) -> None:
    assert scores.recall("structured") >= 0.99, scores.by_type
    assert scores.recall("NAME") >= 0.97, scores.misses
    for t in (
        "NAME",
        "DATE",
        "PHONE",
        "SNILS",
        "POLICY",
        "PASSPORT",
        "INN",
        "RECORD_ID",
        "EMAIL",
        "ADDRESS",
    ):
        assert scores.recall(t) >= 0.97, (t, scores.misses)
    assert scores.precision("all") >= 0.90, scores.false_positives
    for t in scores.by_type["type"]:
        p = scores.precision(t)
        assert math.isnan(p) or p >= 0.90, (t, scores.false_positives)
    assert scores.clinical_preserved >= 0.99, scores.clinical
    eponyms = scores.clinical.set_index("type").loc["EPONYM"]
    assert eponyms["n"] > 0 and eponyms["preserved"] >= 0.99


def test_targets_on_the_demo_cohort():
    assert_targets(scored("demo")[2])


@pytest.mark.slow
def test_targets_on_a_separate_300_record_cohort_with_another_seed():
    records, _, scores = scored("big")
    assert len(records) == 300
    assert scores.by_type["n_true"].sum() > 3000
    assert_targets(scores)


def test_audit_table_and_counts():
    records, results, scores = scored("demo")
    counts = detection_counts(results)
    assert counts["n"].sum() == sum(len(r.spans) for r in results)
    audit = audit_table(results, scores)
    assert set(audit["kind"]) == {"phi_type", "phi_group", "clinical", "passes"}
    rescanned = audit.loc[audit["name"] == "records_rescanned", "n_detected"].item()
    assert rescanned == sum(r.passes > 1 for r in results)
    blind = audit_table(results)  # real records: no ground truth
    assert set(blind["kind"]) == {"phi_type", "passes"} and blind["recall"].isna().all()
