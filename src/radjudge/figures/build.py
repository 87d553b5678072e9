"""Notebook 06's engine: read ``data/results/``, draw every paper figure, write the index.

Each figure is made only from files in ``data/results/`` (written by notebook
05). :data:`PAPER_FIGURE_SPECS` says, per figure, the file stem, the drawing
function and the result tables it reads; :func:`load_figure_inputs` turns those
tables into the tidy frames :mod:`radjudge.figures.plots` expects, and
:func:`make_figures` draws, saves (PDF + PNG) and registers them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from radjudge import paths
from radjudge.figures import plots
from radjudge.figures.labels import Language, check_language
from radjudge.figures.style import save_figure

__all__ = [
    "RESULT_TABLES",
    "concordance_dir",
    "FigureSpec",
    "PAPER_FIGURE_SPECS",
    "read_result_table",
    "result_table_path",
    "load_figure_inputs",
    "make_figures",
]


def concordance_dir() -> Path:
    """Folder of notebook 05's tables, ``paths.CONCORDANCE`` (read at call time, for tests)."""
    return paths.CONCORDANCE


#: Input key -> (folder getter, table stem). Notebook 05 writes the concordance
#: tables; notebook 06 writes the rating summaries (:mod:`radjudge.figures.summaries`).
RESULT_TABLES: dict[str, tuple[Callable[[], Path], str]] = {
    "grid": (concordance_dir, "grid"),
    "categories": (concordance_dir, "categories"),
    "panel_fit": (concordance_dir, "panel_fit"),
    "alt_test": (concordance_dir, "alt_test"),
    "selection": (concordance_dir, "selection"),
    "score_use": (lambda: paths.RATING_SUMMARIES, "score_use"),
    "length_scores": (lambda: paths.RATING_SUMMARIES, "length_scores"),
    "self_preference": (lambda: paths.RATING_SUMMARIES, "self_preference"),
}


@dataclass(frozen=True)
class FigureSpec:
    """One paper figure.

    Attributes
    ----------
    stem : str
        File stem in ``figures/`` (``fig1_w_heatmap``).
    function : callable
        Drawing function of :mod:`radjudge.figures.plots`.
    inputs : tuple of str
        Keys of :data:`RESULT_TABLES` passed positionally.
    caption : str
        One-line English caption for the index (the paper has its own).
    keywords : tuple of (str, str)
        ``(argument, input key)`` pairs passed by keyword.
    """

    stem: str
    function: Callable[..., Any]
    inputs: tuple[str, ...]
    caption: str
    keywords: tuple[tuple[str, str], ...] = ()

    @property
    def qualname(self) -> str:
        return f"{self.function.__module__}.{self.function.__name__}"

    @property
    def needs(self) -> tuple[str, ...]:
        return (*self.inputs, *(k for _, k in self.keywords))


PAPER_FIGURE_SPECS: tuple[FigureSpec, ...] = (
    FigureSpec(
        "fig1_w_heatmap",
        plots.w_heatmap,
        ("grid",),
        "Kendall's W of each judge with the expert consensus: criterion x scale x granularity",
    ),
    FigureSpec(
        "fig2_w_forest",
        plots.w_forest,
        ("grid",),
        "Forest plot of W with bootstrap CIs per configuration",
    ),
    FigureSpec(
        "fig3_expert_categories",
        plots.expert_category_panel,
        ("categories",),
        "W within and across expert categories; judges vs each category",
    ),
    FigureSpec(
        "fig4_score_use",
        plots.score_use,
        ("score_use",),
        "Use of scale points by judges and expert categories",
    ),
    FigureSpec(
        "fig5_verbosity",
        plots.verbosity_bias,
        ("length_scores",),
        "Normalized score vs summary length (verbosity bias)",
    ),
    FigureSpec(
        "fig6_self_preference",
        plots.self_preference,
        ("self_preference",),
        "Judge x summarizer matrix (self-preference)",
    ),
    FigureSpec(
        "fig7_delta_w_alt_test",
        plots.delta_w_alt_test,
        ("panel_fit", "alt_test"),
        "Delta W and the alternative annotator test",
        keywords=(("selected", "selection"),),
    ),
)


