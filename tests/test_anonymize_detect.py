"""The detection pipeline's own filters: NER's false alarms on common words, and what stays."""

from __future__ import annotations

import pytest

from radjudge.anonymize.detect import detect_phi
from radjudge.anonymize.ner import find_entities


def detected(text: str) -> list[tuple[str, str]]:
    return [(d.type, text[d.start : d.end]) for d in detect_phi(text)]


@pytest.mark.parametrize(
    "text",
    [
        # issue 14, second round: capitalised clinical phrases NER tags as names or places
        "Фибрилляция предсердий, постоянная форма.",
        "Аутоиммунный тиреоидит выявлен 3 года назад.",
        "Внутрипечёночный холестаз. Протоки не расширены.",
        "Онлайн-консультация с участием хирурга.",
        "Результаты выкладывает в Telegram-канал пациента.",
        "Билиарный сладж. Калий 4.5.",
        "Печень: Гепатомегалия. Селезёнка без особенностей.",
    ],
)
def test_clinical_phrases_are_not_names_places_or_organisations(text):
    assert find_entities(text)  # Natasha tags the phrase ...
    assert detected(text) == []  # ... and the pipeline drops it


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Осмотрен врачом Кузнец.", "Кузнец"),  # a trade as a surname: the role word
        ("Консультирован кардиологом Гусь А.П.", "Гусь А.П."),  # ... or initials
        (
            "Оливеру Кану сообщили. Реакцией Кана было разочарование.",
            "Кана",
        ),  # a person named before
        ("Лечащий врач Мамедова Севиль Азер кызы.", "Мамедова Севиль Азер кызы"),  # the particle
        ("со слов жены пациента - светланы.", "светланы"),  # a dash after the role word
    ],
)
def test_common_word_surnames_stay_names_in_a_name_context(text, name):
    assert ("NAME", name) in detected(text)


def test_year_of_birth_is_not_initials():
    text = "ПАЦИЕНТ ОРЛОВА МАРИЯ ИВАНОВНА, 1961 Г.Р."
    assert detected(text) == [("NAME", "ОРЛОВА МАРИЯ ИВАНОВНА")]


def test_a_quoted_common_word_stays_an_organisation():
    text = "Как сообщает газета «Ведомости», акции выросли."
    assert detected(text) == [("ORGANIZATION", "Ведомости")]


@pytest.mark.parametrize(
    "text",
    [
        # issue 14, fourth round (sentences invented here): a listed eponym with a score, or
        # alone in brackets after an index; an eponym after поза/стопа
        "Оценка по шкалам: Морсе 35, Брейден 19.",
        "ФВ (Тейхольц) 58%, КДР 49 мм.",
        "В позе Ромберга устойчив.",
        # a form's field labels and a unit after a number
        "Пол: М. Мать: сведений нет.",
        "МРТ на аппарате 3.0 Тл без контраста.",
        # an abbreviation with a decimal that NER takes for an organisation
        "Индекс ОДИ 0.64, показатель ВАШ 3.",
    ],
)
def test_round_four_clinical_content_stays(text):
    assert detected(text) == []


def test_a_score_after_a_surname_is_an_age_not_a_scale():
    assert ("NAME", "Смит") in detected("Пациент Смит 45 лет, осмотрен.")
