"""Reading the spreadsheets and CSV files people hand in, without silent change.

Shared by the raw-record reader (:mod:`radjudge.records`) and the rating import
(:mod:`radjudge.ratings.load`). Both must refuse, with a located error, what a
plain reader would quietly turn into something else:

CSV (:func:`read_csv_table`)
    * rows are numbered as a spreadsheet shows them: the header is row 1 and
      every CSV record is one row, a blank line included, a quoted cell with
      line breaks not split (``csv.reader.line_num`` counts physical lines);
    * the encoding is UTF-8 with or without BOM, or - with ``encoding="auto"``
      only - Windows-1251 when the bytes are not UTF-8 and decode cleanly;
    * the delimiter is ``,`` or ``;`` (a Russian-locale Excel export) or a tab,
      detected from the header row; encoding and delimiter are reported
      (:attr:`CsvTable.dialect`);
    * a cell longer than the ``csv`` module allows (usually an unclosed quote)
      is an error naming the row, not a bare ``_csv.Error``;
    * a header that names a column twice is an error.

XLSX (:func:`read_sheet`)
    * the values are the ones the spreadsheet application computed and cached;
      a formula without a cached value (written by a program, never opened in
      Excel or LibreOffice) is an error naming its cell, never an empty cell;
    * merged cells are reported (:attr:`SheetTable.merged`), so a caller can
      refuse them where a merge hides values;
    * the sheet names, their visibility and the application that saved the file
      (``docProps/app.xml``) are reported.

Every problem is a :class:`TableError` with the file, sheet, row, column and
what was expected; callers re-raise it as their own error type.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "TableError",
    "DialectWarning",
    "CsvTable",
    "SheetTable",
    "decode_text",
    "read_csv_table",
    "read_sheet",
    "read_sheets",
    "range_name",
    "column_letter",
    "located",
    "control_character",
    "workbook_application",
]

#: Delimiters recognised in a CSV header row, in order of preference.
DELIMITERS = (",", ";", "\t")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class TableError(ValueError):
    """A CSV or workbook problem, located; ``kind`` says which (see the attribute).

    Attributes
    ----------
    kind : str
        ``encoding``, ``empty``, ``ragged``, ``too_long``, ``duplicate_column``,
        ``formula_without_value``, ``not_a_workbook``, ``no_sheet``.
    file, sheet, row, column, problem, expected
        Where and what; ``row`` as a spreadsheet numbers it (header = 1).
    """

    def __init__(
        self,
        problem: str,
        *,
        kind: str,
        file: str | Path,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        expected: str | None = None,
    ) -> None:
        self.problem, self.kind, self.file = problem, kind, str(file)
        self.sheet, self.row, self.column, self.expected = sheet, row, column, expected
        super().__init__(
            located(str(file), problem, sheet=sheet, row=row, column=column, expected=expected)
        )


def located(
    file: str,
    problem: str,
    *,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    expected: str | None = None,
) -> str:
    """``"<file>, sheet 'S', row R, column C: <problem>; expected <expected>"`` (parts that apply).

    >>> located("f.csv", "score 7 is out of range", row=4, column="score", expected="1..5")
    'f.csv, row 4, column score: score 7 is out of range; expected 1..5'
    """
    where = [file]
    if sheet is not None:
        where.append(f"sheet {sheet!r}")
    if row is not None:
        where.append(f"row {row}")
    if column is not None:
        where.append(f"column {column}")
    message = f"{', '.join(where)}: {problem}"
    return message + (f"; expected {expected}" if expected else "")


class DialectWarning(UserWarning):
    """A CSV was read with another encoding or delimiter than UTF-8 and ``,``; it says which."""


def column_letter(j: int) -> str:
    """Spreadsheet letter of 1-based column ``j``: ``1 -> 'A'``, ``28 -> 'AB'``.

    >>> [column_letter(j) for j in (1, 26, 27, 703)]
    ['A', 'Z', 'AA', 'AAA']
    """
    out = ""
    while j > 0:
        j, rem = divmod(j - 1, 26)
        out = chr(65 + rem) + out
    return out


def control_character(text: str) -> str | None:
    """The first control character of ``text`` other than tab and line breaks, as ``U+XXXX``.

    NUL bytes and other C0/C1 controls never belong in clinical text or ids;
    they come from binary junk or a broken export.

    >>> control_character("ok\\ttext\\n"), control_character("a\\x00b")
    (None, 'U+0000')
    """
    m = _CONTROL.search(text)
    return None if m is None else f"U+{ord(m.group()):04X}"


# ------------------------------------------------------------------------- CSV


@dataclass(frozen=True)
class CsvTable:
    """A decoded CSV file.

    Attributes
    ----------
    path : pathlib.Path
    header : list of str
        Row 1, cells stripped.
    rows : list of (int, list of str)
        ``(spreadsheet row, cells)`` of every non-blank row below the header,
        each with as many cells as the header (checked).
    encoding : str
        ``utf-8``, ``utf-8-sig`` (UTF-8 with BOM) or ``cp1251`` (or the one passed).
    delimiter : str
    """

    path: Path
    header: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str
    delimiter: str

    @property
    def dialect(self) -> str:
        """Human description, e.g. ``"UTF-8 with BOM, ';'-separated"``."""
        enc = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "cp1251": "Windows-1251"}
        sep = {",": "','", ";": "';'", "\t": "tab"}[self.delimiter]
        return f"{enc.get(self.encoding, self.encoding)}, {sep}-separated"

    @property
    def is_default(self) -> bool:
        """True for plain UTF-8 (BOM or not), comma-separated."""
        return self.encoding in ("utf-8", "utf-8-sig") and self.delimiter == ","


def decode_text(path: str | Path, *, encoding: Literal["auto"] | str = "auto") -> tuple[str, str]:
    """A text file's content and the encoding used (see :func:`read_csv_table`).

    Raises
    ------
    TableError
        Naming the first undecodable byte, its line, and the fix.
    """
    path = Path(path)
    data = path.read_bytes()
    wanted = encoding.lower().replace("_", "-")
    if wanted in ("auto", "utf-8", "utf8", "utf-8-sig"):
        try:
            text = data.decode("utf-8-sig")
            return text, "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
        except UnicodeDecodeError as exc:
            first = exc
        if wanted == "auto":
            try:
                text = data.decode("cp1251")
            except UnicodeDecodeError:
                pass
            else:
                if control_character(text) is None:
                    return text, "cp1251"
    else:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            first = exc
    row = data[: first.start].count(b"\n") + 1
    hint = ""
    if wanted != "auto":
        try:
            data.decode("cp1251")
            hint = " It decodes as Windows-1251 (cp1251): pass encoding='cp1251', or"
        except UnicodeDecodeError:
            hint = " Pass the file's encoding (encoding=...), or"
    raise TableError(
        f"not valid {'UTF-8 (nor Windows-1251)' if wanted == 'auto' else encoding} text: byte "
        f"0x{data[first.start]:02x} at offset {first.start} (line {row}) cannot be decoded."
        f"{hint} re-save the file as UTF-8",
        kind="encoding",
        file=path,
        row=row,
        expected="UTF-8 text (Excel: 'CSV UTF-8 (comma delimited)')",
    ) from None


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header row (the first CSV record) into most cells."""
    best, best_n = ",", 1
    for delim in DELIMITERS:
        try:
            first = next(csv.reader(io.StringIO(text, newline=""), delimiter=delim), [])
        except csv.Error:
            continue
        if len(first) > best_n:
            best, best_n = delim, len(first)
    return best


