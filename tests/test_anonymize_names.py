"""Name declension, checked against pymorphy3's own inflection; the reserved surrogate pool."""

from __future__ import annotations

import pymorphy3
import pytest

from radjudge.anonymize.names import (
    CASES,
    FIRST_NAME_FORMS,
    SURROGATE_FIRST_FEMALE,
    SURROGATE_FIRST_MALE,
    SURROGATE_FORMS,
    SURROGATE_SURNAMES,
    decline,
    feminine_surname,
    patronymic,
)
from radjudge.cohort import _vocab

MORPH = pymorphy3.MorphAnalyzer()
GRAMMEME = {"M": "masc", "F": "femn"}


def pymorphy_form(word: str, tag: str, gender: str, case: str) -> str | None:
    """pymorphy3's inflection of a name part (the dictionary is the reference)."""
    for p in MORPH.parse(word):
        if tag in p.tag and p.tag.case == "nomn" and (gender == "F" or p.tag.gender == "masc"):
            form = p.inflect({case, "sing"} | ({GRAMMEME[gender]} if tag == "Surn" else set()))
            if form is not None:
                return form.word.capitalize()
    return None


@pytest.mark.parametrize("surname", ["Петров", "Соколов", "Ильин", "Жуковский", "Шевченко"])
@pytest.mark.parametrize("gender", ["M", "F"])
def test_surnames_agree_with_pymorphy3(surname, gender):
    nominative = surname if gender == "M" else feminine_surname(surname)
    for case in CASES:
        ref = pymorphy_form(nominative, "Surn", gender, case)
        if ref is not None:
            assert decline(surname, kind="surname", gender=gender, case=case).replace(
                "ё", "е"
            ) == ref.replace("ё", "е"), case


@pytest.mark.parametrize(
    ("name", "gender"),
    [
        ("Иван", "M"),
        ("Сергей", "M"),
        ("Юрий", "M"),
        ("Игорь", "M"),
        ("Анна", "F"),
        ("Мария", "F"),
        ("Ольга", "F"),
        ("Наталья", "F"),
    ],
)
def test_first_names_agree_with_pymorphy3(name, gender):
    for case in CASES:
        ref = pymorphy_form(name, "Name", gender, case)
        assert ref is not None
        assert decline(name, kind="first", gender=gender, case=case) == ref, case


@pytest.mark.parametrize(
    ("father", "gender"), [("Иван", "M"), ("Сергей", "F"), ("Дмитрий", "M"), ("Николай", "F")]
)
def test_patronymics_agree_with_pymorphy3(father, gender):
    patr = patronymic(father, gender)
    assert MORPH.parse(patr)[0].tag.__contains__("Patr")
    for case in CASES:
        ref = pymorphy_form(patr, "Patr", gender, case)
        assert ref is not None
        assert decline(patr, kind="patronymic", gender=gender, case=case) == ref, case


def test_lexicons_hold_oblique_forms_and_reject_bad_arguments():
    assert {"Ивану", "Марией", "Петра", "Льва"} <= FIRST_NAME_FORMS
    assert {"Тихомирову", "Тихомировой", "Глебовичем", "Агнии"} <= SURROGATE_FORMS
    with pytest.raises(ValueError, match="case"):
        decline("Иван", kind="first", gender="M", case="dative")
    with pytest.raises(ValueError, match="kind"):
        decline("Иван", kind="nickname", gender="M", case="nomn")


def test_surrogate_pool_is_disjoint_from_the_cohort_vocabulary():
    assert not set(SURROGATE_SURNAMES) & set(_vocab.SURNAMES)
    assert not (set(SURROGATE_FIRST_MALE) | set(SURROGATE_FIRST_FEMALE)) & (
        set(_vocab.FIRST_MALE) | set(_vocab.FIRST_FEMALE) | set(_vocab.FATHERS)
    )
