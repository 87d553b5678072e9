"""Figures of the paper: one style, one function per figure, and the figure index.

* :mod:`radjudge.figures.style` - palette, column widths, fonts, :func:`save_figure`
  (used by every figure in the compendium, including external validation);
* :mod:`radjudge.figures.labels` - Russian / English labels;
* :mod:`radjudge.figures.plots` - the paper's figures, each drawn from tidy
  tables read from ``data/results/``;
* :mod:`radjudge.figures.index` - ``figures/index.csv``: file -> function, notebook.
"""

from radjudge.figures.index import (
    FigureIndexError,
    check_figure_index,
    read_figure_index,
    register_figure,
)
from radjudge.figures.labels import label, text
from radjudge.figures.style import (
    COLUMN_WIDTH_MM,
    OKABE_ITO,
    PALETTE,
    apply_style,
    figure_size,
    figure_style,
    new_figure,
    save_figure,
)

__all__ = [
    "COLUMN_WIDTH_MM",
    "OKABE_ITO",
    "PALETTE",
    "FigureIndexError",
    "apply_style",
    "check_figure_index",
    "figure_size",
    "figure_style",
    "label",
    "new_figure",
    "read_figure_index",
    "register_figure",
    "save_figure",
    "text",
]
