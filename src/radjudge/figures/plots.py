"""The paper's figures, one function each, drawn from tidy tables.

Every function takes tidy :class:`pandas.DataFrame` objects (the columns each
needs are listed in its docstring and checked: a missing column is a
``ValueError`` naming it), a ``language`` (``"ru"`` or ``"en"``) and returns a
:class:`matplotlib.figure.Figure` drawn in :func:`~radjudge.figures.style.figure_style`.
Functions never read files: notebook 06 reads ``data/results/``
(:mod:`radjudge.figures.build`) and hands the tables in.

Rules every figure follows:

* **It fits the page.** Its width is a text column or the whole text block of the
  manuscript's page and its height at most the page allows
  (:func:`~radjudge.figures.style.page_box`); when a design is large, panels and
  cells shrink (and the finer annotations go) rather than the figure growing.
* **Only what ran is drawn.** Panels, rows and cells exist for the combinations in
  the table only: a judge that rated one criterion on one scale is one cell, not a
  row of empty ones. A configuration that ran but has no W (a constant judge) is
  a grey cell marked as such, never a colour.
* **Metric baselines are reference lines** (``judge_kind == "metric"``, or no
  scale when the table has no ``judge_kind``): a line beside the LLM judges, never a
  judge with a scale, a box or a bar of their own.
* **Chance is drawn** wherever the statistic has one: W of a judge against a
  consensus is a two-rater W, (1 + Spearman ρ)/2, so 0.5 is no association.
* **Display names**, in the figure's language, for every judge, summarizer,
  criterion and expert category (:mod:`radjudge.figures.labels`), never an id.
* Configurations that failed the validity gate (``valid == False``) are drawn,
  marked (hatched cell, open marker).

W is on [0, 1]; its colour scale is fixed to [0, 1] so panels and figures are comparable.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import Normalize, TwoSlopeNorm
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.textpath import TextPath
from scipy import stats

from radjudge.contracts import CRITERIA, EXPERT_CATEGORIES, GRANULARITIES
from radjudge.figures.labels import Language, check_language, display_name, label, text
from radjudge.figures.style import (
    COLUMN_WIDTH_MM,
    OKABE_ITO,
    PALETTE,
    Width,
    decimal_ticks,
    diverging_cmap,
    figure_size,
    figure_style,
    page_box,
    sequential_cmap,
)

__all__ = [
    "CHANCE_W",
    "w_heatmap",
    "w_forest",
    "expert_category_panel",
    "score_use",
    "verbosity_bias",
    "self_preference",
    "delta_w_alt_test",
]

#: W of two raters with no association: (1 + rho) / 2 at rho = 0.
CHANCE_W = 0.5

_NA_COLOR = "#DDDDDD"
_INVALID_HATCH = "////"
# heatmap panel header, mm: judge title, scale row, granularity row (two lines or rotated)
_TITLE_MM, _SCALE_MM, _GRAN_MM, _GRAN_ROTATED_MM = 5.0, 3.4, 4.6, 13.5
_MM = 1 / 25.4
_METRIC_STYLES: tuple[Any, ...] = ("--", "-.", (0, (6, 1.5, 1, 1.5, 1, 1.5)), (0, (3, 1)))
_MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*")


# ----------------------------------------------------------------------------- helpers


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


def _ci_text(lo: float, hi: float, language: Language) -> str:
    sep = "; " if language == "ru" else ", "
    return f"[{_fmt(lo, language)}{sep}{_fmt(hi, language)}]"


def _text_color(value: float, cmap: Any, norm: Any) -> str:
    r, g, b, _ = cmap(norm(value))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def _text_mm(s: str, size_pt: float) -> float:
    """Width of ``s`` in DejaVu Sans at ``size_pt``, in mm (longest line)."""
    prop = FontProperties(family="DejaVu Sans", size=size_pt)
    widths = [TextPath((0, 0), line, prop=prop).get_extents().width for line in s.split("\n")]
    return max(widths, default=0.0) * 25.4 / 72


def _colors(keys: Sequence[str]) -> dict[str, str]:
    """One Okabe-Ito colour per key (cycling past eight; markers then tell them apart)."""
    return {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(keys)}


def _legend(
    fig: Any, handles: Sequence[Any], *, loc: str, width_mm: float, fontsize: float = 6.5, **kw: Any
) -> Any:
    """``fig.legend`` with as many columns as fit ``width_mm`` (never wider than the figure)."""
    labels = [h.get_label() for h in handles]
    col_mm = max(_text_mm(t, fontsize) for t in labels) + 9.0
    ncols = max(1, min(len(handles), int(width_mm // col_mm)))
    return fig.legend(handles=handles, loc=loc, ncols=ncols, fontsize=fontsize, **kw)


def _judge(judge: str, language: Language, *, lines: int = 1) -> str:
    name = display_name("judge", judge, language)
    return name.replace(", ", ",\n", 1) if lines > 1 else name


def _summarizer(summarizer: str, language: Language, *, lines: int = 1) -> str:
    name = display_name("summarizer", summarizer, language)
    return name.replace(", ", ",\n", 1) if lines > 1 else name


def _is_metric(df: pd.DataFrame) -> pd.Series:
    """Rows of reference metrics: ``judge_kind == "metric"``, else rows without a scale."""
    if "judge_kind" in df.columns:
        return (df["judge_kind"] == "metric").fillna(False)
    if "scale" in df.columns:
        return df["scale"].isna()
    return pd.Series(False, index=df.index)


def _split_kinds(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(LLM configurations, metric reference lines)."""
    m = _is_metric(df).to_numpy(bool)
    return df[~m], df[m]


