"""Person-name recall on a real annotated corpus: the factRuEval-2016 devset (news)."""

from __future__ import annotations

import pytest

from radjudge import paths
from radjudge.anonymize.factrueval import entity_recall, load_factrueval, person_recall


def test_the_devset_copy_carries_its_licence_and_provenance():
    folder = paths.FACTRUEVAL
    assert "MIT License" in (folder / "LICENSE").read_text("utf-8")
    assert "dialogue-evaluation/factRuEval-2016" in (folder / "README.md").read_text("utf-8")


def test_loader_reads_every_person_object():
    docs = load_factrueval()
    objects = sum(
        line.split()[1] == "Person"
        for p in (paths.FACTRUEVAL / "devset").glob("*.objects")
        for line in p.read_text("utf-8").splitlines()
        if line.strip()
    )
    assert len(docs) == len(list((paths.FACTRUEVAL / "devset").glob("*.txt")))
    assert sum(len(d.persons) for d in docs) == objects > 500
    for d in docs:
        for parts in d.persons:
            assert all(d.text[s:e].strip() for s, e in parts)


def test_loader_reads_locations_and_organisations_by_their_name_spans():
    docs = load_factrueval()
    names = {
        kind: sum(
            line.split()[1] in objects
            and any(spans[s] == part for s in line.partition("#")[0].split()[2:])
            for p in (paths.FACTRUEVAL / "devset").glob("*.objects")
            for spans in [_span_types(p.with_suffix(".spans"))]
            for line in p.read_text("utf-8").splitlines()
            if line.strip()
        )
        for kind, objects, part in (
            ("location", ("Location", "LocOrg"), "loc_name"),
            ("organization", ("Org",), "org_name"),
        )
    }
    assert sum(len(d.locations) for d in docs) == names["location"] > 900
    assert sum(len(d.organizations) for d in docs) == names["organization"] > 500
    d = next(d for d in docs if d.doc_id == "book_100")
    assert d.text[slice(*d.locations[0][0])] == "Москвы"


def _span_types(path):
    return {
        line.split()[0]: line.split()[1]
        for line in path.read_text("utf-8").splitlines()
        if line.strip()
    }


@pytest.mark.slow
def test_person_names_are_removed_with_recall_at_least_098():
    # issue 14, "Must show" 2: factRuEval devset person recall >= 0.98
    result = person_recall(load_factrueval())
    assert result.recall >= 0.98, result.misses
    assert result.recall_as_name >= 0.97, result.misses
    assert len(result.misses) == result.n_persons - result.removed


@pytest.mark.slow
def test_places_and_organisations_are_measured():
    # Measured (this branch): location 0.89, organization 0.46 - news names countries (США, РФ)
    # and Latin-script companies (Facebook, Google) that the clinical NER filter keeps on purpose
    # (short capitals and Latin words are medical abbreviations and terms in records). The
    # floors below catch regressions; they are not targets.
    result = entity_recall(load_factrueval())
    table = result.by_kind.set_index("kind")
    assert table.loc["person", "recall"] >= 0.98
    assert table.loc["location", "recall"] >= 0.85, result.misses
    assert table.loc["organization", "recall"] >= 0.40, result.misses
    assert (table["n"] - table["removed"]).sum() == len(result.misses)
