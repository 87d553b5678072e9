"""The external-validation figure (radjudge.external.figures)."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

from radjudge.contracts import SUMMEVAL_CRITERIA
from radjudge.external import published_table
from radjudge.external.figures import plot_summeval_correlations, row_label
from radjudge.figures import save_figure

matplotlib.use("Agg")


def _results() -> pd.DataFrame:
    pub = published_table(("ROUGE-1", "G-Eval-4")).rename(columns={"metric": "method"})
    pub = pub.assign(kind="published", scale=np.nan, granularity=None, spearman_se=np.nan)
    rows = [
        dict(
            kind="judge",
            method="smollm2",
            scale=s,
            granularity=g,
            criterion=c,
            spearman=0.1 * s / 5,
            kendall=0.05,
            spearman_se=0.1,
        )
        for s in (5, 10)
        for g in ("none", "full")
        for c in ("coherence", "relevance")
    ]
    rows += [
        dict(
            kind="metric",
            method="ROUGE-1",
            scale=np.nan,
            granularity=None,
            criterion=c,
            spearman=0.3,
            kendall=0.2,
            spearman_se=0.05,
        )
        for c in ("coherence", "relevance")
    ]
    return pd.concat([pub, pd.DataFrame(rows)], ignore_index=True)


def test_one_panel_per_criterion_rows_in_reading_order(tmp_path):
    fig = plot_summeval_correlations(_results())
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == [c.capitalize() for c in SUMMEVAL_CRITERIA]
    labels = [t.get_text() for t in axes[0].get_yticklabels()]
    assert labels[:3] == [
        "G-Eval-4 (published, 100 articles)",
        "ROUGE-1 (published, 100 articles)",
        "ROUGE-1 (this subset)",
    ]
    assert labels[3:5] == [
        "SmolLM2 · 1–5 · all points",
        "SmolLM2 · 1–5 · no description",
    ]  # granularity order: full first; display names, not ids
    files = save_figure(fig, "ext_test", function="test", outdir=tmp_path)
    assert [p.suffix for p in files] == [".pdf", ".png"] and all(
        p.stat().st_size > 0 for p in files
    )


def test_russian_labels_in_a_russian_run():
    fig = plot_summeval_correlations(_results(), language="ru")
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == [
        "Связность",
        "Согласованность",
        "Беглость",
        "Релевантность",
    ]
    labels = [t.get_text() for t in axes[0].get_yticklabels()]
    assert labels[0] == "G-Eval-4 (опубликовано, 100 статей)"
    assert "SmolLM2 · 1–5 · все баллы" in labels
    assert "корреляция" in fig.get_supxlabel()
    with pytest.raises(ValueError, match="language"):
        plot_summeval_correlations(_results(), language="de")


def test_bad_tables_are_refused():
    with pytest.raises(ValueError, match="spearman_se"):
        plot_summeval_correlations(_results().drop(columns="spearman_se"))
    with pytest.raises(ValueError, match="unknown kind"):
        plot_summeval_correlations(_results().assign(kind="other"))


def test_row_label():
    assert (
        row_label(
            pd.Series({"kind": "metric", "method": "ROUGE-2", "scale": np.nan, "granularity": None})
        )
        == "ROUGE-2 (this subset)"
    )
