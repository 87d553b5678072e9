"""One figure style for the whole compendium: palette, sizes, fonts and the save helper.

Every figure of the paper (and of the external validation) is drawn inside
:func:`figure_style` and written by :func:`save_figure`, so all of them share:

* the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"), safe for
  the common colour-vision deficiencies, and colour-blind-safe colour maps
  (``cividis`` for W, which is also monotone in lightness, and ColorBrewer's
  ``RdBu`` for signed differences);
* the page of the manuscript: widths and the largest height are read from its
  layout, ``paper/template.typ`` (:func:`page_box`): a single-column figure is one
  text column wide (85 mm on A4 with 17 mm margins and a 6 mm gutter), a
  double-column one the whole text block (176 mm), and no figure is taller than
  the text block less room for its caption, so every figure fits its page;
* DejaVu Sans (ships with matplotlib, covers Cyrillic) at 7 pt, so Russian
  labels render without any system font;
* TrueType fonts embedded in the PDF (``pdf.fonttype = 42``: text stays text,
  searchable and editable) and reproducible files (no creation date in the
  PDF, no software tag in the PNG), so a re-run gives byte-identical figures.

``save_figure`` writes a vector PDF and a 300-dpi PNG and registers both in the
figure index (:mod:`radjudge.figures.index`).

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> with figure_style():
...     fig, ax = new_figure("single", height_mm=60)
>>> [round(v * 25.4) for v in fig.get_size_inches()]
[85, 60]
>>> box = page_box()
>>> box.paper, box.width_mm, box.column_mm, box.max_height_mm
('a4', 176.0, 85.0, 219.0)
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from cycler import cycler
from matplotlib.colors import Colormap
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from radjudge import paths
from radjudge.checks import check_choice
from radjudge.figures import index as _index

__all__ = [
    "OKABE_ITO",
    "PALETTE",
    "COLUMN_WIDTH_MM",
    "PageBox",
    "page_box",
    "outside_canvas",
    "SEQUENTIAL_CMAP",
    "DIVERGING_CMAP",
    "Width",
    "STYLE",
    "figure_style",
    "apply_style",
    "figure_size",
    "new_figure",
    "save_figure",
    "color_cycle",
    "decimal_ticks",
    "sequential_cmap",
    "diverging_cmap",
]

#: Okabe-Ito palette, in its published order (black first).
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Order in which categorical series take colours. Yellow comes last: it is
#: hard to see on white, so only the 8th series gets it.
PALETTE: tuple[str, ...] = (
    OKABE_ITO["blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["orange"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["black"],
    OKABE_ITO["yellow"],
)

#: Paper sizes Typst names in ``set page(paper: ...)``, width x height in mm.
_PAPERS_MM: dict[str, tuple[float, float]] = {
    "a4": (210.0, 297.0),
    "a5": (148.0, 210.0),
    "us-letter": (215.9, 279.4),
    "us-legal": (215.9, 355.6),
}
#: Height kept free under a figure for its caption and the gap to the text (mm).
CAPTION_ALLOWANCE_MM = 40.0


@dataclass(frozen=True)
class PageBox:
    """The text block of the manuscript's page, in millimetres (:func:`page_box`).

    Attributes
    ----------
    paper : str
        Typst paper name (``a4``).
    width_mm, height_mm : float
        The text block: the page less its margins.
    column_mm : float
        One text column: (width - gutter) / columns.
    max_height_mm : float
        The tallest figure: ``height_mm`` less :data:`CAPTION_ALLOWANCE_MM`.
    source : str
        The layout file it was read from.
    """

    paper: str
    width_mm: float
    height_mm: float
    column_mm: float
    max_height_mm: float
    source: str


def _mm(value: str, where: str) -> float:
    m = re.fullmatch(r"\s*([\d.]+)\s*(mm|cm|pt|in)\s*", value)
    if not m:
        raise ValueError(f"{where}: length {value!r} is not a number with mm, cm, pt or in")
    factor = {"mm": 1.0, "cm": 10.0, "pt": 25.4 / 72, "in": 25.4}[m.group(2)]
    return float(m.group(1)) * factor


@functools.cache
def page_box(template: str | os.PathLike[str] | None = None) -> PageBox:
    """The text block of the manuscript's page, read from its Typst layout.

    Parameters
    ----------
    template : path-like, optional
        The layout; ``paper/template.typ`` of the project (``paths.PAPER``), else the one
        beside this package in the source checkout (a throw-away project without a
        ``paper/`` folder draws figures for the same page).

    Returns
    -------
    PageBox

    Raises
    ------
    ValueError
        The layout has no ``set page(paper: ..., margin: ...)`` or ``columns(n, gutter: ...)``
        this function can read, or an unknown paper name; the message names the file.
    """
    if template is None:
        candidates = [
            paths.PAPER / "template.typ",
            Path(__file__).resolve().parents[3] / "paper" / "template.typ",
        ]
        found = [p for p in candidates if p.is_file()]
        if not found:
            raise ValueError(
                f"no paper layout: neither of {[str(p) for p in candidates]} exists; the "
                "figures take their sizes from the manuscript's page (paper/template.typ)"
            )
        path = found[0]
    else:
        path = Path(template)
    src = path.read_text(encoding="utf-8")
    where = str(path)
    paper = re.search(r'set page\([^)]*?paper:\s*"([^"]+)"', src, re.S)
    margin = re.search(r"margin:\s*\(([^)]*)\)", src)
    cols = re.search(r"columns\(\s*(\d+)\s*,\s*gutter:\s*([^,)]+)", src)
    if not (paper and margin and cols):
        raise ValueError(
            f"{where}: cannot read the page (need set page(paper: ..., margin: (x: ..., top: "
            "..., bottom: ...)) and columns(n, gutter: ...))"
        )
    if paper.group(1) not in _PAPERS_MM:
        raise ValueError(f"{where}: paper {paper.group(1)!r} unknown; known: {sorted(_PAPERS_MM)}")
    sides: dict[str, str] = dict(re.findall(r"(\w+):\s*([\d.]+\s*\w+)", margin.group(1)))
    try:
        left = _mm(sides.get("left", sides.get("x", "")), where)
        right = _mm(sides.get("right", sides.get("x", "")), where)
        top = _mm(sides.get("top", sides.get("y", "")), where)
        bottom = _mm(sides.get("bottom", sides.get("y", "")), where)
    except ValueError as exc:
        raise ValueError(f"{where}: margin needs x (or left/right) and top/bottom: {exc}") from None
    page_w, page_h = _PAPERS_MM[paper.group(1)]
    width, height = page_w - left - right, page_h - top - bottom
    n_cols, gutter = int(cols.group(1)), _mm(cols.group(2), where)
    return PageBox(
        paper=paper.group(1),
        width_mm=round(width, 3),
        height_mm=round(height, 3),
        column_mm=round((width - gutter * (n_cols - 1)) / n_cols, 3),
        max_height_mm=round(height - CAPTION_ALLOWANCE_MM, 3),
        source=where,
    )


#: Column widths in millimetres, from the manuscript's page (:func:`page_box`).
COLUMN_WIDTH_MM: dict[str, float] = {
    "single": page_box().column_mm,
    "double": page_box().width_mm,
}

Width = Literal["single", "double"]
#: File formats a figure is saved in.
Format = Literal["pdf", "png"]

#: Colour map for W and other [0, 1] quantities (perceptually uniform, CVD-safe).
SEQUENTIAL_CMAP = "cividis"
#: Colour map for signed differences (ColorBrewer RdBu, CVD-safe), reversed so red = positive.
DIVERGING_CMAP = "RdBu_r"

_MM_PER_INCH = 25.4

#: The rcParams every figure uses.
STYLE: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 7.0,
    "axes.titlesize": 7.5,
    "axes.titleweight": "bold",
    "axes.labelsize": 7.0,
    "xtick.labelsize": 6.5,
    "ytick.labelsize": 6.5,
    "legend.fontsize": 6.5,
    "legend.title_fontsize": 7.0,
    "legend.frameon": False,
    "figure.titlesize": 8.0,
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=list(PALETTE)),
    "axes.axisbelow": True,
    "grid.linewidth": 0.4,
    "grid.color": "#D0D0D0",
    "lines.linewidth": 1.0,
    "lines.markersize": 3.5,
    "patch.linewidth": 0.5,
    "hatch.linewidth": 0.4,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.major.size": 2.5,
    "ytick.major.size": 2.5,
    "errorbar.capsize": 0,
    "image.cmap": SEQUENTIAL_CMAP,
    "figure.dpi": 100,
    "savefig.dpi": 300,
    # the saved figure has exactly its drawn size (a "tight" box would grow past the page
    # when a label sticks out); constrained layout keeps every label on the canvas
    "savefig.bbox": "standard",
    "figure.constrained_layout.use": True,
    # TrueType in PDF/PS: text stays text (searchable, editable, Cyrillic intact).
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "none",
    "axes.unicode_minus": True,
}


def apply_style() -> None:
    """Apply :data:`STYLE` to matplotlib's global rcParams (for notebooks)."""
    mpl.rcParams.update(STYLE)  # type: ignore[arg-type]  # matplotlib types rc keys as Literals


