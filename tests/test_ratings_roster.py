"""Expert roster: format, validation with located errors, round trip."""

from __future__ import annotations

import pandas as pd
import pytest

from radjudge.ratings import RatingsError, read_roster, validate_roster, write_roster


def test_round_trip_keeps_extra_columns(tmp_path):
    roster = pd.DataFrame(
        {
            "expert_id": ["E01", "E02"],
            "category": ["radiologist", "clinician"],
            "years_experience": [12, 0],
            "site": ["A", "B"],
        }
    )
    path = write_roster(roster, tmp_path / "roster.csv")
    back = read_roster(path)
    assert back.to_dict("list") == {**roster.to_dict("list")}
    assert str(back["years_experience"].dtype) == "int64"


@pytest.mark.parametrize(
    ("text", "kind", "row", "column"),
    [
        ("expert_id,category\nE01,radiologist\n", "missing_column", 1, "years_experience"),
        (
            "expert_id,category,years_experience\nE01,radiologist,5\nE01,clinician,3\n",
            "duplicate_expert",
            3,
            "expert_id",
        ),
        (
            "expert_id,category,years_experience\nE 1,radiologist,5\n",
            "invalid_value",
            2,
            "expert_id",
        ),
        (
            "expert_id,category,years_experience\nE01,Рентгенолог,5\n",
            "invalid_value",
            2,
            "category",
        ),
        (
            "expert_id,category,years_experience\nE01,radiologist,five\n",
            "invalid_value",
            2,
            "years_experience",
        ),
        (
            "expert_id,category,years_experience\nE01,radiologist,-1\n",
            "invalid_value",
            2,
            "years_experience",
        ),
        ("expert_id,category,years_experience\n", "empty_file", None, None),
        ("", "empty_file", None, None),
    ],
)
def test_bad_roster_is_located(tmp_path, text, kind, row, column):
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RatingsError) as info:
        read_roster(path)
    err = info.value
    assert (err.kind, err.row, err.column) == (kind, row, column), str(err)
    assert str(path) in str(err)


def test_not_utf8_and_not_csv(tmp_path):
    p = tmp_path / "roster.csv"
    # 0x98 is undefined in Windows-1251 and invalid in UTF-8
    p.write_bytes(b"expert_id,category,years_experience\nE01,radiolog\x98st,3\n")
    with pytest.raises(RatingsError, match="UTF-8") as info:
        read_roster(p)
    assert info.value.row == 2 and info.value.kind == "wrong_encoding"
    x = tmp_path / "roster.xlsx"
    x.write_bytes(b"PK")
    with pytest.raises(RatingsError, match=".csv"):
        read_roster(x)


def test_validate_accepts_integral_floats_only():
    ok = validate_roster(
        pd.DataFrame({"expert_id": ["E1"], "category": ["other"], "years_experience": [4.0]})
    )
    assert ok["years_experience"].tolist() == [4]
    with pytest.raises(RatingsError, match="4.5"):
        validate_roster(
            pd.DataFrame({"expert_id": ["E1"], "category": ["other"], "years_experience": [4.5]})
        )
