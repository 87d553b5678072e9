"""radjudge.figures.plots: each figure from the real analysis tables of notebook 05."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from figure_tables import cached_results  # noqa: E402
from radjudge.figures import build, plots  # noqa: E402


@pytest.fixture(scope="module")
def inputs():
    return build.load_figure_inputs(cached_results()["folders"])


def _texts(fig) -> str:
    return " ".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


@pytest.mark.parametrize("spec", build.PAPER_FIGURE_SPECS, ids=lambda s: s.stem)
@pytest.mark.parametrize("language, word", [("ru", "Судья"), ("en", "Judge")])
def test_every_figure_draws_in_both_languages(inputs, spec, language, word):
    fig = spec.function(
        *(inputs[k] for k in spec.inputs),
        language=language,
        **{a: inputs[k] for a, k in spec.keywords},
    )
    try:
        w_mm = fig.get_size_inches()[0] * 25.4
        assert w_mm == pytest.approx(85) or w_mm == pytest.approx(175)
        texts = _texts(fig)
        other = "en" if language == "ru" else "ru"
        if spec.stem in ("fig4_score_use", "fig5_verbosity"):
            word = {
                "ru": "Балл" if spec.stem == "fig4_score_use" else "Длина",
                "en": "Score" if spec.stem == "fig4_score_use" else "length",
            }[language]
        assert word in texts
        if spec.stem == "fig1_w_heatmap":
            assert {"ru": "Полнота", "en": "Completeness"}[language] in texts
            assert {"ru": "Полнота", "en": "Completeness"}[other] not in texts
    finally:
        plt.close(fig)


def test_heatmap_writes_each_w_and_marks_missing_cells(inputs):
    grid = inputs["grid"].copy()
    grid.loc[grid.index[0], "w"] = np.nan
    fig = plots.w_heatmap(grid, language="en")
    texts = _texts(fig)
    shown = grid.dropna(subset=["w"])
    for w in shown["w"].head(5):
        assert f"{w:.2f}" in texts
    hatched = [p for p in fig.findobj(matplotlib.patches.Rectangle) if p.get_hatch()]
    assert len(hatched) == 1  # the NaN cell, drawn as missing, not as a colour
    plt.close(fig)


def test_decimal_comma_in_russian(inputs):
    fig = plots.w_heatmap(inputs["grid"], language="ru")
    w = inputs["grid"]["w"].iloc[0]
    assert f"{w:.2f}".replace(".", ",") in _texts(fig)
    plt.close(fig)


def test_bad_tables_are_named(inputs):
    with pytest.raises(ValueError, match="ci_low"):
        plots.w_forest(inputs["grid"].drop(columns=["ci_low"]))
    with pytest.raises(ValueError, match="duplicate"):
        plots.w_heatmap(pd.concat([inputs["grid"], inputs["grid"].head(1)]))
    with pytest.raises(ValueError, match="empty"):
        plots.w_heatmap(inputs["grid"].head(0))
    bad = inputs["score_use"].copy()
    bad.loc[bad.index[0], "score"] = 99
    with pytest.raises(ValueError, match="outside 1..scale"):
        plots.score_use(bad)
    with pytest.raises(ValueError, match="design"):
        plots.expert_category_panel(inputs["categories"].assign(design="other"))
    with pytest.raises(ValueError, match="language"):
        plots.w_forest(inputs["grid"], language="de")


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
    assert grey == len(inputs["panel_fit"]) - (len(inputs["selection"]) - 1)
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
    plt.close(fig)
