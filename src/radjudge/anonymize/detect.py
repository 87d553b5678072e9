"""PHI detection: four detectors, clinical protection, merged spans - one line at a time.

The detection unit is the *line*: a text is split at ``\\n`` and every line is
detected on its own (NER batched over all lines). The anonymizer and the guard
both call :func:`detect_phi_batch`, so a line the anonymizer left clean is
clean for the guard too, wherever the line later appears (a record's section
inside a prompt). Results of the full detector set are memoized per line
(a bounded cache): a judge sweep embeds the same record lines, summaries and
rubric lines in thousands of prompts, and each distinct line is detected once
per process.

Typed placeholders (``[ФИО]``...) are never detections: a span whose letters
and digits all lie inside placeholders is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal

from radjudge.anonymize.clinical import protected_spans
from radjudge.anonymize.heuristics import find_name_heuristics
from radjudge.anonymize.morph import find_names
from radjudge.anonymize.ner import find_entities_batch
from radjudge.anonymize.rules import find_structured
from radjudge.anonymize.spans import Detection, merge_detections
from radjudge.anonymize.types import PLACEHOLDERS

__all__ = ["Detector", "DETECTORS", "detect_phi", "detect_phi_batch", "placeholder_spans"]

Detector = Literal["rules", "ner", "morph", "heuristics"]
#: All detectors: what the anonymizer and the guard always run.
DETECTORS: tuple[str, ...] = ("rules", "ner", "morph", "heuristics")
_NAMEISH = {"NAME", "ORGANIZATION", "LOCATION"}
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in sorted(set(PLACEHOLDERS.values()))))
_CACHE_MAX = 200_000  # lines; a few hundred bytes each
_cache: dict[str, tuple[Detection, ...]] = {}


def placeholder_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the typed placeholders in ``text``.

    >>> placeholder_spans("Пациент [ФИО], тел. [ТЕЛЕФОН].")
    [(8, 13), (20, 29)]
    """
    return [m.span() for m in _PLACEHOLDER.finditer(text)] if "[" in text else []


def _only_placeholders(text: str, d: Detection, holders: list[tuple[int, int]]) -> bool:
    return all(
        not text[i].isalnum() or any(s <= i < e for s, e in holders) for i in range(d.start, d.end)
    )


def _check_detectors(detectors: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(detectors)
    unknown = [d for d in chosen if d not in DETECTORS]
    if unknown or not chosen:
        raise ValueError(f"detectors must be a non-empty subset of {DETECTORS}, got {chosen!r}")
    return chosen


def _combine(line: str, ner: list[Detection], detectors: tuple[str, ...]) -> list[Detection]:
    found: list[Detection] = []
    if "rules" in detectors:
        found += find_structured(line)
    if "heuristics" in detectors:
        found += find_name_heuristics(line)
    if "ner" in detectors:
        found += ner
    if "morph" in detectors:
        found += find_names(line)
    protected = protected_spans(line)
    if protected:
        found = [
            d
            for d in found
            if d.detector == "rules"
            or d.type not in _NAMEISH
            or not any(ps < d.end and d.start < pe for ps, pe in protected)
        ]
    merged = merge_detections(found, line)
    holders = placeholder_spans(line)
    if holders:
        merged = [d for d in merged if not _only_placeholders(line, d, holders)]
    return merged


def _detect_lines(lines: Sequence[str], chosen: tuple[str, ...]) -> list[tuple[Detection, ...]]:
    full = set(chosen) == set(DETECTORS)
    out: list[tuple[Detection, ...] | None] = [_cache.get(line) if full else None for line in lines]
    todo = list(dict.fromkeys(ln for ln, got in zip(lines, out, strict=True) if got is None))
    if todo:
        ner = find_entities_batch(todo) if "ner" in chosen else [[] for _ in todo]
        fresh = {ln: tuple(_combine(ln, n, chosen)) for ln, n in zip(todo, ner, strict=True)}
        if full:
            if len(_cache) + len(fresh) > _CACHE_MAX:
                _cache.clear()
            _cache.update(fresh)
        out = [got if got is not None else fresh[ln] for ln, got in zip(lines, out, strict=True)]
    return out  # type: ignore[return-value]  # every slot is filled above


def detect_phi_batch(
    texts: Sequence[str], *, detectors: Iterable[Detector] = DETECTORS
) -> list[list[Detection]]:
    """Merged PHI detections for each text (line by line; NER batched over all lines).

    Parameters
    ----------
    texts : sequence of str
    detectors : iterable of {"rules", "ner", "morph", "heuristics"}, default all
        ``rules``: structured identifiers, addresses, organisations, dates;
        ``ner``: Natasha PER/LOC/ORG; ``morph``: pymorphy3 names;
        ``heuristics``: cheap name patterns. A subset is for measuring the
        detectors one by one; the anonymizer and the guard always run all.

    Returns
    -------
    list of list of Detection
        One sorted, non-overlapping list per text, offsets into that text.
    """
    chosen = _check_detectors(detectors)
    pieces: list[list[tuple[int, str]]] = []
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"detect_phi needs str texts, got {type(text).__name__}")
        pos, per = 0, []
        for line in text.split("\n"):
            if line.strip():
                per.append((pos, line))
            pos += len(line) + 1
        pieces.append(per)
    flat = [line for per in pieces for _, line in per]
    found = iter(_detect_lines(flat, chosen))
    out = []
    for per in pieces:
        dets: list[Detection] = []
        for offset, _ in per:
            dets.extend(
                Detection(d.start + offset, d.end + offset, d.type, d.detector) for d in next(found)
            )
        out.append(dets)
    return out


def detect_phi(text: str, *, detectors: Iterable[Detector] = DETECTORS) -> list[Detection]:
    """Merged PHI detections in one text.

    >>> t = "Пациентка Смирнова А.П., 58 лет, СНИЛС 112-233-445 95. Симптом Ортнера положительный."
    >>> [(d.type, t[d.start:d.end]) for d in detect_phi(t)]
    [('NAME', 'Смирнова А.П.'), ('SNILS', '112-233-445 95')]
    """
    return detect_phi_batch([text], detectors=detectors)[0]
