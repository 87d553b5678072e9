"""Record-level anonymization: detect, replace, and detect again until the text is clean.

:func:`anonymize_records` runs :func:`~radjudge.anonymize.detect_phi` (all
four detectors; there is no option to run fewer) on every section, replaces
the spans, then runs the guard's residual scan
(:func:`~radjudge.anonymize.guard.residual_detections` - the same detectors)
on the result. Anything the scan still finds (a name NER sees only once its
neighbour became ``[ФИО]``) is mapped back to the raw text, merged with the
spans, and the record is replaced again from the raw text - until the scan
finds nothing. So every record the anonymizer returns passes the guard, by
construction, and its spans (offsets into the raw text) are exactly what was
replaced.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from tqdm.auto import tqdm

from radjudge.anonymize.detect import DETECTORS, detect_phi, detect_phi_batch
from radjudge.anonymize.guard import PHIGuardError, mask, residual_detections
from radjudge.anonymize.record import AnonymizedRecord, _seal
from radjudge.anonymize.replace import (
    DateStrategy,
    Replaced,
    Replacement,
    SurrogateBook,
    date_offset_days,
    replace_spans,
)
from radjudge.anonymize.spans import Detection, merge_detections
from radjudge.records import SECTIONS

__all__ = [
    "DetectedSpan",
    "AnonymizationResult",
    "replaced_spans",
    "anonymize_text",
    "anonymize_record",
    "anonymize_records",
]

_CHUNK = 16  # records per NER batch
_MAX_PASSES = 6  # detection passes per record; two suffice in practice


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
        ``rules``, ``ner``, ``morph``, ``heuristics`` or several joined by ``+``.
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
    passes : int
        Detection passes until the residual scan found nothing: 1 when the
        first replacement was already clean.
    """

    record: AnonymizedRecord
    spans: tuple[DetectedSpan, ...]
    passes: int


def _options(replacement: str, date_strategy: str) -> None:
    if replacement not in ("placeholder", "surrogate"):
        raise ValueError(f"replacement must be 'placeholder' or 'surrogate', got {replacement!r}")
    if date_strategy not in ("placeholder", "shift"):
        raise ValueError(f"date_strategy must be 'placeholder' or 'shift', got {date_strategy!r}")


class _PassOptions(TypedDict):
    """The keyword options of one record's passes (:func:`_replace_all`, :func:`_until_clean`)."""

    replacement: Replacement
    date_strategy: DateStrategy
    shift: int
    book_seed: str


@dataclass
class _Pass:
    """One replacement of a record's texts from the raw texts and the current spans."""

    replaced: list[Replaced]

    @property
    def inserted(self) -> list[str]:
        return [v for r in self.replaced for v in r.inserted]


def _replace_all(
    texts: list[str],
    spans: list[list[Detection]],
    *,
    replacement: Replacement,
    date_strategy: DateStrategy,
    shift: int,
    book_seed: str,
) -> _Pass:
    book = SurrogateBook(seed=book_seed)  # fresh each pass: the same people, the same surrogates
    return _Pass(
        [
            replace_spans(
                t,
                s,
                replacement=replacement,
                date_strategy=date_strategy,
                date_shift=shift,
                book=book,
            )
            for t, s in zip(texts, spans, strict=True)
        ]
    )


def _until_clean(
    where: str,
    texts: list[str],
    spans: list[list[Detection]],
    *,
    replacement: Replacement,
    date_strategy: DateStrategy,
    shift: int,
    book_seed: str,
) -> tuple[_Pass, list[list[Detection]], int]:
    """Replace, scan the result, fold what the scan finds back into the spans; repeat.

    Returns the clean pass, the final spans (raw offsets) and the number of passes.

    Raises
    ------
    PHIGuardError
        If a finding lies inside the anonymizer's own surrogate text (no
        progress is possible), or the scan is not clean after the last pass.
    """
    for n in range(1, _MAX_PASSES + 1):
        current = _replace_all(
            texts,
            spans,
            replacement=replacement,
            date_strategy=date_strategy,
            shift=shift,
            book_seed=book_seed,
        )
        allowed = current.inserted
        progress = clean = True
        for i, rep in enumerate(current.replaced):
            found = residual_detections(rep.text, allowed=allowed)
            if not found:
                continue
            clean = False
            back = []
            for d in found:
                start, end = rep.to_old(d.start, d.end)
                back.append(Detection(start, end, d.type, d.detector))
            if all(any(s.start <= b.start and b.end <= s.end for s in spans[i]) for b in back):
                progress = False
                stuck = [mask(rep.text[d.start : d.end]) for d in found]
                break
            spans[i] = merge_detections([*spans[i], *back], texts[i])
        if clean:
            return current, spans, n
        if not progress:
            raise PHIGuardError(
                f"anonymizer: {where}: the residual scan flags text the anonymizer inserted "
                f"(masked {stuck}); use replacement='placeholder' and date_strategy='placeholder'"
            )
    raise PHIGuardError(
        f"anonymizer: {where}: the residual scan still finds identifiers after {_MAX_PASSES} "
        "passes; the record cannot be anonymized safely"
    )


