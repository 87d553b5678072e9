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
from radjudge.contracts import (
    ALT_TEST,
    CATEGORIES,
    GRID,
    PANEL_FIT,
    RATING_SUMMARY_TABLES,
    SELECTION,
    Table,
    read_table,
)
from radjudge.figures import plots
from radjudge.figures.labels import Language, check_language
from radjudge.figures.style import Format, save_figure

__all__ = [
    "RESULT_TABLES",
    "FigureSpec",
    "PAPER_FIGURE_SPECS",
    "read_result_table",
    "result_table_path",
    "load_figure_inputs",
    "make_figures",
]


#: The result tables the figures read, by name: notebook 05 writes the concordance
#: tables, notebook 06 the rating summaries (:mod:`radjudge.figures.summaries`).
RESULT_TABLES: dict[str, Table] = {
    t.name: t for t in (GRID, CATEGORIES, PANEL_FIT, ALT_TEST, SELECTION, *RATING_SUMMARY_TABLES)
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
    caption : tuple of (str, str)
        One-line caption, Russian and English, for the index and notebook 06 (the
        manuscript has its own); :meth:`caption_in` picks the language.
    keywords : tuple of (str, str)
        ``(argument, input key)`` pairs passed by keyword.
    """

    stem: str
    function: Callable[..., Any]
    inputs: tuple[str, ...]
    caption: tuple[str, str]
    keywords: tuple[tuple[str, str], ...] = ()

    @property
    def qualname(self) -> str:
        return f"{self.function.__module__}.{self.function.__name__}"

    def caption_in(self, language: Language) -> str:
        """The caption in ``language`` ("ru" or "en")."""
        return self.caption[0 if check_language(language) == "ru" else 1]

    @property
    def needs(self) -> tuple[str, ...]:
        return (*self.inputs, *(k for _, k in self.keywords))


PAPER_FIGURE_SPECS: tuple[FigureSpec, ...] = (
    FigureSpec(
        "fig1_w_heatmap",
        plots.w_heatmap,
        ("grid",),
        (
            "W Кендалла каждого LLM-судьи с консенсусом экспертов: критерий × шкала × описание",
            "Kendall's W of each LLM judge with the expert consensus: criterion x scale x "
            "granularity",
        ),
    ),
    FigureSpec(
        "fig2_w_forest",
        plots.w_forest,
        ("grid",),
        (
            "W с бутстреп-ДИ для каждой конфигурации; метрики и случайный уровень — линии",
            "W with bootstrap CIs per configuration; metrics and chance as reference lines",
        ),
    ),
    FigureSpec(
        "fig3_expert_categories",
        plots.expert_category_panel,
        ("categories",),
        (
            "W внутри категорий экспертов и между ними; судьи против каждой категории",
            "W within and across expert categories; judges vs each category",
        ),
        keywords=(("grid", "grid"),),
    ),
    FigureSpec(
        "fig4_score_use",
        plots.score_use,
        ("score_use",),
        (
            "Использование точек шкалы LLM-судьями и категориями экспертов",
            "Use of scale points by LLM judges and expert categories",
        ),
    ),
    FigureSpec(
        "fig5_verbosity",
        plots.verbosity_bias,
        ("length_scores",),
        (
            "Нормированная оценка против длины резюме (смещение к многословию)",
            "Normalized score vs summary length (verbosity bias)",
        ),
    ),
    FigureSpec(
        "fig6_self_preference",
        plots.self_preference,
        ("self_preference",),
        (
            "Матрица судья × автор резюме (предпочтение собственных резюме)",
            "Judge x summarizer matrix (self-preference)",
        ),
    ),
    FigureSpec(
        "fig7_delta_w_alt_test",
        plots.delta_w_alt_test,
        ("panel_fit", "alt_test"),
        (
            "ΔW и тест альтернативного аннотатора",
            "Delta W and the alternative annotator test",
        ),
        keywords=(("selected", "selection"),),
    ),
)


def result_table_path(name: str, folder: str | os.PathLike[str] | None = None) -> Path:
    """The file :func:`read_result_table` reads for ``name``: ``.parquet``, else ``.csv``.

    Parameters
    ----------
    name : str
        A key of :data:`RESULT_TABLES`.
    folder : path-like, optional
        Look here instead of the table's usual folder (tests).
    """
    if name not in RESULT_TABLES:
        raise ValueError(f"unknown result table {name!r}; known: {sorted(RESULT_TABLES)}")
    files = RESULT_TABLES[name].paths()
    if folder is not None:
        files = tuple(Path(folder) / p.name for p in files)
    parquet = [p for p in files if p.suffix == ".parquet"]
    csv = [p for p in files if p.suffix == ".csv"]
    return parquet[0] if parquet[0].is_file() or not csv else csv[0]


def read_result_table(name: str, folder: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read result table ``name`` (a key of :data:`RESULT_TABLES`), checked against its contract.

    Parameters
    ----------
    name : str
    folder : path-like, optional
        Read from here instead of the table's usual folder (tests).

    Raises
    ------
    FileNotFoundError
        Naming both candidate files and the notebook that writes them.
    radjudge.contracts.ContractError
        A missing or unexpected column.
    """
    path = result_table_path(name, folder)
    table = RESULT_TABLES[name]
    if not path.is_file():
        raise FileNotFoundError(
            f"result table {name!r} not found: neither {path.with_suffix('.parquet')} nor .csv "
            f"exists; notebook {table.producer} writes it (radjudge run --profile demo)."
        )
    return read_table(table, path)


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
    formats: Sequence[Format] = ("pdf", "png"),
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
                caption=spec.caption_in(lang),
                language=lang,
                formats=tuple(formats),
                dpi=dpi,
                outdir=folder,
                index=index,
            )
    return written
