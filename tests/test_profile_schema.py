"""The typed profile schema: every notebook parameter typed, ranged and checked; --set overrides."""

from __future__ import annotations

from typing import Any, Literal

import pytest

from radjudge import pipeline
from radjudge.contracts import Granularity
from radjudge.profile_schema import (
    SHARED,
    apply_overrides,
    check_values,
    describe,
    parameter,
    parse_override,
    sections,
)
from radjudge.profiles import ProfileError, available_profiles, load_profile


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
        ("none", Granularity, "none"),
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
    assert "notebooks.05_concordance.ci_method: must be one of 'percentile', 'bca'" in text
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


def test_overrides_parse_yaml_values_and_address_sections(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(
        "shared:\n  seed: 1\nnotebooks:\n  04_judge_sweeps:\n    grid: {scales: [3, 5]}\n",
        encoding="utf-8",
    )
    prof = load_profile(path)
    out = apply_overrides(prof, ["seed=7", "judge_sweeps.grid.scales=[3, 5, 10]"])
    assert out.shared["seed"] == 7
    assert out.notebooks["04_judge_sweeps"]["grid"]["scales"] == [3, 5, 10]
    assert prof.shared["seed"] == 1  # the original is untouched
    assert apply_overrides(prof, ["04.grid={scales: [10]}"]).notebooks["04_judge_sweeps"][
        "grid"
    ] == {"scales": [10]}


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("no_such_param=1", "unknown parameter 'no_such_param'"),
        ("seeds=1", "Did you mean: seed"),
        ("judge_sweeps.grid.sizes=1", "unknown parameter 'grid.sizes'"),
        ("nosection.x=1", "unknown notebook section 'nosection'"),
        ("seed", "expected key=value"),
    ],
)
def test_bad_overrides_name_the_key(tmp_path, override, message):
    path = tmp_path / "p.yaml"
    path.write_text(
        "shared:\n  seed: 1\nnotebooks:\n  04_judge_sweeps:\n    grid: {scales: [3]}\n",
        encoding="utf-8",
    )
    prof = load_profile(path)
    with pytest.raises(ProfileError, match=message):
        apply_overrides(prof, [override])


def test_set_reads_values_by_the_parameter_type():
    smoke = load_profile("smoke")
    out = apply_overrides(smoke, ["cache_mode=off", "seed=7", "05.p_adjust=none", "05.alpha=0.1"])
    assert out.shared["cache_mode"] == "off" and out.shared["seed"] == 7  # not False, not '7'
    assert out.notebooks["05_concordance"]["p_adjust"] == "none"
    assert out.notebooks["05_concordance"]["alpha"] == 0.1
    out = apply_overrides(smoke, ["07.baseline_docs=null", "01.records_path=data/raw/r.xlsx"])
    assert out.notebooks["07_external_validation"]["baseline_docs"] is None
    assert out.notebooks["01_anonymization"]["records_path"] == "data/raw/r.xlsx"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("05.n_boot=abc", r"--set 05.n_boot: 'abc' is not an integer; expected an integer >= 1"),
        ("seed=abc", r"--set seed: 'abc' is not an integer; expected an integer >= 0"),
        ("05.correct_ties=maybe", r"'maybe' is not true or false"),
    ],
)
def test_set_values_of_the_wrong_type_name_the_parameter(override, message):
    with pytest.raises(ProfileError, match=message):
        apply_overrides(load_profile("smoke"), [override])


def test_nested_keys_of_shared_and_section_values_can_be_set():
    smoke = load_profile("smoke")
    out = apply_overrides(
        smoke,
        [
            "models.smollm2.batch_size=2",
            "models.gemma3.chat_template=none",
            "04.judges.0.scales=[5]",
            "03.panel.resident.n=1",
        ],
    )
    assert out.shared["models"]["smollm2"]["batch_size"] == 2
    assert out.shared["models"]["gemma3"]["chat_template"] == "none"
    assert out.notebooks["04_judge_sweeps"]["judges"][0]["scales"] == [5]
    assert out.notebooks["03_expert_ratings"]["panel"]["resident"]["n"] == 1
    assert smoke.shared["models"]["smollm2"]["batch_size"] == 8  # the original is untouched
    with pytest.raises(
        ProfileError, match=r"unknown parameter 'models.smollm2.bach_size' in shared.*batch_size"
    ):
        apply_overrides(smoke, ["models.smollm2.bach_size=2"])
    with pytest.raises(ProfileError, match=r"unknown parameter 'judges.7' \(a list of 3\)"):
        apply_overrides(smoke, ["04.judges.7.scales=[5]"])
