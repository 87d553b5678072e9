"""Interactive exploration of the results (``notebooks/explore_results.ipynb``).

:func:`filter_results` slices the result tables by criterion, scale,
granularity, judge and expert category; :func:`explorer` wraps it in
ipywidgets drop-downs that redraw the tables and a forest plot. Everything is
read from ``data/results/`` (:func:`radjudge.figures.build.load_figure_inputs`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from radjudge.figures.labels import Language

__all__ = ["ALL", "FILTER_COLUMNS", "filter_results", "filter_options", "explorer"]

#: The value of a filter that keeps everything.
ALL = "(all)"
#: Filter name -> column it acts on, in every table that has the column.
FILTER_COLUMNS = {
    "criterion": "criterion",
    "scale": "scale",
    "granularity": "granularity",
    "judge": "judge",
    "category": "category",
}


def _key(value: Any) -> str:
    """Comparable text of a cell: 5, 5.0 and "5" are all "5"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def filter_results(tables: Mapping[str, pd.DataFrame], **filters: Any) -> dict[str, pd.DataFrame]:
    """Rows of every table matching the filters.

    A table without the filter's column is kept whole; in a table with it, rows
    where the column is missing (e.g. ``scale`` of expert-only designs) are
    kept too, since the filter does not apply to them.

    Parameters
    ----------
    tables : mapping of str to DataFrame
    **filters
        ``criterion``, ``scale``, ``granularity``, ``judge``, ``category``;
        None or :data:`ALL` = no filter.

    Raises
    ------
    ValueError
        An unknown filter name.

    >>> t = {"grid": pd.DataFrame({"judge": ["a", "b"], "scale": [3, 5], "w": [0.6, 0.7]}),
    ...      "other": pd.DataFrame({"x": [1]})}
    >>> out = filter_results(t, scale=5, criterion=None)
    >>> out["grid"]["judge"].tolist(), len(out["other"])
    (['b'], 1)
    """
    unknown = set(filters) - set(FILTER_COLUMNS)
    if unknown:
        raise ValueError(f"unknown filter(s) {sorted(unknown)}; use {sorted(FILTER_COLUMNS)}")
    out = {}
    for name, df in tables.items():
        mask = pd.Series(True, index=df.index)
        for key, value in filters.items():
            col = FILTER_COLUMNS[key]
            if value is None or value == ALL or col not in df.columns:
                continue
            mask &= df[col].isna() | (df[col].map(_key) == _key(value))
        out[name] = df[mask]
    return out


def filter_options(tables: Mapping[str, pd.DataFrame]) -> dict[str, list[str]]:
    """For each filter, :data:`ALL` and the values found in any table (sorted)."""
    opts = {}
    for key, col in FILTER_COLUMNS.items():
        values = set()
        for df in tables.values():
            if col in df.columns:
                values |= {_key(v) for v in df[col].dropna().unique()}
        opts[key] = [ALL, *sorted(values, key=lambda v: (len(v), v) if v.isdigit() else (99, v))]
    return opts


def explorer(
    tables: Mapping[str, pd.DataFrame],
    *,
    language: Language = "ru",
    show: tuple[str, ...] = ("grid", "categories", "panel_fit", "alt_test"),
):
    """An ipywidgets UI: one drop-down per filter, the filtered tables and a forest plot of W.

    Returns
    -------
    ipywidgets.VBox
        Display it in JupyterLab (the last expression of a cell); its ``sliced``
        attribute holds the tables of the current choice.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    from radjudge.figures import plots

    opts = filter_options(tables)
    dropdowns = {k: widgets.Dropdown(options=v, value=ALL, description=k) for k, v in opts.items()}
    out = widgets.Output()
    ui = widgets.VBox()

    def redraw(_change=None) -> None:
        chosen = {k: d.value for k, d in dropdowns.items()}
        sliced = filter_results(tables, **chosen)
        ui.sliced = sliced  # the current slice, for code that wants the tables
        out.clear_output(wait=True)
        with out:
            grid = sliced.get("grid")
            if grid is not None and not grid.empty:
                fig = plots.w_forest(grid, language=language)
                display(fig)
                plt.close(fig)
            for name in show:
                if name in sliced:
                    print(f"{name}: {len(sliced[name])} row(s)")
                    display(sliced[name].head(200))

    for d in dropdowns.values():
        d.observe(redraw, names="value")
    ui.children = [
        widgets.HBox(list(dropdowns.values())[:3]),
        widgets.HBox(list(dropdowns.values())[3:]),
        out,
    ]
    redraw()
    return ui
