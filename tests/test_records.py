"""Real-record input: CSV, XLSX, JSONL, and errors that name file, row, column and the fix."""

from __future__ import annotations

import csv
import json

import openpyxl
import pytest

from radjudge import paths
from radjudge.cohort import load_cohort
from radjudge.records import (
    SECTION_HEADINGS,
    SECTIONS,
    RawRecord,
    RecordFormatError,
    read_records,
    render_text,
)
from radjudge.tabular import DialectWarning

ROWS = [
    {"patient_id": "A1", **{k: f"{k} текст пациента один" for k in SECTIONS}},
    {"patient_id": "A2", **{k: ("" if k == "instrumental" else f"{k} второй") for k in SECTIONS}},
]


def write_csv(path, rows, header=None, encoding="utf-8"):
    header = header or list(rows[0])
    with path.open("w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for r in rows:
            w.writerow([r.get(h, "") for h in header])
    return path


def write_xlsx(path, rows, header=None):
    header = header or list(rows[0])
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append([r.get(h) for h in header])
    wb.save(path)
    return path


def test_render_text_uses_russian_headings_in_order():
    text = render_text({k: k.upper() for k in SECTIONS})
    blocks = text.split("\n\n")
    assert [b.split(":\n")[0] for b in blocks] == [SECTION_HEADINGS[k] for k in SECTIONS]
    assert blocks[0] == "Жалобы:\nCOMPLAINTS"
    with pytest.raises(ValueError, match="missing"):
        render_text({"complaints": "x"})


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_the_three_formats_read_the_same_records(tmp_path, fmt):
    path = tmp_path / f"records.{fmt}"
    if fmt == "csv":
        write_csv(path, ROWS)
    elif fmt == "xlsx":
        write_xlsx(path, ROWS)
    else:
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), "utf-8")
    recs = read_records(path)
    assert [r.patient_id for r in recs] == ["A1", "A2"]
    assert recs[0].sections == {k: ROWS[0][k] for k in SECTIONS}
    assert recs[1].sections["instrumental"] == ""
    assert all(isinstance(r, RawRecord) and r.synthetic is False for r in recs)
    assert recs[1].text.startswith("Жалобы:\ncomplaints второй")


def test_russian_headings_work_as_column_names_and_a_bom_is_accepted(tmp_path):
    header = ["patient_id", *(SECTION_HEADINGS[k] for k in SECTIONS)]
    rows = [{"patient_id": "7", **{SECTION_HEADINGS[k]: f"т {k}" for k in SECTIONS}}]
    recs = read_records(write_csv(tmp_path / "r.csv", rows, header, encoding="utf-8-sig"))
    assert recs[0].patient_id == "7" and recs[0].sections["labs"] == "т labs"


def test_the_synthetic_cohort_file_reads_as_nested_jsonl():
    recs = read_records(paths.SYNTHETIC_COHORT)
    assert [r.sections for r in recs] == [r.sections for r in load_cohort()]


def test_missing_section_column_names_it_and_says_how_to_fix(tmp_path):
    header = ["patient_id", *[k for k in SECTIONS if k != "labs"]]
    path = write_csv(tmp_path / "r.csv", ROWS, header)
    with pytest.raises(RecordFormatError) as err:
        read_records(path)
    msg = str(err.value)
    assert str(path) in msg and "'labs'" in msg and "Лабораторные исследования" in msg
    assert "Add one column per section" in msg


def test_missing_id_column(tmp_path):
    path = write_csv(tmp_path / "r.csv", ROWS, list(SECTIONS))
    with pytest.raises(RecordFormatError, match="no id column 'patient_id'.*id_column="):
        read_records(path)


def test_empty_record_names_its_row(tmp_path):
    rows = [ROWS[0], {"patient_id": "A3", **dict.fromkeys(SECTIONS, "  ")}]
    with pytest.raises(RecordFormatError, match=r"r\.csv, row 3: record 'A3' is empty"):
        read_records(write_csv(tmp_path / "r.csv", rows))
    with pytest.raises(RecordFormatError, match=r"r\.xlsx, row 3: record 'A3' is empty"):
        read_records(write_xlsx(tmp_path / "r.xlsx", rows))


