"""Validated import of expert ratings: filled XLSX forms and the long CSV format.

Long CSV format (header row, one rating per row)::

    expert_id,expert_category,patient_id,summarizer,criterion,scale_max,score
    E01,radiologist,P001,model_a,completeness,5,4
    E01,radiologist,P001,model_a,correctness,5,

* Encoding: UTF-8 with or without BOM; Windows-1251 (a Russian-locale Excel
  export) when the bytes are not UTF-8 and decode cleanly. Delimiter: ``,`` or
  ``;`` (or a tab), detected from the header. Anything but comma-separated
  UTF-8 is reported by a :class:`~radjudge.tabular.DialectWarning`.
* Rows are numbered as a spreadsheet shows them (header = row 1).
* ``expert_id``: the roster's character set (:data:`~radjudge.ratings.roster.ID_CHARACTERS`);
  a look-alike letter of another script (Cyrillic ``Е`` for Latin ``E``) is an error
  that names it, never a second expert. ``patient_id`` and ``summarizer`` may not
  mix Latin letters with look-alikes. One ``expert_category`` per expert, across
  every row and file (and the roster's, when given).
* ``score``: a whole number 1..scale_max, or empty for a missing rating.
* Optional column ``n_raters_averaged`` (default 1): when n > 1 the score is the
  mean of n whole ratings (e.g. the published SummEval expert means), so it must
  be a multiple of 1/n within 1e-9 and lie in 1..scale_max. It is validated,
  never rounded.
* ``scale_max`` must be the same on every row of a criterion, and equal to the
  blinding key's scale (when a key is given) and to ``scale_max`` (when given).

Filled forms must come back as exported: the four sheets and no other (a copy
of the rating sheet is refused, not ignored), the column ids of row 2 in the
order of the form's ``_meta`` sheet, no merged cells, no formula without a
computed value, every exported row, unedited texts. File names are free - an
expert may rename the file, the form's identity is in ``_meta`` - except the
file name of *another* expert's form, which is refused as a mix-up. Experts of
the roster who returned nothing are named by a :class:`MissingFormsWarning`.

Nothing is coerced: ``"3,5"``, ``"4.0"`` where whole numbers are expected,
``"хорошо"`` are errors. Every error is a :class:`~radjudge.ratings.RatingsError`
naming file, sheet, row and column; the first problem met stops the import.

Output (``paths.EXPERT_RATINGS``), one row per (expert, summary, criterion),
summarizer unblinded: ``expert_id, expert_category, patient_id, summarizer,
criterion, scale_max, score, n_raters_averaged, source_file``. ``score`` is a
nullable ``Int64`` (``Float64`` if any row is a panel mean); an empty cell is a
row with NA score - reported by a :class:`MissingRatingsWarning` and counted by
:func:`completeness`, never filled in.
"""

from __future__ import annotations

import math
import os
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from radjudge import paths as rj_paths
from radjudge.contracts import CRITERIA, EXPERT_RATINGS
from radjudge.ratings.errors import (
    MissingFormsWarning,
    MissingRatingsWarning,
    RatingsError,
    read_rating_csv,
)
from radjudge.ratings.forms import (
    FIRST_DATA_ROW,
    FIXED_COLUMNS,
    FORM_FORMAT,
    FORM_SHEETS,
    ID_ROW,
    META_SHEET,
    RATING_SHEET,
)
from radjudge.ratings.key import BlindingKey, read_key, text_sha256
from radjudge.ratings.roster import (
    ID_CHARACTERS,
    id_problem,
    lookalikes,
    read_roster,
    validate_roster,
)
from radjudge.tabular import (
    SheetTable,
    TableError,
    range_name,
    read_sheets,
)

__all__ = ["CSV_COLUMNS", "load_expert_ratings", "completeness"]

CSV_COLUMNS = EXPERT_RATINGS.core
_CSV_OPTIONAL = ("n_raters_averaged",)

_INT = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?$")
_MEAN_TOL = 1e-9


def _col(j: int, name: str | None = None) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(j)} ({name})" if name else get_column_letter(j)


class _Context:
    """What every file is checked against, and the ratings gathered so far."""

    def __init__(
        self,
        key: BlindingKey | None,
        roster: pd.DataFrame | None,
        criteria: Sequence[str],
        scales: dict[str, int] | None,
    ) -> None:
        self.key, self.criteria, self.scales = key, tuple(criteria), scales
        self.category = (
            None
            if roster is None
            else dict(zip(roster["expert_id"], roster["category"], strict=True))
        )
        self.roster_source = None if roster is None else roster.attrs.get("source", "the roster")
        self.seen: dict[tuple[str, str, str, str], str] = {}
        self.forms_seen: dict[str, str] = {}
        self.expert_category: dict[str, tuple[str, str]] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self.csv_scales: dict[str, tuple[int, str]] = {}
        self.rows: list[tuple[Any, ...]] = []


