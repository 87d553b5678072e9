"""The paper's figures, one function each, drawn from tidy tables.

Every function takes tidy :class:`pandas.DataFrame` objects (the columns each
needs are listed in its docstring and checked: a missing column is a
``ValueError`` naming it), a ``language`` (``"ru"`` or ``"en"``) and returns a
:class:`matplotlib.figure.Figure` drawn in :func:`~radjudge.figures.style.figure_style`
at journal column width. Functions never read files: notebook 06 reads
``data/results/`` (:mod:`radjudge.figures.build`) and hands the tables in.

Missing values are shown as missing (a grey hatched cell, a gap), never
filled in. W is on [0, 1]; its colour scale is fixed to [0, 1] so panels and
figures are comparable.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import Normalize, TwoSlopeNorm
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter
from scipy import stats

from radjudge.contracts import CRITERIA, EXPERT_CATEGORIES, GRANULARITIES
from radjudge.figures.labels import LABELS, Language, check_language, label, text
from radjudge.figures.style import (
    OKABE_ITO,
    PALETTE,
    Width,
    color_cycle,
    diverging_cmap,
    figure_size,
    figure_style,
    sequential_cmap,
)

__all__ = [
    "w_heatmap",
    "w_forest",
    "expert_category_panel",
    "score_use",
    "verbosity_bias",
    "self_preference",
    "delta_w_alt_test",
]

_NA_HATCH = "////"
_NA_COLOR = "#EEEEEE"


def _require(df: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{name} lacks column(s) {missing}; it needs {list(columns)} and has {list(df.columns)}"
        )
    if df.empty:
        raise ValueError(f"{name} is empty: there is nothing to plot")


def _ordered(values: Iterable[Any], order: Sequence[str] = ()) -> list[Any]:
    present = list(dict.fromkeys(values))
    first = [v for v in order if v in present]
    rest = sorted((v for v in present if v not in order), key=str)
    return first + rest


def _fmt(x: float, language: Language, digits: int = 2) -> str:
    if x is None or not np.isfinite(x):
        return "–"
    if round(x, digits) == 0:
        x = 0.0  # no "−0,00"
    s = f"{x:.{digits}f}".replace("-", "−")
    return s.replace(".", ",") if language == "ru" else s


def _decimal_ticks(ax: Any, axis: str, language: Language) -> None:
    """Russian typography: decimal comma on a numeric axis."""
    if language != "ru":
        return
    fmt = FuncFormatter(lambda v, _pos: f"{v:g}".replace(".", ",").replace("-", "−"))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(fmt)


def _ci_text(lo: float, hi: float, language: Language) -> str:
    sep = "; " if language == "ru" else ", "
    return f"[{_fmt(lo, language)}{sep}{_fmt(hi, language)}]"


def _text_color(value: float, cmap: Any, norm: Any) -> str:
    r, g, b, _ = cmap(norm(value))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def _na_cell(ax: Any, x: float, y: float) -> None:
    ax.add_patch(
        Rectangle(
            (x - 0.5, y - 0.5),
            1,
            1,
            facecolor=_NA_COLOR,
            hatch=_NA_HATCH,
            edgecolor="#BBBBBB",
            linewidth=0,
        )
    )


def _judge_colors(judges: Sequence[str]) -> dict[str, str]:
    if len(judges) <= len(PALETTE):
        return dict(zip(judges, color_cycle(len(judges)), strict=True))
    # More judges than colours: cycle; markers then tell them apart.
    return {j: PALETTE[i % len(PALETTE)] for i, j in enumerate(judges)}


_MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*")


def _without_reference_lines(df: pd.DataFrame) -> pd.DataFrame:
    """Configurations with a scale: metric judges (reference lines, no scale) are not drawn here."""
    if "scale" not in df.columns:
        return df
    return df[df["scale"].notna()]


def w_heatmap(
    w: pd.DataFrame,
    *,
    language: Language = "ru",
    annotate: bool = True,
    width: Width = "double",
) -> plt.Figure:
    """Heatmaps of Kendall's W: criterion x (scale x granularity), one panel per judge.

    Parameters
    ----------
    w : DataFrame
        One row per configuration, columns ``judge, criterion, scale, granularity,
        w, ci_low, ci_high`` (W of the judge with the expert panel and its
        confidence interval). Duplicate configurations are an error; rows
        without a scale (metric reference lines) are not drawn.
    language : {"ru", "en"}, default "ru"
    annotate : bool, default True
        Write W and its CI in each cell.
    width : {"single", "double"}, default "double"

    Returns
    -------
    matplotlib.figure.Figure
        One row of panels per judge, a shared [0, 1] colour bar. A configuration
        missing from ``w`` (or with W = NaN) is a grey hatched cell.

    Raises
    ------
    ValueError
        Missing columns, empty table, duplicate configurations, bad language.
    """
    check_language(language)
    cols = ["judge", "criterion", "scale", "granularity", "w", "ci_low", "ci_high"]
    _require(w, cols, "w")
    w = _without_reference_lines(w)
    keys = ["judge", "criterion", "scale", "granularity"]
    dup = w.duplicated(keys)
    if dup.any():
        first = w.loc[dup, keys].iloc[0].to_dict()
        raise ValueError(
            f"w has {int(dup.sum())} duplicate configuration(s), e.g. {first}; "
            "filter to one design/statistic before plotting"
        )
    judges = _ordered(w["judge"])
    criteria = _ordered(w["criterion"], CRITERIA)
    scales = sorted(int(s) for s in w["scale"].unique())
    grans = _ordered(w["granularity"], GRANULARITIES)
    columns = [(s, g) for s in scales for g in grans]
    cmap, norm = sequential_cmap(), Normalize(0.0, 1.0)
    n = len(judges)
    panel_h = 10 + 7.5 * len(criteria)
    with figure_style():
        fig, axes = plt.subplots(
            n,
            1,
            figsize=figure_size(width, height_mm=panel_h * n + 14),
            squeeze=False,
        )
        lookup = w.set_index(keys)
        for p, (ax, judge) in enumerate(zip(axes[:, 0], judges, strict=True)):
            grid = np.full((len(criteria), len(columns)), np.nan)
            for i, c in enumerate(criteria):
                for j, (s, g) in enumerate(columns):
                    key = (judge, c, s, g)
                    if key in lookup.index:
                        grid[i, j] = float(lookup.loc[key, "w"])
            ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, norm=norm, aspect="auto")
            for i, c in enumerate(criteria):
                for j, (s, g) in enumerate(columns):
                    value = grid[i, j]
                    if not np.isfinite(value):
                        _na_cell(ax, j, i)
                        continue
                    if annotate:
                        row = lookup.loc[(judge, c, s, g)]
                        ax.text(
                            j,
                            i - 0.12,
                            _fmt(value, language),
                            ha="center",
                            va="center",
                            fontsize=6,
                            color=_text_color(value, cmap, norm),
                        )
                        ax.text(
                            j,
                            i + 0.22,
                            _ci_text(row["ci_low"], row["ci_high"], language),
                            ha="center",
                            va="center",
                            fontsize=4.3,
                            color=_text_color(value, cmap, norm),
                        )
            ax.set_yticks(range(len(criteria)), [label("criterion", c, language) for c in criteria])
            ax.set_xticks(
                range(len(columns)),
                [label("granularity", g, language) for _, g in columns] if p == n - 1 else [],
                rotation=30,
                ha="right",
                rotation_mode="anchor",
            )
            for k in range(1, len(scales)):
                ax.axvline(k * len(grans) - 0.5, color="white", linewidth=2.0)
            for k, s in enumerate(scales):
                ax.text(
                    (k + 0.5) * len(grans) - 0.5,
                    -0.62,
                    text("scale_points", language, n=s),
                    ha="center",
                    va="bottom",
                    fontsize=6.5,
                )
            ax.set_title(f"{text('judge', language)}: {judge}", loc="left", pad=14)
            ax.tick_params(length=0)
            for spine in ax.spines.values():
                spine.set_visible(False)
            ax.set_xlim(-0.5, len(columns) - 0.5)
            ax.set_ylim(len(criteria) - 0.5, -0.5)
        cbar = fig.colorbar(
            plt.cm.ScalarMappable(norm=norm, cmap=cmap),
            ax=axes[:, 0],
            location="right",
            shrink=min(1.0, 60 / (panel_h * n)),
            pad=0.01,
            aspect=25,
        )
        cbar.set_label(text("kendall_w", language))
        cbar.outline.set_visible(False)
        _decimal_ticks(cbar.ax, "y", language)
    return fig


def w_forest(
    w: pd.DataFrame,
    *,
    language: Language = "ru",
    reference: pd.DataFrame | None = None,
    ncols: int = 3,
) -> plt.Figure:
    """Forest plot of W with bootstrap CIs for every configuration, faceted by criterion.

    Parameters
    ----------
    w : DataFrame
        Columns ``judge, criterion, scale, granularity, w, ci_low, ci_high``.
    language : {"ru", "en"}, default "ru"
    reference : DataFrame, optional
        Columns ``criterion, w``: a reference W per criterion (e.g. the expert
        panel's own W), drawn as a dashed vertical line.
    ncols : int, default 3
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure
        Rows within a panel are (scale, granularity); judges are dodged and
        coloured; points are W, bars the CI. NaN W leaves a gap.
    """
    check_language(language)
    _require(w, ["judge", "criterion", "scale", "granularity", "w", "ci_low", "ci_high"], "w")
    w = _without_reference_lines(w)
    if reference is not None:
        _require(reference, ["criterion", "w"], "reference")
    if ncols < 1:
        raise ValueError(f"ncols={ncols}: need at least one panel per row")
    judges = _ordered(w["judge"])
    criteria = _ordered(w["criterion"], CRITERIA)
    scales = sorted(int(s) for s in w["scale"].unique())
    grans = _ordered(w["granularity"], GRANULARITIES)
    rows = [(s, g) for s in scales for g in grans]
    colors = _judge_colors(judges)
    ncols = min(ncols, len(criteria))
    nrows = math.ceil(len(criteria) / ncols)
    dodge = 0.6 / max(len(judges), 1)
    with figure_style():
        fig, axes = plt.subplots(
            nrows,
            ncols,
            sharex=True,
            sharey=True,
            squeeze=False,
            figsize=figure_size("double", height_mm=nrows * (14 + 5.2 * len(rows)) + 12),
        )
        for k, ax in enumerate(axes.flat):
            if k >= len(criteria):
                ax.set_visible(False)
                continue
            crit = criteria[k]
            sub = w[w["criterion"] == crit]
            for jj, judge in enumerate(judges):
                d = sub[sub["judge"] == judge]
                ys, xs, lo, hi = [], [], [], []
                for r, (s, g) in enumerate(rows):
                    m = d[(d["scale"].astype(int) == s) & (d["granularity"] == g)]
                    if m.empty or not np.isfinite(float(m["w"].iloc[0])):
                        continue
                    ys.append(r + (jj - (len(judges) - 1) / 2) * dodge)
                    xs.append(float(m["w"].iloc[0]))
                    lo.append(float(m["ci_low"].iloc[0]))
                    hi.append(float(m["ci_high"].iloc[0]))
                xs_a, lo_a, hi_a = np.array(xs), np.array(lo), np.array(hi)
                ax.errorbar(
                    xs_a,
                    ys,
                    xerr=np.vstack([xs_a - lo_a, hi_a - xs_a]) if xs else None,
                    fmt=_MARKERS[jj % len(_MARKERS)],
                    color=colors[judge],
                    markersize=2.8,
                    elinewidth=0.8,
                    label=judge if k == 0 else None,
                )
            if reference is not None:
                ref = reference.loc[reference["criterion"] == crit, "w"]
                if len(ref) and np.isfinite(float(ref.iloc[0])):
                    ax.axvline(
                        float(ref.iloc[0]), color=OKABE_ITO["black"], linestyle="--", linewidth=0.7
                    )
            for r in range(len(rows)):
                if r % 2 == 0:
                    ax.axhspan(r - 0.5, r + 0.5, color="#F3F3F3", zorder=0, linewidth=0)
            for b in range(1, len(scales)):
                ax.axhline(b * len(grans) - 0.5, color="#999999", linewidth=0.5)
            ax.set_title(label("criterion", crit, language), loc="left")
            ax.set_xlim(0, 1)
            ax.grid(axis="x")
            _decimal_ticks(ax, "x", language)
        ylabels = [f"{s}: {label('granularity', g, language)}" for s, g in rows]
        for ax in axes[:, 0]:
            ax.set_yticks(range(len(rows)), ylabels)
            ax.set_ylim(len(rows) - 0.5, -0.5)
            ax.set_ylabel(f"{text('scale', language)}: {text('granularity', language).lower()}")
        for ax in axes[-1, :]:
            ax.set_xlabel(f"{text('kendall_w', language)} ({text('ci95', language)})")
        handles, labels_ = axes.flat[0].get_legend_handles_labels()
        fig.legend(
            handles,
            labels_,
            title=text("judge", language),
            loc="outside lower center",
            ncols=min(len(judges), 4),
        )
    return fig


def expert_category_panel(
    categories: pd.DataFrame,
    *,
    language: Language = "ru",
) -> plt.Figure:
    """Expert categories: W within and across categories (a), judges vs each category (b).

    Parameters
    ----------
    categories : DataFrame
        The ``categories`` table of notebook 05
        (:func:`radjudge.concordance.analysis.category_concordance`): columns
        ``design, criterion, category, w, ci_low, ci_high`` and, for the
        ``judge_vs_category`` rows, ``judge``. Designs used:
        ``experts_all`` (W among all experts), ``experts_within`` (among the
        experts of one category), ``categories_across`` (among the category
        consensuses) and ``judge_vs_category`` (a judge configuration vs one
        category's consensus).
    language : {"ru", "en"}, default "ru"

    Returns
    -------
    matplotlib.figure.Figure
        Double column. (a) per criterion: W within each category, among all
        experts and across category consensuses, with CIs. (b) per category:
        the W of every judge configuration against that category's consensus
        (box: quartiles; points: configurations), one colour per judge.
    """
    check_language(language)
    _require(
        categories, ["design", "criterion", "category", "w", "ci_low", "ci_high"], "categories"
    )
    known = {"experts_all", "experts_within", "categories_across", "judge_vs_category"}
    unknown = set(categories["design"]) - known
    if unknown:
        raise ValueError(
            f"categories.design has unknown value(s) {sorted(unknown)}; expected {sorted(known)}"
        )
    within = categories[categories["design"] == "experts_within"]
    vs_cat = categories[categories["design"] == "judge_vs_category"]
    if not vs_cat.empty and "judge" not in categories.columns:
        raise ValueError("categories has judge_vs_category rows but no 'judge' column")
    cats = _ordered(pd.concat([within["category"], vs_cat["category"]]), EXPERT_CATEGORIES)
    criteria = _ordered(categories["criterion"], CRITERIA)
    series: list[tuple[str, pd.DataFrame, str, str]] = []
    colors = _judge_colors(cats)
    for k, cat in enumerate(cats):
        series.append(
            (
                label("category", cat, language),
                within[within["category"] == cat],
                colors[cat],
                _MARKERS[k % len(_MARKERS)],
            )
        )
    for design, key, color, marker in (
        ("experts_all", "all", OKABE_ITO["black"], "_"),
        ("categories_across", "across", "#777777", "x"),
    ):
        d = categories[categories["design"] == design]
        if not d.empty:
            name = label("category", "all", language) if key == "all" else text("between", language)
            series.append((name, d, color, marker))
    dodge = 0.75 / max(len(series), 1)
    with figure_style():
        fig, (ax_a, ax_b) = plt.subplots(
            1,
            2,
            figsize=figure_size("double", height_mm=72),
            width_ratios=[1.6, 1],
        )
        for k, (name, d, color, marker) in enumerate(series):
            d = d.drop_duplicates("criterion").set_index("criterion")
            cs = [c for c in criteria if c in d.index and np.isfinite(float(d.loc[c, "w"]))]
            if not cs:
                continue
            xs = [criteria.index(c) + (k - (len(series) - 1) / 2) * dodge for c in cs]
            y = d.loc[cs, "w"].to_numpy(float)
            err = np.vstack(
                [y - d.loc[cs, "ci_low"].to_numpy(float), d.loc[cs, "ci_high"].to_numpy(float) - y]
            )
            ax_a.errorbar(
                xs, y, yerr=err, fmt=marker, color=color, markersize=3.2, elinewidth=0.8, label=name
            )
        ax_a.set_xticks(
            range(len(criteria)),
            [label("criterion", c, language) for c in criteria],
            rotation=30,
            ha="right",
            rotation_mode="anchor",
        )
        ax_a.set_ylim(0, 1)
        ax_a.set_ylabel(text("kendall_w", language))
        ax_a.grid(axis="y")
        ax_a.legend(loc="lower left", ncols=3, fontsize=5.5, handletextpad=0.2, columnspacing=0.8)
        ax_a.set_title(f"a   {text('experts_agreement', language)}", loc="left")
        _decimal_ticks(ax_a, "y", language)

        judges = _ordered(vs_cat["judge"]) if not vs_cat.empty else []
        jcolors = _judge_colors(judges)
        width = 0.7 / max(len(judges), 1)
        for jj, judge in enumerate(judges):
            data, pos = [], []
            for i, cat in enumerate(cats):
                v = vs_cat.loc[(vs_cat["judge"] == judge) & (vs_cat["category"] == cat), "w"]
                v = v.to_numpy(float)
                v = v[np.isfinite(v)]
                if v.size:
                    data.append(v)
                    pos.append(i + (jj - (len(judges) - 1) / 2) * width)
            if not data:
                continue
            ax_b.boxplot(
                data,
                positions=pos,
                widths=width * 0.8,
                showfliers=False,
                patch_artist=True,
                manage_ticks=False,
                boxprops={"facecolor": "white", "edgecolor": jcolors[judge]},
                medianprops={"color": jcolors[judge]},
                whiskerprops={"color": jcolors[judge]},
                capprops={"color": jcolors[judge]},
            )
            for p, v in zip(pos, data, strict=True):
                jitter = (np.arange(v.size) % 7 - 3) * width * 0.06
                ax_b.scatter(
                    p + jitter, v, s=3, color=jcolors[judge], alpha=0.7, linewidths=0, zorder=3
                )
            ax_b.plot([], [], "s", color=jcolors[judge], label=judge)
        ax_b.set_xticks(
            range(len(cats)),
            [label("category", c, language) for c in cats],
            rotation=30,
            ha="right",
            rotation_mode="anchor",
        )
        ax_b.set_xlim(-0.6, len(cats) - 0.4)
        ax_b.set_ylabel(text("kendall_w", language))
        ax_b.grid(axis="y")
        ax_b.set_title(f"b   {text('judge_vs_category', language)}", loc="left")
        if judges:
            ax_b.legend(
                title=text("judge", language),
                loc="upper left",
                bbox_to_anchor=(1.0, 1.0),
                fontsize=5.5,
            )
        _decimal_ticks(ax_b, "y", language)
    return fig


def score_use(
    counts: pd.DataFrame,
    *,
    language: Language = "ru",
) -> plt.Figure:
    """Which points of each scale each judge and each expert category uses.

    Parameters
    ----------
    counts : DataFrame
        Columns ``rater_kind`` (``"judge"`` or ``"expert"``), ``rater`` (judge
        name or expert category), ``scale``, ``score``, ``n`` (number of valid
        ratings with that score). Scores outside 1..scale are an error.
    language : {"ru", "en"}, default "ru"

    Returns
    -------
    matplotlib.figure.Figure
        Rows: scales; columns: raters (judges, then expert categories); bars:
        share of the rater's ratings on each point. Unused points show as empty
        bars, so a judge that only says "4" is obvious.
    """
    check_language(language)
    _require(counts, ["rater_kind", "rater", "scale", "score", "n"], "counts")
    bad_kind = set(counts["rater_kind"]) - {"judge", "expert"}
    if bad_kind:
        raise ValueError(f"counts.rater_kind has {sorted(bad_kind)}; use 'judge' or 'expert'")
    sc = counts["score"].astype(int)
    out = (sc < 1) | (sc > counts["scale"].astype(int))
    if out.any():
        raise ValueError(
            f"counts has {int(out.sum())} score(s) outside 1..scale, "
            f"e.g. row {counts.index[out][0]}; invalid answers are statuses, not scores"
        )
    judges = _ordered(counts.loc[counts["rater_kind"] == "judge", "rater"])
    experts = _ordered(counts.loc[counts["rater_kind"] == "expert", "rater"], EXPERT_CATEGORIES)
    raters = [("judge", r) for r in judges] + [("expert", r) for r in experts]
    scales = sorted(int(s) for s in counts["scale"].unique())
    kind_color = {"judge": OKABE_ITO["blue"], "expert": OKABE_ITO["vermillion"]}
    with figure_style():
        fig, axes = plt.subplots(
            len(scales),
            len(raters),
            sharey=True,
            squeeze=False,
            figsize=figure_size("double", height_mm=16 + 24 * len(scales)),
        )
        for r, scale in enumerate(scales):
            for c, (kind, rater) in enumerate(raters):
                ax = axes[r, c]
                d = counts[
                    (counts["rater_kind"] == kind)
                    & (counts["rater"] == rater)
                    & (counts["scale"].astype(int) == scale)
                ]
                points = np.arange(1, scale + 1)
                n = d.groupby(d["score"].astype(int))["n"].sum().reindex(points, fill_value=0)
                total = n.sum()
                if total == 0:
                    ax.text(0.5, 0.5, "–", transform=ax.transAxes, ha="center", va="center")
                else:
                    ax.bar(points, n.to_numpy() / total, width=0.8, color=kind_color[kind])
                    ax.text(
                        0.98,
                        0.95,
                        f"n={total}",
                        transform=ax.transAxes,
                        ha="right",
                        va="top",
                        fontsize=5,
                    )
                ax.set_xticks(points)
                ax.tick_params(axis="x", labelsize=6.5 if scale <= 5 else 5, length=1.5)
                _decimal_ticks(ax, "y", language)
                ax.set_xlim(0.4, scale + 0.6)
                ax.set_ylim(0, 1)
                ax.grid(axis="y")
                if r == 0:
                    name = rater if kind == "judge" else label("category", rater, language)
                    # long judge names ("smollm2-logprobs") break at the hyphen so neighbours never
                    # overlap
                    ax.set_title(
                        name.replace("-", "-\n", 1) if len(raters) > 6 and len(name) > 12 else name,
                        fontsize=6.5,
                        color=kind_color[kind],
                    )
                if c == 0:
                    ax.set_ylabel(
                        f"{text('scale_points', language, n=scale)}\n{text('share', language)}"
                    )
        fig.supxlabel(text("score", language), fontsize=7)
        handles = [Rectangle((0, 0), 1, 1, color=kind_color[k]) for k in ("judge", "expert")]
        fig.legend(
            handles,
            [label("rater_kind", k, language) for k in ("judge", "expert")],
            loc="outside upper right",
            ncols=2,
        )
    return fig


def verbosity_bias(
    scores: pd.DataFrame,
    *,
    language: Language = "ru",
    ncols: int = 3,
) -> plt.Figure:
    """Judge score vs summary length, one panel per rater, with Spearman rho.

    Parameters
    ----------
    scores : DataFrame
        One row per (rater, summary): columns ``rater`` (judge name, or an
        expert label for a reference panel), ``summary_length`` (characters),
        ``score_norm`` (mean score rescaled to [0, 1]: (score - 1) / (scale - 1),
        averaged over criteria and configurations) and optionally ``summarizer``
        (colours the points).
    language : {"ru", "en"}, default "ru"
    ncols : int, default 3

    Returns
    -------
    matplotlib.figure.Figure
        Scatter + least-squares line per panel; the title gives Spearman's rho
        of length vs score (NaN with fewer than 3 points or constant values).
    """
    check_language(language)
    _require(scores, ["rater", "summary_length", "score_norm"], "scores")
    raters = _ordered(scores["rater"])
    # Reference panels of human raters go last.
    raters = [r for r in raters if r not in LABELS["category"]] + [
        r for r in raters if r in LABELS["category"]
    ]
    has_summ = "summarizer" in scores.columns
    summarizers = _ordered(scores["summarizer"]) if has_summ else []
    colors = _judge_colors(summarizers) if has_summ else {}
    ncols = min(ncols, len(raters))
    nrows = math.ceil(len(raters) / ncols)
    with figure_style():
        fig, axes = plt.subplots(
            nrows,
            ncols,
            sharex=True,
            sharey=True,
            squeeze=False,
            figsize=figure_size("double" if ncols > 1 else "single", height_mm=12 + 45 * nrows),
        )
        for k, ax in enumerate(axes.flat):
            if k >= len(raters):
                ax.set_visible(False)
                continue
            d = scores[scores["rater"] == raters[k]].dropna(subset=["summary_length", "score_norm"])
            x, y = d["summary_length"].to_numpy(float), d["score_norm"].to_numpy(float)
            if has_summ:
                for s in summarizers:
                    m = d["summarizer"] == s
                    ax.scatter(
                        x[m],
                        y[m],
                        s=6,
                        color=colors[s],
                        alpha=0.8,
                        linewidths=0,
                        label=s if k == 0 else None,
                    )
            else:
                ax.scatter(x, y, s=6, color=PALETTE[0], alpha=0.8, linewidths=0)
            rho = np.nan
            if len(x) >= 3 and np.ptp(x) > 0 and np.ptp(y) > 0:
                rho = stats.spearmanr(x, y).statistic
                slope, intercept = np.polyfit(x, y, 1)
                xx = np.linspace(x.min(), x.max(), 2)
                ax.plot(xx, intercept + slope * xx, color="black", linewidth=0.8)
            ax.set_title(label("category", raters[k], language), loc="left")
            ax.text(
                0.03,
                0.97,
                f"{text('rho', language)} = {_fmt(rho, language)}",
                transform=ax.transAxes,
                ha="left",
                va="top",
                fontsize=6.5,
            )
            _decimal_ticks(ax, "y", language)
            ax.set_ylim(-0.05, 1.05)
            ax.grid(True)
        for ax in axes[-1, :]:
            ax.set_xlabel(text("summary_length", language))
        for ax in axes[:, 0]:
            ax.set_ylabel(text("judge_score", language))
        if has_summ:
            fig.legend(
                title=text("summarizer", language),
                loc="outside lower center",
                ncols=min(len(summarizers), 6),
                markerscale=2,
            )
    return fig


def self_preference(
    matrix: pd.DataFrame,
    *,
    language: Language = "ru",
) -> plt.Figure:
    """Judge x summarizer matrix: does a judge favour its own summaries?

    Parameters
    ----------
    matrix : DataFrame
        One row per (judge, summarizer): ``judge``, ``summarizer``,
        ``judge_score_norm`` (judge's mean score on [0, 1]), ``is_self`` (bool:
        the judge and the summarizer are the same model), and optionally
        ``expert_score_norm`` (the experts' mean on [0, 1] for that summarizer).
    language : {"ru", "en"}, default "ru"

    Returns
    -------
    matplotlib.figure.Figure
        With ``expert_score_norm``: cells are judge - experts on a diverging
        scale centred at 0 (self-preference = a warm framed cell); without it,
        the judge's mean on [0, 1]. Self cells are framed in black.
    """
    check_language(language)
    _require(matrix, ["judge", "summarizer", "judge_score_norm", "is_self"], "matrix")
    if matrix.duplicated(["judge", "summarizer"]).any():
        raise ValueError("matrix has duplicate (judge, summarizer) rows; aggregate first")
    judges = _ordered(matrix["judge"])
    summs = _ordered(matrix["summarizer"])
    relative = "expert_score_norm" in matrix.columns
    value = (
        (matrix["judge_score_norm"] - matrix["expert_score_norm"])
        if relative
        else matrix["judge_score_norm"]
    )
    m = matrix.assign(_v=value.astype(float)).set_index(["judge", "summarizer"])
    grid = np.full((len(judges), len(summs)), np.nan)
    self_cells = []
    for i, j_ in enumerate(judges):
        for k, s in enumerate(summs):
            if (j_, s) in m.index:
                grid[i, k] = m.loc[(j_, s), "_v"]
                if bool(m.loc[(j_, s), "is_self"]):
                    self_cells.append((i, k))
    if relative:
        lim = np.nanmax(np.abs(grid)) if np.isfinite(grid).any() else 1.0
        lim = max(lim, 1e-6)
        cmap = diverging_cmap()
        norm: Normalize = TwoSlopeNorm(0.0, -lim, lim)
    else:
        cmap, norm = sequential_cmap(), Normalize(0.0, 1.0)
    with figure_style():
        fig, ax = plt.subplots(figsize=figure_size("single", height_mm=30 + 7 * len(judges)))
        ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, norm=norm, aspect="auto")
        for i in range(len(judges)):
            for k in range(len(summs)):
                if np.isfinite(grid[i, k]):
                    s = _fmt(grid[i, k], language)
                    if relative and round(grid[i, k], 2) > 0:
                        s = "+" + s
                    ax.text(
                        k,
                        i,
                        s,
                        ha="center",
                        va="center",
                        fontsize=5.5,
                        color=_text_color(grid[i, k], cmap, norm),
                    )
                else:
                    _na_cell(ax, k, i)
        for i, k in self_cells:
            ax.add_patch(
                Rectangle((k - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="black", linewidth=1.4)
            )
        ax.set_xticks(range(len(summs)), summs, rotation=35, ha="right", rotation_mode="anchor")
        ax.set_yticks(range(len(judges)), judges)
        ax.set_xlabel(text("summarizer", language))
        ax.set_ylabel(text("judge", language))
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        cbar = fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, pad=0.02)
        cbar.set_label(text("self_bias" if relative else "mean_score_norm", language))
        cbar.outline.set_visible(False)
        _decimal_ticks(cbar.ax, "y", language)
        if self_cells:
            ax.set_title(text("self_marker", language), loc="left", fontweight="normal", fontsize=6)
    return fig


def delta_w_alt_test(
    panel: pd.DataFrame,
    alt: pd.DataFrame,
    *,
    selected: pd.DataFrame | None = None,
    language: Language = "ru",
    threshold: float = 0.5,
) -> plt.Figure:
    """ΔW (does the judge fit into the expert panel?) and the alt-test, for every configuration.

    Parameters
    ----------
    panel : DataFrame
        The ``panel_fit`` table of notebook 05: ``judge, criterion, delta_w,
        ci_low, ci_high`` (+ other configuration columns), ΔW = W(experts +
        judge) - W(experts) with its paired bootstrap CI.
    alt : DataFrame
        The ``alt_test`` table: ``judge, criterion, winning_rate, passed``
        (+ configuration columns), the Alternative Annotator Test (Calderon et al. 2025).
    selected : DataFrame, optional
        The ``selection`` table: one configuration per (judge, criterion),
        chosen by cross-validation over patients; those configurations are
        drawn large with their CI (ΔW) and the others as small grey points.
        Without it every configuration is drawn alike.
    language : {"ru", "en"}, default "ru"
    threshold : float, default 0.5
        Winning rate needed to pass (Calderon et al.: 0.5), drawn as a line.

    Returns
    -------
    matplotlib.figure.Figure
        (a) ΔW per criterion, judges dodged, zero line; (b) winning rate per
        criterion; filled markers pass the test, open ones do not.
    """
    check_language(language)
    _require(panel, ["judge", "criterion", "delta_w", "ci_low", "ci_high"], "panel")
    _require(alt, ["judge", "criterion", "winning_rate", "passed"], "alt")
    if not 0 < threshold < 1:
        raise ValueError(f"threshold={threshold}: must lie in (0, 1)")
    panel, alt = _without_reference_lines(panel), _without_reference_lines(alt)
    cfg = [
        c
        for c in ("judge", "criterion", "scale", "granularity")
        if c in panel.columns and c in alt.columns
    ]
    judges = _ordered(pd.concat([panel["judge"], alt["judge"]]))
    criteria = _ordered(pd.concat([panel["criterion"], alt["criterion"]]), CRITERIA)
    colors = _judge_colors(judges)
    dodge = 0.7 / max(len(judges), 1)

    def is_selected(df: pd.DataFrame) -> np.ndarray:
        if selected is None:
            return np.ones(len(df), dtype=bool)
        keys = [c for c in cfg if c in selected.columns]
        _require(selected, keys, "selected")

        def key(frame: pd.DataFrame) -> pd.Series:
            # 5 and 5.0 are one scale: a column with a missing value is float
            as_text = frame[keys].map(
                lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
            )
            return as_text.agg("|".join, axis=1)

        # a judge whose selection is undefined (no fold could choose) has no selected row
        sel = key(selected.dropna(subset=keys))
        return key(df).isin(set(sel)).to_numpy()

    panel = panel.assign(_sel=is_selected(panel))
    alt = alt.assign(_sel=is_selected(alt))
    rng = np.random.default_rng(0)  # fixed jitter: figures are reproducible
    with figure_style():
        fig, (ax_a, ax_b) = plt.subplots(1, 2, figsize=figure_size("double", height_mm=70))
        for jj, judge in enumerate(judges):
            off = (jj - (len(judges) - 1) / 2) * dodge
            mk = _MARKERS[jj % len(_MARKERS)]
            for ax, d, ycol in ((ax_a, panel, "delta_w"), (ax_b, alt, "winning_rate")):
                d = d[(d["judge"] == judge) & d["criterion"].isin(criteria)]
                x = d["criterion"].map(criteria.index).to_numpy(float) + off
                y = d[ycol].to_numpy(float)
                sel = d["_sel"].to_numpy(bool)
                if selected is not None:
                    jit = rng.uniform(-dodge * 0.3, dodge * 0.3, size=x.size)
                    ax.scatter(
                        x[~sel] + jit[~sel], y[~sel], s=3, color="#AAAAAA", linewidths=0, zorder=1
                    )
                if ycol == "delta_w":
                    lo = d["ci_low"].to_numpy(float)[sel]
                    hi = d["ci_high"].to_numpy(float)[sel]
                    ax.errorbar(
                        x[sel],
                        y[sel],
                        yerr=np.vstack([y[sel] - lo, hi - y[sel]]),
                        fmt=mk,
                        color=colors[judge],
                        markersize=3.2,
                        elinewidth=0.8,
                        label=judge,
                        zorder=3,
                    )
                else:
                    passed = d["passed"].astype(bool).to_numpy() & sel
                    failed = ~d["passed"].astype(bool).to_numpy() & sel
                    ax.scatter(x[passed], y[passed], marker=mk, s=16, color=colors[judge], zorder=3)
                    ax.scatter(
                        x[failed],
                        y[failed],
                        marker=mk,
                        s=16,
                        facecolor="white",
                        edgecolor=colors[judge],
                        linewidths=0.8,
                        zorder=3,
                    )
        ax_a.axhline(0, color="black", linewidth=0.6)
        ax_a.set_ylabel("ΔW")
        ax_a.set_title(f"a   {text('delta_w', language)}", loc="left")
        ax_b.axhline(threshold, color="black", linestyle="--", linewidth=0.7)
        ax_b.set_ylim(-0.03, 1.03)
        ax_b.set_ylabel(text("winning_rate", language))
        ax_b.set_title(f"b   ● {text('passes', language)}, ○ {text('fails', language)}", loc="left")
        for ax in (ax_a, ax_b):
            ax.grid(axis="y")
            ax.set_xticks(
                range(len(criteria)),
                [label("criterion", c, language) for c in criteria],
                rotation=30,
                ha="right",
                rotation_mode="anchor",
            )
            _decimal_ticks(ax, "y", language)
        handles, names = ax_a.get_legend_handles_labels()
        if selected is not None:
            handles.append(
                plt.Line2D([], [], marker="o", color="#AAAAAA", linestyle="", markersize=2.5)
            )
            names.append(text("other_configs", language))
        fig.legend(
            handles,
            names,
            title=text("judge_selected" if selected is not None else "judge", language),
            loc="outside lower center",
            ncols=min(len(handles), 6),
        )
    return fig
