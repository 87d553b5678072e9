"""The independent evaluation sets (``tests/data/anonymization_eval``): load, score the anonymizer.

Short Russian EMR snippets written by sessions that never read the anonymizer
or the cohort generator (the set's README says how), in splits:

* ``dev`` and ``test`` (354 snippets): the first set. ``dev`` was tuned on in
  issue 14's first round and ``test`` held out; its misses were read after that
  round, so both are development data now.
* ``heldout``: a second set, written later by another session, for a held-out
  measurement of the second round; scored once, then development data in the third round.
* ``heldout3``: a third set (``HELDOUT3.md``), written by a session that saw neither the
  detectors nor the other sets, for a held-out measurement of the third round; scored once,
  then development data in the fourth round.

Each snippet lists the identifiers to remove (``NAME``, ``DATE``, ``PHONE``,
``EMAIL``, ``URL``, ``ADDRESS``, ``ID``, ``ORG``) and the clinical terms to
keep, with character offsets.

Scoring (:func:`score_eval_set`) runs the anonymizer on every snippet - the
spans it replaces, re-scan passes included (:func:`radjudge.anonymize.core.
replaced_spans`) - maps the detected types onto the set's
(:data:`TO_EVAL_TYPE`) and uses the span matching of
:func:`radjudge.anonymize.evaluate.score_spans`: an identifier is removed when
every letter and digit of it is covered; a detection is correct when it
overlaps an identifier; a kept term is kept when no detection touches it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from radjudge import paths
from radjudge.anonymize.core import replaced_spans
from radjudge.anonymize.evaluate import PhiScores, score_spans
from radjudge.anonymize.spans import Detection

__all__ = [
    "SPLITS",
    "EVAL_TYPES",
    "TO_EVAL_TYPE",
    "EvalSpan",
    "EvalSnippet",
    "load_eval_set",
    "score_eval_set",
    "class_recall",
    "eval_audit",
]

#: The set's identifier types, in reporting order.
EVAL_TYPES: tuple[str, ...] = ("NAME", "DATE", "PHONE", "EMAIL", "URL", "ADDRESS", "ID", "ORG")
#: Detected PHI type -> the set's type.
TO_EVAL_TYPE: dict[str, str] = {
    "NAME": "NAME",
    "DATE": "DATE",
    "PHONE": "PHONE",
    "EMAIL": "EMAIL",
    "URL": "URL",
    "ADDRESS": "ADDRESS",
    "LOCATION": "ADDRESS",
    "SNILS": "ID",
    "POLICY": "ID",
    "PASSPORT": "ID",
    "INN": "ID",
    "RECORD_ID": "ID",
    "ORGANIZATION": "ORG",
}


@dataclass(frozen=True)
class EvalSpan:
    """An annotated span: an identifier (``type``) or a kept term (``type`` = its kind)."""

    start: int
    end: int
    type: str
    text: str


@dataclass(frozen=True)
class EvalSnippet:
    """One snippet of the set.

    Attributes
    ----------
    id : str
        The snippet's id in its split (``d001``... in dev, ``t001``... in test).
    section : str
    text : str
    spans : tuple of EvalSpan
        Identifiers to remove.
    keep : tuple of EvalSpan
        Clinical terms to keep (``type`` is the kind: diagnosis, eponym, lab_value...).
    classes : tuple of str
    """

    id: str
    section: str
    text: str
    spans: tuple[EvalSpan, ...]
    keep: tuple[EvalSpan, ...]
    classes: tuple[str, ...]


def _span(obj: dict, key: str, text: str, where: str) -> EvalSpan:
    start, end = obj.get("start"), obj.get("end")
    kind = obj.get("type") if key == "type" else obj.get("kind")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        raise ValueError(f"{where}: span offsets {start}..{end} are not inside the text")
    if text[start:end] != obj.get("text"):
        raise ValueError(f"{where}: span text {obj.get('text')!r} != text[{start}:{end}]")
    if key == "type" and kind not in EVAL_TYPES:
        raise ValueError(f"{where}: unknown type {kind!r}; known: {', '.join(EVAL_TYPES)}")
    if not isinstance(kind, str):
        raise ValueError(f"{where}: span without {key!r}")
    return EvalSpan(start, end, kind, text[start:end])


#: The splits of the set, in the order they were written.
SPLITS: tuple[str, ...] = ("dev", "test", "heldout", "heldout3")


def load_eval_set(
    split: Literal["dev", "test", "heldout", "heldout3"],
    folder: str | os.PathLike[str] = paths.ANONYMIZATION_EVAL,
) -> list[EvalSnippet]:
    """Read ``<folder>/<split>.jsonl``.

    Raises
    ------
    FileNotFoundError
        No such file.
    ValueError
        An unknown split, a line that is not JSON, a missing field, or a span
        whose offsets or text do not match (naming the file, line and id).
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    path = Path(folder) / f"{split}.jsonl"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: the independent evaluation set is missing")
    out = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}, line {lineno}: not JSON ({exc})") from None
        missing = [k for k in ("id", "text", "spans", "keep", "classes") if k not in obj]
        if missing:
            raise ValueError(f"{path}, line {lineno}: missing field(s) {missing}")
        where = f"{path}, line {lineno} ({obj['id']})"
        text = obj["text"]
        out.append(
            EvalSnippet(
                id=obj["id"],
                section=obj.get("section", ""),
                text=text,
                spans=tuple(_span(s, "type", text, where) for s in obj["spans"]),
                keep=tuple(_span(k, "kind", text, where) for k in obj["keep"]),
                classes=tuple(obj["classes"]),
            )
        )
    return out


