"""Test helper (not a test module): the mini cohort of tests/data/mini_cohort, anonymized for real.

Four hand-written synthetic patients and five summaries each, in the documented
formats (cohort JSONL line, summaries columns). The records go through the real
anonymizer (:func:`radjudge.anonymize.anonymize_records`) so the forms receive
genuine :class:`~radjudge.anonymize.AnonymizedRecord` objects.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pandas as pd

MINI = Path(__file__).parent / "data" / "mini_cohort"
CATEGORIES = ("radiologist", "clinician", "resident")


def cohort_lines() -> list[dict]:
    return [
        json.loads(line)
        for line in (MINI / "synthetic_cohort.jsonl").read_text("utf-8").splitlines()
    ]


def facts() -> dict[str, dict]:
    return {c["patient_id"]: c["ground_truth"]["facts"] for c in cohort_lines()}


def summaries() -> pd.DataFrame:
    return pd.read_json(MINI / "summaries.jsonl", lines=True, dtype={"patient_id": str})


@cache
def anonymized() -> tuple:
    from radjudge.anonymize import anonymize_records

    return tuple(r.record for r in anonymize_records(cohort_lines()))


def roster(n_per_category: int = 1) -> pd.DataFrame:
    rows, k = [], 0
    for cat in CATEGORIES:
        for _ in range(n_per_category):
            k += 1
            rows.append({"expert_id": f"E{k:02d}", "category": cat, "years_experience": 3 * k})
    return pd.DataFrame(rows)
