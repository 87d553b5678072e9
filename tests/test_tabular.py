"""Reading people's CSV files and workbooks: dialects, spreadsheet rows, cached values, merges."""

from __future__ import annotations

import openpyxl
import pytest

from radjudge.tabular import TableError, decode_text, read_csv_table, read_sheet


def test_encoding_is_utf8_with_or_without_bom_else_clean_cp1251(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes("id;текст\n1;боль\n".encode("utf-8-sig"))
    assert decode_text(p) == ("id;текст\n1;боль\n", "utf-8-sig")
    p.write_bytes("id;текст\n1;боль\n".encode("cp1251"))
    assert decode_text(p) == ("id;текст\n1;боль\n", "cp1251")
    p.write_bytes(b"id\n\x98\n")  # 0x98: invalid UTF-8, undefined in Windows-1251
    with pytest.raises(TableError, match=r"line 2.*re-save the file as UTF-8") as info:
        decode_text(p)
    assert info.value.kind == "encoding" and info.value.row == 2
    q = tmp_path / "c.csv"
    q.write_bytes("текст\n".encode("cp1251"))
    with pytest.raises(TableError, match="encoding='cp1251'"):  # an explicit encoding is strict
        decode_text(q, encoding="utf-8")


@pytest.mark.parametrize(("delimiter", "name"), [(",", "','"), (";", "';'"), ("\t", "tab")])
def test_delimiter_is_detected_from_the_header(tmp_path, delimiter, name):
    p = tmp_path / "a.csv"
    cells = ["1", '"2,5"' if delimiter == "," else "2,5", "3"]
    p.write_text(delimiter.join(["a", "b", "c"]) + "\n" + delimiter.join(cells) + "\n")
    table = read_csv_table(p)
    assert table.delimiter == delimiter and name in table.dialect
    assert table.rows == [(2, ["1", "2,5", "3"])]


def test_rows_are_spreadsheet_rows_and_ragged_rows_are_located(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text('a,b\n"x\ny",1\n\n2,3\n4\n')
    with pytest.raises(TableError) as info:
        read_csv_table(p)
    assert (info.value.kind, info.value.row) == ("ragged", 5)  # physical line 6


def test_workbook_reports_application_merges_and_refuses_uncomputed_formulas(tmp_path):
    p = tmp_path / "a.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["a", "b"])
    wb.active.append([1, 2])
    wb.active.merge_cells("A3:B3")
    wb.save(p)
    sheet = read_sheet(p)
    assert sheet.rows[:2] == [("a", "b"), (1, 2)]
    assert sheet.merged == [(3, 1, 3, 2)]
    assert sheet.application.endswith("Openpyxl 3.1.5")  # what openpyxl writes in docProps/app.xml
    wb.active["B2"] = "=A2+1"
    wb.save(p)
    with pytest.raises(TableError, match=r"row 2, column B: the cell holds a formula"):
        read_sheet(p)
