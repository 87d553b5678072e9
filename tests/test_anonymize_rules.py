"""Rule detectors: every structured identifier, in context, and no false hits on clinical text."""

from __future__ import annotations

import pytest

from radjudge.anonymize.rules import DateValue, find_dates, find_structured, parse_date
from radjudge.anonymize.spans import merge_detections


def found(text: str) -> list[tuple[str, str]]:
    return [(d.type, text[d.start : d.end]) for d in merge_detections(find_structured(text), text)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("д.р. 12.03.1961", "12.03.1961"),
        ("(14.01.73 г.р.)", "14.01.73"),
        ("заболел 3 марта 2023 г. около", "3 марта 2023 г."),
        ("с 3 марта, затем", "3 марта"),
        ("22.03.: ОАК", "22.03."),
        ("боли с 14.11. по", "14.11."),
        ("лечился в марте 2021 г.", "марте 2021 г."),
        ("выписка 2023-03-12", "2023-03-12"),
        ("2 февраля 2024 года", "2 февраля 2024 года"),
        ("явка 21.XI. Анализы", "21.XI"),
        ("операция от 12 дек. 21 г., затем", "12 дек. 21 г."),
        ("повторно в апр. 2022, без", "апр. 2022"),
    ],
)
def test_dates_in_every_format(text, value):
    assert found(text) == [("DATE", value)]


@pytest.mark.parametrize(
    "text",
    [
        "Диагноз K35.8, S36.0.",
        "омепразол 0,4 мг",
        "RECIST 1.1)",
        "увеличение до 14.11 мм",
        "аппендэктомия в 1998 г.",
        "31.02.2023",
        "ЧСС 88 в мин",
        "Hb 14.5 г/дл",
    ],
)
def test_no_date_in_clinical_numbers(text):
    assert [t for t, _ in found(text)] == []


@pytest.mark.parametrize(
    ("text", "typ", "value"),
    [
        ("тел. +7 (910) 123-45-67.", "PHONE", "+7 (910) 123-45-67"),
        ("тел. 8-910-123-45-67", "PHONE", "8-910-123-45-67"),
        ("тел. 89101234567", "PHONE", "89101234567"),
        ("тел. 8 (4822) 34-56-78", "PHONE", "8 (4822) 34-56-78"),
        ("тел.: 55-12-34", "PHONE", "55-12-34"),
        ("почта ivanov.a@mail.ru.", "EMAIL", "ivanov.a@mail.ru"),
        ("СНИЛС 112-233-445 95", "SNILS", "112-233-445 95"),
        ("СНИЛС: 11223344595", "SNILS", "11223344595"),
        ("номер 11223344595 в реестре", "SNILS", "11223344595"),
        ("полис ОМС № 6953240841000123", "POLICY", "6953240841000123"),
        ("полис ОМС 6953 2408 4100 0123", "POLICY", "6953 2408 4100 0123"),
        ("полис ДМС № 001-234567/23", "POLICY", "001-234567/23"),
        ("паспорт 28 04 123456", "PASSPORT", "28 04 123456"),
        ("паспорт серия 2804 № 123456", "PASSPORT", "2804 № 123456"),
        ("ИНН 500100732259", "INN", "500100732259"),
        ("реквизит 500100732259", "INN", "500100732259"),
        ("ИБ № 12345/23", "RECORD_ID", "12345/23"),
        ("(карта вызова № 6619/23)", "RECORD_ID", "6619/23"),
        ("Мед. карта № 2024-4209.", "RECORD_ID", "2024-4209"),
        ("История болезни № 45-117", "RECORD_ID", "45-117"),
        # issue 14, second round: letters between digit groups, labels without "№"
        ("полис ДМС 001-ДМС-4471023, страховая", "POLICY", "001-ДМС-4471023"),
        ("шифр 77-МО-123456 в направлении", "RECORD_ID", "77-МО-123456"),
        ("образец LAB-2022-118734 принят", "RECORD_ID", "LAB-2022-118734"),
        ("Амб. карта 12345/А выдана", "RECORD_ID", "12345/А"),
        ("и/б 1234-22, отделение", "RECORD_ID", "1234-22"),
        ("ЭЛН 910045678213 открыт", "RECORD_ID", "910045678213"),
        ("дом. 22-14-05, моб. нет", "PHONE", "22-14-05"),
        ("Telegram: @ivanova_med, почта", "URL", "@ivanova_med"),
        ("Военнослужащий в/ч 12345, г.", "ORGANIZATION", "в/ч 12345"),
        ("Доставлен из ФКУ ИК-2 УФСИН России.", "ORGANIZATION", "ФКУ ИК-2 УФСИН России"),
    ],
)
def test_structured_identifiers(text, typ, value):
    assert (typ, value) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "CHA2DS2-VASc 4, HAS-BLED 2, COVID-19, CA 19-9 12 Ед/мл, ПЭТ-КТ с 18F-ФДГ.",
        "Заключение: 1234 мл, исследование 2021 года.",
        "Сопутствующая ГБ II ст., направлен в ОКОД.",
    ],
)
def test_no_identifier_in_scores_values_and_bare_facility_kinds(text):
    assert found(text) == []


