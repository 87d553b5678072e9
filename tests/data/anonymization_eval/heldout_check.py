"""Build and check the held-out evaluation set of the anonymizer (issue 14, second set).

The snippets are written in ``source/heldout.txt`` with inline mark-up; this script turns
them into ``heldout.jsonl`` (no offset is typed by hand), derives each snippet's classes
from its annotations, and checks the result. It uses the standard library only and imports
nothing from the project, so the set stays independent of the anonymizer it measures.

Usage (from the repository root)::

    python tests/data/anonymization_eval/heldout_check.py            # print the tables
    python tests/data/anonymization_eval/heldout_check.py --build    # write jsonl + HELDOUT.md
    python tests/data/anonymization_eval/heldout_check.py --check    # exit 1 on any problem

``--dir DIR`` points all three at another copy of this folder (the tests use it on broken
copies). See ``HELDOUT.md`` for the mark-up, the span conventions and the class definitions.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE_NAME = "source/heldout.txt"
JSONL_NAME = "heldout.jsonl"
README_NAME = "HELDOUT.md"
ID_PREFIX = "h"

TYPES = ("NAME", "DATE", "PHONE", "EMAIL", "URL", "ADDRESS", "ID", "ORG")
KINDS = (
    "diagnosis",
    "icd",
    "eponym",
    "lab_value",
    "scale",
    "drug",
    "dose",
    "anatomy",
    "age",
    "measurement",
    "procedure",
)
SECTIONS = (
    "complaints",
    "present_illness",
    "past_history",
    "labs",
    "imaging",
    "referral",
    "discharge",
    "examination",
    "other",
)
FLAGS = ("tricky",)
# The classes of issue 14, named and defined as in the first set's README.
REQUIRED_CLASSES = (
    "date_slash",
    "date_hyphen",
    "date_two_digit_year",
    "date_roman_month",
    "date_abbrev_month",
    "date_day_month_after_preposition",
    "date_text",
    "date_iso_and_dotted",
    "phone_city_code",
    "phone_local_7_digit",
    "phone_mobile",
    "id_card_label_hyphen_slash",
    "email",
    "url",
    "street_oblique_case",
    "avenue_abbrev",
    "house_letters_flat_pattern",
    "org_abbrev",
    "name_caps",
    "name_lower",
    "name_initials",
    "name_oblique_case",
    "surname_after_role_word",
    "clinical_keep_sentence_initial_adjective",
    "clinical_keep_eponym",
    "clinical_keep_decimal_sentence_end",
    "clinical_keep_scale_version",
    "clinical_keep_icd_code",
)
EXTRA_CLASSES = (
    "date_day_month_bare",
    "date_month_year",
    "address_plain",
    "org_full_name",
    "name_plain",
    "negative",
    "tricky_non_identifier",
)
CLASSES = REQUIRED_CLASSES + EXTRA_CLASSES
MIN_PER_CLASS = 8
MIN_SNIPPETS = 200
NEGATIVE_SHARE = (0.20, 0.30)

TAG_CLASS = {
    ("NAME", "obl"): "name_oblique_case",
    ("NAME", "role"): "surname_after_role_word",
    ("ADDRESS", "obl"): "street_oblique_case",
}
KEEP_TAG_CLASS = {"adj": "clinical_keep_sentence_initial_adjective"}

MARKUP = re.compile(
    r"\[\[(?P<type>[A-Z]+)(?P<ttags>(?:\+[a-z]+)*)\|(?P<ident>[^\[\]]+)\]\]"
    r"|\{\{(?P<kind>[a-z_]+)(?P<ktags>(?:\+[a-z]+)*)\|(?P<kept>[^{}]+)\}\}"
)
STRAY_MARKUP = re.compile(r"\[\[|\]\]|\{\{|\}\}")

# ---------------------------------------------------------------- format classes

MONTHS_FULL = "январ|феврал|март|апрел|ма[йяе]|июн|июл|август|сентябр|октябр|ноябр|декабр"
FULL_MONTH = re.compile(rf"(?i)^(?:{MONTHS_FULL})[а-я]*$")
ABBREV_MONTH = re.compile(
    r"(?i)^(?:янв|фев|февр|мар|апр|июн|июл|авг|сен|сент|окт|ноя|нояб|дек"
    r"|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\.?$"
)
YEAR_SUFFIX = r"(?:\s*(?:г\.|года|г\b))?"
NUMERIC_DATE = re.compile(
    rf"^(?P<d>\d{{1,2}})(?P<sep>[./-])(?P<m>\d{{1,2}}|[IVX]{{1,4}})(?P=sep)"
    rf"(?P<y>\d{{2}}|\d{{4}}){YEAR_SUFFIX}$"
)
ISO_DATE = re.compile(r"^(?:19|20)\d{2}(?:-\d{2}-\d{2}|\d{4})$")
DAY_MONTH = re.compile(r"^\d{1,2}\.\d{1,2}$")
MONTH_YEAR_NUMERIC = re.compile(r"^\d{2}\.(?:19|20)\d{2}$")
WORD_DATE = re.compile(
    rf"^(?:(?P<d>\d{{1,2}})(?:-го)?[\s-])?(?P<m>[A-Za-zА-Яа-яё]+\.?)"
    rf"(?:[\s-](?P<y>\d{{2}}|\d{{4}}))?{YEAR_SUFFIX}$"
)
PREPOSITIONS = frozenset("с со до от по на к ко в за после около".split())


def date_classes(span: str, before: str) -> list[str]:
    """Format classes of a DATE span; ``before`` is the text preceding it."""
    if ISO_DATE.match(span):
        return ["date_iso_and_dotted"]
    if MONTH_YEAR_NUMERIC.match(span):
        return ["date_month_year"]
    if DAY_MONTH.match(span):
        previous = re.findall(r"[\w-]+", before[-20:].lower())
        if previous and previous[-1] in PREPOSITIONS:
            return ["date_day_month_after_preposition"]
        return ["date_day_month_bare"]
    numeric = NUMERIC_DATE.match(span)
    if numeric:
        classes = []
        if not numeric["m"].isdigit():
            classes.append("date_roman_month")
        elif numeric["sep"] == "/":
            classes.append("date_slash")
        elif numeric["sep"] == "-":
            classes.append("date_hyphen")
        elif len(numeric["y"]) == 4:
            classes.append("date_iso_and_dotted")
        if len(numeric["y"]) == 2:
            classes.append("date_two_digit_year")
        return classes
    worded = WORD_DATE.match(span)
    if worded:
        month = worded["m"]
        if ABBREV_MONTH.match(month):
            classes = ["date_abbrev_month"]
            if worded["y"] and len(worded["y"]) == 2:
                classes.append("date_two_digit_year")
            return classes
        if FULL_MONTH.match(month.rstrip(".")):
            if worded["d"]:
                return ["date_text"]
            if worded["y"]:
                return ["date_month_year"]
    return []


def phone_classes(span: str) -> list[str]:
    """Format classes of a PHONE span."""
    digits = re.sub(r"\D", "", span)
    if span.startswith("+") and not span.startswith("+7"):
        return ["phone_mobile"] if len(digits) >= 10 else []  # a foreign mobile number
    if re.match(r"^(?:\+7|8)\D", span) or re.match(r"^(?:\+7|8)9\d{9}$", span):
        if len(digits) != 11:
            return []
        return ["phone_mobile"] if digits[1] == "9" else ["phone_city_code"]
    if len(digits) == 7 and re.match(r"^\d", span):
        return ["phone_local_7_digit"]
    return []


STREET_WORD = re.compile(
    r"(?i)\b(?:ул\b|улиц|просп|пр-к?т|пр\.|переул|пер\.|бульвар|б-р|шоссе|ш\.|проезд|пр-д"
    r"|набережн|наб\.|площад|пл\.|тупик|туп\.|лини)"
)
AVENUE_ABBREV = re.compile(r"(?i)(?:\bпр-к?т\b|\bпросп\.|\bпр\.\s)")
HOUSE_PATTERN = re.compile(
    r"(?i)(?:\b\d+\s?[а-яa-z](?![\w-])|\b\d+-\d+\b|\b\d+/\d+\b|\bкорп\.?|\bстр\.\s?\d|\bк\.\s?\d"
    r"|\bлит\.)"
)


def address_classes(span: str) -> list[str]:
    """Format classes of an ADDRESS span (street_oblique_case comes from the mark-up)."""
    classes = []
    if AVENUE_ABBREV.search(span):
        classes.append("avenue_abbrev")
    if HOUSE_PATTERN.search(span):
        classes.append("house_letters_flat_pattern")
    if not re.search(r"\d", span) and not STREET_WORD.search(span):
        classes.append("address_plain")
    return classes


def org_classes(span: str) -> list[str]:
    """``org_abbrev`` when the name holds an upper-case abbreviation, else ``org_full_name``."""
    if re.search(r"\b[А-ЯЁA-Z]{2,}\b", span):
        return ["org_abbrev"]
    return ["org_full_name"]


INITIAL = re.compile(r"(?<![\w])[А-ЯЁA-Zа-яё]\.")


def name_classes(span: str) -> list[str]:
    """Format classes of a NAME span (oblique case and role word come from the mark-up)."""
    classes = []
    words = re.findall(r"[А-ЯЁA-Zа-яёa-z][А-ЯЁA-Zа-яёa-zІіЇїЄє'-]+", span)
    if words and all(w.isupper() for w in words):
        classes.append("name_caps")
    if words and words[0][0].islower():
        classes.append("name_lower")
    if INITIAL.search(span):
        classes.append("name_initials")
    return classes


def keep_classes(kind: str, text: str) -> list[str]:
    """Classes a kept term gives its snippet."""
    classes = []
    if kind == "icd":
        classes.append("clinical_keep_icd_code")
    if kind == "eponym":
        classes.append("clinical_keep_eponym")
    if kind == "scale":
        classes.append("clinical_keep_scale_version")
    if re.search(r"\d\.\d+\.$", text):
        classes.append("clinical_keep_decimal_sentence_end")
    return classes


# ---------------------------------------------------------------- checksums and labels


def snils_valid(number: str) -> bool:
    """СНИЛС check digits (Пенсионный фонд РФ rule)."""
    digits = [int(c) for c in re.sub(r"\D", "", number)]
    if len(digits) != 11:
        return False
    total = sum(d * (9 - i) for i, d in enumerate(digits[:9]))
    check = total if total < 100 else (0 if total in (100, 101) else total % 101 % 100)
    return check == digits[9] * 10 + digits[10]


def inn_valid(number: str) -> bool:
    """ИНН check digits (ФНС rule) for 10- and 12-digit numbers."""
    digits = [int(c) for c in number] if number.isdigit() else []

    def check(weights: list[int]) -> int:
        return sum(w * d for w, d in zip(weights, digits[: len(weights)], strict=True)) % 11 % 10

    if len(digits) == 10:
        return check([2, 4, 10, 3, 5, 9, 4, 6, 8]) == digits[9]
    if len(digits) == 12:
        return (
            check([7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == digits[10]
            and check([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == digits[11]
        )
    return False


ID_LABEL = re.compile(
    r"(?i)(?:№|\bN\b|\bNo\b|\bномер|\bсери[яи]|карт|\bи/б|\bИБ\b|истори|полис|\bОМС|\bДМС|\bЕНП"
    r"|СНИЛС|\bИНН|паспорт|ЭЛН|листок|направлени|протокол|исследовани|\bID\b|\bUID\b|accession"
    r"|гистолог|биопси|образ[ео]ц|заявк|талон|свидетельств|код подразделения|билет|штрихкод"
    r"|договор|рег\.|\|)"
)


# ---------------------------------------------------------------- parsing


@dataclass
class Snippet:
    """One snippet as parsed from the source, before it becomes a jsonl record."""

    line: int
    section: str
    flags: list[str]
    text: str = ""
    spans: list[dict] = field(default_factory=list)
    keep: list[dict] = field(default_factory=list)
    tags: list[tuple[str, str, int]] = field(default_factory=list)  # (kind, tag, index)


class Problems(list):
    """Problems found, each a message naming the file, line and snippet id."""

    def add(self, where: str, message: str) -> None:
        self.append(f"{where}: {message}")


def parse_source(path: Path, problems: Problems) -> list[Snippet]:
    """Parse the mark-up of ``path`` into snippets; report mark-up errors to ``problems``."""
    snippets: list[Snippet] = []
    lines: list[str] = []
    current: Snippet | None = None

    def close() -> None:
        if current is not None:
            fill(current, "\n".join(lines), path, problems)
            snippets.append(current)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.rstrip()
        if line.startswith("%"):
            continue
        if line.startswith("#"):
            close()
            words = line[1:].split()
            section, flags = (words[0] if words else ""), words[1:]
            if section not in SECTIONS:
                problems.add(f"{path}:{number}", f"unknown section {section!r}; use {SECTIONS}")
            for flag in flags:
                if flag not in FLAGS:
                    problems.add(f"{path}:{number}", f"unknown flag {flag!r}; use {FLAGS}")
            current, lines = Snippet(line=number, section=section, flags=flags), []
        elif not line:
            close()
            current, lines = None, []
        elif current is None:
            problems.add(f"{path}:{number}", "text outside a snippet; start it with '# section'")
        else:
            lines.append(line)
    close()
    return snippets


def fill(snippet: Snippet, marked: str, path: Path, problems: Problems) -> None:
    """Strip the mark-up of one snippet, recording spans, kept terms and tags."""
    where = f"{path}:{snippet.line}"
    out: list[str] = []
    position = 0
    for match in MARKUP.finditer(marked):
        out.append(marked[position : match.start()])
        start = sum(len(part) for part in out)
        if match["type"]:
            value, tags = match["ident"], match["ttags"]
            if match["type"] not in TYPES:
                problems.add(where, f"unknown identifier type {match['type']!r}; use {TYPES}")
            snippet.spans.append(
                {"start": start, "end": start + len(value), "type": match["type"], "text": value}
            )
            target, index = "span", len(snippet.spans) - 1
        else:
            value, tags = match["kept"], match["ktags"]
            if match["kind"] not in KINDS:
                problems.add(where, f"unknown kept-term kind {match['kind']!r}; use {KINDS}")
            snippet.keep.append(
                {"start": start, "end": start + len(value), "text": value, "kind": match["kind"]}
            )
            target, index = "keep", len(snippet.keep) - 1
        for tag in filter(None, tags.split("+")):
            snippet.tags.append((target, tag, index))
        out.append(value)
        position = match.end()
    out.append(marked[position:])
    snippet.text = "".join(out)
    if STRAY_MARKUP.search(snippet.text):
        problems.add(where, "unbalanced mark-up ([[ ]] or {{ }}) left in the text")


# ---------------------------------------------------------------- classes


FORMAT_CLASSES = {
    "DATE": date_classes,
    "PHONE": lambda value, before: phone_classes(value),
    "ADDRESS": lambda value, before: address_classes(value),
    "ORG": lambda value, before: org_classes(value),
    "NAME": lambda value, before: name_classes(value),
    "ID": lambda value, before: ["id_card_label_hyphen_slash"],
    "EMAIL": lambda value, before: ["email"],
    "URL": lambda value, before: ["url"],
}
NAME_CLASSES = frozenset(
    "name_caps name_lower name_initials name_oblique_case surname_after_role_word".split()
)


def derive_classes(snippet: Snippet, where: str, problems: Problems) -> list[str]:
    """The classes a snippet exercises, read off its annotations and mark-up tags."""
    found: list[str] = []
    text = snippet.text
    for target, items in (("span", snippet.spans), ("keep", snippet.keep)):
        for index, item in enumerate(items):
            if target == "span":
                derive = FORMAT_CLASSES.get(item["type"], lambda value, before: [])
                classes = derive(item["text"], text[: item["start"]])
                if item["type"] in ("DATE", "PHONE") and not classes:
                    problems.add(where, f"{item['type']} {item['text']!r} fits no format class")
            else:
                classes = keep_classes(item["kind"], item["text"])
            for tag in (t for kind, t, i in snippet.tags if kind == target and i == index):
                cls = TAG_CLASS.get((item["type"], tag)) if target == "span" else None
                cls = cls or (KEEP_TAG_CLASS.get(tag) if target == "keep" else None)
                if cls is None:
                    problems.add(where, f"tag +{tag} is not allowed on {item['text']!r}")
                    continue
                why = implausible_tag(tag, item, text)
                if why:
                    problems.add(where, f"+{tag} on {item['text']!r} is implausible: {why}")
                classes.append(cls)
            if target == "span" and item["type"] == "NAME" and not NAME_CLASSES & set(classes):
                classes.append("name_plain")
            found += classes
    if not snippet.spans:
        found.append("negative")
    if "tricky" in snippet.flags:
        found.append("tricky_non_identifier")
    return [c for c in CLASSES if c in found]


OBLIQUE_ENDING = re.compile(r"(?i)(?:[аяуюеи]|ой|ей|ом|ем|ым|им|ых|их)$")
ADJECTIVE_ENDING = re.compile(r"(?i)(?:ый|ий|ой|ая|яя|ое|ее|ые|ие)$")
ICD_CODE = re.compile(r"[A-Z]\d{2}(?:\.\d{1,2})?$")


def implausible_tag(tag: str, item: dict, text: str) -> str:
    """Why a judgement tag does not fit its annotation, or '' when it is plausible."""
    value = item["text"]
    words = re.findall(r"[^\W\d_][\w'-]*", value)
    before = text[: item["start"]].rstrip()
    if tag == "obl":
        if item["type"] == "ADDRESS" and not STREET_WORD.search(value):
            return "no street word (ул., проспект, переулок, ...) in the address"
        if not any(OBLIQUE_ENDING.search(w) for w in words if len(w) > 2):
            return "no word has an oblique-case ending"
    elif tag == "role":
        previous = re.findall(r"[^\W\d_][\w-]*", before[-30:])
        if len(words) != 1 or "." in value:
            return "not a lone surname"
        if not previous or not previous[-1][0].islower():
            return "the preceding word is not a lower-case word"
    elif tag == "adj":
        if not words or not words[0][0].isupper() or not ADJECTIVE_ENDING.search(words[0]):
            return "does not open with a capitalised adjective"
        opener = before[-1:] if before else ""
        if opener and opener not in ":.;(—\n" and not ICD_CODE.search(before):
            return "does not open a clause (after ':', '.', ';', a line start or an ICD code)"
    return ""


# ---------------------------------------------------------------- records and checks


def build_records(source: Path, problems: Problems) -> list[dict]:
    """The jsonl records of the source, in file order, ids h001, h002, ..."""
    records = []
    for number, snippet in enumerate(parse_source(source, problems), start=1):
        ident = f"{ID_PREFIX}{number:03d}"
        where = f"{source}:{snippet.line} ({ident})"
        records.append(
            {
                "id": ident,
                "section": snippet.section,
                "text": snippet.text,
                "spans": snippet.spans,
                "keep": snippet.keep,
                "classes": derive_classes(snippet, where, problems),
                "_line": snippet.line,
            }
        )
    return records


def public(record: dict) -> dict:
    """A record without its private source line number."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


