"""Summary prompt templates and rendering on real anonymized cohort records (summarize.prompts)."""

from __future__ import annotations

import dataclasses

import pytest

from radjudge.anonymize import PHIGuardError, anonymize_records
from radjudge.cohort import load_cohort
from radjudge.llm import GenerationRequest
from radjudge.profiles import load_profile
from radjudge.summarize.prompts import (
    PLACEHOLDER,
    TemplateError,
    available_templates,
    load_template,
    render_summary_request,
)

COHORT = load_cohort()[:3]


@pytest.fixture(scope="module")
def anonymized():
    opts = load_profile("demo").section("01_anonymization")
    return [
        r.record
        for r in anonymize_records(
            COHORT,
            replacement=opts["replacement"],
            date_strategy=opts["date_strategy"],
            seed=load_profile("demo").shared["seed"],
        )
    ]


# What a radiologist needs before an abdominal CT (issue 4): each template must ask for it.
TOPICS = {
    "referral question": ("цель исследования",),
    "complaints and history": ("жалоб", "анамнез"),
    "labs": ("лаборатор", "анализ"),
    "prior imaging": ("предшествующие исследования", "предыдущие исследования"),
    "contrast contraindications": ("противопоказания к контрастированию",),
    "renal function or allergy": ("почек", "креатинин", "аллерг"),
}


@pytest.mark.parametrize("name", available_templates())
def test_every_shipped_template_asks_for_what_the_radiologist_needs(name):
    t = load_template(name)
    instruction = (t.after_record + t.answer_prefix).casefold()
    for topic, words in TOPICS.items():
        assert any(w in instruction for w in words), f"{name}: no {topic}"
    assert len(t.sha256) == 64


def test_shipped_set_and_record_first_layout():
    assert set(available_templates()) >= {
        "structured_chat",
        "narrative_chat",
        "structured_completion",
        "narrative_completion",
    }
    for name in available_templates():
        t = load_template(name)
        # only a short preamble precedes the record; the instruction follows it
        assert len(t.before_record) < 120 < len(t.after_record)
    chat = [load_template(n) for n in ("structured_chat", "narrative_chat")]
    plain = [load_template(n) for n in ("structured_completion", "narrative_completion")]
    # two styles of one model share everything before the instruction
    assert chat[0].system == chat[1].system and chat[0].before_record == chat[1].before_record
    assert plain[0].system is None and plain[0].before_record == plain[1].before_record
    # the base-model templates end with the cue on its own line
    assert all(
        "Краткая сводка для рентгенолога" in t.after_record and t.after_record.endswith(":\n")
        for t in plain
    )
    assert load_template("narrative_completion").stop[-1] == "\n\n"
    assert load_template("structured_chat").headers[0] == "Цель исследования:"


def test_rendered_request_puts_the_record_first_and_holds_no_raw_phi(anonymized):
    t = load_template("structured_chat")
    for raw, rec in zip(COHORT, anonymized, strict=True):
        req = render_summary_request(rec, t, max_tokens=64, seed=7)
        assert isinstance(req, GenerationRequest)
        assert req.segments == (t.before_record, rec.text, t.after_record)
        assert req.system == t.system and req.answer_prefix == t.answer_prefix
        assert (req.max_tokens, req.temperature, req.seed, req.stop) == (64, 0.0, 7, t.stop)
        prompt = "\n".join([req.system or "", req.text, req.answer_prefix])
        assert raw.phi, "the cohort record has identifiers to hide"
        for span in raw.phi:
            if len(span.text) >= 4:
                assert span.text not in prompt, (raw.patient_id, span.type)
    # prompts of two styles for one record share the leading segments
    a = render_summary_request(anonymized[0], load_template("structured_chat"), max_tokens=8)
    b = render_summary_request(anonymized[0], load_template("narrative_chat"), max_tokens=8)
    assert a.segments[:2] == b.segments[:2] and a.segments[2] != b.segments[2]


def test_the_guard_refuses_a_raw_record_and_an_edited_one(anonymized):
    t = load_template("narrative_chat")
    with pytest.raises(PHIGuardError, match="refusing CohortRecord"):
        render_summary_request(COHORT[0], t, max_tokens=8)
    with pytest.raises(TypeError):  # a sealed record cannot be edited into a new one
        dataclasses.replace(
            anonymized[0],
            sections={**anonymized[0].sections, "complaints": COHORT[0].sections["complaints"]},
        )


def test_the_guard_checks_the_template_text_too(anonymized, tmp_path):
    leaky = tmp_path / "leaky.txt"
    leaky.write_text(
        "[system]\n[prompt]\n{record}\nСводка для врача Петрова А.В.:\n[answer_prefix]\n"
        "[stop]\n[headers]\n",
        encoding="utf-8",
    )
    with pytest.raises(PHIGuardError, match="NAME"):
        render_summary_request(anonymized[0], load_template(leaky), max_tokens=8)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[prompt]\n{record}\n", r"missing section\(s\) \[system\]"),
        (
            "[system]\n[prompt]\nнет карты\n[answer_prefix]\n[stop]\n[headers]\n",
            "exactly once, found 0",
        ),
        (
            "[system]\n[prompt]\n{record} {record}\n[answer_prefix]\n[stop]\n[headers]\n",
            "exactly once, found 2",
        ),
        (
            "[system]\n[prompt]\n{record} {patient}\n[answer_prefix]\n[stop]\n[headers]\n",
            "unknown placeholder",
        ),
        (
            "[system]\n[prompt]\n{record}\n[answer]\n[stop]\n[headers]\n",
            r"line 4: unknown section \[answer\]",
        ),
        (
            "intro\n[system]\n[prompt]\n{record}\n[answer_prefix]\n[stop]\n[headers]\n",
            "line 1: text before",
        ),
        ("[system]\n[system]\n", r"section \[system\] appears twice"),
    ],
)
def test_template_format_errors_name_file_and_line(tmp_path, text, message):
    path = tmp_path / "bad.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError, match=message):
        load_template(path)


def test_unknown_template_name_lists_the_available_ones():
    with pytest.raises(TemplateError, match="available: narrative_chat"):
        load_template("no_such_template")


def test_section_text_rules(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text(
        "# comment\n[system]\n\n[prompt]\nКарта:\n{record}\nСводка:\n\n[answer_prefix]\n- Цель:\n"
        "[stop]\n\\n\\n\nКарта\n\n[headers]\nЦель:\n",
        encoding="utf-8",
    )
    t = load_template(path)
    assert t.system is None
    assert (t.before_record, t.after_record) == (
        "Карта:\n",
        "\nСводка:\n",
    )  # blank last line = "\n"
    assert t.answer_prefix == "- Цель:" and t.stop == ("\n\n", "Карта") and t.headers == ("Цель:",)
    assert t.cues == ("Карта",)
    assert PLACEHOLDER == "{record}"


def test_shifted_dates_of_the_record_itself_are_accepted():
    shifted = [
        r.record
        for r in anonymize_records(
            COHORT[:1], date_strategy="shift", seed=load_profile("demo").shared["seed"]
        )
    ]
    assert shifted[0].surrogates, "the record has dates to shift"
    req = render_summary_request(shifted[0], load_template("structured_chat"), max_tokens=8)
    assert any(s in req.text for s in shifted[0].surrogates)
