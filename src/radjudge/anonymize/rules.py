"""Rule detectors for structured identifiers, addresses, organisations and dates.

Compiled once at import. Every rule is a regular expression, often with a
check after the match (digit count of a phone, check digits of a СНИЛС or
ИНН, the context of a day.month). Bare numbers count only when their shape is
unambiguous (``123-456-789 01`` is a СНИЛС whatever its check digits; 11 bare
digits only with valid check digits) or when a label introduces them
(``СНИЛС``, ``ИНН``, ``паспорт``, ``полис``, any ``№`` ...): *a label followed
by an identifier-like token is an identifier*.

Dates: day.month.year with ``.``, ``/`` or ``-`` and a two- or four-digit year
(``12.03.1961``, ``14/06/61``, ``12-04-2022``), Roman months
(``12.III.2021``, ``VIII.2021``), ISO (``2023-03-12``), month names in full or
abbreviated (``3 марта 2023 г.``, ``16 мар. 2022``, ``7 янв 2022``), month and
year (``в марте 2023 г.``, ``февраля 2022``), and a bare day.month
(``с 03.11``, ``ЭКГ 14.03``, ``05.11 бригадой``, ``14.11.``) when its context
makes it a date: a preposition or an investigation before it, the start of a
sentence, or two two-digit parts (``выдан 24.11``) unless a value context
explains them (privacy first: a masked value costs less than a leaked date). A decimal is
never a date: a number after an analyte (``Калий 4.5.``, ``СРБ 5.9.``) or
before a unit (``4.5 ммоль/л``). A bare year is not a date identifier (it
stays: "аппендэктомия в 1998 г.").

Phones: with ``+7``/``8``, with a city code in brackets (``(495) 318-22-46``),
and local seven-digit numbers (``234-56-78``). URLs: ``http(s)://``,
``www.`` and bare domains with a path (``vk.com/name``).

Addresses: a street with its house, building and flat, the street type before
or after the name and in any case (``ул. Садовой, д. 12, кв. 5``, ``на
Ленинградском ш., д. 25, корп. 3``, ``в Малом Козихинском переулке, д. 12``,
``улице 40 лет Победы, д. 17``, ``д. 15А``, ``15-47``, ``лит. Б``), preceded by
postcode, region and locality; a locality or region alone (``г. Тула``).

Organisations: legal form + quoted name, numbered hospitals (``ГКБ № 31``,
``Городская поликлиника № 3 г. Тулы``), a quoted name after an organisation
noun (``страховая «СОГАЗ»``), authorities (``ОВД района Хамовники``),
university-type abbreviations (``ПГУПС``) and abbreviations named after a
person (``РНИМУ им. Пирогова``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from radjudge.anonymize.analyzer import analyzer
from radjudge.anonymize.clinical import (
    NOT_ORGANISATIONS,
    is_clinical_word,
    is_lab_word,
    is_medical_abbreviation,
    is_study_word,
)
from radjudge.anonymize.generic import MONTHS_GENITIVE, find_generic, prev_words
from radjudge.anonymize.identifiers import inn_is_valid, snils_is_valid
from radjudge.anonymize.spans import Detection

__all__ = [
    "find_structured",
    "find_dates",
    "parse_date",
    "DateValue",
    "MONTHS_GENITIVE",
    "PATTERNS",
]

# Month stems: январ-ь/я/е, феврал-ь/я/е, март-/а/е, апрел-ь/я/е, ма-й/я/е, июн-ь/я/е, ...
_MONTH_STEMS = (
    "январ",
    "феврал",
    "март",
    "апрел",
    "ма",
    "июн",
    "июл",
    "август",
    "сентябр",
    "октябр",
    "ноябр",
    "декабр",
)
_ABBR_MONTHS = {
    "янв": 1,
    "фев": 2,
    "февр": 2,
    "мар": 3,
    "апр": 4,
    "июн": 6,
    "июл": 7,
    "авг": 8,
    "сен": 9,
    "сент": 9,
    "окт": 10,
    "ноя": 11,
    "нояб": 11,
    "дек": 12,
}
_ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_ROMAN = r"(?:XII|XI|IX|X|VIII|VII|VI|IV|V|III|II|I)"
_MONTH_ANY = (
    r"(?:январ[ьяе]|феврал[ьяе]|март[ае]?|апрел[ьяе]|ма[йяе]|июн[ьяе]|июл[ьяе]|"
    r"август[ае]?|сентябр[ьяе]|октябр[ьяе]|ноябр[ьяе]|декабр[ьяе])"
)
_MONTH_GEN = r"(?:" + "|".join(MONTHS_GENITIVE) + r")"
_MONTH_ABBR = r"(?:февр|фев|янв|мар|апр|июн|июл|авг|сент|сен|окт|нояб|ноя|дек)"
_Y4 = r"(?:19|20)\d{2}"
_YEAR_WORD = r"(?:\s?(?:г\.|года|году|г(?![\w])))?"

# Speed: patterns that run on every LLM prompt start with a plain character class or literal
# (so the regex engine skips ahead fast); the character before a match is checked in Python
# (_BAD_PREV) instead of by a leading look-behind, which would disable that fast skip.
# Day/month ranges are validated by parse_date.
_DATE_NUMERIC = re.compile(
    r"(?P<d>\d{1,2})(?P<s>[./-])(?P<m>\d{1,2}|" + _ROMAN + r")(?P=s)(?P<y>\d{4}|\d{2})(?![\d])"
)
_DATE_DM = re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})(?P<dot>\.)?(?![\d]|[.,]\d)")
_DATE_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)(?![\d-])")
_DATE_TEXT = re.compile(
    rf"(?P<d>\d{{1,2}})(?:-?го)?\s+(?P<mon>{_MONTH_GEN}(?![а-яё])|{_MONTH_ABBR}(?![а-яё])\.?)"
    # a two-digit year only with its "г."/"года": "12 дек. 21 г."
    rf"(?:\s*(?P<y>{_Y4}|\d{{2}}(?=\s?(?:г\.|года|году|г(?![\w])|[.,;:)](?!\d)|$)))(?![\d])"
    rf"{_YEAR_WORD})?"
)
# A day and a Roman month without a year: "явка 21.XI.", "с 3.IV" (never a decimal).
_DATE_DAY_ROMAN = re.compile(rf"(?P<d>\d{{1,2}})\.(?P<m>{_ROMAN})(?![\w-]|\.\d)")
_DATE_MONTH_YEAR = re.compile(
    rf"(?P<mon>{_MONTH_ANY}|{_MONTH_ABBR}\.?)\s+(?P<y>{_Y4}){_YEAR_WORD}|(?P<rm>{_ROMAN})\.(?P<ry>{_Y4})(?!\d)"
)
_ROMAN_MONTH_YEAR = re.compile(rf"(?<![\w.-]){_ROMAN}\.{_Y4}(?![\d])")

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A social-network handle: "Telegram: @ivanova_med" (an e-mail is matched first).
_HANDLE = re.compile(r"(?<![\w.@])@[A-Za-z_][\w.]{2,}(?<=[A-Za-z0-9_])")
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>«»\"']+"
    r"|(?<![\w@./-])(?:[a-z0-9-]+\.)+(?:ru|su|com|org|net|info|biz|pro|me|io|online|site|рф)"
    r"/[^\s<>«»\"']*"
)
_PHONE = re.compile(r"(?:\+7|8)[\s-]?\(?\d{3,5}\)?[\s-]?\d{1,3}(?:[\s-]?\d{2}){2}(?!\d)")
_PHONE_CODE = re.compile(r"\(\d{3,5}\)[\s-]?\d{1,3}(?:[\s-]?\d{2}){2}(?!\d)")
_PHONE7 = re.compile(r"\d{3}-\d{2}-\d{2}(?![\d-])")
_PHONE_LOCAL = re.compile(
    r"(?i)(?:тел(?:\.|ефон\w*)?|дом\.|раб\.|моб\.|сот\.|факс)[\s.:]*(?P<v>\d{1,3}-\d{2}-\d{2})(?!\d)"
)
_SNILS_SHAPE = re.compile(r"\d{3}-\d{3}-\d{3}[\s-]\d{2}(?![\d-])")
_SNILS_KEY = re.compile(r"(?i)СНИЛС\s*:?\s*(?:№\s*)?(?P<v>\d[\d\s-]{9,14}\d)(?!\d)")
_DIGITS11 = re.compile(r"\d{11}(?![\d-])")
_DIGITS12 = re.compile(r"\d{12}(?![\d-])")
_INN_KEY = re.compile(r"(?i)ИНН\s*:?\s*(?:№\s*)?(?P<v>\d{10}|\d{12})(?!\d)")
_POLICY16 = re.compile(r"\d{4}(?:\d{12}|\s\d{4}\s\d{4}\s\d{4})(?![\d-])")
_POLICY_KEY = re.compile(
    r"(?i)(?:полис\w*|ЕНП)(?:\s+(?:ОМС|ДМС|обязательного|добровольного)"
    r"(?:\s+медицинского\s+страхования)?)?\s*:?\s*(?:(?:№|N|номер)\s*)?"
    r"(?P<v>(?:[A-ZА-ЯЁ]{1,4}[\s-]?)?\d[\dA-ZА-ЯЁ/-]*\d(?:\s\d{4}){0,3})"
)
# The label of a record, card, certificate or study number, with or without "№": "амб. карта
# 12345/А", "и/б 1234-22", "ЭЛН 910045678213", "история болезни 4567/21". The token after it is
# an identifier when it has four digits, or three and a separator (a year alone is not).
_LABEL_ID = re.compile(
    r"(?i)(?:карт[аыеуо]\w*|и/б|истори[яиюей]\s+болезни|элн|нетрудоспособност\w*|"
    r"больничн\w*(?:\s+лист\w*)?|направлени[еяю]\w*|протокол\w*(?:\s+исследовани\w*)?|"
    r"заключени[еяю]\w*|гистолог\w*(?:\s+заключени\w*)?|биопси\w*|талон\w*|договор\w*|"
    r"исследовани[еяю]\w*)"
    r"\s*:?\s*(?:(?:№|N|номер)\s*)?"
    r"(?P<v>(?:[A-Za-zА-ЯЁ]{1,4}-?)?\d[\dA-Za-zА-ЯЁ/-]*(?<=[\dA-Za-zА-ЯЁ]))(?![\w.,]\d)"
)
_PASSPORT_KEY = re.compile(
    r"(?i)паспорт\w*\s*(?:РФ\s*)?:?\s*(?:серия\s*)?"
    r"(?P<v>\d{2}\s?\d{2}\s*(?:(?:№|N|номер)\s*)?\d{6})(?!\d)"
)
# An identifier by its shape alone: letter groups between digit groups, at least six digits
# ("001-ДМС-4471023", "АК-15-8821/22", "LAB-2022-118734"); scores and gene names
# ("CHA2DS2-VASc", "COVID-19", "CA 19-9", "18F-ФДГ") have fewer digits or one digit group.
_ID_SHAPE = re.compile(
    r"(?<![\w/.-])(?:\d{2,}(?:[-/][A-ZА-ЯЁ]{1,5})+[-/]\d{3,}|[A-ZА-ЯЁ]{1,5}-\d{2,}(?:[-/]\d{2,})+)"
    r"(?:[-/]\d+)*(?![\w/-])"
)
_PASSPORT_SHAPE = re.compile(r"\d{2}\s\d{2}\s\d{6}(?![\d-])")
# "№ <token>": the token is an identifier unless an organisation or a non-personal label
# (a ward, a form, an order...) owns the number.
_ID_AT = re.compile(
    r"(?:№|N|номер)\s*:?\s*(?P<v>(?:[A-Za-zА-ЯЁа-яё]{1,4}-?)?\d[\dA-Za-zА-ЯЁа-яё/-]*"
    r"(?<=[\dA-Za-zА-ЯЁа-яё]))"
)
_NOT_PERSONAL_END = re.compile(
    r"(?i)(?:^|[^\w])(?:палат\w*|кабинет\w*|каб\.|форм\w*|ф\.|приказ\w*|закон\w*|"
    r"постановлени\w*|пункт\w*|п\.|стать\w*|ст\.|приложени\w*|табл\.|таблиц\w*|рис\.|"
    r"рисун\w*|схем\w*|групп\w*|бригад\w*|корпус\w*|этаж\w*|койк\w*|отделени\w*|"
    r"маршрут\w*|автобус\w*|линии|лини[яю]|СанПиН|ГОСТ|лот\w*|серии\s+препарата)"
    r"\s*:?\s*$"
)
_ORG_NUMBERED_END = re.compile(
    r"(?:^|[^\w])(?P<org>(?:(?:[А-ЯЁ][а-яё]+(?:ая|ий|ой|ое|ого|ую|ом)\s+){0,3})"
    r"(?:ГКБ|ДГКБ|ГБ|ЦГБ|ЦРБ|ОКБ|РКБ|КБ|ГП|ДП|ДГП|МСЧ|БСМП|ГБСМП|ОКОД|КОД|СОШ|ДОУ|ЖК|"
    r"[Пп]оликлиник[аиеуой]{1,2}|[Бб]ольниц[аыеуой]{1,2}|[Рр]оддом\w*|[Дд]испансер\w*|"
    r"[Шш]кол[аыеуой]{1,2}|[Гг]оспитал[ьяюе]\w*|[Дд]етск(?:ий|ого|ом)\s+сад\w*|"
    r"[Жж]енск\w+\s+консультаци\w+|[Тт]равмпункт\w*|[Мм]едсанчаст\w*))\s*$"
)
_ORG_NUMBER_AT = re.compile(
    r"№\s*\d+(?:\s+(?:ДЗМ|им\.\s*(?:[А-ЯЁ]\.\s?){0,2}[А-ЯЁ][\w-]+|г\.\s*[А-ЯЁ][\w-]+|"
    r"города\s+[А-ЯЁ][\w-]+))*"
)
_YEAR = re.compile(r"(?:19|20)\d\d(?!\d)")
_MONTH_ANY_END = re.compile(rf"(?:^|[^\w])(?P<mon>{_MONTH_ANY}|{_MONTH_ABBR}\.?)\s*$")
_YEAR_WORD_AT = re.compile(_YEAR_WORD)

# Context of a bare day.month: what before it makes it a date, what after it a value.
_DATE_LEAD = re.compile(
    r"(?i)(?:^|[^\w])(?:с|со|до|от|по|на|к|ко|за|после|около|дата|явк\w*|контроль\w*|"
    r"выписан\w*|выписк\w*|поступил\w*|поступлени\w*|госпитализ\w*|заболел\w*|"
    r"обратил\w*|осмотр\w*|операци\w*|выполнен\w*|проведен\w*|сделан\w*)\s*:?\s*$"
)
_UNIT_AFTER = re.compile(
    r"\s*(?:%|‰|°|×|[xх]\s?10|\*\s?10|(?:мм|см|м|мл|л|мг|мкг|нг|пг|г|кг|ммоль|мкмоль|моль|"
    r"мэкв|Ед|ЕД|ед|МЕ|мЕд|мМЕ|ч|мин|сек|с|сут|нед|мес|раз|уд|HU|фл|мкм|мЗв|мГр|Гр|мOsm|"
    r"Па|кПа|мм\s?рт|балл\w*|Тл|ml|mg|mmol|g|kg|cm|mm|U|IU)(?![а-яёa-z]))"
)
# After a full date only units that cannot be "г." (год) or "с" (from): doses "5/10/20 мг".
_DOSE_AFTER = re.compile(r"\s*(?:%|мг|мкг|мл|ммоль|мкмоль|Ед|ЕД|МЕ|мм|см|кг|нг|пг)(?![а-яёa-z])")
_VALUE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*|[А-ЯЁA-Z0-9-]*\d[А-ЯЁA-Z0-9-]*|[А-ЯЁ]{2,}")
_RANGE_AFTER = re.compile(r"\s*[-–—]\s*\d")

_STREET_FULL = (
    r"(?:улиц[аеыуй]\w*|проспект\w*|переул\w*|бульвар\w*|шоссе|набережн\w*|площад\w*|"
    r"микрорайон\w*|проезд\w*|тупик\w*|алле[яиейю]|квартал\w*)"
)
# Hyphenated abbreviations take case endings: "на Комсомольском пр-те", "по Гоголевскому б-ру",
# "в мкр-не", "на Лесном пр-де" (проезд).
_STREET_ABBR = (
    r"(?:ул\.|пр-к?т(?:[аеуы]|ом)?|просп\.|пр\.|пер\.|б-р(?:[аеу]|ом)?|бул\.|ш\.|наб\.|пл\.|"
    r"мкр-н(?:[аеу]|ом)?|мкр\.?|туп\.|кв-л(?:[аеу]|ом)?|пр-д(?:[аеу]|ом)?)(?![а-яё])"
)
_STREET_KW = rf"(?:{_STREET_ABBR}|{_STREET_FULL})"
_STREET_OBLIQUE = (
    r"(?:пр-к?т(?:[аеуы]|ом)|б-р(?:[аеу]|ом)|мкр-н(?:[аеу]|ом)|пр-д(?:[аеу]|ом))(?![а-яё])"
)
_NAME_TOKEN = (
    r"(?:[А-ЯЁ][а-яёА-ЯЁ-]*\.?|\d{1,3}(?:-?(?:й|я|е|го|ой|ая|ий|ья))?(?![-/]?\d)|им\.|имени|лет|"
    r"канала|реки|острова|съезда|(?:[А-ЯЁ]\.\s?){1,2}[А-ЯЁ][а-яё-]+)"
)
_STREET_NAME = rf"{_NAME_TOKEN}(?:\s{_NAME_TOKEN}){{0,3}}"
_HOUSE = (
    r"(?:,?\s*(?:д\.|дом)\s*\d+(?:\s?[а-яА-ЯA-Z](?![а-яА-ЯA-Za-z]))?(?:/\d+[а-яА-Я]?)?(?:-\d+)?"
    r"|,\s*\d+[а-яА-Я]?(?:/\d+[а-яА-Я]?)?(?:\s?-\s?\d+)?(?![\d.,]*\d)"
    r"|\s\d+[а-яА-Я]?(?:/\d+[а-яА-Я]?)?-\d+(?![\d.,]*\d))"
    r"(?:,?\s*(?:корп\.|корпус|к\.|стр\.|строение|лит\.|литер[аы]?)\s*[\dА-ЯA-Zа-я]{1,3}\b)*"
    r"(?:,?\s*(?:кв\.|квартира|комн\.|оф\.|офис)\s*\d+[а-я]?)?"
)
# Not after a number or a slash: "в 2018 г. Ухудшение", "месалазин 1 г.", "2 р/д. Аллергия".
_LOCALITY = (
    r"(?<!\d\s)(?<![\d/])(?:г\.|гор\.|город[ае]?|пос\.|п\.|пгт|пос[её]л(?:ок|ке|ка)|с\.|сел[оае]|"
    r"д\.|дер\.|деревн[яеи]|ст-ца|станиц[аеы]|х\.|хутор[ае]?|р\.\s?п\.)"
    r"\s*[А-ЯЁ][\w-]*(?:\s[А-ЯЁ][\w-]*)?"
)
_REGION = (
    r"(?:[А-ЯЁ][а-яё-]+(?:ск|цк|нск)(?:ая|ий|ой|ого|ом|ую|ие|их)\s"
    r"(?:обл\.|област[ьиюя]|кра[йяюе]|р-н|район\w*|АО|округ\w*)|"
    r"(?:Республик[аеиу]|Респ\.|респ\.)\s[А-ЯЁ][а-яё]+(?:\s[А-ЯЁ][а-яё]+)?)"
)
_POSTCODE = r"(?<!\d)[1-6]\d{5}(?!\d)"
_ADDRESS_PREFIX = rf"(?:(?:{_POSTCODE}),\s*)?(?:{_REGION},\s*){{0,2}}(?:{_LOCALITY},\s*){{0,2}}"
_ADDRESS = re.compile(
    rf"{_ADDRESS_PREFIX}(?<![\w.-])"
    rf"(?:(?:ул\.|{_STREET_FULL})\s*{_STREET_NAME}(?:{_HOUSE})?"
    rf"|{_STREET_ABBR}\s*{_STREET_NAME}{_HOUSE}"
    rf"|{_STREET_NAME}\s{_STREET_KW}{_HOUSE}"
    # a named street without a house: "в Малом Козихинском переулке", "на Рязанском пр-те"
    rf"|[А-ЯЁ][а-яё-]+(?:\s[А-ЯЁ][а-яё-]+){{0,2}}\s(?:{_STREET_FULL}|{_STREET_OBLIQUE}))"
)
_ADDRESS_LOCALITY = re.compile(
    rf"(?:(?:{_POSTCODE}),\s*)?(?:{_REGION}(?:,\s*|\s+))*(?<![\w.]){_LOCALITY}"
    rf"|(?<![\w.]){_REGION}"
)
_POSTCODE_KEY = re.compile(rf"(?P<v>[1-6]\d{{5}})(?!\d)(?=,\s*(?:г\.|{_REGION}|[А-ЯЁ]))")

_LEGAL = (
    r"(?:ФГБУЗ|ФГБУ|ФГБОУ|ФГАУ|ФГАОУ|ФКУ|ФКУЗ|ГБУЗ|ГАУЗ|ГБУ|ГАУ|ГКУ|ГУЗ|ГОБУЗ|ОГБУЗ|МБУЗ|МУЗ|"
    r"МБУ|МАУ|МБОУ|МАОУ|МКОУ|МБДОУ|ГБОУ|ГБПОУ|ЧУЗ|НУЗ|ЧУ|ООО|ОАО|ЗАО|ПАО|АО|НАО|ГУП|МУП|"
    r"ФГУП|АНО|НКО|ТСЖ|СНТ|КФХ|ИП)"
)
_QUOTED = r"«[^«»\n]{1,80}(?:«[^«»\n]{1,60}»)?(?:[^«»\n]{0,60}»)?"
_ORG_LEGAL = re.compile(
    rf"{_LEGAL}(?:\s[А-ЯЁ]{{2,3}}(?=\s«))?\s*(?:{_QUOTED}|\"[^\"\n]{{1,80}}\")"
    r"(?:\s+(?:Минздрава|МЗ|ДЗМ|ФМБА|РАН)(?:\s+(?:России|РФ))?)?"
)
_ORG_NUMBERED = re.compile(
    r"(?:ГКБ|ДГКБ|ГБ|ЦГБ|ЦРБ|ОКБ|РКБ|КБ|ГП|ДП|ДГП|МСЧ|БСМП|ГБСМП|ОКОД|КОД|СОШ|ДОУ|ЖК|"
    r"[Пп]оликлиник[аиеуой]{1,2}|[Бб]ольниц[аыеуой]{1,2}|[Рр]оддом\w*|[Дд]испансер\w*|"
    r"[Шш]кол[аыеуой]{1,2}|[Гг]оспитал[ьяюе]\w*|[Дд]етск(?:ий|ого|ом)\s+сад\w*)\s*№\s*\d+"
)
_ORG_CRB = re.compile(
    r"[А-ЯЁ][а-яё]+(?:ая|ой|ую)\s+(?:ЦРБ|ЦГБ|РБ|районн(?:ая|ой|ую)\s+больниц[аыеуой])"
)
# Abbreviated health facilities: onco-dispensary, hospitals, polyclinics, diagnostic centres.
# Alone they name a kind of place ("направлен в ОКОД"); with a number, a city, a parent
# body, a region adjective or a quoted name they name one ("ОКОД г. Рязани", "ЦКБ РАН",
# "Рязанский ОКОД", "ЛДЦ «Медси»").
_FACILITY = (
    r"(?:ОКОД|ГКОД|КОД|ООД|ОКБ|ЦКБ|ГКБ|РКБ|ДКБ|ОДКБ|ДГКБ|РДКБ|ЦРБ|ЦГБ|ГКП|МСЧ|БСМП|ГБСМП|"
    r"ОКД|ПНД|КВД|ОКВД|ПТД|ОПТД|ГПТД|ОНД|ЛДЦ|КДЦ|КДП|МДЦ|ФАП|ССМП|ОКПБ|ГВВ|ОГВВ|ОКГВВ|"
    r"ЦВКГ|ГВКГ|ВКГ|УКБ|РСЦ|ПСО|ОКЦ|ОПЦ|ГКДЦ|НПЦ|РНЦ|ГБ|КБ|ПБ|ГП|ДП|ДГП|МЦ|ДЦ|РБ)"
)
_PARENT = (
    r"(?:РАН|РАМН|РЖД|МВД(?:\s+России)?|ФСБ(?:\s+России)?|ФМБА(?:\s+России)?|МЧС(?:\s+России)?|"
    r"ФСИН(?:\s+России)?|ФТС|МО\s+РФ|Минобороны(?:\s+России)?|Минздрава(?:\s+России)?|"
    r"МЗ(?:\s+(?:РФ|России|[А-ЯЁ]{2,3}))?|ДЗМ|УДП(?:\s+РФ)?|УД\s+Президента(?:\s+РФ)?|"
    r"Управления\s+делами\s+Президента(?:\s+РФ)?)"
)
_PLACE_OF = r"(?:г\.\s?|гор\.\s?|города\s+)[А-ЯЁ][а-яё]+(?:-[А-ЯЁа-яё][а-яё]+)*"
_REGION_ADJ = r"[А-ЯЁ][а-яё]+(?:ск|цк)(?:ая|ой|ую|ий|ого|ому|ом|ое)"
_ORG_FACILITY = re.compile(
    rf"(?<![\w-]){_FACILITY}(?:\s*№\s*\d+)?(?:\s+(?:{_PLACE_OF}|{_PARENT})(?![\w-]))+"
    rf"|(?<![\w-]){_FACILITY}\s*«[^«»\n]{{1,60}}»"
    rf"|(?<![\w-]){_REGION_ADJ}\s+(?P<abbr>{_FACILITY})(?![\w-])"
)
# A facility named by its kind and its city: "онкодиспансере г. Курска", "областной
# клинической больницы г. Рязани", "Поликлиника г. Калуги".
_ORG_KIND_CITY = re.compile(
    r"(?<![\w-])(?:[А-ЯЁа-яё][а-яё]+(?:ая|ой|ий|ый|ого|ому|ом|ую|ое)\s+){0,3}"
    r"[А-ЯЁа-яё]?[а-яё]*(?:диспансер|больниц|поликлиник|госпитал|роддом|клиник|санатори|"
    r"медсанчаст|травмпункт|консультаци)[а-яё]*"
    rf"\s+{_PLACE_OF}"
)
# A branch after a named organisation: "ЛДЦ «Медси» на Красной Пресне", "в ООО «Ника» в Химках".
_BRANCH_AFTER = re.compile(r"\s+(?:на|в|во)\s+(?P<v>[А-ЯЁ][а-яё]+(?:[\s-][А-ЯЁ][а-яё]+)?)(?![\w-])")
_ORG_NOUN_QUOTED = re.compile(
    r"(?i:страхов\w*(?:\s+компани\w*)?|СК|компани\w*|клиник\w*|лаборатори\w*|медцентр\w*|"
    r"центр\w*|фирм\w*|завод\w*|банк\w*|магазин\w*|аптек\w*|санатори\w*|пансионат\w*|"
    r"клуб\w*|агентств\w*|холдинг\w*|предприяти\w*|организаци\w*|фонд\w*|университет\w*|"
    r"институт\w*|колледж\w*|академи\w*|издательств\w*|сет[ьи]|корпораци\w*|концерн\w*)"
    r"\s+(?P<v>«[^«»\n]{1,60}»)"
)
_ORG_AUTHORITY = re.compile(
    r"(?<![\w-])(?:ГУ\s+МВД|ОМВД|УМВД|ОВД|УВД|МВД|ОУФМС|ТП\s+УФМС|УФМС|ОФМС|МФЦ|ЗАГС|ИФНС|ФНС|"
    r"ПФР|ФСС|СФР|ГУФСИН|УФСИН|ФСИН|(?:ФКУ\s+)?(?:ИК|СИЗО|ЛИУ|КП|ЛПУ|ИЦ|ИУ|КБ)-\d+|в/ч\s*№?\s*\d{4,6})"
    r"(?:\s+(?:России|РФ|по|района|р-на|г\.|города|округа|области|края|в|"
    r"[А-ЯЁ][\w-]+(?:ой|ому|ого|ий|ый|ая|ом|е|а|и)?\.?)(?=[\s,.;)]|$))*"
)
_ORG_ABBR = re.compile(
    r"(?<![\w-])(?P<abbr>[А-ЯЁ][А-ЯЁа-я]{1,9})(?:\s+[а-яё]{4,}){0,2}"
    r"\s+им\.\s*(?:[А-ЯЁ]\.\s?){0,2}[А-ЯЁ][\w-]+"
)
_UNIVERSITY = re.compile(
    r"(?<![\w-])[А-ЯЁ]{0,5}(?:ГУ|ГМУ|ГМА|ГТУ|ГПУ|ГАУ|ГУПС|ГМСУ|НИИ|НМИЦ|ФНКЦ|НИЦ|НЦ|МУ|ТУ|ПУ)"
    r"[А-ЯЁ]{0,4}(?![\w-])"
)
_UNIVERSITY_EXTRA = frozenset(
    "МГУ СПбГУ МГТУ МИФИ МФТИ ВШЭ НИУ РУДН МГИМО МИСиС МЭИ МАИ ЛЭТИ ИТМО МОНИКИ".split()
)


_BAD_PREV: dict[str, re.Pattern[str]] = {
    "date_numeric": re.compile(r"[\w.,/-]"),
    "date_dm": re.compile(r"[\w.,/-]"),
    "date_day_roman": re.compile(r"[\w.,/-]"),
    "date_iso": re.compile(r"[\d-]"),
    "date_text": re.compile(r"[\w.]"),
    "date_month_year": re.compile(r"\w"),
    "phone": re.compile(r"[\w+]"),
    "phone_code": re.compile(r"\w"),
    "phone7": re.compile(r"[\w.,/-]"),
    "snils_shape": re.compile(r"[\d-]"),
    "digits11": re.compile(r"[\d-]"),
    "digits12": re.compile(r"[\d-]"),
    "policy16": re.compile(r"[\d-]"),
    "passport_shape": re.compile(r"[\d-]"),
    "postcode": re.compile(r"\d"),
    "org_legal": re.compile(r"\w"),
    "org_numbered": re.compile(r"\w"),
    "org_crb": re.compile(r"\w"),
}


def _finditer(name: str, rx: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``rx.finditer`` keeping only matches whose preceding character is allowed."""
    bad = _BAD_PREV.get(name)
    for m in rx.finditer(text):
        i = m.start()
        if bad is not None and i > 0 and bad.match(text, i - 1):
            continue
        yield m