RESIDUE = {
    "full date": re.compile(
        r"\b\d{1,2}[./-](?:\d{1,2}|[IVX]{1,4})[./-](?:\d{4}|\d{2})\b"
        rf"|\b\d{{1,2}}\s+(?:{MONTHS_FULL})[а-я]*\b|\b(?:19|20)\d{{2}}-\d{{2}}-\d{{2}}\b"
    ),
    "bare year": re.compile(r"(?<![\d.,/-])(?:19\d{2}|20[0-2]\d)(?![\d.,/-]?\d)"),
    "e-mail": re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
    "URL": re.compile(
        r"(?i)(?:https?://|www\.)\S+|\b[\w-]+\.(?:ru|com|org|net|su|by|kz|uz|рф|me|us)\b"
    ),
    "phone": re.compile(
        r"\+\d[\d\s()-]{8,}\d|(?<![\d.,])8[\s(-]+\d{3,5}[)\s-]+\d[\d\s-]{4,}\d"
        r"|(?<![\d.,/-])\d{2,3}-\d{2}-\d{2}(?![\d-])"
    ),
    "СНИЛС": re.compile(r"\b\d{3}-\d{3}-\d{3}\s?\d{2}\b"),
    "long number": re.compile(r"\d{6,}"),
}
GENERIC_ABBREVIATIONS = frozenset(
    "ГБУЗ ГАУЗ ГБУ ГУЗ ОГБУЗ КГБУЗ ФГБУ ФГБУЗ ФГБОУ ФГАОУ ВО ФКУ ФКУЗ ЧУЗ НУЗ ООО ОАО ПАО АО ЗАО "
    "СПАО МУП МБОУ ТОО ГКП ПХВ РБ РФ МЗ ДЗМ ЯНАО РСО ГКБ ГБ ЦРБ КБ ОКБ МСЧ РТ ФМБА СМП МСЭ".split()
)
SUFFIXES_OF_PATRONYMS = frozenset("оглы кызы угли улы".split())


