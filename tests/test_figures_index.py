"""radjudge.figures.index: the figure index lists real, unchanged, non-empty files."""

from __future__ import annotations

import pytest

from radjudge.contracts import FIGURE_INDEX
from radjudge.figures.index import (
    FigureIndexError,
    check_figure_index,
    read_figure_index,
    register_figure,
)


def _files(tmp_path, *names, content=b"%PDF-1.4 figure"):
    out = []
    for n in names:
        p = tmp_path / n
        p.write_bytes(content)
        out.append(p)
    return out


def test_register_then_replace_rows(tmp_path):
    index = tmp_path / "index.csv"
    a, b = _files(tmp_path, "a.pdf", "a.png")
    register_figure([a, b], function="m.f", notebook="06_figures", index=index)
    a.write_bytes(b"%PDF-1.4 redrawn, longer")
    df = register_figure([a], function="m.g", index=index)
    assert list(df.columns) == list(FIGURE_INDEX.names())
    assert len(df) == 2  # a.pdf replaced, not duplicated
    row = df.set_index("figure").loc["a"].set_index("format").loc["pdf"]
    assert row["function"] == "m.g" and int(row["bytes"]) == len(b"%PDF-1.4 redrawn, longer")
    assert check_figure_index(index).equals(read_figure_index(index))


def test_check_names_missing_empty_and_changed_files(tmp_path):
    index = tmp_path / "index.csv"
    a, b, c = _files(tmp_path, "a.pdf", "b.pdf", "c.pdf")
    register_figure([a, b, c], function="f", index=index)
    a.unlink()
    b.write_bytes(b"")
    c.write_bytes(b"something else")
    with pytest.raises(FigureIndexError) as err:
        check_figure_index(index)
    msg = str(err.value)
    assert "a.pdf: missing" in msg and "b.pdf: empty" in msg and "c.pdf: changed" in msg


def test_empty_or_absent_index_and_empty_file_are_errors(tmp_path):
    with pytest.raises(FigureIndexError, match="does not exist"):
        check_figure_index(tmp_path / "none.csv")
    (empty,) = _files(tmp_path, "e.png", content=b"")
    with pytest.raises(FigureIndexError, match="empty"):
        register_figure([empty], function="f", index=tmp_path / "i.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("file,figure\nx,y\n")
    with pytest.raises(FigureIndexError, match="lacks column"):
        read_figure_index(bad)
