"""The synthetic cohort: Russian EMRs of patients referred for abdominal CT, with ground truth.

Every record is SYNTHETIC (``synthetic: true``): names, identifiers, places and
organisations are invented, the clinical picture is generated from templates
of 12 conditions (acute appendicitis, calculous cholecystitis, acute
pancreatitis, urolithiasis with renal colic, diverticulitis, adhesive
small-bowel obstruction, liver metastases, pancreatic head tumour, abdominal
aortic aneurysm, perforated duodenal ulcer, blunt abdominal trauma, Crohn's
disease). Each record has the six sections of :data:`radjudge.records.SECTIONS`,
about 1200-1800 characters in total, and carries its ground truth:

* ``phi``: every identifier as ``(section, start, end, type, text)`` with exact
  offsets into the section text (types: :data:`radjudge.anonymize.types.PHI_TYPES`);
* ``facts``: condition, diagnosis (with ICD-10 code), key findings, key labs
  (name, value, unit, reference, flag), contrast contraindications, prior
  imaging, referral question, age and sex - for reference summaries and the
  simulated experts;
* ``clinical``: spans of content anonymization must keep - eponyms
  (``EPONYM``), drugs with doses (``DRUG``), lab values with units (``LAB``),
  ICD-10 codes (``ICD10``), capitalised diagnoses after their code
  (``DIAGNOSIS``), scales (``SCALE``), sizes (``SIZE``), ages (``AGE``).

Generation is deterministic: patient ``i`` depends only on ``(seed, i)``, so
``generate_cohort(4, seed=s)`` is the first four records of
``generate_cohort(30, seed=s)``, and the JSONL file is byte-identical for a
given seed. Records vary in detail ("brief", "standard", "detailed": number
of labs and investigations, whether contraindications are restated in the
referral), so summaries can differ in coverage.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from radjudge import paths
from radjudge.cohort._conditions import CONDITIONS
from radjudge.cohort._generator import LENGTH_RANGE, generate_patient
from radjudge.records import SECTIONS, json_lines, render_text

__all__ = [
    "CONDITIONS",
    "LENGTH_RANGE",
    "Span",
    "CohortRecord",
    "generate_cohort",
    "save_cohort",
    "load_cohort",
    "materialize_cohort",
    "cohort_jsonl",
]


@dataclass(frozen=True)
class Span:
    """A ground-truth span: ``sections[section][start:end] == text``.

    Attributes
    ----------
    section : str
        Section key.
    start, end : int
        Character offsets into that section's text (end exclusive).
    type : str
        PHI type (``NAME``, ``DATE``, ...) or clinical type (``EPONYM``, ``LAB``, ...).
    text : str
        The covered text.
    """

    section: str
    start: int
    end: int
    type: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "start": self.start,
            "end": self.end,
            "type": self.type,
            "text": self.text,
        }


@dataclass(frozen=True)
class CohortRecord:
    """One synthetic patient record with its ground truth.

    Attributes
    ----------
    patient_id : str
        ``"P001"``, ``"P002"``, ...
    sections : dict[str, str]
        The six sections, keys in :data:`radjudge.records.SECTIONS` order.
    phi : tuple of Span
        Every identifier in the sections.
    facts : dict
        Key clinical facts (see the module docstring).
    clinical : tuple of Span
        Clinical content that must survive anonymization.
    synthetic : bool
        Always True.
    """

    patient_id: str
    sections: dict[str, str]
    phi: tuple[Span, ...]
    facts: dict[str, Any]
    clinical: tuple[Span, ...] = field(default=())
    synthetic: bool = True

    @property
    def text(self) -> str:
        """Full text with Russian section headings (:func:`radjudge.records.render_text`)."""
        return render_text(self.sections)

    def to_json(self) -> dict[str, Any]:
        """The JSONL object (the data contract of ``data/raw/synthetic_cohort.jsonl``)."""
        return {
            "patient_id": self.patient_id,
            "synthetic": self.synthetic,
            "sections": {k: self.sections[k] for k in SECTIONS},
            "ground_truth": {
                "phi": [s.to_json() for s in self.phi],
                "facts": self.facts,
                "clinical": [s.to_json() for s in self.clinical],
            },
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, Any], *, where: str = "record") -> CohortRecord:
        """Parse and validate one JSONL object; errors name ``where`` and the field."""
        try:
            sections = obj["sections"]
            gt = obj["ground_truth"]
            pid = obj["patient_id"]
        except KeyError as exc:
            raise ValueError(f"{where}: missing field {exc.args[0]!r}") from None
        if obj.get("synthetic") is not True:
            raise ValueError(f"{where}: 'synthetic' must be true in the synthetic cohort file")
        if list(sections) != list(SECTIONS):
            raise ValueError(
                f"{where}: sections must be {list(SECTIONS)} in order, got {list(sections)}"
            )

        def spans(items: Iterable[Mapping[str, Any]], kind: str) -> tuple[Span, ...]:
            out = []
            for k, s in enumerate(items):
                span = Span(s["section"], int(s["start"]), int(s["end"]), s["type"], s["text"])
                if sections.get(span.section, "")[span.start : span.end] != span.text:
                    raise ValueError(
                        f"{where}: ground_truth.{kind}[{k}] offsets {span.start}:{span.end} in "
                        f"section {span.section!r} do not cover its text; the file is corrupt"
                    )
                out.append(span)
            return tuple(out)

        return cls(
            patient_id=str(pid),
            sections=dict(sections),
            phi=spans(gt.get("phi", []), "phi"),
            facts=dict(gt.get("facts", {})),
            clinical=spans(gt.get("clinical", []), "clinical"),
            synthetic=True,
        )


def _record(seed: int, index: int) -> CohortRecord:
    frags, facts, _attempt = generate_patient(seed, index)
    sections: dict[str, str] = {}
    phi: list[Span] = []
    clinical: list[Span] = []
    for key in SECTIONS:
        text, p, c = frags[key].render()
        sections[key] = text
        phi.extend(Span(key, s, e, t, x) for s, e, t, x in p)
        clinical.extend(Span(key, s, e, t, x) for s, e, t, x in c)
    return CohortRecord(
        patient_id=f"P{index + 1:03d}",
        sections=sections,
        phi=tuple(phi),
        facts=facts,
        clinical=tuple(clinical),
    )


def generate_cohort(n_patients: int = 30, *, seed: int) -> list[CohortRecord]:
    """Generate ``n_patients`` synthetic records.

    Parameters
    ----------
    n_patients : int, default 30
        Number of patients (>= 1). Conditions cycle through a seed-dependent
        order of the 12 conditions, so 12 or more patients cover all of them.
    seed : int
        Random seed; the profile's ``shared.seed``.

    Returns
    -------
    list of CohortRecord
        Patients ``P001`` ... in order. Prefix-stable: the first ``k`` records
        do not depend on ``n_patients``.

    Examples
    --------
    >>> a = generate_cohort(3, seed=1)
    >>> [r.patient_id for r in a], a[0].synthetic
    (['P001', 'P002', 'P003'], True)
    >>> generate_cohort(1, seed=1)[0] == a[0]
    True
    """
    if isinstance(n_patients, bool) or not isinstance(n_patients, int) or n_patients < 1:
        raise ValueError(f"n_patients must be a positive integer, got {n_patients!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    return [_record(seed, i) for i in range(n_patients)]


def cohort_jsonl(records: Iterable[CohortRecord]) -> str:
    """The exact JSONL text of a cohort (one object per line, UTF-8 characters kept)."""
    return "".join(json.dumps(r.to_json(), ensure_ascii=False) + "\n" for r in records)


def save_cohort(
    records: Iterable[CohortRecord], path: str | os.PathLike[str] = paths.SYNTHETIC_COHORT
) -> Path:
    """Write records as JSONL (atomically). Returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(cohort_jsonl(records), encoding="utf-8", newline="\n")
    os.replace(tmp, path)
    return path


