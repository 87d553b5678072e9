"""radjudge.figures.labels: every id of the contracts has a Russian and an English label."""

from __future__ import annotations

import pytest

from radjudge.contracts import CRITERIA, EXPERT_CATEGORIES, GRANULARITIES
from radjudge.figures.labels import LABELS, TEXTS, label, text


@pytest.mark.parametrize("language", ["ru", "en"])
def test_contract_ids_are_translated(language):
    for c in CRITERIA:
        assert label("criterion", c, language) != c
    for g in GRANULARITIES:
        assert label("granularity", g, language) != g
    for k in EXPERT_CATEGORIES:
        assert label("category", k, language) != k


def test_russian_labels_are_cyrillic_and_every_entry_has_both_languages():
    assert any("\u0400" <= ch <= "\u04ff" for ch in label("criterion", "completeness", "ru"))
    for kind in LABELS.values():
        for entry in kind.values():
            assert set(entry) == {"ru", "en"}
    for entry in TEXTS.values():
        assert set(entry) == {"ru", "en"}


def test_unknown_ids_pass_through_and_bad_input_is_named():
    assert label("category", "oncologist", "en") == "oncologist"
    with pytest.raises(ValueError, match="language"):
        label("criterion", "completeness", "de")
    with pytest.raises(ValueError, match="kind"):
        label("colour", "x", "ru")
    with pytest.raises(ValueError, match="TEXTS"):
        text("no_such_text", "ru")


@pytest.mark.parametrize("profile", ["demo", "smoke", "study"])
@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_judge_and_summarizer_of_the_profiles_has_a_display_name(profile, language):
    from radjudge.figures.labels import display_name
    from radjudge.profiles import load_profile

    nbs = load_profile(profile).notebooks
    judges = [j["name"] for j in nbs["04_judge_sweeps"]["judges"]]
    summarizers = [s["name"] for s in nbs["02_summarization"]["summarizers"]]
    for kind, ids in (("judge", judges), ("summarizer", summarizers)):
        for ident in ids:
            name = display_name(kind, ident, language)
            assert name != ident and "_" not in name, (kind, ident, name)
    assert display_name("judge", "gemma3-logprobs", "ru") == "Gemma-3, лог-вероятности"
    assert display_name("summarizer", "smollm2_narrative", "en") == "SmolLM2, narrative"
    with pytest.raises(ValueError, match="kind"):
        display_name("criterion", "x", "en")