def anonymize_text(
    text: str,
    *,
    replacement: Replacement = "placeholder",
    date_strategy: DateStrategy = "placeholder",
    seed: int = 0,
    key: str = "",
) -> str:
    """Anonymize one free text (detect, replace, scan again until clean).

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

    Returns
    -------
    str

    Examples
    --------
    >>> anonymize_text("Осмотрен хирургом Петровым А.В. 3 марта 2023 г., тел. 8-910-123-45-67.")
    'Осмотрен хирургом [ФИО] [ДАТА], тел. [ТЕЛЕФОН].'
    """
    _options(replacement, date_strategy)
    if not isinstance(text, str):
        raise TypeError(f"anonymize_text needs str, got {type(text).__name__}")
    done, _, _ = _until_clean(
        "text",
        [text],
        [detect_phi(text)],
        replacement=replacement,
        date_strategy=date_strategy,
        shift=date_offset_days(seed, key),
        book_seed=f"{seed}:{key}",
    )
    return done.replaced[0].text


def replaced_spans(texts: Sequence[str]) -> list[list[Detection]]:
    """The spans the anonymizer replaces in each free text (the re-scan passes included).

    Offsets into the original texts; placeholder replacement. This is what an
    evaluation against ground truth should score: :func:`anonymize_text`
    replaces exactly these spans.

    >>> t = "Осмотрен хирургом Петровым А.В. 3 марта 2023 г."
    >>> [(d.type, t[d.start:d.end]) for d in replaced_spans([t])[0]]
    [('NAME', 'Петровым А.В.'), ('DATE', '3 марта 2023 г.')]
    """
    first = detect_phi_batch(list(texts))
    out = []
    for i, (text, spans) in enumerate(zip(texts, first, strict=True)):
        _, final, _ = _until_clean(
            f"text {i}",
            [text],
            [spans],
            replacement="placeholder",
            date_strategy="placeholder",
            shift=0,
            book_seed="",
        )
        out.append(final[0])
    return out


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
    progress: bool = False,
) -> list[AnonymizationResult]:
    """Anonymize records (NER batched over all sections of all records).

    Every section is detected with all four detectors, replaced, and scanned
    again until the residual scan finds nothing (module docstring); only then
    is the record sealed.

    Parameters
    ----------
    records : iterable
        ``CohortRecord``, ``RawRecord`` or mappings with ``patient_id``,
        ``sections`` (the six keys) and optionally ``synthetic``.
    replacement, date_strategy, seed
        As in :func:`anonymize_text`; the date offset and surrogates are per
        patient (``key = patient_id``).
    progress : bool, default False
        Show a tqdm progress bar.

    Returns
    -------
    list of AnonymizationResult
        In input order.

    Raises
    ------
    PHIGuardError
        A record whose text the anonymizer cannot clean (see ``_until_clean``).
    """
    _options(replacement, date_strategy)
    items = [_fields(r) for r in records]
    ids = [pid for pid, _, _ in items]
    dupes = sorted({p for p in ids if ids.count(p) > 1})
    if dupes:
        raise ValueError(f"duplicate patient ids {dupes}; each record needs a unique id")
    bar = tqdm(total=len(items), desc="anonymize", unit="record") if progress else None
    results: list[AnonymizationResult] = []
    for lo in range(0, len(items), _CHUNK):
        chunk = items[lo : lo + _CHUNK]
        flat = detect_phi_batch([sec[k] for _, sec, _ in chunk for k in SECTIONS])
        first = [flat[i * len(SECTIONS) : (i + 1) * len(SECTIONS)] for i in range(len(chunk))]
        options: list[_PassOptions] = [
            {
                "replacement": replacement,
                "date_strategy": date_strategy,
                "shift": date_offset_days(seed, pid),
                "book_seed": f"{seed}:{pid}",
            }
            for pid, _, _ in chunk
        ]
        # The residual scan of the first replacement, batched (line by line, as the guard
        # scans): the scans below then hit the line cache. NER re-runs only on the sentences
        # the replacement changed; the others are memoized from the first pass.
        detect_phi_batch(
            [
                r.text
                for (_, sec, _), spans, opt in zip(chunk, first, options, strict=True)
                for r in _replace_all([sec[k] for k in SECTIONS], spans, **opt).replaced
            ],
            unit="line",
        )
        for (pid, sections, synthetic), spans, opt in zip(chunk, first, options, strict=True):
            texts = [sections[k] for k in SECTIONS]
            done, final, passes = _until_clean(f"patient {pid}", texts, spans, **opt)
            found = [
                DetectedSpan(key, d.start, d.end, d.type, d.detector)
                for key, per in zip(SECTIONS, final, strict=True)
                for d in per
            ]
            counts = Counter(s.type for s in found)
            marker = {
                "replacement": replacement,
                "date_strategy": date_strategy,
                "detectors": list(DETECTORS),
                "counts": dict(sorted(counts.items())),
                "surrogates": sorted(set(done.inserted)),
            }
            new_sections = {k: r.text for k, r in zip(SECTIONS, done.replaced, strict=True)}
            record = _seal(pid, synthetic, new_sections, marker)
            results.append(AnonymizationResult(record=record, spans=tuple(found), passes=passes))
        if bar is not None:
            bar.update(len(chunk))
    if bar is not None:
        bar.close()
    return results


def anonymize_record(
    record: Any,
    *,
    replacement: Replacement = "placeholder",
    date_strategy: DateStrategy = "placeholder",
    seed: int = 0,
) -> AnonymizationResult:
    """Anonymize one record: the sealed :class:`AnonymizedRecord` plus the detected spans.

    See :func:`anonymize_records` for the parameters.
    """
    return anonymize_records(
        [record], replacement=replacement, date_strategy=date_strategy, seed=seed
    )[0]