def test_snils_shape_counts_even_with_a_wrong_check_but_bare_digits_need_a_valid_one():
    assert found("СНИЛС 112-233-445 94") == [("SNILS", "112-233-445 94")]
    assert found("код 11223344594 в реестре") == []
    assert found("реквизит 500100732258") == []


@pytest.mark.parametrize(
    "address",
    [
        "170100, г. Тверь, ул. Советская, д. 12, кв. 45",
        "г. Брянск, ул. Садовая, д. 38, корп. 1, кв. 59",
        "г. Ярославль, ул. Строителей, 93-217",
        "Тверская обл., д. Устье, ул. Центральная, д. 3",
        "Вологодская обл., г. Великий Устюг, пр-т Победы, д. 8, кв. 117",
        "Комсомольском пр-те, д. 21/10, кв. 34",
        "Гоголевскому б-ру, д. 29",
        "улице Маршала Жукова, дом 5 корпус 2, квартира 88",
        "ул. Гагарина 22-15",
        "Малом Козихинском переулке",
        "Рязанском пр-те",
    ],
)
def test_addresses_with_street_house_flat(address):
    assert found(f"Адрес: {address}. Тел.") == [("ADDRESS", address)]


@pytest.mark.parametrize(
    ("text", "org"),
    [
        (
            "в ГБУЗ «Городская клиническая больница № 7».",
            "ГБУЗ «Городская клиническая больница № 7»",
        ),
        (
            "в ЧУЗ «Клиническая больница «РЖД-Медицина» 8 мая",
            "ЧУЗ «Клиническая больница «РЖД-Медицина»",
        ),
        ("работает в ООО «Тверьхлеб».", "ООО «Тверьхлеб»"),
        ("доставлен в ГКБ № 6.", "ГКБ № 6"),
        ("в Ржевская ЦРБ", "Ржевская ЦРБ"),
        ("ГБУЗ ТО «Областная клиническая больница»", "ГБУЗ ТО «Областная клиническая больница»"),
        # issue 14, second round: a facility abbreviation with its city, parent, region or name
        ("наблюдение онколога ОКОД г. Рязани. Явка", "ОКОД г. Рязани"),
        ("консультация в ЦКБ РАН 2022-10-04", "ЦКБ РАН"),
        ("лечился в МСЧ МВД России, затем", "МСЧ МВД России"),
        ("направлен в Рязанский ОКОД.", "Рязанский ОКОД"),
        ("обследован в ЛДЦ «Медси» на Красной Пресне. Диагноз", "ЛДЦ «Медси» на Красной Пресне"),
        ("на учёте в онкодиспансере г. Курска.", "онкодиспансере г. Курска"),
    ],
)
def test_organisations(text, org):
    assert ("ORGANIZATION", org) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Болезнь Крона диагностирована в 2018 г. Ухудшение с весны.",
        "месалазин 1 г. Хронические заболевания отрицает.",
        "Нижний край печени у рёберной дуги.",
    ],
)
def test_no_locality_after_a_number_or_in_anatomy(text):
    assert found(text) == []


def test_parse_date_values_and_rejections():
    assert parse_date("12.03.61") == DateValue(12, 3, 1961)
    assert parse_date("12.03.23") == DateValue(12, 3, 2023)
    assert parse_date("март 2020") == DateValue(None, 3, 2020)
    assert parse_date("мае 2020 г.") == DateValue(None, 5, 2020)
    assert parse_date("30.02.") is None
    assert parse_date("вчера") is None
    assert [d.type for d in find_dates("с 01.02. по 03.02.2024")] == ["DATE", "DATE"]