@dataclass(frozen=True)
class DateValue:
    """A parsed date: any part may be missing (``14.11.`` has no year, ``март 2023`` no day)."""

    day: int | None
    month: int
    year: int | None

    def key(self) -> tuple[int | None, int, int | None]:
        return (self.day, self.month, self.year)


def _year(text: str | None) -> int | None:
    if not text:
        return None
    y = int(text)
    return y if y >= 100 else (2000 + y if y < 40 else 1900 + y)


def _month_index(word: str) -> int:
    w = word.lower().rstrip(".")
    if w in _ABBR_MONTHS:
        return _ABBR_MONTHS[w]
    if word in _ROMAN_MONTHS:
        return _ROMAN_MONTHS.index(word) + 1
    if w.isdigit():
        return int(w)
    for i, stem in enumerate(_MONTH_STEMS):
        if w.startswith(stem) and (stem != "ма" or w in ("май", "мая", "мае")):
            return i + 1
    raise ValueError(word)


def parse_date(text: str) -> DateValue | None:
    """Parse a date span found by the rules; None when it is not one of the known formats.

    >>> parse_date("3 марта 2023 г.")
    DateValue(day=3, month=3, year=2023)
    >>> for t in ("14.11.", "12.III.21", "16 мар. 2022", "марте 2021 г.", "VIII.2021",
    ...           "14/06/1961"):
    ...     print(parse_date(t))
    DateValue(day=14, month=11, year=None)
    DateValue(day=12, month=3, year=2021)
    DateValue(day=16, month=3, year=2022)
    DateValue(day=None, month=3, year=2021)
    DateValue(day=None, month=8, year=2021)
    DateValue(day=14, month=6, year=1961)
    """
    t = text.strip()
    value: DateValue | None = None
    m = (
        _DATE_NUMERIC.fullmatch(t)
        or _DATE_ISO.fullmatch(t)
        or _DATE_DM.fullmatch(t)
        or _DATE_DAY_ROMAN.fullmatch(t.rstrip("."))
    )
    if m:
        y = m.groupdict().get("y")
        value = DateValue(int(m["d"]), _month_index(m["m"]), _year(y))
    else:
        m = _DATE_TEXT.fullmatch(t)
        if m:
            value = DateValue(int(m["d"]), _month_index(m["mon"]), _year(m["y"]))
        else:
            m = _DATE_MONTH_YEAR.fullmatch(t)
            if not m:
                return None
            if m["rm"]:
                value = DateValue(None, _month_index(m["rm"]), _year(m["ry"]))
            else:
                value = DateValue(None, _month_index(m["mon"]), _year(m["y"]))
    if not 1 <= value.month <= 12:
        return None
    try:
        if value.day is not None:
            dt.date(value.year or 2000, value.month, value.day)
    except ValueError:
        return None
    return value


