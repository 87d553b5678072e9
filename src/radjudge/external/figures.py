"""The external-validation figure: summary-level correlations on SummEval, side by side.

Labelled in the run's language (Russian or English, :mod:`radjudge.figures.labels`), like
every figure of the manuscript. Drawn in the compendium style
(:func:`radjudge.figures.figure_style`: Okabe-Ito colours, journal widths, embedded
fonts) and written with :func:`radjudge.figures.save_figure` (PDF + 300-dpi PNG,
registered in the figure index).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from radjudge.contracts import GRANULARITIES, SUMMEVAL_CRITERIA, Language
from radjudge.figures import OKABE_ITO, PALETTE, figure_style, new_figure
from radjudge.figures.build import FigureSpec
from radjudge.figures.labels import check_language, display_name, label, text
from radjudge.figures.style import decimal_ticks, page_box

__all__ = ["RESULT_KINDS", "SUMMEVAL_FIGURE", "row_label", "plot_summeval_correlations"]

#: ``kind`` values of the results table, in the figure's top-to-bottom order.
RESULT_KINDS = ("published", "metric", "judge")
_KIND_TEXT = {"published": "published_rows", "metric": "this_subset"}


def row_label(row: pd.Series, language: Language = "en") -> str:
    """One line naming a result row: method, and for judges scale and granularity.

    >>> row_label(
    ...     pd.Series({"kind": "judge", "method": "smollm2", "scale": 5, "granularity": "full"})
    ... )
    'SmolLM2 · 1–5 · all points'
    >>> row_label(
    ...     pd.Series({"kind": "published", "method": "G-Eval-4", "scale": None,
    ...                "granularity": None}),
    ...     "ru",
    ... )
    'G-Eval-4 (опубликовано, 100 статей)'
    """
    if row["kind"] == "judge":
        name = display_name("judge", row["method"], language)
        gran = label("granularity", row["granularity"], language)
        return f"{name} · 1–{int(row['scale'])} · {gran}"
    return f"{row['method']} ({text(_KIND_TEXT[row['kind']], language)})"


def plot_summeval_correlations(
    results: pd.DataFrame, *, language: Language = "en", title: str | None = None
) -> Figure:
    """Dot plot of summary-level Spearman rho and Kendall tau per criterion and method.

    Parameters
    ----------
    results : DataFrame
        ``paths.SUMMEVAL_JUDGES``: columns ``kind`` (``published`` | ``metric`` |
        ``judge``), ``method``, ``scale``, ``granularity``, ``criterion``,
        ``spearman``, ``kendall`` and ``spearman_se`` (NaN for published rows).
    language : {"ru", "en"}, default "en"
        Label language.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per criterion; rows are methods (published rows on top, then
        reference metrics on the judged subset, then each judge configuration).
        Filled circle = rho (bar: +-1.96 SE over articles), open square = tau
        (explained in the x label, so nothing overlaps a title).

    Raises
    ------
    ValueError
        A missing column or an unknown ``kind``.
    """
    check_language(language)
    need = [
        "kind",
        "method",
        "scale",
        "granularity",
        "criterion",
        "spearman",
        "kendall",
        "spearman_se",
    ]
    missing = [c for c in need if c not in results.columns]
    if missing:
        raise ValueError(
            f"plot_summeval_correlations: column(s) {missing} missing from the results table"
        )
    bad = sorted(set(results["kind"]) - set(RESULT_KINDS))
    if bad:
        raise ValueError(f"unknown kind(s) {bad}; expected {list(RESULT_KINDS)}")
    df = results.copy()
    df["label"] = df.apply(row_label, axis=1, language=language)
    df["_k"] = df["kind"].map({k: i for i, k in enumerate(RESULT_KINDS)})
    df["_g"] = df["granularity"].map({g: i for i, g in enumerate(GRANULARITIES)})
    order = (
        df.sort_values(["_k", "method", "scale", "_g"], kind="stable", na_position="first")["label"]
        .drop_duplicates()
        .tolist()
    )
    judges = sorted(df.loc[df["kind"] == "judge", "method"].unique())
    judge_colour = {j: PALETTE[i % len(PALETTE)] for i, j in enumerate(judges)}

    def colour(row: pd.Series) -> str:
        if row["kind"] == "published":
            return OKABE_ITO["black"]
        if row["kind"] == "metric":
            return "#7F7F7F"
        return judge_colour[row["method"]]

    criteria = [c for c in SUMMEVAL_CRITERIA if c in set(df["criterion"])]
    y = {lab: i for i, lab in enumerate(order)}
    lows = df["spearman"] - 1.96 * df["spearman_se"].fillna(0)
    x_min = min(
        -0.25, float(np.floor(np.nanmin([lows.min(), df["kendall"].min()]) * 10) / 10) - 0.05
    )
    with figure_style():
        fig, axes = new_figure(
            "double",
            height_mm=min(max(45.0, 12 + 4.2 * len(order)), page_box().max_height_mm),
            ncols=len(criteria),
            sharey=True,
            squeeze=False,
        )
        for ax, crit in zip(axes[0], criteria, strict=True):
            part = df[df["criterion"] == crit]
            ax.axvline(0, color="#999999", lw=0.5)
            for _, row in part.iterrows():
                yy, c = y[row["label"]], colour(row)
                se = row["spearman_se"]
                if np.isfinite(se):
                    ax.plot(
                        [row["spearman"] - 1.96 * se, row["spearman"] + 1.96 * se],
                        [yy, yy],
                        color=c,
                        lw=0.6,
                        alpha=0.7,
                    )
                ax.plot(row["spearman"], yy, "o", color=c, ms=3.2)
                ax.plot(row["kendall"], yy, "s", mfc="white", mec=c, ms=2.8, mew=0.7)
            ax.set_title(label("summeval_criterion", crit, language))
            ax.set_xlim(x_min, 1)
            decimal_ticks(ax, "x", language)
            ax.grid(axis="x")
        fig.supxlabel(text("summeval_axis", language), fontsize=7)
        axes[0][0].set_yticks(range(len(order)), order)
        axes[0][0].invert_yaxis()
        if title:
            fig.suptitle(title)
    return fig


def _summeval_figure_spec() -> Any:
    return FigureSpec(
        "ext_summeval_correlations",
        plot_summeval_correlations,
        ("summeval",),
        (
            "Корреляция с оценками экспертов SummEval на уровне резюме: локальные судьи, ROUGE, "
            "опубликованный G-Eval",
            "Summary-level correlation with the SummEval expert means: local judges, ROUGE, "
            "published G-Eval",
        ),
    )


#: The figure notebook 07 draws, in the run's language and the profile's further ones
#: (:func:`radjudge.figures.build.make_figures` with ``{"summeval": <judge results>}``).
SUMMEVAL_FIGURE = _summeval_figure_spec()
