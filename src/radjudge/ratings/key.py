"""The blinding key: which summary hides behind which code, and which expert got which rows.

The key is written once, by :func:`radjudge.ratings.export_forms`, to
``paths.BLINDING_KEY`` (under ``data/interim/``, never handed to experts).
It is JSON::

    {"format": "radjudge-blinding-key/1",
     "study_id": "radjudge-demo",
     "seed": 20240611,
     "scales": {"completeness": 5, ...},            # criterion -> scale max, form order
     "rubric": {"source": "radjudge/rubric/clinical_summary.ru.yaml", "sha256": "..."},
     "patients": {"P001": {"record_sha256": "..."}},
     "codes": {"K7Q2MX": {"patient_id": "P001", "summarizer": "model_a",
                          "summary_sha256": "..."}},
     "forms": {"E01": {"category": "radiologist", "file": "form_E01.xlsx",
                       "codes": ["K7Q2MX", ...]}},   # the expert's row order
     "fingerprint": "<sha256 of everything above, canonical JSON>"}

The fingerprint makes the key self-checking: an edited key no longer matches
its fingerprint (``tampered_key``), and every form carries the study id and the
fingerprint of the key it was made with, so a form from another study or
another key is recognised (``other_study`` / ``other_key``).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from radjudge.ratings.errors import RatingsError

__all__ = [
    "KEY_FORMAT",
    "BlindingKey",
    "FormEntry",
    "CodeEntry",
    "read_key",
    "write_key",
    "text_sha256",
]

KEY_FORMAT = "radjudge-blinding-key/1"


def text_sha256(text: str) -> str:
    """SHA-256 of a text's UTF-8 bytes (hex); how the key pins record and summary texts."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CodeEntry:
    """What one summary code stands for."""

    patient_id: str
    summarizer: str
    summary_sha256: str


@dataclass(frozen=True)
class FormEntry:
    """One expert's form: category at export time, file name and row order (codes)."""

    category: str
    file: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class BlindingKey:
    """A read, verified blinding key.

    Attributes
    ----------
    study_id : str
    seed : int
        Seed the codes and row orders were drawn with.
    scales : dict[str, int]
        Criterion -> scale max (scales are 1..max), in form column order.
    patients : dict[str, str]
        Patient id -> SHA-256 of the record text shown in the forms.
    codes : dict[str, CodeEntry]
    forms : dict[str, FormEntry]
        Expert id -> form.
    fingerprint : str
        SHA-256 of the key's canonical JSON (all fields but the fingerprint).
    rubric : dict[str, str]
        ``source`` and ``sha256`` of the rubric the criteria sheet was rendered from.
    source : str
        File it was read from (for messages).
    """

    study_id: str
    seed: int
    scales: dict[str, int]
    patients: dict[str, str]
    codes: dict[str, CodeEntry]
    forms: dict[str, FormEntry]
    fingerprint: str
    rubric: dict[str, str] = field(default_factory=dict)
    source: str = field(default="<key>", compare=False)

    @property
    def criteria(self) -> tuple[str, ...]:
        return tuple(self.scales)

    def code_of(self) -> dict[tuple[str, str], str]:
        """(patient_id, summarizer) -> code."""
        return {(c.patient_id, c.summarizer): code for code, c in self.codes.items()}

    def stale_summaries(self, summaries: Any) -> list[tuple[str, str]]:
        """(patient_id, summarizer) pairs whose text differs from the key, or that are new or gone.

        Empty when the forms made with this key still show exactly ``summaries``
        (a DataFrame with ``patient_id``, ``summarizer``, ``text``).
        """
        current = {
            (str(p), str(s)): text_sha256(str(t))
            for p, s, t in summaries[["patient_id", "summarizer", "text"]].itertuples(index=False)
        }
        known = {(c.patient_id, c.summarizer): c.summary_sha256 for c in self.codes.values()}
        return sorted(k for k in current.keys() | known.keys() if current.get(k) != known.get(k))


def _content(key_dict: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in key_dict.items() if k != "fingerprint"}


