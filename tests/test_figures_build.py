"""radjudge.figures.build: result tables in, figures + index out."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from figure_tables import cached_results  # noqa: E402
from radjudge.figures import build  # noqa: E402
from radjudge.figures.index import check_figure_index  # noqa: E402


@pytest.fixture(scope="module")
def inputs():
    return build.load_figure_inputs(cached_results()["folders"])


def test_specs_cover_the_paper_figures():
    from radjudge.paper import PAPER_FIGURES

    assert tuple(s.stem for s in build.PAPER_FIGURE_SPECS) == PAPER_FIGURES
    for spec in build.PAPER_FIGURE_SPECS:
        assert set(spec.needs) <= set(build.RESULT_TABLES)
        assert spec.qualname.startswith("radjudge.figures.plots.")


def test_make_figures_writes_and_indexes_each_language(tmp_path, inputs):
    specs = [
        s for s in build.PAPER_FIGURE_SPECS if s.stem in ("fig2_w_forest", "fig7_delta_w_alt_test")
    ]
    written = build.make_figures(
        inputs,
        language="ru",
        also_languages=["en"],
        outdir=tmp_path,
        formats=["pdf", "png"],
        dpi=72,
        specs=specs,
    )
    assert len(written) == 2 * 2 * 2
    assert (tmp_path / "fig2_w_forest.pdf").is_file()
    assert (tmp_path / "en" / "fig2_w_forest.png").is_file()
    index = check_figure_index(tmp_path / "index.csv")  # every listed file exists, non-empty
    assert len(index) == 8
    assert set(index["language"]) == {"ru", "en"}
    assert set(index["notebook"]) == {"06_figures"}
    assert set(index["function"]) == {s.qualname for s in specs}
    assert (index["bytes"] > 0).all()


def test_missing_inputs_and_tables_are_named(tmp_path, inputs):
    partial = {k: v for k, v in inputs.items() if k != "selection"}
    with pytest.raises(ValueError, match="selection"):
        build.make_figures(partial, language="en", outdir=tmp_path)
    with pytest.raises(FileNotFoundError, match="notebook 05"):
        build.read_result_table("grid", tmp_path)
    with pytest.raises(FileNotFoundError, match="notebook 06"):
        build.read_result_table("score_use", tmp_path)
    with pytest.raises(ValueError, match="unknown result table"):
        build.read_result_table("nope")
