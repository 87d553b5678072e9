"""The rubric experts and judges share: packaged files cover the study, errors name the fault."""

from __future__ import annotations

import copy
from importlib import resources
from pathlib import Path

import pytest
import yaml

from radjudge.contracts import CRITERIA
from radjudge.rubric import RubricError, load_rubric, parse_rubric


def packaged(language: str = "ru") -> dict:
    entry = resources.files("radjudge.rubric").joinpath(f"clinical_summary.{language}.yaml")
    return yaml.safe_load(entry.read_text(encoding="utf-8"))


@pytest.mark.parametrize("language", ["ru", "en"])
def test_packaged_rubrics_cover_the_study(language: str) -> None:
    rub = load_rubric("clinical_summary", language=language)
    assert rub.criterion_ids == CRITERIA
    assert rub.scales == (3, 5, 10)
    for c in rub.criteria:
        for n in rub.scales:
            assert len(c.describe(n)) == n
    assert len(rub.sha256) == 64


def test_languages_describe_the_same_grid() -> None:
    ru, en = load_rubric(language="ru"), load_rubric(language="en")
    assert ru.criterion_ids == en.criterion_ids and ru.scales == en.scales
    assert ru.criterion("completeness").name != en.criterion("completeness").name


def edit(mutate) -> dict:
    data = copy.deepcopy(packaged())
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["criteria"]["completeness"]["points"][5].pop(3),
            r"'completeness', scale 1-5: point\(s\) \[3\] have no description",
        ),
        (
            lambda d: d["criteria"]["correctness"]["points"].pop(10),
            r"'correctness': no point descriptions for scale 1-10",
        ),
        (
            lambda d: d["criteria"]["relevance"]["points"][3].update({4: "лишний"}),
            r"point\(s\) \[4\] are outside 1..3",
        ),
        (
            lambda d: d["criteria"]["structure"]["points"][3].update({2: "  "}),
            r"scale 1-3, point 2 must be a non-empty string",
        ),
        (
            lambda d: d["criteria"]["structure"]["points"][3].update(
                {2: d["criteria"]["structure"]["points"][3][1]}
            ),
            "share a description",
        ),
        (
            lambda d: d["criteria"]["conciseness"].pop("lowest"),
            r"'conciseness': keys must be .* missing \['lowest'\]",
        ),
        (lambda d: d["criteria"]["conciseness"].update({"hint": "x"}), r"unknown \['hint'\]"),
        (
            lambda d: d["criteria"]["unsupported"]["points"].update({7: {}}),
            r"scale size\(s\) \[7\] not listed",
        ),
        (lambda d: d.update({"scales": [3, 5, 5]}), "lists a size twice"),
        (lambda d: d.update({"scales": [1]}), "integer >= 2"),
        (lambda d: d.update({"language": "de"}), "language must be one of"),
        (lambda d: d.pop("version"), r"missing \['version'\]"),
        (lambda d: d["criteria"].update({"Bad-Id": d["criteria"]["completeness"]}), "snake_case"),
        (
            lambda d: d["criteria"]["completeness"]["points"].update({5: {"a": "x"}}),
            "not a whole number",
        ),
    ],
)
def test_rubric_errors_name_the_fault(mutate, message: str) -> None:
    with pytest.raises(RubricError, match=message):
        parse_rubric(edit(mutate), where="test.yaml")


def test_rubric_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "r.ru.yaml"
    bad.write_text("rubric: [unclosed", encoding="utf-8")
    with pytest.raises(RubricError, match="not valid YAML"):
        load_rubric(bad)
    with pytest.raises(RubricError, match="does not exist"):
        load_rubric(tmp_path / "missing.yaml")
    with pytest.raises(RubricError, match="no rubric 'nope'.*clinical_summary.ru.yaml"):
        load_rubric("nope")
    good = tmp_path / "g.yaml"
    good.write_text(yaml.safe_dump(packaged("en"), allow_unicode=True), encoding="utf-8")
    assert load_rubric(good, language="en").language == "en"
    with pytest.raises(RubricError, match="declares language 'en'"):
        load_rubric(good, language="ru")