@contextlib.contextmanager
def figure_style() -> Iterator[None]:
    """Context manager: draw inside it and the figure gets the compendium style.

    rcParams are restored on exit, so library code never leaks style into a
    caller's session.
    """
    with mpl.rc_context(STYLE):  # type: ignore[arg-type]  # (rc keys typed as Literals)
        yield


def figure_size(
    width: Width | float = "single", *, height_mm: float | None = None, aspect: float = 0.7
) -> tuple[float, float]:
    """Figure size in inches for a journal column.

    Parameters
    ----------
    width : {"single", "double"} or float, default "single"
        A named column width (85 mm or 175 mm) or a width in millimetres.
    height_mm : float, optional
        Height in millimetres; ``aspect * width`` when omitted.
    aspect : float, default 0.7
        Height / width, used when ``height_mm`` is None.

    Returns
    -------
    tuple of float
        ``(width_in, height_in)``.

    Raises
    ------
    ValueError
        Unknown width name, a non-positive size, or a size larger than the page allows
        (:func:`page_box`: the text block's width, its height less room for a caption).

    >>> [round(v, 3) for v in figure_size("single", height_mm=50.8)]
    [3.346, 2.0]
    """
    if isinstance(width, str):
        check_choice("width (or a number of mm)", width, Width)
        width_mm = COLUMN_WIDTH_MM[width]
    else:
        width_mm = float(width)
    h_mm = aspect * width_mm if height_mm is None else float(height_mm)
    if width_mm <= 0 or h_mm <= 0:
        raise ValueError(f"figure size must be positive, got {width_mm} x {h_mm} mm")
    box = page_box()
    if width_mm > box.width_mm + 1e-6 or h_mm > box.max_height_mm + 1e-6:
        raise ValueError(
            f"figure of {width_mm:.0f} x {h_mm:.0f} mm does not fit the page: at most "
            f"{box.width_mm:.0f} x {box.max_height_mm:.0f} mm ({box.source}); draw fewer panels "
            "or smaller ones"
        )
    return width_mm / _MM_PER_INCH, h_mm / _MM_PER_INCH


