"""The explorer's widgets (ipywidgets): configuration, item, compare and tables views.

:func:`explorer` returns an :class:`Explorer`; the last expression of a
notebook cell displays it. Four tabs:

Configuration
    Filters (criterion, scale, granularity, judge) that narrow each other; the
    LLM-judge configurations left, as a selectable list (click a row) and a
    forest plot of their W with the metric baselines as reference lines. For
    the chosen configuration: W, its CI, Spearman rho and the validity status;
    the item-level scatter of judge score vs expert consensus coloured by
    summarizer; and the summaries where judge and experts disagree most, each
    a click away from the item view.
Item
    One summary: the anonymized record (collapsible sections) beside the summary; below,
    every expert's score by criterion, and the judge's answer (score, label
    distribution, raw answer) in every configuration of that judge.
Compare
    Two configurations of the same judge side by side with their paired ΔW
    (:func:`radjudge.explore.data.paired_delta_w`).
Tables
    The other result tables, compact, filtered, with the path of the full file.

Plots are PNG images (``ipywidgets.Image``) and tables HTML, so the views
hold their content as widget state (tests read it; nothing depends on an
output area). Every text comes from :mod:`radjudge.explore.texts` in one
``language``.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from radjudge.explore import data as D
from radjudge.explore.texts import (
    INTEGER_COLUMNS,
    column_label,
    interval,
    number,
    section_title,
    ui_text,
    value_label,
)
from radjudge.figures.labels import Language, check_language, label, text
from radjudge.figures.style import PALETTE, figure_style

__all__ = ["Explorer", "explorer", "TABLE_COLUMNS"]

#: Compact columns of each result table in the Tables view (the full file has them all).
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "categories": (
        "design",
        "criterion",
        "category",
        "judge",
        "scale",
        "granularity",
        "w",
        "ci",
        "n_raters",
        "n_items",
    ),
    "panel_fit": (
        "judge",
        "criterion",
        "scale",
        "granularity",
        "w_experts",
        "w_with_judge",
        "delta_w",
        "ci",
        "n_items",
    ),
    "alt_test": (
        "judge",
        "criterion",
        "scale",
        "granularity",
        "winning_rate",
        "advantage_probability",
        "passed",
        "n_items",
    ),
    "selection": ("judge", "criterion", "selected", "in_sample_w", "held_out_w", "stability"),
}
_TABLE_FILTERS = ("criterion", "scale", "granularity", "judge", "category")
_NBSP = "\u00a0"

_CSS = """<style>
.rj-config-list select, .rj-disagreements select { font-family: monospace; font-size: 12px; }
.rj-table { border-collapse: collapse; font-size: 12px; margin: 2px 0 8px 0; }
.rj-table th, .rj-table td { border-bottom: 1px solid #ddd; padding: 2px 6px; text-align: left;
  vertical-align: top; line-height: 1.3; }