def _fingerprint(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def write_key(
    path: str | os.PathLike[str],
    *,
    study_id: str,
    seed: int,
    scales: dict[str, int],
    patients: dict[str, str],
    codes: dict[str, CodeEntry],
    forms: dict[str, FormEntry],
    rubric: dict[str, str] | None = None,
) -> BlindingKey:
    """Write a key file (with its fingerprint) and return it as read back."""
    content = {
        "format": KEY_FORMAT,
        "study_id": study_id,
        "seed": int(seed),
        "scales": {c: int(n) for c, n in scales.items()},
        "rubric": dict(rubric or {}),
        "patients": {p: {"record_sha256": h} for p, h in patients.items()},
        "codes": {
            code: {
                "patient_id": e.patient_id,
                "summarizer": e.summarizer,
                "summary_sha256": e.summary_sha256,
            }
            for code, e in codes.items()
        },
        "forms": {
            eid: {"category": f.category, "file": f.file, "codes": list(f.codes)}
            for eid, f in forms.items()
        },
    }
    data = {**content, "fingerprint": _fingerprint(content)}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return read_key(path)


def read_key(path: str | os.PathLike[str]) -> BlindingKey:
    """Read a blinding key and verify its fingerprint.

    Raises
    ------
    FileNotFoundError
        No key at ``path``.
    RatingsError
        ``empty_file``, ``invalid_key`` (not JSON, wrong format, missing field)
        or ``tampered_key`` (content no longer matches its fingerprint).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"blinding key {path} does not exist; forms are exported together with their key "
            "(radjudge.ratings.export_forms)"
        )
    raw = path.read_bytes()
    if not raw.strip():
        raise RatingsError(
            "the blinding key file is empty",
            kind="empty_file",
            file=path,
            expected="the JSON key written by export_forms",
        )
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RatingsError(
            f"the blinding key is not JSON ({exc})",
            kind="invalid_key",
            file=path,
            expected="the JSON key written by export_forms",
        ) from None
    if not isinstance(data, dict) or data.get("format") != KEY_FORMAT:
        raise RatingsError(
            f"format is {data.get('format') if isinstance(data, dict) else type(data).__name__!r}",
            kind="invalid_key",
            file=path,
            column="format",
            expected=repr(KEY_FORMAT),
        )
    for name in ("study_id", "seed", "scales", "patients", "codes", "forms", "fingerprint"):
        if name not in data:
            raise RatingsError(
                f"field {name!r} is missing",
                kind="invalid_key",
                file=path,
                column=name,
                expected="every field written by export_forms",
            )
    actual = _fingerprint(_content(data))
    if actual != data["fingerprint"]:
        raise RatingsError(
            "the key's content no longer matches its fingerprint: the key was edited after "
            f"export (stored {str(data['fingerprint'])[:12]}..., content hashes to "
            f"{actual[:12]}...)",
            kind="tampered_key",
            file=path,
            column="fingerprint",
            expected="the key exactly as export_forms wrote it; restore it from your backup",
        )
    try:
        return BlindingKey(
            study_id=str(data["study_id"]),
            seed=int(data["seed"]),
            scales={str(c): int(n) for c, n in data["scales"].items()},
            patients={str(p): str(v["record_sha256"]) for p, v in data["patients"].items()},
            codes={
                str(code): CodeEntry(
                    str(v["patient_id"]), str(v["summarizer"]), str(v["summary_sha256"])
                )
                for code, v in data["codes"].items()
            },
            forms={
                str(e): FormEntry(
                    str(v["category"]), str(v["file"]), tuple(str(c) for c in v["codes"])
                )
                for e, v in data["forms"].items()
            },
            fingerprint=str(data["fingerprint"]),
            rubric={str(k): str(v) for k, v in (data.get("rubric") or {}).items()},
            source=str(path),
        )
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise RatingsError(
            f"a field has the wrong shape ({exc!r})",
            kind="invalid_key",
            file=path,
            expected="the JSON key written by export_forms",
        ) from None
