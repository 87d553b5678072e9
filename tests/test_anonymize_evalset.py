"""The anonymizer on the independent evaluation set (tests/data/anonymization_eval).

The set was written by a session that never read the anonymizer or the cohort generator
(see its README). ``dev`` was the tuning split of issue 14's first round; ``test`` was held
out and scored once at its end (recall 0.967, precision 0.956, clinical terms kept 0.970 -
short of the targets). Its misses have been read since, so in the second round it is
development data like ``dev``: the issue's targets (recall >= 0.98 for every type, precision
>= 0.90, >= 0.99 of clinical terms kept) are asserted on both.

``heldout`` is a second set, written by another session while the second round's detectors
were built, merged only after they were committed, and scored once (recall 0.903). The third
round was tuned on it, so it is development data now; its floors are the third round's figures.

``heldout3`` is a third set (tests/data/anonymization_eval/HELDOUT3.md), written by a session
that saw neither the detectors nor the other sets, merged only after the third round's
detectors were committed, and scored once (recall 0.922, precision 0.928, kept 0.968 - short of
the targets). The fourth round read its misses and was developed on it, so it is development
data now, like the other three: its floors are the fourth round's figures rounded down. The
held-out figure of the fourth round comes from a fourth set, measured once by the lead.
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

# Second set (issue 14; 249 snippets, 475 identifiers, 345 kept terms). Held out in the second
# round: recall 0.903, precision 0.970, kept 0.988. Tuned on in the third round, after which:
# recall NAME 0.991, DATE 1, PHONE 1, EMAIL 1, URL 1, ADDRESS 1, ID 1, ORG 0.988; all 0.996
# (473/475); precision 0.967 (466/482 detections); clinical terms kept 0.988 (341/345).
# Fourth round (development data): NAME 1 (106/106), ORG 1 (83/83), the others 1 as before;
# all 1 (475/475); precision 0.985 (466/473); kept 0.997 (344/345).
HELDOUT_FLOORS = {
    "recall": {
        "NAME": 1.0,
        "DATE": 1.0,
        "PHONE": 1.0,
        "EMAIL": 1.0,
        "URL": 1.0,
        "ADDRESS": 1.0,
        "ID": 1.0,
        "ORG": 1.0,
    },
    "recall_all": 1.0,
    "precision": 0.98,
    "kept": 0.99,
}
# Third set (250 snippets, 693 identifiers, 498 kept terms). Its only held-out measurement
# (third round, after commit 8a82ec9): recall NAME 0.960 (168/175), DATE 0.919 (125/136), PHONE
# 0.923 (48/52), EMAIL 1 (18/18), URL 1 (12/12), ADDRESS 0.826 (76/92), ID 0.977 (84/86), ORG
# 0.885 (108/122); all 0.922 (639/693); precision 0.928 (671/723 detections); clinical terms
# kept 0.968 (482/498). Development data in the fourth round, after which: NAME 1 (175/175),
# DATE 1 (136/136), PHONE 1 (52/52), EMAIL 1, URL 1, ADDRESS 0.989 (91/92), ID 1 (86/86), ORG
# 0.992 (121/122); all 0.997 (691/693); precision 0.969 (688/710); kept 0.998 (497/498).
HELDOUT3_FLOORS = {
    "recall": {
        "NAME": 1.0,
        "DATE": 1.0,
        "PHONE": 1.0,
        "EMAIL": 1.0,
        "URL": 1.0,
        "ADDRESS": 0.98,
        "ID": 1.0,
        "ORG": 0.99,
    },
    "recall_all": 0.99,
    "precision": 0.96,
    "kept": 0.99,
}


@cache
def scores(split: str):
    return score_eval_set(load_eval_set(split))


def test_the_set_loads_with_exact_offsets_and_known_types():
    for split, prefix in (("dev", "d"), ("test", "t"), ("heldout", "h"), ("heldout3", "k")):
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


@pytest.mark.parametrize(
    ("split", "floors"), [("heldout", HELDOUT_FLOORS), ("heldout3", HELDOUT3_FLOORS)]
)
def test_second_and_third_sets_stay_at_their_measured_level(split, floors):
    sc = scores(split)
    by_type = sc.by_type.set_index("type")
    for t, floor in floors["recall"].items():
        assert by_type.loc[t, "recall"] >= floor, (t, sc.misses)
    assert sc.recall("all") >= floors["recall_all"], sc.misses
    assert sc.precision("all") >= floors["precision"], sc.false_positives
    assert sc.clinical_preserved >= floors["kept"], sc.clinical


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