def _value_context(text: str, start: int) -> bool:
    """An analyte, a scale or a value name right before: a number here is a value.

    Not after a closing quote or bracket: ``ГБУЗ «Ржевская ЦРБ» 08.12.`` is a date.
    """
    words = prev_words(text, start, 3)
    if not words or re.search(r"[»\")]\s*$", text[max(0, start - 3) : start]):
        return False
    first = words[0]
    if is_lab_word(first) or (_VALUE_NAME.fullmatch(first) and not is_study_word(first)):
        return not first.isdigit()
    return any(is_lab_word(w) for w in words[1:2]) and not _DATE_LEAD.search(
        text, max(0, start - 20), start
    )


def _day_month_is_date(text: str, m: re.Match[str]) -> bool:
    """A bare ``d.m`` (``03.11``, ``14.11.``) is a date in a date's context, or when both parts
    have two digits and no value context explains it (module doc)."""
    start, end = m.start(), m.end()
    d, mo = m["d"], m["m"]
    after = text[end:]
    if _UNIT_AFTER.match(after) or _RANGE_AFTER.match(after):
        return False
    if _value_context(text, start):
        return False
    lead = _DATE_LEAD.search(text, max(0, start - 20), start)
    if lead and len(mo) == 1 and any(is_lab_word(w) for w in prev_words(text, start, 3)[1:3]):
        return False  # "SUVmax до 6.2.": an analyte, a preposition, a one-digit decimal
    if lead:
        return True
    words = prev_words(text, start, 1)
    if words and is_study_word(words[0]):
        return True
    before = text[:start].rstrip()
    if (not before or before[-1] in ".;!?•") and re.match(r"\s+[а-яёА-ЯЁ]", after):
        return True
    # Two two-digit parts are a date unless a value context explains them (issue 14, third
    # round: privacy first; "выдан 24.11", "вечером 30.12").
    return len(d) == 2 and len(mo) == 2