def blank_out(text: str, items: list[dict]) -> str:
    """``text`` with the annotated stretches replaced by spaces (offsets kept)."""
    chars = list(text)
    for item in items:
        chars[item["start"] : item["end"]] = " " * (item["end"] - item["start"])
    return "".join(chars)


def check_record(record: dict, where: str, problems: Problems) -> None:
    """Offsets, overlaps, labels, checksums and unannotated identifiers of one record."""
    text = record["text"]
    items = [("span", s) for s in record["spans"]] + [("kept term", k) for k in record["keep"]]
    for what, item in items:
        if text[item["start"] : item["end"]] != item["text"]:
            problems.add(where, f"{what} {item['text']!r} != text[{item['start']}:{item['end']}]")
        if item["text"] != item["text"].strip() or not item["text"]:
            problems.add(where, f"{what} {item['text']!r} is empty or has surrounding space")
    ordered = sorted(items, key=lambda pair: pair[1]["start"])
    for (what_a, a), (what_b, b) in pairwise(ordered):
        if b["start"] < a["end"]:
            problems.add(where, f"{what_a} {a['text']!r} overlaps {what_b} {b['text']!r}")
    for cls in record["classes"]:
        if cls not in CLASSES:
            problems.add(where, f"unknown class {cls!r}")
    for span in record["spans"]:
        if span["type"] != "ID":
            continue
        line_before = text[: span["start"]].rsplit("\n", 1)[-1][-45:]
        if not ID_LABEL.search(line_before):
            problems.add(where, f"ID {span['text']!r} has no label (№, полис, СНИЛС, ...)")
        label = line_before[-14:]
        if "СНИЛС" in label and not snils_valid(span["text"]):
            problems.add(where, f"СНИЛС {span['text']!r} has wrong check digits")
        if "ИНН" in label and not inn_valid(span["text"]):
            problems.add(where, f"ИНН {span['text']!r} has wrong check digits")
    residue = blank_out(text, record["spans"])
    residue_no_keep = blank_out(residue, record["keep"])
    for what, pattern in RESIDUE.items():
        haystack = residue_no_keep if what == "bare year" else residue
        for match in pattern.finditer(haystack):
            problems.add(where, f"unannotated {what} {match.group().strip()!r}")
    check_repeats(record, residue, where, problems)


