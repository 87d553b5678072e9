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

from radjudge.anonymize.clinical import is_clinical_word, is_medical_abbreviation, protected_spans
from radjudge.anonymize.heuristics import find_name_heuristics
from radjudge.anonymize.morph import analyzer, find_names, recase_names
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


_WORD = re.compile(r"[A-Za-zА-ЯЁа-яё][\w-]*\.?")


def _is_medical_adjective(word: str) -> bool:
    """A capitalised adjective that is not a surname ("Билиарный", "Желчнокаменная")."""
    parses = analyzer().parse(word.lower())
    if not parses or parses[0].tag.POS not in ("ADJF", "PRTF"):
        return False
    return not any("Surn" in str(p.tag) and p.score >= 0.2 for p in analyzer().parse(word))


def _sentence_initial(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return not before or before[-1] in ".!?:;\n«\"(" or bool(re.search(r"[A-Z]\d+(?:\.\d+)?$", before))


def _clinical_only(line: str, d: Detection) -> bool:
    """A name, place or organisation made only of clinical words: a false alarm.

    Every word is a clinical noun or analyte, a medical abbreviation, a Latin
    initial or a sentence-initial medical adjective ("Гликированный",
    "Онкомаркеры", "КТ-контроль", "H.").
    """
    words = [(m.start() + d.start, m.group(0)) for m in _WORD.finditer(line[d.start : d.end])]
    if not words:
        return True
    for i, (pos, w) in enumerate(words):
        bare = w.rstrip(".")
        if is_clinical_word(bare) or is_medical_abbreviation(bare) or re.fullmatch(r"[A-Z]\.", w):
            continue
        if i == 0 and _sentence_initial(line, pos) and _is_medical_adjective(bare):
            continue
        return False
    return True


def _trim_initial_adjective(line: str, d: Detection) -> Detection | None:
    """Drop a sentence-initial medical adjective from the front of a name ("K85.1 Билиарный ...")."""
    m = _WORD.match(line, d.start)
    if m and _sentence_initial(line, d.start) and _is_medical_adjective(m.group(0)):
        rest = re.compile(r"\s+").match(line, m.end())
        start = rest.end() if rest else m.end()
        return Detection(start, d.end, d.type, d.detector) if start < d.end else None
    return d


def _combine(
    line: str, ner: list[Detection], detectors: tuple[str, ...], recased: tuple[str, list[Detection]]
) -> list[Detection]:
    found: list[Detection] = []
    if "rules" in detectors:
        found += find_structured(line)
    if "heuristics" in detectors:
        found += find_name_heuristics(line)
    if "ner" in detectors:
        found += ner
    if "morph" in detectors:
        found += find_names(line)
    other, other_ner = recased
    if other != line:  # names in capitals or lower case, found on the re-cased copy
        names: list[Detection] = []
        if "heuristics" in detectors:
            names += find_name_heuristics(other)
        if "ner" in detectors:
            names += other_ner
        if "morph" in detectors:
            names += find_names(other)
        found += [d for d in names if d.type == "NAME"]
    kept = []
    for d in found:
        if d.detector != "rules" and d.type in _NAMEISH:
            if _clinical_only(line, d):
                continue
            if d.type == "NAME":
                trimmed = _trim_initial_adjective(line, d)
                if trimmed is None:
                    continue
                d = trimmed
        kept.append(d)
    found = kept
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
        recased = [recase_names(ln) for ln in todo]
        extra = [r for r, ln in zip(recased, todo, strict=True) if r != ln]
        ner_all = find_entities_batch([*todo, *extra]) if "ner" in chosen else None
        ner = ner_all[: len(todo)] if ner_all else [[] for _ in todo]
        ner_extra = iter(ner_all[len(todo) :] if ner_all else [[] for _ in extra])
        pairs = [(r, next(ner_extra) if r != ln else []) for r, ln in zip(recased, todo, strict=True)]
        fresh = {
            ln: tuple(_combine(ln, n, chosen, pair))
            for ln, n, pair in zip(todo, ner, pairs, strict=True)
        }
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