def find_dates(text: str) -> list[Detection]:
    """Date spans (all formats of the module docstring), unmerged."""
    return [d for d in find_structured(text, localities=False) if d.type == "DATE"]


def _span(m: re.Match[str], group: str | None = None) -> tuple[int, int]:
    return (m.start(group), m.end(group)) if group else (m.start(), m.end())


# Keyword-introduced identifiers are matched anchored at each occurrence of their keyword
# (found by str.find in the lower-cased text), never by scanning the whole text with a
# case-insensitive pattern: the guard runs this on every LLM prompt.
_KEYED: dict[str, tuple[tuple[str, ...], re.Pattern[str], str]] = {
    "phone_local": (("тел", "дом.", "раб.", "моб.", "сот.", "факс"), _PHONE_LOCAL, "PHONE"),
    "snils_key": (("снилс",), _SNILS_KEY, "SNILS"),
    "inn_key": (("инн",), _INN_KEY, "INN"),
    "policy_key": (("полис", "енп"), _POLICY_KEY, "POLICY"),
    "passport_key": (("паспорт",), _PASSPORT_KEY, "PASSPORT"),
    "label_id": (
        (
            "карт",
            "и/б",
            "истори",
            "элн",
            "нетрудоспособн",
            "больничн",
            "направлени",
            "протокол",
            "заключени",
            "гистолог",
            "биопси",
            "талон",
            "договор",
            "исследовани",
        ),
        _LABEL_ID,
        "RECORD_ID",
    ),
}
_STREET_WORDS = (
    "ул.",
    "улиц",
    "пр-т",
    "пр-кт",
    "просп",
    "пр.",
    "пер.",
    "переул",
    "б-р",
    "бул.",
    "бульвар",
    "ш.",
    "шоссе",
    "наб.",
    "набережн",
    "пл.",
    "площад",
    "мкр",
    "микрорайон",
    "проезд",
    "туп.",
    "тупик",
    "пр-д",
    "алле",
    "квартал",
    "кв-л",
)


