"""Source notebooks stay clean: one definition of what a committed notebook must not hold.

Source notebooks (``notebooks/*.ipynb``) are committed without outputs,
execution counts, or the metadata Jupyter rewrites whenever a notebook is
opened (``language_info`` with the Python version, widget state, the
collapsed/scrolled state of cells). :func:`strip_notebook` removes exactly
that and keeps everything a person wrote (cells, their ids, tags,
``kernelspec``). The same function serves three places:

* **JupyterLab** (``make lab``): :func:`pre_save_hook` strips a compendium's
  source notebook as the server saves it, so the file on disk stays
  byte-identical to the committed one after opening, running and saving -
  ``git status`` stays clean. (A git filter alone cannot promise that:
  ``git status`` calls a file of another size modified without filtering
  it.) Other notebooks are saved as they are.
* **git** (``make setup`` installs the filter ``nbclean`` that
  ``.gitattributes`` names): whatever editor saved a notebook, ``git add``
  and ``git diff`` see it stripped.
* **make strip**: rewrite the source notebooks in place.

Command line::

    python -m radjudge.nbclean FILE...        # strip in place, list what changed
    python -m radjudge.nbclean --check FILE... # exit 1 if a file is not clean
    python -m radjudge.nbclean < in > out      # git clean filter: stdin to stdout
"""

from __future__ import annotations

import argparse
import copy
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import nbformat

__all__ = [
    "NOTEBOOK_METADATA",
    "CELL_METADATA",
    "strip_notebook",
    "clean_text",
    "is_source_notebook",
    "pre_save_hook",
    "main",
]

#: Notebook-level metadata keys Jupyter tools write on open or save.
NOTEBOOK_METADATA = ("language_info", "widgets", "signature", "vscode")
#: Cell-level metadata keys that record view state or execution timing.
CELL_METADATA = (
    "collapsed",
    "scrolled",
    "execution",
    "ExecuteTime",
    "heading_collapsed",
    "hidden",
    "jp-MarkdownHeadingCollapsed",
    "trusted",
)


def strip_notebook(nb: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of notebook ``nb`` (nbformat 4, as a dict) without outputs and volatile metadata.

    Outputs are emptied, execution counts set to None, the keys of
    :data:`NOTEBOOK_METADATA` and :data:`CELL_METADATA` removed. Cells, cell
    ids, tags and the kernelspec are kept.

    >>> nb = {"metadata": {"kernelspec": {"name": "radjudge"}, "language_info": {"name": "python"}},
    ...       "cells": [{"cell_type": "code", "id": "a1", "metadata": {"scrolled": True},
    ...                  "source": "1", "execution_count": 3, "outputs": [{"output_type": "x"}]}]}
    >>> out = strip_notebook(nb)
    >>> out["metadata"], out["cells"][0]["outputs"], out["cells"][0]["execution_count"]
    ({'kernelspec': {'name': 'radjudge'}}, [], None)
    >>> out["cells"][0]["id"], out["cells"][0]["metadata"]
    ('a1', {})
    """
    out = copy.deepcopy(dict(nb))
    meta = out.get("metadata", {})
    for key in NOTEBOOK_METADATA:
        meta.pop(key, None)
    for cell in out.get("cells", []):
        for key in CELL_METADATA:
            cell.get("metadata", {}).pop(key, None)
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return out


def clean_text(text: str) -> str:
    """The stripped notebook file for notebook JSON ``text``, written as Jupyter writes it.

    Raises
    ------
    ValueError
        If ``text`` is not notebook JSON (the message says so).
    """
    try:
        nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    except Exception as err:  # nbformat raises several types for a bad file
        raise ValueError(f"not a notebook (JSON expected): {err}") from err
    out = nbformat.writes(nbformat.from_dict(strip_notebook(nb)), version=nbformat.NO_CONVERT)
    return out if out.endswith("\n") else out + "\n"


def is_source_notebook(path: str | Path) -> bool:
    """True for ``<root>/notebooks/*.ipynb`` of a compendium (a root holds pyproject.toml and
    params/), the notebooks committed without outputs."""
    p = Path(path)
    root = p.parent.parent
    return (
        p.suffix == ".ipynb"
        and p.parent.name == "notebooks"
        and (root / "pyproject.toml").is_file()
        and (root / "params").is_dir()
    )


def pre_save_hook(
    model: dict[str, Any], path: str, contents_manager: Any = None, **_kwargs: Any
) -> None:
    """Jupyter ``ContentsManager.pre_save_hook``: strip a source notebook before it is written.

    ``make lab`` passes ``--ContentsManager.pre_save_hook=radjudge.nbclean.pre_save_hook``.
    Notebooks outside a compendium's ``notebooks/`` folder, and other files,
    are saved unchanged.
    """
    if model.get("type") != "notebook" or not isinstance(model.get("content"), Mapping):
        return
    os_path = (
        contents_manager._get_os_path(path)  # the file the server will write
        if contents_manager is not None and hasattr(contents_manager, "_get_os_path")
        else path
    )
    if is_source_notebook(os_path):
        model["content"] = nbformat.from_dict(strip_notebook(model["content"]))


def main(argv: Sequence[str] | None = None) -> int:
    """Command line (see the module docstring); returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m radjudge.nbclean",
        description="Strip outputs and volatile metadata from notebooks "
        "(no FILE: read stdin, write stdout, as a git clean filter).",
    )
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if unclean")
    args = parser.parse_args(argv)
    if not args.files:
        # bytes in, bytes out: git's pipes carry UTF-8 whatever the locale says
        sys.stdout.buffer.write(clean_text(sys.stdin.buffer.read().decode("utf-8")).encode())
        return 0
    unclean = []
    for f in args.files:
        text = f.read_text(encoding="utf-8")
        try:
            clean = clean_text(text)
        except ValueError as err:
            parser.error(f"{f}: {err}")
        if clean != text:
            unclean.append(f)
            if not args.check:
                f.write_text(clean, encoding="utf-8", newline="\n")
    for f in unclean:
        print(f"{'not clean' if args.check else 'stripped'}: {f}")
    return 1 if (args.check and unclean) else 0


if __name__ == "__main__":
    raise SystemExit(main())