def read_csv_table(
    path: str | Path,
    *,
    encoding: Literal["auto"] | str = "auto",
    delimiter: str | None = None,
) -> CsvTable:
    """Decode and split a CSV file, numbering rows as a spreadsheet does.

    Parameters
    ----------
    path : path-like
    encoding : str, default "auto"
        ``"auto"``: UTF-8 (BOM or not), else Windows-1251 when the bytes decode
        cleanly (no control characters). Any other value is used strictly.
    delimiter : str, optional
        Force a delimiter; detected from the header row by default.

    Returns
    -------
    CsvTable

    Raises
    ------
    TableError
        Undecodable bytes, an empty file, a row with another number of cells
        than the header, a cell too long for the csv module, a repeated column.
    """
    path = Path(path)
    text, used = decode_text(path, encoding=encoding)
    if not text.strip():
        raise TableError("the file is empty; it needs a header row", kind="empty", file=path)
    delim = delimiter or _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    row_no = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise TableError(
                f'the row cannot be read ({exc}); a cell this long usually means a quote (") '
                "opened and never closed",
                kind="too_long" if "field larger" in str(exc) else "ragged",
                file=path,
                row=row_no + 1,
                expected="every quoted cell closed by a quote",
            ) from None
        row_no += 1
        if header is None:
            header = [h.strip() for h in cells]
            seen: dict[str, int] = {}
            for j, name in enumerate(header, start=1):
                if name and name in seen:
                    raise TableError(
                        f"columns {column_letter(seen[name])} and {column_letter(j)} are both "
                        f"named {name!r}: a reader would silently keep one of them",
                        kind="duplicate_column",
                        file=path,
                        row=1,
                        column=f"{column_letter(j)} ({name})",
                        expected="each column name once",
                    )
                seen.setdefault(name, j)
            continue
        if not any(c.strip() for c in cells):
            continue  # a blank row is not data (but it is a row: counted above)
        if len(cells) != len(header):
            raise TableError(
                f"{len(cells)} cells but the header has {len(header)} columns",
                kind="ragged",
                file=path,
                row=row_no,
                expected='one cell per column; quote cells that contain the delimiter or line breaks ("...")',
            )
        rows.append((row_no, cells))
    assert header is not None  # the text is not blank
    return CsvTable(path=path, header=header, rows=rows, encoding=used, delimiter=delim)


# ------------------------------------------------------------------------ XLSX