def _valid(df: pd.DataFrame) -> np.ndarray:
    """Passed the validity gate (all True when the table has no ``valid`` column)."""
    if "valid" not in df.columns:
        return np.ones(len(df), dtype=bool)
    return df["valid"].fillna(False).astype(bool).to_numpy()


def _height(mm: float) -> float:
    """A figure height capped at the page's maximum."""
    return min(mm, page_box().max_height_mm)


def _cfg_label(scale: int, gran: str, language: Language) -> str:
    return f"1–{scale} · {label('granularity', gran, language)}"


def _chance_handle(language: Language) -> Line2D:
    return Line2D(
        [],
        [],
        color="black",
        linestyle=(0, (1, 1.5)),
        linewidth=0.8,
        label=text("chance", language),
    )


def _chance_line(ax: Any, axis: str = "x") -> None:
    kw = {"color": "black", "linestyle": (0, (1, 1.5)), "linewidth": 0.8, "zorder": 1}
    (ax.axvline if axis == "x" else ax.axhline)(CHANCE_W, **kw)


def _metric_handles(metrics: Sequence[str], language: Language) -> list[Line2D]:
    return [
        Line2D(
            [],
            [],
            color="#555555",
            linestyle=_METRIC_STYLES[i % len(_METRIC_STYLES)],
            linewidth=0.9,
            label=text("reference_metric", language, name=_judge(m, language)),
        )
        for i, m in enumerate(metrics)
    ]


# ----------------------------------------------------------------------------- Fig. 1


def _check_unique(df: pd.DataFrame, keys: list[str], name: str) -> None:
    dup = df.duplicated(keys)
    if dup.any():
        first = df.loc[dup, keys].iloc[0].to_dict()
        raise ValueError(
            f"{name} has {int(dup.sum())} duplicate configuration(s), e.g. {first}; "
            "filter to one design/statistic before plotting"
        )


