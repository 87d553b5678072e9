"""Person names by pymorphy3, for real: oblique cases, initials on either side, patronymics."""

from __future__ import annotations

import pytest

from radjudge.anonymize.morph import find_names, is_common_lexeme, recase_names, token_kind
from radjudge.anonymize.spans import merge_detections


def names(text: str) -> list[str]:
    return [text[d.start : d.end] for d in merge_detections(find_names(text), text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Осмотрен хирургом Поляковым Г.А.: живот мягкий.", ["Поляковым Г.А."]),
        ("Врач Г.К. Гусев.", ["Г.К. Гусев"]),
        ("Результат передать урологу И.С.Кузнецовой.", ["И.С.Кузнецовой"]),
        (
            "Анамнез со слов дочери, Трофимовой Любови Константиновны.",
            ["Трофимовой Любови Константиновны"],
        ),
        ("Больной Геннадий Сергеевич Галиев, 22 года.", ["Геннадий Сергеевич Галиев"]),
        ("Мельник Николай Васильевич (14.01.73 г.р.) жалуется.", ["Мельник Николай Васильевич"]),
        (
            "Направила дежурный хирург Румянцева Альбина Тимофеевна.",
            ["Румянцева Альбина Тимофеевна"],
        ),
        ("Сопровождает жена Ивановой.", ["Ивановой"]),
    ],
)
def test_names_in_any_order_case_and_initials(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Живот мягкий. Колоноскопия без патологии. Болезнь Крона с 2018 г.",
        "Дивертикулярная болезнь сигмовидной кишки. Гемоглобин 120 г/л.",
        "Пациент жалуется на боли. Направляется на КТ.",
    ],
)
def test_clinical_sentences_hold_no_names(text):
    assert names(text) == []


def test_token_kinds():
    assert [
        token_kind(w) for w in ("Сергеевичем", "Марией", "Кузнецовой", "Живот", "Колоноскопия")
    ] == ["patr", "first", "surn", "other", "other"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # issue 14, second round: lower-case names with a common-word surname
        (
            "направлен терапевтом смородиновой е.а. Симптом",
            "направлен терапевтом Смородиновой Е.А. Симптом",
        ),
        (
            "со слов соседки, ткач людмила, проживающей",
            "со слов соседки, Ткач Людмила, проживающей",
        ),
        ("лечение т.е. антибиотики", "лечение т.е. антибиотики"),
        ("на учёте в онкодиспансере г. Курска", "на учёте в онкодиспансере г. Курска"),
    ],
)
def test_lower_case_names_are_re_cased_and_abbreviations_are_not(text, expected):
    assert recase_names(text) == expected


def test_common_lexemes_are_words_without_a_name_place_or_organisation_reading():
    common = ("Фибрилляция", "предсердий", "Гемограмма", "тиреоидит", "Онлайн-консультация")
    proper = ("Кузнец", "Ткач", "Иванов", "Варданян", "Берлускони", "Москва", "Газпром")
    assert all(is_common_lexeme(w) for w in common)
    assert not any(is_common_lexeme(w) for w in proper)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("обход провёл зав. отделением тер-акопян, рекомендовано", "тер-акопян"),
        # unknown to the dictionary and built like a surname, with an initial
        ("запись сделана ординатором шевчук в. под контролем", "шевчук в."),
    ],
)
def test_lower_case_surname_after_a_role_word(text, expected):
    assert expected in [text[d.start : d.end] for d in find_names(text)]
