"""Detection pipeline and record-level anonymization."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from radjudge import paths
from radjudge.anonymize.clinical import protected_spans
from radjudge.anonymize.guard import Finding, find_name_heuristics, require_anonymized, scan_text
from radjudge.anonymize.morph import find_names
from radjudge.anonymize.ner import find_entities_batch
from radjudge.anonymize.record import AnonymizedRecord, read_anonymized_jsonl, seal
from radjudge.anonymize.replace import (
    DateStrategy,
    Replacement,
    SurrogateBook,
    date_offset_days,
    replace_spans,
)
from radjudge.anonymize.rules import find_structured
from radjudge.anonymize.spans import Detection, merge_detections
from radjudge.records import SECTIONS

__all__ = [
    "Detector",
    "DETECTORS",
    "DetectedSpan",
    "AnonymizationResult",
    "detect_phi",
    "detect_phi_batch",
    "anonymize_text",
    "anonymize_record",
    "anonymize_records",
    "load_anonymized",
]

Detector = Literal["rules", "ner", "morph", "guard"]
#: All detectors, the default.
DETECTORS: tuple[str, ...] = ("rules", "ner", "morph", "guard")
_NAMEISH = {"NAME", "ORGANIZATION", "LOCATION"}
_CHUNK = 16  # records per NER batch


@dataclass(frozen=True)
class DetectedSpan:
    """A detection in a record's section (offsets into the *raw* section text).

    Attributes
    ----------
    section : str
    start, end : int
    type : str
        PHI type.
    detector : str
        ``rules``, ``ner``, ``morph``, ``guard`` or several joined by ``+``.
    """

    section: str
    start: int
    end: int
    type: str
    detector: str


@dataclass(frozen=True)
class AnonymizationResult:
    """What :func:`anonymize_record` returns.

    Attributes
    ----------
    record : AnonymizedRecord
        The anonymized record, sealed with its marker.
    spans : tuple of DetectedSpan
        Every replaced span, with offsets into the raw sections.
    residual : tuple of (str, Finding)
        ``(section, finding)`` pairs the residual scan still finds in the
        anonymized text (should be empty); values masked.
    """

    record: AnonymizedRecord
    spans: tuple[DetectedSpan, ...]
    residual: tuple[tuple[str, Finding], ...]


def _check_detectors(detectors: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(detectors)
    unknown = [d for d in chosen if d not in DETECTORS]
    if unknown or not chosen:
        raise ValueError(f"detectors must be a non-empty subset of {DETECTORS}, got {chosen!r}")
    return chosen


def _combine(text: str, ner: list[Detection], detectors: tuple[str, ...]) -> list[Detection]:
    found: list[Detection] = []
    if "rules" in detectors:
        found += find_structured(text)
    if "guard" in detectors:
        found += find_name_heuristics(text)
    if "ner" in detectors:
        found += ner
    if "morph" in detectors:
        found += find_names(text)
    protected = protected_spans(text)
    if protected:
        found = [
            d
            for d in found
            if d.detector == "rules"
            or d.type not in _NAMEISH
            or not any(ps < d.end and d.start < pe for ps, pe in protected)
        ]
    return merge_detections(found, text)


def detect_phi_batch(
    texts: Sequence[str], *, detectors: Iterable[Detector] = DETECTORS
) -> list[list[Detection]]:
    """Merged PHI detections for each text (NER runs batched).

    Parameters
    ----------
    texts : sequence of str
    detectors : iterable of {"rules", "ner", "morph", "guard"}, default all
        ``rules``: structured identifiers, addresses, organisations, dates;
        ``ner``: Natasha PER/LOC/ORG; ``morph``: pymorphy3 names;
        ``guard``: the residual scan's name heuristics (so that anonymized
        text passes :func:`~radjudge.anonymize.check_llm_text`).

    Returns
    -------
    list of list of Detection
        One sorted, non-overlapping list per text.
    """
    chosen = _check_detectors(detectors)
    ner = find_entities_batch(texts) if "ner" in chosen else [[] for _ in texts]
    return [_combine(t, n, chosen) for t, n in zip(texts, ner, strict=True)]


def detect_phi(text: str, *, detectors: Iterable[Detector] = DETECTORS) -> list[Detection]:
    """Merged PHI detections in one text.

    >>> t = "Пациентка Смирнова А.П., 58 лет, СНИЛС 112-233-445 95. Симптом Ортнера положительный."
    >>> [(d.type, t[d.start:d.end]) for d in detect_phi(t)]
    [('NAME', 'Смирнова А.П.'), ('SNILS', '112-233-445 95')]
    """
    return detect_phi_batch([text], detectors=detectors)[0]


def _options(replacement: str, date_strategy: str) -> None:
    if replacement not in ("placeholder", "surrogate"):
        raise ValueError(f"replacement must be 'placeholder' or 'surrogate', got {replacement!r}")
    if date_strategy not in ("placeholder", "shift"):
        raise ValueError(f"date_strategy must be 'placeholder' or 'shift', got {date_strategy!r}")


def anonymize_text(
    text: str,
    *,
    replacement: Replacement = "placeholder",
    date_strategy: DateStrategy = "placeholder",
    seed: int = 0,
    key: str = "",
    detectors: Iterable[Detector] = DETECTORS,
) -> str:
    """Anonymize one free text.

    Parameters
    ----------
    text : str
    replacement : {"placeholder", "surrogate"}, default "placeholder"
        Typed placeholders everywhere, or surrogate names (see
        :mod:`radjudge.anonymize.replace`).
    date_strategy : {"placeholder", "shift"}, default "placeholder"
        ``[ДАТА]``, or every date shifted by one offset derived from
        ``(seed, key)``.
    seed : int, default 0
    key : str, default ""
        Identifies the patient for the date offset and surrogate choice.
    detectors : default all four

    Returns
    -------
    str

    Examples
    --------
    >>> anonymize_text("Осмотрен хирургом Петровым А.В. 3 марта 2023 г., тел. 8-910-123-45-67.")
    'Осмотрен хирургом [ФИО] [ДАТА], тел. [ТЕЛЕФОН].'
    """
    _options(replacement, date_strategy)
    found = detect_phi(text, detectors=detectors)
    new, _ = replace_spans(
        text,
        found,
        replacement=replacement,
        date_strategy=date_strategy,
        date_shift=date_offset_days(seed, key),
        book=SurrogateBook(seed=f"{seed}:{key}"),
    )
    return new


def _fields(record: Any) -> tuple[str, dict[str, str], bool]:
    if isinstance(record, Mapping):
        pid, sections, synthetic = (
            record.get("patient_id"),
            record.get("sections"),
            record.get("synthetic", False),
        )
    else:
        pid = getattr(record, "patient_id", None)
        sections = getattr(record, "sections", None)
        synthetic = getattr(record, "synthetic", False)
    if pid is None or not isinstance(sections, Mapping):
        raise ValueError(
            f"anonymize_record needs a record with patient_id and sections (a CohortRecord, "
            f"RawRecord or mapping), got {type(record).__name__}"
        )
    missing = [k for k in SECTIONS if k not in sections]
    if missing:
        raise ValueError(f"record {pid}: missing section(s) {missing}")
    return str(pid), {k: str(sections[k]) for k in SECTIONS}, bool(synthetic)


def anonymize_records(
    records: Iterable[Any],
    *,
    replacement: Replacement = "placeholder",
    date_strategy: DateStrategy = "placeholder",
    seed: int = 0,
    detectors: Iterable[Detector] = DETECTORS,
    progress: bool = False,
) -> list[AnonymizationResult]:
    """Anonymize records (NER batched over all sections of all records).

    Parameters
    ----------
    records : iterable
        ``CohortRecord``, ``RawRecord`` or mappings with ``patient_id``,
        ``sections`` (the six keys) and optionally ``synthetic``.
    replacement, date_strategy, seed, detectors
        As in :func:`anonymize_text`; the date offset and surrogates are per
        patient (``key = patient_id``).
    progress : bool, default False
        Show a tqdm progress bar.

    Returns
    -------
    list of AnonymizationResult
        In input order.
    """
    _options(replacement, date_strategy)
    chosen = _check_detectors(detectors)
    items = [_fields(r) for r in records]
    ids = [pid for pid, _, _ in items]
    dupes = sorted({p for p in ids if ids.count(p) > 1})
    if dupes:
        raise ValueError(f"duplicate patient ids {dupes}; each record needs a unique id")
    results: list[AnonymizationResult] = []
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(items), desc="anonymize", unit="record")
    detected: list[list[list[Detection]]] = []
    for lo in range(0, len(items), _CHUNK):
        chunk = items[lo : lo + _CHUNK]
        flat = detect_phi_batch([sec[k] for _, sec, _ in chunk for k in SECTIONS], detectors=chosen)
        detected += [flat[i * len(SECTIONS) : (i + 1) * len(SECTIONS)] for i in range(len(chunk))]
        if bar is not None:
            bar.update(len(chunk))
    if bar is not None:
        bar.close()
    for (pid, sections, synthetic), per_section in zip(items, detected, strict=True):
        texts = [sections[k] for k in SECTIONS]
        book = SurrogateBook(seed=f"{seed}:{pid}")
        shift = date_offset_days(seed, pid)
        new_sections: dict[str, str] = {}
        spans: list[DetectedSpan] = []
        inserted: list[str] = []
        for key, text, found in zip(SECTIONS, texts, per_section, strict=True):
            new, ins = replace_spans(
                text,
                found,
                replacement=replacement,
                date_strategy=date_strategy,
                date_shift=shift,
                book=book,
            )
            new_sections[key] = new
            inserted.extend(ins)
            spans.extend(DetectedSpan(key, d.start, d.end, d.type, d.detector) for d in found)
        counts = Counter(s.type for s in spans)
        marker = {
            "replacement": replacement,
            "date_strategy": date_strategy,
            "detectors": list(chosen),
            "counts": dict(sorted(counts.items())),
            "surrogates": sorted(set(inserted)),
        }
        record = seal(pid, synthetic, new_sections, marker)
        residual = tuple(
            (key, f)
            for key in SECTIONS
            for f in scan_text(new_sections[key], allowed=record.surrogates)
        )
        results.append(AnonymizationResult(record=record, spans=tuple(spans), residual=residual))
    return results


def anonymize_record(
    record: Any,
    *,
    replacement: Replacement = "placeholder",
    date_strategy: DateStrategy = "placeholder",
    seed: int = 0,
    detectors: Iterable[Detector] = DETECTORS,
) -> AnonymizationResult:
    """Anonymize one record: the sealed :class:`AnonymizedRecord` plus the detected spans.

    See :func:`anonymize_records` for the parameters.
    """
    return anonymize_records(
        [record],
        replacement=replacement,
        date_strategy=date_strategy,
        seed=seed,
        detectors=detectors,
    )[0]


def load_anonymized(
    path: str | os.PathLike[str] = paths.ANONYMIZED_RECORDS,
) -> list[AnonymizedRecord]:
    """Read anonymized records and check every marker with :func:`require_anonymized`.

    Raises
    ------
    FileNotFoundError
        If the file does not exist (run notebook 01).
    PHIGuardError
        If any record's marker is missing or does not match its content.
    """
    records = read_anonymized_jsonl(path)
    for rec in records:
        require_anonymized(rec)
    return records
