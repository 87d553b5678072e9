"""Anonymized records: made only by the anonymizer, immutable, bound to the text prompts use.

An :class:`AnonymizedRecord` cannot be built by calling the class, copied into
a subclass, edited or pickled. Exactly two private paths make one, and both
check what they make:

* ``_seal`` - called by :func:`radjudge.anonymize.anonymize_records` only: it
  renders the record's text (the text every prompt embeds, :attr:`text`),
  runs the residual-PHI scan on it (:func:`radjudge.anonymize.scan_text`, the
  anonymizer's own detectors) and refuses text that still holds an
  identifier; then it computes the marker's content hash.
* :func:`load_anonymized` - reads ``data/interim/anonymized_records.jsonl``,
  recomputes every content hash and scans every text again.

The marker's ``content_sha256`` is the SHA-256 of the canonical JSON of
``patient_id``, ``synthetic``, the rendered :attr:`text`, the six sections and
the rest of the marker. :func:`require_anonymized`, called by every LLM call
site, accepts an object only if its type is exactly :class:`AnonymizedRecord`
and the hash matches.

What this does *not* do: stop a deliberate forgery. The hash has no secret key
(anyone can recompute it) and Python can always reach past a class's
interface (``object.__setattr__``). It stops accidents - raw text, a record
of another class, text edited after anonymization - not an adversary; the
residual scan on every prompt still runs behind it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

from radjudge import paths
from radjudge.anonymize.guard import PHIGuardError, scan_text
from radjudge.records import SECTIONS, json_lines, render_text

__all__ = [
    "SCHEME",
    "AnonymizedRecord",
    "content_sha256",
    "require_anonymized",
    "save_anonymized",
    "load_anonymized",
]

#: Marker scheme name and version (2: the hash covers the rendered text).
SCHEME = "radjudge.anonymize/2"
_HOW = (
    "Anonymize with radjudge.anonymize.anonymize_records and load saved records with "
    "radjudge.anonymize.load_anonymized."
)


def _canonical(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class AnonymizedRecord:
    """One anonymized record: what the summarizers and the judges may read.

    Made only by :func:`radjudge.anonymize.anonymize_records` and
    :func:`load_anonymized`; calling the class, subclassing it, setting an
    attribute, copying it into another object or pickling it raises.

    Attributes
    ----------
    patient_id : str
    sections : mapping of str to str (read-only)
        The six anonymized sections, in :data:`radjudge.records.SECTIONS` order.
    text : str
        The full text with Russian section headings
        (:func:`radjudge.records.render_text`): the text prompts embed, and the
        text the marker's hash covers.
    marker : dict
        A fresh copy each time: ``scheme``, ``replacement``, ``date_strategy``,
        ``detectors``, ``counts`` (detections per PHI type), ``surrogates``
        (values the anonymizer inserted: shifted dates and surrogate names;
        pass them to :func:`~radjudge.anonymize.check_llm_text` as ``allowed``)
        and ``content_sha256``.
    synthetic : bool
        True for records of the synthetic cohort.
    """

    __slots__ = ("_patient_id", "_sections", "_text", "_marker_json", "_synthetic")
    _patient_id: str
    _sections: Mapping[str, str]
    _text: str
    _marker_json: str
    _synthetic: bool

    # Typed as returning the class (it always raises): a NoReturn __new__ would make the type
    # checker treat the class as never instantiated and stop narrowing isinstance checks.
    def __new__(cls, *args: Any, **kwargs: Any) -> AnonymizedRecord:
        raise TypeError(
            "AnonymizedRecord objects are made only by the anonymizer; they cannot be built "
            f"from sections. {_HOW}"
        )

    def __init_subclass__(cls, **kwargs: Any) -> NoReturn:
        raise TypeError(
            f"AnonymizedRecord cannot be subclassed ({cls.__name__}): the text prompts use "
            "is the text the anonymizer sealed, and no subclass may change it."
        )

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError(f"AnonymizedRecord is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"AnonymizedRecord is immutable; cannot delete {name!r}")

    def __reduce__(self) -> NoReturn:
        raise TypeError(
            "AnonymizedRecord cannot be pickled; write records with save_anonymized and read "
            "them with load_anonymized (which checks them again)"
        )

    def __copy__(self) -> AnonymizedRecord:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> AnonymizedRecord:
        return self

    @property
    def patient_id(self) -> str:
        return self._patient_id

    @property
    def sections(self) -> Mapping[str, str]:
        return self._sections

    @property
    def text(self) -> str:
        """Full text with Russian section headings - the text prompts embed."""
        return self._text

    @property
    def marker(self) -> dict[str, Any]:
        return json.loads(self._marker_json)

    @property
    def synthetic(self) -> bool:
        return self._synthetic

    @property
    def surrogates(self) -> tuple[str, ...]:
        """Values the anonymizer inserted (shifted dates, surrogate names): guard's ``allowed``."""
        return tuple(self.marker.get("surrogates", ()))

    def _key(self) -> tuple[str, bool, str, str]:
        return (self._patient_id, self._synthetic, self._text, self._marker_json)

    def __eq__(self, other: object) -> bool:
        if type(other) is not AnonymizedRecord:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"AnonymizedRecord(patient_id={self._patient_id!r}, synthetic={self._synthetic}, "
            f"characters={len(self._text)})"
        )

    def to_json(self) -> dict[str, Any]:
        """The JSONL object of ``data/interim/anonymized_records.jsonl``."""
        return {
            "patient_id": self._patient_id,
            "synthetic": self._synthetic,
            "sections": {k: self._sections[k] for k in SECTIONS},
            "anonymization": self.marker,
        }