def _ungroup(rx: re.Pattern[str]) -> str:
    """A pattern's source with its named groups made anonymous (to combine patterns)."""
    return re.sub(r"\(\?P<\w+>", "(?:", rx.pattern)


# Every digit-led pattern in one alternation: a single scan of the text instead of many.
# Order matters where two could start at the same place: longer identifiers first.
_DIGIT_ORDER = (
    "policy16",
    "snils_shape",
    "passport_shape",
    "phone",
    "phone_code",
    "digits12",
    "digits11",
    "date_iso",
    "date_text",
    "phone7",
    "date_numeric",
    "date_day_roman",
    "date_dm",
    "postcode",
)
_DIGIT_SOURCES = {
    "policy16": _POLICY16,
    "snils_shape": _SNILS_SHAPE,
    "passport_shape": _PASSPORT_SHAPE,
    "phone": _PHONE,
    "phone_code": _PHONE_CODE,
    "digits12": _DIGITS12,
    "digits11": _DIGITS11,
    "date_iso": _DATE_ISO,
    "date_text": _DATE_TEXT,
    "phone7": _PHONE7,
    "date_numeric": _DATE_NUMERIC,
    "date_day_roman": _DATE_DAY_ROMAN,
    "date_dm": _DATE_DM,
    "postcode": _POSTCODE_KEY,
}
# The leading look-ahead lets the engine skip to candidate characters (5x faster here).
_DIGIT_LED = re.compile(
    "(?=[\\d+(])(?:"
    + "|".join(
        f"(?P<{n}>{_ungroup(_DIGIT_SOURCES[n]).replace('(?P=s)', '[./-]')})" for n in _DIGIT_ORDER
    )
    + ")"
)
_DIGIT_TYPES = {"policy16": "POLICY", "snils_shape": "SNILS", "passport_shape": "PASSPORT"}