def new_figure(
    width: Width | float = "single",
    *,
    height_mm: float | None = None,
    aspect: float = 0.7,
    nrows: int = 1,
    ncols: int = 1,
    **subplot_kw: Any,
) -> tuple[Figure, Any]:
    """``plt.subplots`` at a journal column width (call it inside :func:`figure_style`).

    Returns
    -------
    (matplotlib.figure.Figure, Axes or array of Axes)
    """
    size = figure_size(width, height_mm=height_mm, aspect=aspect)
    return plt.subplots(nrows=nrows, ncols=ncols, figsize=size, **subplot_kw)


def outside_canvas(fig: Figure, *, tolerance_pt: float = 0.5) -> list[str]:
    """What sticks out of the figure's canvas and would be cut off: axes (with their labels,
    ticks and titles), legends and figure texts, as drawn.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    tolerance_pt : float, default 0.5
        Slack in points (anti-aliasing).

    Returns
    -------
    list of str
        One description per artist outside the canvas (empty when everything fits).
    """
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    slack = tolerance_pt * fig.dpi / 72
    w, h = fig.bbox.width, fig.bbox.height
    parts: list[tuple[str, Any]] = [
        (f"axes {ax.get_title(loc='left') or ax.get_label()!r}", ax) for ax in fig.axes
    ]
    parts += [("legend", leg) for leg in fig.legends]
    parts += [(f"text {t.get_text()!r}", t) for t in fig.texts if t.get_text().strip()]
    bad = []
    for what, artist in parts:
        if not artist.get_visible():
            continue
        bb = artist.get_tightbbox(renderer)
        if bb is None or not np.isfinite([bb.x0, bb.y0, bb.x1, bb.y1]).all():
            continue
        if bb.x0 < -slack or bb.y0 < -slack or bb.x1 > w + slack or bb.y1 > h + slack:
            bad.append(
                f"{what} at x {bb.x0:.0f}..{bb.x1:.0f}, y {bb.y0:.0f}..{bb.y1:.0f} "
                f"(canvas {w:.0f} x {h:.0f})"
            )
    return bad


