"""Summary features: matching rule, unsupported-content proxy, length, structure, shapes, errors.

Fixture: tests/data/mini_cohort (4 hand-written synthetic patients, 5 summaries each:
a structured gold summary, a good prose one, a one-liner, one with invented
diagnosis and numbers, an extractive copy of the record's first sentences).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from radjudge.records import render_text
from radjudge.summary_features import (
    FACT_GROUPS,
    FEATURE_COLUMNS,
    fact_coverage,
    fact_is_covered,
    key_facts,
    summary_features,
    text_lemmas,
)

MINI = Path(__file__).parent / "data" / "mini_cohort"


@pytest.fixture(scope="module")
def mini():
    cohort = [
        json.loads(line)
        for line in (MINI / "synthetic_cohort.jsonl").read_text("utf-8").splitlines()
    ]
    records = {c["patient_id"]: render_text(c["sections"]) for c in cohort}
    facts = {c["patient_id"]: c["ground_truth"]["facts"] for c in cohort}
    summaries = pd.read_json(MINI / "summaries.jsonl", lines=True, dtype={"patient_id": str})
    return records, facts, summaries


@pytest.fixture(scope="module")
def features(mini):
    records, facts, summaries = mini
    return summary_features(summaries, records=records, facts=facts)


def test_lemmas_match_across_inflections():
    assert fact_is_covered(
        "аллергия на йодсодержащий контраст", "Аллергией на йодсодержащие контрасты"
    )
    assert text_lemmas("почечной недостаточности") == text_lemmas("почечная недостаточность")


def test_function_words_do_not_count():
    # "на", "и", "в" are dropped: the fact's lemmas are {жидкость, малый, таз}
    assert text_lemmas("жидкость в малом тазу") == {"жидкость", "малый", "таз"}
    assert not fact_is_covered("жидкость в малом тазу", "в и на")


def test_overlap_threshold_is_inclusive_and_configurable():
    fact = "расширение внутрипечёночных желчных протоков печени"  # 5 lemmas
    three = "расширение желчных протоков"  # 3/5 = 0.6
    two = "расширение протоков"  # 2/5 = 0.4
    assert fact_is_covered(fact, three)
    assert not fact_is_covered(fact, two)
    assert fact_is_covered(fact, two, min_overlap=0.4)
    with pytest.raises(ValueError, match="min_overlap"):
        fact_is_covered(fact, two, min_overlap=0)


def test_numbers_must_all_appear_decimal_comma_equals_point():
    assert fact_is_covered("Лейкоциты 14.2", "лейкоциты 14,2 ×10^9/л")
    assert fact_is_covered("РЭА 74.0", "РЭА 74 нг/мл")
    assert not fact_is_covered("Лейкоциты 14.2", "лейкоциты 12,4")
    # a number glued to letters is part of a code, not a number
    assert not fact_is_covered("очаг 7 мм", "очаг в S7")


def test_parenthesised_qualifiers_are_not_required():
    fact = "Подозрение на метастазы в печень (C78.7)"
    assert fact_is_covered(fact, "подозрение на метастазы в печень")


def test_key_facts_groups_and_labs_use_name_and_value():
    facts = {
        "diagnosis": "Острый панкреатит",
        "key_findings": ["конкременты в желчном пузыре", ""],
        "key_labs": [{"name": "Амилаза", "value": 412, "unit": "Ед/л"}],
        "contrast_contraindications": [],
        "prior_imaging": ["УЗИ"],
        "referral_question": "оценка некроза",
    }
    units = key_facts(facts)
    assert [(u.group, u.text) for u in units] == [
        ("diagnosis", "Острый панкреатит"),
        ("findings", "конкременты в желчном пузыре"),
        ("labs", "Амилаза 412"),
        ("prior_imaging", "УЗИ"),
        ("referral", "оценка некроза"),
    ]


def test_output_shape_order_and_types(mini, features):
    _, _, summaries = mini
    assert tuple(features.columns) == FEATURE_COLUMNS
    assert len(features) == len(summaries)
    assert (
        features[["patient_id", "summarizer"]].values.tolist()
        == summaries[["patient_id", "summarizer"]].values.tolist()
    )
    assert str(features["n_facts"].dtype) == "Int64"
    for col in ("coverage", "unsupported_rate", "structure_score", "compression"):
        assert features[col].dtype == float
        assert features[col].dropna().between(0, 1.5).all()


def test_length_and_compression_are_measured(mini, features):
    records, _, summaries = mini
    row = features.iloc[0]
    text = summaries["text"].iloc[0].strip()
    assert row["n_chars"] == len(text)
    assert row["compression"] == pytest.approx(len(text) / len(records[row["patient_id"]].strip()))
    one = summary_features(
        pd.DataFrame(
            {"patient_id": ["P001"], "summarizer": ["x"], "text": ["Боль в животе, рвота 2 раза."]}
        ),
        records=records,
    )
    assert one.loc[0, "n_words"] == 6  # Боль, в, животе, рвота, 2, раза


def test_coverage_equals_share_of_covered_fact_units(mini, features):
    _, facts, summaries = mini
    detail = fact_coverage(summaries, facts)
    per = detail.groupby(["patient_id", "summarizer"], sort=False)["covered"].agg(
        ["mean", "sum", "size"]
    )
    merged = features.set_index(["patient_id", "summarizer"]).join(per)
    assert (merged["coverage"] == merged["mean"]).all()
    assert (merged["n_facts_covered"].astype(int) == merged["sum"]).all()
    assert (merged["n_facts"].astype(int) == merged["size"]).all()


def test_group_without_facts_is_nan_not_zero(features):
    p4 = features[features["patient_id"] == "P004"]  # P004 has no contrast contraindication
    assert p4["coverage_contraindications"].isna().all()
    assert p4["coverage_radiology"].notna().all()


def test_fixture_quality_ordering(features):
    """The features separate the fixture's deliberately different summaries."""
    f = features.set_index(["summarizer", "patient_id"])
    for pid in ("P001", "P002", "P003", "P004"):
        assert (
            f.loc[("gold", pid), "coverage"]
            > f.loc[("model_a", pid), "coverage"]
            > f.loc[("model_b", pid), "coverage"]
        )
        assert f.loc[("model_c", pid), "unsupported_numbers"] >= 1  # invented numbers
        assert (
            f.loc[("model_c", pid), "unsupported_rate"]
            > f.loc[("model_a", pid), "unsupported_rate"]
        )
        # an extract of the record supports everything it says
        assert f.loc[("extractive", pid), "unsupported_rate"] == 0
        assert f.loc[("gold", pid), "structure_score"] > f.loc[("model_a", pid), "structure_score"]


