"""The expert roster: who rated, in which category, with how many years of experience.

File format (``paths.EXPERT_ROSTER``, UTF-8 CSV, header row)::

    expert_id,category,years_experience
    E01,radiologist,12
    E02,clinician,7

* ``expert_id``: 1-64 ASCII letters, digits, ``_``, ``-`` or ``.``, starting with a letter
  or digit (it names the expert's form file). Anything else is refused with the
  offending character named: a Cyrillic ``Е`` typed for a Latin ``E`` would
  otherwise make a second, phantom expert (:func:`id_problem`);
* ``category``: a lower-case identifier, e.g. ``radiologist``, ``clinician``,
  ``resident``, ``other`` (:data:`radjudge.contracts.EXPERT_CATEGORIES`; others are allowed);
* ``years_experience``: a whole number >= 0.

Further columns are kept as they are. The roster holds no names: it is a
pseudonymous list, so it can travel with the ratings.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from radjudge.contracts import EXPERT_CATEGORIES
from radjudge.ratings.errors import RatingsError, read_rating_csv

__all__ = [
    "ID_CHARACTERS",
    "ROSTER_COLUMNS",
    "read_roster",
    "write_roster",
    "validate_roster",
    "id_problem",
    "lookalikes",
]

ROSTER_COLUMNS = ("expert_id", "category", "years_experience")

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
#: The characters an expert id may hold (documented for the roster and the long CSV).
ID_CHARACTERS = "ASCII letters, digits, '_', '-' and '.'; 1-64 of them, the first a letter or digit"

#: Letters of other scripts that look like Latin letters (Cyrillic and Greek), -> the Latin one.
_LOOKALIKE = dict(
    zip(
        "АВЕКМНОРСТХаеорсухІіЈјЅѕԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧοκνρτυχ",
        "ABEKMHOPCTXaeopcyxIiJjSsqwABEZHIKMNOPTYXokvptux",
        strict=True,
    )
)


def lookalikes(text: str) -> list[str]:
    """Describe every non-ASCII character of ``text``, naming the Latin letter it imitates.

    >>> lookalikes("Е01")
    ["'Е' (U+0415 CYRILLIC CAPITAL LETTER IE, looks like Latin 'E') at position 1"]
    >>> lookalikes("E01")
    []
    """
    import unicodedata

    out = []
    for i, ch in enumerate(text, start=1):
        if ch.isascii():
            continue
        name = unicodedata.name(ch, "unnamed character")
        like = f", looks like Latin {_LOOKALIKE[ch]!r}" if ch in _LOOKALIKE else ""
        out.append(f"{ch!r} (U+{ord(ch):04X} {name}{like}) at position {i}")
    return out


def id_problem(value: str) -> str | None:
    """Why ``value`` is not a valid expert id, or None when it is (see :data:`ID_CHARACTERS`).

    >>> id_problem("E01") is None
    True
    >>> id_problem("Е01")
    "expert id 'Е01' holds 'Е' (U+0415 CYRILLIC CAPITAL LETTER IE, looks like Latin 'E') at position 1"
    """
    if _ID.match(value):
        return None
    odd = lookalikes(value)
    if odd:
        return f"expert id {value!r} holds " + "; ".join(odd)
    return f"expert id {value!r} is not a valid id"


_CATEGORY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def validate_roster(
    roster: pd.DataFrame,
    *,
    source: str | os.PathLike[str] = "<roster>",
    row_numbers: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Check a roster table and return it with ``years_experience`` as int64.

    Parameters
    ----------
    roster : DataFrame
        Columns :data:`ROSTER_COLUMNS` (values as str or numbers), plus any other.
    source : str, default "<roster>"
        Name used in error messages.
    row_numbers : sequence of int, optional
        Spreadsheet row of each roster row (a file's blank rows skipped); 2, 3, ... by default.

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
    numbers = list(row_numbers) if row_numbers is not None else range(2, len(out) + 2)
    for i, (eid, cat, yrs) in zip(
        numbers, out[list(ROSTER_COLUMNS)].itertuples(index=False), strict=True
    ):
        eid_s = "" if pd.isna(eid) else str(eid).strip()
        problem = id_problem(eid_s)
        if problem:
            raise RatingsError(
                problem,
                kind="invalid_value",
                file=source,
                row=i,
                column="expert_id",
                expected=ID_CHARACTERS,
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
        A missing or empty file, undecodable bytes, a missing or repeated column,
        a bad value or a duplicate expert; the message names file, row and column.

    Warns
    -----
    DialectWarning
        The file is not comma-separated UTF-8 (e.g. a Russian-locale Excel
        export: Windows-1251, ``;``); the message says how it was read.
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
    table = read_rating_csv(path)
    body = pd.DataFrame([cells for _, cells in table.rows], columns=table.header, dtype=object)
    return validate_roster(body, source=path, row_numbers=[r for r, _ in table.rows])


def write_roster(roster: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Validate ``roster`` and write it as UTF-8 CSV; returns the path."""
    path = Path(path)
    checked = validate_roster(roster, source=path)
    path.parent.mkdir(parents=True, exist_ok=True)
    checked.to_csv(path, index=False, encoding="utf-8")
    return path
