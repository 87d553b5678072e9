"""Replacement of detected spans: typed placeholders, surrogate names, shifted dates.

``replacement``
    ``"placeholder"``: every span becomes its typed placeholder (``[ФИО]``,
    ``[АДРЕС]``...). ``"surrogate"``: person names become consistent
    surrogates from the reserved pool (:mod:`radjudge.anonymize.names`) - the
    same person (same surname stem and gender) gets the same surrogate
    everywhere in a record, declined into the case of the original and in
    its shape (``Иванову И.И.`` -> ``Тихомирову Г.О.``); every other type
    keeps its typed placeholder (a fake СНИЛС or address carries nothing a
    summary needs, and a placeholder can never be mistaken for a real one).
``date_strategy``
    ``"placeholder"``: dates become ``[ДАТА]``. ``"shift"``: every date of a
    record moves by the same per-patient offset (30-365 days either way,
    derived from the seed and the patient id; never stored), in its original
    format - intervals between dates are kept. Day-month dates without a year
    (``14.11.``) shift within a leap reference year.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from radjudge.anonymize.analyzer import analyzer
from radjudge.anonymize.morph import token_kind
from radjudge.anonymize.names import (
    CASES,
    SURROGATE_FIRST_FEMALE,
    SURROGATE_FIRST_MALE,
    SURROGATE_SURNAMES,
    Case,
    Gender,
    decline,
    patronymic,
)
from radjudge.anonymize.rules import (
    _DATE_DM,
    _DATE_ISO,
    _DATE_MONTH_YEAR,
    _DATE_NUMERIC,
    _DATE_TEXT,
    _ROMAN_MONTHS,
    MONTHS_GENITIVE,
    _month_index,
    _year,
)
from radjudge.anonymize.spans import Detection
from radjudge.anonymize.types import PLACEHOLDERS

__all__ = [
    "Replacement",
    "DateStrategy",
    "date_offset_days",
    "shift_date_text",
    "SurrogateBook",
    "Replaced",
    "replace_spans",
]

Replacement = Literal["placeholder", "surrogate"]
DateStrategy = Literal["placeholder", "shift"]

_MONTHS_NOMN = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)
_MONTHS_ABBR = ("янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")
_MONTHS_LOCT = (
    "январе",
    "феврале",
    "марте",
    "апреле",
    "мае",
    "июне",
    "июле",
    "августе",
    "сентябре",
    "октябре",
    "ноябре",
    "декабре",
)


def date_offset_days(seed: int, patient_id: str) -> int:
    """Per-patient date shift in days: +-30..365, never 0, deterministic in (seed, id).

    >>> date_offset_days(1, "P001") == date_offset_days(1, "P001")
    True
    >>> 30 <= abs(date_offset_days(1, "P001")) <= 365
    True
    """
    h = int.from_bytes(
        hashlib.sha256(f"radjudge-date-shift:{seed}:{patient_id}".encode()).digest()[:8], "big"
    )
    days = 30 + h % 336
    return days if (h >> 40) % 2 else -days


def _shift(day: int, month: int, year: int, days: int) -> dt.date:
    return dt.date(year, month, day) + dt.timedelta(days=days)


def _month_text(original: str, month: int) -> str:
    """The new month written like the original: digits (same width) or Roman."""
    if original.isdigit():
        return f"{month:0{len(original)}d}"
    return _ROMAN_MONTHS[month - 1]


def _year_text(original: str, year: int) -> str:
    return str(year) if len(original) == 4 else f"{year % 100:02d}"


def shift_date_text(text: str, days: int) -> str | None:
    """Shift a date span by ``days``, keeping its format; None if the format is unknown.

    >>> shift_date_text("3 марта 2023 г.", 10), shift_date_text("28.12.", 7)
    ('13 марта 2023 г.', '04.01.')
    >>> shift_date_text("марте 2021 г.", 31), shift_date_text("12/03/21", 30)
    ('апреле 2021 г.', '11/04/21')
    >>> shift_date_text("30.XII.2021", 2), shift_date_text("3 мар. 2022", 31)
    ('01.I.2022', '3 апр. 2022')
    """
    t = text
    m = _DATE_NUMERIC.fullmatch(t)
    if m:
        y = m["y"]
        new = _shift(int(m["d"]), _month_index(m["m"]), _year(y) or 2000, days)
        day = f"{new.day:0{len(m['d'])}d}"
        return f"{day}{m['s']}{_month_text(m['m'], new.month)}{m['s']}{_year_text(y, new.year)}"
    m = _DATE_DM.fullmatch(t)
    if m:
        new = _shift(int(m["d"]), int(m["m"]), 2000, days)  # leap reference year: 29.02. is valid
        return f"{new.day:0{len(m['d'])}d}.{new.month:0{len(m['m'])}d}{m['dot'] or ''}"
    m = _DATE_ISO.fullmatch(t)
    if m:
        new = _shift(int(m["d"]), int(m["m"]), int(m["y"]), days)
        return new.isoformat()
    m = _DATE_TEXT.fullmatch(t)
    if m:
        year = int(m["y"]) if m["y"] else 2000
        new = _shift(int(m["d"]), _month_index(m["mon"]), year, days)
        mon = m["mon"]
        if mon.rstrip(".") in MONTHS_GENITIVE:
            word = MONTHS_GENITIVE[new.month - 1]
        else:
            word = _MONTHS_ABBR[new.month - 1] + ("." if mon.endswith(".") else "")
        out = f"{new.day}{t[m.end('d') : m.start('mon')]}{word}"
        if m["y"]:
            out += t[m.end("mon") : m.start("y")] + str(new.year) + t[m.end("y") :]
        return out
    m = _DATE_MONTH_YEAR.fullmatch(t)
    if m and m["rm"]:
        new = _shift(15, _month_index(m["rm"]), int(m["ry"]), days)
        return f"{_ROMAN_MONTHS[new.month - 1]}.{new.year}"
    if m:
        mon = m["mon"].lower()
        new = _shift(15, _month_index(mon), int(m["y"]), days)
        table = (
            _MONTHS_LOCT
            if mon.endswith("е")
            else MONTHS_GENITIVE
            if mon.endswith(("я", "а"))
            else _MONTHS_NOMN
        )
        word = table[new.month - 1]
        if m["mon"][0].isupper():
            word = word.capitalize()
        return f"{word} {new.year}{t[m.end('y') :]}"
    return None


_NAME_TOKEN = re.compile(r"[А-ЯЁ]\.|[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)*")


_GENDER_OF_TAG: dict[str, Gender] = {"masc": "M", "femn": "F"}


def _case_and_gender(word: str, want: str) -> tuple[Case | None, Gender | None]:
    """Case and gender of a name word from its best parse carrying tag ``want``."""
    for p in analyzer().parse(word):
        tag = p.tag
        if want in tag:
            case: Case | None = tag.case if tag.case in CASES else None
            return case, _GENDER_OF_TAG.get(tag.gender or "")
    return None, None


def _surname_stem(word: str) -> str:
    w = word.lower().replace("ё", "е")
    for suffix in ("ого", "ому", "ими", "ым", "ой", "ом", "ую", "ая", "ий", "а", "у", "е", "ы"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            return w[: -len(suffix)]
    return w


@dataclass
class SurrogateBook:
    """Consistent surrogate people for one record.

    The same person - same surname stem and gender, or same first name and
    patronymic when the mention has no surname - gets the same surrogate.
    """

    seed: str
    people: dict[tuple[str, str], tuple[str, str, str]] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    def _person(self, key: tuple[str, str], gender: Gender) -> tuple[str, str, str]:
        if key not in self.people:
            h = int.from_bytes(hashlib.sha256(f"{self.seed}:{key}".encode()).digest()[:8], "big")
            n = len(SURROGATE_SURNAMES)
            for k in range(n):
                surname = SURROGATE_SURNAMES[(h + k) % n]
                if surname not in self.used:
                    break
            self.used.add(surname)
            firsts = SURROGATE_FIRST_MALE if gender == "M" else SURROGATE_FIRST_FEMALE
            first = firsts[(h >> 16) % len(firsts)]
            fathers = [n for n in SURROGATE_FIRST_MALE if n[0] != first[0]]  # distinct initials
            father = fathers[(h >> 24) % len(fathers)]
            self.people[key] = (surname, first, patronymic(father, gender))
        return self.people[key]

    def render(self, mention: str) -> str:
        """A surrogate for one name mention, in its shape and grammatical case."""
        matches = list(_NAME_TOKEN.finditer(mention))
        tokens = [m.group(0) for m in matches]
        kinds = ["init" if t.endswith(".") else token_kind(t) for t in tokens]
        gender: Gender | None = None
        case: Case | None = None
        for t, k in zip(tokens, kinds, strict=True):
            if k in ("patr", "first"):
                c, g = _case_and_gender(t, "Patr" if k == "patr" else "Name")
                case, gender = case or c, gender or g
        surname_idx = next(
            (i for i, k in enumerate(kinds) if k in ("surn", "unknown", "other")), None
        )
        if surname_idx is not None and (gender is None or case is None):
            c, g = _case_and_gender(tokens[surname_idx], "Surn")
            case, gender = case or c, gender or g
        if gender is None and surname_idx is not None:
            gender = "F" if re.search(r"(ая|ой|ую|[ое]ва|[ие]на)$", tokens[surname_idx]) else "M"
        sex: Gender = gender or "M"
        form: Case = case or "nomn"
        if surname_idx is not None:
            key = (_surname_stem(tokens[surname_idx]), sex)
        else:
            key = (" ".join(t.lower()[:4] for t in tokens), sex)
        surname, first, patr = self._person(key, sex)
        out = []
        initials = [first[0], patr[0]]
        for k in kinds:
            if k == "init":
                out.append(f"{initials.pop(0) if initials else first[0]}.")
            elif k == "first":
                out.append(decline(first, kind="first", gender=sex, case=form))
            elif k == "patr":
                out.append(decline(patr, kind="patronymic", gender=sex, case=form))
            else:
                out.append(decline(surname, kind="surname", gender=sex, case=form))
        # Keep the original spacing ("И.И." vs "И. И.").
        result = out[0] if out else PLACEHOLDERS["NAME"]
        for i in range(1, len(out)):
            result += (" " if matches[i].start() > matches[i - 1].end() else "") + out[i]
        return result


@dataclass(frozen=True)
class Replaced:
    """A text after replacement, and where each replaced piece came from.

    Attributes
    ----------
    text : str
        The new text.
    inserted : tuple of str
        Surrogate values inserted (shifted dates and surrogate names), for the
        marker's ``surrogates``.
    pieces : tuple of (int, int, int, int)
        ``(new_start, new_end, old_start, old_end)`` of every replaced span, in order.
    """

    text: str
    inserted: tuple[str, ...]
    pieces: tuple[tuple[int, int, int, int], ...]

    def _old(self, pos: int, *, end: bool) -> int:
        shift = 0
        for ns, ne, os_, oe in self.pieces:
            if pos < ns:
                break
            if pos < ne:
                return oe if end else os_
            shift = oe - ne
        return pos + shift + (1 if end else 0)

    def to_old(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that ``text[start:end]`` came from.

        A position inside a replaced piece maps to the whole original span.

        >>> r = replace_spans("Иванов И.И. 12.03.2021", [Detection(0, 11, "NAME", "x")])
        >>> r.text, r.to_old(5, 16)
        ('[ФИО] 12.03.2021', (11, 22))
        >>> r.to_old(0, 5)
        (0, 11)
        """
        return self._old(start, end=False), self._old(end - 1, end=True)