def w_heatmap(
    w: pd.DataFrame,
    *,
    language: Language = "ru",
    annotate: bool = True,
    width: Width = "double",
) -> plt.Figure:
    """Heatmaps of Kendall's W, one panel per LLM judge: criterion x (scale, granularity).

    Parameters
    ----------
    w : DataFrame
        One row per configuration, columns ``judge, criterion, scale, granularity,
        w, ci_low, ci_high`` (W of the judge with the expert consensus and its
        interval) and optionally ``judge_kind`` and ``valid``. Duplicate
        configurations are an error. Metric rows are reference lines: not drawn here
        (Fig. 2 draws them).
    language : {"ru", "en"}, default "ru"
    annotate : bool, default True
        Write W (and, where the cell is large enough, its CI) in each cell.
    width : {"single", "double"}, default "double"

    Returns
    -------
    matplotlib.figure.Figure
        Each judge's panel has the rows and columns that judge ran - its
        criteria, its (scale, granularity) combinations - and nothing else; a
        cell hatched over its colour failed the validity gate; a grey cell with a
        dash has no W (constant judge). Panels shrink, and go into two or three
        columns, to keep the figure within the page.

    Raises
    ------
    ValueError
        Missing columns, an empty table or one without LLM configurations,
        duplicate configurations, a bad language, or a design too large for a page.
    """
    check_language(language)
    cols = ["judge", "criterion", "scale", "granularity", "w", "ci_low", "ci_high"]
    _require(w, cols, "w")
    llm, _ = _split_kinds(w)
    if llm.empty:
        raise ValueError("w has no LLM judge configuration (only metric reference lines)")
    keys = ["judge", "criterion", "scale", "granularity"]
    _check_unique(llm, keys, "w")
    llm = llm.assign(_valid=_valid(llm), _scale=llm["scale"].astype(int))
    gran_rank = {g: i for i, g in enumerate(GRANULARITIES)}
    panels = []
    for judge in _ordered(llm["judge"]):
        d = llm[llm["judge"] == judge]
        crits = _ordered(d["criterion"], CRITERIA)
        combos = sorted(
            set(zip(d["_scale"], d["granularity"], strict=True)),
            key=lambda sg: (sg[0], gran_rank.get(sg[1], 99), sg[1]),
        )
        panels.append((judge, crits, combos, d.set_index(["criterion", "_scale", "granularity"])))
    crit_labels = {c: label("criterion", c, language) for c in llm["criterion"].unique()}
    total_w = COLUMN_WIDTH_MM[width] if isinstance(width, str) else float(width)
    left = max(_text_mm(s, 6.5) for s in crit_labels.values()) + 4.0
    cbar = 15.0
    max_h = page_box().max_height_mm
    any_invalid = not llm["_valid"].all()
    any_nan = not np.isfinite(llm["w"].to_numpy(float)).all()
    legend_h = 7.0 if (any_invalid or any_nan) else 0.0
    max_cols = max(len(p[2]) for p in panels)

    gap = 2.5

    def header_of(group: list[int], i: int, full: float) -> float:
        """A panel repeats the scale/granularity header unless the one above has its columns."""
        k = group.index(i)
        same = k > 0 and panels[group[k - 1]][2] == panels[i][2]
        return _TITLE_MM if same else full

    layout = None
    for n_pc in (1, 2, 3):
        column_w = (total_w - cbar - n_pc * left - (n_pc - 1) * 4.0) / n_pc
        cw = min(18.0, column_w / max_cols)
        if cw < 4.0:
            break
        wide_head = cw >= 12.5
        full = _TITLE_MM + _SCALE_MM + (_GRAN_MM if wide_head else _GRAN_ROTATED_MM)
        # split the panels into n_pc columns of about equal height, in order
        rows_of = [len(p[1]) for p in panels]
        target = sum(rows_of) / n_pc
        groups: list[list[int]] = [[]]
        acc = 0.0
        for i, r in enumerate(rows_of):
            if groups[-1] and acc + r / 2 > target and len(groups) < n_pc:
                groups.append([])
                acc = 0.0
            groups[-1].append(i)
            acc += r
        fixed = max(sum(header_of(g, i, full) + gap for i in g) for g in groups)
        rows = max(sum(rows_of[i] for i in g) for g in groups)
        ch = min(7.5, (max_h - legend_h - fixed - 1.5) / max(rows, 1))
        if ch >= 3.0:
            layout = (groups, cw, ch, full, wide_head, column_w)
            break
    if layout is None:
        raise ValueError(
            f"w has {len(panels)} LLM judges with up to {max_cols} columns each: too many cells "
            "for one page even in three columns; draw the judges in several figures"
        )
    groups, cw, ch, full, wide_head, column_w = layout
    heights = [sum(header_of(g, i, full) + gap + len(panels[i][1]) * ch for i in g) for g in groups]
    fig_h = max(heights) + legend_h + 1.0
    cmap, norm = sequential_cmap(), Normalize(0.0, 1.0)
    show_w = annotate and cw >= 7.5 and ch >= 3.2
    show_ci = annotate and cw >= 14.0 and ch >= 6.5
    with figure_style():
        fig = plt.figure(figsize=figure_size(total_w, height_mm=fig_h), layout="none")

        # mm from the top-left corner -> figure fraction
        def frac(x0: float, y0: float, wd: float, ht: float) -> tuple[float, float, float, float]:
            return (x0 / total_w, 1 - (y0 + ht) / fig_h, wd / total_w, ht / fig_h)

        for g_idx, group in enumerate(groups):
            x0 = g_idx * (left + column_w + 4.0) + left
            y = 0.5
            for i in group:
                judge, crits, combos, lookup = panels[i]
                ncol = len(combos)
                header = header_of(group, i, full)
                ax = fig.add_axes(frac(x0, y + header, ncol * cw, len(crits) * ch))
                grid = np.full((len(crits), ncol), np.nan)
                for r, c in enumerate(crits):
                    for k, (s, gr) in enumerate(combos):
                        if (c, s, gr) in lookup.index:
                            grid[r, k] = float(lookup.loc[(c, s, gr), "w"])
                ax.imshow(
                    np.ma.masked_invalid(grid),
                    cmap=cmap,
                    norm=norm,
                    aspect="auto",
                    interpolation="nearest",
                )
                for r, c in enumerate(crits):
                    for k, (s, gr) in enumerate(combos):
                        if (c, s, gr) not in lookup.index:
                            continue  # not run: the panel has no such cell in a full design
                        row = lookup.loc[(c, s, gr)]
                        value = grid[r, k]
                        if not np.isfinite(value):
                            ax.add_patch(Rectangle((k - 0.5, r - 0.5), 1, 1, color=_NA_COLOR, lw=0))
                            ax.text(k, r, "–", ha="center", va="center", fontsize=6)
                        valid = bool(row["_valid"])
                        if not valid:  # paled and hatched: it ran, but measures nothing
                            ax.add_patch(
                                Rectangle((k - 0.5, r - 0.5), 1, 1, fc="white", alpha=0.6, lw=0)
                            )
                            ax.add_patch(
                                Rectangle(
                                    (k - 0.5, r - 0.5),
                                    1,
                                    1,
                                    fill=False,
                                    hatch=_INVALID_HATCH,
                                    edgecolor="#888888",
                                    linewidth=0,
                                )
                            )
                        if not np.isfinite(value) or not show_w:
                            continue
                        color = _text_color(value, cmap, norm) if valid else "black"
                        ax.text(
                            k,
                            r - (0.14 if show_ci else 0),
                            _fmt(value, language),
                            ha="center",
                            va="center",
                            fontsize=6 if ch >= 5 else 5,
                            color=color,
                        )
                        if show_ci:
                            ax.text(
                                k,
                                r + 0.24,
                                _ci_text(row["ci_low"], row["ci_high"], language),
                                ha="center",
                                va="center",
                                fontsize=4.3,
                                color=color,
                            )
                ax.set_yticks(range(len(crits)), [crit_labels[c] for c in crits], fontsize=6.5)
                ax.set_xticks([])
                ax.tick_params(length=0)
                for spine in ax.spines.values():
                    spine.set_visible(False)
                ax.set_xlim(-0.5, ncol - 0.5)
                ax.set_ylim(len(crits) - 0.5, -0.5)
                # headers: judge, then scale (spanning its granularities), then granularity
                fig.text(
                    (x0 - left * 0.98) / total_w,
                    1 - (y + _TITLE_MM - 1.2) / fig_h,
                    f"{text('judge', language)}: {_judge(judge, language)}",
                    fontsize=7,
                    fontweight="bold",
                    ha="left",
                    va="baseline",
                )
                scales = list(dict.fromkeys(s for s, _ in combos))
                for s in scales:
                    ks = [k for k, (s2, _) in enumerate(combos) if s2 == s]
                    if max(ks) < ncol - 1:
                        ax.axvline(max(ks) + 0.5, color="white", linewidth=1.6)
                    if header == _TITLE_MM:
                        continue  # the panel above has the same columns and names them
                    ax.text(
                        (min(ks) + max(ks)) / 2,
                        -0.5 - (header - _TITLE_MM - _SCALE_MM + 0.4) / ch,
                        text("scale_points", language, n=s),
                        ha="center",
                        va="bottom",
                        fontsize=6,
                        transform=ax.transData,
                        clip_on=False,
                    )
                for k, (_, gr) in enumerate(combos if header > _TITLE_MM else ()):
                    name = label("granularity", gr, language)
                    if wide_head:
                        ax.text(
                            k,
                            -0.5 - 0.4 / ch,
                            name.replace(" ", "\n", 1),
                            ha="center",
                            va="bottom",
                            fontsize=5,
                            linespacing=0.95,
                            clip_on=False,
                        )
                    else:
                        ax.text(
                            k,
                            -0.5 - 0.4 / ch,
                            name,
                            ha="center",
                            va="bottom",
                            fontsize=5,
                            rotation=90,
                            clip_on=False,
                        )
                y += header + len(crits) * ch + gap
        cax = fig.add_axes(
            frac(total_w - cbar + 2.0, 0.5 + full, 2.6, min(60.0, fig_h - legend_h - full - 3))
        )
        cb = fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cmap), cax=cax)
        cb.set_label(text("kendall_w", language))
        cb.outline.set_visible(False)
        cb.ax.axhline(CHANCE_W, color="black", linewidth=0.8, linestyle=(0, (1, 1.5)))
        decimal_ticks(cb.ax, "y", language)
        handles = []
        if any_invalid:
            handles.append(
                Patch(
                    facecolor="#F2F2F2",
                    edgecolor="#888888",
                    hatch=_INVALID_HATCH,
                    linewidth=0.4,
                    label=text("invalid", language),
                )
            )
        if any_nan:
            handles.append(Patch(facecolor=_NA_COLOR, label=text("undefined_w", language)))
        if handles:
            fig.legend(
                handles=handles,
                loc="lower left",
                bbox_to_anchor=(0.0, 0.0),
                ncols=2,
                handlelength=1.6,
                fontsize=6,
            )
    return fig


