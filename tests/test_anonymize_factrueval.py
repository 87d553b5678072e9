"""Person-name recall on a real annotated corpus: the factRuEval-2016 devset (news)."""

from __future__ import annotations

import pytest

from radjudge import paths
from radjudge.anonymize.factrueval import load_factrueval, person_recall


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


@pytest.mark.slow
def test_person_names_are_removed_with_recall_at_least_095():
    result = person_recall(load_factrueval())
    assert result.recall >= 0.95, result.misses
    assert result.recall_as_name >= 0.95, result.misses
    assert len(result.misses) == result.n_persons - result.removed
