"""The anonymizer on the independent evaluation set (tests/data/anonymization_eval).

The set was written by a session that never read the anonymizer or the cohort generator
(see its README). ``dev`` was the tuning split of issue 14's first round; ``test`` was held
out and scored once at its end (recall 0.967, precision 0.956, clinical terms kept 0.970 -
short of the targets). Its misses have been read since, so in the second round it is
development data like ``dev``: the issue's targets (recall >= 0.98 for every type, precision
>= 0.90, >= 0.99 of clinical terms kept) are asserted on both.

``heldout`` is a second set, written by another session while the second round's detectors
were built, merged only after they were committed, and scored once. It falls short of the
targets; the floors below are that measurement, to catch regressions, not targets - and the
detectors must not be tuned on its misses.
"""

from __future__ import annotations

import json
from functools import cache

import pytest

from radjudge.anonymize.evalset import (
    EVAL_TYPES,
    class_recall,
    eval_audit,
    load_eval_set,
    score_eval_set,
)

# Held-out second set, first and only measurement (issue 14, second round; 249 snippets, 475
# identifiers, 345 kept terms): recall NAME 0.972, DATE 0.946, PHONE 0.833, EMAIL 1, URL 0.909,
# ADDRESS 0.883, ID 0.800, ORG 0.855; all 0.903 (429/475); precision 0.970 (487/502 detections);
# clinical terms kept 0.988 (341/345).
HELDOUT_FLOORS = {
    "recall": {
        "NAME": 0.97,
        "DATE": 0.94,
        "PHONE": 0.83,
        "EMAIL": 1.0,
        "URL": 0.90,
        "ADDRESS": 0.88,
        "ID": 0.80,
        "ORG": 0.85,
    },
    "recall_all": 0.90,
    "precision": 0.965,
    "kept": 0.985,
}


@cache
def scores(split: str):
    return score_eval_set(load_eval_set(split))


def test_the_set_loads_with_exact_offsets_and_known_types():
    for split, prefix in (("dev", "d"), ("test", "t"), ("heldout", "h")):
        snippets = load_eval_set(split)
        assert len(snippets) >= 170 and all(s.id.startswith(prefix) for s in snippets)
        for s in snippets:
            for span in (*s.spans, *s.keep):
                assert s.text[span.start : span.end] == span.text
            assert {t.type for t in s.spans} <= set(EVAL_TYPES)


def test_a_broken_copy_is_refused_naming_file_line_and_id(tmp_path):
    line = json.loads(
        (load_eval_set.__defaults__[0] / "dev.jsonl").read_text("utf-8").splitlines()[0]
    )
    line["spans"][0]["start"] += 1
    (tmp_path / "dev.jsonl").write_text(json.dumps(line, ensure_ascii=False) + "\n", "utf-8")
    with pytest.raises(ValueError, match=r"dev\.jsonl, line 1 \(d001\): span text"):
        load_eval_set("dev", tmp_path)
    with pytest.raises(ValueError, match="split must be"):
        load_eval_set("train")  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError, match="independent evaluation set"):
        load_eval_set("test", tmp_path)


@pytest.mark.parametrize("split", ["dev", "test"])
def test_both_development_splits_meet_the_issue_targets(split):
    sc = scores(split)
    by_type = sc.by_type.set_index("type")
    for t in EVAL_TYPES:
        assert by_type.loc[t, "recall"] >= 0.98, (t, sc.misses)
    assert sc.precision("all") >= 0.90, sc.false_positives
    assert sc.clinical_preserved >= 0.99, sc.clinical


def test_held_out_second_set_stays_at_its_measured_level():
    sc = scores("heldout")
    by_type = sc.by_type.set_index("type")
    for t, floor in HELDOUT_FLOORS["recall"].items():
        assert by_type.loc[t, "recall"] >= floor, (t, sc.misses)
    assert sc.recall("all") >= HELDOUT_FLOORS["recall_all"], sc.misses
    assert sc.precision("all") >= HELDOUT_FLOORS["precision"], sc.false_positives
    assert sc.clinical_preserved >= HELDOUT_FLOORS["kept"], sc.clinical


def test_class_table_and_audit_rows():
    snippets = load_eval_set("dev")
    table = class_recall(snippets)
    assert set(table["class"]) == {c for s in snippets for c in s.classes}
    negative = table.set_index("class").loc["negative"]
    assert negative["n_identifiers"] == 0 and negative["n_keep"] > 0
    audit = eval_audit({"dev": scores("dev"), "test": scores("test")})
    assert set(audit["kind"]) == {"eval_dev", "eval_test"}
    assert list(audit[audit["kind"] == "eval_dev"]["name"]) == [*EVAL_TYPES, "all", "clinical_kept"]
    dev_all = audit[(audit["kind"] == "eval_dev") & (audit["name"] == "all")].iloc[0]
    assert dev_all["n_true"] == sum(len(s.spans) for s in snippets)
