"""The typed profile schema: every notebook parameter typed, ranged and checked; --set parsing."""

from __future__ import annotations

from typing import Any, Literal, get_args

import pytest

from radjudge import pipeline
from radjudge.profile_schema import (
    SHARED,
    check_values,
    describe,
    parameter,
    parse_override,
    sections,
)
from radjudge.profiles import available_profiles, load_profile


def test_every_parameter_of_every_pipeline_notebook_is_in_the_schema():
    nbs = pipeline.discover_notebooks()
    assert set(sections()) == {nb.stem for nb in nbs}
    for nb in nbs:
        declared = set(pipeline.declared_parameters(nb.path)) - {"profile", "run_dir"}
        typed = set(sections()[nb.stem]) | (declared & set(SHARED))
        assert declared == typed, (nb.stem, declared ^ typed)


def test_the_notebooks_own_defaults_are_valid_values():
    """A parameters cell's literal defaults (what JupyterLab runs) pass their schema entry."""
    for nb in pipeline.discover_notebooks():
        declared = pipeline.declared_parameters(nb.path)
        for name, default in declared.items():
            if name in ("profile", "run_dir") or default in ([], {}):
                continue  # the runner's own; empty placeholders the profile always fills
            param = parameter(nb.stem, name)
            param.adapter.validate_python(default, strict=True)


def test_shipped_profiles_are_valid():
    nbs = pipeline.discover_notebooks()
    for name in available_profiles():
        pipeline.check_profile(load_profile(name), nbs)


@pytest.mark.parametrize(
    ("raw", "annotation", "value"),
    [
        ("off", Literal["readwrite", "readonly", "off"], "off"),  # YAML would say False
        ("none", Literal["full", "extremes", "none"], "none"),
        ("yes", str, "yes"),
        ("7", int, 7),
        ("-3", int, -3),
        ("0.05", float, 0.05),
        ("off", bool, False),
        ("null", int | None, None),
        ("[3, 5]", list[int], [3, 5]),
        ("{a: 1}", dict[str, Any], {"a": 1}),
        ("5", Literal[5, 10], 5),
    ],
)
def test_set_values_are_parsed_by_the_parameter_type(raw, annotation, value):
    assert parse_override(raw, annotation) == value


def test_untyped_nested_values_are_read_like_their_current_value():
    assert parse_override("off", Any, current="on") == "off"
    assert parse_override("4", Any, current=8) == 4
    assert parse_override("[1]", Any, current=[2]) == [1]


@pytest.mark.parametrize(
    ("raw", "annotation"), [("abc", int), ("5.5", int), ("nan", float), ("maybe", bool)]
)
def test_set_values_of_the_wrong_type_are_refused(raw, annotation):
    with pytest.raises(ValueError, match=repr(raw)):
        parse_override(raw, annotation)


def test_errors_name_the_parameter_its_allowed_values_and_its_meaning():
    params = {"05_concordance": {"ci_method": "nonsense", "n_boot": -5, "alpha": 1.5}}
    declared = {"05_concordance": {"ci_method": "bca", "n_boot": 2000, "alpha": 0.05}}
    problems = check_values(params, declared)
    assert len(problems) == 3
    text = "\n".join(problems)
    assert "notebooks.05_concordance.ci_method: must be one of 'bca', 'percentile'" in text
    assert "notebooks.05_concordance.n_boot: must be an integer >= 1 and <= 1000000" in text
    assert "notebooks.05_concordance.alpha: must be a number > 0 and < 1" in text
    assert "bootstrap resamples" in text  # the parameter's description


def test_values_are_never_coerced():
    problems = check_values({"05_concordance": {"seed": "7", "correct_ties": 1}}, {})
    assert [p.split(":")[0] for p in problems] == [
        "shared.seed",
        "notebooks.05_concordance.correct_ties",
    ]


def test_structured_parameters_use_the_projects_validators():
    demo = load_profile("demo")
    judges = [
        *demo.section("04_judge_sweeps")["judges"],
        {"name": "x", "mode": "logprobs", "model": "nope"},
    ]
    params = {
        "04_judge_sweeps": {
            **demo.section("04_judge_sweeps"),
            "judges": judges,
            "models": demo.shared["models"],
            "language": "ru",
        }
    }
    (problem,) = check_values(params, {})
    assert problem.startswith("notebooks.04_judge_sweeps.judges:") and "nope" in problem


def test_describe_reads_the_constraints():
    assert describe(parameter("05_concordance", "alt_test_epsilon").annotation) == (
        "a number >= 0 and < 1"
    )
    assert describe(parameter("07_external_validation", "baseline_docs").annotation) == (
        "an integer >= 1 and <= 100, or null"
    )
    assert describe(parameter("06_figures", "formats").annotation) == (
        "a non-empty list of (one of 'pdf', 'png')"
    )


def test_notebooks_outside_the_pipeline_are_typed_by_their_defaults():
    assert (
        check_values({"01_x": {"n": 2, "greeting": "hi"}}, {"01_x": {"n": 1, "greeting": "x"}})
        == []
    )
    (problem,) = check_values({"01_x": {"n": "2"}}, {"01_x": {"n": 1}})
    assert problem.startswith("notebooks.01_x.n: must be an integer")


def test_restated_choices_match_the_stages_own():
    from radjudge.judge.rubric import Granularity, Language

    from radjudge import profile_schema
    from radjudge.llm.types import CacheMode

    assert get_args(profile_schema.CacheMode) == get_args(CacheMode)
    assert get_args(profile_schema.Granularity) == get_args(Granularity)
    assert get_args(profile_schema.Language) == get_args(Language)