def load_cohort(path: str | os.PathLike[str] = paths.SYNTHETIC_COHORT) -> list[CohortRecord]:
    """Read a synthetic cohort JSONL file, validating every record and span offset.

    Raises
    ------
    FileNotFoundError
        If the file is missing (regenerate it with :func:`materialize_cohort`).
    ValueError
        Naming the line and field of a malformed record.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: no synthetic cohort; generate it with "
            "radjudge.cohort.materialize_cohort(n_patients, seed=...) or run notebook 01"
        )
    out = []
    for lineno, obj in json_lines(path.read_text(encoding="utf-8").splitlines(), where=path):
        out.append(CohortRecord.from_json(obj, where=f"{path}, line {lineno}"))
    return out


def materialize_cohort(
    n_patients: int,
    *,
    seed: int,
    path: str | os.PathLike[str] = paths.SYNTHETIC_COHORT,
) -> list[CohortRecord]:
    """Generate the cohort and make sure ``path`` holds it; return the ``n_patients`` records.

    The committed file holds the demo cohort (30 patients, demo seed). Since
    generation is prefix-stable, a smaller run with the same seed (the smoke
    profile) uses the file's first records and leaves it untouched. The file
    is (re)written only when it does not start with the generated records -
    another seed, more patients, or a missing file - so a demo run never
    modifies the committed file.
    """
    records = generate_cohort(n_patients, seed=seed)
    path = Path(path)
    wanted = cohort_jsonl(records)
    current = path.read_text(encoding="utf-8") if path.is_file() else ""
    if not current.startswith(wanted):
        save_cohort(records, path)
    return records
