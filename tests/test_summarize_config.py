"""Summarizer configurations of the profiles (radjudge.summarize.config)."""

from __future__ import annotations

import pytest

from radjudge.profiles import load_profile
from radjudge.summarize.config import SummarizerConfigError, parse_summarizers
from radjudge.summarize.prompts import load_template

STEM = "02_summarization"


def configs(profile: str):
    prof = load_profile(profile)
    return parse_summarizers(prof.section(STEM)["summarizers"], models=prof.shared["models"])


def test_demo_has_four_llm_configurations_and_two_reference_systems():
    cfg = configs("demo")
    llm = [c for c in cfg if c.kind == "llm"]
    assert len(cfg) == 6 and len(llm) == 4
    assert {c.kind for c in cfg if c.kind != "llm"} == {"gold", "extractive"}
    assert {(c.model, c.template) for c in llm} == {
        ("smollm2", "structured_chat"),
        ("smollm2", "narrative_chat"),
        ("gemma3", "structured_completion"),
        ("gemma3", "narrative_completion"),
    }
    assert all(c.temperature == 0.0 for c in llm)  # greedy: reproducible
    refs = [c for c in cfg if c.kind != "llm"]
    assert all(c.label.startswith("REFERENCE") for c in refs)
    models = load_profile("demo").shared["models"]
    # chat templates for the instruct model, plain completion prompts for the base model
    assert models["gemma3"]["chat_template"] == "none"
    for c in llm:
        assert load_template(c.template).system is None or c.model == "smollm2"


def test_smoke_is_small_and_study_has_six_server_summarizers():
    smoke = configs("smoke")
    assert [c.kind for c in smoke].count("llm") == 1 and len(smoke) == 3
    assert max(c.max_tokens or 0 for c in smoke) <= 32
    study = configs("study")
    models = load_profile("study").shared["models"]
    assert len(study) == 6 and all(c.kind == "llm" for c in study)
    assert len({c.model for c in study}) == 6
    assert all(models[c.model]["backend"] == "openai" for c in study)


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([], "non-empty list"),
        ({"name": "gold", "kind": "gold"}, "non-empty list"),
        (["gold"], r"summarizers\[0\] must be a mapping"),
        ([{"name": "Gold", "kind": "gold"}], r"summarizers\[0\]\.name must be lower-case"),
        ([{"name": "g", "kind": "gold"}, {"name": "g", "kind": "extractive"}], "used twice"),
        ([{"name": "g", "kind": "oracle"}], r"kind must be one of 'llm', 'gold', 'extractive'"),
        (
            [{"name": "g", "kind": "gold", "max_chars": 100}],
            r"key\(s\) \['max_chars'\] do not apply to kind 'gold'",
        ),
        (
            [{"name": "x", "kind": "llm", "model": "smollm2", "template": "t"}],
            r"needs key\(s\) \['max_tokens'\]",
        ),
        (
            [{"name": "x", "kind": "llm", "model": "gpt", "template": "t", "max_tokens": 8}],
            "not in the model registry",
        ),
        (
            [{"name": "x", "kind": "llm", "model": "smollm2", "template": "t", "max_tokens": 0}],
            "max_tokens must be an integer >= 1",
        ),
        (
            [
                {
                    "name": "x",
                    "kind": "llm",
                    "model": "smollm2",
                    "template": "t",
                    "max_tokens": 8,
                    "temperature": -1,
                }
            ],
            "temperature must be a number in",
        ),
        (
            [
                {
                    "name": "x",
                    "kind": "llm",
                    "model": "smollm2",
                    "template": "t",
                    "max_tokens": 8,
                    "batch": 2,
                }
            ],
            r"key\(s\) \['batch'\] do not apply",
        ),
        (
            [{"name": "e", "kind": "extractive", "max_chars": True}],
            "max_chars must be an integer >= 1",
        ),
    ],
)
def test_errors_name_the_entry_and_key(items, message):
    with pytest.raises(SummarizerConfigError, match=message):
        parse_summarizers(items, models={"smollm2": {}})


def test_defaults():
    (e,) = parse_summarizers([{"name": "e", "kind": "extractive"}])
    assert (e.max_chars, e.label, e.model) == (600, "e", None)