def content_sha256(
    patient_id: str,
    synthetic: bool,
    text: str,
    sections: Mapping[str, str],
    marker: Mapping[str, Any],
) -> str:
    """SHA-256 binding a marker (without its own hash) to a record's text and sections.

    >>> s = dict.fromkeys(SECTIONS, "")
    >>> t = render_text(s)
    >>> m = {"scheme": SCHEME}
    >>> content_sha256("P1", True, t, s, m) == content_sha256("P1", True, t, s, dict(m))
    True
    >>> content_sha256("P1", True, t, s, {}) == content_sha256("P1", True, t + " ", s, {})
    False
    """
    body = {
        "patient_id": patient_id,
        "synthetic": bool(synthetic),
        "text": text,
        "sections": [[k, sections.get(k)] for k in SECTIONS]
        + sorted([k, v] for k, v in sections.items() if k not in SECTIONS),
        "marker": {k: v for k, v in marker.items() if k != "content_sha256"},
    }
    return hashlib.sha256(_canonical(body).encode("utf-8")).hexdigest()


def _make(
    patient_id: str, synthetic: bool, sections: Mapping[str, str], marker: Mapping[str, Any]
) -> AnonymizedRecord:
    """Build the object (no checks: the two callers check)."""
    rec = object.__new__(AnonymizedRecord)  # the class's own __new__ refuses every caller
    ordered = {k: str(sections[k]) for k in SECTIONS}
    for name, value in (
        ("_patient_id", str(patient_id)),
        ("_sections", MappingProxyType(ordered)),
        ("_text", render_text(ordered)),
        ("_marker_json", _canonical(dict(marker))),
        ("_synthetic", bool(synthetic)),
    ):
        object.__setattr__(rec, name, value)
    return rec


def _refuse_residual(rec: AnonymizedRecord, where: str) -> None:
    findings = scan_text(rec.text, allowed=rec.surrogates)
    if findings:
        shown = "; ".join(
            f"{f.type} at offset {f.start} (masked {f.masked!r})" for f in findings[:5]
        )
        raise PHIGuardError(
            f"{where}: patient {rec.patient_id}: the text still holds "
            f"{len(findings)} identifier(s) the residual scan finds: {shown}. "
            "Only text the anonymizer cleaned can become an AnonymizedRecord.",
            tuple(findings),
        )