# ----------------------------------------------------------------------------- Fig. 2


def w_forest(
    w: pd.DataFrame,
    *,
    language: Language = "ru",
    reference: pd.DataFrame | None = None,
    ncols: int = 3,
) -> plt.Figure:
    """Forest plot of W with bootstrap CIs for every LLM configuration, one panel per criterion.

    Parameters
    ----------
    w : DataFrame
        The grid: ``judge, criterion, scale, granularity, w, ci_low, ci_high`` and
        optionally ``judge_kind`` and ``valid``. Metric rows are drawn as vertical
        reference lines in their criterion's panel.
    language : {"ru", "en"}, default "ru"
    reference : DataFrame, optional
        Columns ``criterion, w``: a further reference W per criterion (e.g. the expert
        panel's own W), a solid grey line.
    ncols : int, default 3
        Panels per row at most.

    Returns
    -------
    matplotlib.figure.Figure
        Rows of a panel are the (scale, granularity) combinations run on that
        criterion; judges are dodged and coloured; points are W, bars the CI;
        open markers failed the validity gate. The dotted line is chance (0.5).
    """
    check_language(language)
    _require(w, ["judge", "criterion", "scale", "granularity", "w", "ci_low", "ci_high"], "w")
    if reference is not None:
        _require(reference, ["criterion", "w"], "reference")
    if ncols < 1:
        raise ValueError(f"ncols={ncols}: need at least one panel per row")
    llm, metrics = _split_kinds(w)
    if llm.empty:
        raise ValueError("w has no LLM judge configuration (only metric reference lines)")
    llm = llm.assign(_valid=_valid(llm), _scale=llm["scale"].astype(int))
    judges = _ordered(llm["judge"])
    metric_names = _ordered(metrics["judge"])
    criteria = _ordered(llm["criterion"], CRITERIA)
    gran_rank = {g: i for i, g in enumerate(GRANULARITIES)}
    rows_of = {
        c: sorted(
            set(
                zip(
                    *(llm.loc[llm["criterion"] == c, k] for k in ("_scale", "granularity")),
                    strict=True,
                )
            ),
            key=lambda sg: (sg[0], gran_rank.get(sg[1], 99), sg[1]),
        )
        for c in criteria
    }
    shared = len({tuple(r) for r in rows_of.values()}) == 1
    ncols = min(ncols, len(criteria), 3 if shared else 2)
    nrows = math.ceil(len(criteria) / ncols)
    colors = _colors(judges)
    dodge = 0.62 / max(len(judges), 1)
    n_rows_max = max(len(r) for r in rows_of.values())
    legend_rows = math.ceil((len(judges) + len(metric_names) + 2) / 4)
    fixed = 14 + 4.2 * legend_rows
    row_mm = min(5.2, (page_box().max_height_mm - fixed - nrows * 12) / (nrows * n_rows_max))
    height = fixed + nrows * (12 + row_mm * n_rows_max)
    with figure_style():
        fig, axes = plt.subplots(
            nrows,
            ncols,
            sharex=True,
            sharey=shared,
            squeeze=False,
            figsize=figure_size("double", height_mm=_height(height)),
        )
        for k, ax in enumerate(axes.flat):
            if k >= len(criteria):
                ax.set_visible(False)
                continue
            crit = criteria[k]
            rows = rows_of[crit]
            sub = llm[llm["criterion"] == crit]
            for jj, judge in enumerate(judges):
                d = sub[sub["judge"] == judge]
                for ok in (True, False):
                    e = d[d["_valid"] == ok]
                    e = e[np.isfinite(e["w"].to_numpy(float))]
                    if e.empty:
                        continue
                    ys = [
                        rows.index((s, g)) + (jj - (len(judges) - 1) / 2) * dodge
                        for s, g in zip(e["_scale"], e["granularity"], strict=True)
                    ]
                    x = e["w"].to_numpy(float)
                    ax.errorbar(
                        x,
                        ys,
                        xerr=np.vstack(
                            [x - e["ci_low"].to_numpy(float), e["ci_high"].to_numpy(float) - x]
                        ),
                        fmt=_MARKERS[jj % len(_MARKERS)],
                        color=colors[judge],
                        mfc=colors[judge] if ok else "white",
                        markersize=2.8,
                        elinewidth=0.8 if ok else 0.5,
                        zorder=3,
                    )
            _chance_line(ax, "x")
            for i, m in enumerate(metric_names):
                v = metrics.loc[(metrics["judge"] == m) & (metrics["criterion"] == crit), "w"]
                if len(v) and np.isfinite(float(v.iloc[0])):
                    ax.axvline(
                        float(v.iloc[0]),
                        color="#555555",
                        linewidth=0.9,
                        linestyle=_METRIC_STYLES[i % len(_METRIC_STYLES)],
                        zorder=2,
                    )
            if reference is not None:
                ref = reference.loc[reference["criterion"] == crit, "w"]
                if len(ref) and np.isfinite(float(ref.iloc[0])):
                    ax.axvline(float(ref.iloc[0]), color="#999999", linewidth=1.2, zorder=2)
            for r in range(len(rows)):
                if r % 2 == 0:
                    ax.axhspan(r - 0.5, r + 0.5, color="#F3F3F3", zorder=0, linewidth=0)
            for r in range(1, len(rows)):
                if rows[r][0] != rows[r - 1][0]:
                    ax.axhline(r - 0.5, color="#999999", linewidth=0.5)
            ax.set_title(label("criterion", crit, language), loc="left")
            ax.set_xlim(0, 1)
            ax.grid(axis="x")
            decimal_ticks(ax, "x", language)
            if not shared or k % ncols == 0:
                ax.set_yticks(
                    range(len(rows)), [_cfg_label(s, g, language) for s, g in rows], fontsize=6
                )
                ax.set_ylim(len(rows) - 0.5, -0.5)
            if k >= len(criteria) - ncols:
                ax.set_xlabel(f"{text('kendall_w', language)} ({text('ci95', language)})")
                ax.xaxis.set_tick_params(labelbottom=True)
        handles = [
            Line2D(
                [],
                [],
                marker=_MARKERS[jj % len(_MARKERS)],
                color=colors[j],
                linestyle="",
                markersize=3.5,
                label=_judge(j, language),
            )
            for jj, j in enumerate(judges)
            if np.isfinite(llm.loc[llm["judge"] == j, "w"].to_numpy(float)).any()
        ]
        if not llm["_valid"].all():
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    color="#555555",
                    mfc="white",
                    linestyle="",
                    markersize=3.5,
                    label=text("invalid", language),
                )
            )
        handles += _metric_handles(metric_names, language)
        handles.append(_chance_handle(language))
        _legend(fig, handles, loc="outside lower center", width_mm=COLUMN_WIDTH_MM["double"] - 4)
    return fig