def test_duplicate_ids_name_both_rows(tmp_path):
    rows = [ROWS[0], ROWS[1], {**ROWS[1], "patient_id": "A1"}]
    with pytest.raises(RecordFormatError) as err:
        read_records(write_csv(tmp_path / "r.csv", rows))
    assert "row 4" in str(err.value) and "duplicate patient id 'A1'" in str(err.value)
    assert "first at row 2" in str(err.value)


def test_empty_id(tmp_path):
    rows = [ROWS[0], {**ROWS[1], "patient_id": ""}]
    with pytest.raises(
        RecordFormatError, match=r"row 3, column 'patient_id': the patient id is empty"
    ):
        read_records(write_csv(tmp_path / "r.csv", rows))


def test_wrong_encoding_is_reported_with_position_and_fix(tmp_path):
    path = write_csv(tmp_path / "legacy.csv", ROWS, encoding="cp1251")
    with pytest.raises(RecordFormatError) as err:
        read_records(path)
    msg = str(err.value)
    assert "legacy.csv" in msg and "not valid utf-8" in msg and "(line 2)" in msg
    assert "encoding='cp1251'" in msg and "UTF-8" in msg
    assert (
        read_records(path, encoding="cp1251")[0].sections
        == read_records(write_csv(tmp_path / "ok.csv", ROWS))[0].sections
    )


def test_unknown_columns_are_an_error_unless_ignored(tmp_path):
    rows = [{**r, "notes": "x"} for r in ROWS]
    path = write_csv(tmp_path / "r.csv", rows)
    with pytest.raises(
        RecordFormatError, match=r"unknown column\(s\) \['notes'\].*extra_columns='ignore'"
    ):
        read_records(path)
    assert len(read_records(path, extra_columns="ignore")) == 2


def test_non_text_cells_and_numeric_ids_in_xlsx(tmp_path):
    rows = [{**ROWS[0], "patient_id": 7}]
    assert read_records(write_xlsx(tmp_path / "ok.xlsx", rows))[0].patient_id == "7"
    bad = [{**ROWS[0], "labs": 12.5}]
    with pytest.raises(RecordFormatError, match=r"row 2, column 'labs': section text must be text"):
        read_records(write_xlsx(tmp_path / "bad.xlsx", bad))


def test_bad_jsonl_line_and_unsupported_suffix(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(ROWS[0]) + "\n{oops\n", "utf-8")
    with pytest.raises(RecordFormatError, match=r"r\.jsonl, line 2: not valid JSON"):
        read_records(path)
    other = tmp_path / "r.txt"
    other.write_text("x", "utf-8")
    with pytest.raises(RecordFormatError, match=r"unsupported suffix '\.txt'"):
        read_records(other)
    with pytest.raises(RecordFormatError, match="no such file"):
        read_records(tmp_path / "missing.csv")


def test_ragged_csv_row(tmp_path):
    path = tmp_path / "r.csv"
    header = ",".join(["patient_id", *SECTIONS])
    path.write_text(header + "\nA1,a,b,c\n", "utf-8")
    with pytest.raises(RecordFormatError, match=r"row 2: 4 cells but the header has 7 columns"):
        read_records(path)


# ---------------------------- issue 15: nothing changes or vanishes silently on import


