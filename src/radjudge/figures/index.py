"""The figure index: which file came from which function and notebook.

``figures/index.csv`` (``paths.FIGURE_INDEX``) has one row per figure *file*:

=========  ==============================================================
column     meaning
=========  ==============================================================
file       path relative to the project root, e.g. ``figures/fig1_w_heatmap.pdf``
figure     file stem, e.g. ``fig1_w_heatmap`` (the PDF and PNG share it)
format     ``pdf`` or ``png``
function   dotted name of the drawing function
notebook   stem of the notebook that called it (empty outside a notebook)
language   label language, ``ru`` or ``en`` (empty when not applicable)
caption    one-line caption (may be empty)
bytes      file size
sha256     SHA-256 of the file's bytes
=========  ==============================================================

Rows are keyed by ``file``: registering a file again replaces its row, so the
index always describes the files on disk. :func:`check_figure_index` verifies
that every listed file exists, is non-empty and still has the recorded hash.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from radjudge import paths
from radjudge.contracts import FIGURE_INDEX
from radjudge.manifest import sha256_file

__all__ = [
    "FigureIndexError",
    "register_figure",
    "read_figure_index",
    "check_figure_index",
]

_COLUMNS = list(FIGURE_INDEX.names())


class FigureIndexError(ValueError):
    """The figure index is malformed or lists a file that is missing, empty or changed."""


def _rel(path: Path) -> str:
    return paths.relative(path)


def _abs(file: str) -> Path:
    return paths.resolve(file)


def read_figure_index(index: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read the figure index (an empty frame with the right columns if absent).

    Raises
    ------
    FigureIndexError
        If the file lacks one of :data:`radjudge.contracts.FIGURE_INDEX`.
    """
    path = Path(index) if index is not None else paths.FIGURE_INDEX
    if not path.is_file():
        return pd.DataFrame({c: pd.Series(dtype="object") for c in _COLUMNS})
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in _COLUMNS if c not in df.columns]
    if missing:
        raise FigureIndexError(
            f"{path}: figure index lacks column(s) {missing}; expected {_COLUMNS}. "
            "Delete it and re-run notebook 06 to rebuild it."
        )
    df["bytes"] = df["bytes"].astype("int64")
    return df[_COLUMNS]


def register_figure(
    files: Iterable[str | os.PathLike[str]],
    *,
    function: str,
    notebook: str | None = None,
    caption: str | None = None,
    language: str | None = None,
    index: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Add (or replace) the rows of ``files`` in the figure index and write it.

    Parameters
    ----------
    files : iterable of path-like
        Figure files that exist now.
    function : str
        Dotted name of the drawing function.
    notebook, caption, language : str, optional
    index : path-like, optional
        The index CSV; ``paths.FIGURE_INDEX`` by default.

    Returns
    -------
    pandas.DataFrame
        The whole index after the update, sorted by file.

    Raises
    ------
    FigureIndexError
        If a file does not exist or is empty (an empty figure is a failed figure).
    """
    path = Path(index) if index is not None else paths.FIGURE_INDEX
    rows = []
    for f in files:
        p = Path(f)
        if not p.is_file() or p.stat().st_size == 0:
            raise FigureIndexError(f"cannot register {p}: it does not exist or is empty")
        rows.append(
            {
                "file": _rel(p),
                "figure": p.stem,
                "format": p.suffix.lstrip("."),
                "function": function,
                "notebook": notebook or "",
                "language": language or "",
                "caption": caption or "",
                "bytes": p.stat().st_size,
                "sha256": sha256_file(p),
            }
        )
    current = read_figure_index(path)
    new = pd.DataFrame(rows, columns=_COLUMNS)
    merged = pd.concat(
        [current[~current["file"].isin(new["file"])], new], ignore_index=True
    ).sort_values("file", ignore_index=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    merged.to_csv(tmp, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    os.replace(tmp, path)
    return merged


def check_figure_index(index: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Verify every listed figure file exists, is non-empty and matches its hash.

    Returns
    -------
    pandas.DataFrame
        The index.

    Raises
    ------
    FigureIndexError
        Naming every bad row, or if the index is missing or empty.
    """
    path = Path(index) if index is not None else paths.FIGURE_INDEX
    if not path.is_file():
        raise FigureIndexError(f"{path} does not exist: run notebook 06 (radjudge run --only 06)")
    df = read_figure_index(path)
    if df.empty:
        raise FigureIndexError(f"{path} lists no figures")
    problems = []
    for row in df.itertuples(index=False):
        p = _abs(row.file)
        if not p.is_file():
            problems.append(f"{row.file}: missing")
        elif p.stat().st_size == 0:
            problems.append(f"{row.file}: empty")
        elif sha256_file(p) != row.sha256:
            problems.append(f"{row.file}: changed since it was registered (sha256 differs)")
    if problems:
        raise FigureIndexError(f"{path}: " + "; ".join(problems) + ". Re-run notebook 06.")
    return df