def _keyed(name: str, text: str, low: str) -> list[re.Match[str]]:
    keywords, rx, _ = _KEYED[name]
    out = []
    for kw in keywords:
        i = low.find(kw)
        while i >= 0:
            if i == 0 or not low[i - 1].isalnum():
                m = rx.match(text, i)
                if m:
                    out.append(m)
            i = low.find(kw, i + 1)
    return out


def _numbered(text: str) -> list[tuple[str, int, int]]:
    """Identifiers and numbered organisations, anchored on each "№" / "номер" / "N "."""
    out = []
    for marker in ("№", "номер", "N "):
        i = text.find(marker)
        while i >= 0:
            if marker != "№" and i > 0 and text[i - 1].isalnum():
                i = text.find(marker, i + 1)
                continue
            before_start = max(0, i - 80)
            o = _ORG_NUMBERED_END.search(text, before_start, i) if marker == "№" else None
            n = _ORG_NUMBER_AT.match(text, i) if o else None
            if o and n:
                out.append(("ORGANIZATION", o.start("org"), n.end()))
            else:
                m = _ID_AT.match(text, i)
                if m and not _NOT_PERSONAL_END.search(text, before_start, i):
                    out.append(("RECORD_ID", m.start("v"), m.end("v")))
            i = text.find(marker, i + 1)
    return out


