"""The extractive baseline, on the real synthetic cohort (radjudge.summarize.extractive)."""

from __future__ import annotations

import pytest

from radjudge.cohort import load_cohort
from radjudge.records import SECTION_HEADINGS, SECTIONS
from radjudge.summarize.extractive import extractive_summary, score_sentences

COHORT = load_cohort()
HEADING_TO_KEY = {h: k for k, h in SECTION_HEADINGS.items()}


def parse(summary: str) -> list[tuple[str, str]]:
    out = []
    for line in summary.splitlines():
        heading, _, text = line.partition(": ")
        out.append((HEADING_TO_KEY[heading], text))
    return out


@pytest.mark.parametrize("max_chars", [200, 600, 1200])
def test_length_cap_sections_in_order_and_only_the_records_own_sentences(max_chars):
    for rec in COHORT:
        summary = extractive_summary(rec.sections, max_chars=max_chars)
        assert 0 < len(summary) <= max_chars
        keys = [k for k, _ in parse(summary)]
        assert keys == [k for k in SECTIONS if k in keys]  # record order, one line per section
        scored = score_sentences(rec.sections)
        for key, text in parse(summary):
            # the line is the record's own sentences of that section, in record order
            rest, taken = text, []
            for s in (s for s in scored if s.section == key):
                if rest.startswith(s.text):
                    taken.append(s)
                    rest = rest[len(s.text) :].lstrip(" ")
            assert rest == "", (rec.patient_id, key, rest)
            assert all(s.score > 0 for s in taken)


def test_deterministic():
    for rec in COHORT[:10]:
        assert extractive_summary(rec.sections) == extractive_summary(dict(rec.sections))


def test_referral_first_then_keywords():
    for rec in COHORT:
        scored = score_sentences(rec.sections)
        referral = [s for s in scored if s.section == "referral"]
        assert referral and all(s.score >= 3 for s in referral)
        summary = extractive_summary(rec.sections, max_chars=600)
        best = max(referral, key=lambda s: (s.score, -s.order))
        if len(SECTION_HEADINGS["referral"]) + 2 + len(best.text) <= 600:
            assert best.text in summary


def test_keyword_sentences_outrank_plain_ones():
    sections = dict.fromkeys(SECTIONS, "")
    sections["past_history"] = (
        "Работает бухгалтером. Любит рыбалку. Аллергия на йодсодержащий контраст: крапивница."
    )
    scores = {s.text: s.score for s in score_sentences(sections)}
    assert (
        scores["Аллергия на йодсодержащий контраст: крапивница."] > scores["Работает бухгалтером."]
    )
    summary = extractive_summary(sections, max_chars=80)
    assert summary == "Анамнез жизни: Аллергия на йодсодержащий контраст: крапивница."


def test_nothing_fits_gives_an_empty_summary_and_bad_input_is_an_error():
    assert extractive_summary(COHORT[0].sections, max_chars=5) == ""
    with pytest.raises(ValueError, match="max_chars"):
        extractive_summary(COHORT[0].sections, max_chars=0)
    with pytest.raises(ValueError, match="lack"):
        extractive_summary({"complaints": "боль"})