.rj-table th { background: #f3f3f3; }
.rj-scroll { max-height: 420px; overflow: auto; }
.rj-pre { white-space: pre-wrap; font-size: 13px; }
.rj-bad { color: #b00020; font-weight: bold; }
.rj-ok { color: #1b7a2f; }
.rj-muted { color: #666; }
</style>"""


def _esc(x: object) -> str:
    return html.escape(str(x))


def _png(fig: Figure) -> bytes:
    """PNG bytes of a figure made without pyplot (no backend, nothing left open)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return buf.getvalue()


def _decimal_axis(ax: Any, language: Language, axes: str = "xy") -> None:
    """Decimal comma on the numeric axes in Russian (as the paper's figures)."""
    if language == "ru":
        fmt = FuncFormatter(lambda v, _p: f"{v:g}".replace(".", ",").replace("-", "−"))
        for name in axes:
            (ax.xaxis if name == "x" else ax.yaxis).set_major_formatter(fmt)


def _summarizer_colors(names: Sequence[str]) -> dict[str, Any]:
    names = list(dict.fromkeys(names))
    if len(names) <= len(PALETTE):
        return dict(zip(names, PALETTE, strict=False))
    cmap = colormaps["tab20"]
    return {n: cmap(i % 20) for i, n in enumerate(names)}


def _legend_outside(ax: Any, title: str) -> None:
    """The summarizer legend right of the axes, where it hides no point."""
    ax.legend(
        title=title, fontsize=6, title_fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0)
    )


def _p_text(p: float, n_boot: int, language: Language) -> str:
    """A bootstrap p-value; 0 means below the resolution 1 / n_boot, and says so."""
    if not np.isfinite(p):
        return "–"
    if p == 0:
        return f"< {number(1 / n_boot, language, 4 if n_boot > 1000 else 3)}"
    return number(p, language, 3)


def _judge_range(config: pd.Series) -> tuple[float, float] | None:
    """The judge's possible values: 1..scale for an LLM judge, [0, 1] for a metric."""
    if config.get("judge_kind") == "metric":
        return (0.0, 1.0)
    try:
        scale = float(config["scale"])
    except (KeyError, TypeError, ValueError):
        return None
    return (1.0, scale) if np.isfinite(scale) and scale > 1 else None


def _score_text(value: object, language: Language) -> str:
    """An expert score as written (``4``), a mean with one decimal (``4,3``), ``–`` if missing."""
    if value is None or value is pd.NA or (np.isscalar(value) and pd.isna(value)):
        return "–"
    v = float(value)  # type: ignore[arg-type]
    return str(int(v)) if v.is_integer() else number(v, language, 1)


def _distribution_text(value: object, language: Language) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    try:
        dist = json.loads(str(value))
    except ValueError:
        return str(value)
    if not isinstance(dist, Mapping):
        return str(value)
    return " · ".join(f"{k}: {number(v, language)}" for k, v in dist.items())


def _html_table(
    df: pd.DataFrame,
    columns: Sequence[str],
    language: Language,
    *,
    raw_limit: int = 160,
    digits: int = 2,
) -> str:
    """A compact HTML table: translated headers, formatted values, ``ci`` from ci_low/ci_high."""
    cols = [c for c in columns if c in df.columns or c == "ci"]
    if "ci" in cols and not {"ci_low", "ci_high"} <= set(df.columns):
        cols.remove("ci")
    head = "".join(f"<th>{_esc(column_label(c, language))}</th>" for c in cols)
    body = []
    for _, row in df.iterrows():
        cells = []
        for c in cols:
            if c == "ci":
                ci = interval(row["ci_low"], row["ci_high"], language, digits)
                cells.append(f"<td>{_esc(ci)}</td>")
            elif c == "distribution":
                cells.append(f"<td>{_esc(_distribution_text(row[c], language))}</td>")
            elif c == "raw":
                full = "" if pd.isna(row[c]) else str(row[c])
                short = full if len(full) <= raw_limit else full[:raw_limit] + "…"
                cells.append(f'<td title="{_esc(full)}"><code>{_esc(short)}</code></td>')
            else:
                v = row[c]
                if v is None or v is pd.NA or (np.isscalar(v) and pd.isna(v)):
                    shown = "–"
                elif isinstance(v, float | np.floating) and c not in INTEGER_COLUMNS:
                    shown = number(v, language, digits)
                else:
                    shown = value_label(c, float(v) if isinstance(v, np.floating) else v, language)
                cells.append(f"<td>{_esc(shown)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="rj-table"><tr>{head}</tr>{"".join(body)}</table>'


class Explorer:
    """The explorer UI over one run's :class:`~radjudge.explore.data.ExploreData`.

    Parameters
    ----------
    data : ExploreData
    language : {"ru", "en"}, default "ru"
        Every label, table header and plot text.
    n_disagreements : int, default 10
        Visible rows of the disagreement list (it holds every point of the
        scatter, largest disagreement first).
    max_rows : int, default 10
        Rows of each compact table before "show all".

    Attributes
    ----------
    widget : ipywidgets.VBox
        The whole UI (displaying the Explorer displays it).
    config_id : str or None
        The configuration shown in the configuration view.
    """

    def __init__(
        self,
        data: D.ExploreData,
        *,
        language: Language = "ru",
        n_disagreements: int = 10,
        max_rows: int = 10,
    ) -> None:
        import ipywidgets as W

        check_language(language)
        if n_disagreements < 1 or max_rows < 1:
            raise ValueError(
                f"n_disagreements and max_rows must be >= 1; got {n_disagreements}, {max_rows}"
            )
        self.data = data
        self.language: Language = language
        self.n_disagreements = n_disagreements
        self.max_rows = max_rows
        self.config_id: str | None = None
        self._busy = False
        t = self._t

        llm = data.grid[data.grid["judge_kind"] == "llm"]
        self._filter_columns = [c for c in data.config_columns if c in llm.columns]

        # ---- configuration view
        self.filters = {
            col: self._dropdown(f"rj-filter-{col}", self._label_of(col))
            for col in self._filter_columns
        }
        self.config_count = W.HTML(layout=W.Layout(width="100%")).add_class("rj-config-count")
        self.config_list = W.Select(rows=12, layout=W.Layout(width="100%")).add_class(
            "rj-config-list"
        )
        self.forest = W.Image(format="png", layout=W.Layout(max_width="100%")).add_class(
            "rj-forest"
        )
        self.config_summary = W.HTML().add_class("rj-config-summary")
        self.scatter = W.Image(format="png", layout=W.Layout(max_width="100%")).add_class(
            "rj-scatter"
        )
        self.disagreement_title = W.HTML()
        self.disagreement_list = W.Select(
            rows=n_disagreements, layout=W.Layout(width="100%")
        ).add_class("rj-disagreements")
        self.open_item = W.Button(
            description=t("open_item"), icon="search", layout=W.Layout(width="auto")
        ).add_class("rj-open-item")
        self.full_grid = W.HTML().add_class("rj-full-grid")
        full = W.Accordion(children=[self.full_grid])
        full.set_title(0, t("full_grid"))
        full.selected_index = None
        left = W.VBox([self.forest], layout=W.Layout(width="45%"))
        right = W.VBox(
            [
                self.config_summary,
                self.scatter,
                self.disagreement_title,
                self.disagreement_list,
                self.open_item,
            ],
            layout=W.Layout(width="55%"),
        )
        top = W.VBox(
            [
                W.HBox(list(self.filters.values()), layout=W.Layout(flex_flow="row wrap")),
                self.config_count,
                W.HTML(f'<span class="rj-muted">{_esc(t("list_header"))}</span>'),
                self.config_list,
            ]
        )
        config_view = W.VBox([top, W.HBox([left, right]), full])

        # ---- item view
        self.item_patient = self._dropdown("rj-item-patient", t("patient"))
        self.item_summarizer = self._dropdown("rj-item-summarizer", t("summarizer"))
        judges = list(dict.fromkeys(data.grid.sort_values("judge_kind")["judge"]))
        self.item_judge = self._dropdown("rj-item-judge", column_label("judge", language))
        self.item_judge.options = [(self._judge_label(j), j) for j in judges]
        self.item_record = W.HTML(layout=W.Layout(width="50%")).add_class("rj-item-record")
        self.item_summary = W.HTML(layout=W.Layout(width="50%")).add_class("rj-item-summary")
        self.item_experts = W.HTML().add_class("rj-item-experts")
        self.item_answers = W.HTML().add_class("rj-item-answers")
        patients = list(dict.fromkeys(data.concordance.items["patient_id"]))
        self.item_patient.options = patients
        item_view = W.VBox(
            [
                W.HBox([self.item_patient, self.item_summarizer, self.item_judge]),
                W.HBox([self.item_record, self.item_summary]),
                self.item_experts,
                self.item_answers,
            ]
        )

        # ---- compare view
        self.compare_judge = self._dropdown("rj-compare-judge", column_label("judge", language))
        self.compare_a = self._dropdown("rj-compare-a", t("config_a"), width="420px")
        self.compare_b = self._dropdown("rj-compare-b", t("config_b"), width="420px")
        self.compare_result = W.HTML().add_class("rj-compare-result")
        self.compare_plot = W.Image(format="png", layout=W.Layout(max_width="100%")).add_class(
            "rj-compare-plot"
        )
        llm_judges = llm.groupby("judge").size()
        self.compare_judge.options = [
            (self._judge_label(j), j) for j in llm_judges[llm_judges >= 2].index
        ]
        compare_view = W.VBox(
            [
                self.compare_judge,
                W.HBox([self.compare_a, self.compare_b]),
                self.compare_result,
                self.compare_plot,
            ]
        )

        # ---- tables view
        present = [c for c in _TABLE_FILTERS if any(c in tb.columns for tb in data.tables.values())]
        self.table_filters = {
            c: self._dropdown(f"rj-table-filter-{c}", self._label_of(c)) for c in present
        }
        self.show_all = W.Checkbox(value=False, description=t("show_all")).add_class("rj-show-all")
        self.tables_html = W.HTML().add_class("rj-tables")
        tables_view = W.VBox(
            [
                W.HTML(f'<span class="rj-muted">{_esc(t("tables_note"))}</span>'),
                W.HBox(list(self.table_filters.values()), layout=W.Layout(flex_flow="row wrap")),
                self.show_all,
                self.tables_html,
            ]
        )

        self.tabs = W.Tab(children=[config_view, item_view, compare_view, tables_view])
        for k, key in enumerate(("tab_config", "tab_item", "tab_compare", "tab_tables")):
            self.tabs.set_title(k, t(key))
        self.tabs.add_class("rj-tabs")
        head = [f"<h3>{_esc(t('title'))}</h3>"]
        if data.synthetic:
            head.append(f'<div class="rj-muted">{_esc(t("synthetic"))}</div>')
        head.append(f'<div class="rj-muted">{_esc(t("chance"))}</div>')
        self.widget = W.VBox([W.HTML(_CSS + "".join(head)), self.tabs]).add_class("rj-explorer")

        # ---- wiring
        for dd in self.filters.values():
            dd.observe(self._on_filter, names="value")
        self.config_list.observe(self._on_config, names="value")
        self.open_item.on_click(self._on_open_item)
        self.item_patient.observe(self._on_item_patient, names="value")
        self.item_summarizer.observe(self._on_item, names="value")
        self.item_judge.observe(self._on_item, names="value")
        self.compare_judge.observe(self._on_compare_judge, names="value")
        self.compare_a.observe(self._on_compare, names="value")
        self.compare_b.observe(self._on_compare, names="value")
        for dd in self.table_filters.values():
            dd.observe(self._on_table_filter, names="value")
        self.show_all.observe(self._on_table_filter, names="value")

        self.full_grid.value = self._full_grid_html()
        self._on_filter()
        self._on_item_patient()
        self._on_compare_judge()
        self._on_table_filter()

    # ------------------------------------------------------------------ helpers

    def _t(self, key: str, **fmt: object) -> str:
        return ui_text(key, self.language, **fmt)

    def _label_of(self, column: str) -> str:
        return column_label(column, self.language)

    def _dropdown(self, cls: str, description: str, width: str = "220px") -> Any:
        import ipywidgets as W

        dd = W.Dropdown(
            description=description,
            style={"description_width": "initial"},
            layout=W.Layout(width=width),
        )
        return dd.add_class(cls)

    def _judge_label(self, judge: str) -> str:
        kinds = self.data.grid.loc[self.data.grid["judge"] == judge, "judge_kind"]
        if len(kinds) and kinds.iloc[0] == "metric":
            return f"{judge} ({self._t('metric')})"
        return str(judge)

    def _option_label(self, column: str, value: str) -> str:
        if value == D.ANY:
            return self._t("any")
        if column == "scale":
            return f"1–{value}"
        return value_label(column, value, self.language)

    @contextlib.contextmanager
    def _quiet(self) -> Iterator[None]:
        """Set widget values without their handlers firing (one redraw per user action)."""
        busy, self._busy = self._busy, True
        try:
            yield
        finally:
            self._busy = busy

    def _set_options(self, dd: Any, options: list[tuple[str, Any]], keep: Any) -> None:
        values = [v for _, v in options]
        with self._quiet():
            dd.options = options
            dd.value = keep if keep in values else (values[0] if values else None)

    def _config_label(self, row: pd.Series, *, with_stats: bool = True) -> str:
        lang = self.language
        parts = [str(row["judge"]).ljust(18, _NBSP)]
        for c in self.data.config_columns:
            if c == "judge":
                continue
            v = D._key(row[c])
            text = self._option_label(c, v) if v else "–"
            parts.append(text.ljust({"criterion": 22, "scale": 5}.get(c, 16), _NBSP))
        if not with_stats:
            return _NBSP.join(p.rstrip(_NBSP) for p in parts)
        parts.append(
            f"W {number(row['w'], lang)} {interval(row['ci_low'], row['ci_high'], lang)}".ljust(
                24, _NBSP
            )
        )
        parts.append(f"ρ {number(row['spearman'], lang)}".ljust(8, _NBSP))
        parts.append(f"n {int(row['n_items'])}".ljust(6, _NBSP))
        reason = str(row.get("validity_reason", ""))
        valid = row.get("valid")
        if reason or (valid is not pd.NA and pd.notna(valid) and not bool(valid)):
            parts.append(f"✗ {value_label('validity_reason', reason, self.language)}")
        elif valid is not pd.NA and pd.notna(valid):
            parts.append("✓")
        return "".join(parts)

    # ------------------------------------------------------------------ configuration view

    def _on_filter(self, _change: object = None) -> None:
        if self._busy:
            return
        llm = self.data.grid[self.data.grid["judge_kind"] == "llm"]
        chosen = {c: dd.value or D.ANY for c, dd in self.filters.items()}
        options = D.narrowed_options(llm, chosen, self._filter_columns)
        for col, dd in self.filters.items():
            self._set_options(
                dd, [(self._option_label(col, v), v) for v in options[col]], chosen[col]
            )
        chosen = {c: dd.value for c, dd in self.filters.items()}
        rows = D.configurations(self.data, filters=chosen)
        if llm.empty:
            self.config_count.value = f"<b>{_esc(self._t('no_llm_configs'))}</b>"
        elif rows.empty:
            what = ", ".join(
                f"{self._label_of(c)} = {self._option_label(c, v)}"
                for c, v in chosen.items()
                if v != D.ANY
            )
            self.config_count.value = (
                f'<span class="rj-bad">{_esc(self._t("empty_slice", what=what))}</span>'
            )
        else:
            self.config_count.value = _esc(self._t("n_configs", n=len(rows), total=len(llm)))
        self._rows = rows
        options_list = [(self._config_label(r), r["config_id"]) for _, r in rows.iterrows()]
        self._set_options(self.config_list, options_list, self.config_id)
        self._show_config(self.config_list.value)

    def _on_config(self, change: Mapping[str, Any]) -> None:
        if not self._busy:
            self._show_config(change["new"])

    def _show_config(self, cid: str | None) -> None:
        self.config_id = cid
        self.forest.value = self._forest_png()
        if cid is None:
            self.config_summary.value = ""
            self.scatter.value = b""
            self._set_options(self.disagreement_list, [], None)
            return
        summary = D.config_summary(self.data, cid)
        items = D.item_table(self.data, cid)
        self.config_summary.value = self._summary_html(summary, items)
        self.scatter.value = self._scatter_png(cid, items, summary)
        worst = D.disagreements(items)
        self.disagreement_title.value = f"<b>{_esc(self._t('disagree_title', n=len(worst)))}</b>"
        self._set_options(
            self.disagreement_list,
            [
                (self._disagreement_label(r), f"{r['patient_id']}|{r['summarizer']}")
                for _, r in worst.iterrows()
            ],
            None,
        )
        judge = str(summary.config["judge"])
        if self.item_judge.value != judge:
            self.item_judge.value = judge
        if self.compare_judge.value != judge and judge in [
            v for _, v in self.compare_judge.options
        ]:
            self.compare_judge.value = judge

    def _disagreement_label(self, r: pd.Series) -> str:
        lang = self.language
        return self._t(
            "disagree_row",
            patient=r["patient_id"],
            summarizer=r["summarizer"],
            expert=number(r["consensus"], lang),
            judge=number(r["judge"], lang),
            d=number(r["disagreement"], lang),
        )

    def _summary_html(self, s: D.ConfigSummary, items: pd.DataFrame) -> str:
        lang = self.language
        row = s.config
        n_pat = items.loc[items["complete"], "patient_id"].nunique()
        out = [f"<b>{_esc(self._config_label(row, with_stats=False))}</b><br>"]
        out.append(
            _esc(
                self._t(
                    "w_line",
                    w=number(s.w, lang),
                    ci=interval(s.ci_low, s.ci_high, lang),
                    rho=number(s.rho, lang),
                    n=s.n_items,
                    p=n_pat,
                )
            )
            + "<br>"
        )
        if s.n_incomplete:
            out.append(_esc(self._t("incomplete", n=s.n_incomplete)) + "<br>")
        status = f"{_esc(self._t('status'))}: "
        if s.status == "invalid":
            reason = value_label("validity_reason", s.reason, lang) if s.reason else "–"
            status += (
                f'<span class="rj-bad">{_esc(self._t("status_invalid", reason=reason))}</span>'
            )
        elif s.status == "valid":
            status += f'<span class="rj-ok">{_esc(self._t("status_valid"))}</span>'
        else:
            status += f'<span class="rj-muted">{_esc(self._t("status_unchecked"))}</span>'
        if s.status != "invalid" and (s.reason == "constant" or s.n_distinct <= 1):
            status += "<br>" + (
                f'<span class="rj-bad">'
                f"{_esc(self._t('status_constant', n=s.n_items, w=number(s.w, lang)))}</span>"
            )
        out.append(status + "<br>")
        if len(s.baselines):
            out.append(f"{_esc(self._t('baselines_title'))}<br>")
            for _, b in s.baselines.iterrows():
                out.append(
                    f"&nbsp;&nbsp;{_esc(b['judge'])}: W {_esc(number(b['w'], lang))} "
                    f"{_esc(interval(b['ci_low'], b['ci_high'], lang))}<br>"
                )
        else:
            out.append(f'<span class="rj-muted">{_esc(self._t("no_baselines"))}</span><br>')
        return "".join(out)

    def _forest_png(self) -> bytes:
        rows = getattr(self, "_rows", pd.DataFrame())
        if rows.empty:
            return b""
        lang = self.language
        rows = rows.iloc[::-1]
        labels = [self._config_label(r, with_stats=False) for _, r in rows.iterrows()]
        with figure_style():
            fig = Figure(figsize=(6.2, 1.6 + 0.22 * len(rows)))
            ax = fig.subplots()
            y = np.arange(len(rows))
            w = rows["w"].to_numpy(float)
            lo, hi = rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float)
            bad = np.array(
                [
                    bool(r["validity_reason"])
                    or (r["valid"] is not pd.NA and pd.notna(r["valid"]) and not r["valid"])
                    for _, r in rows.iterrows()
                ]
            )
            chosen = (rows["config_id"] == self.config_id).to_numpy()
            for mask, style in (
                (~bad & ~chosen, {"fmt": "o", "color": PALETTE[0]}),
                (bad, {"fmt": "x", "color": "#999999"}),
                (chosen & ~bad, {"fmt": "D", "color": PALETTE[1]}),
            ):
                if mask.any():
                    ax.errorbar(
                        w[mask],
                        y[mask],
                        xerr=np.vstack([w[mask] - lo[mask], hi[mask] - w[mask]]),
                        markersize=4,
                        elinewidth=0.9,
                        linestyle="none",
                        **style,
                    )
            ax.axvline(0.5, color="#777777", linestyle=":", linewidth=0.9)
            ax.text(0.5, len(rows) - 0.4, self._t("chance_line"), fontsize=6, color="#555555")
            crits = rows["criterion"].unique()
            if len(crits) == 1:
                for _, b in D.baselines(self.data, str(crits[0])).iterrows():
                    ax.axvline(float(b["w"]), color="#444444", linestyle="--", linewidth=0.8)
                    ax.text(
                        float(b["w"]),
                        -0.6,
                        f"{b['judge']} ({self._t('baseline_line')})",
                        fontsize=6,
                        rotation=90,
                        va="bottom",
                        ha="right",
                    )
            ax.set_yticks(y, labels, fontsize=6, fontfamily="monospace")
            ax.set_xlim(0, 1)
            ax.set_ylim(-0.7, len(rows) - 0.3)
            ax.set_xlabel(f"{text('kendall_w', lang)} ({column_label('ci', lang)})")
            ax.set_title(self._t("forest_title"), loc="left", fontsize=8)
            ax.grid(axis="x")
            _decimal_axis(ax, lang, "x")
            return _png(fig)

    def _scatter_axes(
        self, ax: Any, cid: str, items: pd.DataFrame, s: D.ConfigSummary, colors: Mapping
    ) -> None:
        lang = self.language
        done = items[items["complete"]]
        for name, g in done.groupby("summarizer", sort=False):
            ax.scatter(
                g["consensus"],
                g["judge"],
                s=16,
                alpha=0.75,
                color=colors[name],
                label=str(name),
                edgecolors="none",
            )
        ax.set_xlabel(self._t("scatter_x"))
        ax.set_ylabel(self._t("scatter_y"))
        ax.set_title(self._config_label(s.config, with_stats=False), loc="left", fontsize=7)
        stats = (
            f"W {number(s.w, lang)} {interval(s.ci_low, s.ci_high, lang)}\nρ {number(s.rho, lang)}"
        )
        ax.text(0.02, 0.97, stats, transform=ax.transAxes, va="top", fontsize=7)
        if s.degenerate:
            ax.text(
                0.98,
                0.97,
                "✗ " + value_label("validity_reason", s.reason or "constant", lang),
                transform=ax.transAxes,
                ha="right",
                va="top",
                fontsize=8,
                color="#b00020",
                bbox={"facecolor": "white", "edgecolor": "#b00020", "linewidth": 0.6},
            )
        scale_max = self.data.concordance.expert_scale.get(str(s.config["criterion"]))
        if scale_max:
            ax.set_xlim(0.8, float(scale_max) + 0.2)
        judge_max = _judge_range(s.config)
        if judge_max is not None:
            lo, hi = judge_max
            pad = 0.04 * (hi - lo)
            ax.set_ylim(lo - pad, hi + pad)
        ax.grid(True)
        _decimal_axis(ax, lang)

    def _scatter_png(self, cid: str, items: pd.DataFrame, s: D.ConfigSummary) -> bytes:
        colors = _summarizer_colors(self.data.concordance.items["summarizer"])
        with figure_style():
            fig = Figure(figsize=(6.4, 3.6))
            ax = fig.subplots()
            self._scatter_axes(ax, cid, items, s, colors)
            _legend_outside(ax, self._t("summarizer"))
            return _png(fig)

    def _full_grid_html(self) -> str:
        g = self.data.grid.sort_values(["judge_kind", "w"], ascending=[True, False])
        cols = [
            *self.data.config_columns,
            "w",
            "ci",
            "spearman",
            "n_items",
            "valid",
            "validity_reason",
        ]
        path = self.data.sources.get("grid")
        note = self._t("shown", k=len(g), n=len(g), path=path) if path else ""
        return (
            f'<div class="rj-muted">{_esc(note)}</div>'
            f'<div class="rj-scroll">{_html_table(g, cols, self.language)}</div>'
        )

    def _on_open_item(self, _button: object = None) -> None:
        value = self.disagreement_list.value
        if value is None:
            return
        patient, summarizer = value.split("|", 1)
        self.show_item(patient, summarizer)

    # ------------------------------------------------------------------ item view

    def show_item(self, patient_id: str, summarizer: str, *, judge: str | None = None) -> None:
        """Open the item view on one summary (as the disagreement list's button does)."""
        with self._quiet():
            self.item_patient.value = patient_id
            self._summarizer_options()
            self.item_summarizer.value = summarizer
            if judge is not None:
                self.item_judge.value = judge
        self._on_item()
        self.tabs.selected_index = 1

    def _summarizer_options(self) -> None:
        items = self.data.concordance.items
        names = items.loc[items["patient_id"] == self.item_patient.value, "summarizer"]
        self._set_options(
            self.item_summarizer, [(str(n), n) for n in names], self.item_summarizer.value
        )

    def _on_item_patient(self, _change: object = None) -> None:
        if self._busy:
            return
        self._summarizer_options()
        self._on_item()

    def _on_item(self, _change: object = None) -> None:
        if self._busy or self.item_patient.value is None or self.item_summarizer.value is None:
            return
        lang = self.language
        d = D.item_detail(
            self.data,
            self.item_patient.value,
            self.item_summarizer.value,
            judge=self.item_judge.value,
        )
        # record: collapsible sections
        if d.record:
            parts = [f"<b>{_esc(self._t('record'))}</b>"]
            for k, (sec, text) in enumerate(d.record.items()):
                opened = " open" if k < 2 else ""
                parts.append(
                    f"<details{opened}><summary>{_esc(section_title(sec, lang))}</summary>"
                    f'<div class="rj-pre">{_esc(text)}</div></details>'
                )
            record = "".join(parts)
        else:
            record = _esc(self._t("no_record", p=d.patient_id))
        self.item_record.value = f'<div class="rj-scroll">{record}</div>'
        # summary
        if d.summary is not None:
            meta = []
            for c in ("summarizer_kind", "model", "flag"):
                if c in d.summary.index and pd.notna(d.summary[c]):
                    meta.append(f"{c}: {d.summary[c]}")
            summary = (
                f"<b>{_esc(self._t('summary'))}: {_esc(d.summarizer)}</b>"
                f'<div class="rj-muted">{_esc(" · ".join(meta))}</div>'
                f'<div class="rj-pre">{_esc(d.summary["text"])}</div>'
            )
        else:
            summary = _esc(self._t("no_summary"))
        self.item_summary.value = f'<div class="rj-scroll">{summary}</div>'
        # experts by criterion, with the consensus
        scores = d.expert_scores.copy()
        crits = [c for c in scores.columns if c not in ("expert_id", "expert_category")]
        mean = {"expert_id": self._t("consensus"), "expert_category": ""}
        mean.update({c: d.consensus.get(c) for c in crits})
        scores = pd.concat([scores, pd.DataFrame([mean])], ignore_index=True)
        scores = scores.rename(columns={c: label("criterion", c, lang) for c in crits})
        cols = ["expert_id", "expert_category", *[label("criterion", c, lang) for c in crits]]
        for c in cols[2:]:
            scores[c] = [_score_text(v, lang) for v in scores[c]]
        self.item_experts.value = (
            f"<b>{_esc(self._t('experts'))}</b>"
            f'<div class="rj-scroll">{_html_table(scores, cols, lang)}</div>'
        )
        # the judge's answers in every configuration
        judge = d.judge or "–"
        title = f"<b>{_esc(self._t('judge_answers', judge=judge))}</b>"
        if d.judge_answers.empty:
            self.item_answers.value = title + "<br>" + _esc(self._t("no_answers", judge=judge))
        else:
            cols = [c for c in d.judge_answers.columns if c not in ("judge", "mode")]
            self.item_answers.value = title + _html_table(d.judge_answers, cols, lang)

    # ------------------------------------------------------------------ compare view

    def _on_compare_judge(self, _change: object = None) -> None:
        if self._busy:
            return
        judge = self.compare_judge.value
        if judge is None:
            self.compare_result.value = _esc(self._t("compare_none"))
            return
        rows = self.data.grid[self.data.grid["judge"] == judge].sort_values("config_id")
        options = [
            (self._config_label(r, with_stats=False), r["config_id"]) for _, r in rows.iterrows()
        ]
        pair = D.default_comparison(self.data, judge)
        a, b = pair if pair else (None, None)
        self._set_options(self.compare_a, options, a)
        self._set_options(self.compare_b, options, b)
        self._on_compare()

    def _on_compare(self, _change: object = None) -> None:
        if self._busy:
            return
        lang = self.language
        a, b = self.compare_a.value, self.compare_b.value
        if a is None or b is None:
            self.compare_result.value = _esc(self._t("compare_none"))
            self.compare_plot.value = b""
            return
        if a == b:
            self.compare_result.value = _esc(self._t("compare_same"))
            self.compare_plot.value = b""
            return
        res = D.paired_delta_w(self.data, a, b)
        self.compare = res
        table = pd.DataFrame(
            [
                {
                    "config": "A: " + self._config_label(self.data.config(a), with_stats=False),
                    "w": res.w_a,
                    "ci_low": res.w_a_ci[0],
                    "ci_high": res.w_a_ci[1],
                    "spearman": res.rho_a,
                },
                {
                    "config": "B: " + self._config_label(self.data.config(b), with_stats=False),
                    "w": res.w_b,
                    "ci_low": res.w_b_ci[0],
                    "ci_high": res.w_b_ci[1],
                    "spearman": res.rho_b,
                },
                {
                    "config": "ΔW = B − A",
                    "w": res.delta_w,
                    "ci_low": res.ci_low,
                    "ci_high": res.ci_high,
                    "p": _p_text(res.p, res.n_boot, lang),
                },
            ]
        )
        table["n_items"] = res.n_items
        table["n_patients"] = res.n_patients
        note = self._t("compare_note", n_boot=res.n_boot, method=res.method)
        dropped = self._t("compare_dropped", n=res.n_dropped) if res.n_dropped else ""
        self.compare_result.value = (
            _html_table(
                table,
                ["config", "w", "ci", "spearman", "p", "n_items", "n_patients"],
                lang,
                digits=3,
            )
            + f'<div class="rj-muted">{_esc(note)} {_esc(dropped)}</div>'
        )
        colors = _summarizer_colors(self.data.concordance.items["summarizer"])
        with figure_style():
            fig = Figure(figsize=(11.5, 3.6))
            axes = fig.subplots(1, 2, sharex=True)
            for ax, cid in zip(axes, (a, b), strict=True):
                items = D.item_table(self.data, cid)
                self._scatter_axes(ax, cid, items, D.config_summary(self.data, cid), colors)
            _legend_outside(axes[1], self._t("summarizer"))
            self.compare_plot.value = _png(fig)

    # ------------------------------------------------------------------ tables view

    def _on_table_filter(self, _change: object = None) -> None:
        if self._busy:
            return
        lang = self.language
        pooled = pd.concat(
            [
                pd.DataFrame(columns=list(self.table_filters)),
                *(
                    tb.loc[:, [c for c in _TABLE_FILTERS if c in tb.columns]]
                    for tb in self.data.tables.values()
                ),
            ],
            ignore_index=True,
        )
        chosen = {c: dd.value or D.ANY for c, dd in self.table_filters.items()}
        options = D.narrowed_options(pooled, chosen, list(self.table_filters))
        for c, dd in self.table_filters.items():
            self._set_options(dd, [(self._option_label(c, v), v) for v in options[c]], chosen[c])
        chosen = {c: dd.value for c, dd in self.table_filters.items()}
        metric = set(self.data.grid.loc[self.data.grid["judge_kind"] == "metric", "judge"])
        out = []
        for name, table in self.data.tables.items():
            rows = D.filter_table(table, chosen)
            title = self._t(f"table_{name}") if f"table_{name}" in _TABLE_KEYS else name
            cols = TABLE_COLUMNS.get(name, tuple(table.columns))
            parts = [(title, rows)]
            if "judge" in rows.columns and metric:
                is_metric = rows["judge"].isin(metric)
                parts = [
                    (title, rows[~is_metric]),
                    (f"{title} — {self._t('baselines_title')}", rows[is_metric]),
                ]
            for caption, part in parts:
                if part.empty and caption != title:
                    continue
                out.append(f"<h4>{_esc(caption)}</h4>")
                if part.empty:
                    out.append(
                        f'<span class="rj-bad">{_esc(self._t("empty_table", name=title))}</span>'
                    )
                    continue
                shown = part if self.show_all.value else part.head(self.max_rows)
                path = self.data.sources.get(name, name)
                out.append(
                    f'<div class="rj-muted">'
                    f"{_esc(self._t('shown', k=len(shown), n=len(part), path=path))}</div>"
                )
                out.append(_html_table(shown, cols, lang))
        self.tables_html.value = "".join(out)

    # ------------------------------------------------------------------ display

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


_TABLE_KEYS = {f"table_{n}" for n in ("grid", *TABLE_COLUMNS)}


def explorer(
    data: D.ExploreData | None = None,
    *,
    language: Language = "ru",
    config_columns: Sequence[str] | None = None,
    n_disagreements: int = 10,
    max_rows: int = 10,
) -> Explorer:
    """The explorer over ``data``; default: the last run (:func:`.data.load_explore_data`).

    Parameters
    ----------
    data : ExploreData, optional
    language : {"ru", "en"}, default "ru"
    config_columns : sequence of str, optional
        Configuration columns when loading (profile key ``05_concordance.config_columns``).
    n_disagreements, max_rows : int
        See :class:`Explorer`.
    """
    if data is None:
        kw = {"config_columns": config_columns} if config_columns else {}
        data = D.load_explore_data(**kw)
    return Explorer(data, language=language, n_disagreements=n_disagreements, max_rows=max_rows)
