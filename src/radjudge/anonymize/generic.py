"""Privacy-first generic detectors: identifiers by their shape, clinical content as the exception.

Rounds one and two of issue 14 enumerated formats (``карта № 12-345/21``, ``тел. 55-12-34``,
``ГБУЗ «...»``); each held-out set then brought formats nobody had listed. The detectors here
work the other way round: anything *shaped* like an identifier is one, unless a clinical
context explains it. They are part of the ``rules`` detector
(:func:`radjudge.anonymize.rules.find_structured` calls :func:`find_generic`), and
:func:`extend_chains` runs on the merged detections of all four detectors.

Numbers
    A run of digits joined by ``. - / ^ : _`` with five digits or more (``0043817``,
    ``8800421775``, ``1.2.840.113619.2.417``, ``16.0000.01472.24``), or a code of letters
    and digits with four (``CT2309110042``), is an identifier. It is explained - kept - by a
    unit after it (``25000 ЕД``, ``250000/мкл``, ``1500 мл``), an analyte or measurement
    word before it (``Тромбоциты 250000``), a ratio of small numbers (``130/80``,
    ``875/125``, ``10/12.5``), a range (``10000-20000``, ``2019-2021``), a time
    (``10:40:15``), a titre (``1:10000``), a decimal (one separator: ``1234.5``), a
    dimension (``10х12х15``) or a non-personal label (``приказ``, ``ГОСТ``, ``форма``).
    Date-shaped runs are left to the date rules. Its type: ``DATE`` when it reads as
    ``YYYYMMDD``, ``PHONE`` when grouped like a phone (``45-12-903``) or after a phone
    label, else ``RECORD_ID``; a capital-letter series right before it joins it
    (``АК 3318047``).
Labelled identifiers
    After an identifier label (``ID``, ``код``, ``серия``, ``штрихкод``, ``шифр``,
    ``accession``...), with up to two lower-case words between (``код подразделения
    020-005``), the next token is an identifier however short: digits (``серии 22 15``) or a
    series of capitals (``серия II-АР``).
Phones
    ``+`` and a country code with the groups after it (``+375 29 644-18-52``), and after a
    phone label, with up to three words between (``телефон квартирной хозяйки 54-08-917``,
    ``дом. тел. 3172245``), any number of five digits or more; a local number in its usual
    groups without a label (``45-81-20``, ``264 11 09``) unless a unit or a measurement word
    explains it.
Dates
    ``YYYYMMDD``, ``YYYY.MM.DD``, month and year in digits (``06.2021``), English months
    (``15-Dec-2023``, ``Dec 15, 2023``, ``December 2023``), and the first day of a range
    (``с 12 по 15.03.2023``, ``12-15 марта``); day/month with a slash (a Roman month, or a
    zero-padded one after a word that opens a date: ``с 3/IV``, ``забор 21/04``), a day, an
    abbreviated month and a year with hyphens (``11-апр-23``), a dictated day and month after
    an admission verb (``поступила 14 03``), a date in words (``четвёртое июля тысяча девятьсот
    ... года``) and the year word after a numeric date (``07.09.1961 г.``, never ``г.р.``).
URLs
    A bare domain (``mrt-kazan-yamasheva.ru``), not only one with a path.
Names
    DICOM person names (``ABDULLAEV^SHERZOD``), and Latin-script names (European letters,
    hyphenated given names, a title) after a name or role label (``Patient: Ivanov Ivan``,
    ``Referring Physician: Smith J.``, ``Patient: Dr. Hans-Jürgen WEBER``).
Latin-script records
    An organisation of capitalised words before a legal form or a kind of organisation
    (``... Krankenversicherung AG``, ``... Federal University``), a transliterated Russian one
    (``GBUZ KKB 2 MZ KK``), a European street with its postcode and city, the values of
    identifying DICOM attributes (``InstitutionName LO [...]``) and HL7 ``PID`` fields, and a
    code of capitals and digits interleaved (a foreign passport: ``C4J9K2L7M``).
Organisations
    An upper-case Cyrillic abbreviation that is neither in the clinical vocabulary
    (:data:`radjudge.anonymize.clinical.NOT_ORGANISATIONS`, ~1,000 tokens) nor a dictionary
    word, nor a bare kind of facility (``ЦРБ``, ``ГКБ``), is an organisation (``ЧОКБ``,
    ``КЦСОН``, ``НГДУ``, ``МСЧ-16``); so is a lower-case legal form with its name
    (``ооо стройинвест-урал``) and a lower-case abbreviation before a quoted name
    (``кдц «медиклиник»``), a lower-case kind of facility with its number and town (``гп 3 г.
    нальчика``), a kind of facility with its place (``ФАП ст-цы ...``) and an abbreviation in
    mixed case that is no word (``ЧерМК``). An abbreviation followed by a measured value (a
    decimal, a number with a unit within four words, a Roman grade) is a clinical index, not an
    organisation (``ЛПИ 0.92``, ``КВР правой доли 148 мм``). The head noun of an official
    body (``комитет``,
    ``комиссариат``, ``бюро``, ``отдел``, ``управление``, ``служба``, ``инспекция``,
    ``департамент``, ``министерство``, ``фонд``, ``колония``...) starts an organisation
    that runs through its dependent chain when the chain names something (a capitalised
    word, a number, an abbreviation, a quoted name): ``военным комиссариатом Шатровского и
    Каргапольского районов Курганской области``; ``отдел кадров`` names nothing and stays.
Chains (:func:`extend_chains`)
    An organisation extends over what belongs to its name - a number, a quoted name, a
    parent body, ``по Ростовской области``, ``Кировского района``, ``г. Уфы``, ``— филиал``
    and the next organisation - and organisations next to each other merge (``ГКП на ПХВ
    «Городская поликлиника № 4»``). An address or place extends over the comma-separated
    parts that follow or precede it when they look like address parts (``мкр. Геолог``,
    ``СНТ «Урал»``, ``уч. 112``, ``линия 3``, ``пом. 3``, ``ком. 5``, ``общ.``, ``Ленинский
    городской округ``, ``Дмитровский г.о.``, ``ЗАТО ...``, ``район ...``, ``11Б мкр.``, ``46 км
    ... тракта``, a street named before its kind, ``ЯНАО``, ``ХМАО — Югра``, ``Чувашская
    Республика``, a postcode), so the whole chain is masked; after an address label
    (``Адрес:``, ``по адресу``) the chain starts at its first part, and a street named before
    its kind with a house number (``Поклонной линии, д. 3``) opens one.

What these rules cost is precision: an unknown clinical abbreviation is masked as an
organisation, an unexplained long number as an identifier. That is the trade-off chosen:
a masked abbreviation costs a judge a little context, a missed identifier sends it to an LLM.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from radjudge.anonymize.analyzer import analyzer
from radjudge.anonymize.clinical import MEDICAL_ABBREVIATIONS, NOT_ORGANISATIONS, is_lab_word
from radjudge.anonymize.spans import Detection

__all__ = [
    "find_generic",
    "extend_chains",
    "prev_words",
    "MONTHS_GENITIVE",
    "is_organisation_abbreviation",
    "FACILITY_KINDS",
    "EN_MONTHS",
]

# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------

# A token: letters and digits with single inner separators; at least one digit.
_TOKEN = re.compile(r"(?<![\w.,/^:_-])[A-Za-zА-ЯЁа-яё0-9]+(?:[./^:_-][A-Za-zА-ЯЁа-яё0-9]+)*")
# Units after a number (the rules' list plus what follows large numbers).
_UNIT = re.compile(
    r"\s?(?:%|‰|°|×|[xх*]\s?10|/\s?(?:мкл|мл|л|дл|ч|сут|мин|кг|м2|м²|мм3|mm3|ul|µl|l|d)\b|"
    r"(?:мм|см|м|мл|л|дл|мг|мкг|нг|пг|г|кг|ммоль|мкмоль|нмоль|пмоль|моль|мэкв|ед|мед|ме|мме|"
    r"ч|час\w*|мин\w*|сек\w*|с|сут\w*|дн\w*|нед\w*|мес\w*|лет|год\w*|раз\w*|уд|hu|фл|мкм|"
    r"мзв|мгр|гр|мosm|па|кпа|рт|балл\w*|копи\w*|коп|кл\w*|клет\w*|руб\w*|р|тыс\w*|млн|млрд|"
    r"шт\w*|тл|т|км|пачк\w*|таб\w*|капс\w*|доз\w*|шаг\w*|гц|кгц|мгц|мс|ms|bpm|hz|ml|mg|"
    r"mmol|g|kg|cm|mm|u|iu|iu/ml|u/l|копий|cells|copies|₽)(?![а-яёa-z]))",
    re.IGNORECASE,
)
# Measurement words a number may follow (the analyte vocabulary is clinical.is_lab_word).
_MEASURE = re.compile(
    r"(?i)(?:размер|объ[её]м|масс|вес|рост|доз|уровен|уровн|концентрац|количеств|кол-в|титр|"
    r"активност|площад|длин|толщин|диаметр|плотност|скорост|давлени|сумм|стоимост|нагрузк|"
    r"показател|значени|результат|индекс|число|частот|содержани|норм|референс|ед|до|от|"
    r"более|менее|выше|ниже|около|примерно|порядка|свыше|max|min|макс|мин)\w*\.?$"
)
# Labels of numbers that are not about a person (the rules' "№" list, without "№").
_NOT_PERSONAL = re.compile(
    r"(?i)(?:^|[^\w])(?:палат\w*|кабинет\w*|каб\.|форм\w*|ф\.|приказ\w*|закон\w*|"
    r"постановлени\w*|пункт\w*|п\.|стать\w*|ст\.|приложени\w*|табл\.|таблиц\w*|рис\.|"
    r"рисун\w*|схем\w*|групп\w*|бригад\w*|корпус\w*|этаж\w*|койк\w*|маршрут\w*|автобус\w*|"
    r"СанПиН|ГОСТ|ОСТ|ТУ|МУК|МР|СП|ISO|лот\w*|серии\s+препарата|версии|версия|v\.?)"
    r"\s*:?\s*№?\s*$"
)
_VERSION = re.compile(r"[vV]\d+(?:\.\d+)*")
# A code of the Russian nomenclature of medical services (order 804н): "A05.30.004.001".
_SERVICE_CODE = re.compile(r"[AB]\d{2}\.\d{2}\.\d{3}(?:\.\d{3})?")
_RATIO = re.compile(r"\d{1,3}(?:[.,]\d+)?(?:/\d{1,3}(?:[.,]\d+)?)+")
_TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?(?:-\d{1,2}:\d{2}(?::\d{2})?)?")
_TITRE = re.compile(r"1:\d+")
_DECIMAL = re.compile(r"\d+[.,]\d+")
_RANGE = re.compile(r"([1-9]\d*)-([1-9]\d*)")
_YEARS = re.compile(r"(?:19|20)\d\d[-/](?:(?:19|20)?\d\d)")
_DATE_SHAPED = re.compile(
    r"\d{1,2}[./-](?:\d{1,2}|[IVX]{1,4})(?:[./-]\d{2,4})?|\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{4}"
)
_DIMENSION = re.compile(r"\d+(?:[.,]\d+)?(?:[xх×*]\d+(?:[.,]\d+)?)+(?:[a-zа-я]{1,3})?", re.I)
_PHONE_GROUPS = re.compile(r"\(?\d{2,5}\)?(?:[\s-]\d{2,4}){1,4}")
_PREV_WORDS = re.compile(r"([^\s|:=,;()]+)[\s|:=,;()]*$")
_PHONE_LABEL = re.compile(
    r"(?i)(?<![\w-])(?:тел(?:ефон\w*)?\.?|т\.|моб(?:ильн\w*)?\.?|сот(?:ов\w*)?\.?|факс|"
    r"phone|tel\.?|mobile)(?![\w-])"
)
_ID_LABEL_BEFORE = re.compile(
    r"(?i)(?:^|[^\w])(?:id|№|n|no|nr|номер|код|шифр|uid|mrn|accession(?:\s+no)?|штрих-?код|"
    r"заказ\w*|квитанци\w*|счет\w*|сч[её]т\w*|ключ\w*|пароль)\.?\s*[:#№]?\s*$"
)


def prev_words(text: str, start: int, n: int = 2) -> list[str]:
    """Up to ``n`` words before ``start`` in the same clause, nearest first (quotes, brackets
    and a final dot stripped); the rules and the generic detectors read their context so.

    >>> prev_words("Калий | 4.5", 8), prev_words("ОАК: Hb (г/л) 120", 14, 3)
    (['Калий'], ['г/л', 'Hb', 'ОАК'])
    """
    out, end = [], start
    for _ in range(n):
        m = _PREV_WORDS.search(text, max(0, end - 40), end)
        if not m:
            break
        out.append(m.group(1).strip(".»«\"'()"))
        end = m.start(1)
        if re.search(r"[;.!?]\s*$", text[max(0, end - 2) : end]):
            break
    return out


def _explained(text: str, start: int, end: int, token: str) -> bool:
    """A clinical context explains a long number (module docstring)."""
    if (
        _VERSION.fullmatch(token)
        or _SERVICE_CODE.fullmatch(token)
        or _RATIO.fullmatch(token)
        or _TIME.fullmatch(token)
        or _TITRE.fullmatch(token)
        or _DECIMAL.fullmatch(token)
        or _YEARS.fullmatch(token)
        or _DIMENSION.fullmatch(token)
    ):
        return True
    r = _RANGE.fullmatch(token)
    if r and int(r.group(1)) < int(r.group(2)):
        return True
    if _UNIT.match(text, end):
        return True
    if _ID_LABEL_BEFORE.search(text, max(0, start - 30), start):
        return False
    if _NOT_PERSONAL.search(text, max(0, start - 40), start):
        return True
    words = prev_words(text, start)
    return any(is_lab_word(w) or _MEASURE.fullmatch(w) for w in words[:2])


def _yyyymmdd(digits: str) -> bool:
    if len(digits) != 8 or digits[:2] not in ("19", "20"):
        return False
    try:
        dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return False
    return True


_UNIT_SUFFIX = re.compile(r"(?i)(?:мм|см|мл|мг|мкг|кг|г|гг|л|ед|ме|шт|руб|р|т|м|км|ч|ms|mm)$")
_SERIES_BEFORE = re.compile(r"(?<![\w-])(?P<s>[A-ZА-ЯЁ]{1,4}|[IVX]{1,4}-[А-ЯЁ]{1,3})\s$")


def _number_type(text: str, start: int, token: str) -> str:
    digits = re.sub(r"\D", "", token)
    if token.isdigit() and _yyyymmdd(token):
        return "DATE"
    phone_label = _PHONE_LABEL.search(text, max(0, start - 40), start)
    if (7 <= len(digits) <= 11 and re.fullmatch(r"\d{2,4}(?:-\d{2,4}){2,3}", token)) or (
        phone_label and 5 <= len(digits) <= 11 and not re.search(r"[A-Za-zА-ЯЁа-яё]", token)
    ):
        return "PHONE"
    return "RECORD_ID"


# A code of capitals and digits interleaved, like a foreign passport number ("C4J9K2L7M"):
# eight characters or more, at least three digits and three letters, in four runs or more.
_MIXED_CODE = re.compile(
    r"(?=[A-Z\d]{8})(?=(?:[A-Z]*\d){3})(?=(?:\d*[A-Z]){3})(?:[A-Z]+\d+){2,}[A-Z\d]*"
)


def _numbers(text: str, taken: list[tuple[int, int]]) -> list[Detection]:
    out = []
    for m in _TOKEN.finditer(text):
        token = m.group(0)
        start, end = m.span()
        ndigits = sum(c.isdigit() for c in token)
        if ndigits < 4:
            continue
        letters = re.sub(r"[\d./^:_-]", "", token)
        if letters and not re.search(r"\d{4}", token) and not _MIXED_CODE.fullmatch(token):
            continue  # "SmolLM2-135M", "CHA2DS2-VASc": a name with small numbers, not a code
        if letters:
            unit = _UNIT_SUFFIX.search(token)
            if unit and not re.search(r"[A-Za-zА-ЯЁа-яё]", token[: unit.start()]):
                continue  # "12500ЕД", "2019г": a value with its unit, a year
            if _DIMENSION.fullmatch(token) or re.fullmatch(r"[A-TV-Z]\d{2}(?:\.\d{1,2})?", token):
                continue
        elif ndigits < 5 or _DATE_SHAPED.fullmatch(token):
            continue
        if letters and _DATE_EN.fullmatch(token):
            continue
        if any(s <= start and end <= e for s, e in taken):
            continue
        if _explained(text, start, end, token):
            continue
        phi = _number_type(text, start, token)
        if phi == "RECORD_ID":
            series = _SERIES_BEFORE.search(text, max(0, start - 8), start)
            if series:
                start = series.start("s")  # "Военный билет: АК 3318047"
        out.append(Detection(start, end, phi, "rules"))
    return out


# A label of an identifier and the token after it (however short).
_LABEL_VALUE = re.compile(
    r"(?i:id|код|шифр|серия|серии|серию|штрих-?код|accession(?:\s+no\.?)?|mrn|uid|"
    r"идентификатор\w*|регистрационн\w+\s+номер\w*|рег\.\s*№|лицев\w+\s+сч[её]т\w*)"
    r"(?:\s+(?!серия|серии|№)[а-яё]+){0,2}\s*[:#]?\s*(?:№\s*)?"
    r"(?P<v>(?:[IVX]{1,4}-[А-ЯЁ]{1,3}|[A-ZА-ЯЁ]{1,4})(?:[\s-]?\d[\d./-]*\d)?(?![\w-])"
    # a code of capitals and digits in hyphenated groups ("PX4K7-99Q2")
    r"|(?=[A-Z\d-]*\d)(?=[A-Z\d-]*[A-Z])[A-Z\d]{2,}(?:-[A-Z\d]+)+(?![\w-])"
    r"|\d[\d./-]*\d(?:\s\d{2,}(?![\d.,]))?(?![\w-])|\d(?![\w.,-]))"
)
_LABEL_KEYS = (
    "id",
    "код",
    "шифр",
    "сери",
    "штрих",
    "accession",
    "mrn",
    "uid",
    "идентификатор",
    "регистрационн",
    "рег.",
    "лицев",
)
_ICD = re.compile(r"[A-TV-Z]\d{2}(?:\.\d{1,2})?")


def _labelled(text: str, low: str) -> list[Detection]:
    out = []
    for key in _LABEL_KEYS:
        i = low.find(key)
        while i >= 0:
            if i == 0 or not low[i - 1].isalnum():
                m = _LABEL_VALUE.match(text, i)
                if m:
                    v = m.group("v")
                    after = text[m.end("v") : m.end("v") + 3]
                    letters = re.sub(r"[^A-Za-zА-ЯЁа-яё]", "", v)
                    if not (
                        _ICD.fullmatch(v)
                        or _SERVICE_CODE.fullmatch(v)
                        or (letters and letters in NOT_ORGANISATIONS)
                        or (v.isdigit() and len(v) < 2)
                        or (not letters and re.match(r"\s[а-яё]", after))
                        or _UNIT.match(text, m.end("v"))
                    ):
                        out.append(Detection(m.start("v"), m.end("v"), "RECORD_ID", "rules"))
            i = low.find(key, i + 1)
    return out


# --------------------------------------------------------------------------------------------
# Phones
# --------------------------------------------------------------------------------------------

_INTERNATIONAL = re.compile(r"\+\d{1,3}(?:[\s-]?\(?\d{1,5}\)?)(?:[\s-]?\d{1,4}){1,5}(?![\d])")
_LABELLED_PHONE = re.compile(
    r"(?:[\s.:,]+(?![\d+(])[а-яё]+\.?){0,3}[\s.:—-]*(?P<v>\+?\(?\d[\d\s()-]*\d)(?![\d])"
)


# A local number in its usual groups, with no label: "45-81-20", "57-03-112", "264 11 09".
_LOCAL_PHONE = re.compile(
    r"(?<![\w+/.,:-])(?:\d{1,3}-\d{2}-\d{2,3}|\d{3}\s\d{2}\s\d{2})(?![\w/-]|[.,:]\d|\s\d)"
    r"(?!\s*(?:дн|ден|сут|цикл|нед))"  # "1-21-28 дни": days of a schedule
)


def _phones(text: str, taken: list[tuple[int, int]]) -> list[Detection]:
    out: list[Detection] = []
    for m in _LOCAL_PHONE.finditer(text):
        unit = _UNIT.match(text, m.end())
        if not (
            any(s < m.end() and m.start() < e for s, e in taken)
            or (unit and len(unit.group(0).strip()) > 1)  # "с" after it is a preposition
            or _explained_by_word(text, m.start())
        ):
            out.append(Detection(m.start(), m.end(), "PHONE", "rules"))
    if "+" in text:
        for m in _INTERNATIONAL.finditer(text):
            if 8 <= sum(c.isdigit() for c in m.group(0)) <= 15:
                out.append(Detection(m.start(), m.end(), "PHONE", "rules"))
    for label in _PHONE_LABEL.finditer(text):
        value = _LABELLED_PHONE.match(text, label.end())
        if value:
            v = value.group("v")
            value_end = value.start("v") + len(v.rstrip(" -("))
            if 5 <= sum(c.isdigit() for c in v) <= 15:
                out.append(Detection(value.start("v"), value_end, "PHONE", "rules"))
    return out


# --------------------------------------------------------------------------------------------
# Dates and URLs
# --------------------------------------------------------------------------------------------

#: English month names and abbreviations -> month number.
EN_MONTHS: dict[str, int] = {
    **{
        m: i + 1
        for i, m in enumerate(
            "january february march april may june july august september october november "
            "december".split()
        )
    },
    **{m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())},
    "sept": 9,
}
_EN = r"(?:" + "|".join(sorted(EN_MONTHS, key=len, reverse=True)) + r")"
_DATE_EN = re.compile(
    rf"(?i)(?<![\w])(?:(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[\s/.-]?(?P<m>{_EN})\.?(?:[\s/.,-]+"
    rf"(?P<y>(?:19|20)\d\d|\d\d(?![\d])))?|(?P<m2>{_EN})\.?\s(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?"
    rf"\s(?P<y2>(?:19|20)\d\d)|(?P<m3>{_EN})\.?,?\s(?P<y3>(?:19|20)\d\d))(?![\w])"
)
_DATE_YMD = re.compile(
    r"(?<![\w.,/-])(?:19|20)\d\d[./](?:0[1-9]|1[0-2])[./](?:0[1-9]|[12]\d|3[01])(?![\w]|[.,/]\d)"
)
_DATE_MY = re.compile(r"(?<![\w.,/-])(?:0?[1-9]|1[0-2])[./](?:19|20)\d\d(?![\w]|[.,/-]\d)")
_DAY_BEFORE = re.compile(r"(?<![\w.,/-])(?P<d>\d{1,2})\s*(?:[-–—]|по|и|,)\s*$")
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_ROMAN_MONTH = r"(?:XII|XI|IX|X|VIII|VII|VI|IV|V|III|II|I)"
_RU_MONTH_ABBR = r"(?:янв|фев|февр|мар|апр|мая|май|июн|июл|авг|сен|сент|окт|ноя|нояб|дек)"
#: Russian month names in the genitive ("3 марта"), January first.
MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)
_RU_MONTH_GEN = r"(?:" + "|".join(MONTHS_GENITIVE) + r")"
# Day and month with a slash: a Roman month ("3/IV"), or a zero-padded one after a word that
# opens a date ("с 20/04 по 30/04", "забор 21/04"; "Визус 10/10" is no date); and day,
# abbreviated month and year with hyphens or slashes ("11-апр-23").
_DATE_SLASH_ROMAN = re.compile(rf"(?<![\w.,/-]){_DAY}/{_ROMAN_MONTH}(?![\w/-]|[.,]\d)")
_DATE_SLASH_DM = re.compile(
    r"(?i)(?<![\w-])(?:с|со|до|от|по|на|к|за|после|дата|явк\w*|контрол\w*|забор\w*|взят\w*|"
    r"выписан\w*|поступил\w*|госпитализ\w*|осмотр\w*|повторн\w*)\s*:?\s*"
    rf"(?P<v>{_DAY}/(?:0[1-9]|1[0-2]))(?![\w/-]|[.,]\d)"
)
_DATE_ABBR_DASHED = re.compile(
    rf"(?i)(?<![\w.,/-]){_DAY}([-/]){_RU_MONTH_ABBR}\.?\1(?:(?:19|20)\d\d|\d\d)(?![\w/-])"
)
# A numeric date's year word: "07.09.1961 г.", "19.04.2023г." (the year word is part of it).
_YEAR_WORD_AFTER = re.compile(r"\s?(?:г\.(?!\s?р\.)|года|году|г(?![\w.]))")  # not "г.р."
# Day and month in digits separated by a space after an admission or discharge verb
# ("поступила 14 03"): a dictated date.
_DATE_SPACED = re.compile(
    rf"(?i)(?<![\w-])(?:поступил|выписан|госпитализирован|заболел|обратил|осмотрен|"
    rf"оперирован)\w*\s+(?P<v>{_DAY}\s(?:0[1-9]|1[0-2]))(?![\w.,/-])"
)
_DIGIT_SPACE_DIGIT = re.compile(r"\d \d")
# A date in words: an ordinal day, a month, a year in words ("четвёртое июля тысяча
# девятьсот пятьдесят девятого года", "от двадцатого апреля").
_ORDINAL_DAY = (
    r"(?:(?:двадцать|тридцать)\s+)?(?:перв|втор|треть|четв[её]рт|пят|шест|седьм|восьм|девят|"
    r"десят|одиннадцат|двенадцат|тринадцат|четырнадцат|пятнадцат|шестнадцат|семнадцат|"
    r"восемнадцат|девятнадцат|двадцат|тридцат)(?:ое|ого|ому|ым|ом|ье|ьего|ьему|его|ему|ий|ый|ья)"
)
_DATE_WORDS = re.compile(
    rf"(?i)(?<![\w-]){_ORDINAL_DAY}\s+{_RU_MONTH_GEN}"
    r"(?:\s+(?:тысяча|две\s+тысячи)(?:\s+(?!года)[а-яё]+){1,4}\s+года)?(?![\w-])"
)
_BARE_DOMAIN = re.compile(
    r"(?<![\w@./-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
    r"(?:ru|su|com|org|net|info|biz|pro|me|io|online|site|clinic|med|health|moscow|spb|kz|by|"
    r"uz|ua|am|ge|az|kg|tj|de|eu|рф)(?![\w@-]|\.[\w])",
    re.IGNORECASE,
)


def _dates(text: str, found: list[Detection]) -> list[Detection]:
    out = []
    if re.search(r"(?i)[a-z]{3}", text):
        for m in _DATE_EN.finditer(text):
            word = (m.group("m") or m.group("m2") or m.group("m3")).lower()
            if word == "may" and not (m.group("d") or m.group("d2")):
                continue  # "May 2020" is a date, "may" in English prose usually is not
            out.append(Detection(m.start(), m.end(), "DATE", "rules"))
    slash_or_dash = [_DATE_SLASH_ROMAN, _DATE_ABBR_DASHED] if "/" in text or "-" in text else []
    for rx in (_DATE_YMD, _DATE_MY, *slash_or_dash):
        for m in rx.finditer(text):
            if rx is _DATE_ABBR_DASHED or not (
                _UNIT.match(text, m.end()) or _explained_by_word(text, m.start())
            ):  # a month's name is never a value ("от 3-ноя-2022")
                out.append(Detection(m.start(), m.end(), "DATE", "rules"))
    if _DIGIT_SPACE_DIGIT.search(text):
        for m in _DATE_SPACED.finditer(text):
            out.append(Detection(m.start("v"), m.end("v"), "DATE", "rules"))
    if "/" in text:
        for m in _DATE_SLASH_DM.finditer(text):
            if not _UNIT.match(text, m.end()):
                out.append(Detection(m.start("v"), m.end("v"), "DATE", "rules"))
    for d in found:  # "07.09.1961 г.": the year word belongs to the date
        if d.type == "DATE" and text[d.end - 1 : d.end].isdigit():
            year_word = _YEAR_WORD_AFTER.match(text, d.end)
            if year_word and re.search(r"[./-](?:19|20)?\d\d$", text[d.start : d.end]):
                out.append(Detection(d.start, year_word.end(), "DATE", "rules"))
    for d in [*found, *out]:  # "с 12 по 15.03.2023", "12-15 марта": the first day of a range
        if d.type == "DATE" and text[d.start : d.start + 1].isdigit():
            day = _DAY_BEFORE.search(text, max(0, d.start - 12), d.start)
            if day and 1 <= int(day.group("d")) <= 31:
                out.append(Detection(day.start("d"), day.end("d"), "DATE", "rules"))
    return out


def _explained_by_word(text: str, start: int) -> bool:
    words = prev_words(text, start, 1)
    return bool(words) and (is_lab_word(words[0]) or bool(_MEASURE.fullmatch(words[0])))


def _urls(text: str) -> list[Detection]:
    return [Detection(m.start(), m.end(), "URL", "rules") for m in _BARE_DOMAIN.finditer(text)]


# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------

_DICOM_NAME = re.compile(r"(?<![\w^])[A-Z][A-Z'-]+(?:\^[A-Z][A-Za-z'-]*)+\^*(?![\w])")
# Latin letters of European names ("Müller", "Hans-Jürgen", "Łukasz").
_LU = "A-ZÀ-ÖØ-ÞĀ-Ž"
_LL = "a-zß-öø-ÿā-ž"
# a word in capitals ("O'BRIEN", "MIN-JUN"), a capitalised one ("O'Brien", "Hans-Jürgen"), an
# initial
_LATIN_WORD = (
    rf"(?:[{_LU}][{_LU}'-]*[{_LU}](?![{_LL}])|[{_LU}](?:'[{_LU}])?[{_LL}]+(?:['-][{_LU}]?[{_LL}]+)*"
    rf"|[{_LU}]\.)"
)
_LATIN_NAME_LABEL = re.compile(
    r"(?i:patient(?:'s|in)?(?:\s+name)?|(?:referring|performing|attending)\s+physician|"
    r"physician(?:'s)?\s+name|operators?(?:'\s*name)?|radiologist|technologist|dr\.|"
    # a bare "Name:" only opening a line, a sentence or a field (not "Protocol Name")
    r"(?:(?<![\s\S])|(?<=[\n.,;(|])|(?<=[\n.,;(|]\s))(?:(?:first|last|family|given|full)\s)?name|"
    r"surname|"
    r"(?:performed|reported|signed|read)\s+by|фио|ф\.и\.о\.|пациент\w*|врач\w*)\s*[:=]?\s*"
    r"(?:(?:Dr|Prof|Mr|Mrs|Ms|Herr|Frau)\.?\s+)?"
    rf"(?P<v>{_LATIN_WORD}(?:[\s,]{{1,2}}{_LATIN_WORD}){{0,3}})"
)
# Words of a DICOM header that end a name ("Patient Name: Ivanov Ivan Patient ID: ...").
_HEADER_WORDS = frozenset(
    "ID Date Sex Age Study Birth DOB Modality Body Part Name Patient Series Accession Time "
    "Institution Referring Physician Protocol Station Manufacturer Model Description UID "
    "Weight Size Comments Sequence CT MR MRI PET US CR DX Type No".split()
)


# An organisation in Latin script: capitalised words before a legal form or a kind of
# organisation ("DKV Deutsche Krankenversicherung AG", "Kazan Federal University").
_LATIN_ORG = re.compile(
    rf"(?<![\w-])(?:(?:[{_LU}][{_LL}&'-]+|[{_LU}]{{2,6}})\s+){{1,5}}"
    r"(?:AG|GmbH|KG|Ltd\.?|LLC|LLP|Inc\.?|Corp\.?|S\.A\.|SE|PLC|N\.V\.|B\.V\.|Care|Insurance|"
    r"Assurance|Versicherung|Krankenversicherung|University|Universität|College|Institute|"
    r"Hospital|Clinic|Klinik|Klinikum|Center|Centre|Bank|Group|Rus|Company|Foundation|"
    r"Laboratories|Labs)(?![\w-])"
)
# A Russian organisation transliterated ("GBUZ KKB 2 MZ KK"): a legal form or a kind of
# facility and the capitals and numbers of its name.
_TRANSLIT_ORG = re.compile(
    r"(?<![\w-])(?:GBUZ|GAUZ|GBU|GUZ|GKUZ|FGBU|FGBUZ|FGBOU|FGAOU|FGAU|FKUZ|MBUZ|MUZ|OGBUZ|GOBUZ|"
    r"OOO|OAO|ZAO|PAO|ANO|GKB|GKP|CRB|TsRB|OKB|RKB|DGKB|KKB|OKOD|RKOD|NMIC|NMITs)"
    r"(?:\s+(?:[A-Z][A-Za-z]{0,5}|\d{1,4}|No\.?|N))+"
)
# A DICOM dump's value of an identifying attribute: "(0008,0080) InstitutionName LO [...]".
_DICOM_VALUE = re.compile(
    r"(?P<tag>InstitutionName|InstitutionAddress|InstitutionalDepartmentName|"
    r"ReferringPhysicianName|PerformingPhysicianName|OperatorsName|PatientName|PatientAddress|"
    r"PatientID|OtherPatientIDs|AccessionNumber|PatientBirthDate|PatientTelephoneNumbers)"
    r"\s+(?:[A-Z]{2}\s+)?\[(?P<v>[^\]\n]+)\]"
)
_DICOM_TYPES = {
    "InstitutionName": "ORGANIZATION",
    "InstitutionalDepartmentName": "ORGANIZATION",
    "InstitutionAddress": "ADDRESS",
    "PatientAddress": "ADDRESS",
    "PatientID": "RECORD_ID",
    "OtherPatientIDs": "RECORD_ID",
    "AccessionNumber": "RECORD_ID",
    "PatientBirthDate": "DATE",
    "PatientTelephoneNumbers": "PHONE",
}
# HL7 v2 PID fields: 2-4, 18, 19 ids; 5, 6, 9 names; 7 birth date; 11 address; 13, 14 phones.
_HL7_PID = re.compile(r"(?<![\w|])PID\|[^\n]*?(?=\s[A-Z][A-Z0-9]{2}\||$)", re.M)
_PID_TYPES = {2: "RECORD_ID", 3: "RECORD_ID", 4: "RECORD_ID", 5: "NAME", 6: "NAME", 7: "DATE"}
_PID_TYPES |= {9: "NAME", 11: "ADDRESS", 13: "PHONE", 14: "PHONE", 18: "RECORD_ID"}
_PID_TYPES |= {19: "RECORD_ID"}
# A European street with its house number, postcode and city ("Invalidenstraße 112, 10115
# Berlin, Germany", "Kastanienallee 7, 80331 München").
_LATIN_STREET = re.compile(
    rf"(?<![\w-])(?:[{_LU}][{_LL}-]*(?:straße|strasse|str\.|allee|weg|platz|gasse|ring|damm|"
    rf"ufer|chaussee)|(?:[{_LU}][{_LL}]+\s){{1,3}}(?:Street|St\.|Road|Rd\.|Avenue|Ave\.|"
    r"Boulevard|Blvd\.|Lane|Drive))\s*\d+[a-z]?"
    rf"(?:,\s*(?:[A-Z]{{1,2}}-)?\d{{4,5}}\s+[{_LU}][{_LL}-]+(?:,\s*[{_LU}][{_LL}]+(?![\w-]))?)?"
)


def _latin_identifiers(text: str) -> list[Detection]:
    """Organisations, streets, DICOM and HL7 values in Latin script (module docstring)."""
    out = [
        Detection(m.start(), m.end(), "ORGANIZATION", "rules") for m in _LATIN_ORG.finditer(text)
    ]
    out += [
        Detection(m.start(), m.end(), "ORGANIZATION", "rules") for m in _TRANSLIT_ORG.finditer(text)
    ]
    out += [Detection(m.start(), m.end(), "ADDRESS", "rules") for m in _LATIN_STREET.finditer(text)]
    if "[" in text:
        for m in _DICOM_VALUE.finditer(text):
            if m.group("v").strip():
                phi = _DICOM_TYPES.get(m.group("tag"), "NAME")
                out.append(Detection(m.start("v"), m.end("v"), phi, "rules"))
    if "PID|" in text:
        for seg in _HL7_PID.finditer(text):
            pos = seg.start()
            for i, field in enumerate(seg.group(0).split("|")):
                pid_type = _PID_TYPES.get(i)
                value = field.strip("^ ")
                if pid_type and value:
                    lead = len(field) - len(field.lstrip("^ "))
                    out.append(Detection(pos + lead, pos + lead + len(value), pid_type, "rules"))
                pos += len(field) + 1
    return out


def _latin_names(text: str) -> list[Detection]:
    out = []
    for m in _DICOM_NAME.finditer(text):
        out.append(Detection(m.start(), m.end(), "NAME", "rules"))
    if not re.search(r"[A-Z][a-z]", text):
        return out
    for m in _LATIN_NAME_LABEL.finditer(text):
        words = list(re.finditer(rf"[{_LU}{_LL}'.-]+", m.group("v")))
        keep = []
        for w in words:
            if w.group(0).rstrip(".") in _HEADER_WORDS:
                break
            keep.append(w)
        if keep and any(len(w.group(0)) > 2 for w in keep):
            base = m.start("v")
            out.append(Detection(base + keep[0].start(), base + keep[-1].end(), "NAME", "rules"))
    return out


# --------------------------------------------------------------------------------------------
# Organisations
# --------------------------------------------------------------------------------------------

#: Kinds of health facility: an organisation with a name, a number or a city, a kind alone.
FACILITY_KINDS: frozenset[str] = frozenset(
    "ОКОД ГКОД КОД ООД ОКБ ЦКБ ГКБ РКБ ДКБ ОДКБ ДГКБ РДКБ ЦРБ ЦГБ ГКП МСЧ БСМП ГБСМП ОКД ПНД КВД "
    "ОКВД ПТД ОПТД ГПТД ОНД ЛДЦ КДЦ КДП МДЦ ФАП ССМП ОКПБ ГВВ ОГВВ ОКГВВ ЦВКГ ГВКГ ВКГ УКБ РСЦ "
    "ПСО ОКЦ ОПЦ ГКДЦ НПЦ РНЦ ГБ КБ ПБ ГП ДП ДГП МЦ ДЦ РБ ОБ ЖК ФП ЛПУ МО ЦРП ВА ЦАОП ПСО ОСМП "
    "СМП ЦКДЛ КДЛ ЦМСЧ ЦГиЭ ЦОЗ ЦЗ ЦПМСП ЦМП ЦСМ СОШ ДОУ ДДУ ВУЗ".split()
)
_CAPS = re.compile(r"(?<![\w-])[А-ЯЁ]{2,8}(?:-[А-ЯЁ]{1,4})?(?:-?\d{1,4})?(?![\w-])")
_VOWELS = set("АЕЁИОУЫЭЮЯ")


@lru_cache(maxsize=50_000)
def is_organisation_abbreviation(token: str) -> bool:
    """An upper-case Cyrillic token that names an organisation (module docstring).

    >>> [is_organisation_abbreviation(t) for t in ("ЧОКБ", "КЦСОН", "МСЧ-16", "ОАК", "ТОШНОТУ")]
    [True, True, True, False, False]
    >>> [is_organisation_abbreviation(t) for t in ("ЦРБ", "РФ", "КТ-3", "ИВАНОВ")]
    [False, False, False, False]
    """
    letters = re.sub(r"[-\d]", "", token)
    head = re.split(r"[-\d]", token)[0]
    if token in NOT_ORGANISATIONS or letters in NOT_ORGANISATIONS or head in NOT_ORGANISATIONS:
        return False
    if letters in FACILITY_KINDS or head in FACILITY_KINDS:
        return bool(re.search(r"\d", token))  # "МСЧ-16", not "ЦРБ"
    if len(letters) > 5 and sum(c in _VOWELS for c in letters) / len(letters) >= 0.34:
        return False  # a word in capitals (a surname, a heading), not an abbreviation
    low = letters.lower()
    morph = analyzer()
    if morph.word_is_known(low):
        tags = {
            t for p in morph.parse(low) if p.score >= 0.1 for t in ("Orgn", "Geox") if t in p.tag
        }
        if "Geox" in tags and "Orgn" not in tags:
            return False  # "РФ", "США": a country
        return "Orgn" in tags
    return True


_LEGAL_LOWER = re.compile(
    r"(?<![\w-])(?:ооо|оао|зао|пао|гбуз|гауз|гбу|мбуз|фгбу|фгбоу|ано|чуз|нуз)\s+"
    r"(?:«[^«»\n]{1,60}»|\"[^\"\n]{1,60}\"|[а-яёa-z][\w-]*(?:[\s-][а-яё][\w-]*)?)"
)
_ABBR_QUOTED = re.compile(r"(?<![\w-])(?P<a>[а-яё]{2,6})\s+«[^«»\n]{1,60}»")
_BODY_HEAD = re.compile(
    r"(?i)(?<![\w-])(?:(?:[а-яё]+(?:ого|ому|ым|ый|ий|ой|ая|ую|ое|ом|ых|ие|ыми|ими)\s+){0,2})"
    r"(?:комитет|комиссариат|военкомат|бюро|управлени|служб|инспекци|отдел(?!ени)|департамент|"
    r"министерств|фонд|колони|прокуратур|администраци|филиал|суд(?!ь|[а-яё]*(?:ист|орог|ебн))|"
    r"центр(?=[аеуом]?\s+[а-яё]+(?:ы|и|ии|а)\s))[а-яё]*"
)
_CHAIN_TOKEN = re.compile(
    r"\s*(?P<t>«[^«»\n]{1,80}»|№\s*\d[\w/-]*|г\.\s*[А-ЯЁ][\w-]+|им\.\s*(?:[А-ЯЁ]\.\s?){0,2}"
    r"[А-ЯЁ][\w-]+|[А-ЯЁ]{2,}(?:-\d+)?|[А-ЯЁ][а-яё]+(?:-[А-ЯЁа-яё][а-яё]+)*|[а-яё]+(?:-[а-яё]+)?|"
    r"—\s*филиал)(?![\w-])"
)
_REGION_NOUN = re.compile(
    r"(?:район|област|кра[йяюе]|округ|республик|город|поселени|муниципальн)[а-яё]*"
)
_CONNECTORS = frozenset("по при и в на для".split())
_PARENT_WORDS = frozenset(
    "России РФ МВД ФСИН ФСБ МЧС ФМБА РАН СУ СК ГУ ОП ТО Минздрава Минтруда Минобороны".split()
)


@lru_cache(maxsize=50_000)
def _dependent(word: str) -> bool:
    """A lower-case word that can hang in an official body's name: an oblique noun or
    adjective ("гигиены", "эпидемиологии", "Советскому"), not an adverb or a nominative."""
    return any(
        p.score >= 0.1
        and p.tag.POS in ("NOUN", "ADJF", "PRTF")
        and p.tag.case in ("gent", "datv", "loct", "ablt")
        for p in analyzer().parse(word)
    )


@lru_cache(maxsize=50_000)
def _person_word(token: str) -> bool:
    """A capitalised word that ends a body's chain: a person's name, or a nominative (the
    chain of a body's name is oblique: "комиссариат Кировского района")."""
    if not re.fullmatch(r"[А-ЯЁ][а-яё]+", token):
        return False
    parses = [p for p in analyzer().parse(token.lower()) if p.score >= 0.1]
    return any(t in p.tag for p in parses for t in ("Name", "Surn", "Patr")) or bool(
        parses and parses[0].tag.case == "nomn"
    )


def _official_bodies(text: str) -> list[Detection]:
    """An official body's head noun and the chain that names it (module docstring)."""
    out = []
    for m in _BODY_HEAD.finditer(text):
        pos = last = m.end()
        lower_run, proper = 0, False
        while lower_run <= 3:
            t = _CHAIN_TOKEN.match(text, pos)
            if not t:
                break
            tok = t.group("t")
            if tok[0].islower() and not tok.startswith(("г.", "им.")):
                if tok not in _CONNECTORS and not _dependent(tok):
                    break
                if proper and _REGION_NOUN.fullmatch(tok):
                    last = t.end()  # "Кировского района", "Шатровского и ... районов"
                lower_run += 1
            elif _person_word(tok):
                break  # a person after the body ("комитета России Гейдар Джемаль")
            elif tok.isupper() and not (
                tok in _PARENT_WORDS
                or tok in NOT_ORGANISATIONS
                or is_organisation_abbreviation(tok)
            ):
                break
            else:
                lower_run = 0
                proper = True
                last = t.end()
            pos = t.end()
        if proper:
            out.append(Detection(m.start(), last, "ORGANIZATION", "rules"))
    return out


# A measured value after an abbreviation makes it a clinical index, not an organisation: a
# decimal ("ЛПИ 0.92"), a number with a unit, within four lower-case words ("КВР правой доли
# 148 мм"), or a Roman grade ("МКС I–II ст."). Organisations carry numbers, never measurements.
_VALUE_AFTER = re.compile(
    r"(?:\s+[а-яё]+\.?){0,4}\s*[:=(]?\s*(?:[<>≤≥~]\s*)?(?:\d+[.,]\d+(?![.,]?\d)|(?P<n>\d+)(?=\s?\S)|"
    r"[IVX]{1,4}(?:\s*[–-]\s*[IVX]{1,4})?\s*(?:ст|степ)\w*\.?)"
)


def _measured(text: str, end: int) -> bool:
    """A value follows the abbreviation ending at ``end`` (see _VALUE_AFTER)."""
    m = _VALUE_AFTER.match(text, end)
    if m is None:
        return False
    return m.group("n") is None or bool(_UNIT.match(text, m.end()))


# A facility in lower case with its number and town ("гб номер 6 ростова-на-дону", "рб
# номер 2 г. туймазы", "гп 3 г. нальчика").
_FACILITY_LOWER = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(sorted({k.lower() for k in FACILITY_KINDS}, key=len, reverse=True))
    + r")\s+(?:номер\s*|№\s*|n\s*)?\d{1,3}(?![\w.,/-])"
    r"(?:\s+(?:г\.\s*[а-яё][а-яё-]+|[а-яё]+-на-[а-яё]+))?"
)
# A facility's noun, the words of its name and its number ("госпитале для ветеранов войн № 3",
# "больнице скорой помощи № 2 г. москвы"): the rules take the number alone.
_FACILITY_NAMED_NUMBER = re.compile(
    r"(?i)(?<![\w-])(?:больниц|госпитал|поликлиник|диспансер|санатори|клиник|амбулатори|"
    r"медсанчаст|роддом|родильн\w+\s+дом|школ|гимнази|интернат)\w*"
    r"(?:\s+(?!№)[а-яё-]+){1,4}\s+№\s*\d+(?:\s+(?:г\.|гор\.)\s*[а-яё][\w-]+)?"
)
# A kind of facility and its place name an organisation: "ФАП ст-цы Стародеревянковская".
_FACILITY_PLACE = re.compile(
    r"(?<![\w-])(?P<k>[А-ЯЁ]{2,5})\s+(?:г\.|гор\.|пос\.|п\.|с\.|ст-цы|станицы|пгт|села|"
    r"деревни|д\.)\s*[А-ЯЁ][\w-]+"
)
# An abbreviation in mixed case ("ЧерМК", "КнААЗ"): capitals and a few lower-case letters,
# ending in capitals (a case ending may follow: "КамАЗе").
_MIXED_CAPS = re.compile(r"(?<![\w-])[А-ЯЁ][а-яё]{0,3}[А-ЯЁ][А-ЯЁа-яё]{1,6}(?![\w-])")
_MIXED_TAIL = re.compile(r"([А-ЯЁ]+)[а-яё]{0,2}$")
# Medical morphemes of mixed-case study names ("ЭхоЭГ", "ТрЭхоКГ", "ФиброСкан", "КовиВак").
_MEDICAL_MORPHEME = re.compile(r"(?i)эхо|фибро|кардио|ангио|стресс|холтер|доппл|нейро|гастро|вак")


