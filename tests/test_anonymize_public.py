"""Public data sets: only registered, non-patient texts may skip anonymization."""

from __future__ import annotations

import pandas as pd
import pytest

from radjudge.anonymize import PHIGuardError
from radjudge.anonymize.public import public_dataset, register_public_texts, require_public
from radjudge.cohort import load_cohort
from radjudge.external import read_summeval
from radjudge.judge import PublicSource, parse_judges, run_sweep

ARTICLE = (
    "The regional museum reopened on Saturday after two years of repairs. The director said the "
    "collection of river boats, the oldest of which was built in 1890, is now shown in a new "
    "hall, and that school groups may visit for free until the end of the year."
)


def test_registered_texts_pass_and_others_are_refused():
    register_public_texts("museum news", [ARTICLE], licence="CC0", source="test")
    require_public(ARTICLE, dataset="museum news")
    with pytest.raises(PHIGuardError, match="not a registered text"):
        require_public(ARTICLE + " ", dataset="museum news")
    with pytest.raises(PHIGuardError, match="not a registered public data set"):
        require_public(ARTICLE, dataset="unknown")
    with pytest.raises(ValueError, match="already registered with licence"):
        register_public_texts("museum news", [ARTICLE], licence="MIT", source="test")
    with pytest.raises(ValueError, match="licence must be a non-empty string"):
        register_public_texts("other", [ARTICLE], licence="", source="test")
    assert public_dataset("museum news").licence == "CC0"


@pytest.mark.parametrize("part", ["text", "section", "identifier"])
def test_patient_records_cannot_be_registered_as_public(part):
    raw = load_cohort()[0]
    text = {
        "text": raw.text,  # headings
        "section": raw.sections["present_illness"],  # record vocabulary
        "identifier": "Reference 112-233-445 95 of the insured person.",  # СНИЛС shape
    }[part]
    with pytest.raises(PHIGuardError, match="looks like a patient record"):
        register_public_texts("leak", [text], licence="MIT", source="test")


def test_summeval_articles_are_registered_by_their_loader():
    data = read_summeval()
    for text in data.documents["source"]:
        require_public(text, dataset="SummEval")
    assert public_dataset("SummEval").licence == "MIT (SummEval annotations)"


def test_bypass_public_source_wrapping_patient_text_is_refused_by_run_sweep():
    # issue 14: "PublicSource wrapping patient text skips the check in run_sweep"
    raw = load_cohort()[0]
    with pytest.raises(PHIGuardError, match="not a registered text of the public data set"):
        PublicSource(raw.patient_id, raw.text, dataset="SummEval")
    with pytest.raises(TypeError):
        PublicSource(raw.patient_id, raw.text)  # type: ignore[call-arg]  # no data set, no source
    # built around __init__, it is still refused where the sweep reads its sources
    forged = object.__new__(PublicSource)
    for name, value in (("source_id", "P001"), ("text", raw.text), ("dataset", "SummEval")):
        object.__setattr__(forged, name, value)
    summaries = pd.DataFrame(
        {"patient_id": ["P001"], "summarizer": ["s"], "summarizer_kind": ["llm"], "text": ["x"]}
    )
    judges = parse_judges(
        [{"name": "rouge", "mode": "metric", "metric": "rouge_l"}], models={}, language="ru"
    )
    with pytest.raises(PHIGuardError, match="not a registered text"):
        run_sweep(summaries, [forged], judges, clients={}, seed=1, progress=False)
