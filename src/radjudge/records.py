"""Patient records: the six sections, their Russian headings, and real-record input files.

Every record of the study - synthetic or real - has the same six free-text
sections, in this order:

================  ===============================================
key               Russian heading
================  ===============================================
complaints        Жалобы
present_illness   Анамнез заболевания
past_history      Анамнез жизни
labs              Лабораторные исследования
instrumental      Инструментальные исследования
referral          Направление (цель исследования)
================  ===============================================

Real records (private, never committed) are read by :func:`read_records` from
one of three formats, chosen by the file suffix:

``.csv``
    UTF-8 text (a BOM is accepted; another encoding by ``encoding=``), one
    header row, comma- or semicolon-separated (detected from the header; a
    ``;`` file - a Russian-locale Excel export - is reported by a
    :class:`~radjudge.tabular.DialectWarning`). Columns: the id column
    (``patient_id`` by default) and one column per section, named by its key
    *or* its Russian heading (``complaints`` or ``Жалобы``).
``.xlsx``
    The same columns in the header row of the first worksheet (or ``sheet=``).
``.jsonl``
    One JSON object per line, either flat (``{"patient_id": ..., "complaints":
    ..., ...}``) or nested like the synthetic cohort (``{"patient_id": ...,
    "sections": {...}}``).

Validation is strict and names the file, the row (1-based, as a spreadsheet
shows it: the header is row 1, a quoted cell with line breaks is one row) and
the column of every problem, and says how to fix it: a missing section
column, an unknown extra column, two columns with the same name, a missing or
duplicate patient id, a record whose sections are all empty, a cell that is
not text, undecodable bytes, a NUL byte or other control character, a JSON
object that names a key twice, a cell too long for the CSV reader (usually an
unclosed quote); in a workbook also a hidden first worksheet, a value in a
column without a header, merged cells, and a formula without a computed value.
Nothing is dropped or coerced silently; an *individual* empty section is
allowed (a record may lack, say, instrumental findings) and stays an empty
string.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from radjudge.checks import check_choice
from radjudge.tabular import (
    DialectWarning,
    TableError,
    column_letter,
    control_character,
    decode_text,
    range_name,
    read_csv_table,
    read_sheet,
)

__all__ = [
    "SECTIONS",
    "SECTION_HEADINGS",
    "RawRecord",
    "RecordFormatError",
    "render_text",
    "read_records",
    "json_lines",
]

#: What :func:`read_records` does with a column it does not know.
ExtraColumns = Literal["error", "ignore"]

#: Section keys, in record order.
SECTIONS: tuple[str, ...] = (
    "complaints",
    "present_illness",
    "past_history",
    "labs",
    "instrumental",
    "referral",
)

#: Russian heading of each section, as printed in the record text.
SECTION_HEADINGS: dict[str, str] = {
    "complaints": "Жалобы",
    "present_illness": "Анамнез заболевания",
    "past_history": "Анамнез жизни",
    "labs": "Лабораторные исследования",
    "instrumental": "Инструментальные исследования",
    "referral": "Направление (цель исследования)",
}

_HEADING_TO_KEY = {h.casefold(): k for k, h in SECTION_HEADINGS.items()}


class RecordFormatError(ValueError):
    """A record file breaks the input format; the message names file, row, column and the fix."""


def render_text(sections: Mapping[str, str]) -> str:
    """Full record text: each section under its Russian heading, in record order.

    The format is ``"Heading:\\ntext"`` blocks separated by one blank line; an
    empty section is still listed (``"Heading:\\n"``), so the reader sees that
    it is empty. This is the text prompts embed.

    Parameters
    ----------
    sections : mapping of str to str
        Section key -> text; must hold exactly the six keys of :data:`SECTIONS`.

    Returns
    -------
    str

    Examples
    --------
    >>> s = dict.fromkeys(SECTIONS, "")
    >>> s["complaints"] = "Боли в животе."
    >>> print(render_text(s).split("\\n\\n")[0])
    Жалобы:
    Боли в животе.
    """
    missing = [k for k in SECTIONS if k not in sections]
    extra = [k for k in sections if k not in SECTION_HEADINGS]
    if missing or extra:
        raise ValueError(
            f"sections must have exactly the keys {list(SECTIONS)}; "
            f"missing {missing}, unknown {extra}"
        )
    return "\n\n".join(f"{SECTION_HEADINGS[k]}:\n{sections[k]}" for k in SECTIONS)


@dataclass(frozen=True)
class RawRecord:
    """One raw (not yet anonymized) record read from a file.

    Attributes
    ----------
    patient_id : str
        The id from the file.
    sections : dict[str, str]
        Section key -> text, the six keys of :data:`SECTIONS` in order.
    synthetic : bool
        False for records read from a file by :func:`read_records`.
    source : str
        ``"file:row"`` the record came from (for error messages; no PHI).
    """

    patient_id: str
    sections: dict[str, str]
    synthetic: bool = False
    source: str = ""

    @property
    def text(self) -> str:
        """Full text with Russian section headings (see :func:`render_text`)."""
        return render_text(self.sections)


def _column_key(name: str) -> str | None:
    """Section key a column header stands for (key or Russian heading), else None."""
    cleaned = " ".join(str(name).split())
    if cleaned in SECTION_HEADINGS:
        return cleaned
    return _HEADING_TO_KEY.get(cleaned.casefold().rstrip(":"))


def _read_csv(path: Path, encoding: str) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    try:
        table = read_csv_table(path, encoding=encoding)
    except TableError as exc:
        raise RecordFormatError(str(exc)) from None
    if table.delimiter != ",":  # the encoding is the caller's own choice
        warnings.warn(f"{path}: read as {table.dialect}", DialectWarning, stacklevel=3)
    rows = [(r, dict(zip(table.header, cells, strict=True))) for r, cells in table.rows]
    return table.header, rows


def _read_xlsx(path: Path, sheet: str | None) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    try:
        table = read_sheet(path, sheet=0 if sheet is None else sheet)
    except TableError as exc:
        raise RecordFormatError(str(exc)) from None
    state = dict(table.sheets)[table.title]
    if sheet is None and state != "visible":
        raise RecordFormatError(
            f"{path}: the first worksheet {table.title!r} is {state}: records are read from "
            "the first worksheet, and a hidden one is easily not what you meant. Unhide it, "
            "delete it, or move the records' worksheet to the front."
        )
    if not table.rows:
        raise RecordFormatError(f"{path}: worksheet {table.title!r} is empty")
    if table.merged:
        first = table.merged[0]
        raise RecordFormatError(
            f"{path}, worksheet {table.title!r}, cells {range_name(first)}: merged cells; a "
            "merge keeps only the top-left value, so the others would be read as empty. "
            "Unmerge them and fill in every cell."
        )
    header = [("" if v is None else str(v).strip()) for v in table.rows[0]]
    for j, name in enumerate(header):
        if name and header.index(name) < j:
            raise RecordFormatError(
                f"{path}, row 1: columns {column_letter(header.index(name) + 1)} and "
                f"{column_letter(j + 1)} are both named {name!r}; a reader would silently keep "
                "one of them. Keep one column per name."
            )
    named = [j for j, h in enumerate(header) if h]
    last = named[-1] + 1 if named else 0
    rows = []
    for rowno, values in enumerate(table.rows[1:], start=2):
        for j, v in enumerate(values):
            if v is not None and not header[j] and not (isinstance(v, str) and not v.strip()):
                raise RecordFormatError(
                    f"{path}, row {rowno}, column {column_letter(j + 1)}: a value in a column "
                    "without a header (it would be dropped). Give the column a header, or "
                    "delete the value."
                )
        values = list(values)[:last]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        rows.append((rowno, dict(zip(header[:last], values, strict=True))))
    return header[:last], rows


def json_lines(
    lines: Iterable[str], *, where: str | os.PathLike[str], error: type[Exception] = ValueError
) -> Iterator[tuple[int, Any]]:
    """(1-based line number, parsed value) of every non-blank line of a JSONL text.

    A line that is not JSON, or an object that names a key twice (a plain JSON
    reader keeps the last one), raises ``error`` naming ``where``, the line and
    the column. Shared by every JSONL reader of the project (raw records, the
    synthetic cohort, anonymized records).

    >>> list(json_lines(['{"a": 1}', "", "[2]"], where="x.jsonl"))
    [(1, {'a': 1}), (3, [2])]
    >>> list(json_lines(["{oops"], where="x.jsonl"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: x.jsonl, line 1: not valid JSON (...); each line must be one JSON object
    >>> list(json_lines(['{"a": 1, "a": 2}'], where="x.jsonl"))
    Traceback (most recent call last):
    ...
    ValueError: x.jsonl, line 1: key 'a' appears twice in one object; a reader would keep ...
    """
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield lineno, json.loads(line, object_pairs_hook=_unique_keys)
        except json.JSONDecodeError as exc:
            raise error(
                f"{where}, line {lineno}: not valid JSON ({exc.msg} at column {exc.colno}); "
                "each line must be one JSON object"
            ) from None
        except _DuplicateKey as exc:
            raise error(
                f"{where}, line {lineno}: key {exc.args[0]!r} appears twice in one object; "
                "a reader would keep only the last value"
            ) from None


class _DuplicateKey(Exception):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _read_jsonl(path: Path, encoding: str) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    try:
        text, _ = decode_text(path, encoding=encoding)
    except TableError as exc:
        raise RecordFormatError(str(exc)) from None
    rows = []
    header: list[str] = []
    for lineno, obj in json_lines(text.splitlines(), where=path, error=RecordFormatError):
        if not isinstance(obj, dict):
            raise RecordFormatError(
                f"{path}, line {lineno}: expected a JSON object, got {type(obj).__name__}"
            )
        if isinstance(obj.get("sections"), dict):
            nested = obj.pop("sections")
            clash = sorted(set(nested) & set(obj))
            if clash:
                raise RecordFormatError(
                    f"{path}, line {lineno}: {clash} given both at top level and in 'sections'"
                )
            obj = {**obj, **nested}
        # The synthetic cohort's own fields are not sections; they are not data loss.
        obj.pop("ground_truth", None)
        obj.pop("synthetic", None)
        for key in obj:
            if key not in header:
                header.append(key)
        rows.append((lineno, obj))
    if not rows:
        raise RecordFormatError(f"{path}: no records (the file holds no JSON lines)")
    return header, rows


def read_records(
    path: str | os.PathLike[str],
    *,
    id_column: str = "patient_id",
    encoding: str = "utf-8",
    sheet: str | None = None,
    extra_columns: ExtraColumns = "error",
) -> list[RawRecord]:
    """Read and validate real records from a CSV, XLSX or JSONL file.

    Parameters
    ----------
    path : path-like
        ``.csv``, ``.xlsx`` or ``.jsonl`` file (see the module docstring).
    id_column : str, default "patient_id"
        Column holding the patient id. Numbers (an Excel id column) become
        their integer text (``7`` -> ``"7"``); any other non-text id is an error.
    encoding : str, default "utf-8"
        Text encoding of CSV/JSONL files, e.g. ``"cp1251"`` for a legacy export.
    sheet : str, optional
        XLSX worksheet name; the first worksheet by default.
    extra_columns : {"error", "ignore"}, default "error"
        What to do with columns that are neither the id nor a section.
        ``"ignore"`` skips them (their names are listed nowhere else, so say so
        in your analysis notes).

    Returns
    -------
    list of RawRecord
        In file order; ``len(result)`` records, each with all six sections.

    Raises
    ------
    RecordFormatError
        Naming file, row and column, for: unknown suffix, undecodable bytes,
        missing section or id column, unknown column, duplicate or empty id,
        non-text cell, a record whose six sections are all empty.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
    >>> _ = p.write_text("patient_id,Жалобы,Анамнез заболевания,Анамнез жизни,"
    ...     "labs,instrumental,referral\\nA1,Боли в животе,,,,,КТ\\n", encoding="utf-8")
    >>> [(r.patient_id, r.sections["complaints"], r.sections["labs"]) for r in read_records(p)]
    [('A1', 'Боли в животе', '')]
    """
    check_choice("extra_columns", extra_columns, ExtraColumns)
    path = Path(path)
    if not path.is_file():
        raise RecordFormatError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        header, rows = _read_csv(path, encoding)
        unit = "row"
    elif suffix == ".xlsx":
        header, rows = _read_xlsx(path, sheet)
        unit = "row"
    elif suffix == ".jsonl":
        header, rows = _read_jsonl(path, encoding)
        unit = "line"
    else:
        raise RecordFormatError(
            f"{path}: unsupported suffix {path.suffix!r}; use .csv, .xlsx or .jsonl "
            "(see radjudge.records for the format)"
        )

    # Map columns to sections.
    column_for: dict[str, str] = {}
    unknown: list[str] = []
    for col in header:
        if col == id_column:
            continue
        key = _column_key(col)
        if key is None:
            unknown.append(col)
        elif key in column_for:
            raise RecordFormatError(
                f"{path}: columns {column_for[key]!r} and {col!r} both name section {key!r}; keep "
                "one"
            )
        else:
            column_for[key] = col
    if unit == "row" and id_column not in header:
        raise RecordFormatError(
            f"{path}: no id column {id_column!r}; the header has {header}. "
            f"Add a {id_column!r} column or pass id_column='<your id column>'."
        )
    missing = [k for k in SECTIONS if k not in column_for]
    if missing:
        wanted = ", ".join(f"{k!r} (or {SECTION_HEADINGS[k]!r})" for k in missing)
        raise RecordFormatError(
            f"{path}: missing section column(s) {wanted}; the header has {header}. "
            "Add one column per section, even when it is empty for some records."
        )
    if unknown and extra_columns == "error":
        raise RecordFormatError(
            f"{path}: unknown column(s) {unknown}: neither the id column {id_column!r} nor a "
            f"section ({', '.join(SECTIONS)} or their Russian headings). Remove them, rename "
            "them, or pass extra_columns='ignore'."
        )

    records: list[RawRecord] = []
    seen: dict[str, int] = {}
    for rowno, row in rows:
        where = f"{path}, {unit} {rowno}"
        pid = row.get(id_column)
        if isinstance(pid, bool) or not (pid is None or isinstance(pid, str | int | float)):
            raise RecordFormatError(f"{where}, column {id_column!r}: id must be text, got {pid!r}")
        if isinstance(pid, float):
            if not pid.is_integer():
                raise RecordFormatError(
                    f"{where}, column {id_column!r}: id {pid!r} is a fractional number; "
                    "store ids as text"
                )
            pid = int(pid)
        pid = "" if pid is None else str(pid).strip()
        if control_character(pid):
            raise RecordFormatError(
                f"{where}, column {id_column!r}: the patient id holds the control character "
                f"{control_character(pid)}; re-export the file or retype the id"
            )
        if not pid:
            raise RecordFormatError(
                f"{where}, column {id_column!r}: the patient id is empty; fill it in"
            )
        if pid in seen:
            raise RecordFormatError(
                f"{where}, column {id_column!r}: duplicate patient id {pid!r} (first at {unit} "
                f"{seen[pid]}); ids must be unique - merge the two records or renumber one"
            )
        seen[pid] = rowno
        sections: dict[str, str] = {}
        for key in SECTIONS:
            col = column_for[key]
            value = row.get(col)
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise RecordFormatError(
                    f"{where}, column {col!r}: section text must be text, got "
                    f"{type(value).__name__} {value!r}; format the cell as text"
                )
            bad = control_character(value)
            if bad:
                raise RecordFormatError(
                    f"{where}, column {col!r}: the text holds the control character {bad} at "
                    f"character {value.index(chr(int(bad[2:], 16))) + 1} (NUL bytes and other "
                    "controls come from a broken export, never from clinical text); re-export "
                    "the file or delete the character"
                )
            sections[key] = value.replace("\r\n", "\n").strip()
        if not any(sections.values()):
            raise RecordFormatError(
                f"{where}: record {pid!r} is empty - all six sections are blank. Fill it in or "
                "delete the row."
            )
        records.append(
            RawRecord(
                patient_id=pid, sections=sections, synthetic=False, source=f"{path.name}:{rowno}"
            )
        )
    if not records:
        raise RecordFormatError(f"{path}: no records below the header row")
    return records
