"""The expert roster: who rated, in which category, with how many years of experience.

File format (``paths.EXPERT_ROSTER``, UTF-8 CSV, header row)::

    expert_id,category,years_experience
    E01,radiologist,12
    E02,clinician,7

* ``expert_id``: letters, digits, ``_``, ``-`` or ``.`` (it names the expert's form file);
* ``category``: a lower-case identifier, e.g. ``radiologist``, ``clinician``,
  ``resident``, ``other`` (:data:`radjudge.contracts.EXPERT_CATEGORIES`; others are allowed);
* ``years_experience``: a whole number >= 0.

Further columns are kept as they are. The roster holds no names: it is a
pseudonymous list, so it can travel with the ratings.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pandas as pd

from radjudge.contracts import EXPERT_CATEGORIES
from radjudge.ratings.errors import RatingsError

__all__ = [
    "ROSTER_COLUMNS",
    "read_roster",
    "write_roster",
    "validate_roster",
]

ROSTER_COLUMNS = ("expert_id", "category", "years_experience")

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_CATEGORY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _decode(path: Path) -> str:
    data = path.read_bytes()
    if not data:
        raise RatingsError(
            "the roster file is empty",
            kind="empty_file",
            file=path,
            expected=f"a CSV with the header {','.join(ROSTER_COLUMNS)}",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RatingsError(
            f"byte 0x{data[exc.start]:02x} is not UTF-8",
            kind="wrong_encoding",
            file=path,
            row=line,
            expected="UTF-8 text (Excel: 'CSV UTF-8')",
        ) from None


def validate_roster(
    roster: pd.DataFrame, *, source: str | os.PathLike[str] = "<roster>"
) -> pd.DataFrame:
    """Check a roster table and return it with ``years_experience`` as int64.

    Parameters
    ----------
    roster : DataFrame
        Columns :data:`ROSTER_COLUMNS` (values as str or numbers), plus any other.
    source : str, default "<roster>"
        Name used in error messages.

    Returns
    -------
    DataFrame
        A copy: ``expert_id`` and ``category`` as str, ``years_experience`` as int64.

    Raises
    ------
    RatingsError
        ``missing_column``, ``invalid_value`` or ``duplicate_expert``, with the
        row (header = row 1) and column.
    """
    missing = [c for c in ROSTER_COLUMNS if c not in roster.columns]
    if missing:
        raise RatingsError(
            f"the roster lacks column(s) {missing}",
            kind="missing_column",
            file=source,
            row=1,
            column=missing[0],
            expected=f"the header {','.join(ROSTER_COLUMNS)}",
        )
    if roster.empty:
        raise RatingsError(
            "the roster lists no expert",
            kind="empty_file",
            file=source,
            expected="one row per expert",
        )
    out = roster.copy()
    seen: dict[str, int] = {}
    years = []
    for i, (eid, cat, yrs) in enumerate(out[list(ROSTER_COLUMNS)].itertuples(index=False), start=2):
        eid_s = "" if pd.isna(eid) else str(eid).strip()
        if not _ID.match(eid_s):
            raise RatingsError(
                f"expert id {eid_s!r} is not a valid id",
                kind="invalid_value",
                file=source,
                row=i,
                column="expert_id",
                expected="1-64 letters, digits, '_', '-' or '.', starting with a letter or digit",
            )
        if eid_s in seen:
            raise RatingsError(
                f"expert {eid_s!r} is listed twice (first on row {seen[eid_s]})",
                kind="duplicate_expert",
                file=source,
                row=i,
                column="expert_id",
                expected="one row per expert",
            )
        seen[eid_s] = i
        cat_s = "" if pd.isna(cat) else str(cat).strip()
        if not _CATEGORY.match(cat_s):
            raise RatingsError(
                f"category {cat_s!r} of expert {eid_s!r} is not a category name",
                kind="invalid_value",
                file=source,
                row=i,
                column="category",
                expected=f"a lower-case identifier such as {', '.join(EXPERT_CATEGORIES)}",
            )
        text = str(yrs).strip() if not pd.isna(yrs) else ""
        if isinstance(yrs, float) and yrs.is_integer():
            text = str(int(yrs))
        if not re.fullmatch(r"\d{1,2}", text):
            raise RatingsError(
                f"years_experience {text!r} of expert {eid_s!r} is not a whole number of years",
                kind="invalid_value",
                file=source,
                row=i,
                column="years_experience",
                expected="a whole number from 0 to 99",
            )
        years.append(int(text))
    out["expert_id"] = out["expert_id"].astype(str).str.strip()
    out["category"] = out["category"].astype(str).str.strip()
    out["years_experience"] = pd.Series(years, index=out.index, dtype="int64")
    return out.reset_index(drop=True)


def read_roster(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read and validate a roster CSV (see the module docstring for the format).

    Returns
    -------
    DataFrame
        One row per expert: ``expert_id``, ``category``, ``years_experience`` (+ extra columns).

    Raises
    ------
    RatingsError
        A missing or empty file, a non-UTF-8 file, a missing column, a bad value
        or a duplicate expert; the message names file, row and column.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"roster file {path} does not exist; write one with write_roster()")
    if path.suffix.lower() != ".csv":
        raise RatingsError(
            f"a roster must be a .csv file, got {path.suffix or 'no suffix'!r}",
            kind="wrong_file_type",
            file=path,
            expected="a UTF-8 .csv file",
        )
    text = _decode(path)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise RatingsError(
            "the roster file is empty",
            kind="empty_file",
            file=path,
            expected=f"a CSV with the header {','.join(ROSTER_COLUMNS)}",
        )
    header, body = [h.strip() for h in rows[0]], rows[1:]
    for n, r in enumerate(body, start=2):
        if len(r) != len(header):
            raise RatingsError(
                f"{len(r)} cells but the header has {len(header)}",
                kind="invalid_value",
                file=path,
                row=n,
                expected="one cell per header column",
            )
    return validate_roster(pd.DataFrame(body, columns=header, dtype=object), source=path)


def write_roster(roster: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Validate ``roster`` and write it as UTF-8 CSV; returns the path."""
    path = Path(path)
    checked = validate_roster(roster, source=path)
    path.parent.mkdir(parents=True, exist_ok=True)
    checked.to_csv(path, index=False, encoding="utf-8")
    return path