def _seal(
    patient_id: str, synthetic: bool, sections: Mapping[str, str], marker: Mapping[str, Any]
) -> AnonymizedRecord:
    """The anonymizer's constructor: scan the rendered text, then bind the marker to it.

    Raises
    ------
    PHIGuardError
        If the residual scan finds an identifier in the text.
    """
    missing = [k for k in SECTIONS if k not in sections]
    if missing:
        raise ValueError(f"patient {patient_id}: missing section(s) {missing}")
    body = {**{k: v for k, v in marker.items() if k != "content_sha256"}, "scheme": SCHEME}
    draft = _make(patient_id, synthetic, sections, body)
    _refuse_residual(draft, "anonymizer")
    body["content_sha256"] = content_sha256(
        draft.patient_id, draft.synthetic, draft.text, draft.sections, body
    )
    return _make(patient_id, synthetic, sections, body)


def require_anonymized(record: object) -> AnonymizedRecord:
    """Return ``record`` if it is an anonymized record with a valid marker; raise otherwise.

    Parameters
    ----------
    record : object
        Should be an :class:`AnonymizedRecord` (from :func:`load_anonymized`
        or :func:`~radjudge.anonymize.anonymize_records`).

    Raises
    ------
    PHIGuardError
        For anything else: a raw or synthetic cohort record, a dict, an object
        of another class (a subclass cannot exist), a marker of another
        scheme, or content that does not match its hash.
    """
    if type(record) is not AnonymizedRecord:
        pid = getattr(record, "patient_id", None)
        raise PHIGuardError(
            f"require_anonymized: refusing {type(record).__name__}"
            f"{f' (patient {pid})' if pid is not None else ''}: only AnonymizedRecord objects "
            f"may reach an LLM. {_HOW}"
        )
    marker = record.marker
    if not marker:
        raise PHIGuardError(
            f"require_anonymized: patient {record.patient_id} has no anonymization marker; "
            "it was not produced by radjudge.anonymize. Re-run notebook 01."
        )
    if marker.get("scheme") != SCHEME:
        raise PHIGuardError(
            f"require_anonymized: patient {record.patient_id}: marker scheme "
            f"{marker.get('scheme')!r} is not {SCHEME!r}. Re-run notebook 01."
        )
    text = render_text(record.sections)
    expected = content_sha256(record.patient_id, record.synthetic, text, record.sections, marker)
    if record.text != text or marker.get("content_sha256") != expected:
        raise PHIGuardError(
            f"require_anonymized: patient {record.patient_id}: the content does not match its "
            "anonymization marker - the text (or marker) was edited after anonymization. "
            "Re-run notebook 01 instead of editing anonymized records."
        )
    return record


def save_anonymized(
    records: Iterable[AnonymizedRecord], path: str | os.PathLike[str] = paths.ANONYMIZED_RECORDS
) -> Path:
    """Write anonymized records as JSONL (atomically); every record is checked by the guard first.

    Raises
    ------
    PHIGuardError
        If an item is not an :class:`AnonymizedRecord` with a valid marker.
    """
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


def load_anonymized(
    path: str | os.PathLike[str] = paths.ANONYMIZED_RECORDS,
) -> list[AnonymizedRecord]:
    """Read anonymized records; check every marker and scan every text again.

    Raises
    ------
    FileNotFoundError
        If the file does not exist (run notebook 01).
    ValueError
        A line that is not a record object (naming the file and line).
    PHIGuardError
        If a marker is missing, of another scheme or does not match its
        content, or a text holds an identifier.
    """
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
        if not all(isinstance(v, str) for v in obj["sections"].values()):
            raise ValueError(f"{path}, line {lineno}: every section must be a string")
        marker = obj["anonymization"] if isinstance(obj["anonymization"], dict) else {}
        rec = require_anonymized(
            _make(str(obj["patient_id"]), bool(obj["synthetic"]), obj["sections"], marker)
        )
        _refuse_residual(rec, f"{path}, line {lineno}")
        out.append(rec)
    return out
