"""Anonymized records, their marker, and the JSONL file that holds them.

The marker binds to the content: ``content_sha256`` is the SHA-256 of the
canonical JSON of ``patient_id``, ``synthetic``, the six sections and the
rest of the marker. Any edit after anonymization - a section rewritten, a
raw record given a copied marker, a changed option - breaks the hash, and
:func:`radjudge.anonymize.require_anonymized` refuses the record.

What the marker does *not* do: stop a deliberate forgery. The hash has no
secret key; anyone can recompute it. It is a guard against accidents (raw
text reaching an LLM, text edited after anonymization), not against an
adversary.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from radjudge import paths
from radjudge.records import SECTIONS, json_lines, render_text

__all__ = [
    "SCHEME",
    "AnonymizedRecord",
    "content_sha256",
    "seal",
    "save_anonymized",
    "read_anonymized_jsonl",
]

#: Marker scheme name and version.
SCHEME = "radjudge.anonymize/1"


@dataclass(frozen=True)
class AnonymizedRecord:
    """One anonymized record: what the summarizer and the judges may read.

    Attributes
    ----------
    patient_id : str
    sections : dict[str, str]
        The six anonymized sections, in :data:`radjudge.records.SECTIONS` order.
    marker : dict
        ``scheme``, ``replacement``, ``date_strategy``, ``detectors``,
        ``counts`` (detections per PHI type), ``surrogates`` (values the
        anonymizer inserted: shifted dates; pass them to
        :func:`~radjudge.anonymize.check_llm_text` as ``allowed``) and
        ``content_sha256``.
    synthetic : bool
        True for records of the synthetic cohort.
    """

    patient_id: str
    sections: dict[str, str]
    marker: dict[str, Any]
    synthetic: bool

    @property
    def text(self) -> str:
        """Full text with Russian section headings - the same format as the cohort's ``.text``."""
        return render_text(self.sections)

    @property
    def surrogates(self) -> tuple[str, ...]:
        """Values the anonymizer inserted (shifted dates); the guard's ``allowed`` for this record."""
        return tuple(self.marker.get("surrogates", ()))

    def to_json(self) -> dict[str, Any]:
        """The JSONL object of ``data/interim/anonymized_records.jsonl``."""
        return {
            "patient_id": self.patient_id,
            "synthetic": self.synthetic,
            "sections": {k: self.sections[k] for k in SECTIONS},
            "anonymization": self.marker,
        }


def content_sha256(
    patient_id: str, synthetic: bool, sections: Mapping[str, str], marker: Mapping[str, Any]
) -> str:
    """SHA-256 binding a marker (without its own hash) to a record's content.

    >>> s = dict.fromkeys(SECTIONS, "")
    >>> content_sha256("P1", True, s, {"scheme": SCHEME}) == content_sha256("P1", True, s, {"scheme": SCHEME})
    True
    >>> s2 = {**s, "labs": "x"}
    >>> content_sha256("P1", True, s, {}) == content_sha256("P1", True, s2, {})
    False
    """
    body = {
        "patient_id": patient_id,
        "synthetic": bool(synthetic),
        "sections": [[k, sections.get(k)] for k in SECTIONS]
        + sorted([k, v] for k, v in sections.items() if k not in SECTIONS),
        "marker": {k: v for k, v in marker.items() if k != "content_sha256"},
    }
    blob = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def seal(
    patient_id: str, synthetic: bool, sections: Mapping[str, str], marker: Mapping[str, Any]
) -> AnonymizedRecord:
    """Build an :class:`AnonymizedRecord` whose marker carries the content hash."""
    sections = {k: sections[k] for k in SECTIONS}
    body = {**{k: v for k, v in marker.items() if k != "content_sha256"}, "scheme": SCHEME}
    body["content_sha256"] = content_sha256(patient_id, synthetic, sections, body)
    return AnonymizedRecord(
        patient_id=patient_id, sections=sections, marker=body, synthetic=synthetic
    )


def save_anonymized(
    records: Iterable[AnonymizedRecord], path: str | os.PathLike[str] = paths.ANONYMIZED_RECORDS
) -> Path:
    """Write anonymized records as JSONL (atomically); every record is checked by the guard first.

    Raises
    ------
    PHIGuardError
        If a record's marker is missing or does not match its content.
    """
    from radjudge.anonymize.guard import require_anonymized

    lines = []
    for rec in records:
        require_anonymized(rec)
        lines.append(json.dumps(rec.to_json(), ensure_ascii=False) + "\n")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text("".join(lines), encoding="utf-8", newline="\n")
    os.replace(tmp, path)
    return path


def read_anonymized_jsonl(path: str | os.PathLike[str]) -> list[AnonymizedRecord]:
    """Parse the JSONL file into records (no marker check; see ``load_anonymized``)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: no anonymized records; run notebook 01 (radjudge run --only 01)"
        )
    out = []
    for lineno, obj in json_lines(path.read_text(encoding="utf-8").splitlines(), where=path):
        missing = [
            k for k in ("patient_id", "synthetic", "sections", "anonymization") if k not in obj
        ]
        if missing:
            raise ValueError(f"{path}, line {lineno}: missing field(s) {missing}")
        if not isinstance(obj["sections"], dict) or list(obj["sections"]) != list(SECTIONS):
            raise ValueError(f"{path}, line {lineno}: sections must be {list(SECTIONS)} in order")
        out.append(
            AnonymizedRecord(
                patient_id=str(obj["patient_id"]),
                sections=dict(obj["sections"]),
                marker=obj["anonymization"] if isinstance(obj["anonymization"], dict) else {},
                synthetic=bool(obj["synthetic"]),
            )
        )
    return out
