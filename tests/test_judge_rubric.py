"""Rubric and template files: validation with useful errors, and prompt rendering."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from radjudge.judge import (
    CRITERIA,
    GRANULARITIES,
    RubricError,
    load_rubric,
    load_template,
    parse_rubric,
    render_judge_prompt,
)
from radjudge.judge.rubric import _read
from radjudge.llm.prompts import prompt_hash

RECORD = (
    "Жалобы:\nБоль в правом подреберье.\n\nНаправление (цель исследования):\nКТ брюшной полости."
)
SUMMARY = "Боль в правом подреберье. Цель КТ: исключить холецистит."


def packaged(language: str = "ru") -> dict:
    _, text = _read("rubric", "clinical_summary", language)
    return yaml.safe_load(text)


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


def test_template_errors(tmp_path: Path) -> None:
    _, text = _read("template", "judge", "ru")
    data = yaml.safe_load(text)
    for key, value, message in [
        ("summary", "\n\nРезюме:\n", r"'summary' must use exactly the fields \['summary'\]"),
        ("point", "{score} - {txt}", r"'point' must use exactly"),
        ("answer_prefix", " ", "must not be empty"),
    ]:
        broken = {**data, key: value}
        path = tmp_path / f"{key}.yaml"
        path.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
        with pytest.raises(RubricError, match=message):
            load_template(path)
    extra = tmp_path / "extra.yaml"
    extra.write_text(yaml.safe_dump({**data, "footer": "x"}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RubricError, match=r"unknown \['footer'\]"):
        load_template(extra)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_variant_renders_from_the_same_files(language: str) -> None:
    rub, tpl = load_rubric(language=language), load_template(language)
    prompts = [
        render_judge_prompt(
            RECORD, SUMMARY, criterion=c, scale=s, granularity=g, rubric=rub, template=tpl
        )
        for c in rub.criterion_ids
        for s in rub.scales
        for g in GRANULARITIES
    ]
    assert len({p.prompt_hash for p in prompts}) == len(prompts) == 6 * 3 * 3
    # record and summary come first and are identical in every variant: the shared prefix
    assert len({p.segments[:2] for p in prompts}) == 1
    assert RECORD.strip() in prompts[0].segments[0] and SUMMARY in prompts[0].segments[1]
    for p in prompts:
        crit = rub.criterion(p.criterion)
        assert crit.name in p.segments[2] and crit.definition in p.segments[2]
        tail = p.segments[3]
        described = [t for t in crit.describe(p.scale) if t in tail]
        if p.granularity == "full":
            assert len(described) == p.scale
        elif p.granularity == "extremes":
            assert crit.lowest in tail and crit.highest in tail and tail.count("\n") == 3
        else:
            assert tail.count("\n") == 1 and not described
        assert str(p.scale) in tail
        assert p.options == tuple(str(k) for k in range(1, p.scale + 1))
        assert p.prompt_hash == prompt_hash(
            p.system, p.user, p.answer_prefix
        )  # what the LLM layer reports


def test_render_is_deterministic_and_rejects_bad_input() -> None:
    rub, tpl = load_rubric(), load_template()
    kw = dict(criterion="completeness", scale=5, granularity="full", rubric=rub, template=tpl)
    assert render_judge_prompt(RECORD, SUMMARY, **kw) == render_judge_prompt(RECORD, SUMMARY, **kw)
    with pytest.raises(RubricError, match="no criterion 'fluency'"):
        render_judge_prompt(RECORD, SUMMARY, **{**kw, "criterion": "fluency"})
    with pytest.raises(RubricError, match="scale 7 is not described"):
        render_judge_prompt(RECORD, SUMMARY, **{**kw, "scale": 7})
    with pytest.raises(ValueError, match="granularity must be one of"):
        render_judge_prompt(RECORD, SUMMARY, **{**kw, "granularity": "some"})
    with pytest.raises(ValueError, match="summary must be a non-empty"):
        render_judge_prompt(RECORD, " ", **kw)
    with pytest.raises(RubricError, match="load both in the same language"):
        render_judge_prompt(RECORD, SUMMARY, **{**kw, "template": load_template("en")})
    # braces in the texts are content, not format fields
    p = render_judge_prompt("Жалобы: {нет}", "{summary}", **kw)
    assert "{нет}" in p.segments[0] and "{summary}" in p.segments[1]
