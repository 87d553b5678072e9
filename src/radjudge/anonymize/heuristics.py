"""Cheap person-name heuristics: no NER, no morphology, one regex pass.

Patterns: initials with a surname-shaped word (``Иванов И.И.``, ``И.И.
Иванов``), first name + patronymic (``Анна Сергеевна``), a common first name
next to a surname-shaped word (``Анна Смирнова``), a role word followed by a
surname-shaped word (``хирургом Ивановым``, ``со слов жены Ивановой``).

One of the four detectors of :func:`radjudge.anonymize.detect_phi` (name
``heuristics``); they back up NER and morphology on names those miss.
"""

from __future__ import annotations

import re

from radjudge.anonymize.morph import ROLE_WORDS
from radjudge.anonymize.names import FIRST_NAME_FORMS
from radjudge.anonymize.spans import Detection

__all__ = ["find_name_heuristics"]

_CAP = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
_SURNAME_LIKE = (
    r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?(?:(?:ов|ев|ёв|ин|ын)(?:а|у|ым|ой|е|ы)?|(?:ск|цк)(?:ий|ая|ого|ому|им|ом|ой|ую)"
    r"|енко|ко|ук|юк|ян|ых|их|швили|дзе)"
)
_PATRONYMIC = (
    r"[А-ЯЁ][а-яё]+(?:(?:ович|евич)(?:а|у|ем|е)?|(?:овн|евн|ичн)(?:а|ы|е|у|ой))"
    r"|(?:Ильич|Кузьмич|Фомич|Лукич|Никитич)(?:а|у|ом|е)?"
)
_ROLE = ROLE_WORDS
# All name heuristics work on one list of capitalised words (a single regex pass); the rest
# are tiny anchored matches around each word - fast enough for every LLM prompt.
_CAP_WORD = re.compile(r"(?=[А-ЯЁ])[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?(?![\w-])")
_PREV_WORDISH = re.compile(r"[\w-]")
_INITIALS_AFTER = re.compile(r"\s?[А-ЯЁ]\.(?:\s?(?P<second>[А-ЯЁ])\.)?")
_CAPITAL_WORD_AT = re.compile(r"\s?[А-ЯЁ][а-яё]")
_INITIALS_BEFORE = re.compile(r"(?:^|[^\w.])(?P<first>[А-ЯЁ]\.\s?)(?P<second>[А-ЯЁ]\.\s?)?$")
_SURNAME_RX = re.compile(rf"{_SURNAME_LIKE}$")
_SURNAME_BEFORE = re.compile(rf"{_CAP}\s$")
_PATRONYMIC_RX = re.compile(rf"(?:{_PATRONYMIC})$")
_ROLE_END = re.compile(rf"(?:^|[^\w-])(?:{_ROLE})\s+$")
_ROLE_WORD = re.compile(rf"(?:{_ROLE})$")
_WORD = re.compile(r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?")


def find_name_heuristics(text: str) -> list[Detection]:
    """Cheap name candidates (no morphology): the patterns of the module docstring.

    >>> from radjudge.anonymize.spans import merge_detections
    >>> t = "Осмотрен хирургом Петровым А.В.; со слов жены, Анны Сергеевны."
    >>> [t[d.start:d.end] for d in merge_detections(find_name_heuristics(t), t)]
    ['Петровым А.В.', 'Анны Сергеевны']
    """
    out: list[Detection] = []
    words = [
        m
        for m in _CAP_WORD.finditer(text)
        if m.start() == 0 or not _PREV_WORDISH.match(text, m.start() - 1)
    ]
    for k, m in enumerate(words):
        s, e, w = m.start(), m.end(), m.group(0)
        surname_like = _SURNAME_RX.match(w) is not None
        after = _INITIALS_AFTER.match(text, e)  # Иванов И.И. / Иванов И.
        if (
            after
            and not (after.end() < len(text) and text[after.end()].isalpha())
            and not _ROLE_WORD.match(w)
        ):
            if after.group("second") or (
                surname_like and not _CAPITAL_WORD_AT.match(text, after.end())
            ):
                out.append(Detection(s, after.end(), "NAME", "heuristics"))
        before = _INITIALS_BEFORE.search(text, max(0, s - 8), s)  # И.И. Иванов / И. Иванов
        if before:
            start = before.start("first")
            if before.group("second"):
                # "Сидорову А.А. Пациент ...": the initials close the surname before them
                # (but "Врач Н.Ю. Бельская": a role word, not a surname, precedes them).
                prev = _SURNAME_BEFORE.search(text, max(0, start - 40), start)
                if not (prev and _SURNAME_RX.match(prev.group(0).strip())):
                    out.append(Detection(start, e, "NAME", "heuristics"))
            elif surname_like:
                out.append(Detection(start, e, "NAME", "heuristics"))
        if surname_like and _ROLE_END.search(text, max(0, s - 40), s):  # хирургом Ивановым
            out.append(Detection(s, e, "NAME", "heuristics"))
        if k + 1 < len(words) and words[k + 1].start() == e + 1 and text[e] == " ":
            nxt = words[k + 1].group(0)
            # Иван Иванович; a common first name next to a surname-shaped word: Анна Смирнова
            if (
                _PATRONYMIC_RX.match(nxt)
                or (w in FIRST_NAME_FORMS and (_SURNAME_RX.match(nxt) or nxt in FIRST_NAME_FORMS))
                or (nxt in FIRST_NAME_FORMS and surname_like)
            ):
                out.append(Detection(s, words[k + 1].end(), "NAME", "heuristics"))
    return out
