"""Merging overlapping detections."""

from __future__ import annotations

from radjudge.anonymize.spans import Detection, merge_detections


def test_overlaps_merge_into_the_longest_type_and_list_detectors():
    text = "ГБУЗ «ГКБ им. С.П. Боткина», тел. 8-910-000-00-00"
    dets = [
        Detection(0, 27, "ORGANIZATION", "rules"),
        Detection(14, 26, "NAME", "morph"),
        Detection(34, 49, "PHONE", "rules"),
    ]
    merged = merge_detections(dets, text)
    assert merged == [
        Detection(0, 27, "ORGANIZATION", "morph+rules"),
        Detection(34, 49, "PHONE", "rules"),
    ]


def test_adjacent_names_join_but_other_types_and_comma_separated_names_do_not():
    text = "Иванову И.И., Петрову П.П."
    dets = [
        Detection(0, 7, "NAME", "ner"),
        Detection(8, 12, "NAME", "morph"),
        Detection(14, 21, "NAME", "ner"),
        Detection(22, 26, "NAME", "ner"),
    ]
    assert [(d.start, d.end) for d in merge_detections(dets, text)] == [(0, 12), (14, 26)]
    text = "12.03.2023 8-910"
    dets = [Detection(0, 10, "DATE", "rules"), Detection(11, 16, "PHONE", "rules")]
    assert len(merge_detections(dets, text)) == 2


def test_empty_and_degenerate_spans():
    assert merge_detections([], "x") == []
    assert merge_detections([Detection(3, 3, "NAME", "ner")], "abcdef") == []
