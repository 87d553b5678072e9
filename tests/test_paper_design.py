"""radjudge.paper.design: the Methods' design sentences follow stats.json, nothing is typed by hand.

The design facts are made from a judge-ratings table by the real
:func:`radjudge.concordance.stats.design_stats`, written to a stats.json, read back, then
changed (judges of each kind, crossed factors, coverage, failed rows); the sentences must
change with them.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from radjudge.concordance.stats import design_stats
from radjudge.paper.design import design_sentences, design_table, judges_in
from radjudge.paper.numbers import PaperError, flatten_stats, quoted_method_keys

PATIENTS = ["P1", "P2", "P3", "P4"]
SUMMARIZERS = ["gold", "extractive", "smollm2_structured"]


def _rows(judge, kind, criteria, scales, grans, patients=PATIENTS, status="ok"):
    return [
        {
            "judge": judge,
            "judge_kind": kind,
            "criterion": c,
            "scale": s,
            "granularity": g,
            "repeat": 0,
            "patient_id": p,
            "summarizer": m,
            "status": status(m) if callable(status) else status,
        }
        for c in criteria
        for s in scales
        for g in grans
        for p in patients
        for m in SUMMARIZERS
    ]


def _stats_json(tmp_path, rows) -> dict:
    """design_stats of the ratings plus the data/validity keys notebook 05 writes, via a file."""
    jr = pd.DataFrame(rows).astype({"scale": "Int64"})
    stats = design_stats(jr)
    stats |= {
        "data.n_items": len(PATIENTS) * len(SUMMARIZERS),
        "data.judge_rows": len(jr),
        "data.judge_rows_failed": int((jr["status"] != "ok").sum()),
        "validity.n_configurations": 20,
        "validity.n_valid": 7,
    }
    path = tmp_path / "stats.json"
    path.write_text(json.dumps(stats), encoding="utf-8")
    return flatten_stats(json.loads(path.read_text(encoding="utf-8")))


@pytest.fixture
def base(tmp_path):
    rows = (
        _rows("gemma3-logprobs", "llm", ["completeness", "correctness"], [3, 5], ["full", "none"])
        + _rows("smollm2-logprobs", "llm", ["correctness"], [3, 5, 10], ["full"])
        + _rows("gemma3-sample", "llm", ["correctness"], [5], ["full"], patients=PATIENTS[:1])
        + _rows(
            "rouge-l",
            "metric",
            ["completeness", "correctness"],
            [None],
            [None],
            status=lambda m: "failed" if m == "gold" else "ok",
        )
    )
    return rows, _stats_json(tmp_path, rows)


def test_the_methods_say_how_many_judges_of_each_kind_and_what_is_crossed(base):
    _, stats = base
    en = design_sentences(stats, language="en", metric_reference="gold")
    assert "LLM judges (n = 3:" in en["judges_kinds"]
    assert "metrics" in en["judges_kinds"] and "(n = 1:" in en["judges_kinds"]
    # scale crossed within two judges, granularity and criterion within one
    crossed = en["judges_crossed"]
    assert re.search(r"the scale size for Gemma-3[^;]* and SmolLM2", crossed), crossed
    assert re.search(r"the rubric granularity for Gemma-3[^;]*;", crossed), crossed
    assert "A single configuration:" in crossed
    # coverage: the sampling judge rated one patient's summaries only
    assert "Not every judge rated every summary" in en["judges_coverage"]
    assert "3 of 12 (1 patients)" in en["judges_coverage"]
    # the failed rows are the metric's rows of the reference itself, not LLM answers
    assert "metric rows of the reference summaries themselves" in en["judges_failed"]
    assert "answers of LLM judges" not in en["judges_failed"]
    ru = design_sentences(stats, language="ru", metric_reference="gold")
    assert "LLM-судьи (n = 3:" in ru["judges_kinds"] and "метрики" in ru["judges_kinds"]
    assert "Не все судьи оценивали все резюме" in ru["judges_coverage"]


def test_changing_judges_and_crossed_factors_in_stats_json_changes_the_methods(tmp_path, base):
    """The issue's 'Must show': modify stats.json, and the Methods paragraph follows."""
    rows, stats = base
    before = design_sentences(stats, language="en", metric_reference="gold")
    # (1) edit the stats.json itself: one LLM judge becomes a metric, one loses its scales
    edited = dict(stats)
    edited["design.judge.gemma3-sample.kind"] = "metric"
    edited["design.judge.smollm2-logprobs.levels.scale"] = "5"
    edited["design.judge.smollm2-logprobs.n_configurations"] = 1
    after = design_sentences(edited, language="en", metric_reference="gold")
    assert "LLM judges (n = 2:" in after["judges_kinds"]
    assert "(n = 2:" in after["judges_kinds"].split("metrics", 1)[1]
    assert "SmolLM2" not in after["judges_crossed"].split("the rubric granularity")[0]
    assert after["judges_crossed"] != before["judges_crossed"]
    # (2) new ratings: every LLM judge on one scale, two metrics, everyone rated everything
    rows2 = (
        _rows("gemma3-logprobs", "llm", ["completeness", "correctness"], [5], ["full", "none"])
        + _rows("smollm2-logprobs", "llm", ["correctness"], [5], ["full", "extremes"])
        + _rows("rouge-l", "metric", ["correctness"], [None], [None])
        + _rows("chrf", "metric", ["correctness"], [None], [None])
    )
    stats2 = _stats_json(tmp_path, rows2)
    en2 = design_sentences(stats2, language="en", metric_reference="gold")
    assert "LLM judges (n = 2:" in en2["judges_kinds"]
    assert "(n = 2: ROUGE-L and chrF" in en2["judges_kinds"]
    assert "the scale size for none" in en2["judges_crossed"]
    assert re.search(r"the rubric granularity for Gemma-3[^;]* and SmolLM2", en2["judges_crossed"])
    assert en2["judges_coverage"] == "Every judge rated all 12 summaries."
    assert en2["judges_failed"] == "Every one of the 96 judge rows carries a score."
    ru2 = design_sentences(stats2, language="ru", metric_reference="gold")
    assert "размер шкалы — ни у одного" in ru2["judges_crossed"]
    assert "scale" not in en2["abstract_design"].split("varied", 1)[1].split("(")[0]