def read_result_table(name: str, folder: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read result table ``name`` (a key of :data:`RESULT_TABLES`), ``.parquet`` else ``.csv``.

    Parameters
    ----------
    name : str
    folder : path-like, optional
        Read from here instead of the table's usual folder (tests).

    Raises
    ------
    FileNotFoundError
        Naming both candidate files and the notebook that writes them.
    """
    if name not in RESULT_TABLES:
        raise ValueError(f"unknown result table {name!r}; known: {sorted(RESULT_TABLES)}")
    where, stem = RESULT_TABLES[name]
    base = Path(folder) if folder is not None else where()
    for ext, reader in ((".parquet", pd.read_parquet), (".csv", pd.read_csv)):
        p = base / f"{stem}{ext}"
        if p.is_file():
            return reader(p)
    writer = (
        "notebook 06 (rating summaries)"
        if name in ("score_use", "length_scores", "self_preference")
        else "notebook 05"
    )
    raise FileNotFoundError(
        f"result table {name!r} not found: neither {base / (stem + '.parquet')} nor .csv "
        f"exists. {writer} writes it (radjudge run --profile demo)."
    )


def result_table_path(name: str, folder: str | os.PathLike[str] | None = None) -> Path:
    """The file :func:`read_result_table` reads for ``name`` (``.parquet``, else ``.csv``)."""
    where, stem = RESULT_TABLES[name]
    base = Path(folder) if folder is not None else where()
    parquet = base / f"{stem}.parquet"
    return parquet if parquet.is_file() else base / f"{stem}.csv"


def load_figure_inputs(
    folders: Mapping[str, str | os.PathLike[str]] | None = None,
) -> dict[str, pd.DataFrame]:
    """Every result table the paper figures need, keyed as in :data:`RESULT_TABLES`.

    ``folders`` may map a key to another folder (tests).
    """
    folders = dict(folders or {})
    return {key: read_result_table(key, folders.get(key)) for key in RESULT_TABLES}


def make_figures(
    inputs: Mapping[str, pd.DataFrame],
    *,
    language: Language,
    also_languages: Sequence[Language] = (),
    outdir: str | os.PathLike[str] | None = None,
    index: str | os.PathLike[str] | None = None,
    notebook: str | None = "06_figures",
    formats: Sequence[str] = ("pdf", "png"),
    dpi: int = 300,
    specs: Sequence[FigureSpec] = PAPER_FIGURE_SPECS,
) -> list[Path]:
    """Draw, save and index every figure of ``specs``.

    Parameters
    ----------
    inputs : mapping of str to DataFrame
        From :func:`load_figure_inputs`.
    language : {"ru", "en"}
        Label language of the main set, written to ``outdir``.
    also_languages : sequence of {"ru", "en"}, default ()
        Further label languages, each written to ``outdir/<language>/`` (so the
        manuscript can be built in them too).
    outdir : path-like, optional
        ``figures/`` by default.
    index : path-like, optional
        The one figure index for all languages: ``figures/index.csv`` by
        default, ``outdir/index.csv`` when ``outdir`` is given.
    notebook : str, optional
        Recorded in the index.
    formats, dpi
        As :func:`~radjudge.figures.style.save_figure`.
    specs : sequence of FigureSpec
        Which figures; all paper figures by default.

    Returns
    -------
    list of pathlib.Path
        Every written file.

    Raises
    ------
    ValueError
        An input a spec needs is missing from ``inputs``; an unknown language.
    """
    check_language(language)
    for extra in also_languages:
        check_language(extra)
    base = Path(outdir) if outdir is not None else paths.FIGURES
    index = (
        Path(index)
        if index is not None
        else (base / "index.csv" if outdir is not None else paths.FIGURE_INDEX)
    )
    for spec in specs:
        missing = [k for k in spec.needs if k not in inputs]
        if missing:
            raise ValueError(
                f"figure {spec.stem} needs input(s) {missing}; load them with load_figure_inputs()"
            )
    written: list[Path] = []
    todo = [(language, base)] + [
        (x, base / x) for x in dict.fromkeys(also_languages) if x != language
    ]
    for lang, folder in todo:
        for spec in specs:
            fig = spec.function(
                *(inputs[k] for k in spec.inputs),
                language=lang,
                **{arg: inputs[k] for arg, k in spec.keywords},
            )
            written += save_figure(
                fig,
                spec.stem,
                function=spec.qualname,
                notebook=notebook,
                caption=spec.caption,
                language=lang,
                formats=tuple(formats),
                dpi=dpi,
                outdir=folder,
                index=index,
            )
    return written
