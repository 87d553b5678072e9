"""The text guard for public data sets (radjudge.external.guard): explicit, limited, no patients."""

from __future__ import annotations

import pytest

from radjudge.anonymize import PHIGuardError, check_llm_text
from radjudge.anonymize.public import register_public_texts
from radjudge.external import read_summeval
from radjudge.external.guard import PublicTextGuard

# A public news text that the PHI scan stops (a phone number and a date are what it looks for).
NEWS = (
    "The city council said on 12.03.2015 that the new bridge will open in May. Readers can call "
    "the newsroom at +7 912 345-67-89 with questions about the closure of the old crossing, "
    "which has carried traffic over the river for more than ninety years."
)
register_public_texts("news", [NEWS], licence="CC-BY", source="tests/test_external_guard.py")


def test_registered_public_text_passes_where_the_phi_guard_stops_it():
    with pytest.raises(PHIGuardError):
        check_llm_text(NEWS)
    guard = PublicTextGuard("news", [NEWS])
    guard(f"Source article:\n{NEWS}\n\nSummary: a bridge opens.\nCoherence (1-5):")
    assert guard.describe()["prompts_allowed_as_public"] == 1


def test_anything_else_still_goes_through_the_phi_guard():
    guard = PublicTextGuard("news", [NEWS])
    guard("Rate the summary for coherence on a scale of 1 to 5.")  # plain instructions pass
    edited = NEWS.replace("bridge", "tunnel")  # not the registered text any more
    with pytest.raises(PHIGuardError):
        guard(f"Source article:\n{edited}")
    with pytest.raises(PHIGuardError):  # patient text is never let through
        guard("Пациент Иванов Иван Иванович, СНИЛС 112-233-445 95")
    assert guard.describe()["texts_sent_to_phi_guard"] == 3


def test_every_summeval_article_is_allowed():
    sources = read_summeval().documents["source"].tolist()
    guard = PublicTextGuard("SummEval", sources)
    for s in sources:
        guard(f"Article:\n{s}\n\nSummary:\n...")
    assert guard.describe() == {
        "guard": "PublicTextGuard",
        "dataset": "SummEval",
        "licence": "MIT (SummEval annotations)",
        "n_public_texts": 100,
        "prompts_allowed_as_public": 100,
        "texts_sent_to_phi_guard": 0,
    }


def test_short_no_or_unregistered_texts_are_refused():
    with pytest.raises(ValueError, match="no public text"):
        PublicTextGuard("news", [])
    with pytest.raises(ValueError, match="min_chars=200"):
        PublicTextGuard("news", [NEWS, "the"])
    with pytest.raises(PHIGuardError, match="not a registered text of the public data set"):
        PublicTextGuard("news", [NEWS + " More."])
    with pytest.raises(PHIGuardError, match="'x' is not a registered public data set"):
        PublicTextGuard("x", [NEWS])
