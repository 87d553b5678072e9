"""radjudge.figures.explore: slicing the results, and the widget UI."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from figure_tables import cached_results  # noqa: E402
from radjudge.figures import build, explore  # noqa: E402


@pytest.fixture(scope="module")
def tables():
    return build.load_figure_inputs(cached_results()["folders"])


def test_filters_slice_every_table_with_the_column(tables):
    out = explore.filter_results(tables, criterion="correctness", scale="5", judge=explore.ALL)
    g = out["grid"]
    # a metric (reference line, no scale) is kept by any scale filter
    llm = g[g["judge_kind"] == "llm"]
    assert len(llm) and set(g["criterion"]) == {"correctness"} and set(llm["scale"]) == {5}
    assert g.loc[g["judge_kind"] == "metric", "scale"].isna().all()
    assert (
        len(llm)
        == ((tables["grid"]["criterion"] == "correctness") & (tables["grid"]["scale"] == 5)).sum()
    )
    cats = out["categories"]
    assert set(cats["criterion"]) == {"correctness"}
    assert cats["scale"].isna().any() and set(cats["scale"].dropna()) == {5}
    assert len(out["score_use"]) < len(tables["score_use"])  # has a scale column
    assert len(out["self_preference"]) == len(tables["self_preference"])  # has neither


def test_options_and_unknown_filter(tables):
    opts = explore.filter_options(tables)
    assert opts["scale"] == [explore.ALL, "3", "5"]
    assert {"radiologist", "clinician"} <= set(opts["category"])
    with pytest.raises(ValueError, match="unknown filter"):
        explore.filter_results(tables, colour="red")


def test_explorer_reacts_to_a_choice(tables):
    ui = explore.explorer(tables, language="en")
    dropdowns = [w for box in ui.children[:2] for w in box.children]
    assert [d.description for d in dropdowns] == list(explore.FILTER_COLUMNS)
    assert len(ui.sliced["grid"]) == len(tables["grid"])
    crit = dropdowns[0]
    crit.value = crit.options[1]
    assert set(ui.sliced["grid"]["criterion"]) == {crit.options[1]}  # redrawn for the choice