def _label_id_value(value: str) -> bool:
    """Four digits, or three and a separator; not a bare year ("исследование 2021")."""
    digits = sum(c.isdigit() for c in value)
    if _YEAR.fullmatch(value):
        return False
    return digits >= 4 or (digits >= 3 and bool(re.search(r"[/-]", value)))


def _urls(text: str) -> list[tuple[int, int]]:
    out = []
    for m in _URL.finditer(text):
        end = m.end()
        while end > m.start() and text[end - 1] in ".,;:!?)":
            end -= 1
        out.append((m.start(), end))
    return out


@lru_cache(maxsize=50_000)
def _university(token: str) -> bool:
    """A university's abbreviation - not a word in capitals ("ДОСТУПЕН", "ТОШНОТУ")."""
    return token in _UNIVERSITY_EXTRA or (
        3 <= len(token) <= 9
        and not is_medical_abbreviation(token)
        and token not in NOT_ORGANISATIONS
        and bool(_UNIVERSITY.fullmatch(token))
        and not analyzer().word_is_known(token.lower())
    )


def find_structured(text: str, *, localities: bool = True, generic: bool = True) -> list[Detection]:
    """All rule detections in ``text`` (unmerged; :func:`merge_detections` resolves overlaps).

    Parameters
    ----------
    text : str
    localities : bool, default True
        Also places named on their own ("г. Тверь", "Тверская обл."), the
        rule most prone to false alarms.
    generic : bool, default True
        Also the privacy-first detections by shape (:mod:`radjudge.anonymize.generic`);
        off, only formats and labels (what tells a patient record from public text).

    Returns
    -------
    list of Detection
        ``detector == "rules"``.

    Examples
    --------
    >>> from radjudge.anonymize.spans import merge_detections
    >>> t = "СНИЛС 112-233-445 95, тел. +7 (910) 123-45-67, поступил 3 марта 2023 г."
    >>> [(d.type, t[d.start:d.end]) for d in merge_detections(find_structured(t), t)]
    [('SNILS', '112-233-445 95'), ('PHONE', '+7 (910) 123-45-67'), ('DATE', '3 марта 2023 г.')]
    >>> t = ("Калий 4.5. С 03.11 боли, ЭКГ 14.03: ритм синусовый; явка 18.IV.22, "
    ...      "тел. (495) 318-22-46.")
    >>> [(d.type, t[d.start:d.end]) for d in merge_detections(find_structured(t), t)]
    [('DATE', '03.11'), ('DATE', '14.03'), ('DATE', '18.IV.22'), ('PHONE', '(495) 318-22-46')]
    """
    out: list[Detection] = []
    low = text.lower()

    def add(start: int, end: int, phi_type: str) -> None:
        out.append(Detection(start, end, phi_type, "rules"))

    # One pass for every digit-led pattern (alternatives tried in _DIGIT_LED order).
    for m in _DIGIT_LED.finditer(text):
        name = m.lastgroup or ""
        i, value = m.start(), m.group(0)
        if i > 0 and _BAD_PREV[name].match(text, i - 1):
            continue
        if name == "date_dm":
            dm = _DATE_DM.match(text, i)
            if dm and parse_date(value) is not None and _day_month_is_date(text, dm):
                add(i, m.end(), "DATE")
        elif name.startswith("date"):
            if parse_date(value) is not None and not _DOSE_AFTER.match(text, m.end()):
                add(i, m.end(), "DATE")
        elif name == "digits11":
            if value[0] not in "78" and snils_is_valid(value):
                add(i, m.end(), "SNILS")
        elif name == "digits12":
            if inn_is_valid(value):
                add(i, m.end(), "INN")
        elif name == "phone":
            if sum(ch.isdigit() for ch in value) == 11:
                add(i, m.end(), "PHONE")
        elif name == "phone_code":
            if sum(ch.isdigit() for ch in value) == 10:
                add(i, m.end(), "PHONE")
        elif name == "phone7":
            add(i, m.end(), "PHONE")
        elif name == "postcode":
            add(i, i + 6, "ADDRESS")
        else:
            add(i, m.end(), _DIGIT_TYPES[name])
    for y in _YEAR.finditer(text):  # "в марте 2021 г.": anchored on the year
        mon = _MONTH_ANY_END.search(text, max(0, y.start() - 14), y.start())
        if mon:
            year_word = _YEAR_WORD_AT.match(text, y.end())  # always matches: its group is optional
            add(mon.start("mon"), year_word.end() if year_word else y.end(), "DATE")
    if "." in text:
        for m in _ROMAN_MONTH_YEAR.finditer(text):  # "в VIII.2021"
            add(m.start(), m.end(), "DATE")
    if "@" in text:
        for m in _EMAIL.finditer(text):
            add(m.start(), m.end(), "EMAIL")
        for m in _HANDLE.finditer(text):
            add(m.start(), m.end(), "URL")
    if "/" in text or "www." in low:
        for start, end in _urls(text):
            add(start, end, "URL")
    for name, (_, _, phi_type) in _KEYED.items():
        for m in _keyed(name, text, low):
            if name == "label_id" and (
                not _label_id_value(m.group("v")) or _UNIT_AFTER.match(text, m.end("v"))
            ):
                continue  # "заключение: 1234 мл" is a value
            add(m.start("v"), m.end("v"), phi_type)
    for phi_type, start, end in _numbered(text):
        add(start, end, phi_type)
    if "-" in text:
        for m in _ID_SHAPE.finditer(text):
            if sum(c.isdigit() for c in m.group(0)) >= 6:
                add(m.start(), m.end(), "RECORD_ID")
    if any(w in low for w in _STREET_WORDS):
        for m in _ADDRESS.finditer(text):
            add(m.start(), m.end(), "ADDRESS")
    if "«" in text or '"' in text:
        for m in _finditer("org_legal", _ORG_LEGAL, text):
            add(m.start(), m.end(), "ORGANIZATION")
        for m in _ORG_NOUN_QUOTED.finditer(text):
            add(m.start("v"), m.end("v"), "ORGANIZATION")
    if "г." in text or "город" in text:
        for m in _ORG_KIND_CITY.finditer(text):
            add(m.start(), m.end(), "ORGANIZATION")
    for m in _ORG_FACILITY.finditer(text):
        abbr = m.group("abbr")
        if abbr is None or (len(abbr) >= 3 and not is_medical_abbreviation(abbr)):
            add(m.start(), m.end(), "ORGANIZATION")
    if any(k in text for k in ("ЦРБ", "ЦГБ", "РБ", "районн")):
        for m in _finditer("org_crb", _ORG_CRB, text):
            add(m.start(), m.end(), "ORGANIZATION")
    if "им." in text:
        for m in _ORG_ABBR.finditer(text):
            abbr = m.group("abbr")
            if abbr.isupper() or abbr[0].isupper() and sum(c.isupper() for c in abbr) >= 2:
                if not is_medical_abbreviation(abbr):
                    add(m.start(), m.end(), "ORGANIZATION")
    for m in _ORG_AUTHORITY.finditer(text):
        add(m.start(), m.end(), "ORGANIZATION")
    for m in re.finditer(r"(?<![\w-])[А-ЯЁ][А-ЯЁа-я]{1,8}(?![\w-])", text):
        if _university(m.group(0)):
            add(m.start(), m.end(), "ORGANIZATION")
    if localities:
        for m in _ADDRESS_LOCALITY.finditer(text):
            add(m.start(), m.end(), "LOCATION")
    for d in [d for d in out if d.type == "ORGANIZATION"]:  # "ЛДЦ «Медси» на Красной Пресне"
        b = _BRANCH_AFTER.match(text, d.end)
        if b and not any(
            is_clinical_word(w) or is_study_word(w) or is_lab_word(w)
            for w in re.split(r"[\s-]", b.group("v"))
        ):
            add(d.start, b.end(), "ORGANIZATION")
    if generic:
        out += find_generic(text, out)
    return out