# --------------------------------------------------------------------- files


def _list_files(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[Path]:
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    files: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            skipped = []
            for child in sorted(p.iterdir()):
                if child.name.startswith((".", "~$")) or child.is_dir():
                    skipped.append(
                        child.name
                    )  # lock files of an open workbook, hidden files, folders
                    continue
                files.append(child)
            if skipped:
                warnings.warn(f"{p}: not rating files, skipped: {', '.join(skipped)}", stacklevel=3)
        elif p.is_file():
            files.append(p)
        else:
            raise FileNotFoundError(f"{p} does not exist")
    if not files:
        where = ", ".join(str(Path(i)) for i in items) or "(no path given)"
        raise RatingsError(
            "no rating file found",
            kind="no_files",
            file=where,
            expected="filled .xlsx forms or .csv files in the long format",
        )
    return files


def _file_kind(path: Path) -> str:
    size = path.stat().st_size
    if size == 0:
        raise RatingsError(
            "the file is empty (0 bytes)",
            kind="empty_file",
            file=path,
            expected="a filled .xlsx form or a .csv in the long format",
        )
    suffix = path.suffix.lower()
    with path.open("rb") as fh:
        head = fh.read(8)
    if suffix == ".xlsx":
        if not head.startswith(b"PK\x03\x04"):
            what = (
                "an old Excel .xls / OLE file"
                if head.startswith(b"\xd0\xcf\x11\xe0")
                else "not a ZIP container"
            )
            raise RatingsError(
                f"the file is named .xlsx but its content is {what}",
                kind="wrong_file_type",
                file=path,
                expected="an .xlsx workbook (Excel: Save As 'Excel Workbook (*.xlsx)')",
            )
        return "xlsx"
    if suffix == ".csv":
        if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
            raise RatingsError(
                "the file is named .csv but holds a binary (spreadsheet) file",
                kind="wrong_file_type",
                file=path,
                expected="a UTF-8 text CSV in the long format",
            )
        return "csv"
    raise RatingsError(
        f"unsupported file type {suffix or '(no suffix)'!r}",
        kind="wrong_file_type",
        file=path,
        expected="a filled form (.xlsx) or the long format (.csv); save an .xls or .ods as .xlsx",
    )


# ---------------------------------------------------------------- xlsx forms


def _check_score(
    value: Any, *, n: int, file: Path, sheet: str, row: int, column: str
) -> int | None:
    """A rating cell's value -> whole score or None (empty); anything else raises."""
    where = {"file": file, "sheet": sheet, "row": row, "column": column}
    expected = f"a whole number from 1 to {n}, or an empty cell"
    if value is None:
        return None
    if isinstance(value, bool):
        raise RatingsError(
            f"the cell holds the boolean {value}", kind="text_score", expected=expected, **where
        )
    if isinstance(value, datetime | date | time | timedelta):
        raise RatingsError(
            f"the cell holds a date/time ({value}), not a score",
            kind="text_score",
            expected=expected + " (the cell may be formatted as a date)",
            **where,
        )
    if isinstance(value, str):
        raise RatingsError(
            f"the cell holds text {value!r}, not a number",
            kind="text_score",
            expected=expected + " (enter the number itself, not text)",
            **where,
        )
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise RatingsError(
                f"score {value!r} is not a whole number",
                kind="non_integer",
                expected=expected,
                **where,
            )
        value = int(value)
    if not isinstance(value, int):
        raise RatingsError(
            f"the cell holds {type(value).__name__} {value!r}",
            kind="text_score",
            expected=expected,
            **where,
        )
    if not 1 <= value <= n:
        raise RatingsError(
            f"score {value} is out of range", kind="out_of_range", expected=expected, **where
        )
    return value


def _read_meta(table: SheetTable, path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    meta: dict[str, Any] = {}
    rows: dict[str, int] = {}
    for i, row in enumerate(table.rows, start=1):
        k, v = (tuple(row) + (None, None))[:2]
        if k is not None:
            meta[str(k)] = v
            rows[str(k)] = i
    for name in ("format", "study_id", "key_fingerprint", "expert_id", "expert_category"):
        if name not in meta:
            raise RatingsError(
                f"the form metadata lacks {name!r}",
                kind="invalid_form",
                file=path,
                sheet=META_SHEET,
                expected="a form exported by radjudge.ratings.export_forms",
            )
    if meta["format"] != FORM_FORMAT:
        raise RatingsError(
            f"form format {meta['format']!r}",
            kind="invalid_form",
            file=path,
            sheet=META_SHEET,
            row=rows["format"],
            column="B",
            expected=repr(FORM_FORMAT),
        )
    return meta, rows


def _read_xlsx(path: Path, ctx: _Context) -> None:
    if ctx.key is None:
        raise ValueError(
            f"{path}: importing a filled form needs the blinding key (key=paths.BLINDING_KEY)"
        )
    key = ctx.key
    try:
        meta_table, table = read_sheets(path, [META_SHEET, RATING_SHEET])
    except TableError as exc:
        if exc.kind == "no_sheet":
            names = ", ".join(t for t, _ in _sheet_names(path))
            raise RatingsError(
                f"the workbook has no sheet {exc.sheet!r} (sheets: {names})",
                kind="missing_sheet",
                file=path,
                sheet=exc.sheet,
                expected="a rating form exported by radjudge.ratings.export_forms, sheets unrenamed",
            ) from None
        raise RatingsError.from_table(exc) from None
    extra = [t for t, _ in table.sheets if t not in FORM_SHEETS]
    if extra:
        raise RatingsError(
            f"the workbook has sheet(s) it was not exported with: {', '.join(map(repr, extra))}; "
            f"ratings are read from {RATING_SHEET!r} only, so ratings typed elsewhere would be lost",
            kind="extra_sheet",
            file=path,
            sheet=extra[0],
            expected=f"only the sheets {', '.join(FORM_SHEETS)}: type the ratings in "
            f"{RATING_SHEET!r} and delete the other sheet(s)",
        )
    meta, mrow = _read_meta(meta_table, path)
    if str(meta["study_id"]) != key.study_id:
        raise RatingsError(
            f"the form belongs to study {meta['study_id']!r}, the key to study {key.study_id!r}",
            kind="other_study",
            file=path,
            sheet=META_SHEET,
            row=mrow["study_id"],
            column="B",
            expected=f"a form of study {key.study_id!r}",
        )
    if str(meta["key_fingerprint"]) != key.fingerprint:
        raise RatingsError(
            f"the form was made with key {str(meta['key_fingerprint'])[:12]}..., not with "
            f"{Path(key.source).name} ({key.fingerprint[:12]}...)",
            kind="other_key",
            file=path,
            sheet=META_SHEET,
            row=mrow["key_fingerprint"],
            column="B",
            expected="the blinding key this form was exported with (re-exporting forms makes a new key)",
        )
    eid = str(meta["expert_id"])
    if eid not in key.forms:
        raise RatingsError(
            f"expert {eid!r} has no form in the blinding key",
            kind="unknown_expert",
            file=path,
            sheet=META_SHEET,
            row=mrow["expert_id"],
            column="B",
            expected=f"one of {', '.join(sorted(key.forms))}",
        )
    # File names are free (an expert may rename the file: identity comes from _meta), but
    # the file name of ANOTHER expert's form is a mix-up that would hide that expert.
    owner = {f.file: e for e, f in key.forms.items()}.get(path.name)
    if owner is not None and owner != eid:
        raise RatingsError(
            f"the file is named like expert {owner!r}'s form but holds the form of expert {eid!r}",
            kind="file_name_mismatch",
            file=path,
            sheet=META_SHEET,
            row=mrow["expert_id"],
            column="B",
            expected=f"expert {eid!r}'s form saved as {key.forms[eid].file} (or under any name "
            f"that is not another expert's form file), and expert {owner!r}'s own form",
        )
    category = str(meta["expert_category"])
    if ctx.category is not None:
        if eid not in ctx.category:
            raise RatingsError(
                f"expert {eid!r} is not in the roster",
                kind="unknown_expert",
                file=path,
                sheet=META_SHEET,
                row=mrow["expert_id"],
                column="B",
                expected=f"an expert of {ctx.roster_source}",
            )
        if ctx.category[eid] != category:
            raise RatingsError(
                f"the form says expert {eid!r} is a {category!r}, the roster says {ctx.category[eid]!r}",
                kind="category_mismatch",
                file=path,
                sheet=META_SHEET,
                row=mrow["expert_category"],
                column="B",
                expected="the roster's category (fix the roster or the form)",
            )
    if eid in ctx.forms_seen:
        raise RatingsError(
            f"the form of expert {eid!r} was already imported from {ctx.forms_seen[eid]}",
            kind="duplicate_form",
            file=path,
            sheet=META_SHEET,
            row=mrow["expert_id"],
            column="B",
            expected="each expert's form once",
        )
    _check_category(
        ctx, eid, category, file=path, sheet=META_SHEET, row=mrow["expert_category"], column="B"
    )
    for crit, n in key.scales.items():
        name = f"scale:{crit}"
        if name not in meta:
            raise RatingsError(
                f"the form metadata gives no scale for {crit!r}",
                kind="invalid_form",
                file=path,
                sheet=META_SHEET,
                expected=f"a row {name!r}",
            )
        if meta[name] != n:
            raise RatingsError(
                f"the form rates {crit!r} on 1..{meta[name]}, the key on 1..{n}",
                kind="scale_mismatch",
                file=path,
                sheet=META_SHEET,
                row=mrow[name],
                column="B",
                expected=f"scale max {n} as exported",
            )
    if ctx.scales is not None:
        for crit, n in key.scales.items():
            if crit in ctx.scales and ctx.scales[crit] != n:
                raise RatingsError(
                    f"the form rates {crit!r} on 1..{n} but the study expects 1..{ctx.scales[crit]}",
                    kind="scale_mismatch",
                    file=path,
                    sheet=META_SHEET,
                    row=mrow[f"scale:{crit}"],
                    column="B",
                    expected="forms exported with the study's scale",
                )
    meta_criteria = [k.split(":", 1)[1] for k in meta if k.startswith("scale:")]
    ctx.forms_seen[eid] = str(path)
    ctx.files[rj_paths.relative(path)] = {
        "kind": "form",
        "expert_id": eid,
        "application": table.application,
    }
    _read_rating_sheet(table, path, ctx, key, eid, category, meta_criteria)


def _sheet_names(path: Path) -> list[tuple[str, str]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return [(ws.title, ws.sheet_state) for ws in wb.worksheets]
    finally:
        wb.close()


def _read_rating_sheet(
    table: SheetTable,
    path: Path,
    ctx: _Context,
    key: BlindingKey,
    eid: str,
    category: str,
    meta_criteria: Sequence[str],
) -> None:
    sheet = RATING_SHEET
    if table.merged:
        rng = table.merged[0]
        raise RatingsError(
            f"cells {range_name(rng)} are merged; a merge keeps only its first cell's value, "
            "so the other ratings would be read as empty",
            kind="merged_cells",
            file=path,
            sheet=sheet,
            row=rng[0],
            column=range_name(rng),
            expected="the cells as exported: unmerge them and type every rating",
        )
    ids = list(table.rows[ID_ROW - 1]) if len(table.rows) >= ID_ROW else []
    col_of: dict[str, int] = {}
    for j, v in enumerate(ids, start=1):
        if v is None:
            continue
        name = str(v).strip()
        if name not in (*FIXED_COLUMNS, *key.scales):
            raise RatingsError(
                f"column id {name!r} is not a column of the form",
                kind="unknown_criterion",
                file=path,
                sheet=sheet,
                row=ID_ROW,
                column=_col(j),
                expected=f"one of {', '.join((*FIXED_COLUMNS, *key.scales))}",
            )
        col_of.setdefault(name, j)
    for name in (*FIXED_COLUMNS, *key.scales):
        if name not in col_of:
            raise RatingsError(
                f"column {name!r} is missing",
                kind="missing_column",
                file=path,
                sheet=sheet,
                row=ID_ROW,
                column=name,
                expected=f"row {ID_ROW} to hold the ids {', '.join((*FIXED_COLUMNS, *key.scales))}",
            )
    # The ids are checked against the form's own metadata, in order: a swapped pair of ids
    # would attach every rating of one criterion to the other.
    want = [*FIXED_COLUMNS, *meta_criteria]
    got = [None if v is None else str(v).strip() for v in ids[: len(want)]]
    if got != want:
        j = next(i for i, (a, b) in enumerate(zip(got, want, strict=True), start=1) if a != b)
        raise RatingsError(
            f"column {_col(j)} holds the id {got[j - 1]!r} where the form's {META_SHEET!r} "
            f"sheet puts {want[j - 1]!r} (ids in row {ID_ROW}: {', '.join(map(str, got))}); "
            "ratings would be attached to the wrong criterion",
            kind="column_order",
            file=path,
            sheet=sheet,
            row=ID_ROW,
            column=_col(j),
            expected=f"the exported ids in order: {', '.join(want)}",
        )
    form_codes = key.forms[eid].codes
    position = {c: i for i, c in enumerate(form_codes)}
    used = set(col_of.values())
    first_row: dict[str, int] = {}
    out: list[tuple[Any, ...]] = []
    source = rj_paths.relative(path)
    for r, values in enumerate(table.rows[FIRST_DATA_ROW - 1 :], start=FIRST_DATA_ROW):
        cells = list(values) + [None] * (max(used) - len(values))

        def cell(name: str, cells=cells) -> Any:
            return cells[col_of[name] - 1]

        for j, v in enumerate(cells, start=1):
            if j not in used and v is not None:
                raise RatingsError(
                    f"unexpected value {v!r} outside the rating columns",
                    kind="unexpected_cell",
                    file=path,
                    sheet=sheet,
                    row=r,
                    column=_col(j),
                    expected="values only in the rating columns",
                )
        code = cell("code")
        ratings = [cell(c) for c in key.scales]
        if code is None:
            if any(v is not None for v in ratings) or cell("patient_id") is not None:
                raise RatingsError(
                    "a row with ratings but no summary code",
                    kind="unknown_code",
                    file=path,
                    sheet=sheet,
                    row=r,
                    column=_col(col_of["code"], "code"),
                    expected="ratings only on the rows of the form's summaries",
                )
            continue
        code = str(code).strip()
        ccol = _col(col_of["code"], "code")
        if code not in key.codes:
            raise RatingsError(
                f"summary code {code!r} is not in the blinding key",
                kind="unknown_code",
                file=path,
                sheet=sheet,
                row=r,
                column=ccol,
                expected="a code exported with this form (rows must not be edited)",
            )
        if (
            code not in position
        ):  # every form holds every code today; a subset design would land here
            raise RatingsError(
                f"summary code {code!r} is not on expert {eid}'s form",
                kind="unknown_code",
                file=path,
                sheet=sheet,
                row=r,
                column=ccol,
                expected=f"the codes of expert {eid}'s form",
            )
        if code in first_row:
            raise RatingsError(
                f"summary code {code!r} appears again (first on row {first_row[code]}): the "
                "same summary would be rated twice",
                kind="duplicate_rating",
                file=path,
                sheet=sheet,
                row=r,
                column=ccol,
                expected="each summary once",
            )
        first_row[code] = r
        entry = key.codes[code]
        if str(cell("patient_id")) != entry.patient_id:
            raise RatingsError(
                f"patient {cell('patient_id')!r} does not go with code {code!r}",
                kind="patient_mismatch",
                file=path,
                sheet=sheet,
                row=r,
                column=_col(col_of["patient_id"], "patient_id"),
                expected=f"patient {entry.patient_id!r} as exported",
            )
        for name, want_sha in (
            ("record", key.patients.get(entry.patient_id)),
            ("summary", entry.summary_sha256),
        ):
            text = cell(name)
            if not isinstance(text, str) or text_sha256(text) != want_sha:
                raise RatingsError(
                    f"the {name} text differs from the exported one",
                    kind="text_modified",
                    file=path,
                    sheet=sheet,
                    row=r,
                    column=_col(col_of[name], name),
                    expected="the text exactly as exported (protected cells must not be edited)",
                )
        for crit, value in zip(key.scales, ratings, strict=True):
            n = key.scales[crit]
            score = _check_score(
                value, n=n, file=path, sheet=sheet, row=r, column=_col(col_of[crit], crit)
            )
            out.append(
                (
                    (eid, category, entry.patient_id, entry.summarizer, crit, n, score, 1, source),
                    r,
                    _col(col_of[crit], crit),
                )
            )
    absent = [c for c in form_codes if c not in first_row]
    if absent:
        raise RatingsError(
            f"{len(absent)} summary row(s) of the form are missing (first: code {absent[0]!r}, exported "
            f"at row {FIRST_DATA_ROW + position[absent[0]]})",
            kind="missing_row",
            file=path,
            sheet=sheet,
            column=_col(col_of["code"], "code"),
            expected="every exported row (leave a rating empty instead of deleting its row)",
        )
    for rating, r, column in out:
        _register(ctx, rating, file=path, sheet=sheet, row_no=r, column=column)
        ctx.rows.append(rating)


def _check_category(
    ctx: _Context,
    eid: str,
    category: str,
    *,
    file: Path,
    sheet: str | None,
    row: int,
    column: str,
) -> None:
    """One category per expert across every form and CSV row (with or without a roster)."""
    where = f"{file}" + (f", sheet {sheet!r}" if sheet else "") + f", row {row}"
    first = ctx.expert_category.setdefault(eid, (category, where))
    if first[0] != category:
        raise RatingsError(
            f"expert {eid!r} is a {category!r} here but a {first[0]!r} in {first[1]}",
            kind="category_mismatch",
            file=file,
            sheet=sheet,
            row=row,
            column=column,
            expected="one category per expert (fix the file, or give a roster)",
        )


# ----------------------------------------------------------------------- csv


def _register(
    ctx: _Context,
    rating: tuple[Any, ...],
    *,
    file: Path,
    sheet: str | None,
    row_no: int,
    column: str,
) -> None:
    """Remember one rating; the same (expert, patient, summarizer, criterion) twice is an error."""
    ident = (rating[0], rating[2], rating[3], rating[4])
    where = f"{file}" + (f", sheet {sheet!r}" if sheet else "") + f", row {row_no}"
    if ident in ctx.seen:
        raise RatingsError(
            f"expert {ident[0]!r} rated ({ident[1]}, {ident[2]}) on {ident[3]!r} already in {ctx.seen[ident]}",
            kind="duplicate_rating",
            file=file,
            sheet=sheet,
            row=row_no,
            column=column,
            expected="one rating per expert, summary and criterion",
        )
    ctx.seen[ident] = where


def _read_csv(path: Path, ctx: _Context) -> None:
    table = read_rating_csv(path, stacklevel=4)
    header = table.header
    if not any(header):
        raise RatingsError(
            "the CSV has no header row",
            kind="empty_file",
            file=path,
            row=1,
            expected=f"the header {','.join(CSV_COLUMNS)}",
        )
    for c in CSV_COLUMNS:
        if c not in header:
            raise RatingsError(
                f"column {c!r} is missing",
                kind="missing_column",
                file=path,
                row=1,
                column=c,
                expected=f"the header {','.join(CSV_COLUMNS)}[,n_raters_averaged]",
            )
    for c in header:
        if c not in (*CSV_COLUMNS, *_CSV_OPTIONAL):
            raise RatingsError(
                f"column {c!r} is not part of the long format",
                kind="unknown_column",
                file=path,
                row=1,
                column=c,
                expected=f"only {', '.join((*CSV_COLUMNS, *_CSV_OPTIONAL))}",
            )
    source = rj_paths.relative(path)
    ctx.files[source] = {"kind": "csv", "dialect": table.dialect}
    n_rows = 0
    key = ctx.key
    known_pairs = key.code_of() if key is not None else None
    known_patients = {c.patient_id for c in key.codes.values()} if key is not None else None
    for line, values in table.rows:
        n_rows += 1
        rec = {h: v.strip() for h, v in zip(header, values, strict=True)}

        def fail(problem: str, kind: str, column: str, expected: str, line=line) -> RatingsError:
            return RatingsError(
                problem, kind=kind, file=path, row=line, column=column, expected=expected
            )

        for c in (
            "expert_id",
            "expert_category",
            "patient_id",
            "summarizer",
            "criterion",
            "scale_max",
        ):
            if not rec[c]:
                raise fail(f"{c} is empty", "invalid_value", c, f"a {c} on every row")
        eid, cat, pid, summ, crit = (
            rec[c]
            for c in ("expert_id", "expert_category", "patient_id", "summarizer", "criterion")
        )
        problem = id_problem(eid)
        if problem:
            raise fail(problem, "invalid_value", "expert_id", ID_CHARACTERS)
        for c, value in (("patient_id", pid), ("summarizer", summ)):
            odd = lookalikes(value)
            if odd and any(ch.isascii() and ch.isalpha() for ch in value):
                raise fail(
                    f"{c} {value!r} mixes Latin letters with " + "; ".join(odd),
                    "invalid_value",
                    c,
                    f"the {c} typed in one alphabet, as in the blinding key / the records",
                )
        if ctx.category is not None:
            if eid not in ctx.category:
                raise fail(
                    f"expert {eid!r} is not in the roster",
                    "unknown_expert",
                    "expert_id",
                    f"an expert of {ctx.roster_source}",
                )
            if ctx.category[eid] != cat:
                raise fail(
                    f"expert {eid!r} is a {ctx.category[eid]!r} in the roster, not a {cat!r}",
                    "category_mismatch",
                    "expert_category",
                    "the roster's category",
                )
        _check_category(ctx, eid, cat, file=path, sheet=None, row=line, column="expert_category")
        if crit not in ctx.criteria:
            raise fail(
                f"criterion {crit!r} is not a criterion of the study",
                "unknown_criterion",
                "criterion",
                f"one of {', '.join(ctx.criteria)}",
            )
        if known_patients is not None and pid not in known_patients:
            raise fail(
                f"patient {pid!r} is not in the blinding key",
                "unknown_patient",
                "patient_id",
                "a patient whose summaries were rated",
            )
        if known_pairs is not None and (pid, summ) not in known_pairs:
            raise fail(
                f"summarizer {summ!r} has no summary of patient {pid!r} in the blinding key",
                "unknown_summarizer",
                "summarizer",
                f"one of {', '.join(sorted(s for p, s in known_pairs if p == pid))}",
            )
        if not _INT.match(rec["scale_max"]) or not 2 <= int(rec["scale_max"]) <= 100:
            raise fail(
                f"scale_max {rec['scale_max']!r} is not a whole number from 2 to 100",
                "invalid_value",
                "scale_max",
                "the top of the rating scale, e.g. 5",
            )
        n = int(rec["scale_max"])
        for ref, what in (
            (key.scales if key is not None else None, "the blinding key"),
            (ctx.scales, "the study"),
        ):
            if ref is not None and crit in ref and ref[crit] != n:
                raise fail(
                    f"scale_max {n} for {crit!r} disagrees with {what} (1..{ref[crit]})",
                    "scale_mismatch",
                    "scale_max",
                    f"{ref[crit]}",
                )
        first = ctx.csv_scales.setdefault(crit, (n, f"{path} row {line}"))
        if first[0] != n:
            raise fail(
                f"scale_max {n} for {crit!r} disagrees with {first[1]} (1..{first[0]})",
                "scale_mismatch",
                "scale_max",
                f"{first[0]}, one scale per criterion",
            )
        n_avg = 1
        if "n_raters_averaged" in rec:
            if not _INT.match(rec["n_raters_averaged"]) or int(rec["n_raters_averaged"]) < 1:
                raise fail(
                    f"n_raters_averaged {rec['n_raters_averaged']!r} is not a whole number >= 1",
                    "invalid_value",
                    "n_raters_averaged",
                    "1 for a single rating, n for a mean of n ratings",
                )
            n_avg = int(rec["n_raters_averaged"])
        expected = (
            f"a whole number from 1 to {n}, or empty"
            if n_avg == 1
            else f"a mean of {n_avg} whole ratings: a multiple of 1/{n_avg} from 1 to {n}, or empty"
        )
        raw = rec["score"]
        score: float | int | None
        if raw == "":
            score = None
        elif _INT.match(raw):
            score = int(raw)
        elif _DECIMAL.match(raw):
            value = float(raw)
            if n_avg == 1:
                raise fail(f"score {raw!r} is not a whole number", "non_integer", "score", expected)
            if (
                not math.isfinite(value)
                or abs(value * n_avg - round(value * n_avg)) > _MEAN_TOL * n_avg
            ):
                raise fail(
                    f"score {raw!r} is not a multiple of 1/{n_avg}",
                    "non_integer",
                    "score",
                    expected,
                )
            score = value
        else:
            raise fail(
                f"score {raw!r} is not a number",
                "text_score",
                "score",
                expected + " (decimal point, no text)",
            )
        if score is not None and not 1 - _MEAN_TOL <= score <= n + _MEAN_TOL:
            raise fail(f"score {raw} is out of range", "out_of_range", "score", expected)
        row = (eid, cat, pid, summ, crit, n, score, n_avg, source)
        _register(
            ctx,
            row,
            file=path,
            sheet=None,
            row_no=line,
            column="expert_id, patient_id, summarizer, criterion",
        )
        ctx.rows.append(row)
    if n_rows == 0:
        raise RatingsError(
            "the CSV has a header but no rating row",
            kind="empty_file",
            file=path,
            row=2,
            expected="one row per rating",
        )


# ---------------------------------------------------------------- public API


def load_expert_ratings(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    key: BlindingKey | str | os.PathLike[str] | None = None,
    roster: pd.DataFrame | str | os.PathLike[str] | None = None,
    criteria: Sequence[str] | None = None,
    scale_max: int | Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """Import filled rating forms and long-format CSV files into one tidy, unblinded table.

    Parameters
    ----------
    paths : path-like or iterable of path-like
        Files (``.xlsx`` forms, ``.csv`` long format) and/or folders holding them
        (hidden files and ``~$`` lock files of open workbooks are skipped, with a warning).
    key : BlindingKey or path-like, optional
        The blinding key. Required for forms; for CSV files it is optional and,
        when given, patients, summarizers and scales are checked against it.
    roster : DataFrame or path-like, optional
        The expert roster; when given every expert must be in it, with its category.
    criteria : sequence of str, optional
        Allowed criteria; the key's criteria, else :data:`radjudge.contracts.CRITERIA`.
        Pass others for external data (e.g. SummEval's ``coherence``, ...).
    scale_max : int or mapping, optional
        The study's scale max (all criteria, or per criterion); checked when given.

    Returns
    -------
    DataFrame, shape (n_ratings, 9)
        The columns of :data:`radjudge.contracts.EXPERT_RATINGS`, one row per (expert,
        summary, criterion),
        sorted by expert, patient, summarizer and criterion (criteria order).
        ``score`` is ``Int64`` (``Float64`` when some row is a panel mean); NA = missing.

    Raises
    ------
    RatingsError
        The first problem found, located by file, sheet, row and column.
    ValueError
        Forms given without a key, or ``criteria`` / ``scale_max`` that disagree with the key.

    Warns
    -----
    MissingRatingsWarning
        When some ratings are missing; the message counts them per expert.
    MissingFormsWarning
        When experts of the roster (or, without a roster, of the blinding key)
        returned nothing at all; the message names them.
    DialectWarning
        A CSV that is not comma-separated UTF-8 (e.g. a Russian-locale Excel
        export, Windows-1251 with ``;``); the message says how it was read.

    Notes
    -----
    ``result.attrs["files"]`` maps each file read to what it was: a form (its
    expert and the application that last saved it) or a CSV (its encoding and
    delimiter); notebook 03 puts it in the run manifest.
    """
    if key is not None and not isinstance(key, BlindingKey):
        key = read_key(key)
    if roster is not None:
        if isinstance(roster, pd.DataFrame):
            roster_df = validate_roster(roster)
            roster_df.attrs["source"] = "the roster"
        else:
            roster_df = read_roster(roster)
            roster_df.attrs["source"] = str(roster)
    else:
        roster_df = None
    if criteria is None:
        criteria = key.criteria if key is not None else CRITERIA
    criteria = tuple(criteria)
    if key is not None:
        extra = [c for c in key.criteria if c not in criteria]
        if extra:
            raise ValueError(f"criteria {list(criteria)} leave out the key's criteria {extra}")
    scales: dict[str, int] | None = None
    if scale_max is not None:
        scales = (
            dict(scale_max)
            if isinstance(scale_max, Mapping)
            else dict.fromkeys(criteria, int(scale_max))
        )
    ctx = _Context(key, roster_df, criteria, scales)
    for path in _list_files(paths):
        kind = _file_kind(path)
        if kind == "xlsx":
            _read_xlsx(path, ctx)
        else:
            _read_csv(path, ctx)
    if roster_df is not None:
        expected, source = list(roster_df["expert_id"]), ctx.roster_source
    elif key is not None and ctx.forms_seen:
        expected, source = list(key.forms), f"the blinding key {Path(key.source).name}"
    else:
        expected, source = [], ""
    rated = {row[0] for row in ctx.rows}
    absent = [e for e in expected if e not in rated]
    if absent:
        warnings.warn(
            MissingFormsWarning(
                f"{len(absent)} of {len(expected)} experts of {source} returned no form and no "
                f"CSV row (all their ratings are absent): {', '.join(absent)}"
            ),
            stacklevel=2,
        )
    return _finish(ctx)


def _finish(ctx: _Context) -> pd.DataFrame:
    df = pd.DataFrame(ctx.rows, columns=list(EXPERT_RATINGS.names()))
    averaged = bool((df["n_raters_averaged"] > 1).any()) if len(df) else False
    df["score"] = pd.array(
        [pd.NA if v is None else v for v in df["score"]], dtype="Float64" if averaged else "Int64"
    )
    df["scale_max"] = df["scale_max"].astype("int64")
    df["n_raters_averaged"] = df["n_raters_averaged"].astype("int64")
    order = {c: i for i, c in enumerate(ctx.criteria)}
    df = (
        df.assign(_c=df["criterion"].map(order))
        .sort_values(["expert_id", "patient_id", "summarizer", "_c"], kind="stable")
        .drop(columns="_c")
        .reset_index(drop=True)
    )
    # Where every rating came from: per file, the form's expert and the application that
    # saved it (docProps/app.xml), or the CSV's encoding and delimiter.
    df.attrs["files"] = dict(ctx.files)
    missing = df[df["score"].isna()]
    if len(missing):
        per = missing.groupby("expert_id").size()
        warnings.warn(
            MissingRatingsWarning(
                f"{len(missing)} of {len(df)} ratings are missing (kept as NA, never filled): "
                + ", ".join(f"{e} {n}" for e, n in per.items())
            ),
            stacklevel=3,
        )
    return df


def completeness(ratings: pd.DataFrame) -> pd.DataFrame:
    """Ratings given and missing per expert.

    Parameters
    ----------
    ratings : DataFrame
        Output of :func:`load_expert_ratings`.

    Returns
    -------
    DataFrame
        One row per expert: ``expert_id, expert_category, n_cells, n_rated,
        n_missing, share_missing, source_file`` (files joined by ``;``).

    >>> df = pd.DataFrame({"expert_id": ["E1", "E1", "E2"], "expert_category": ["a", "a", "b"],
    ...                    "score": pd.array([3, None, 4], dtype="Int64"), "source_file": ["f1", "f1", "f2"]})
    >>> completeness(df)[["expert_id", "n_cells", "n_missing", "share_missing"]]
      expert_id  n_cells  n_missing  share_missing
    0        E1        2          1            0.5
    1        E2        1          0            0.0
    """
    g = ratings.groupby(["expert_id", "expert_category"], sort=True)
    out = g.agg(
        n_cells=("score", "size"),
        n_rated=("score", "count"),
        source_file=("source_file", lambda s: ";".join(sorted(set(s)))),
    ).reset_index()
    out["n_missing"] = out["n_cells"] - out["n_rated"]
    out["share_missing"] = out["n_missing"] / out["n_cells"]
    return out[
        [
            "expert_id",
            "expert_category",
            "n_cells",
            "n_rated",
            "n_missing",
            "share_missing",
            "source_file",
        ]
    ]