@dataclass(frozen=True)
class SheetTable:
    """One worksheet's cached values and what a plain reader would hide.

    Attributes
    ----------
    path : pathlib.Path
    title : str
        The worksheet read.
    rows : list of tuple
        Cell values (as the application cached them) of rows 1..max_row, each
        padded to ``max_column`` cells; ``rows[0]`` is spreadsheet row 1.
    merged : list of (int, int, int, int)
        Merged ranges as ``(min_row, min_col, max_row, max_col)``.
    sheets : list of (str, str)
        Every worksheet's title and state (``visible``, ``hidden``, ``veryHidden``).
    application : str or None
        The application that saved the file (``docProps/app.xml``).
    """

    path: Path
    title: str
    rows: list[tuple[Any, ...]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    sheets: list[tuple[str, str]] = field(default_factory=list)
    application: str | None = None

    def merged_in(self, rows: range, columns: Sequence[int]) -> tuple[int, int, int, int] | None:
        """The first merged range that covers a cell of ``rows`` x ``columns``, else None."""
        cols = set(columns)
        for rng in self.merged:
            r0, c0, r1, c1 = rng
            if r0 <= rows.stop - 1 and r1 >= rows.start and any(c0 <= c <= c1 for c in cols):
                return rng
        return None


def range_name(rng: tuple[int, int, int, int]) -> str:
    """``(1, 1, 2, 3) -> 'A1:C2'``."""
    r0, c0, r1, c1 = rng
    return f"{column_letter(c0)}{r0}:{column_letter(c1)}{r1}"


def workbook_application(path: str | Path) -> str | None:
    """The ``Application`` of ``docProps/app.xml`` (who saved the file), or None."""
    try:
        with zipfile.ZipFile(path) as z:
            xml = z.read("docProps/app.xml").decode("utf-8", errors="replace")
    except (KeyError, OSError, zipfile.BadZipFile):
        return None
    m = re.search(r"<(?:\w+:)?Application>([^<]*)</(?:\w+:)?Application>", xml)
    return m.group(1).strip() if m else None


def read_sheet(path: str | Path, *, sheet: str | int = 0) -> SheetTable:
    """Read one worksheet: cached values, merged ranges, sheet states, saving application.

    Parameters
    ----------
    path : path-like
        An ``.xlsx`` workbook.
    sheet : str or int, default 0
        Worksheet title, or 0-based position.

    Returns
    -------
    SheetTable

    Raises
    ------
    TableError
        ``not_a_workbook``, ``no_sheet``, or ``formula_without_value`` naming
        the first such cell: a formula nobody computed has no value to read.
    """
    return read_sheets(path, [sheet])[0]


def read_sheets(path: str | Path, sheets: Sequence[str | int]) -> list[SheetTable]:
    """:func:`read_sheet` for several worksheets of one workbook, read once."""
    import openpyxl

    path = Path(path)
    try:
        # Formulas and cached values need two loads; the second only when there are formulas.
        wb = openpyxl.load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl raises several unrelated types for a bad file
        raise TableError(
            f"cannot be read as an .xlsx workbook ({type(exc).__name__}: {exc})",
            kind="not_a_workbook",
            file=path,
            expected="an .xlsx workbook saved by Excel or LibreOffice",
        ) from None
    states = [(ws.title, ws.sheet_state) for ws in wb.worksheets]
    application = workbook_application(path)
    chosen = []
    for sheet in sheets:
        if isinstance(sheet, int):
            if not 0 <= sheet < len(wb.worksheets):
                raise TableError(f"has no worksheet number {sheet + 1}", kind="no_sheet", file=path)
            chosen.append(wb.worksheets[sheet])
        elif sheet in wb.sheetnames:
            chosen.append(wb[sheet])
        else:
            raise TableError(
                f"has no worksheet {sheet!r} (sheets: {', '.join(wb.sheetnames)})",
                kind="no_sheet",
                file=path,
                sheet=sheet,
            )
    values_wb = None
    out = []
    for ws in chosen:
        formulas = [(c.row, c.column) for row in ws.iter_rows() for c in row if c.data_type == "f"]
        values_ws = ws
        if formulas:
            values_wb = values_wb or openpyxl.load_workbook(path, data_only=True)
            values_ws = values_wb[ws.title]
            for r, c in formulas:
                if values_ws.cell(row=r, column=c).value is None:
                    raise TableError(
                        f"the cell holds a formula ({ws.cell(row=r, column=c).value!s:.40}) "
                        "without a computed value: the file was written by a program and never "
                        "recalculated",
                        kind="formula_without_value",
                        file=path,
                        sheet=ws.title,
                        row=r,
                        column=column_letter(c),
                        expected="a typed value, or open and save the file in Excel or "
                        "LibreOffice so that the formula is computed",
                    )
        n_cols = values_ws.max_column or 0
        rows = [
            tuple(row) + (None,) * (n_cols - len(row))
            for row in values_ws.iter_rows(values_only=True)
        ]
        merged = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
        out.append(
            SheetTable(
                path=path,
                title=ws.title,
                rows=rows,
                merged=merged,
                sheets=states,
                application=application,
            )
        )
    return out
