"""Judge prompts: template files validated with useful errors; every variant rendered alike."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
import yaml

from radjudge.contracts import GRANULARITIES
from radjudge.judge import load_template, render_judge_prompt
from radjudge.llm.prompts import prompt_hash
from radjudge.rubric import RubricError, load_rubric

RECORD = (
    "Жалобы:\nБоль в правом подреберье.\n\nНаправление (цель исследования):\nКТ брюшной полости."
)
SUMMARY = "Боль в правом подреберье. Цель КТ: исключить холецистит."


def test_template_errors(tmp_path: Path) -> None:
    entry = resources.files("radjudge.judge").joinpath("templates", "judge.ru.yaml")
    data = yaml.safe_load(entry.read_text(encoding="utf-8"))
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


def test_a_scale_read_back_from_the_ratings_table_is_accepted() -> None:
    """judge_ratings stores the scale as Int64 (NA for metrics): its elements are numpy integers."""
    import numpy as np

    rub, tpl = load_rubric(), load_template()
    p = render_judge_prompt(
        "Карта.",
        "Резюме.",
        criterion="completeness",
        scale=np.int64(5),
        granularity="full",
        rubric=rub,
        template=tpl,
    )
    assert p.high == 5 and type(p.high) is int
