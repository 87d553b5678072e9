"""Criteria and scale definitions shown to experts on the criteria sheet.

Experts and LLM judges read the same definitions: the criteria sheet is rendered
from the shared rubric (:func:`radjudge.rubric.load_rubric`, Russian, by default
``clinical_summary``) - per criterion its name, definition and the meaning of
every point of the scale, exactly as the judges' ``full`` prompts describe it.
There is no second copy of the definitions here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from radjudge.rubric import load_rubric

__all__ = ["criteria_sheet", "resolve_scales"]


def resolve_scales(criteria: Sequence[str], scale_max: int | Mapping[str, int]) -> dict[str, int]:
    """Criterion -> scale max, in ``criteria`` order; scales run 1..max.

    >>> resolve_scales(["completeness", "structure"], 5)
    {'completeness': 5, 'structure': 5}

    Raises
    ------
    ValueError
        Empty or repeated criteria, a mapping that misses a criterion, or a scale
        max that is not a whole number from 2 to 100.
    """
    crits = list(criteria)
    if not crits:
        raise ValueError("criteria must name at least one criterion")
    if len(set(crits)) != len(crits):
        raise ValueError(f"criteria must not repeat: {crits}")
    if isinstance(scale_max, Mapping):
        missing = [c for c in crits if c not in scale_max]
        if missing:
            raise ValueError(f"scale_max gives no scale for criteria {missing}")
        scales = {c: scale_max[c] for c in crits}
    else:
        scales = dict.fromkeys(crits, scale_max)
    for c, n in scales.items():
        if isinstance(n, bool) or not isinstance(n, int) or not 2 <= n <= 100:
            raise ValueError(f"scale_max for {c!r} must be a whole number from 2 to 100, got {n!r}")
    return scales


def criteria_sheet(scales: Mapping[str, int], *, rubric: str = "clinical_summary") -> pd.DataFrame:
    """Rows of the criteria sheet: one per (criterion, point), from the Russian judge rubric.

    Parameters
    ----------
    scales : mapping
        Criterion -> scale max, in form order (see :func:`resolve_scales`).
    rubric : str, default "clinical_summary"
        Packaged rubric name or path to a rubric YAML file (:func:`radjudge.rubric.load_rubric`).

    Returns
    -------
    DataFrame
        Columns ``criterion, name, definition, scale_max, point, description,
        source, sha256`` (``source`` and ``sha256`` identify the rubric file).

    Raises
    ------
    ValueError
        A criterion the rubric does not define, or a scale whose points it does
        not describe (:class:`radjudge.rubric.RubricError`).

    >>> sheet = criteria_sheet({"structure": 3, "completeness": 5})
    >>> sheet.groupby("criterion", sort=False)["point"].max().to_dict()
    {'structure': 3, 'completeness': 5}
    """
    rub = load_rubric(rubric, language="ru")
    rows = []
    for crit, n in scales.items():
        if crit not in rub.criterion_ids:
            raise ValueError(
                f"criterion {crit!r} is not defined by rubric {rub.source}; it defines "
                f"{', '.join(rub.criterion_ids)}"
            )
        c = rub.criterion(crit)
        definition = c.definition[:1].upper() + c.definition[1:]
        for point, text in enumerate(c.describe(n), start=1):
            rows.append((crit, c.name, definition, n, point, text, rub.source, rub.sha256))
    return pd.DataFrame(
        rows,
        columns=[
            "criterion",
            "name",
            "definition",
            "scale_max",
            "point",
            "description",
            "source",
            "sha256",
        ],
    )
