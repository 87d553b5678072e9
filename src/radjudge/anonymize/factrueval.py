"""Recall of persons, places and organisations on a real corpus: the factRuEval-2016 devset.

The devset (``data/external/factrueval2016/devset``, MIT licence; the only
split kept here) is Russian news annotated in layers. An object of
``book_N.objects`` (``Person``, ``Location``, ``LocOrg``, ``Org``) lists span
ids of ``book_N.spans``; each span has a type, a start offset and a length
into ``book_N.txt``. An object is *removed* when every letter and digit of its
*name* spans is covered by detected spans
(:func:`radjudge.anonymize.evaluate.covered`):

* persons: ``name``, ``surname``, ``patronymic``, ``nickname`` spans;
* locations (``Location`` and ``LocOrg`` objects): ``loc_name`` spans
  ("Москвы", "Тверской"), not descriptors ("площади");
* organisations (``Org``): ``org_name`` spans, not descriptors ("мэрии").

Objects with no name span (a bare descriptor) are not counted.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from radjudge import paths
from radjudge.anonymize.detect import DETECTORS, Detector, detect_phi_batch
from radjudge.anonymize.evaluate import covered

__all__ = [
    "FactRuDocument",
    "load_factrueval",
    "PersonRecall",
    "person_recall",
    "EntityRecall",
    "entity_recall",
]

_PERSON_PARTS = {"name", "surname", "patronymic", "nickname"}
#: Object kind -> (objects of the devset, their name span types, the detected types that name it).
_KINDS: dict[str, tuple[tuple[str, ...], frozenset[str], frozenset[str]]] = {
    "person": (("Person",), frozenset(_PERSON_PARTS), frozenset({"NAME"})),
    "location": (
        ("Location", "LocOrg"),
        frozenset({"loc_name"}),
        frozenset({"LOCATION", "ADDRESS"}),
    ),
    "organization": (("Org",), frozenset({"org_name"}), frozenset({"ORGANIZATION"})),
}


@dataclass(frozen=True)
class FactRuDocument:
    """One devset text and its persons.

    Attributes
    ----------
    doc_id : str
        File stem, e.g. ``"book_117"``.
    text : str
    persons : tuple of tuple of (int, int)
        One entry per ``Person`` mention object: its name-part spans ``(start, end)``.
    locations : tuple of tuple of (int, int)
        ``Location`` and ``LocOrg`` objects: their ``loc_name`` spans.
    organizations : tuple of tuple of (int, int)
        ``Org`` objects: their ``org_name`` spans.
    """

    doc_id: str
    text: str
    persons: tuple[tuple[tuple[int, int], ...], ...]
    locations: tuple[tuple[tuple[int, int], ...], ...] = ()
    organizations: tuple[tuple[tuple[int, int], ...], ...] = ()

    def objects(self, kind: str) -> tuple[tuple[tuple[int, int], ...], ...]:
        """The objects of one kind: ``person``, ``location`` or ``organization``."""
        return {
            "person": self.persons,
            "location": self.locations,
            "organization": self.organizations,
        }[kind]


def load_factrueval(
    folder: str | os.PathLike[str] = paths.FACTRUEVAL / "devset",
) -> list[FactRuDocument]:
    """Read the devset: texts with their Person mentions.

    Raises
    ------
    FileNotFoundError
        If the folder holds no ``*.txt`` files.
    ValueError
        If a span's offsets do not cover its annotated tokens (a corrupt copy).
    """
    folder = Path(folder)
    txts = sorted(folder.glob("*.txt"), key=lambda p: (len(p.stem), p.stem))
    if not txts:
        raise FileNotFoundError(f"{folder}: no factRuEval *.txt files (copy the devset there)")
    docs = []
    for txt in txts:
        text = txt.read_text(encoding="utf-8")
        spans: dict[str, tuple[str, int, int]] = {}
        for lineno, line in enumerate(
            txt.with_suffix(".spans").read_text(encoding="utf-8").splitlines(), 1
        ):
            if not line.strip():
                continue
            head, _, tail = line.partition("#")
            f = head.split()
            sid, typ, start, length, n_tokens = f[0], f[1], int(f[2]), int(f[3]), int(f[5])
            words = tail.split()[n_tokens:]
            got = re.sub(r"\s", "", text[start : start + length])
            # One upstream span ("Жан-Мари Ле Пен") lists fewer tokens than it covers; accept
            # a superset.
            if words and not all(w in got for w in words):
                raise ValueError(
                    f"{txt.with_suffix('.spans')}, line {lineno}: offsets {start}+{length} "
                    f"do not cover {' '.join(words)!r}"
                )
            spans[sid] = (typ, start, start + length)
        found: dict[str, list[tuple[tuple[int, int], ...]]] = {k: [] for k in _KINDS}
        for line in txt.with_suffix(".objects").read_text(encoding="utf-8").splitlines():
            f = line.partition("#")[0].split()
            if len(f) < 3:
                continue
            for kind, (objects, parts_of, _) in _KINDS.items():
                if f[1] in objects:
                    parts = tuple(
                        (spans[s][1], spans[s][2]) for s in f[2:] if spans[s][0] in parts_of
                    )
                    if parts:
                        found[kind].append(parts)
        docs.append(
            FactRuDocument(
                txt.stem,
                text,
                tuple(found["person"]),
                tuple(found["location"]),
                tuple(found["organization"]),
            )
        )
    return docs


@dataclass(frozen=True)
class PersonRecall:
    """Recall of Person mentions.

    Attributes
    ----------
    n_persons : int
        Person mention objects in the corpus.
    removed : int
        Persons whose name parts are fully covered by detections of any type.
    removed_as_name : int
        ... covered by ``NAME`` detections alone.
    recall, recall_as_name : float
        The two ratios.
    misses : pandas.DataFrame
        ``doc_id, start, end, text`` of each person not removed (public news text).
    """

    n_persons: int
    removed: int
    removed_as_name: int
    recall: float
    recall_as_name: float
    misses: pd.DataFrame


def person_recall(
    docs: Sequence[FactRuDocument], *, detectors: Iterable[Detector] = DETECTORS
) -> PersonRecall:
    """Run the detectors on every document and measure Person recall.

    Parameters
    ----------
    docs : sequence of FactRuDocument
    detectors : default all four

    Returns
    -------
    PersonRecall
    """
    detected = detect_phi_batch([d.text for d in docs], detectors=detectors)
    n, removed, as_name, misses = _kind_recall(docs, detected, "person")
    return PersonRecall(
        n_persons=n,
        removed=removed,
        removed_as_name=as_name,
        recall=removed / n if n else float("nan"),
        recall_as_name=as_name / n if n else float("nan"),
        misses=pd.DataFrame(misses, columns=["doc_id", "start", "end", "text"]),
    )


def _kind_recall(
    docs: Sequence[FactRuDocument], detected: Sequence[Sequence[Any]], kind: str
) -> tuple[int, int, int, list[dict[str, Any]]]:
    """Objects of one kind: how many, removed by any detection, removed by the kind's types,
    and the misses (``doc_id, start, end, text``)."""
    own_types = _KINDS[kind][2]
    n = removed = as_type = 0
    misses = []
    for doc, dets in zip(docs, detected, strict=True):
        any_spans = [(d.start, d.end) for d in dets]
        typed = [(d.start, d.end) for d in dets if d.type in own_types]
        for parts in doc.objects(kind):
            n += 1
            ok = all(covered(doc.text, s, e, any_spans) for s, e in parts)
            removed += ok
            as_type += all(covered(doc.text, s, e, typed) for s, e in parts)
            if not ok:
                s, e = min(p[0] for p in parts), max(p[1] for p in parts)
                misses.append({"doc_id": doc.doc_id, "start": s, "end": e, "text": doc.text[s:e]})
    return n, removed, as_type, misses


@dataclass(frozen=True)
class EntityRecall:
    """Recall of persons, locations and organisations on the devset.

    Attributes
    ----------
    by_kind : pandas.DataFrame
        One row per kind (``person``, ``location``, ``organization``):
        ``kind, n, removed, recall, removed_as_type, recall_as_type`` - removed
        by detections of any type, and by detections of the kind's own types
        (NAME; LOCATION or ADDRESS; ORGANIZATION).
    misses : pandas.DataFrame
        ``kind, doc_id, start, end, text`` of each object not removed (public news text).
    """

    by_kind: pd.DataFrame
    misses: pd.DataFrame

    def recall(self, kind: str) -> float:
        """Recall of one kind."""
        return float(self.by_kind.set_index("kind").loc[kind, "recall"])


def entity_recall(
    docs: Sequence[FactRuDocument], *, detectors: Iterable[Detector] = DETECTORS
) -> EntityRecall:
    """Run the detectors on every document and measure recall per kind of object.

    Parameters
    ----------
    docs : sequence of FactRuDocument
    detectors : default all four

    Returns
    -------
    EntityRecall
    """
    detected = detect_phi_batch([d.text for d in docs], detectors=detectors)
    rows, misses = [], []
    for kind in _KINDS:
        n, removed, as_type, missed = _kind_recall(docs, detected, kind)
        misses += [{"kind": kind, **m} for m in missed]
        rows.append(
            {
                "kind": kind,
                "n": n,
                "removed": removed,
                "recall": removed / n if n else float("nan"),
                "removed_as_type": as_type,
                "recall_as_type": as_type / n if n else float("nan"),
            }
        )
    return EntityRecall(
        by_kind=pd.DataFrame(rows),
        misses=pd.DataFrame(misses, columns=["kind", "doc_id", "start", "end", "text"]),
    )