def _as_eval(found: Sequence[Detection]) -> list[Detection]:
    return [Detection(d.start, d.end, TO_EVAL_TYPE[d.type], d.detector) for d in found]


def _detections(snippets: Sequence[EvalSnippet]) -> list[list[Detection]]:
    return [_as_eval(f) for f in replaced_spans([s.text for s in snippets])]


def score_eval_set(snippets: Sequence[EvalSnippet]) -> PhiScores:
    """Anonymize every snippet and score it (module docstring).

    Returns
    -------
    PhiScores
        ``by_type`` over :data:`EVAL_TYPES`; ``by_group`` has only ``all``;
        ``clinical`` per kind of kept term. ``misses`` and
        ``false_positives`` name the snippet id in ``patient_id`` (the set is
        synthetic: showing its text leaks nothing).
    """
    detected = _detections(snippets)
    docs = [
        ((s.id, s.section), s.text, s.spans, found, s.keep)
        for s, found in zip(snippets, detected, strict=True)
    ]
    return score_spans(docs, types=EVAL_TYPES)


def class_recall(snippets: Sequence[EvalSnippet]) -> pd.DataFrame:
    """Per class of the set: identifiers removed and kept terms kept in the snippets of that class.

    Returns
    -------
    pandas.DataFrame
        ``class, snippets, n_identifiers, recall, n_keep, kept`` (NaN where a
        class has no identifier or no kept term), sorted by class.
    """
    detected = _detections(snippets)
    rows = []
    classes = sorted({c for s in snippets for c in s.classes})
    for cls in classes:
        n = removed = n_keep = kept = count = 0
        for s, found in zip(snippets, detected, strict=True):
            if cls not in s.classes:
                continue
            count += 1
            spans = [(d.start, d.end) for d in found]
            for t in s.spans:
                n += 1
                removed += all(
                    not s.text[i].isalnum() or any(a <= i < b for a, b in spans)
                    for i in range(t.start, t.end)
                )
            for k in s.keep:
                n_keep += 1
                kept += not any(a < k.end and k.start < b for a, b in spans)
        rows.append(
            {
                "class": cls,
                "snippets": count,
                "n_identifiers": n,
                "recall": removed / n if n else float("nan"),
                "n_keep": n_keep,
                "kept": kept / n_keep if n_keep else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def eval_audit(scores: dict[str, PhiScores]) -> pd.DataFrame:
    """Rows of notebook 01's audit for the independent set, one per split and type.

    Parameters
    ----------
    scores : dict of str to PhiScores
        Split (``"dev"``, ``"test"``) -> :func:`score_eval_set`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`radjudge.anonymize.audit_table`, ``kind`` =
        ``eval_<split>``, ``name`` = the type, ``all`` and ``clinical_kept``.
    """
    rows = []
    for split, sc in scores.items():
        table = pd.concat([sc.by_type, sc.by_group[sc.by_group["type"] == "all"]])
        for _, r in table.iterrows():
            rows.append(
                {
                    "kind": f"eval_{split}",
                    "name": r["type"],
                    "n_detected": int(r["n_detected"]),
                    "n_true": int(r["n_true"]),
                    "recall": float(r["recall"]),
                    "precision": float(r["precision"]),
                    "n_clinical": float("nan"),
                    "preserved": float("nan"),
                }
            )
        clin = sc.clinical.set_index("type").loc["all"]
        rows.append(
            {
                "kind": f"eval_{split}",
                "name": "clinical_kept",
                "n_detected": float("nan"),
                "n_true": float("nan"),
                "recall": float("nan"),
                "precision": float("nan"),
                "n_clinical": int(clin["n"]),
                "preserved": float(clin["preserved"]),
            }
        )
    columns = [
        "kind",
        "name",
        "n_detected",
        "n_true",
        "recall",
        "precision",
        "n_clinical",
        "preserved",
    ]
    out = pd.DataFrame(rows, columns=columns)
    for col in ("n_detected", "n_true", "n_clinical"):
        out[col] = out[col].astype("Int64")
    return out