def check_repeats(record: dict, residue: str, where: str, problems: Problems) -> None:
    """An annotated name, number or organisation must not occur again unannotated."""
    words = re.findall(r"[^\W\d_][\w-]*", residue)
    numbers = [re.sub(r"\D", "", m.group()) for m in re.finditer(r"\d[\d\s()./-]*\d", residue)]
    for span in record["spans"]:
        value = span["text"]
        if re.search(rf"(?<!\w){re.escape(value)}(?!\w)", residue):
            problems.add(where, f"{span['type']} {value!r} occurs again unannotated")
        if span["type"] == "NAME":
            for token in re.findall(r"[^\W\d_][\w'-]+", value):
                low = token.lower()
                if len(low) < 3 or low in SUFFIXES_OF_PATRONYMS:
                    continue
                stem = low[: max(4, len(low) - 2)] if len(low) >= 6 else low
                for word in words:
                    w = word.lower()
                    if w == low or (
                        len(low) >= 6 and w.startswith(stem) and len(w) <= len(low) + 3
                    ):
                        problems.add(
                            where, f"name word {token!r} occurs again unannotated: {word!r}"
                        )
        elif span["type"] == "ORG":
            for token in re.findall(r"\b[А-ЯЁA-Z]{3,}\b", value):
                if token in GENERIC_ABBREVIATIONS:
                    continue
                if re.search(rf"\b{re.escape(token)}\b", residue):
                    problems.add(where, f"ORG abbreviation {token!r} occurs again unannotated")
        elif span["type"] in ("ID", "PHONE"):
            digits = re.sub(r"\D", "", value)
            if len(digits) >= 5 and any(digits in number for number in numbers):
                problems.add(where, f"{span['type']} digits {digits!r} occur again unannotated")