@lru_cache(maxsize=50_000)
def _mixed_case_organisation(token: str) -> bool:
    """No word of the dictionary, or one it reads as an organisation ("КамАЗе"); not a study
    or an index: no medical morpheme, and its final capitals no medical abbreviation ("КоАГ",
    "НвСА")."""
    tail = _MIXED_TAIL.search(token)
    if not (
        tail
        and sum(c.isupper() for c in token) >= 2
        and any(c.islower() for c in token)
        and token not in NOT_ORGANISATIONS
        and tail.group(1) not in MEDICAL_ABBREVIATIONS
        and not _MEDICAL_MORPHEME.search(token)
    ):
        return False
    morph = analyzer()
    if not morph.word_is_known(token.lower()):
        return True
    return any("Orgn" in p.tag for p in morph.parse(token) if p.score >= 0.1)


def _organisations(text: str) -> list[Detection]:
    out = []
    for m in _FACILITY_PLACE.finditer(text):
        if m.group("k") in FACILITY_KINDS:
            out.append(Detection(m.start(), m.end(), "ORGANIZATION", "rules"))
    for m in _MIXED_CAPS.finditer(text):
        if _mixed_case_organisation(m.group(0)):
            out.append(Detection(m.start(), m.end(), "ORGANIZATION", "rules"))
    for m in _CAPS.finditer(text):
        if is_organisation_abbreviation(m.group(0)) and not (
            m.group(0).isalpha() and _measured(text, m.end())
        ):
            out.append(Detection(m.start(), m.end(), "ORGANIZATION", "rules"))
    low_has = any(c.islower() for c in text)
    if low_has:
        lower = [_LEGAL_LOWER]
        if "№" in text:
            lower.append(_FACILITY_NAMED_NUMBER)
        if any(c.isdigit() for c in text):
            lower.append(_FACILITY_LOWER)
        for rx in lower:
            for m in rx.finditer(text):
                out.append(Detection(m.start(), m.end(), "ORGANIZATION", "rules"))
        if "«" in text:
            for m in _ABBR_QUOTED.finditer(text):
                if _unknown_word(m.group("a")):
                    out.append(Detection(m.start(), m.end(), "ORGANIZATION", "rules"))
    out += _official_bodies(text)
    return out