# ----------------------------------------------------------------------------- Fig. 3


def expert_category_panel(
    categories: pd.DataFrame,
    *,
    language: Language = "ru",
    grid: pd.DataFrame | None = None,
) -> plt.Figure:
    """Expert categories: W within and across categories (a), judges vs each category (b).

    Parameters
    ----------
    categories : DataFrame
        The ``categories`` table of notebook 05
        (:func:`radjudge.concordance.analysis.category_concordance`): columns
        ``design, criterion, category, w, ci_low, ci_high`` and, for the
        ``judge_vs_category`` rows, ``judge`` (and the other configuration
        columns). Designs used: ``experts_all`` (W among all experts),
        ``experts_within`` (among the experts of one category),
        ``categories_across`` (among the category consensuses) and
        ``judge_vs_category`` (a judge configuration vs one category's consensus).
    language : {"ru", "en"}, default "ru"
    grid : DataFrame, optional
        The grid (``judge, criterion, scale, granularity, judge_kind, valid``): (b)
        then shows the valid LLM configurations only and knows the metrics by their
        kind (without it, by their missing scale).

    Returns
    -------
    matplotlib.figure.Figure
        Double column. (a) per criterion: W within each category, among all
        experts and across category consensuses, with CIs. (b) per category:
        the W of every LLM judge configuration against that category's
        consensus (box: quartiles; points: configurations), one colour per
        judge; the metrics are reference lines (their median over criteria), the
        dotted line is chance (two raters: 0.5).
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
    if grid is not None and not vs_cat.empty:
        keys = [c for c in ("judge", "criterion", "scale", "granularity") if c in vs_cat.columns]
        extra = [c for c in ("judge_kind", "valid") if c in grid.columns]
        g = grid[keys + extra].astype({k: str for k in keys})
        vs_cat = vs_cat.astype({k: str for k in keys}).merge(g, on=keys, how="left")
        if "scale" in keys:
            vs_cat["scale"] = pd.to_numeric(vs_cat["scale"].replace({"nan": None, "<NA>": None}))
    cats = _ordered(pd.concat([within["category"], vs_cat["category"]]), EXPERT_CATEGORIES)
    criteria = _ordered(categories["criterion"], CRITERIA)
    series: list[tuple[str, pd.DataFrame, str, str]] = []
    colors = _colors(cats)
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
    llm_v, metric_v = _split_kinds(vs_cat) if not vs_cat.empty else (vs_cat, vs_cat)
    if not llm_v.empty and "valid" in llm_v.columns:
        llm_v = llm_v[_valid(llm_v)]
    judges = _ordered(llm_v["judge"]) if not llm_v.empty else []
    metric_names = _ordered(metric_v["judge"]) if not metric_v.empty else []
    dodge = 0.75 / max(len(series), 1)
    legend_lines = math.ceil((len(judges) + len(metric_names) + 1) / 4)
    with figure_style():
        fig, (ax_a, ax_b) = plt.subplots(
            1,
            2,
            figsize=figure_size("double", height_mm=76 + 4 * legend_lines),
            width_ratios=[1.5, 1],
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
        decimal_ticks(ax_a, "y", language)

        jcolors = _colors(judges)
        width = 0.7 / max(len(judges), 1)
        for jj, judge in enumerate(judges):
            data, pos = [], []
            for i, cat in enumerate(cats):
                v = llm_v.loc[(llm_v["judge"] == judge) & (llm_v["category"] == cat), "w"]
                v = v.to_numpy(float)
                v = v[np.isfinite(v)]
                if v.size:
                    data.append(v)
                    pos.append(i + (jj - (len(judges) - 1) / 2) * width)
            if not data:
                continue
            c = jcolors[judge]
            ax_b.boxplot(
                data,
                positions=pos,
                widths=width * 0.8,
                showfliers=False,
                patch_artist=True,
                manage_ticks=False,
                boxprops={"facecolor": "white", "edgecolor": c},
                medianprops={"color": c},
                whiskerprops={"color": c},
                capprops={"color": c},
            )
            for p, v in zip(pos, data, strict=True):
                jitter = (np.arange(v.size) % 7 - 3) * width * 0.06
                ax_b.scatter(p + jitter, v, s=3, color=c, alpha=0.7, linewidths=0, zorder=3)
        for mi, m in enumerate(metric_names):
            for i, cat in enumerate(cats):
                v = metric_v.loc[(metric_v["judge"] == m) & (metric_v["category"] == cat), "w"]
                v = v.to_numpy(float)
                if np.isfinite(v).any():
                    ax_b.hlines(
                        np.nanmedian(v),
                        i - 0.42,
                        i + 0.42,
                        color="#555555",
                        linewidth=0.9,
                        linestyle=_METRIC_STYLES[mi % len(_METRIC_STYLES)],
                    )
        _chance_line(ax_b, "y")
        ax_b.set_xticks(
            range(len(cats)),
            [label("category", c, language) for c in cats],
            rotation=30,
            ha="right",
            rotation_mode="anchor",
        )
        ax_b.set_xlim(-0.6, len(cats) - 0.4)
        ax_b.set_ylim(min(0.3, ax_b.get_ylim()[0]), 1.0)
        ax_b.set_ylabel(text("kendall_w", language))
        ax_b.grid(axis="y")
        ax_b.set_title(f"b   {text('judge_vs_category', language)}", loc="left")
        decimal_ticks(ax_b, "y", language)
        handles: list[Any] = [
            Patch(facecolor="white", edgecolor=jcolors[j], label=_judge(j, language))
            for j in judges
        ]
        handles += _metric_handles(metric_names, language)
        handles.append(_chance_handle(language))
        _legend(
            fig,
            handles,
            loc="outside lower right",
            width_mm=COLUMN_WIDTH_MM["double"] - 4,
            fontsize=6,
            title=text("judge", language) + " (b)",
        )
    return fig


# ----------------------------------------------------------------------------- Fig. 4


def score_use(
    counts: pd.DataFrame,
    *,
    language: Language = "ru",
    max_per_row: int = 7,
) -> plt.Figure:
    """Which points of each scale each LLM judge and each expert category used.

    Parameters
    ----------
    counts : DataFrame
        Columns ``rater_kind`` (``"judge"`` or ``"expert"``), ``rater`` (judge
        name or expert category), ``scale``, ``score``, ``n`` (number of valid
        ratings with that score). Scores outside 1..scale are an error. Metrics
        have no scale and are not in this table
        (:func:`radjudge.figures.summaries.score_use_table`).
    language : {"ru", "en"}, default "ru"
    max_per_row : int, default 7
        Panels per row; a scale with more raters wraps to a further row.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per (rater, scale) that was rated - nothing for a scale a rater
        never used - grouped by scale, judges first; bars are the share of the
        rater's ratings on each point, so a judge that only says "1" is obvious.
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
    if max_per_row < 1:
        raise ValueError(f"max_per_row={max_per_row}: need at least one panel per row")
    judges = _ordered(counts.loc[counts["rater_kind"] == "judge", "rater"])
    experts = _ordered(counts.loc[counts["rater_kind"] == "expert", "rater"], EXPERT_CATEGORIES)
    raters = [("judge", r) for r in judges] + [("expert", r) for r in experts]
    scales = sorted(int(s) for s in counts["scale"].unique())
    used = counts[counts["n"] > 0].assign(_scale=counts["scale"].astype(int))
    have = set(zip(used["rater_kind"], used["rater"], used["_scale"], strict=True))
    lines: list[tuple[int, list[tuple[str, str]]]] = []
    for s in scales:
        present = [r for r in raters if (*r, s) in have]
        for i in range(0, len(present), max_per_row):
            lines.append((s, present[i : i + max_per_row]))
    ncols = max(len(r) for _, r in lines)
    kind_color = {"judge": OKABE_ITO["blue"], "expert": OKABE_ITO["vermillion"]}
    row_mm = min(27.0, (page_box().max_height_mm - 16) / len(lines))
    with figure_style():
        fig, axes = plt.subplots(
            len(lines),
            ncols,
            squeeze=False,
            figsize=figure_size("double", height_mm=_height(16 + row_mm * len(lines))),
        )
        for r, (scale, present) in enumerate(lines):
            for c in range(ncols):
                ax = axes[r, c]
                if c >= len(present):
                    ax.set_visible(False)
                    continue
                kind, rater = present[c]
                d = counts[
                    (counts["rater_kind"] == kind)
                    & (counts["rater"] == rater)
                    & (counts["scale"].astype(int) == scale)
                ]
                points = np.arange(1, scale + 1)
                n = d.groupby(d["score"].astype(int))["n"].sum().reindex(points, fill_value=0)
                total = int(n.sum())
                ax.bar(points, n.to_numpy() / total, width=0.8, color=kind_color[kind])
                ax.text(
                    0.98,
                    0.95,
                    f"n = {total}",
                    transform=ax.transAxes,
                    ha="right",
                    va="top",
                    fontsize=5,
                )
                ax.set_xticks(points if scale <= 5 else [1, 5, 10] if scale == 10 else points)
                ax.tick_params(axis="x", labelsize=6, length=1.5)
                decimal_ticks(ax, "y", language)
                ax.set_xlim(0.4, scale + 0.6)
                ax.set_ylim(0, 1)
                ax.grid(axis="y")
                name = (
                    _judge(rater, language, lines=2)
                    if kind == "judge"
                    else label("category", rater, language)
                )
                # a long name gets a smaller font rather than running into its neighbour
                room = COLUMN_WIDTH_MM["double"] / ncols - 3.0
                size = max(4.5, min(6.0, 6.0 * room / max(_text_mm(name, 6.0), 1e-6)))
                ax.set_title(name, fontsize=size, color=kind_color[kind], loc="left")
                if c == 0:
                    ax.set_ylabel(
                        f"{text('scale_points', language, n=scale)}\n{text('share', language)}",
                        fontsize=6,
                    )
                else:
                    ax.set_yticklabels([])
        fig.supxlabel(text("score", language), fontsize=7)
        handles = [
            Patch(color=kind_color[k], label=label("rater_kind", k, language))
            for k in ("judge", "expert")
        ]
        fig.legend(handles=handles, loc="outside upper right", ncols=2)
    return fig


