"""Precision and recall of PHI detection against ground truth; clinical content preserved.

Span matching (used by the tests, notebook 01's audit and the factRuEval check):

recall (per ground-truth type)
    A true span is *removed* when every letter and digit of it lies inside
    some detected span - of any type, and possibly several adjacent ones.
    Coverage, not type agreement, is what protects privacy: a date detected
    as a phone is still gone, but a name whose surname was missed is not,
    even if its initials were found. Punctuation and spaces do not count.
precision (per detected type)
    A detected span is *correct* when it overlaps at least one true PHI span
    (any type). Over-long detections are not penalised beyond that; a
    detection touching no identifier at all is a false positive.
clinical content preserved
    A clinical span (eponym, drug with dose, lab value, ICD-10 code, size,
    age) is preserved when no detected span overlaps it: replacement changes
    detected spans only, so the text survives unchanged.

Groups (:data:`radjudge.anonymize.types.TYPE_GROUPS`) pool the counts of their
types; ``all`` pools everything. A type with no true spans has recall NaN
(undefined, not 0 or 1); one with no detections has precision NaN.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from radjudge.anonymize.detect import DETECTORS
from radjudge.anonymize.types import PHI_TYPES, group_of

__all__ = [
    "covered",
    "score_spans",
    "PhiScores",
    "score_anonymization",
    "detection_counts",
    "audit_table",
]


def covered(text: str, start: int, end: int, detected: Iterable[tuple[int, int]]) -> bool:
    """True when every letter/digit of ``text[start:end]`` lies inside a detected span.

    >>> covered("Иванов И.И.", 0, 11, [(0, 6), (7, 11)])
    True
    >>> covered("Иванов И.И.", 0, 11, [(7, 11)])
    False
    """
    spans = [(s, e) for s, e in detected if s < end and start < e]
    for i in range(start, end):
        if text[i].isalnum() and not any(s <= i < e for s, e in spans):
            return False
    return True


@dataclass(frozen=True)
class PhiScores:
    """Detection quality against ground truth.

    Attributes
    ----------
    by_type : pandas.DataFrame
        One row per PHI type: ``type, group, n_true, n_removed, recall,
        n_detected, n_correct, precision``.
    by_group : pandas.DataFrame
        The same columns (``type`` = group name) for ``structured``,
        ``names``, ``organizations_places`` and ``all``.
    clinical : pandas.DataFrame
        One row per clinical type plus ``all``: ``type, n, n_preserved, preserved``.
    misses : pandas.DataFrame
        Unremoved true spans: ``patient_id, section, type, text`` (synthetic
        data only - never build this table for real records).
    false_positives : pandas.DataFrame
        Detections touching no true span: ``patient_id, section, type, detector, text``.
    """

    by_type: pd.DataFrame
    by_group: pd.DataFrame
    clinical: pd.DataFrame
    misses: pd.DataFrame
    false_positives: pd.DataFrame

    def recall(self, name: str) -> float:
        """Recall of a type or group (``"NAME"``, ``"structured"``, ``"all"``...)."""
        return float(self._row(name)["recall"])

    def precision(self, name: str) -> float:
        """Precision of a type or group."""
        return float(self._row(name)["precision"])

    @property
    def clinical_preserved(self) -> float:
        """Share of clinical spans preserved (all clinical types pooled)."""
        return float(self.clinical.set_index("type").loc["all", "preserved"])

    def _row(self, name: str) -> pd.Series:
        for table in (self.by_type, self.by_group):
            hit = table[table["type"] == name]
            if len(hit):
                return hit.iloc[0]
        raise ValueError(
            f"no type or group {name!r}; known: "
            f"{', '.join([*self.by_type['type'], *self.by_group['type']])}"
        )


def _ratio(a: int, b: int) -> float:
    return a / b if b else math.nan


def score_spans(
    docs: Sequence[tuple[Any, str, Sequence[Any], Sequence[Any], Sequence[Any]]],
    *,
    types: Sequence[str] = PHI_TYPES,
    groups: Mapping[str, str] | None = None,
) -> PhiScores:
    """Score detections against ground truth.

    Parameters
    ----------
    docs : sequence of (doc_id, text, true_spans, detected_spans, clinical_spans)
        One entry per text (a record's section). Spans need ``start``,
        ``end``, ``type`` (and detected ones ``detector``); ``doc_id`` is a
        ``(patient_id, section)`` pair.
    types : sequence of str, default :data:`PHI_TYPES`
        The types of true and detected spans (another scheme for another
        ground truth, e.g. the independent set's ``ID`` and ``ORG``).
    groups : mapping of type to group, optional
        Reporting groups; default :data:`~radjudge.anonymize.types.TYPE_GROUPS`
        for :data:`PHI_TYPES`, none (only ``all``) otherwise.

    Returns
    -------
    PhiScores
    """
    types = tuple(types)
    if groups is None:
        groups = {t: group_of(t) for t in types} if types == PHI_TYPES else {}
    true_n: dict[str, int] = dict.fromkeys(types, 0)
    true_ok: dict[str, int] = dict.fromkeys(types, 0)
    det_n: dict[str, int] = dict.fromkeys(types, 0)
    det_ok: dict[str, int] = dict.fromkeys(types, 0)
    clin_n: dict[str, int] = {}
    clin_ok: dict[str, int] = {}
    misses: list[dict[str, Any]] = []
    fps: list[dict[str, Any]] = []
    for doc_id, text, truth, detected, clinical in docs:
        det = [(d.start, d.end) for d in detected]
        for t in truth:
            if t.type not in true_n:
                raise ValueError(f"{doc_id}: unknown true PHI type {t.type!r}")
            true_n[t.type] += 1
            if covered(text, t.start, t.end, det):
                true_ok[t.type] += 1
            else:
                misses.append(
                    {
                        "patient_id": doc_id[0],
                        "section": doc_id[1],
                        "type": t.type,
                        "text": text[t.start : t.end],
                    }
                )
        for d in detected:
            if d.type not in det_n:
                raise ValueError(f"{doc_id}: unknown detected PHI type {d.type!r}")
            det_n[d.type] += 1
            if any(t.start < d.end and d.start < t.end for t in truth):
                det_ok[d.type] += 1
            else:
                fps.append(
                    {
                        "patient_id": doc_id[0],
                        "section": doc_id[1],
                        "type": d.type,
                        "detector": d.detector,
                        "text": text[d.start : d.end],
                    }
                )
        for c in clinical:
            clin_n[c.type] = clin_n.get(c.type, 0) + 1
            if not any(d.start < c.end and c.start < d.end for d in detected):
                clin_ok[c.type] = clin_ok.get(c.type, 0) + 1

    def row(name: str, group: str, types: Iterable[str]) -> dict[str, Any]:
        types = list(types)
        tn, to = sum(true_n[t] for t in types), sum(true_ok[t] for t in types)
        dn, do = sum(det_n[t] for t in types), sum(det_ok[t] for t in types)
        return {
            "type": name,
            "group": group,
            "n_true": tn,
            "n_removed": to,
            "recall": _ratio(to, tn),
            "n_detected": dn,
            "n_correct": do,
            "precision": _ratio(do, dn),
        }

    by_type = pd.DataFrame([row(t, groups.get(t, "all"), [t]) for t in types])
    names = list(dict.fromkeys(groups[t] for t in types if t in groups))
    by_group = pd.DataFrame(
        [row(g, g, [t for t in types if groups.get(t) == g]) for g in names]
        + [row("all", "all", types)]
    )
    clin_types = sorted(clin_n)
    clinical = pd.DataFrame(
        [
            {
                "type": t,
                "n": clin_n[t],
                "n_preserved": clin_ok.get(t, 0),
                "preserved": _ratio(clin_ok.get(t, 0), clin_n[t]),
            }
            for t in clin_types
        ]
        + [
            {
                "type": "all",
                "n": sum(clin_n.values()),
                "n_preserved": sum(clin_ok.values()),
                "preserved": _ratio(sum(clin_ok.values()), sum(clin_n.values())),
            }
        ]
    )
    return PhiScores(
        by_type=by_type,
        by_group=by_group,
        clinical=clinical,
        misses=pd.DataFrame(misses, columns=["patient_id", "section", "type", "text"]),
        false_positives=pd.DataFrame(
            fps, columns=["patient_id", "section", "type", "detector", "text"]
        ),
    )


def score_anonymization(records: Sequence[Any], results: Sequence[Any]) -> PhiScores:
    """Score anonymization results against the synthetic cohort's ground truth.

    Parameters
    ----------
    records : sequence of CohortRecord
        With ``patient_id``, ``sections``, ``phi`` and ``clinical``.
    results : sequence of AnonymizationResult
        From :func:`~radjudge.anonymize.anonymize_records`, same patients.

    Returns
    -------
    PhiScores
    """
    by_id = {r.record.patient_id: r for r in results}
    missing = [r.patient_id for r in records if r.patient_id not in by_id]
    if missing:
        raise ValueError(f"no anonymization result for patient(s) {missing}")
    docs = []
    for rec in records:
        res = by_id[rec.patient_id]
        for key, text in rec.sections.items():
            docs.append(
                (
                    (rec.patient_id, key),
                    text,
                    [s for s in rec.phi if s.section == key],
                    [s for s in res.spans if s.section == key],
                    [s for s in rec.clinical if s.section == key],
                )
            )
    return score_spans(docs)


def detection_counts(results: Sequence[Any]) -> pd.DataFrame:
    """Detections per PHI type and detector, over all records.

    Parameters
    ----------
    results : sequence of AnonymizationResult

    Returns
    -------
    pandas.DataFrame
        One row per PHI type (all types, zeros included): ``type``, ``n`` and
        one column per detector (``rules``, ``ner``, ``morph``, ``heuristics``)
        counting the spans that detector contributed to.
    """
    rows = {t: {"type": t, "n": 0, **dict.fromkeys(DETECTORS, 0)} for t in PHI_TYPES}
    for res in results:
        for span in res.spans:
            row = rows[span.type]
            row["n"] += 1
            for det in span.detector.split("+"):
                row[det] = row.get(det, 0) + 1
    return pd.DataFrame(list(rows.values()))


def audit_table(results: Sequence[Any], scores: PhiScores | None = None) -> pd.DataFrame:
    """The anonymization audit written by notebook 01 (``paths.ANONYMIZATION_AUDIT``).

    Parameters
    ----------
    results : sequence of AnonymizationResult
    scores : PhiScores, optional
        Against ground truth - synthetic records only; without it the recall,
        precision and preservation columns are NaN (real records have no
        ground truth).

    Returns
    -------
    pandas.DataFrame
        Columns ``kind`` (``phi_type``, ``phi_group``, ``clinical``,
        ``passes``), ``name``, ``n_detected``, ``n_true``, ``recall``,
        ``precision``, ``n_clinical``, ``preserved``. The ``passes`` row
        (``name`` ``records_rescanned``) counts in ``n_detected`` the records
        whose first replacement still held something the residual scan found
        (replaced in a further pass before sealing).
    """
    counts = detection_counts(results).set_index("type")["n"]
    rows: list[dict[str, Any]] = []
    nan = math.nan
    by_type = scores.by_type.set_index("type") if scores is not None else None
    for t in PHI_TYPES:
        rows.append(
            {
                "kind": "phi_type",
                "name": t,
                "n_detected": int(counts[t]),
                "n_true": int(by_type.loc[t, "n_true"]) if by_type is not None else nan,
                "recall": float(by_type.loc[t, "recall"]) if by_type is not None else nan,
                "precision": float(by_type.loc[t, "precision"]) if by_type is not None else nan,
                "n_clinical": nan,
                "preserved": nan,
            }
        )
    if scores is not None:
        for _, g in scores.by_group.iterrows():
            rows.append(
                {
                    "kind": "phi_group",
                    "name": g["type"],
                    "n_detected": int(g["n_detected"]),
                    "n_true": int(g["n_true"]),
                    "recall": float(g["recall"]),
                    "precision": float(g["precision"]),
                    "n_clinical": nan,
                    "preserved": nan,
                }
            )
        for _, c in scores.clinical.iterrows():
            rows.append(
                {
                    "kind": "clinical",
                    "name": c["type"],
                    "n_detected": nan,
                    "n_true": nan,
                    "recall": nan,
                    "precision": nan,
                    "n_clinical": int(c["n"]),
                    "preserved": float(c["preserved"]),
                }
            )
    rows.append(
        {
            "kind": "passes",
            "name": "records_rescanned",
            "n_detected": sum(r.passes > 1 for r in results),
            "n_true": nan,
            "recall": nan,
            "precision": nan,
            "n_clinical": nan,
            "preserved": nan,
        }
    )
    out = pd.DataFrame(rows)
    for col in ("n_detected", "n_true", "n_clinical"):
        out[col] = out[col].astype("Int64")
    return out