#: The compiled patterns, by name (for the tests).
PATTERNS: dict[str, re.Pattern[str]] = {
    "date_numeric": _DATE_NUMERIC,
    "date_dm": _DATE_DM,
    "date_day_roman": _DATE_DAY_ROMAN,
    "date_iso": _DATE_ISO,
    "date_text": _DATE_TEXT,
    "date_month_year": _DATE_MONTH_YEAR,
    "email": _EMAIL,
    "url": _URL,
    "handle": _HANDLE,
    "phone": _PHONE,
    "phone_code": _PHONE_CODE,
    "phone7": _PHONE7,
    "phone_local": _PHONE_LOCAL,
    "snils_shape": _SNILS_SHAPE,
    "snils_key": _SNILS_KEY,
    "digits11": _DIGITS11,
    "digits12": _DIGITS12,
    "inn_key": _INN_KEY,
    "policy16": _POLICY16,
    "policy_key": _POLICY_KEY,
    "passport_key": _PASSPORT_KEY,
    "label_id": _LABEL_ID,
    "passport_shape": _PASSPORT_SHAPE,
    "id_at": _ID_AT,
    "id_shape": _ID_SHAPE,
    "address": _ADDRESS,
    "address_locality": _ADDRESS_LOCALITY,
    "postcode": _POSTCODE_KEY,
    "org_legal": _ORG_LEGAL,
    "org_numbered": _ORG_NUMBERED,
    "org_crb": _ORG_CRB,
    "org_facility": _ORG_FACILITY,
    "org_kind_city": _ORG_KIND_CITY,
    "org_noun_quoted": _ORG_NOUN_QUOTED,
    "org_authority": _ORG_AUTHORITY,
    "org_named_after": _ORG_ABBR,
}