def counts(records: list[dict]) -> dict[str, Counter]:
    """Snippets per class and section, spans per type, kept terms per kind."""
    return {
        "class": Counter(c for r in records for c in r["classes"]),
        "type": Counter(s["type"] for r in records for s in r["spans"]),
        "kind": Counter(k["kind"] for r in records for k in r["keep"]),
        "section": Counter(r["section"] for r in records),
    }


def table(records: list[dict]) -> str:
    """The Markdown count tables of HELDOUT.md."""
    found = counts(records)
    negative = found["class"]["negative"]
    lines = [
        f"{len(records)} snippets, {sum(found['type'].values())} identifier spans, "
        f"{sum(found['kind'].values())} kept terms, {negative} snippets without identifiers "
        f"({negative / max(len(records), 1):.0%}).",
        "",
        "| class | snippets |",
        "|---|---:|",
    ]
    lines += [f"| {c} | {found['class'][c]} |" for c in CLASSES]
    lines += ["", "| identifier type | spans |", "|---|---:|"]
    lines += [f"| {t} | {found['type'][t]} |" for t in TYPES]
    lines += ["", "| kept term kind | terms |", "|---|---:|"]
    lines += [f"| {k} | {found['kind'][k]} |" for k in KINDS]
    lines += ["", "| section | snippets |", "|---|---:|"]
    lines += [f"| {s} | {found['section'][s]} |" for s in SECTIONS]
    return "\n".join(lines)


