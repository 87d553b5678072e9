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
    ("text", "eponyms"),
    [
        # issue 14, second round: eponyms not on the list, recognised by their position
        ("Аномалия Кюммереля справа.", ["Кюммереля"]),
        ("Осмотрена: симптом Пропптова отрицательный.", ["Пропптова"]),
        ("Повреждение Хиллмана-Саксона 9x4 мм.", ["Хиллмана-Саксона"]),
        ("Ишемия IIБ ст. по Фонтанову-Покровцеву.", ["Фонтанову-Покровцеву"]),
        ("Проба по Шульцеру отрицательная.", ["Шульцеру"]),
        ("Симптомы Пропптова, Кустнера и Щеткина.", ["Пропптова", "Кустнера", "Щеткина"]),
    ],
)
def test_unlisted_eponyms_are_protected_by_position(text, eponyms):
    assert protected(text) == eponyms


@pytest.mark.parametrize(
    "text",
    [
        "История болезни Смирнова закрыта.",  # the patient, not an eponym
        "Симптом Петрова И.И. описан.",  # initials mark a person
        "По расчётам Исаака Ньютона.",  # a first name marks a person
        "Руководство канала Перепёлкин покинул.",  # nominative: no eponym
        "Матчи на стадионах Германии.",  # a place
        "Направлен по Смирнову.",  # "по" without a classification or a hyphenated pair
    ],
)
def test_a_trigger_alone_does_not_protect_people_or_places(text):
    assert protected(text) == []


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
