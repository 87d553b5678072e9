"""Criteria sheet: rendered from the judges' rubric, every point of every scale; scales checked."""

from __future__ import annotations

import pytest

from radjudge.contracts import CRITERIA
from radjudge.ratings import criteria_sheet, resolve_scales
from radjudge.rubric import load_rubric


@pytest.mark.parametrize("n", [3, 5, 10])
def test_experts_read_exactly_what_the_judges_read(n):
    rubric = load_rubric("clinical_summary", language="ru")
    sheet = criteria_sheet(resolve_scales(CRITERIA, n))
    assert len(sheet) == n * len(CRITERIA)
    assert list(dict.fromkeys(sheet["criterion"])) == list(CRITERIA)
    for row in sheet.itertuples(index=False):
        c = rubric.criterion(row.criterion)
        assert row.name == c.name
        assert row.definition.lower() == c.definition.lower()
        assert row.description == c.describe(n)[row.point - 1]
    assert set(sheet["sha256"]) == {rubric.sha256}


def test_unknown_criterion_or_undescribed_scale_is_refused():
    with pytest.raises(ValueError, match="fluency"):
        criteria_sheet({"fluency": 5})
    with pytest.raises(ValueError, match="scale 1-4"):
        criteria_sheet({"completeness": 4})


def test_per_criterion_scales_and_errors():
    assert resolve_scales(
        ["completeness", "structure"], {"completeness": 10, "structure": 3, "x": 5}
    ) == {"completeness": 10, "structure": 3}
    for bad, match in [(1, "2 to 100"), (True, "2 to 100"), ({"completeness": 5}, "structure")]:
        with pytest.raises(ValueError, match=match):
            resolve_scales(["completeness", "structure"], bad)
    with pytest.raises(ValueError, match="repeat"):
        resolve_scales(["completeness", "completeness"], 5)