# ----------------------------------------------------------------------------- Fig. 5


def verbosity_bias(
    scores: pd.DataFrame,
    *,
    language: Language = "ru",
    ncols: int = 3,
) -> plt.Figure:
    """Score vs summary length, one panel per LLM judge and one for the experts, with Spearman rho.

    Parameters
    ----------
    scores : DataFrame
        One row per (rater, summary): columns ``rater`` (judge name, or an
        expert label such as ``experts`` for the panel's mean), ``summary_length``
        (characters), ``score_norm`` (mean score rescaled to [0, 1]) and optionally
        ``summarizer`` (colours the points). Metrics are not in this table
        (:func:`radjudge.figures.summaries.length_score_table`).
    language : {"ru", "en"}, default "ru"
    ncols : int, default 3

    Returns
    -------
    matplotlib.figure.Figure
        Scatter + least-squares line per panel; the panel gives Spearman's rho
        of length vs score ("–" with fewer than 3 points or constant values).
    """
    check_language(language)
    _require(scores, ["rater", "summary_length", "score_norm"], "scores")
    human = {"experts", *EXPERT_CATEGORIES, "all"}
    raters = _ordered(scores["rater"])
    raters = [r for r in raters if r not in human] + [r for r in raters if r in human]
    has_summ = "summarizer" in scores.columns
    summarizers = _ordered(scores["summarizer"]) if has_summ else []
    colors = _colors(summarizers) if has_summ else {}
    ncols = min(ncols, len(raters))
    nrows = math.ceil(len(raters) / ncols)
    legend_mm = 10 + 4 * math.ceil(len(summarizers) / 4) if has_summ else 6
    panel_mm = min(42.0, (page_box().max_height_mm - legend_mm) / nrows)
    with figure_style():
        fig, axes = plt.subplots(
            nrows,
            ncols,
            sharex=True,
            sharey=True,
            squeeze=False,
            figsize=figure_size(
                "double" if ncols > 1 else "single", height_mm=_height(legend_mm + panel_mm * nrows)
            ),
        )
        for k, ax in enumerate(axes.flat):
            if k >= len(raters):
                ax.set_visible(False)
                continue
            rater = raters[k]
            d = scores[scores["rater"] == rater].dropna(subset=["summary_length", "score_norm"])
            x, y = d["summary_length"].to_numpy(float), d["score_norm"].to_numpy(float)
            if has_summ:
                for s in summarizers:
                    m = (d["summarizer"] == s).to_numpy()
                    ax.scatter(x[m], y[m], s=6, color=colors[s], alpha=0.8, linewidths=0)
            else:
                ax.scatter(x, y, s=6, color=PALETTE[0], alpha=0.8, linewidths=0)
            rho = np.nan
            if len(x) >= 3 and np.ptp(x) > 0 and np.ptp(y) > 0:
                rho = stats.spearmanr(x, y).statistic
                slope, intercept = np.polyfit(x, y, 1)
                xx = np.linspace(x.min(), x.max(), 2)
                ax.plot(xx, intercept + slope * xx, color="black", linewidth=0.8)
            title = (
                text("experts_mean", language)
                if rater == "experts"
                else label("category", rater, language)
                if rater in human
                else _judge(rater, language)
            )
            ax.set_title(title, loc="left", fontsize=6.5)
            ax.text(
                0.03,
                0.97,
                f"ρ = {_fmt(rho, language)}, n = {len(x)}",
                transform=ax.transAxes,
                ha="left",
                va="top",
                fontsize=6,
            )
            decimal_ticks(ax, "y", language)
            ax.set_ylim(-0.05, 1.05)
            ax.grid(True)
        for ax in axes[-1, :]:
            ax.set_xlabel(text("summary_length", language))
        for c in range(ncols):  # the last row may be short: label the lowest visible axis
            col = [ax for ax in axes[:, c] if ax.get_visible()]
            if col:
                col[-1].set_xlabel(text("summary_length", language))
                col[-1].xaxis.set_tick_params(labelbottom=True)
        for ax in axes[:, 0]:
            ax.set_ylabel(text("judge_score", language))
        if has_summ:
            handles = [
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="",
                    color=colors[s],
                    markersize=3.5,
                    label=_summarizer(s, language),
                )
                for s in summarizers
            ]
            _legend(
                fig,
                handles,
                loc="outside lower center",
                width_mm=COLUMN_WIDTH_MM["double" if ncols > 1 else "single"] - 4,
                title=text("summarizer", language),
            )
    return fig


