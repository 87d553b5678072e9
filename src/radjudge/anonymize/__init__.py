"""Anonymization of Russian medical records, and the guard in front of every LLM.

Detection (:func:`detect_phi`) combines four detectors, then merges overlaps:

``rules`` (:mod:`~radjudge.anonymize.rules`)
    dates (numeric, ``3 марта 2023 г.``, ``14.11.``, month + year), phones,
    e-mail, СНИЛС (check digits), ОМС/ДМС policies, passport, ИНН (check
    digits), record numbers, postal codes, addresses (street, house, flat),
    organisations (legal form + quoted name, numbered hospitals), localities;
``ner`` (:mod:`~radjudge.anonymize.ner`)
    Natasha PER / LOC / ORG, trimmed and filtered for clinical text;
``morph`` (:mod:`~radjudge.anonymize.morph`)
    pymorphy3: names in oblique cases, initials before or after the surname,
    first name + patronymic, a surname after a role word;
``guard`` (:mod:`~radjudge.anonymize.guard`)
    the residual scan's name heuristics, so anonymized text passes the scan.

Eponyms and other clinical content are protected
(:mod:`~radjudge.anonymize.clinical`). Replacement
(:mod:`~radjudge.anonymize.replace`) uses typed placeholders (``[ФИО]``,
``[ДАТА]``...) or consistent surrogate names; dates become ``[ДАТА]`` or
shift by a per-patient offset.

Public API
----------
anonymize_text(text, *, replacement, date_strategy, seed, key, detectors) -> str
anonymize_record(record, ...) -> AnonymizationResult(record, spans, residual)
anonymize_records(records, ..., progress) -> list[AnonymizationResult]
AnonymizedRecord (frozen: patient_id, sections, marker, synthetic; .text, .surrogates)
save_anonymized(records, path), load_anonymized(path) -> list[AnonymizedRecord]
require_anonymized(record) -> record   raises PHIGuardError (a ValueError)
check_llm_text(text, *, allowed=()) -> None   raises PHIGuardError
score_anonymization(cohort_records, results) -> PhiScores   (precision/recall per type)
"""

from radjudge.anonymize.core import (
    DETECTORS,
    AnonymizationResult,
    DetectedSpan,
    anonymize_record,
    anonymize_records,
    anonymize_text,
    detect_phi,
    detect_phi_batch,
    load_anonymized,
)
from radjudge.anonymize.evaluate import (
    PhiScores,
    audit_table,
    detection_counts,
    score_anonymization,
    score_spans,
)
from radjudge.anonymize.guard import (
    Finding,
    PHIGuardError,
    check_llm_text,
    require_anonymized,
    scan_text,
)
from radjudge.anonymize.record import SCHEME, AnonymizedRecord, save_anonymized
from radjudge.anonymize.spans import Detection
from radjudge.anonymize.types import PHI_TYPES, PLACEHOLDERS, STRUCTURED_TYPES, TYPE_GROUPS

__all__ = [
    "DETECTORS",
    "PHI_TYPES",
    "PLACEHOLDERS",
    "STRUCTURED_TYPES",
    "TYPE_GROUPS",
    "SCHEME",
    "AnonymizationResult",
    "AnonymizedRecord",
    "DetectedSpan",
    "Detection",
    "Finding",
    "PHIGuardError",
    "PhiScores",
    "anonymize_record",
    "anonymize_records",
    "anonymize_text",
    "audit_table",
    "check_llm_text",
    "detect_phi",
    "detect_phi_batch",
    "detection_counts",
    "load_anonymized",
    "require_anonymized",
    "save_anonymized",
    "scan_text",
    "score_anonymization",
    "score_spans",
]