@lru_cache(maxsize=50_000)
def _unknown_word(word: str) -> bool:
    return not analyzer().word_is_known(word) and word.upper() not in NOT_ORGANISATIONS


def find_generic(text: str, found: list[Detection]) -> list[Detection]:
    """The generic detections of ``text`` (module docstring), given the other rules' ``found``.

    Returns
    -------
    list of Detection
        ``detector == "rules"``, unmerged.
    """
    taken = [(d.start, d.end) for d in found]
    low = text.lower()
    out: list[Detection] = []
    if any(c.isdigit() for c in text):
        out += _numbers(text, taken)
        out += _labelled(text, low)
        out += _phones(text, taken)
        out += _dates(text, found)
        if "ул" in low or "пр" in low or "пер" in low:
            out += [
                Detection(m.start(), m.end(), "ADDRESS", "rules")
                for m in _STREET_LOWER.finditer(text)
            ]
    if "." in text:
        out += _urls(text)
    if any(mon in low for mon in MONTHS_GENITIVE) and any(
        ending in low for ending in ("ое ", "ого ", "его ", "ье ", "ья ")
    ):
        out += [Detection(m.start(), m.end(), "DATE", "rules") for m in _DATE_WORDS.finditer(text)]
    if any(c.isupper() for c in text):
        out += _latin_names(text)
        if re.search(r"[A-Z]{2}|[A-Z][a-z]", text):
            out += _latin_identifiers(text)
    out += _organisations(text)
    return out