# ----------------------------------------------------------------------------- Fig. 6


def self_preference(
    matrix: pd.DataFrame,
    *,
    language: Language = "ru",
) -> plt.Figure:
    """LLM judge x summarizer matrix: does a judge favour its own model's summaries?

    Parameters
    ----------
    matrix : DataFrame
        One row per (judge, summarizer): ``judge``, ``summarizer``,
        ``judge_score_norm`` (judge's mean score on [0, 1]), ``is_self`` (bool:
        the judge and the summarizer are the same model), and optionally
        ``expert_score_norm`` (the experts' mean on [0, 1] for that summarizer).
        Metrics are not in this table (:func:`radjudge.figures.summaries.self_preference_table`).
    language : {"ru", "en"}, default "ru"

    Returns
    -------
    matplotlib.figure.Figure
        With ``expert_score_norm``: cells are judge - experts on a diverging
        scale centred at 0 (self-preference = a warm framed cell); without it,
        the judge's mean on [0, 1]. Self cells are framed in black. A pair
        without a usable score is left white with a dash.
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
    xlabels = [_summarizer(s, language, lines=2) for s in summs]
    ylabels = [_judge(j, language) for j in judges]
    # one column per summarizer, wide enough for its two-line name written flat
    col_mm = max(_text_mm(t, 6) for t in xlabels) + 2
    ylab_mm = max(_text_mm(t, 6) for t in ylabels) + 8
    # always the text block's full width: in one column its labels drop below a readable size
    width: Width = "double"
    rotate = ylab_mm + col_mm * len(summs) + 22 > COLUMN_WIDTH_MM[width]
    label_h = max(_text_mm(t, 6) for t in xlabels) * 0.7 + 8 if rotate else 9
    with figure_style():
        fig, ax = plt.subplots(
            figsize=figure_size(width, height_mm=_height(16 + label_h + 7.5 * len(judges)))
        )
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
                else:  # rated, but no answer could be read as a score
                    ax.text(k, i, "–", ha="center", va="center", fontsize=5.5, color="#777777")
        for i, k in self_cells:
            ax.add_patch(
                Rectangle((k - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="black", linewidth=1.4)
            )
        ax.set_xticks(
            range(len(summs)),
            xlabels,
            rotation=40 if rotate else 0,
            ha="right" if rotate else "center",
            rotation_mode="anchor",
            fontsize=6,
        )
        ax.set_yticks(range(len(judges)), ylabels, fontsize=6)
        ax.set_xlabel(text("summarizer", language))
        ax.set_ylabel(text("judge", language))
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        cbar = fig.colorbar(
            plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, pad=0.02, shrink=0.9
        )
        cbar.set_label(text("self_bias" if relative else "mean_score_norm", language))
        cbar.outline.set_visible(False)
        decimal_ticks(cbar.ax, "y", language)
        if self_cells:
            ax.set_title(text("self_marker", language), loc="left", fontweight="normal", fontsize=6)
    return fig


# ----------------------------------------------------------------------------- Fig. 7


def delta_w_alt_test(
    panel: pd.DataFrame,
    alt: pd.DataFrame,
    *,
    selected: pd.DataFrame | None = None,
    language: Language = "ru",
    threshold: float = 0.5,
) -> plt.Figure:
    """ΔW (does the judge fit into the expert panel?) and the alt-test, for every LLM configuration.

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
        criterion; filled markers pass the test, open ones do not. Metric rows
        (no scale) are reference lines, not candidate judges: not drawn. The
        legend lists the judges drawn in colour only.
    """
    check_language(language)
    _require(panel, ["judge", "criterion", "delta_w", "ci_low", "ci_high"], "panel")
    _require(alt, ["judge", "criterion", "winning_rate", "passed"], "alt")
    if not 0 < threshold < 1:
        raise ValueError(f"threshold={threshold}: must lie in (0, 1)")
    panel, alt = _split_kinds(panel)[0], _split_kinds(alt)[0]
    cfg = [
        c
        for c in ("judge", "criterion", "scale", "granularity")
        if c in panel.columns and c in alt.columns
    ]
    judges = _ordered(pd.concat([panel["judge"], alt["judge"]]))
    criteria = _ordered(pd.concat([panel["criterion"], alt["criterion"]]), CRITERIA)
    colors = _colors(judges)
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
    drawn = [j for j in judges if panel.loc[panel["judge"] == j, "_sel"].any()]
    rng = np.random.default_rng(0)  # fixed jitter: figures are reproducible
    legend_lines = math.ceil((len(drawn) + 1) / 4)
    with figure_style():
        fig, (ax_a, ax_b) = plt.subplots(
            1, 2, figsize=figure_size("double", height_mm=66 + 4 * legend_lines)
        )
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
                    if sel.any():
                        ax.errorbar(
                            x[sel],
                            y[sel],
                            yerr=np.vstack([y[sel] - lo, hi - y[sel]]),
                            fmt=mk,
                            color=colors[judge],
                            markersize=3.2,
                            elinewidth=0.8,
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
            ax.set_xlim(-0.6, len(criteria) - 0.4)
            decimal_ticks(ax, "y", language)
        handles = [
            Line2D(
                [],
                [],
                marker=_MARKERS[judges.index(j) % len(_MARKERS)],
                color=colors[j],
                linestyle="",
                markersize=3.5,
                label=_judge(j, language),
            )
            for j in drawn
        ]
        if selected is not None:
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    color="#AAAAAA",
                    linestyle="",
                    markersize=2.5,
                    label=text("other_configs", language),
                )
            )
        _legend(
            fig,
            handles,
            loc="outside lower center",
            width_mm=COLUMN_WIDTH_MM["double"] - 4,
            title=text("judge_selected" if selected is not None else "judge", language),
        )
    return fig
