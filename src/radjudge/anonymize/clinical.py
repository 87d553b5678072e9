"""Clinical content that looks like PHI but must survive: eponyms, values, medical words.

The vocabulary lives in ``clinical_terms.yaml`` beside this module (its header
documents provenance and licence): eponymous surnames, the trigger words that
govern them, analytes and scales, investigations, clinical nouns and medical
abbreviations - about 1,450 entries.

A surname inside an eponym (``болезнь Крона``, ``опухоль Клацкина``,
``лимфоузел Вирхова``, ``класс A по Child-Pugh``, ``КК по Кокрофту–Голту``) is
not a person. NER and morphology tag many of them as names, so every name,
organisation or place detection that overlaps a *protected* span is dropped.

A capitalised word chain is protected when one of its words is a known eponym
(:data:`EPONYMS`) and either

* the chain joins two eponyms with a hyphen or dash (``Мейо-Робсона``), or
* it is in Latin script (``Child-Pugh``, ``Hinchey``), or
* a grade follows it (``Борман IV``, ``Bosniak IIF``), or
* a trigger word (симптом, синдром, болезнь, опухоль, лимфоузел, грыжа, шкала,
  проба, ...) precedes it with nothing in between but other eponyms, commas,
  "и" or brackets - which covers lists (``Симптомы Ортнера, Мерфи и Кера
  положительные``) - or "по" immediately precedes it (``по Кокрофту–Голту``,
  ``по Нечипоренко``).

Eponym words match by stem plus at most three letters of case ending, so
"Валя" (симптом Валя) matches but "Валентином" does not.

An eponym *not* on the list is recognised by its position (the list cannot
hold them all): a capitalised word or hyphenated chain (``Промптова``,
``Хилла-Сакса``, ``Киммерле``) right after a trigger word (``симптом``,
``повреждение``, ``аномалия``...), or after "по" when the chain is a hyphenated
pair (``по Фонтейну-Покровскому``) or a grade, stage or trigger word precedes
the "по" (``IIБ ст. по Фонтейну``, ``проба по Сулковичу``). Such a chain is
protected only when nothing marks it as a person's name: no initials, first
name or patronymic after it, no first name or patronymic inside it, and not
"история болезни" before it (``история болезни Смирнова`` names the patient).

A real doctor called, say, Боткин is therefore still a name when no trigger
precedes him ("осмотрен Боткиным С.П."), while "болезнь Боткина" is protected.

The other lists serve the rules and the NER filter: a number after an analyte
(``Калий 4.5.``) is a value, never a date (:func:`is_lab_word`); a day.month
after an investigation (``ЭКГ 14.03``) is a date (:func:`is_study_word`); a
line-initial clinical noun (``Онкомаркеры``, ``Липидограмма``) is not a place
or an organisation (:func:`is_clinical_word`).
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from pathlib import Path

import yaml

from radjudge.anonymize.analyzer import analyzer
from radjudge.anonymize.names import FIRST_NAME_FORMS

__all__ = [
    "EPONYMS",
    "is_listed_eponym",
    "MEDICAL_ABBREVIATIONS",
    "NOT_ORGANISATIONS",
    "protected_spans",
    "is_medical_abbreviation",
    "is_lab_word",
    "is_study_word",
    "is_clinical_word",
]

_TERMS: dict[str, str] = yaml.safe_load(
    (Path(__file__).with_name("clinical_terms.yaml")).read_text(encoding="utf-8")
)


def _stems(section: str) -> tuple[str, ...]:
    return tuple(sorted({w.lower().replace("ё", "е") for w in _TERMS[section].split()}))


EPONYMS: frozenset[str] = frozenset(_TERMS["eponyms"].split())

_TRIGGER_STEMS = _stems("triggers")
_TRIGGER_SET = frozenset(_TRIGGER_STEMS)
_TRIGGER_LENGTHS = sorted({len(t) for t in _TRIGGER_STEMS})
_WORD_TOKEN = re.compile(r"(?<![\w-])[^\W\d_]+(?![\w-])")


def _triggers(text: str) -> list[tuple[int, int, str]]:
    """Every trigger word of ``text`` (a word starting with a trigger stem) and every "по",
    as ``(start, end, lower-case word)`` - one pass over the words (a regular expression
    of some 250 alternatives is several times slower)."""
    out = []
    for m in _WORD_TOKEN.finditer(text):
        low = _trigger_word(m.group(0))
        if low:
            out.append((m.start(), m.end(), low))
    return out


@lru_cache(maxsize=65536)
def _trigger_word(word: str) -> str:
    """The word in lower case if it is "по" or starts with a trigger stem, else ""."""
    low = word.lower().replace("ё", "е")
    if low == "по" or any(low[:n] in _TRIGGER_SET for n in _TRIGGER_LENGTHS if n <= len(low)):
        return low
    return ""


_CHAIN = re.compile(r"[A-ZА-ЯЁ][\w']*(?:\s?[-–—]\s?[A-ZА-ЯЁ][\w']*)*")
_SPLIT = re.compile(r"\s?[-–—]\s?")
_LATIN = re.compile(r"^[A-Za-z][A-Za-z'\s–—-]*$")
# What may stand between a trigger and the eponym it governs: other eponyms of a
# list, commas, "и", brackets ("Симптомы Ортнера, Мерфи и Кера").
_GAP_TOKEN = re.compile(
    r"\s+|,|\(|\)|«|»|(?<![\w-])и(?![\w-])|[A-ZА-ЯЁ][\w']*(?:\s?[-–—]\s?[A-ZА-ЯЁ][\w']*)*"
)
_WINDOW = 80
# A grade or a score after an eponym makes it a classification or a scale: "Борман IV",
# "Bosniak IIF", "Child-Pugh B", "Брейден 14" (not an age or a measurement: "Смит 45 лет",
# "по Кокрофту–Голту 38 мл/мин").
_GRADE_AFTER = re.compile(
    r"\s(?:[IVX]{1,4}[A-F]?|[A-D]|\d{1,2}(?:[.,]\d)?)"
    r"(?!\w|[.,]\d|\s*(?:лет|год|г\.|%|(?:мм|см|мл|мг|мкг|ммоль|мкмоль|мин|сут)(?![а-яё])))"
)
# An eponym alone in brackets after an index names its method: "ФВ (Симпсон) 42%".
_INDEX_BRACKET = re.compile(r"(?<![\w-])[A-ZА-ЯЁ][A-ZА-ЯЁa-z]{0,5}\s*\($")

#: Abbreviations of medical text that NER takes for organisations or places.
MEDICAL_ABBREVIATIONS: frozenset[str] = frozenset(_TERMS["abbreviations"].split())
#: Upper-case tokens that are no organisation: the medical abbreviations and the longer list of
#: clinical and administrative abbreviations (``abbreviations_more``), also in upper case.
NOT_ORGANISATIONS: frozenset[str] = frozenset(
    w
    for t in (*MEDICAL_ABBREVIATIONS, *_TERMS["abbreviations_more"].split())
    for w in (t, t.upper())
)
_LABS = _stems("labs")
_STUDIES = _stems("studies")
_CLINICAL = _stems("clinical_words")


def is_medical_abbreviation(token: str) -> bool:
    """True for a known medical abbreviation (``КТ``, ``СРБ``, ``ФГДС``...).

    >>> is_medical_abbreviation("ФГДС"), is_medical_abbreviation("ООО")
    (True, False)
    """
    return token in MEDICAL_ABBREVIATIONS


def _starts_with_any(word: str, stems: tuple[str, ...]) -> bool:
    w = word.lower().replace("ё", "е").rstrip(".")
    return any(w.startswith(stem) if len(stem) > 3 else w == stem for stem in stems)


@lru_cache(maxsize=65536)
def is_lab_word(word: str) -> bool:
    """An analyte, index or scale whose value may follow (``Калий``, ``СРБ``, ``SUVmax``).

    >>> is_lab_word("Калий"), is_lab_word("МНО"), is_lab_word("осмотр")
    (True, True, False)
    """
    return _starts_with_any(word, _LABS)


@lru_cache(maxsize=65536)
def is_study_word(word: str) -> bool:
    """An investigation or event a date may follow (``ЭКГ``, ``УЗИ``, ``осмотр``, ``выписан``).

    >>> is_study_word("ЭКГ"), is_study_word("Госпитализация"), is_study_word("Калий")
    (True, True, False)
    """
    return _starts_with_any(word, _STUDIES)


@lru_cache(maxsize=65536)
def is_clinical_word(word: str) -> bool:
    """A clinical noun or section title (``Онкомаркеры``, ``Липидограмма``, ``Анамнез``).

    >>> is_clinical_word("Онкомаркеры"), is_clinical_word("Ревмопробы"), is_clinical_word("Тула")
    (True, True, False)
    """
    return _starts_with_any(word, _CLINICAL) or is_lab_word(word)


@lru_cache(maxsize=65536)
def _is_eponym_word(word: str) -> bool:
    """A known eponym, allowing up to three letters of case ending (Кохера, Кокрофту)."""
    w = word.lower().replace("ё", "е")
    return any(w.startswith(stem) and len(w) - len(stem) <= 3 for stem in _STEMS)


_STEMS = tuple(sorted({s.replace("ё", "е") for s in EPONYMS}))


def is_listed_eponym(chain: str) -> bool:
    """A word or hyphenated chain with a word of the eponym list (``Кохера``, ``Мейо-Робсона``).

    >>> is_listed_eponym("Клацкина"), is_listed_eponym("Хилла-Сакса"), is_listed_eponym("Петрова")
    (True, True, False)
    """
    return any(_is_eponym_word(w) for w in _SPLIT.split(chain))


def _governed_by_trigger(
    text: str, start: int, triggers: list[tuple[int, int, str]], *, unlisted: bool = False
) -> bool:
    """A trigger word precedes ``start``, separated only by list material (see _GAP_TOKEN).

    ``triggers``: :func:`_triggers` of ``text``. Other chains of a list may be unlisted
    eponyms ("симптомы Промптова, Кустнера"), and "история болезни" is no trigger (it
    names the patient). ``unlisted``: the chain at ``start`` is not on the list, so "по"
    alone does not govern it (:func:`_po_right_before` decides).
    """
    i = bisect.bisect_right([end for _, end, _ in triggers], start) - 1
    if i < 0 or triggers[i][0] < start - _WINDOW:
        return False
    t_start, t_end, word = triggers[i]
    gap = text[t_end:start]
    if word == "по":
        return not unlisted and gap.strip() == ""  # "по Кокрофту", never "по месту ... Образцовым"
    if word.startswith("болезн") and _RECORD_TITLE.search(text, max(0, t_start - 12), t_start):
        return False
    pos = 0
    while pos < len(gap):
        m = _GAP_TOKEN.match(gap, pos)
        if m is None or m.end() == pos:
            return False
        token = m.group(0)
        if token[:1].isupper() and not any(_is_eponym_word(w) for w in _SPLIT.split(token)):
            end = t_end + m.end()
            if not _eponym_shaped(text, _SPLIT.split(token), end):
                return False
        pos = m.end()
    return True


_WORD_SHAPED = re.compile(r"[A-ZА-ЯЁ][a-zа-яё']+|[IVX]{1,4}")
_PATRONYMIC_WORD = re.compile(r"[А-ЯЁ][а-яё]+(?:ович|евич|ьич|овн|евн|ичн)[а-яё]{0,3}")
_NAME_AFTER = re.compile(r"\s+(?:[А-ЯЁ]\.|(?P<w>[А-ЯЁ][а-яё]+)(?![\w-]))")
_RECORD_TITLE = re.compile(r"(?i)истори[яиюей]\s+$")
# What before "по" makes the chain after it a classification or method: a trigger noun, a
# grade, stage or score word, or a Roman grade, at most two lower-case words before the "по"
# ("IIБ ст. по", "2 балла по", "проба по", "анализ мочи по", "окраска по").
_CONTEXT_BEFORE_PO = re.compile(
    r"(?i)(?:(?<![\w-])(?:"
    + "|".join(re.escape(t).replace("е", "[её]") + r"\w*" for t in _TRIGGER_STEMS)
    + r"|ст\.|стади\w*|степен\w*|балл\w*|групп\w*|гр\.|оценк\w*|окраск\w*|анализ\w*|"
    r"тонометри\w*|расч[её]т\w*)(?:\s+[а-яё]+\.?){0,2}|(?<![\w-])[IVX]{1,4}[A-DА-Г]?)\s*$"
)


@lru_cache(maxsize=65536)
def _dictionary_tags(word: str) -> frozenset[str]:
    """The name, place and organisation tags of a word pymorphy3 knows (none for a guess):
    a reading of score >= 0.25 for a name, >= 0.4 for a place or organisation (many surnames
    have a minor place reading: "Покровскому")."""
    morph = analyzer()
    if not morph.word_is_known(word.lower()):
        return frozenset()
    return frozenset(
        tag
        for p in morph.parse(word)
        for tag in ("Name", "Patr", "Geox", "Orgn")
        if tag in p.tag and p.score >= (0.25 if tag in ("Name", "Patr") else 0.4)
    )


def _given_name(word: str) -> bool:
    """A first name or patronymic: the lexicon, the suffix, or a dictionary reading."""
    return (
        word in FIRST_NAME_FORMS
        or bool(_PATRONYMIC_WORD.fullmatch(word))
        or bool({"Name", "Patr"} & _dictionary_tags(word))
    )


@lru_cache(maxsize=65536)
def _oblique(word: str, case: str) -> bool:
    """The word can be in ``case`` (an eponym is a genitive, or a dative after "по").

    Latin words and words ending in a vowel (indeclinable: Киммерле, Мириззи) pass.
    """
    if re.fullmatch(r"[A-Za-z']+|[IVX]+", word) or word[-1] in "еиоуэю":
        return True
    return any(p.tag.case == case for p in analyzer().parse(word))


def _person_marked(text: str, words: list[str], end: int) -> bool:
    """A given name, a place or an organisation in the chain, or initials / a given name after
    it ("Исаака Ньютона", "стадионах Германии", "по Санкт-Петербургу" are no eponyms)."""
    if any(_given_name(w) or {"Geox", "Orgn"} & _dictionary_tags(w) for w in words):
        return True
    m = _NAME_AFTER.match(text, end)
    if not m:
        return False
    w = m.group("w")
    return w is None or _given_name(w)


def _po_right_before(text: str, start: int, words: list[str]) -> bool:
    """ "по" right before, and a hyphenated pair, or a grade / trigger before the "по"."""
    before = text[max(0, start - 60) : start]
    m = re.search(r"(?<![\w-])по\s+$", before)
    if m is None:
        return False
    return len(words) >= 2 or bool(_CONTEXT_BEFORE_PO.search(before, 0, m.start()))


def _eponym_shaped(text: str, words: list[str], end: int, case: str = "gent") -> bool:
    """Capitalised words (a Roman numeral may follow: "Бильрот-II") that can be in ``case``
    and are not marked as a person ("канала Перепёлкин", "Исаака Ньютона" are people)."""
    return (
        all(_WORD_SHAPED.fullmatch(w) for w in words)
        and not words[0].isupper()
        and _oblique(words[-1], case)
        and not _person_marked(text, words, end)
    )


def _unlisted_eponym(text: str, m: re.Match[str], triggers: list[tuple[int, int, str]]) -> bool:
    """A chain of unknown words in an eponym's position (module docstring)."""
    words = _SPLIT.split(m.group(0))
    return (
        _governed_by_trigger(text, m.start(), triggers, unlisted=True)
        and _eponym_shaped(text, words, m.end())
    ) or (_po_right_before(text, m.start(), words) and _eponym_shaped(text, words, m.end(), "datv"))


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of eponyms in ``text`` that no name detector may remove.

    Parameters
    ----------
    text : str

    Returns
    -------
    list of (start, end)
        Sorted, non-overlapping.

    Examples
    --------
    >>> t = "Симптом Щеткина–Блюмберга отрицательный, симптомы Ортнера, Мерфи положительные."
    >>> [t[s:e] for s, e in protected_spans(t)]
    ['Щеткина–Блюмберга', 'Ортнера', 'Мерфи']
    >>> t = "Осмотрен хирургом Боткиным С.П. Болезнь Боткина в детстве."
    >>> [t[s:e] for s, e in protected_spans(t)]
    ['Боткина']
    >>> t = "Симптом Пастернацкого отрицательный, осмотрен урологом Образцовым."
    >>> [t[s:e] for s, e in protected_spans(t)]
    ['Пастернацкого']
    """
    out: list[tuple[int, int]] = []
    triggers: list[tuple[int, int, str]] | None = None
    for m in _CHAIN.finditer(text):
        if triggers is None:
            triggers = _triggers(text)
        chain = m.group(0)
        words = _SPLIT.split(chain)
        eponymous = [_is_eponym_word(w) for w in words]
        if not any(eponymous):
            if _unlisted_eponym(text, m, triggers):
                out.append((m.start(), m.end()))
            continue
        grade = _GRADE_AFTER.match(text, m.end())
        if (
            (len(words) > 1 and sum(eponymous) >= 2)
            or _LATIN.match(chain)
            or grade
            or _governed_by_trigger(text, m.start(), triggers)
            or (
                text[m.end() : m.end() + 1] == ")"
                and _INDEX_BRACKET.search(text, max(0, m.start() - 8), m.start())
            )
        ):
            out.append((m.start(), grade.end() if grade else m.end()))
    return out
