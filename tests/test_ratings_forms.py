"""Blinded XLSX forms: the round trip, blinding, per-expert order, validation, protection, privacy.

Everything runs on real workbooks written and read by openpyxl, and on records
that went through the real anonymizer.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import mini_cohort
from radjudge.anonymize import PHIGuardError, anonymize_records
from radjudge.cohort import generate_cohort
from radjudge.contracts import CRITERIA
from radjudge.ratings import (
    MissingRatingsWarning,
    export_forms,
    fill_forms,
    load_expert_ratings,
    read_key,
)
from radjudge.ratings.forms import (
    CRITERIA_SHEET,
    FIRST_DATA_ROW,
    FIXED_COLUMNS,
    ID_ROW,
    INSTRUCTIONS_SHEET,
    META_SHEET,
    RATING_SHEET,
)

SCALES = {
    "completeness": 5,
    "correctness": 5,
    "relevance": 3,
    "conciseness": 10,
    "structure": 5,
    "unsupported": 5,
}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("forms")
    out = export_forms(
        mini_cohort.anonymized(),
        mini_cohort.summaries(),
        mini_cohort.roster(2),
        study_id="test-study",
        seed=7,
        scale_max=SCALES,
        forms_dir=tmp / "forms",
        key_path=tmp / "key.json",
    )
    return tmp, out


def random_ratings(key, *, seed: int, missing: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for eid in key.forms:
        for entry in key.codes.values():
            for crit, n in key.scales.items():
                score = pd.NA if rng.random() < missing else int(rng.integers(1, n + 1))
                rows.append((eid, entry.patient_id, entry.summarizer, crit, score))
    return pd.DataFrame(
        rows, columns=["expert_id", "patient_id", "summarizer", "criterion", "score"]
    )


def test_round_trip_recovers_every_filled_value_unblinded(exported, tmp_path):
    tmp, out = exported
    truth = random_ratings(out.key, seed=1, missing=0.1)
    fill_forms(truth, key=out.key, forms_dir=tmp / "forms", out_dir=tmp_path / "filled")
    with pytest.warns(MissingRatingsWarning, match=r"E01 \d+"):
        got = load_expert_ratings(
            tmp_path / "filled", key=tmp / "key.json", roster=mini_cohort.roster(2)
        )
    ids = ["expert_id", "patient_id", "summarizer", "criterion"]
    assert len(got) == len(truth) and not got.duplicated(ids).any()
    both = got.merge(truth, on=ids, suffixes=("", "_filled"), validate="one_to_one")
    assert len(both) == len(truth)
    assert (both["score"].isna() == both["score_filled"].isna()).all()
    filled = both["score"].notna()
    assert (
        both.loc[filled, "score"].astype(int) == both.loc[filled, "score_filled"].astype(int)
    ).all()
    assert got["score"].isna().sum() == truth["score"].isna().sum() > 0  # missing stays missing
    # unblinded: the summarizer of each row is the one the key's code stands for
    assert set(got["summarizer"]) == set(mini_cohort.summaries()["summarizer"])
    assert (got["scale_max"] == got["criterion"].map(SCALES)).all()
    cats = dict(
        zip(mini_cohort.roster(2)["expert_id"], mini_cohort.roster(2)["category"], strict=True)
    )
    assert (got["expert_category"] == got["expert_id"].map(cats)).all()
    assert str(got["score"].dtype) == "Int64"


def test_forms_never_show_the_summarizer(exported):
    tmp, out = exported
    names = set(mini_cohort.summaries()["summarizer"]) | {
        "fixture-model_a",
        "llm",
        "gold",
        "extractive",
    }
    for path in out.forms.values():
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                for v in row:
                    if isinstance(v, str):
                        assert v.strip() not in names
                        assert not any(
                            f" {n} " in f" {v} " for n in ("model_a", "model_b", "model_c")
                        )


def test_codes_are_random_unique_and_map_to_the_key(exported):
    tmp, out = exported
    key = read_key(tmp / "key.json")
    assert key == out.key
    assert len(key.codes) == len(mini_cohort.summaries()) == len(set(key.codes))
    assert all(len(c) == 6 and c.isalnum() for c in key.codes)
    wb = openpyxl.load_workbook(out.forms["E01"])
    ws = wb[RATING_SHEET]
    for r, code in enumerate(key.forms["E01"].codes, start=FIRST_DATA_ROW):
        assert ws.cell(row=r, column=2).value == code
        entry = key.codes[code]
        assert ws.cell(row=r, column=3).value == entry.patient_id
        assert (
            hashlib.sha256(ws.cell(row=r, column=5).value.encode()).hexdigest()
            == entry.summary_sha256
        )


def test_order_is_randomized_per_expert_seeded_and_grouped_by_patient(exported, tmp_path):
    tmp, out = exported
    orders = {eid: f.codes for eid, f in out.key.forms.items()}
    assert len(set(orders.values())) == len(orders)  # every expert has his own order
    for codes in orders.values():
        patients = [out.key.codes[c].patient_id for c in codes]
        blocks = [p for i, p in enumerate(patients) if i == 0 or p != patients[i - 1]]
        assert len(blocks) == len(set(patients))  # each record read once, its summaries together
    again = export_forms(
        mini_cohort.anonymized(),
        mini_cohort.summaries(),
        mini_cohort.roster(2),
        study_id="test-study",
        seed=7,
        scale_max=SCALES,
        forms_dir=tmp_path / "f",
        key_path=tmp_path / "k.json",
    )
    assert again.key.fingerprint == out.key.fingerprint
    for eid in out.forms:  # byte-identical workbooks for the same seed
        assert again.forms[eid].read_bytes() == out.forms[eid].read_bytes()
    other = export_forms(
        mini_cohort.anonymized(),
        mini_cohort.summaries(),
        mini_cohort.roster(2),
        study_id="test-study",
        seed=8,
        scale_max=SCALES,
        forms_dir=tmp_path / "g",
        key_path=tmp_path / "l.json",
    )
    assert other.key.forms["E01"].codes != out.key.forms["E01"].codes


def test_validation_allows_only_the_scale_and_protection_locks_the_rest(exported):
    tmp, out = exported
    wb = openpyxl.load_workbook(out.forms["E02"])
    ws = wb[RATING_SHEET]
    n_rows = len(out.key.forms["E02"].codes)
    last = FIRST_DATA_ROW + n_rows - 1
    ids = [ws.cell(row=ID_ROW, column=j).value for j in range(1, ws.max_column + 1)]
    assert ids == [*FIXED_COLUMNS, *SCALES]
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    for j, n in enumerate(SCALES.values(), start=len(FIXED_COLUMNS) + 1):
        letter = openpyxl.utils.get_column_letter(j)
        dv = rules[f"{letter}{FIRST_DATA_ROW}:{letter}{last}"]
        assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("whole", "between", "1", str(n))
        assert dv.allow_blank and dv.showErrorMessage and dv.errorStyle == "stop"
        for r in (FIRST_DATA_ROW, last):
            assert ws.cell(row=r, column=j).protection.locked is False
    for r in (1, ID_ROW, FIRST_DATA_ROW, last):
        for j in range(1, len(FIXED_COLUMNS) + 1):
            assert ws.cell(row=r, column=j).protection.locked is True
    assert all(s.protection.sheet for s in wb.worksheets)
    assert wb.security.lockStructure
    assert wb[META_SHEET].sheet_state == "veryHidden"
    assert wb.sheetnames == [INSTRUCTIONS_SHEET, CRITERIA_SHEET, RATING_SHEET, META_SHEET]


def test_instructions_in_russian_and_criteria_sheet_covers_every_point(exported):
    tmp, out = exported
    wb = openpyxl.load_workbook(out.forms["E01"])
    text = "\n".join(
        str(c.value) for row in wb[INSTRUCTIONS_SHEET].iter_rows() for c in row if c.value
    )
    assert "Как заполнять" in text and "оставьте ячейку пустой" in text
    assert "test-study" in text and "E01" in text and out.key.fingerprint[:12] in text
    crit_rows = [
        r for r in wb[CRITERIA_SHEET].iter_rows(min_row=2, values_only=True) if r[4] is not None
    ]
    assert len(crit_rows) == sum(SCALES.values())
    assert {r[1] for r in crit_rows if r[1]} == set(CRITERIA)


def test_forms_show_the_anonymized_record_never_raw_phi(tmp_path):
    raw = generate_cohort(3, seed=20240611)
    anon = [r.record for r in anonymize_records(raw)]
    summaries = pd.DataFrame(
        {
            "patient_id": [r.patient_id for r in anon],
            "summarizer": "lead",
            "text": [r.sections["complaints"][:200] for r in anon],
        }
    )
    roster = pd.DataFrame(
        {"expert_id": ["R1"], "category": ["radiologist"], "years_experience": [4]}
    )
    out = export_forms(
        anon,
        summaries,
        roster,
        study_id="phi-check",
        seed=1,
        forms_dir=tmp_path / "f",
        key_path=tmp_path / "k.json",
    )
    wb = openpyxl.load_workbook(out.forms["R1"])
    cells = "\n".join(
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    )
    phi = {s.text for r in raw for s in r.phi if len(s.text) >= 6}
    assert phi, "the cohort must carry PHI for this test to mean anything"
    leaked = sorted(p for p in phi if p in cells)
    assert not leaked, leaked
    assert all(r.text in cells for r in anon)
    with pytest.raises(PHIGuardError):
        export_forms(
            raw,
            summaries,
            roster,
            study_id="phi-check",
            seed=1,
            forms_dir=tmp_path / "g",
            key_path=tmp_path / "l.json",
        )


def test_export_refuses_to_overwrite_a_key_and_checks_its_input(exported, tmp_path):
    tmp, out = exported
    args = (mini_cohort.anonymized(), mini_cohort.summaries(), mini_cohort.roster(2))
    with pytest.raises(FileExistsError, match="handed out"):
        export_forms(
            *args, study_id="test-study", seed=7, forms_dir=tmp / "forms", key_path=tmp / "key.json"
        )
    kw = {"seed": 1, "forms_dir": tmp_path / "f", "key_path": tmp_path / "k.json"}
    with pytest.raises(ValueError, match="study_id"):
        export_forms(*args, study_id="has space", **kw)
    with pytest.raises(ValueError, match="scale_max"):
        export_forms(*args, study_id="s", scale_max=1, **kw)
    with pytest.raises(ValueError, match="fluency"):
        export_forms(*args, study_id="s", criteria=["fluency"], **kw)
    dup = pd.concat([mini_cohort.summaries(), mini_cohort.summaries().head(1)])
    with pytest.raises(ValueError, match="twice"):
        export_forms(args[0], dup, args[2], study_id="s", **kw)
    with pytest.raises(ValueError, match="no anonymized record"):
        export_forms(args[0][:2], args[1], args[2], study_id="s", **kw)


def test_fill_forms_refuses_invalid_scores(exported, tmp_path):
    tmp, out = exported
    bad = (
        random_ratings(out.key, seed=2, missing=0).head(1).assign(score=6, criterion="completeness")
    )
    with pytest.raises(ValueError, match="1..5"):
        fill_forms(bad, key=out.key, forms_dir=tmp / "forms", out_dir=tmp_path)


def test_stale_summaries_are_detected(exported):
    tmp, out = exported
    s = mini_cohort.summaries()
    assert out.key.stale_summaries(s) == []
    s.loc[0, "text"] = s.loc[0, "text"] + " (изменено)"
    assert out.key.stale_summaries(s) == [(s.loc[0, "patient_id"], s.loc[0, "summarizer"])]


def test_ensure_forms_exports_keeps_and_guards_forms_in_use(tmp_path):
    from radjudge.ratings import ensure_forms

    args = (mini_cohort.anonymized(), mini_cohort.summaries(), mini_cohort.roster(1))
    kw = {"study_id": "s", "seed": 2, "forms_dir": tmp_path / "f", "key_path": tmp_path / "k.json"}
    first = ensure_forms(*args, **kw)
    assert first.action == "exported"
    again = ensure_forms(*args, **kw)
    assert again.action == "kept" and again.forms.key == first.forms.key
    changed = mini_cohort.summaries()
    changed.loc[3, "text"] = "другой текст"
    with pytest.raises(RuntimeError, match="1 summaries differ"):
        ensure_forms(args[0], changed, args[2], **kw)
    with pytest.raises(RuntimeError, match="roster"):
        ensure_forms(args[0], args[1], mini_cohort.roster(2), **kw)
    (tmp_path / "f" / "form_E02.xlsx").unlink()
    redo = ensure_forms(*args, allow_reexport=True, **kw)
    assert redo.action == "re-exported" and "missing" in redo.reasons[0]
    assert (tmp_path / "f" / "form_E02.xlsx").is_file()
    # a changed rubric makes the criteria sheets stale
    import radjudge.rubric
    from radjudge.rubric import load_rubric

    src = load_rubric("clinical_summary", language="ru")
    edited = tmp_path / "rubric.ru.yaml"
    text = (Path(radjudge.rubric.__file__).parent / "clinical_summary.ru.yaml").read_text("utf-8")
    edited.write_text(text.replace("name: Полнота", "name: Полнота сведений"), "utf-8")
    assert src.sha256 == redo.forms.key.rubric["sha256"]
    with pytest.raises(RuntimeError, match="rubric"):
        ensure_forms(*args, rubric=str(edited), **kw)
