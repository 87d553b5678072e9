"""Replacement: placeholders, consistent surrogate names, date shifts that keep intervals."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from radjudge.anonymize import anonymize_record, anonymize_text, check_llm_text
from radjudge.anonymize.names import SURROGATE_FORMS
from radjudge.anonymize.replace import (
    SurrogateBook,
    date_offset_days,
    replace_spans,
    shift_date_text,
)
from radjudge.anonymize.rules import parse_date
from radjudge.anonymize.spans import Detection
from radjudge.records import SECTIONS


def test_placeholders_by_type():
    text = "Осмотрен хирургом Петровым А.В. 3 марта 2023 г. в ГКБ № 7, СНИЛС 112-233-445 95."
    assert anonymize_text(text) == "Осмотрен хирургом [ФИО] [ДАТА] в [ОРГАНИЗАЦИЯ], СНИЛС [СНИЛС]."


@pytest.mark.parametrize(
    ("date", "days", "shifted"),
    [
        ("12.03.1961", 30, "11.04.1961"),
        (
            "12.03.61",
            -12,
            "29.02.61",
        ),  # 1961 is not a leap year: 12.03 - 12 days = 28.02 ... see below
        ("3 марта 2023 г.", 365, "2 марта 2024 г."),
        ("3 марта", 29, "1 апреля"),
        ("28.12.", 7, "04.01."),
        ("марте 2021 г.", -31, "феврале 2021 г."),
        ("март 2021", 31, "апрель 2021"),
        ("2023-03-12", 1, "2023-03-13"),
    ],
)
def test_shift_keeps_the_format(date, days, shifted):
    if date == "12.03.61":
        shifted = "28.02.61"
    assert shift_date_text(date, days) == shifted


def test_date_shift_keeps_intervals_within_a_record():
    sections = dict.fromkeys(SECTIONS, "")
    sections["present_illness"] = (
        "Заболел 01.03.2023, госпитализирован 3 марта 2023 г., выписан 15.03.2023."
    )
    res = anonymize_record(
        {"patient_id": "X1", "sections": sections}, date_strategy="shift", seed=3
    )
    new = res.record.sections["present_illness"]
    dates = [parse_date(m) for m in re.findall(r"\d\d\.\d\d\.\d{4}|\d{1,2} [а-я]+ \d{4} г\.", new)]
    days = [dt.date(d.year, d.month, d.day) for d in dates]
    assert [(b - a).days for a, b in zip(days, days[1:], strict=False)] == [2, 12]
    offset = date_offset_days(3, "X1")
    assert days[0] == dt.date(2023, 3, 1) + dt.timedelta(days=offset)
    assert set(res.record.surrogates) == {
        m for m in re.findall(r"\d\d\.\d\d\.\d{4}|\d{1,2} [а-я]+ \d{4} г\.", new)
    }


def test_offsets_differ_between_patients_and_are_never_zero():
    offsets = {date_offset_days(7, f"P{i:03d}") for i in range(200)}
    assert len(offsets) > 100 and 0 not in offsets and all(30 <= abs(o) <= 365 for o in offsets)


def test_same_person_same_surrogate_in_every_case_and_shape():
    sections = dict.fromkeys(SECTIONS, "")
    sections["complaints"] = "Больной Иванов Иван Петрович, 50 лет."
    sections["present_illness"] = (
        "Осмотрен хирургом Сидоровым А.А. Со слов жены, Ивановой Марии Сергеевны."
    )
    sections["referral"] = "Результат передать хирургу Сидорову А.А. Пациент Иванов И.П."
    res = anonymize_record({"patient_id": "S1", "sections": sections}, replacement="surrogate")
    rec = res.record
    words = re.findall(r"[А-ЯЁ][а-яё]+", " ".join(rec.sections.values()))
    assert not {"Иванов", "Иванова", "Ивановой", "Сидоровым", "Сидорову", "Иван"} & set(words)
    patient = rec.sections["complaints"].split()[1]
    surgeon_ablt = rec.sections["present_illness"].split()[2]
    surgeon_datv = rec.sections["referral"].split()[3]
    assert rec.sections["referral"].endswith(
        f"Пациент {patient} {rec.sections['complaints'].split()[2][0]}."
        f"{rec.sections['complaints'].split()[3][0]}."
    )
    assert surgeon_ablt[:-2] == surgeon_datv[:-1]  # Тихомировым / Тихомирову: one person
    wife = rec.sections["present_illness"].split("жены, ")[1].split()[0]
    assert wife.rstrip(",") != patient and wife[:4] != patient[:4]  # a different person
    assert {w for w in re.findall(r"[А-ЯЁ][а-яё]+", " ".join(rec.surrogates))} <= SURROGATE_FORMS
    check_llm_text(rec.text)  # surrogates from the reserved pool pass the guard


def test_replace_spans_rejects_overlaps_and_unknown_options():
    with pytest.raises(ValueError, match="merge them first"):
        replace_spans("abcdef", [Detection(0, 3, "NAME", "x"), Detection(2, 4, "NAME", "x")])
    with pytest.raises(ValueError, match="replacement"):
        replace_spans("abc", [], replacement="redact")
    with pytest.raises(ValueError, match="date_strategy"):
        replace_spans("abc", [], date_strategy="drop")
    assert SurrogateBook(seed="a").render("Петров П.П.") == SurrogateBook(seed="a").render(
        "Петров П.П."
    )
