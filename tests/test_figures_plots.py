"""radjudge.figures.plots: each figure from the real analysis tables of notebook 05, and from the
result tables of the designs the profiles run (the demo's final grid, the study's twelve judges):
every figure fits the page, draws only what ran, names things for a reader."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from pypdf import PdfReader  # noqa: E402

import figure_tables as T  # noqa: E402
from figure_tables import cached_results  # noqa: E402
from radjudge.figures import build, plots  # noqa: E402
from radjudge.figures.style import outside_canvas, page_box, save_figure  # noqa: E402


@pytest.fixture(scope="module")
def inputs():
    return build.load_figure_inputs(cached_results()["folders"])


DESIGNS = {"demo": T.DEMO_DESIGN, "study": T.STUDY_DESIGN}


@pytest.fixture(scope="module", params=sorted(DESIGNS))
def design(request):
    return request.param, DESIGNS[request.param], T.design_inputs(DESIGNS[request.param])


def _texts(fig) -> str:
    return " ".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


def _draw(spec, inputs, language):
    return spec.function(
        *(inputs[k] for k in spec.inputs),
        language=language,
        **{a: inputs[k] for a, k in spec.keywords},
    )


def _fits_the_page(fig, what: str) -> None:
    box = page_box()
    w_mm, h_mm = (v * 25.4 for v in fig.get_size_inches())
    assert w_mm == pytest.approx(box.column_mm) or w_mm == pytest.approx(box.width_mm), what
    assert h_mm <= box.max_height_mm + 1e-6, what
    assert not outside_canvas(fig), (what, outside_canvas(fig))


#: A word each figure shows, in Russian and English.
WORDS = {
    "fig1_w_heatmap": ("Судья", "Judge"),
    "fig2_w_forest": ("случайный уровень", "chance level"),
    "fig3_expert_categories": ("Судья", "Judge"),
    "fig4_score_use": ("Балл", "Score"),
    "fig5_verbosity": ("Длина", "length"),
    "fig6_self_preference": ("Судья", "Judge"),
    "fig7_delta_w_alt_test": ("Судья", "Judge"),
}


@pytest.mark.parametrize("spec", build.PAPER_FIGURE_SPECS, ids=lambda s: s.stem)
@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_figure_draws_in_both_languages(inputs, spec, language):
    fig = _draw(spec, inputs, language)
    try:
        _fits_the_page(fig, f"{spec.stem} {language}")
        texts = _texts(fig)
        other = "en" if language == "ru" else "ru"
        assert WORDS[spec.stem][0 if language == "ru" else 1] in texts
        assert WORDS[spec.stem][0 if other == "ru" else 1] not in texts
        if spec.stem == "fig1_w_heatmap":
            assert {"ru": "Полнота", "en": "Completeness"}[language] in texts
            assert {"ru": "Полнота", "en": "Completeness"}[other] not in texts
    finally:
        plt.close(fig)


@pytest.mark.parametrize("spec", build.PAPER_FIGURE_SPECS, ids=lambda s: s.stem)
def test_figures_of_the_final_demo_and_the_study_fit_the_page(design, spec, tmp_path):
    """The saved PDF is no larger than the page's text block allows; nothing is cut off."""
    name, plan, tables = design
    for language in ("ru", "en"):
        fig = _draw(spec, tables, language)
        what = f"{spec.stem} {name} {language}"
        _fits_the_page(fig, what)
        texts = _texts(fig)
        # display names only: no internal id of a judge or a summarizer on the figure
        ids = [*plan["judges"], *plan["metrics"], *plan["summarizers"]]
        shown = [i for i in ids if i in texts.split() or f" {i} " in f" {texts} "]
        assert not shown, (what, shown)
        (pdf,) = save_figure(fig, f"t_{spec.stem}", function="t", formats=("pdf",), outdir=tmp_path)
        box = PdfReader(pdf).pages[0].mediabox
        w_mm, h_mm = float(box.width) / 72 * 25.4, float(box.height) / 72 * 25.4
        assert w_mm <= page_box().width_mm + 0.1 and h_mm <= page_box().max_height_mm + 0.1, what


