"""Detected spans and how overlapping detections are merged."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Detection", "merge_detections", "overlaps"]


@dataclass(frozen=True, order=True)
class Detection:
    """One detected identifier in a text.

    Attributes
    ----------
    start, end : int
        Character offsets (end exclusive).
    type : str
        PHI type (:data:`radjudge.anonymize.types.PHI_TYPES`).
    detector : str
        Which detector(s) found it: ``rules``, ``ner``, ``morph``, ``guard``,
        joined with ``+`` after merging.
    """

    start: int
    end: int
    type: str
    detector: str


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """True when two half-open spans share at least one character.

    >>> overlaps(0, 3, 2, 5), overlaps(0, 2, 2, 5)
    (True, False)
    """
    return a_start < b_end and b_start < a_end


def merge_detections(detections: Iterable[Detection], text: str) -> list[Detection]:
    """Merge overlapping detections into one span each.

    Overlapping spans become their union; so do two ``NAME`` spans separated
    only by whitespace ("Иванову" + "И.И."). The merged span takes the type of
    its longest part (an address swallows the city NER found inside it, an
    organisation the person it is named after; NAME wins a tie) and lists
    every detector.

    >>> t = "г. Тверь, ул. Мира, д. 1"
    >>> found = [Detection(0, 24, "ADDRESS", "rules"), Detection(3, 8, "LOCATION", "ner")]
    >>> merge_detections(found, t)
    [Detection(start=0, end=24, type='ADDRESS', detector='ner+rules')]
    """
    items = sorted(detections, key=lambda d: (d.start, -d.end))
    groups: list[list[Detection]] = []
    end = -1
    for d in items:
        if d.end <= d.start:
            continue
        if groups and (
            d.start < end
            or (
                d.type == "NAME"
                and any(g.type == "NAME" for g in groups[-1])
                and text[end : d.start].strip() == ""
                and "\n" not in text[end : d.start]
            )
        ):
            groups[-1].append(d)
            end = max(end, d.end)
        else:
            groups.append([d])
            end = d.end
    out = []
    for g in groups:
        start = min(d.start for d in g)
        stop = max(d.end for d in g)
        # Ties go to NAME: "Рейган" tagged LOC by NER and a surname by morphology is a person.
        longest = max(g, key=lambda d: (d.end - d.start, d.type == "NAME"))
        detectors = "+".join(sorted({part for d in g for part in d.detector.split("+")}))
        out.append(Detection(start, stop, longest.type, detectors))
    return out