def test_structure_counts_headings_bullets_lines(mini):
    records, _, _ = mini
    text = (
        "Диагноз: панкреатит\nАнализы:\n- амилаза 412\n- лейкоциты 14,2\n• глюкоза 7,1\nЦель КТ: "
        "некроз"
    )
    f = summary_features(
        pd.DataFrame({"patient_id": ["P001"], "summarizer": ["s"], "text": [text]}), records=records
    )
    assert (f.loc[0, "n_lines"], f.loc[0, "n_headings"], f.loc[0, "n_bullets"]) == (6, 3, 3)
    assert f.loc[0, "structure_score"] == 1.0
    flat = summary_features(
        pd.DataFrame({"patient_id": ["P001"], "summarizer": ["s"], "text": ["Панкреатит."]}),
        records=records,
    )
    assert flat.loc[0, "structure_score"] == 0.0


def test_unsupported_numbers_and_lemmas(mini):
    records, _, _ = mini
    s = pd.DataFrame(
        {
            "patient_id": ["P001", "P001"],
            "summarizer": ["a", "b"],
            "text": ["Амилаза 412 Ед/л.", "Амилаза 999 Ед/л, цирроз печени."],
        }
    )
    f = summary_features(s, records=records).set_index("summarizer")
    assert f.loc["a", "unsupported_numbers"] == 0 and f.loc["a", "novel_lemmas"] == 0
    assert f.loc["b", "unsupported_numbers"] == 1  # 999
    assert f.loc["b", "novel_lemmas"] == 2  # цирроз, печень are not in P001's record
    assert f.loc["b", "unsupported_rate"] == pytest.approx(
        (1 + 2) / (1 + 4)
    )  # amylase, ед, цирроз, печень


def test_without_facts_coverage_is_missing(mini):
    records, _, summaries = mini
    f = summary_features(summaries, records=records)
    assert f["coverage"].isna().all() and f["n_facts"].isna().all()
    assert f["unsupported_rate"].notna().all()


def test_empty_and_missing_text_is_an_empty_summary(mini):
    records, facts, _ = mini
    s = pd.DataFrame({"patient_id": ["P001", "P002"], "summarizer": ["a", "a"], "text": ["", None]})
    f = summary_features(s, records=records, facts=facts)
    assert (
        (f["n_chars"] == 0).all()
        and (f["coverage"] == 0).all()
        and (f["unsupported_rate"] == 0).all()
    )
    assert not math.isnan(f.loc[0, "structure_score"])


@pytest.mark.parametrize(
    ("summaries", "facts_ok", "match"),
    [
        (pd.DataFrame({"patient_id": ["P001"], "text": ["x"]}), True, "summarizer"),
        (
            pd.DataFrame({"patient_id": ["P001"] * 2, "summarizer": ["a"] * 2, "text": ["x", "y"]}),
            True,
            "more than once",
        ),
        (
            pd.DataFrame({"patient_id": ["P999"], "summarizer": ["a"], "text": ["x"]}),
            True,
            "no record text",
        ),
        (
            pd.DataFrame({"patient_id": ["P001"], "summarizer": ["a"], "text": ["x"]}),
            False,
            "no ground-truth facts",
        ),
    ],
)
def test_bad_input_is_named(mini, summaries, facts_ok, match):
    records, facts, _ = mini
    with pytest.raises(ValueError, match=match):
        summary_features(
            summaries, records=records, facts=facts if facts_ok else {"P002": facts["P002"]}
        )


def test_every_group_has_a_column(features):
    for g in FACT_GROUPS:
        assert f"coverage_{g}" in features.columns


def test_line_labels_are_layout_not_unsupported_claims(mini):
    records, _, _ = mini
    s = pd.DataFrame(
        {
            "patient_id": ["P001", "P001"],
            "summarizer": ["labelled", "plain"],
            "text": [
                "Предварительные сведения: рвота\n- Ключевые показатели: амилаза 412",
                "рвота, амилаза 412",
            ],
        }
    )
    f = summary_features(s, records=records).set_index("summarizer")
    assert f.loc["labelled", "novel_lemmas"] == f.loc["plain", "novel_lemmas"] == 0
    assert f.loc["labelled", "unsupported_rate"] == 0.0