TABLE_START, TABLE_END = "<!-- counts:start -->", "<!-- counts:end -->"


def readme_with_table(readme: str, records: list[dict]) -> str:
    """``readme`` with the text between the count markers replaced by fresh tables."""
    head, start, rest = readme.partition(TABLE_START)
    _, end, tail = rest.partition(TABLE_END)
    if not start or not end:
        raise ValueError(f"{README_NAME} lacks the markers {TABLE_START} ... {TABLE_END}")
    return f"{head}{TABLE_START}\n{table(records)}\n{TABLE_END}{tail}"


def check_set(folder: Path) -> Problems:
    """Every check of the set in ``folder``; an empty result means the set is sound."""
    problems = Problems()
    source, jsonl, readme = folder / SOURCE_NAME, folder / JSONL_NAME, folder / README_NAME
    records = build_records(source, problems)
    lines_by_id = {r["id"]: r["_line"] for r in records}
    built = [json.dumps(public(r), ensure_ascii=False) for r in records]
    on_disk = jsonl.read_text(encoding="utf-8").splitlines() if jsonl.exists() else []
    if built != on_disk:
        differing = next(
            (i for i, (a, b) in enumerate(zip(built, on_disk, strict=False)) if a != b),
            min(len(built), len(on_disk)),
        )
        problems.add(
            str(jsonl),
            f"differs from a fresh build of {SOURCE_NAME} (first at line {differing + 1}); "
            "run heldout_check.py --build",
        )
    # Check what is on disk, record by record, so that a hand-edited jsonl is caught too.
    for number, line in enumerate(on_disk, start=1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            problems.add(f"{jsonl}:{number}", f"not JSON: {error}")
            continue
        where = f"{jsonl}:{number} ({record.get('id')}, source line {lines_by_id.get(record.get('id'))})"
        missing = {"id", "section", "text", "spans", "keep", "classes"} - set(record)
        if missing:
            problems.add(where, f"missing fields {sorted(missing)}")
            continue
        if record["section"] not in SECTIONS:
            problems.add(where, f"unknown section {record['section']!r}")
        for span in record["spans"]:
            if span.get("type") not in TYPES:
                problems.add(where, f"unknown identifier type {span.get('type')!r}")
        for item in record["keep"]:
            if item.get("kind") not in KINDS:
                problems.add(where, f"unknown kept-term kind {item.get('kind')!r}")
        check_record(record, where, problems)
    check_collection(records, folder, problems)
    if readme.exists():
        text = readme.read_text(encoding="utf-8")
        try:
            if readme_with_table(text, records) != text:
                problems.add(str(readme), "count tables are stale; run heldout_check.py --build")
        except ValueError as error:
            problems.add(str(readme), str(error))
    else:
        problems.add(str(readme), "missing")
    return problems


def check_collection(records: list[dict], folder: Path, problems: Problems) -> None:
    """Checks across snippets: duplicates, class minimums, share of negatives, size."""
    where = str(folder / SOURCE_NAME)
    seen: dict[str, str] = {}
    for record in records:
        if record["text"] in seen:
            problems.add(where, f"{record['id']} repeats the text of {seen[record['text']]}")
        seen.setdefault(record["text"], record["id"])
    found = counts(records)["class"]
    for cls in REQUIRED_CLASSES:
        if found[cls] < MIN_PER_CLASS:
            problems.add(where, f"class {cls} has {found[cls]} snippets, needs {MIN_PER_CLASS}")
    if len(records) < MIN_SNIPPETS:
        problems.add(where, f"{len(records)} snippets, needs at least {MIN_SNIPPETS}")
    share = found["negative"] / max(len(records), 1)
    low, high = NEGATIVE_SHARE
    if not low <= share <= high:
        problems.add(
            where, f"share of snippets without identifiers {share:.2f} is outside {low}–{high}"
        )


def build(folder: Path) -> Problems:
    """Write the jsonl and the README tables from the source; return mark-up problems."""
    problems = Problems()
    records = build_records(folder / SOURCE_NAME, problems)
    lines = [json.dumps(public(r), ensure_ascii=False) for r in records]
    (folder / JSONL_NAME).write_text("\n".join(lines) + "\n", encoding="utf-8")
    readme = folder / README_NAME
    if readme.exists():
        readme.write_text(readme_with_table(readme.read_text(encoding="utf-8"), records), "utf-8")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--build", action="store_true", help="write heldout.jsonl and tables")
    mode.add_argument("--check", action="store_true", help="exit 1 and list every problem")
    parser.add_argument("--dir", type=Path, default=HERE, help="folder of the set")
    args = parser.parse_args(argv)
    folder = args.dir
    if args.build:
        build(folder)  # its mark-up problems are found again by the check below
        problems = check_set(folder)
    elif args.check:
        problems = check_set(folder)
    else:
        print(table(build_records(folder / SOURCE_NAME, Problems())))
        return 0
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
