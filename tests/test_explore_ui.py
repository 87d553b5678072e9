"""radjudge.explore.ui: the views react to choices, say when something is odd, speak one language.

In-process (widget state only); tests/test_explore_browser.py drives the same
UI in JupyterLab with a real browser.
"""

from __future__ import annotations

import html
import re

import pytest

from explore_run import cached_run, run_files
from radjudge.explore import data as D
from radjudge.explore import ui as U
from radjudge.explore.texts import COLUMN_LABELS, UI_TEXTS

CYRILLIC = re.compile("[А-Яа-яЁё]")
CONST_ID = "judge-const|completeness|5|full"


@pytest.fixture(scope="module")
def data() -> D.ExploreData:
    return D.load_explore_data(files=run_files(cached_run()))


@pytest.fixture
def en(data) -> U.Explorer:
    return U.explorer(data, language="en")


def _option_labels(dd) -> list[str]:
    return [label for label, _ in dd.options]


def _chrome(ui: U.Explorer) -> list[str]:
    """Every UI text that is not data content (record and summary texts are Russian data)."""
    out = [ui.tabs.get_title(k) for k in range(4)]
    for dd in [*ui.filters.values(), *ui.table_filters.values(), ui.item_judge, ui.compare_judge]:
        out += [dd.description, *_option_labels(dd)]
    out += [ui.config_count.value, ui.config_summary.value, ui.compare_result.value]
    out += [ui.tables_html.value, ui.full_grid.value, ui.open_item.description]
    out += [*_option_labels(ui.config_list), *_option_labels(ui.disagreement_list)]
    return out


def test_english_ui_has_no_russian_word_and_russian_ui_uses_russian_texts(data, en):
    leaks = [t for t in _chrome(en) if CYRILLIC.search(t)]
    assert not leaks, leaks[:3]
    ru = U.explorer(data, language="ru")
    assert ru.tabs.get_title(1) == UI_TEXTS["tab_item"]["ru"]
    assert ru.filters["criterion"].description == COLUMN_LABELS["criterion"]["ru"]
    assert "Полнота" in _option_labels(ru.filters["criterion"])
    assert "W = " in ru.config_summary.value and "," in ru.config_summary.value  # decimal comma


def test_a_filter_narrows_the_others_and_redraws(en):
    before_forest, before_scatter = en.forest.value, en.scatter.value
    assert len(en.config_list.options) == 17  # LLM configurations only
    assert all("rouge-l" not in label for label in _option_labels(en.config_list))
    assert "rouge-l" not in [v for _, v in en.filters["judge"].options]
    en.filters["judge"].value = "judge-const"
    assert [v for _, v in en.filters["criterion"].options] == [D.ANY, "completeness"]
    assert [v for _, v in en.config_list.options] == [CONST_ID]
    assert en.config_id == CONST_ID
    assert en.forest.value != before_forest and en.scatter.value != before_scatter
    assert en.forest.value[:8] == b"\x89PNG\r\n\x1a\n"
    en.filters["judge"].value = D.ANY
    assert len(en.config_list.options) == 17


def test_a_constant_judge_is_called_degenerate_beside_its_w(en):
    en.config_list.value = CONST_ID
    text = html.unescape(en.config_summary.value)
    assert "W = 0.50" in text and "degenerate judge" in text and "measures nothing" in text
    assert "this run has no validity gate" in text
    assert "rouge-l" in text and "reference lines, not judges" in text
    labels = dict((v, k) for k, v in en.config_list.options)
    assert labels[CONST_ID].endswith("✗ constant scores")
    assert not any("✗" in t for c, t in labels.items() if c != CONST_ID)


def test_open_a_disagreement_in_the_item_view(data, en):
    en.config_list.value = "judge-b|completeness|5|full"
    n_points = int(D.item_table(data, "judge-b|completeness|5|full")["complete"].sum())
    assert len(en.disagreement_list.options) == n_points  # every point, largest first
    assert f"(all {n_points} points of the plot)" in en.disagreement_title.value
    value = en.disagreement_list.options[0][1]
    en.disagreement_list.value = value
    en.open_item.click()
    patient, summarizer = value.split("|")
    assert en.tabs.selected_index == 1
    assert (en.item_patient.value, en.item_summarizer.value, en.item_judge.value) == (
        patient,
        summarizer,
        "judge-b",
    )
    sm = data.summaries
    text = sm[(sm["patient_id"] == patient) & (sm["summarizer"] == summarizer)]["text"].iloc[0]
    assert html.escape(text) in en.item_summary.value
    assert en.item_record.value.count("<details") == 6
    assert "Answers of judge-b in all its configurations" in en.item_answers.value
    assert en.item_answers.value.count("<tr>") == 1 + 8  # header + 8 configurations
    assert "mean" in en.item_experts.value
    en.item_judge.value = "rouge-l"
    assert "rouge-l" in en.item_answers.value


def test_texts_from_the_data_are_escaped(data):
    sm = data.summaries.copy()
    sm.loc[0, "text"] = "<script>alert(1)</script>"
    sneaky = D.build_explore_data(
        grid=data.grid.drop(columns=["row", "config_id", "judge_kind", "valid", "validity_reason"]),
        expert_ratings=data.expert_ratings,
        judge_ratings=data.judge_ratings,
        summaries=sm,
        records=data.records,
    )
    ui = U.explorer(sneaky, language="en")
    ui.show_item(sm.loc[0, "patient_id"], sm.loc[0, "summarizer"])
    assert "<script>" not in ui.item_summary.value
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in ui.item_summary.value


def test_compare_two_configurations_of_one_judge(en):
    en.compare_judge.value = "judge-a"
    a, b = en.compare_a.value, en.compare_b.value
    assert (a.split("|")[-1], b.split("|")[-1]) == ("full", "extremes")
    res = en.compare
    assert res.a == a and res.b == b
    assert "ΔW = B − A" in en.compare_result.value
    assert f"{res.delta_w:.3f}".replace("-", "−") in en.compare_result.value
    assert en.compare_plot.value[:4] == b"\x89PNG"
    assert [v for _, v in en.compare_judge.options] == ["judge-a", "judge-b"]  # >= 2 configs
    en.compare_b.value = a
    assert "Pick two different configurations" in en.compare_result.value


def test_tables_are_compact_say_where_the_full_table_is_and_keep_baselines_apart(data, en):
    labels = dict((v, k) for k, v in en.table_filters["category"].options)
    assert labels[D.ANY] == "(any)" and labels["all"] == "All experts (pooled)"
    shown = html.unescape(en.tables_html.value)
    path = str(data.sources["categories"])
    cats = data.tables["categories"]
    n = int((cats["judge"] != "rouge-l").sum())  # the baseline's rows are listed apart
    assert f"showing 10 of {n} rows; full table: {path}" in shown
    assert "Configuration choice (CV) — Metric baselines" in shown
    en.show_all.value = True
    assert f"showing {n} of {n} rows" in html.unescape(en.tables_html.value)
    en.table_filters["judge"].value = "judge-const"
    assert [v for _, v in en.table_filters["criterion"].options] == [D.ANY, "completeness"]


def test_bad_options_are_refused(data):
    with pytest.raises(ValueError, match="language"):
        U.explorer(data, language="de")
    with pytest.raises(ValueError, match="must be >= 1"):
        U.explorer(data, max_rows=0)