# --------------------------------------------------------------------------------------------
# Chains
# --------------------------------------------------------------------------------------------


_ORG_TAIL = re.compile(
    r"\s*(?:№\s*\d[\w/-]*|«[^«»\n]{1,80}»|\"[^\"\n]{1,80}\"|(?:г\.|гор\.)\s*[А-ЯЁ][\w-]+|"
    r"\(\s*(?:г\.|гор\.)\s*[А-ЯЁ][\w-]+\s*\)|"
    r"им\.\s*(?:[А-ЯЁ]\.\s?){0,2}[А-ЯЁ][\w-]+|(?P<caps>[А-ЯЁ]{2,8}(?:-\d+)?)|"
    r"(?:России|РФ|Минздрава|Минтруда|Минобороны)(?:\s+(?:России|РФ))?|"
    r"(?:по|в)\s+[А-ЯЁ][а-яё-]+(?:ому|ой|ом)\s+(?:району|области|краю|округу|республике|"
    r"районе|крае|округе)|"
    r"[А-ЯЁ][а-яё-]+(?:ого|ой|их)(?:\s+и\s+[А-ЯЁ][а-яё-]+(?:ого|ой|их))?\s+"
    r"(?:района|районов|области|края|округа|республики))(?![\w-])"
)
_ORG_JOIN = re.compile(r"\s*(?:(?:на|при)\s+)?|\s*[—–-]\s*(?:филиал\w*\s*)?")
_STREET_BEFORE_KIND = (
    r"[А-ЯЁ][а-яё-]+(?:ая|ой|ий|ый|ое|ей)\s+(?:ул\.|улиц[аеы]|пер\.|переул\w+|проезд\w*|"
    r"лини[яи]|аллея|аллее|шоссе|тракт\w*|б-р|бульвар\w*|набережн\w+)"
)
_STREET_KIND_WORD = re.compile(r"ул|лини|пер|проезд|алле|шоссе|тракт|б-р|бульвар|набережн")
# A street named before its kind with a house number opens an address chain.
_STREET_HOUSE = re.compile(
    rf"(?<![\w-]){_STREET_BEFORE_KIND},?\s*(?:д\.|дом)\s*\d+[а-яА-Я]?(?:/\d+)?(?![\w.])"
)
_ADDR_PART = (
    r"(?:(?:д\.|дом|корп\.|корпус|к\.|стр\.|строение|лит\.|литер[аы]?|кв\.|квартира|комн\.|"
    r"комната|ком\.|пом\.|помещение|оф\.|офис|уч\.|участок|вл\.|владение|секция|под\.|подъезд|"
    r"бокс|гараж|в/ч|в/г|общ\.|общежитие)"
    r"\s*№?\s*[\dА-ЯA-Zа-я]{1,5}(?:[/-]\d+[а-яА-Я]?)?(?![\w])"
    # a dormitory without a number ("..., д. 21, общ."), a microdistrict by its number ("11Б
    # мкр."), a kilometre of a road ("46 км Тюменского тракта")
    r"|общ\.(?!\w)|\d+[А-Яа-я]?\s+мкр\.?(?![\w])"
    r"|\d+\s*км\s+[А-ЯЁ][а-яё-]+(?:ого|ой)\s+(?:тракта|шоссе|трассы|дороги)"
    # a place prefix that is no locality of the rules: ЗАТО, г.о., a city district, a mahalla
    r"|(?:ЗАТО|г\.\s?о\.|район|р-н|махалл[яи]|кишлак|жилмассив|ж/м)\s*(?:«[^«»\n]{1,40}»|"
    r"[А-ЯЁ][\w-]+(?:-\d+)?)"
    # a street named before its kind ("Лесная ул.", "Поклонной линии"), any case
    rf"|{_STREET_BEFORE_KIND}(?:,?\s*(?:д\.\s*)?\d+[а-яА-Я]?(?:/\d+)?(?![\w.]))?"
    r"|линия\s*\d+|\d+-?я\s+линия(?:\s+[А-ЯЁ]\.\s?[А-ЯЁ]\.)?"
    r"|(?:мкр\.?|мкр-н|микрорайон|СНТ|ДНТ|ТСН|ДНП|с/т|ГСК)\s*(?:«[^«»\n]{1,40}»|"
    r"\"[^\"\n]{1,40}\"|[А-ЯЁ0-9][\w-]*)"
    r"|[А-ЯЁ][а-яё]+(?:-[А-ЯЁа-яё][а-яё]+)*(?:ий|ой|ая|ый)\s+(?:городской\s+округ|"
    r"муниципальный\s+(?:район|округ)|г\.\s?о\.|р-н|район|обл\.|область|край|АО|"
    r"автономный\s+округ)"
    r"|(?:Республика|Респ\.|респ\.)\s+[А-ЯЁ][\w-]+(?:\s+[А-ЯЁ][\w-]+)?"
    r"|[А-ЯЁ][а-яё]+ская\s+Республика"
    r"|(?:г\.|гор\.|город|пос\.|п\.|пгт|с\.|село|д\.|дер\.|деревня|ст-ца|станица|х\.|хутор|"
    r"рп|р\.\s?п\.|аул)\s*[А-ЯЁ][\w-]+(?:[\s-][А-ЯЁ][\w-]+)?"
    r"|(?:ул\.?|улица|пр-кт|пр-т|просп\.|пр\.|пер\.|переулок|б-р|бульвар|ш\.|шоссе|наб\.|"
    r"набережная|пл\.|площадь|проезд|пр-д|туп\.|тупик|аллея)\s*"
    r"(?:\d{1,3}-?(?:[а-я]{1,2})?\s)?(?:[А-ЯЁ]\.\s?)?[А-ЯЁа-яё][\w-]*(?:\s[А-ЯЁ][\w-]*){0,2}"
    r"(?:,?\s*(?:д\.\s*)?\d+[а-яА-Я]?(?:/\d+)?(?:-\d+)?(?![\w.]))?"
    r"|\d+[а-яА-Я]?(?:/\d+[а-яА-Я]?)?(?:-\d+)?(?![\w./,]|\s+[а-яё]))"
)
_ADDR_NEXT = re.compile(rf",\s*(?P<p>{_ADDR_PART})")
# Before an address: parts, or a region abbreviation or a postcode opening the chain.
_ADDR_PREV = re.compile(rf"(?P<p>{_ADDR_PART}|[А-ЯЁ]{{2,5}}|[1-6]\d{{5}})\s*,\s*$")
_ADDR_LABEL = re.compile(
    r"(?i:адрес\w*(?:\s+(?:проживания|регистрации|места\s+жительства|фактического\s+"
    r"проживания|по\s+прописке))?\s*:|по\s+адресу\s*:?|проживает\s+(?:по\s+адресу\s*:?)?)\s*"
)
_ADDR_FIRST = re.compile(
    rf"(?P<p>{_ADDR_PART}|[А-ЯЁ]{{2,5}}(?=,)|[1-6]\d{{5}}|[А-ЯЁ][а-яё-]+(?=,))"
)
_STREET_LOWER = re.compile(
    r"(?<![\w-])(?:ул|улица|пр-т|проспект|пер|переулок)\.?\s+[а-яё][а-яё-]+\s+"
    r"\d+[а-я]?(?:[/-]\d+)?(?![\w])"
)