def test_xlsx_text_in_a_column_without_header_is_an_error(tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", ROWS)
    wb = openpyxl.load_workbook(path)
    wb.active["I3"] = "аллергия на йод"  # beyond the last headed column (G)
    wb.save(path)
    with pytest.raises(
        RecordFormatError, match=r"row 3, column I: a value in a column without a header"
    ):
        read_records(path)


def test_xlsx_formula_without_value_is_an_error_naming_the_cell(tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", ROWS)
    wb = openpyxl.load_workbook(path)
    wb.active["E2"] = '=CONCATENATE("Hb ", "120 г/л")'  # openpyxl stores no computed value
    wb.save(path)
    with pytest.raises(RecordFormatError, match=r"row 2, column E: the cell holds a formula"):
        read_records(path)


def test_xlsx_merged_cells_are_an_error(tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", ROWS)
    wb = openpyxl.load_workbook(path)
    wb.active.merge_cells("B2:C2")  # C2's text is gone from the file after the merge
    wb.save(path)
    with pytest.raises(RecordFormatError, match=r"cells B2:C2: merged cells"):
        read_records(path)


def test_xlsx_hidden_first_sheet_is_an_error(tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", ROWS)
    wb = openpyxl.load_workbook(path)
    wb.active.title = "old"
    wb.active.sheet_state = "hidden"
    wb.create_sheet("records")
    for r in [list(ROWS[0]), *([v for v in row.values()] for row in ROWS)]:
        wb["records"].append(r)
    wb.active = 1
    wb.save(path)
    with pytest.raises(RecordFormatError, match=r"first worksheet 'old' is hidden"):
        read_records(path)
    assert len(read_records(path, sheet="records")) == 2


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_two_columns_with_the_same_name_are_an_error(tmp_path, fmt):
    header = ["patient_id", *SECTIONS, "patient_id"]
    rows = [{**r} for r in ROWS]
    path = (write_csv if fmt == "csv" else write_xlsx)(tmp_path / f"r.{fmt}", rows, header)
    with pytest.raises(RecordFormatError, match=r"columns A and H are both named 'patient_id'"):
        read_records(path)


def test_jsonl_duplicate_keys_are_an_error(tmp_path):
    path = tmp_path / "r.jsonl"
    line = json.dumps(ROWS[0], ensure_ascii=False)
    path.write_text(line + "\n" + line[:-1] + ', "labs": "другой"}\n', "utf-8")
    with pytest.raises(RecordFormatError, match=r"line 2: key 'labs' appears twice"):
        read_records(path)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_nul_bytes_are_an_error(tmp_path, fmt):
    rows = [ROWS[0], {**ROWS[1], "labs": "Hb 120\x00 г/л"}]
    if fmt == "csv":
        path = write_csv(tmp_path / "r.csv", rows)
    else:
        path = tmp_path / "r.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    assert b"\x00" in path.read_bytes() or b"\\u0000" in path.read_bytes()
    unit = "row 3" if fmt == "csv" else "line 2"
    with pytest.raises(
        RecordFormatError, match=rf"{unit}, column 'labs': .*control character U\+0000"
    ):
        read_records(path)


def test_a_200k_character_field_is_a_located_error(tmp_path):
    rows = [ROWS[0], {**ROWS[1], "labs": "x" * 200_000}]
    with pytest.raises(RecordFormatError, match=r"r\.csv, row 3: the row cannot be read"):
        read_records(write_csv(tmp_path / "r.csv", rows))


def test_csv_rows_are_spreadsheet_rows_not_physical_lines(tmp_path):
    """A quoted cell with line breaks is one row: the empty record below is row 3, not line 5."""
    rows = [{**ROWS[0], "complaints": "боль\nтошнота\nрвота"}, {"patient_id": "A3"}]
    with pytest.raises(RecordFormatError, match=r"r\.csv, row 3: record 'A3' is empty"):
        read_records(write_csv(tmp_path / "r.csv", rows))


def test_semicolon_csv_is_read_and_reported(tmp_path):
    path = tmp_path / "r.csv"
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        w = csv.DictWriter(fh, fieldnames=list(ROWS[0]), delimiter=";")
        w.writeheader()
        w.writerows(ROWS)
    with pytest.warns(DialectWarning, match="UTF-8 with BOM, ';'-separated"):
        recs = read_records(path)
    assert [r.sections for r in recs] == [
        r.sections for r in read_records(write_csv(tmp_path / "ok.csv", ROWS))
    ]
