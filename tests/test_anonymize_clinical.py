"""Eponyms are protected from the name detectors; real people are not."""

from __future__ import annotations

import pytest

from radjudge.anonymize.clinical import is_medical_abbreviation, protected_spans


def protected(text: str) -> list[str]:
    return [text[s:e] for s, e in protected_spans(text)]


@pytest.mark.parametrize(
    ("text", "eponyms"),
    [
        ("Симптом Щеткина–Блюмберга отрицательный.", ["Щеткина–Блюмберга"]),
        ("Положительный симптом Ортнера.", ["Ортнера"]),
        ("Симптомы Ортнера, Мерфи и Кера положительные.", ["Ортнера", "Мерфи", "Кера"]),
        ("В анамнезе болезнь Крона, синдром Жильбера.", ["Крона", "Жильбера"]),
        ("Цирроз печени, класс A по Child-Pugh.", ["Child-Pugh"]),
        ("КК по Кокрофту–Голту 38 мл/мин.", ["Кокрофту–Голту"]),
        (
            "Положительные симптомы Мейо-Робсона и Воскресенского.",
            ["Мейо-Робсона", "Воскресенского"],
        ),
        (
            "Чаши Клойбера, жидкость в кармане Моррисона, отёк Квинке.",
            ["Клойбера", "Моррисона", "Квинке"],
        ),
        ("Анализ мочи по Нечипоренко, стадия по Hinchey.", ["Нечипоренко", "Hinchey"]),
    ],
)
def test_eponyms_are_protected(text, eponyms):
    assert protected(text) == eponyms


@pytest.mark.parametrize(
    "text",
    [
        "Осмотрен хирургом Боткиным С.П.",
        "Симптом Пастернацкого отрицательный, осмотрен урологом Образцовым.",
        "Направлен по месту жительства хирургом Валентином Петровым.",
    ],
)
def test_people_with_eponym_like_names_are_not_protected(text):
    assert not any(p.startswith(("Боткин", "Образцов", "Валентин")) for p in protected(text))


def test_medical_abbreviations():
    assert all(is_medical_abbreviation(t) for t in ("ОАК", "КТ", "ФГДС", "СРБ", "RECIST"))
    assert not any(is_medical_abbreviation(t) for t in ("ООО", "ГБУЗ", "ЦРБ"))
