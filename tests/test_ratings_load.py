"""Rating import: the malformed-file corpus (each its own located RatingsError), CSV, panel means.

The corpus is generated here from REAL exported and filled forms (module
fixture): every case copies a valid file and breaks one thing, as an expert or
a coordinator could, then the import must stop with the right kind of error,
naming the file, sheet, row and column.
"""

from __future__ import annotations

import csv
import json
import shutil
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import mini_cohort
from radjudge.contracts import SUMMEVAL_CRITERIA
from radjudge.ratings import (
    CSV_COLUMNS,
    ERROR_KINDS,
    MissingRatingsWarning,
    RatingsError,
    completeness,
    export_forms,
    fill_forms,
    load_expert_ratings,
)
from radjudge.ratings.errors import MissingFormsWarning
from radjudge.ratings.forms import META_SHEET, RATING_SHEET
from radjudge.tabular import DialectWarning

STUDY = "corpus-study"


@dataclass
class Study:
    root: Path
    key: Path
    roster: pd.DataFrame
    filled: dict[str, Path]
    truth: pd.DataFrame
    codes: list[str]  # E01's codes in form order


def full_ratings(key, *, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [
        (eid, e.patient_id, e.summarizer, crit, int(rng.integers(1, n + 1)))
        for eid in key.forms
        for e in key.codes.values()
        for crit, n in key.scales.items()
    ]
    return pd.DataFrame(
        rows, columns=["expert_id", "patient_id", "summarizer", "criterion", "score"]
    )


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Study:
    root = tmp_path_factory.mktemp("study")
    roster = mini_cohort.roster(1)  # E01 radiologist, E02 clinician, E03 resident
    out = export_forms(
        mini_cohort.anonymized(),
        mini_cohort.summaries(),
        roster,
        study_id=STUDY,
        seed=3,
        forms_dir=root / "forms",
        key_path=root / "key.json",
    )
    truth = full_ratings(out.key, seed=4)
    filled = fill_forms(truth, key=out.key, forms_dir=root / "forms", out_dir=root / "filled")
    return Study(root, root / "key.json", roster, filled, truth, list(out.key.forms["E01"].codes))


def write_csv(path: Path, rows: list[dict], *, columns=CSV_COLUMNS, encoding="utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        w = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


def csv_rows(study: Study, expert: str = "E02") -> list[dict]:
    cat = dict(zip(study.roster["expert_id"], study.roster["category"], strict=True))[expert]
    t = study.truth[study.truth["expert_id"] == expert]
    return [
        {
            "expert_id": expert,
            "expert_category": cat,
            "patient_id": p,
            "summarizer": s,
            "criterion": c,
            "scale_max": 5,
            "score": v,
        }
        for _, p, s, c, v in t.itertuples(index=False)
    ]


def edit_form(study: Study, dest: Path, edit: Callable, expert: str = "E01") -> Path:
    wb = openpyxl.load_workbook(study.filled[expert])
    edit(wb)
    target = dest / study.filled[expert].name
    wb.save(target)
    return target


# ------------------------------------------------------------------ the corpus


@dataclass(frozen=True)
class Case:
    name: str
    kind: str
    build: Callable[[Study, Path], dict]  # -> kwargs for load_expert_ratings
    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None  # prefix of RatingsError.column
    says: str = ""  # a phrase the message must contain


def rating_cell(cell: str, value) -> Callable[[Study, Path], dict]:
    def build(st: Study, d: Path) -> dict:
        edit_form(st, d, lambda wb: wb[RATING_SHEET].__setitem__(cell, value))
        return {}

    return build


def meta_cell(cell: str, value) -> Callable[[Study, Path], dict]:
    def build(st: Study, d: Path) -> dict:
        edit_form(st, d, lambda wb: wb[META_SHEET].__setitem__(cell, value))
        return {}

    return build


def with_roster(change: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[Study, Path], dict]:
    def build(st: Study, d: Path) -> dict:
        shutil.copy(st.filled["E01"], d)
        return {"roster": change(st.roster.copy())}

    return build


def duplicate_code(st: Study, d: Path) -> dict:
    edit_form(st, d, lambda wb: wb[RATING_SHEET].__setitem__("B4", st.codes[0]))
    return {}


def edited_summary(st: Study, d: Path) -> dict:
    def edit(wb):
        ws = wb[RATING_SHEET]
        ws["E8"] = ws["E8"].value + " Рекомендована МРТ."

    edit_form(st, d, edit)
    return {}


def deleted_row(st: Study, d: Path) -> dict:
    edit_form(st, d, lambda wb: wb[RATING_SHEET].delete_rows(8))
    return {}


def deleted_column(st: Study, d: Path) -> dict:
    edit_form(st, d, lambda wb: wb[RATING_SHEET].delete_cols(7))
    return {}


def renamed_sheet(st: Study, d: Path) -> dict:
    def edit(wb):
        wb[RATING_SHEET].title = "Лист1"

    edit_form(st, d, edit)
    return {}


def swapped_criterion_ids(st: Study, d: Path) -> dict:
    def edit(wb):  # the hidden id row only: the ratings stay where the expert typed them
        ws = wb[RATING_SHEET]
        ws["G2"], ws["H2"] = ws["H2"].value, ws["G2"].value

    edit_form(st, d, edit)
    return {}


def rated_a_copy(st: Study, d: Path) -> dict:
    """The expert rated a copy of the rating sheet and left the original empty."""
    wb = openpyxl.load_workbook(st.root / "forms" / "form_E01.xlsx")  # the blank form
    filled = openpyxl.load_workbook(st.filled["E01"])[RATING_SHEET]
    copy = wb.copy_worksheet(wb[RATING_SHEET])
    for row in filled.iter_rows(min_row=3, min_col=6):
        for c in row:
            copy.cell(row=c.row, column=c.column, value=c.value)
    wb.save(d / "form_E01.xlsx")
    return {}


def merged_ratings(st: Study, d: Path) -> dict:
    edit_form(st, d, lambda wb: wb[RATING_SHEET].merge_cells("G5:H5"))
    return {}


def under_another_name(st: Study, d: Path) -> dict:
    shutil.copy(st.filled["E01"], d / "form_E02.xlsx")  # E01's form, E02's file name
    return {}


def form_of(study_id: str, seed: int) -> Callable[[Study, Path], dict]:
    def build(st: Study, d: Path) -> dict:
        export_forms(
            mini_cohort.anonymized(),
            mini_cohort.summaries(),
            st.roster,
            study_id=study_id,
            seed=seed,
            forms_dir=d / "blank",
            key_path=d / "other_key.json",
        )
        shutil.copy(d / "blank" / "form_E01.xlsx", d / "in" / "form_E01.xlsx")
        return {"paths": d / "in"}

    return build


def tampered_key(st: Study, d: Path) -> dict:
    data = json.loads(st.key.read_text("utf-8"))
    code = next(iter(data["codes"]))
    data["codes"][code]["summarizer"] = (
        "gold" if data["codes"][code]["summarizer"] != "gold" else "model_a"
    )
    (d / "key.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    shutil.copy(st.filled["E01"], d / "in")
    return {"paths": d / "in", "key": d / "key.json"}


def broken_key(st: Study, d: Path) -> dict:
    (d / "key.json").write_text("{not json", "utf-8")
    shutil.copy(st.filled["E01"], d / "in")
    return {"paths": d / "in", "key": d / "key.json"}


def twice(st: Study, d: Path) -> dict:
    shutil.copy(st.filled["E01"], d / "form_E01.xlsx")
    shutil.copy(st.filled["E01"], d / "form_E01_copy.xlsx")
    return {}


def raw_file(name: str, data: bytes) -> Callable[[Study, Path], dict]:
    def build(st: Study, d: Path) -> dict:
        (d / name).write_bytes(data)
        return {}

    return build


def csv_case(
    change: Callable[[list[dict]], list[dict]],
    *,
    columns=CSV_COLUMNS,
    encoding="utf-8",
    with_form: bool = False,
) -> Callable[[Study, Path], dict]:
    def build(st: Study, d: Path) -> dict:
        write_csv(d / "ratings.csv", change(csv_rows(st)), columns=columns, encoding=encoding)
        if with_form:
            shutil.copy(st.filled["E01"], d)
        return {}

    return build


def undecodable_csv(st: Study, d: Path) -> dict:
    path = write_csv(d / "ratings.csv", csv_rows(st))
    lines = path.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b"clinician", b"clinici\x98an")
    path.write_bytes(b"\n".join(lines))
    return {}


def set_row(i: int, **values) -> Callable[[list[dict]], list[dict]]:
    def change(rows: list[dict]) -> list[dict]:
        rows[i] = {**rows[i], **values}
        return rows

    return change


FORM = "form_E01.xlsx"
CSV = "ratings.csv"
CASES = [
    Case(
        "score_out_of_range",
        "out_of_range",
        rating_cell("G5", 7),
        FORM,
        RATING_SHEET,
        5,
        "G (correctness)",
        "7",
    ),
    Case(
        "score_not_whole",
        "non_integer",
        rating_cell("F4", 3.5),
        FORM,
        RATING_SHEET,
        4,
        "F (completeness)",
        "3.5",
    ),
    Case(
        "score_is_text",
        "text_score",
        rating_cell("H6", "хорошо"),
        FORM,
        RATING_SHEET,
        6,
        "H (relevance)",
        "хорошо",
    ),
    Case(
        "score_is_a_date",
        "text_score",
        rating_cell("I7", datetime(2024, 3, 5)),
        FORM,
        RATING_SHEET,
        7,
        "I (conciseness)",
        "date",
    ),
    Case(
        "same_summary_twice",
        "duplicate_rating",
        duplicate_code,
        FORM,
        RATING_SHEET,
        4,
        "B (code)",
        "first on row 3",
    ),
    Case(
        "unknown_summary_code",
        "unknown_code",
        rating_cell("B7", "ZZZZZZ"),
        FORM,
        RATING_SHEET,
        7,
        "B (code)",
        "ZZZZZZ",
    ),
    Case(
        "wrong_patient_next_to_code",
        "patient_mismatch",
        rating_cell("C5", "P999"),
        FORM,
        RATING_SHEET,
        5,
        "C (patient_id)",
        "P999",
    ),
    Case(
        "summary_text_edited",
        "text_modified",
        edited_summary,
        FORM,
        RATING_SHEET,
        8,
        "E (summary)",
        "summary",
    ),
    Case(
        "summary_row_deleted",
        "missing_row",
        deleted_row,
        FORM,
        RATING_SHEET,
        None,
        "B (code)",
        "exported at row 8",
    ),
    Case(
        "unknown_criterion_column",
        "unknown_criterion",
        rating_cell("F2", "fluency"),
        FORM,
        RATING_SHEET,
        2,
        "F",
        "fluency",
    ),
    Case(
        "criterion_column_deleted",
        "missing_column",
        deleted_column,
        FORM,
        RATING_SHEET,
        2,
        "correctness",
        "correctness",
    ),
    Case(
        "value_outside_rating_columns",
        "unexpected_cell",
        rating_cell("M5", 4),
        FORM,
        RATING_SHEET,
        5,
        "M",
        "4",
    ),
    Case(
        "rating_sheet_renamed",
        "missing_sheet",
        renamed_sheet,
        FORM,
        RATING_SHEET,
        None,
        None,
        "Лист1",
    ),
    Case(
        "form_metadata_broken",
        "invalid_form",
        meta_cell("B1", "other-form/9"),
        FORM,
        META_SHEET,
        1,
        "B",
        "other-form/9",
    ),
    Case(
        "form_of_another_study",
        "other_study",
        form_of("another-study", 3),
        FORM,
        META_SHEET,
        2,
        "B",
        "another-study",
    ),
    Case(
        "form_of_another_key",
        "other_key",
        form_of(STUDY, 99),
        FORM,
        META_SHEET,
        3,
        "B",
        "not with key.json",
    ),
    Case(
        "key_tampered",
        "tampered_key",
        tampered_key,
        "key.json",
        None,
        None,
        "fingerprint",
        "edited",
    ),
    Case("key_not_json", "invalid_key", broken_key, "key.json", None, None, None, "not JSON"),
    Case(
        "form_scale_changed",
        "scale_mismatch",
        meta_cell("B8", 10),
        FORM,
        META_SHEET,
        8,
        "B",
        "1..10",
    ),
    Case(
        "expert_not_in_roster",
        "unknown_expert",
        with_roster(lambda r: r[r["expert_id"] != "E01"]),
        FORM,
        META_SHEET,
        4,
        "B",
        "E01",
    ),
    Case(
        "roster_disagrees_on_category",
        "category_mismatch",
        with_roster(
            lambda r: r.assign(category=r["category"].where(r["expert_id"] != "E01", "clinician"))
        ),
        FORM,
        META_SHEET,
        5,
        "B",
        "clinician",
    ),
    Case(
        "same_form_twice",
        "duplicate_form",
        twice,
        "form_E01_copy.xlsx",
        META_SHEET,
        4,
        "B",
        "already imported",
    ),
    Case(
        "empty_file", "empty_file", raw_file("form_E05.xlsx", b""), "form_E05.xlsx", says="0 bytes"
    ),
    Case(
        "text_file",
        "wrong_file_type",
        raw_file("notes.txt", b"E01 5 4 3"),
        "notes.txt",
        says=".txt",
    ),
    Case(
        "xls_not_xlsx",
        "wrong_file_type",
        raw_file("old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512),
        "old.xlsx",
        says=".xls",
    ),
    Case(
        "csv_not_utf8",
        "wrong_encoding",
        # neither UTF-8 nor clean Windows-1251 (0x98 is undefined there); cp1251 itself is read
        undecodable_csv,
        CSV,
        None,
        4,
        None,
        "UTF-8",
    ),
    Case(
        "csv_missing_score_column",
        "missing_column",
        csv_case(lambda r: r, columns=CSV_COLUMNS[:-1]),
        CSV,
        None,
        1,
        "score",
        "score",
    ),
    Case(
        "csv_unknown_column",
        "unknown_column",
        csv_case(lambda r: [{**x, "comment": "ok"} for x in r], columns=(*CSV_COLUMNS, "comment")),
        CSV,
        None,
        1,
        "comment",
        "comment",
    ),
    Case(
        "csv_unknown_patient",
        "unknown_patient",
        csv_case(set_row(3, patient_id="P999")),
        CSV,
        None,
        5,
        "patient_id",
        "P999",
    ),
    Case(
        "csv_unknown_summarizer",
        "unknown_summarizer",
        csv_case(set_row(3, summarizer="gpt-x")),
        CSV,
        None,
        5,
        "summarizer",
        "gpt-x",
    ),
    Case(
        "csv_unknown_criterion",
        "unknown_criterion",
        csv_case(set_row(0, criterion="fluency")),
        CSV,
        None,
        2,
        "criterion",
        "fluency",
    ),
    Case(
        "csv_bad_scale",
        "invalid_value",
        csv_case(set_row(1, scale_max="five")),
        CSV,
        None,
        3,
        "scale_max",
        "five",
    ),
    Case(
        "csv_scale_disagrees_with_form",
        "scale_mismatch",
        csv_case(set_row(4, scale_max=10)),
        CSV,
        None,
        6,
        "scale_max",
        "10",
    ),
    Case(
        "csv_score_out_of_range",
        "out_of_range",
        csv_case(set_row(5, score=0)),
        CSV,
        None,
        7,
        "score",
        "0",
    ),
    Case(
        "csv_score_not_whole",
        "non_integer",
        csv_case(set_row(6, score="3.5")),
        CSV,
        None,
        8,
        "score",
        "3.5",
    ),
    Case(
        "csv_decimal_comma",
        "text_score",
        csv_case(set_row(6, score="3,5")),
        CSV,
        None,
        8,
        "score",
        "3,5",
    ),
    Case(
        "csv_mean_not_multiple_of_1_over_n",
        "non_integer",
        csv_case(
            lambda r: [
                {
                    **x,
                    "n_raters_averaged": 3 if i == 2 else 1,
                    "score": 2.5 if i == 2 else x["score"],
                }
                for i, x in enumerate(r)
            ],
            columns=(*CSV_COLUMNS, "n_raters_averaged"),
        ),
        CSV,
        None,
        4,
        "score",
        "1/3",
    ),
    Case(
        "csv_duplicate_row",
        "duplicate_rating",
        csv_case(lambda r: [*r, r[1]]),
        CSV,
        None,
        None,
        "expert_id",
        "already",
    ),
    Case(
        "csv_repeats_a_form_rating",
        "duplicate_rating",
        csv_case(
            lambda r: [{**r[0], "expert_id": "E01", "expert_category": "radiologist"}],
            with_form=True,
        ),
        CSV,
        None,
        2,
        "expert_id",
        "form_E01.xlsx",
    ),
    Case(
        "csv_unknown_expert",
        "unknown_expert",
        csv_case(set_row(2, expert_id="E09")),
        CSV,
        None,
        4,
        "expert_id",
        "E09",
    ),
    Case(
        "csv_category_disagrees",
        "category_mismatch",
        csv_case(set_row(2, expert_category="radiologist")),
        CSV,
        None,
        4,
        "expert_category",
        "radiologist",
    ),
    Case(
        "csv_header_only", "empty_file", csv_case(lambda r: []), CSV, None, 2, None, "no rating row"
    ),
    Case("no_rating_file", "no_files", lambda st, d: {}, "", says="no rating file"),
    # issue 15: changes a plain reader let through
    Case(
        "criterion_ids_swapped",
        "column_order",
        swapped_criterion_ids,
        FORM,
        RATING_SHEET,
        2,
        "G",
        "wrong criterion",
    ),
    Case(
        "rated_a_copy_of_the_sheet",
        "extra_sheet",
        rated_a_copy,
        FORM,
        "Оценки Copy",
        says="would be lost",
    ),
    Case(
        "formula_without_value",
        "formula_without_value",
        rating_cell("G5", "=2+2"),
        FORM,
        RATING_SHEET,
        5,
        "G",
        "formula",
    ),
    Case(
        "merged_ratings", "merged_cells", merged_ratings, FORM, RATING_SHEET, 5, "G5:H5", "merged"
    ),
    Case(
        "form_under_another_experts_file_name",
        "file_name_mismatch",
        under_another_name,
        "form_E02.xlsx",
        META_SHEET,
        4,
        "B",
        "named like expert 'E02'",
    ),
    Case(
        "csv_expert_with_two_categories",
        "category_mismatch",
        lambda st, d: {
            **csv_case(set_row(5, expert_category="radiologist"))(st, d),
            "roster": None,
        },
        CSV,
        None,
        7,
        "expert_category",
        "but a 'clinician' in",
    ),
    Case(
        "csv_lookalike_letter_in_expert_id",
        "invalid_value",
        csv_case(set_row(2, expert_id="\u0415" + "02")),  # Cyrillic Е
        CSV,
        None,
        4,
        "expert_id",
        "CYRILLIC CAPITAL LETTER IE, looks like Latin 'E'",
    ),
]


def test_the_corpus_has_at_least_15_kinds_all_documented():
    kinds = {c.kind for c in CASES}
    assert len(kinds) >= 15, sorted(kinds)
    assert kinds <= set(ERROR_KINDS)
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_file_raises_its_own_located_error(study, tmp_path, case):
    (tmp_path / "in").mkdir()
    kwargs = {
        "paths": tmp_path,
        "key": study.key,
        "roster": study.roster,
        **case.build(study, tmp_path),
    }
    if kwargs["paths"] == tmp_path:
        shutil.rmtree(tmp_path / "in")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingRatingsWarning)
        with pytest.raises(RatingsError) as info:
            load_expert_ratings(**kwargs)
    err, msg = info.value, str(info.value)
    assert err.kind == case.kind, msg
    assert isinstance(err, ValueError)
    assert Path(err.file).name == case.file or (case.file == "" and err.kind == "no_files"), msg
    assert f"file {err.file}" in msg
    assert err.sheet == case.sheet, msg
    if case.sheet:
        assert f"sheet {case.sheet!r}" in msg
    if case.row is not None:
        assert err.row == case.row and f"row {case.row}" in msg, msg
    if case.column is not None:
        assert err.column is not None and err.column.startswith(case.column), msg
        assert f"column {err.column}" in msg
    assert case.says in msg, msg
    assert "expected" in msg, msg


# ------------------------------------------------------------- valid imports


def test_valid_csv_round_trip_and_mixed_with_forms(study, tmp_path):
    write_csv(tmp_path / "e02.csv", csv_rows(study, "E02"))
    shutil.copy(study.filled["E01"], tmp_path)
    got = load_expert_ratings(tmp_path, key=study.key, roster=study.roster)
    ids = ["expert_id", "patient_id", "summarizer", "criterion"]
    want = study.truth[study.truth["expert_id"].isin(["E01", "E02"])]
    both = got.merge(want, on=ids, suffixes=("", "_true"), validate="one_to_one")
    assert len(both) == len(got) == len(want)
    assert (both["score"].astype(int) == both["score_true"]).all()
    assert set(got.loc[got["expert_id"] == "E02", "source_file"]) == {str(tmp_path / "e02.csv")}
    assert (got["n_raters_averaged"] == 1).all()


def test_csv_without_key_or_roster_and_with_missing_scores(tmp_path):
    rows = [
        {
            "expert_id": "A",
            "expert_category": "clinician",
            "patient_id": "X1",
            "summarizer": "m1",
            "criterion": "completeness",
            "scale_max": 5,
            "score": 4,
        },
        {
            "expert_id": "A",
            "expert_category": "clinician",
            "patient_id": "X1",
            "summarizer": "m2",
            "criterion": "completeness",
            "scale_max": 5,
            "score": "",
        },
        {
            "expert_id": "B",
            "expert_category": "other",
            "patient_id": "X1",
            "summarizer": "m1",
            "criterion": "completeness",
            "scale_max": 5,
            "score": "",
        },
    ]
    write_csv(tmp_path / "r.csv", rows)
    with pytest.warns(MissingRatingsWarning, match="2 of 3 ratings are missing.*A 1, B 1"):
        got = load_expert_ratings(tmp_path / "r.csv")
    assert got["score"].isna().tolist() == [False, True, True]
    c = completeness(got).set_index("expert_id")
    assert c.loc["A", ["n_cells", "n_rated", "n_missing"]].tolist() == [2, 1, 1]
    assert c.loc["B", "share_missing"] == 1.0


def test_published_panel_means_import_exactly(tmp_path):
    """SummEval-style expert means (3 raters): multiples of 1/3 pass unchanged, in Float64."""
    means = [1.3333333333333333, 2.6666666666666665, 5.0, 4.666666666666667]
    rows = [
        {
            "expert_id": "summeval_experts",
            "expert_category": "expert",
            "patient_id": "doc1",
            "summarizer": f"M{i}",
            "criterion": "coherence",
            "scale_max": 5,
            "score": repr(m),
            "n_raters_averaged": 3,
        }
        for i, m in enumerate(means)
    ]
    write_csv(tmp_path / "summeval.csv", rows, columns=(*CSV_COLUMNS, "n_raters_averaged"))
    got = load_expert_ratings(tmp_path / "summeval.csv", criteria=SUMMEVAL_CRITERIA)
    assert str(got["score"].dtype) == "Float64"
    assert got.sort_values("summarizer")["score"].tolist() == means
    assert (got["n_raters_averaged"] == 3).all()
    with pytest.raises(RatingsError, match="criterion 'coherence' is not a criterion"):
        load_expert_ratings(tmp_path / "summeval.csv")


def test_lock_files_are_skipped_with_a_warning(study, tmp_path):
    shutil.copy(study.filled["E03"], tmp_path)
    (tmp_path / "~$form_E03.xlsx").write_bytes(b"lock")
    with pytest.warns(UserWarning, match=r"skipped: ~\$form_E03.xlsx"):
        got = load_expert_ratings(tmp_path, key=study.key)
    assert set(got["expert_id"]) == {"E03"}


def test_forms_need_the_key(study):
    with pytest.raises(ValueError, match="needs the blinding key"):
        load_expert_ratings(study.filled["E01"])


def test_ratings_are_sorted_by_expert_patient_summarizer_and_criterion_order(study):
    got = load_expert_ratings(study.filled["E02"], key=study.key)
    first = got.head(6)
    assert first["criterion"].tolist() == list(json.loads(study.key.read_text())["scales"])
    assert got.equals(
        got.sort_values(["expert_id", "patient_id", "summarizer"], kind="stable").reset_index(
            drop=True
        )
    )


# ------------------------------------------------- issue 15: reported, not silent


def test_roster_experts_without_a_form_are_named_with_their_count(study, tmp_path):
    shutil.copy(study.filled["E02"], tmp_path)
    with pytest.warns(MissingFormsWarning, match=r"2 of 3 experts .* returned no form.*E01, E03"):
        got = load_expert_ratings(tmp_path, key=study.key, roster=study.roster)
    assert set(got["expert_id"]) == {"E02"}


@pytest.mark.parametrize(
    ("encoding", "delimiter", "dialect"),
    [
        ("utf-8-sig", ";", "UTF-8 with BOM, ';'-separated"),  # Excel 'CSV UTF-8', Russian locale
        (
            "cp1251",
            ";",
            "Windows-1251, ';'-separated",
        ),  # Excel 'CSV (разделители - точка с запятой)'
    ],
)
def test_russian_locale_excel_exports_are_read_and_reported(
    study, tmp_path, encoding, delimiter, dialect
):
    # a category in Russian (free without a roster) makes the Windows-1251 bytes non-UTF-8
    rows = [{**r, "expert_category": "клиницист"} for r in csv_rows(study, "E02")]
    rows[0] = {**rows[0], "score": ""}  # an empty cell stays missing, whatever the dialect
    path = tmp_path / "e02.csv"
    with path.open("w", newline="", encoding=encoding) as fh:
        w = csv.DictWriter(fh, fieldnames=list(CSV_COLUMNS), delimiter=delimiter)
        w.writeheader()
        w.writerows(rows)
    with pytest.warns(DialectWarning, match=dialect):
        got = load_expert_ratings(path, key=study.key)
    assert set(got["expert_category"]) == {"клиницист"}
    want = study.truth[study.truth["expert_id"] == "E02"]
    both = got.merge(want, on=["patient_id", "summarizer", "criterion"], suffixes=("", "_true"))
    assert len(both) == len(got) == len(want) == len(rows)
    assert both["score"].isna().sum() == 1
    assert (
        both["score"].dropna().astype(int) == both.loc[both["score"].notna(), "score_true"]
    ).all()
    assert got.attrs["files"][str(path)]["dialect"] == dialect


def test_csv_rows_are_numbered_as_a_spreadsheet_shows_them(study, tmp_path):
    """A blank line and a quoted cell with a line break: physical lines would say row 6."""
    rows = csv_rows(study, "E02")[:3]
    rows[2] = {**rows[2], "score": "9"}
    path = write_csv(tmp_path / "r.csv", rows)
    text = path.read_text("utf-8").splitlines()
    text.insert(1, "")  # a blank row 2 (a spreadsheet shows it)
    path.write_text("\n".join(text) + "\n", "utf-8")
    with pytest.raises(RatingsError) as info:
        load_expert_ratings(path, key=study.key)
    assert info.value.kind == "out_of_range" and info.value.row == 5, str(info.value)