def test_the_heatmap_draws_each_judges_own_design(design):
    """One panel per LLM judge with exactly its criteria and (scale, granularity) columns."""
    name, plan, tables = design
    fig = plots.w_heatmap(tables["grid"], language="en")
    images = [ax.images[0].get_array().shape for ax in fig.axes if ax.images]
    expected = [
        (len(crits), len(scales) * len(grans))
        for _, (crits, scales, grans) in sorted(plan["judges"].items())
    ]
    assert images == expected  # no row, column or panel for a combination that did not run
    texts = _texts(fig)
    for metric in plan["metrics"]:  # reference lines, not heatmap judges
        assert metric not in texts.lower()
    plt.close(fig)


def test_score_use_has_a_panel_per_scale_each_rater_used(design):
    name, plan, tables = design
    fig = plots.score_use(tables["score_use"], language="en")
    used = tables["score_use"][["rater", "scale"]].drop_duplicates()
    assert len([ax for ax in fig.axes if ax.get_visible()]) == len(used)
    plt.close(fig)


def test_heatmap_writes_each_w_and_marks_invalid_and_undefined_cells(inputs):
    grid = inputs["grid"].copy()
    llm = grid.index[grid["judge_kind"] == "llm"]
    grid.loc[llm[0], "w"] = np.nan
    grid.loc[llm[1], "valid"] = False
    fig = plots.w_heatmap(grid, language="en")
    texts = _texts(fig)
    shown = grid.loc[llm].dropna(subset=["w"])
    for w in shown["w"].head(5):
        assert f"{w:.2f}" in texts
    hatched = [p for p in fig.findobj(matplotlib.patches.Rectangle) if p.get_hatch()]
    assert len(hatched) >= 2  # the invalid cells (at least the two made so) are hatched
    assert "failed the validity gate" in texts and "W undefined" in texts
    plt.close(fig)


def test_forest_draws_metrics_and_chance_as_lines_not_as_judges(inputs):
    grid = inputs["grid"]
    metric = grid.loc[grid["judge_kind"] == "metric"].iloc[0]
    fig = plots.w_forest(grid, language="en")
    texts = _texts(fig)
    assert "ROUGE-L (reference metric)" in texts and "chance level" in texts
    vertical = {
        round(float(line.get_xdata()[0]), 6)
        for ax in fig.axes
        for line in ax.get_lines()
        if len(set(np.atleast_1d(line.get_xdata()))) == 1
    }
    assert 0.5 in vertical and round(float(metric["w"]), 6) in vertical
    plt.close(fig)


def test_experts_vs_judges_panel_has_chance_and_metric_lines(inputs):
    fig = plots.expert_category_panel(inputs["categories"], grid=inputs["grid"], language="en")
    ax_b = fig.axes[1]
    assert any(
        np.allclose(line.get_ydata(), 0.5) for line in ax_b.get_lines() if len(line.get_ydata())
    )
    assert "ROUGE-L (reference metric)" in _texts(fig)
    plt.close(fig)


def test_decimal_comma_in_russian(inputs):
    fig = plots.w_heatmap(inputs["grid"], language="ru")
    llm = inputs["grid"][inputs["grid"]["judge_kind"] == "llm"]
    w = llm["w"].dropna().iloc[0]
    assert f"{w:.2f}".replace(".", ",") in _texts(fig)
    plt.close(fig)


