"""Building blocks of the generator: text fragments that remember their spans, and the
per-patient context (random source, people, dates, PHI helpers).

A :class:`Frag` is a list of pieces ``(text, kind, type)``; ``kind`` is None for
plain text, ``"phi"`` for an identifier, ``"clin"`` for clinical content that
anonymization must keep. Concatenating fragments and rendering them yields
the text and exact character offsets of every span, so ground-truth offsets
are correct by construction.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from radjudge.anonymize.generic import MONTHS_GENITIVE
from radjudge.anonymize.identifiers import inn_check_digits, snils_check
from radjudge.anonymize.names import Case, Gender, decline, patronymic
from radjudge.cohort import _vocab as V

Piece = tuple[str, str | None, str | None]
_T = TypeVar("_T")

MONTHS_LOCT = (
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


MONTHS_ABBR = ("янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")
ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


class Frag:
    """Text with typed spans; ``+`` concatenates, :meth:`render` gives text and offsets."""

    __slots__ = ("pieces",)

    def __init__(self, pieces: Iterable[Piece] = ()) -> None:
        self.pieces: list[Piece] = list(pieces)

    def __add__(self, other: Frag | str) -> Frag:
        return Frag(self.pieces + as_frag(other).pieces)

    def __radd__(self, other: Frag | str) -> Frag:
        return Frag(as_frag(other).pieces + self.pieces)

    def __bool__(self) -> bool:
        return any(p[0] for p in self.pieces)

    @property
    def plain(self) -> str:
        return self.render()[0]

    def render(
        self,
    ) -> tuple[str, list[tuple[int, int, str, str]], list[tuple[int, int, str, str]]]:
        """Text, PHI spans and clinical spans ``(start, end, type, text)``.

        A plain piece starting with "." right after text ending in "." loses
        that dot (a sentence ending in "3 марта 2023 г." gets no second dot).
        """
        out: list[str] = []
        phi: list[tuple[int, int, str, str]] = []
        clin: list[tuple[int, int, str, str]] = []
        pos = 0
        for text, kind, typ in self.pieces:
            if kind is None and text.startswith(".") and out and out[-1].endswith("."):
                text = text[1:]
            if kind == "phi":
                phi.append((pos, pos + len(text), typ or "", text))
            elif kind == "clin":
                clin.append((pos, pos + len(text), typ or "", text))
            out.append(text)
            pos += len(text)
        return "".join(out), phi, clin


def as_frag(x: Frag | str) -> Frag:
    return x if isinstance(x, Frag) else Frag([(x, None, None)])


def T(text: str) -> Frag:
    return Frag([(text, None, None)])


def P(text: str, phi_type: str) -> Frag:
    return Frag([(text, "phi", phi_type)])


def C(text: str, clin_type: str) -> Frag:
    return Frag([(text, "clin", clin_type)])


def J(sep: str, items: Iterable[Frag | str]) -> Frag:
    out = Frag()
    for i, item in enumerate(items):
        if i:
            out = out + sep
        out = out + item
    return out


def F(template: str, **values: Frag | str) -> Frag:
    """Fill ``{name}`` fields of a template with fragments or strings."""
    out = Frag()
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        if literal:
            out = out + literal
        if name is not None:
            out = out + values[name]
    return out


def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian plural form for a count: ``plural(3, "год", "года", "лет") == "года"``."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return few
    return many


def lower_first(frag: Frag) -> Frag:
    """Lower-case the first letter of a fragment (after a colon)."""
    pieces = list(frag.pieces)
    for i, (text, kind, typ) in enumerate(pieces):
        if text:
            if kind is None and (len(text) < 2 or not text[1].isupper()):  # "АД" stays
                pieces[i] = (text[0].lower() + text[1:], kind, typ)
            break
    return Frag(pieces)


def upper_first(frag: Frag) -> Frag:
    """Capitalise the first letter of a fragment (a sentence start)."""
    pieces = list(frag.pieces)
    for i, (text, kind, typ) in enumerate(pieces):
        if text:
            if kind is None:
                pieces[i] = (text[0].upper() + text[1:], kind, typ)
            break
    return Frag(pieces)


def num(value: float, decimals: int) -> str:
    """Russian decimal comma: ``num(14.8, 1) == '14,8'``."""
    return f"{value:.{decimals}f}".replace(".", ",")


@dataclass
class Person:
    surname: str  # male nominative
    first: str
    patronymic: str
    gender: Gender

    def part(self, kind: str, case: Case) -> str:
        if kind == "surname":
            return decline(self.surname, kind="surname", gender=self.gender, case=case)
        if kind == "first":
            if self.first == "Любовь":  # the one irregular name of the cohort
                return {"nomn": "Любовь", "accs": "Любовь", "ablt": "Любовью"}.get(case, "Любови")
            return decline(self.first, kind="first", gender=self.gender, case=case)
        return decline(self.patronymic, kind="patronymic", gender=self.gender, case=case)

    def render(self, case: Case, style: str) -> str:
        s, f, p = (self.part(k, case) for k in ("surname", "first", "patronymic"))
        i1, i2 = self.first[0], self.patronymic[0]
        return {
            "SFP": f"{s} {f} {p}",
            "FPS": f"{f} {p} {s}",
            "FS": f"{f} {s}",
            "FP": f"{f} {p}",
            "S_II": f"{s} {i1}.{i2}.",
            "S_I_I": f"{s} {i1}. {i2}.",
            "II_S": f"{i1}.{i2}. {s}",
            "IIS": f"{i1}.{i2}.{s}",
            "I_I_S": f"{i1}. {i2}. {s}",
            "SF": f"{s} {f}",
        }[style]


@dataclass
class Lab:
    name: str
    value: float
    decimals: int
    unit: str
    low: float | None
    high: float | None
    flag: str  # "high" | "low" | "normal"

    @property
    def reference(self) -> str:
        d = self.decimals
        if (self.low is None or self.low == 0) and self.high is not None:
            return f"<{num(self.high, d)}"
        if self.high is None and self.low is not None:
            return f">{num(self.low, d)}"
        return f"{num(self.low or 0, d)}–{num(self.high or 0, d)}"

    def fact(self) -> dict[str, object]:
        value: float | int = round(self.value, self.decimals)
        if self.decimals == 0:
            value = int(value)
        return {
            "name": self.name,
            "value": value,
            "unit": self.unit,
            "reference": self.reference,
            "flag": self.flag,
        }


@dataclass
class Context:
    """Everything one patient's sections are generated from."""

    rng: random.Random
    sex: Gender
    age: int
    admission: dt.date
    patient: Person
    detail: str  # "brief" | "standard" | "detailed"
    hospital: Frag = field(default_factory=Frag)
    key_labs: list[Lab] = field(default_factory=list)
    used_surnames: set[str] = field(default_factory=set)

    # --- grammar -------------------------------------------------------------
    def g(self, male: str, female: str) -> str:
        return male if self.sex == "M" else female

    def pick(self, seq: Sequence[_T]) -> _T:
        return seq[self.rng.randrange(len(seq))]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    # --- clinical spans --------------------------------------------------------
    def eponym(self, text: str) -> Frag:
        return C(text, "EPONYM")

    def size(self, text: str) -> Frag:
        return C(text, "SIZE")

    def icd(self, code: str) -> Frag:
        return C(code, "ICD10")

    def drug(self, key: str, *, regimen: bool = True) -> Frag:
        name, dose, how = V.CHRONIC_DRUGS[key]
        return C(f"{name} {dose}", "DRUG") + (f" {how}" if regimen else "")

    def age_frag(self, age: int | None = None) -> Frag:
        a = self.age if age is None else age
        return C(f"{a} {plural(a, 'год', 'года', 'лет')}", "AGE")

    def lab(
        self,
        name: str,
        lo: float | None,
        hi: float | None,
        unit: str,
        decimals: int,
        state: str = "normal",
        *,
        span: tuple[float, float] | None = None,
        key: bool = False,
    ) -> Lab:
        """A lab value: ``state`` normal/high/low inside a plausible range, or explicit ``span``."""
        r = self.rng
        if span is not None:
            value = r.uniform(*span)
        elif state == "normal":
            a = lo if lo is not None else 0.0
            b = hi if hi is not None else a * 1.5
            value = r.uniform(a + 0.1 * (b - a), b - 0.1 * (b - a))
        elif state == "high":
            base = hi if hi is not None else (lo or 1.0)
            value = r.uniform(base * 1.15, base * 2.0)
        else:
            base = lo if lo is not None else (hi or 1.0)
            value = r.uniform(base * 0.55, base * 0.88)
        value = round(value, decimals)
        if hi is not None and value > hi:
            flag = "high"
        elif lo is not None and value < lo:
            flag = "low"
        else:
            flag = "normal"
        lab = Lab(name, value, decimals, unit, lo, hi, flag)
        if key:
            self.key_labs.append(lab)
        return lab

    def lab_frag(self, lab: Lab, *, label: str | None = None, ref: bool = True) -> Frag:
        unit = f" {lab.unit}" if lab.unit and not lab.unit.startswith("×") else lab.unit
        name = lab.name
        if len(name) > 1 and name[1].islower():  # "Гемоглобин" -> "гемоглобин", "АЛТ" stays
            name = name[0].lower() + name[1:]
        out = T(f"{label or name} ") + C(f"{num(lab.value, lab.decimals)}{unit}", "LAB")
        if ref:
            out = out + f" ({lab.reference})"
        if lab.flag != "normal" and self.detail != "brief":
            out = out + ("↑" if lab.flag == "high" else "↓")
        return out

    # --- people ------------------------------------------------------------------
    def new_person(self, gender: Gender, surname: str | None = None) -> Person:
        r = self.rng
        if surname is None:
            while True:
                surname = self.pick(V.SURNAMES)
                if surname not in self.used_surnames:
                    break
        self.used_surnames.add(surname)
        first = self.pick(V.FIRST_MALE if gender == "M" else V.FIRST_FEMALE)
        father = self.pick(V.FATHERS)
        _ = r  # the person is fully determined by the draws above
        return Person(surname, first, patronymic(father, gender), gender)

    def name(self, person: Person, case: Case, styles: tuple[str, ...] | None = None) -> Frag:
        styles = styles or ("SFP", "S_II", "II_S", "FPS", "S_I_I")
        return P(person.render(case, self.pick(styles)), "NAME")

    def caps_name(self, person: Person, case: Case) -> Frag:
        """The full name in capitals, as a referral header prints it."""
        return P(person.render(case, "SFP").upper(), "NAME")

    def lower_name(self, person: Person, case: Case) -> Frag:
        """The name in lower case, as a hurried note types it ("петрова анна", "ахмедов р.м.")."""
        return P(person.render(case, self.pick(("SF", "S_II", "SFP"))).lower(), "NAME")

    def doctor(self) -> Person:
        return self.new_person(self.pick(("M", "F")))

    # --- dates ---------------------------------------------------------------------
    def days_before(self, n: int) -> dt.date:
        return self.admission - dt.timedelta(days=n)

    def date(self, d: dt.date, styles: tuple[str, ...] = ("num", "text", "dm")) -> Frag:
        style = self.pick(styles)
        if style == "num":
            return P(f"{d.day:02d}.{d.month:02d}.{d.year}", "DATE")
        if style == "num2":
            return P(f"{d.day:02d}.{d.month:02d}.{d.year % 100:02d}", "DATE")
        if style == "text":
            return P(f"{d.day} {MONTHS_GENITIVE[d.month - 1]} {d.year} г.", "DATE")
        if style == "text_noyear":
            return P(f"{d.day} {MONTHS_GENITIVE[d.month - 1]}", "DATE")
        if style == "dm":
            return P(f"{d.day:02d}.{d.month:02d}.", "DATE")
        if style == "month_year":  # used after the preposition "в"
            return P(f"{MONTHS_LOCT[d.month - 1]} {d.year} г.", "DATE")
        if style == "slash":
            return P(f"{d.day:02d}/{d.month:02d}/{d.year}", "DATE")
        if style == "hyphen":
            return P(f"{d.day:02d}-{d.month:02d}-{d.year}", "DATE")
        if style == "roman":
            year = d.year if self.chance(0.7) else f"{d.year % 100:02d}"
            return P(f"{d.day}.{ROMAN_MONTHS[d.month - 1]}.{year}", "DATE")
        if style == "abbr":
            dot = "." if d.month != 5 and self.chance(0.6) else ""
            return P(f"{d.day} {MONTHS_ABBR[d.month - 1]}{dot} {d.year}", "DATE")
        if style == "dm_bare":  # used after the preposition "с"
            return P(f"{d.day:02d}.{d.month:02d}", "DATE")
        raise ValueError(style)

    # --- identifiers -------------------------------------------------------------------
    def digits(self, n: int) -> str:
        return "".join(str(self.rng.randrange(10)) for _ in range(n))

    def phone(self) -> Frag:
        r = self.rng
        code = self.pick(V.PHONE_CODES)
        a, b, c = self.digits(3), self.digits(2), self.digits(2)
        style = r.randrange(7)
        if style == 5:  # a city number with its code in brackets, no "8"
            city = self.pick(V.CITY_PHONE_CODES)
            return P(f"({city}) {self.digits(2)}-{b}-{c}", "PHONE")
        if style == 6:  # a local seven-digit number
            return P(f"{r.randrange(200, 999)}-{b}-{c}", "PHONE")
        if style == 0:
            text = f"+7 ({code}) {a}-{b}-{c}"
        elif style == 1:
            text = f"8-{code}-{a}-{b}-{c}"
        elif style == 2:
            text = f"8{code}{a}{b}{c}"
        elif style == 3:
            text = f"+7{code}{a}{b}{c}"
        else:
            city = self.pick(V.CITY_PHONE_CODES)
            text = f"8 ({city}) {self.digits(2)}-{b}-{c}"
        return P(text, "PHONE")

    def snils(self) -> Frag:
        head = str(self.rng.randrange(2, 10)) + self.digits(8)
        check = snils_check(head)
        text = f"{head[:3]}-{head[3:6]}-{head[6:9]} {check:02d}"
        return P(text, "SNILS")

    def inn(self) -> Frag:
        head = self.pick(("69", "76", "44", "62", "40", "67", "37")) + self.digits(8)
        return P(head + inn_check_digits(head), "INN")

    def oms(self) -> Frag:
        d = self.pick(("69", "76", "44", "62", "40")) + self.digits(14)
        text = d if self.chance(0.7) else " ".join(d[i : i + 4] for i in range(0, 16, 4))
        return P(text, "POLICY")

    def dms(self) -> Frag:
        return P(f"{self.digits(3)}-{self.digits(6)}/{self.rng.randrange(22, 25)}", "POLICY")

    def passport(self) -> tuple[Frag, str]:
        series = (
            self.pick(("28", "78", "34", "61", "29", "66", "24"))
            + f"{self.rng.randrange(0, 24):02d}"
        )
        number = self.digits(6)
        style = self.rng.randrange(3)
        if style == 0:
            return P(f"{series[:2]} {series[2:]} {number}", "PASSPORT"), "паспорт "
        if style == 1:
            return P(f"{series} № {number}", "PASSPORT"), "паспорт серия "
        return P(f"{series} {number}", "PASSPORT"), "паспорт: "

    def record_number(self) -> Frag:
        r = self.rng
        year = self.admission.year % 100
        style = r.randrange(5)
        if style == 4:
            return P(f"{r.randrange(10, 99)}-{r.randrange(100, 999)}/{year:02d}", "RECORD_ID")
        if style == 0:
            return P(f"{r.randrange(100, 99999)}", "RECORD_ID")
        if style == 1:
            return P(f"{r.randrange(1, 9999)}/{year}", "RECORD_ID")
        if style == 2:
            return P(f"{self.admission.year}-{r.randrange(1000, 29999)}", "RECORD_ID")
        return P(f"{r.randrange(10, 99)}-{r.randrange(100, 9999)}", "RECORD_ID")

    def email(self, person: Person) -> Frag:
        translit = str.maketrans(
            {
                "а": "a",
                "б": "b",
                "в": "v",
                "г": "g",
                "д": "d",
                "е": "e",
                "ё": "e",
                "ж": "zh",
                "з": "z",
                "и": "i",
                "й": "y",
                "к": "k",
                "л": "l",
                "м": "m",
                "н": "n",
                "о": "o",
                "п": "p",
                "р": "r",
                "с": "s",
                "т": "t",
                "у": "u",
                "ф": "f",
                "х": "h",
                "ц": "ts",
                "ч": "ch",
                "ш": "sh",
                "щ": "sch",
                "ъ": "",
                "ы": "y",
                "ь": "",
                "э": "e",
                "ю": "yu",
                "я": "ya",
            }
        )
        sur = person.part("surname", "nomn").lower().translate(translit)
        first = person.first.lower().translate(translit)
        r = self.rng
        local = self.pick(
            (
                f"{sur}.{first[0]}",
                f"{first}.{sur}",
                f"{sur}{r.randrange(60, 99)}",
                f"{sur}_{first[:3]}",
            )
        )
        return P(f"{local}@{self.pick(V.EMAIL_DOMAINS)}", "EMAIL")

    def address(self) -> Frag:
        r = self.rng
        city, region, zip3, towns = self.pick(V.CITIES)
        kind, street = self.pick(V.STREETS)
        house = r.randrange(1, 120)
        flat = r.randrange(1, 240)
        postcode = f"{zip3}{r.randrange(0, 1000):03d}"
        letter = self.pick(("", "", "", "А", "Б"))
        style = r.randrange(7)
        if style == 5:  # the street's name before its type word, a building letter
            text = f"г. {city}, {self.pick(V.STREETS_NAME_FIRST)}, д. {house}{letter}, кв. {flat}"
        elif style == 6:
            text = f"г. {city}, {kind} {street}, д. {house}, лит. {self.pick('АБВ')}, кв. {flat}"
        elif style == 0:
            text = f"{postcode}, г. {city}, {kind} {street}, д. {house}, кв. {flat}"
        elif style == 1:
            text = f"г. {city}, {kind} {street}, д. {house}, корп. {r.randrange(1, 5)}, кв. {flat}"
        elif style == 2:
            text = f"{region}, {self.pick(V.VILLAGES)}, {kind} {street}, д. {house}"
        elif style == 3:
            text = f"г. {city}, {kind} {street}, {house}-{flat}"
        else:
            town = self.pick(towns)
            text = f"{region}, г. {town}, {kind} {street}, д. {house}, кв. {flat}"
        return P(text, "ADDRESS")

    def oblique_address(self) -> tuple[str, Frag]:
        """A street in the prepositional case with its house: ("на", "улице Садовой, д. 5")."""
        prep, street = self.pick(V.OBLIQUE_STREETS)
        house = f"{self.rng.randrange(1, 120)}{self.pick(('', '', 'А', 'Б'))}"
        flat = f", кв. {self.rng.randrange(1, 240)}" if self.chance(0.7) else ""
        tail = f"{house}-{self.rng.randrange(1, 240)}" if self.chance(0.25) else f"д. {house}{flat}"
        return prep, P(f"{street}, {tail}", "ADDRESS")

    def url(self) -> Frag:
        site = self.pick(V.URL_SITES)
        if site == "vk.com":
            return P(f"vk.com/id{self.digits(8)}", "URL")
        scheme = self.pick(("https://", "http://", ""))
        if not scheme and not site.startswith("www."):
            scheme = "https://"
        return P(f"{scheme}{site}/results/{self.digits(6)}", "URL")

    def make_hospital(self, *, outpatient: bool = False) -> Frag:
        r = self.rng
        tmpl = self.pick(V.CLINICS if outpatient else V.HOSPITALS)
        return P(tmpl.format(n=r.randrange(1, 12), town_adj=self.pick(V.TOWN_ADJ)), "ORGANIZATION")

    def employer(self) -> tuple[Frag, str]:
        org, pos_m, pos_f = self.pick(V.EMPLOYERS)
        return P(org.format(n=self.rng.randrange(1, 40)), "ORGANIZATION"), self.g(pos_m, pos_f)