def _address_tail(text: str, end: int) -> int:
    while True:
        m = _ADDR_NEXT.match(text, end)
        if not m:
            return end
        end = m.end()


# A region's abbreviation joined by a dash to its name ("ХМАО — Югра"), or a place prefix
# right before a place ("ЗАТО Знаменск", "г.о. Подольск").
_REGION_DASH = re.compile(r"(?<![\w-])(?:[А-ЯЁ]{2,5}\s*[—–-]\s*|ЗАТО\s+|г\.\s?о\.\s*)$")


def _address_head(text: str, start: int) -> int:
    while True:
        dash = _REGION_DASH.search(text, max(0, start - 12), start)
        if dash:
            start = dash.start()
        m = _ADDR_PREV.search(text, max(0, start - 80), start)
        if not m or not m.group("p").strip():
            return start
        start = m.start("p")


_ORG_HEAD = re.compile(r"(?<![\w-])(?P<h>[А-ЯЁ]{2,8})\s+(?:(?:на|при)\s+(?:[А-ЯЁ]{2,8}\s+)?)?$")
_LEGAL_FORMS = frozenset(
    "ФГБУЗ ФГБУ ФГБОУ ФГАУ ФГАОУ ФКУ ФКУЗ ФБУЗ ФБУ ГБУЗ ГАУЗ ГБУ ГАУ ГКУ ГУЗ ГОБУЗ ОГБУЗ МБУЗ МУЗ "
    "МБУ МАУ ГКП РГП ГП КГП ЧУЗ НУЗ ЧУ ООО ОАО ЗАО ПАО АО НАО ГУП МУП ФГУП АНО УЗ".split()
)


