"""Anonymization of Russian medical records, and the guard in front of every LLM.

Detection (:func:`detect_phi`, line by line) combines four detectors, then merges overlaps:

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
``heuristics`` (:mod:`~radjudge.anonymize.heuristics`)
    cheap name patterns (initials, first name + patronymic, role words).

The anonymizer always runs all four, replaces the spans, and runs them again
on its own output until nothing is found (:mod:`~radjudge.anonymize.core`).
The guard in front of every LLM (:mod:`~radjudge.anonymize.guard`) runs the
same four on every prompt, and only the anonymizer can make an
:class:`AnonymizedRecord` (:mod:`~radjudge.anonymize.record`).

Eponyms and other clinical content are protected
(:mod:`~radjudge.anonymize.clinical`). Replacement
(:mod:`~radjudge.anonymize.replace`) uses typed placeholders (``[ФИО]``,
``[ДАТА]``...) or consistent surrogate names; dates become ``[ДАТА]`` or
shift by a per-patient offset.

Public API
----------
anonymize_text(text, *, replacement, date_strategy, seed, key) -> str
anonymize_record(record, ...) -> AnonymizationResult(record, spans, passes)
anonymize_records(records, ..., progress) -> list[AnonymizationResult]
AnonymizedRecord (made only by the anonymizer: patient_id, sections, text, marker, synthetic)
save_anonymized(records, path), load_anonymized(path) -> list[AnonymizedRecord]
require_anonymized(record) -> record   raises PHIGuardError (a ValueError)
check_llm_text(text, *, allowed=()) -> None   raises PHIGuardError
score_anonymization(cohort_records, results) -> PhiScores   (precision/recall per type)
"""

from radjudge.anonymize.core import (
    AnonymizationResult,
    DetectedSpan,
    anonymize_record,
    anonymize_records,
    anonymize_text,
)
from radjudge.anonymize.detect import DETECTORS, detect_phi, detect_phi_batch
from radjudge.anonymize.evaluate import (
    PhiScores,
    audit_table,
    detection_counts,
    score_anonymization,
    score_spans,
)
from radjudge.anonymize.guard import Finding, PHIGuardError, check_llm_text, scan_text
from radjudge.anonymize.record import (
    SCHEME,
    AnonymizedRecord,
    load_anonymized,
    require_anonymized,
    save_anonymized,
)
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
