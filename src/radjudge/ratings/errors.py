"""The one error of the rating import, located to the cell, and the missing-ratings warning."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from radjudge.tabular import CsvTable, DialectWarning, TableError, located, read_csv_table

__all__ = ["RatingsError", "MissingRatingsWarning", "MissingFormsWarning", "ERROR_KINDS"]

#: Every ``RatingsError.kind``, with what it means.
ERROR_KINDS: dict[str, str] = {
    "no_files": "no rating file was found where the ratings were expected",
    "empty_file": "the file has no bytes, or a CSV has a header but no rating row",
    "wrong_file_type": "the file is not an .xlsx workbook or a .csv table (by name or by content)",
    "wrong_encoding": "a CSV file is not UTF-8 text",
    "missing_sheet": "a rating workbook lacks one of its sheets (not a radjudge form)",
    "invalid_form": "the hidden form metadata is incomplete or unreadable",
    "other_study": "the form belongs to another study than the blinding key",
    "other_key": "the form was made with another blinding key than the one given",
    "tampered_key": "the blinding key file was edited after it was written",
    "invalid_key": "the blinding key file is not a valid key",
    "missing_column": "a required column is absent",
    "unknown_column": "a CSV column that the format does not define",
    "unexpected_cell": "a value in a workbook column that holds no rating",
    "out_of_range": "a score outside 1..scale_max",
    "non_integer": "a number that is not a whole score (or not a multiple of 1/n for panel means)",
    "text_score": "a score cell holding text, a boolean or a date instead of a number",
    "duplicate_rating": "the same expert rated the same summary on the same criterion twice",
    "duplicate_form": "the same expert's form was given twice",
    "unknown_code": "a summary code the blinding key does not know",
    "missing_row": "a summary of the expert's form is absent from the returned form",
    "patient_mismatch": "the patient shown next to a code is not the code's patient",
    "text_modified": "the record or summary text of a row differs from the one exported",
    "unknown_patient": "a patient the blinding key does not know",
    "unknown_summarizer": "a summarizer the blinding key does not know for that patient",
    "unknown_criterion": "a criterion outside the study's criteria",
    "unknown_expert": "an expert absent from the roster or the blinding key",
    "category_mismatch": "an expert category that disagrees with the roster",
    "scale_mismatch": "a scale that disagrees with the form, the key or the study's scale",
    "invalid_value": "a malformed identifier, scale, count or roster entry",
    "duplicate_expert": "the roster lists an expert twice",
    "extra_sheet": "a form has a worksheet it was not exported with (e.g. a copy of the rating sheet)",
    "column_order": "the rating sheet's column ids are not those of the form's metadata, in order",
    "formula_without_value": "a cell holds a formula that no spreadsheet application computed",
    "merged_cells": "cells of the rating sheet were merged (a merge keeps one value only)",
    "file_name_mismatch": "a form is saved under the file name of another expert's form",
}

_TABLE_KINDS = {
    "encoding": "wrong_encoding",
    "empty": "empty_file",
    "ragged": "invalid_value",
    "too_long": "invalid_value",
    "duplicate_column": "unknown_column",
    "formula_without_value": "formula_without_value",
    "not_a_workbook": "wrong_file_type",
    "no_sheet": "missing_sheet",
}


class RatingsError(ValueError):
    """A rating file (form, CSV, roster or blinding key) breaks a rule.

    The message names the file, sheet, row and column (those that apply), says
    what is wrong and what was expected, e.g.::

        file forms_filled/form_E01.xlsx, sheet 'Оценки', row 7, column G
        (correctness): score 7 is out of range; expected a whole number from 1 to 5
        or an empty cell

    Attributes
    ----------
    kind : str
        One of :data:`ERROR_KINDS`.
    file : str
        The file, as given.
    sheet : str or None
        Worksheet name (workbooks only).
    row : int or None
        1-based row as a spreadsheet shows it; for a CSV the line number (header = 1).
    column : str or None
        Column letter and name (``"G (correctness)"``) or a CSV column / key field name.
    expected : str or None
        What would have been valid.
    """

    def __init__(
        self,
        problem: str,
        *,
        kind: str,
        file: str | os.PathLike[str],
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        expected: str | None = None,
    ) -> None:
        if kind not in ERROR_KINDS:  # a programming error, not bad input
            raise KeyError(f"unknown RatingsError kind {kind!r}")
        self.kind, self.file, self.sheet, self.row, self.column, self.expected = (
            kind,
            str(file),
            sheet,
            row,
            column,
            expected,
        )
        self.problem = problem
        super().__init__(
            located(
                f"file {Path(file)}",
                problem,
                sheet=sheet,
                row=row,
                column=column,
                expected=expected,
            )
        )

    @classmethod
    def from_table(cls, exc: TableError) -> RatingsError:
        """The rating import's error for a :class:`radjudge.tabular.TableError`."""
        return cls(
            exc.problem,
            kind=_TABLE_KINDS[exc.kind],
            file=exc.file,
            sheet=exc.sheet,
            row=exc.row,
            column=exc.column,
            expected=exc.expected,
        )


def read_rating_csv(path: Path, *, stacklevel: int = 3) -> CsvTable:
    """A CSV of the rating import (long format, roster): located RatingsError, dialect reported.

    Raises
    ------
    RatingsError
        For any :class:`~radjudge.tabular.TableError` (encoding, ragged row, ...).

    Warns
    -----
    DialectWarning
        When the file is not comma-separated UTF-8.
    """
    try:
        table = read_csv_table(path)
    except TableError as exc:
        raise RatingsError.from_table(exc) from None
    if not table.is_default:
        warnings.warn(f"{path}: read as {table.dialect}", DialectWarning, stacklevel=stacklevel)
    return table


class MissingRatingsWarning(UserWarning):
    """Some rating cells were left empty; they stay missing (NA), counted per expert."""


class MissingFormsWarning(MissingRatingsWarning):
    """Experts of the roster (or of the blinding key) returned no form and no CSV row."""