def test_bad_tables_are_named(inputs):
    with pytest.raises(ValueError, match="ci_low"):
        plots.w_forest(inputs["grid"].drop(columns=["ci_low"]))
    with pytest.raises(ValueError, match="duplicate"):
        llm = inputs["grid"][inputs["grid"]["judge_kind"] == "llm"]
        plots.w_heatmap(pd.concat([inputs["grid"], llm.head(1)]))
    with pytest.raises(ValueError, match="empty"):
        plots.w_heatmap(inputs["grid"].head(0))
    with pytest.raises(ValueError, match="no LLM judge"):
        plots.w_heatmap(inputs["grid"][inputs["grid"]["judge_kind"] == "metric"])
    bad = inputs["score_use"].copy()
    bad.loc[bad.index[0], "score"] = 99
    with pytest.raises(ValueError, match="outside 1..scale"):
        plots.score_use(bad)
    with pytest.raises(ValueError, match="design"):
        plots.expert_category_panel(inputs["categories"].assign(design="other"))
    with pytest.raises(ValueError, match="language"):
        plots.w_forest(inputs["grid"], language="de")


def test_a_design_too_large_for_a_page_is_refused():
    many = {
        "judges": {f"m{i}-logprobs": T.DEMO_DESIGN["judges"]["gemma3-logprobs"] for i in range(40)},
        "metrics": (),
        "summarizers": ("gold",),
    }
    with pytest.raises(ValueError, match="several figures"):
        plots.w_heatmap(T.design_inputs(many)["grid"])


def test_self_preference_frames_the_self_cells(inputs):
    m = inputs["self_preference"]
    assert m["is_self"].sum() == 2  # smollm2-* judges smollm2, gemma3-* judges gemma3
    fig = plots.self_preference(m, language="en")
    framed = [
        p
        for p in fig.axes[0].patches
        if isinstance(p, matplotlib.patches.Rectangle) and not p.get_fill()
    ]
    assert len(framed) == 2
    plt.close(fig)


def test_delta_w_draws_a_judge_whose_selection_is_undefined(inputs):
    """A judge no cross-validation fold could choose for (NaN keys) has no selected point."""
    sel = inputs["selection"].copy()
    undefined = sel.iloc[[0]].astype(object)
    for c in ("scale", "granularity"):
        undefined[c] = np.nan
    sel = pd.concat([sel.iloc[1:], undefined], ignore_index=True)
    sel["scale"] = sel["scale"].astype(float)  # as read back: a column with a NaN is float
    fig = plots.delta_w_alt_test(
        inputs["panel_fit"], inputs["alt_test"], selected=sel, language="en"
    )
    grey = sum(
        len(c.get_offsets())
        for c in fig.axes[0].collections
        if hasattr(c, "get_offsets")
        and len(c.get_offsets())
        and c.get_facecolor().shape[0]
        and np.allclose(c.get_facecolor()[0][:3], 2 / 3, atol=0.01)
    )
    # metric rows (no scale) are reference lines, never candidate configurations
    n_llm = int(inputs["panel_fit"]["scale"].notna().sum())
    assert n_llm < len(inputs["panel_fit"])
    assert grey == n_llm - (len(inputs["selection"]) - 1)
    plt.close(fig)


def test_delta_w_highlights_the_selected_configurations(inputs):
    fig = plots.delta_w_alt_test(
        inputs["panel_fit"], inputs["alt_test"], selected=inputs["selection"], language="en"
    )
    ax_a = fig.axes[0]
    n_sel = len(inputs["selection"])
    # one errorbar (selected configs) per judge; grey points for the others
    points = sum(
        len(c.get_offsets())
        for c in ax_a.collections
        if hasattr(c, "get_offsets")
        and len(c.get_offsets())
        and c.get_facecolor().shape[0]
        and np.allclose(c.get_facecolor()[0][:3], 2 / 3, atol=0.01)
    )
    drawn = inputs["panel_fit"]["scale"].notna().sum()  # metrics are reference lines, not here
    assert points == drawn - n_sel
    # the legend names the judges drawn in colour only
    legend = " ".join(t.get_text() for t in fig.legends[0].get_texts())
    for judge in set(inputs["panel_fit"]["judge"]) - set(inputs["selection"]["judge"]):
        assert plots.display_name("judge", judge, "en") not in legend
    plt.close(fig)