def _org_ends(text: str, d: Detection) -> Detection:
    start, end = d.start, d.end
    head = _ORG_HEAD.search(text, max(0, start - 30), start)
    if head and (head.group("h") in _LEGAL_FORMS or head.group("h") in FACILITY_KINDS):
        start = head.start("h")  # "ГКП на ПХВ «Городская поликлиника № 4»"
    span = text[start:end]
    if span.count("«") > span.count("»"):  # a quoted name cut short: to its closing quote
        close = text.find("»", end, end + 80)
        if close >= 0 and "\n" not in text[end:close]:
            end = close + 1
    while True:
        m = _ORG_TAIL.match(text, end)
        if not m:
            break
        caps = m.group("caps")
        ministry = re.search(r"(?:МЗ|ДЗ|Минздрава)$", text[start:end])
        if caps and not (
            caps in _PARENT_WORDS
            or is_organisation_abbreviation(caps)
            or (ministry and len(caps) <= 3)  # "МЗ КК", "МЗ РБ": the region of the ministry
        ):
            break
        end = m.end()
    return Detection(start, end, d.type, d.detector)


def extend_chains(text: str, found: list[Detection]) -> list[Detection]:
    """Organisation and address spans extended over their chains (module docstring).

    Parameters
    ----------
    text : str
    found : list of Detection
        Merged detections of ``text``.

    Returns
    -------
    list of Detection
        The longer spans (unmerged); merging them with ``found`` gives the chains.
    """
    out: list[Detection] = []
    orgs = sorted(_org_ends(text, d) for d in found if d.type == "ORGANIZATION")
    for a, b in zip(orgs, orgs[1:], strict=False):
        if a.end <= b.start and _ORG_JOIN.fullmatch(text, a.end, b.start):
            out.append(Detection(a.start, b.end, "ORGANIZATION", a.detector))
    old = sorted(x for x in found if x.type == "ORGANIZATION")
    out += [o for o in orgs if o not in old]
    seeds = [d for d in found if d.type in ("ADDRESS", "LOCATION")]
    for m in _ADDR_LABEL.finditer(text):
        first = _ADDR_FIRST.match(text, m.end())
        if first and (_ADDR_NEXT.match(text, first.end()) or first.group("p")[0].isdigit()):
            seeds.append(Detection(first.start(), first.end(), "ADDRESS", "rules"))
    for m in re.finditer(
        r"(?:СНТ|ДНТ|ТСН|ДНП|мкр\.?|микрорайон)\s*(?:«[^«»\n]{1,40}»|[А-ЯЁ][\w-]+)", text
    ):
        if _ADDR_NEXT.match(text, m.end()):
            seeds.append(Detection(m.start(), m.end(), "ADDRESS", "rules"))
    if ("д." in text or "дом" in text) and _STREET_KIND_WORD.search(text):
        seeds += [
            Detection(m.start(), m.end(), "ADDRESS", "rules") for m in _STREET_HOUSE.finditer(text)
        ]
    for d in seeds:
        start, end = _address_head(text, d.start), _address_tail(text, d.end)
        if (start, end) != (d.start, d.end):
            out.append(Detection(start, end, "ADDRESS", d.detector))
    return out