def test_the_design_table_has_one_row_per_judge_in_both_languages(base):
    _, stats = base
    for language, head in (("en", "Judge"), ("ru", "Судья")):
        tbl = design_table(stats, language=language)
        assert tbl["columns"][0] == head and len(tbl["rows"]) == 4
        assert all(len(r) == len(tbl["columns"]) == len(tbl["align"]) for r in tbl["rows"])
    rouge = next(r for r in design_table(stats, language="en")["rows"] if "ROUGE" in r[0])
    assert rouge[2] == rouge[3] == "—"  # a metric has no scale and no rubric


def test_stats_without_design_facts_name_the_notebook_to_rerun():
    with pytest.raises(PaperError, match="notebook 05"):
        judges_in({"data.n_items": 3})


def test_the_manuscript_shows_the_generated_design_sentences():
    keys = set(quoted_method_keys())
    for key in ("judges_kinds", "judges_crossed", "judges_coverage", "judges_failed"):
        assert key in keys, key
    assert {"abstract_design", "delta_w_change", "selection_bias"} <= keys


def test_a_full_factorial_judge_is_counted_criteria_by_scales_by_granularities(base):
    _, stats = base
    en = design_sentences(stats, language="en")["judges_crossed"]
    # Gemma-3 (log-probs): 2 criteria x 2 scales x 2 granularities; change one count
    assert "criteria × scales × granularities = 2 × 2 × 2 = 8 configurations" in en
    edited = dict(stats)
    edited["design.judge.gemma3-logprobs.levels.scale"] = "3,5,10"
    edited["design.judge.gemma3-logprobs.n_configurations"] = 12
    en = design_sentences(edited, language="en")["judges_crossed"]
    assert "= 2 × 3 × 2 = 12 configurations" in en