def replace_spans(
    text: str,
    detections: Sequence[Detection],
    *,
    replacement: Replacement = "placeholder",
    date_strategy: DateStrategy = "placeholder",
    date_shift: int = 0,
    book: SurrogateBook | None = None,
) -> Replaced:
    """Replace merged, non-overlapping detections in ``text``.

    Returns
    -------
    Replaced
        The new text, the surrogate values inserted and the replaced pieces.
    """
    if replacement not in ("placeholder", "surrogate"):
        raise ValueError(f"replacement must be 'placeholder' or 'surrogate', got {replacement!r}")
    if date_strategy not in ("placeholder", "shift"):
        raise ValueError(f"date_strategy must be 'placeholder' or 'shift', got {date_strategy!r}")
    out: list[str] = []
    inserted: list[str] = []
    pieces: list[tuple[int, int, int, int]] = []
    pos = new_pos = 0
    for d in sorted(detections):
        if d.start < pos:
            raise ValueError("detections overlap; merge them first (merge_detections)")
        out.append(text[pos : d.start])
        new_pos += d.start - pos
        value = text[d.start : d.end]
        new = PLACEHOLDERS[d.type]
        if d.type == "DATE" and date_strategy == "shift":
            shifted = shift_date_text(value, date_shift)
            if shifted is not None:
                new = shifted
                inserted.append(shifted)
        elif d.type == "NAME" and replacement == "surrogate":
            if book is None:
                raise ValueError("surrogate replacement needs a SurrogateBook")
            new = book.render(value)
            inserted.append(new)
        out.append(new)
        pieces.append((new_pos, new_pos + len(new), d.start, d.end))
        new_pos += len(new)
        pos = d.end
    out.append(text[pos:])
    return Replaced("".join(out), tuple(inserted), tuple(pieces))