def color_cycle(n: int) -> list[str]:
    """``n`` categorical colours from :data:`PALETTE`.

    Raises
    ------
    ValueError
        If ``n`` exceeds the 8 Okabe-Ito colours: more series than that are not
        distinguishable by colour alone; facet or use markers instead.

    >>> color_cycle(2)
    ['#0072B2', '#D55E00']
    """
    if n > len(PALETTE):
        raise ValueError(
            f"{n} series but the colour-blind-safe palette has {len(PALETTE)} colours; "
            "facet the figure or distinguish series by marker"
        )
    return list(PALETTE[:n])


def decimal_ticks(ax: Any, axis: Literal["x", "y"], language: str) -> None:
    """Russian typography on a numeric axis: decimal comma and a true minus (no-op in English)."""
    if language != "ru":
        return
    fmt = FuncFormatter(lambda v, _pos: f"{v:g}".replace(".", ",").replace("-", "−"))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(fmt)


def sequential_cmap() -> Colormap:
    """The colour map for W and other [0, 1] values."""
    return mpl.colormaps[SEQUENTIAL_CMAP]


def diverging_cmap() -> Colormap:
    """The colour map for signed differences (centre it on 0 with ``TwoSlopeNorm``)."""
    return mpl.colormaps[DIVERGING_CMAP]


_SAVE_METADATA = {
    # No timestamps or tool versions in the files: re-runs are byte-identical.
    "pdf": {"CreationDate": None, "Producer": None, "Creator": None},
    "png": {"Software": None},
}


def save_figure(
    fig: Figure,
    stem: str,
    *,
    function: str,
    notebook: str | None = None,
    caption: str | None = None,
    language: str | None = None,
    formats: Sequence[Format] = ("pdf", "png"),
    dpi: int = 300,
    outdir: str | os.PathLike[str] | None = None,
    index: str | os.PathLike[str] | None = None,
    close: bool = True,
) -> list[Path]:
    """Write a figure as vector PDF and 300-dpi PNG and register it in the figure index.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    stem : str
        File name without extension, e.g. ``"fig2_w_forest"``; letters, digits,
        ``_`` and ``-`` only.
    function : str
        Dotted name of the function that drew it (``"radjudge.figures.plots.w_forest"``).
    notebook : str, optional
        Stem of the notebook that called it (``"06_figures"``).
    caption : str, optional
        One-line caption kept in the index (the paper writes its own captions).
    language : str, optional
        Label language (``"ru"`` / ``"en"``), recorded in the index.
    formats : sequence of {"pdf", "png"}, default ("pdf", "png")
    dpi : int, default 300
        Resolution of raster formats.
    outdir : path-like, optional
        Folder for the files; ``figures/`` (``paths.FIGURES``) by default.
    index : path-like, optional
        Figure index CSV; ``paths.FIGURE_INDEX`` by default, or
        ``outdir/index.csv`` when ``outdir`` is given.
    close : bool, default True
        Close the figure afterwards (frees memory in long notebooks).

    Returns
    -------
    list of pathlib.Path
        The written files, in ``formats`` order.

    Raises
    ------
    ValueError
        Bad stem, unknown format or dpi < 72.
    """
    if not stem or not all(c.isalnum() or c in "_-" for c in stem):
        raise ValueError(f"stem={stem!r}: use letters, digits, '_' and '-' only (no extension)")
    if not formats:
        raise ValueError("formats must name at least one of 'pdf', 'png'")
    for f in formats:
        check_choice("each of formats", f, Format)
    if dpi < 72:
        raise ValueError(f"dpi={dpi}: journals need at least 300 dpi for raster figures")
    out = Path(outdir) if outdir is not None else paths.FIGURES
    index_path = (
        Path(index)
        if index is not None
        else (out / "index.csv" if outdir is not None else paths.FIGURE_INDEX)
    )
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        target = out / f"{stem}.{fmt}"
        fig.savefig(target, format=fmt, dpi=dpi, metadata=_SAVE_METADATA[fmt])
        written.append(target)
    _index.register_figure(
        written,
        function=function,
        notebook=notebook,
        caption=caption,
        language=language,
        index=index_path,
    )
    if close:
        plt.close(fig)
    return written
