"""Build and check the third held-out evaluation set of the Russian anonymizer (issue 14).

The snippets are written in ``source/heldout3.txt`` with inline mark-up; this script turns
them into ``heldout3.jsonl`` (so no offset is typed by hand), checks the set and prints its
count tables::

    python tests/data/anonymization_eval/heldout3_check.py --build   # source -> jsonl
    python tests/data/anonymization_eval/heldout3_check.py --check   # exit 1 on any problem
    python tests/data/anonymization_eval/heldout3_check.py --table   # the tables of HELDOUT3.md
    python tests/data/anonymization_eval/heldout3_check.py --write-table  # ... written into it

``--dir`` points at another copy of the folder (the tests use broken copies). The script
imports nothing from the project: it only reads and writes the files of this folder.

Mark-up of the source::

    % a comment line
    # <section> [tricky]
    Text with [[TYPE|identifier]], [[NAME+obl|Петровой А.С.]], [[NAME+role|Шульц]],
    {{kind|kept term}} and {{diagnosis+adj|Билиарный панкреатит}}.

Lines of one snippet are joined with a newline; a blank line ends the snippet. Flags
(``+obl``, ``+role``, ``+adj``) may be combined (``[[NAME+role+obl|Мкртчяну]]``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = Path("source") / "heldout3.txt"
JSONL = Path("heldout3.jsonl")
README = Path("HELDOUT3.md")
TABLE_BEGIN = "<!-- heldout3-counts:begin -->"
TABLE_END = "<!-- heldout3-counts:end -->"
TABLE = re.compile(re.escape(TABLE_BEGIN) + r"\n?(.*?)\n?" + re.escape(TABLE_END), re.S)
ID_PREFIX = "k"

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
SPAN_FLAGS = {"NAME": {"obl", "role"}, "ADDRESS": {"obl"}}
KEEP_FLAGS = {"adj"}
SNIPPET_FLAGS = {"tricky"}

# The classes of the issue, with the names and meanings of the first set's README; each must
# occur in at least MIN_PER_CLASS snippets.
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
# Descriptive classes: the first set's extras, then the ones this set adds for formats and
# settings the first set's list does not name (see HELDOUT3.md).
EXTRA_CLASSES = (
    "date_day_month_bare",
    "date_month_year",
    "address_plain",
    "org_full_name",
    "name_plain",
    "negative",
    "tricky_non_identifier",
    "date_compact",
    "date_english",
    "phone_foreign",
    "phone_local_short",
    "name_latin",
    "name_double_barrelled",
    "address_rural",
    "address_street_type_other",
    "address_foreign",
    "id_snils",
    "id_inn",
    "id_dicom_uid",
    "id_latin",
)
ALL_CLASSES = REQUIRED_CLASSES + EXTRA_CLASSES
MIN_PER_CLASS = 8
MIN_SNIPPETS = 200
NEGATIVE_SHARE = (0.20, 0.30)
# An identifier of these types names one person or one record: it must not recur in another
# snippet, so that a detector cannot score by one memorised string.
UNIQUE_ACROSS_SNIPPETS = ("NAME", "PHONE", "EMAIL", "URL", "ID")

MARKUP = re.compile(
    r"\[\[(?P<type>[A-Z]+)(?P<sflags>(?:\+[a-z]+)*)\|(?P<stext>.+?)\]\]"
    r"|\{\{(?P<kind>[a-z_]+)(?P<kflags>(?:\+[a-z]+)*)\|(?P<ktext>.+?)\}\}"
)
HEADER = re.compile(r"#\s*(?P<section>[a-z_]+)\s*(?:\[(?P<flags>[a-z ,]+)\])?\s*$")

MONTHS_FULL = (
    r"январ[яьеи]|феврал[яьеи]|март[аеу]?|апрел[яьеи]|ма[яйе]|июн[яьеи]|июл[яьеи]"
    r"|август[аеу]?|сентябр[яьеи]|октябр[яьеи]|ноябр[яьеи]|декабр[яьеи]"
)
MONTHS_ABBR = r"янв|фев|февр|мар|апр|июн|июл|авг|сен|сент|окт|ноя|нояб|дек"
MONTHS_EN_FULL = (
    r"January|February|March|April|May|June|July|August|September|October|November|December"
)
MONTHS_EN_ABBR = r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
ROMAN_MONTH = r"XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I"
RE_FULL_MONTH = re.compile(rf"(?i)\b(?:{MONTHS_FULL})\b")
RE_ABBR_MONTH = re.compile(rf"(?i)\b(?:{MONTHS_ABBR})\b\.?")
RE_EN_FULL = re.compile(rf"\b(?:{MONTHS_EN_FULL})\b")
RE_EN_ABBR = re.compile(rf"\b(?:{MONTHS_EN_ABBR})\b")
RE_ROMAN = re.compile(rf"\d\s*[./\s-]\s*(?:{ROMAN_MONTH})\b")
RE_SLASH = re.compile(r"\d\s*/\s*\d")
RE_HYPHEN = re.compile(r"(?<![\d-])\d{1,2}-\d{1,2}-\d{2}(?:\d{2})?(?![\d-])")
RE_ISO = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")
RE_DOTTED = re.compile(r"(?<![\d.])\d{1,2}\.\d{1,2}\.\d{4}(?!\d)")
RE_TWO_DIGIT_YEAR = re.compile(
    rf"(?i)(?<!\d)\d{{1,2}}\s*[./\s-]\s*"
    rf"(?:\d{{1,2}}|{ROMAN_MONTH}|(?:{MONTHS_ABBR})\.?|{MONTHS_FULL})"
    r"\s*[./\s-]\s*\d{2}(?![\d.]\d)(?!\d)"
)
RE_COMPACT = re.compile(r"^(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$")
RE_DAY_MONTH = re.compile(r"^\d{1,2}(?:[./]|\s)\d{1,2}\.?$")
RE_MONTH_YEAR_NUM = re.compile(r"^\d{1,2}[./]\d{4}(?:\s*г\.?)?$")
PREPOSITION_BEFORE = re.compile(r"(?i)(?:^|[\s(«\"])(?:с|со|c|до|от|по|к|на|после|около)\s+$")

# Words that label a record number; an ID span needs one of them (or № / #) before it.
ID_LABEL_WORDS = (
    r"№|#|\bN\s?$|\bPID\b|\bOBR\b|\bMSH\b|\bИНЗ\b|\bИБ\b|\bЕНП\b|\bСМО\b|\bnr\b|\bid\b|id:",
    r"карт|амб|истори|и/б|а/к|полис|паспорт|снилс|инн|иин|огрн|окпо|омс|дмс|элн|листк|листа",
    r"направлен|протокол|исследовани|гистолог|биопс|цитолог|образ|проб|штрих|баркод|заявк",
    r"талон|номер|серия|удостоверен|свидетельств|жительств|миграцион|договор|вызов|регистрац",
    r"обращени|пропуск|эпид|анализ|accession|uid|mrn|patient|pass|insurance|policy|госномер",
)
ID_LABEL = re.compile("(?i)(" + "|".join(ID_LABEL_WORDS) + ")")
OBL_NAME_END = re.compile(
    r"(?i)(ой|ому|ему|ым|им|ом|ем|ою|ею|ого|его|ича|ичу|иче|ичем|овны|евны|овне|евне|"
    r"овной|евной|овну|евну|ине|ину|иной|ове|ову|овым|евым|ну|не|ле|ре|те|ке|ии|ю|у|"
    r"а|я|е|и|ы)$"
)
STREET_WORD = re.compile(
    r"(?i)\b(ул|улиц\w*|пр|пр-т\w*|пр-кт\w*|просп\w*|проспект\w*|пер|переул\w*|б-р|"
    r"бульвар\w*|проезд\w*|пр-д|туп|тупик\w*|ш|шоссе|наб|набережн\w*|пл|площад\w*|"
    r"лини\w*|мкр|микрорайон\w*|кв-л|квартал\w*|алле\w*|тракт\w*|Straße|str|street|"
    r"St|Ave|Rd|ko'chasi|массив\w*)\b\.?"
)
OBL_STREET = re.compile(
    r"(?i)(\b(улице|проспекте|пр-те|переулке|бульваре|проезде|набережной|площади|тупике|"
    r"линии|микрорайоне|аллее|тракте)\b|\b\w+(ой|ей|ом|ем|ому|ему|ого|его)\b)"
)
AVENUE = re.compile(r"(?i)(\bпр-к?т[еау]?\b\.?|\bпросп\.|\bпр\.\s)")
HOUSE_PATTERN = re.compile(
    r"(?i)(\d+[а-яa-z]\b|\d+\s*«[а-я]»|\d+-\d+|\d+/\d+|\bкорп\.|\bкорпус\b|\bстр\.|"
    r"\bстроение\b|\bк\.\s?\d|\dк\d|\bлит\.)"
)
OTHER_STREET_TYPE = re.compile(
    r"(?i)\b(мкр|микрорайон\w*|проезд\w*|пр-д|тупик\w*|туп|шоссе|ш|лини[яиюей]|бульвар\w*|б-р|"
    r"переул\w*|пер|набережн(?:ая|ой|ую)|наб|площад[ьи]|пл|квартал\w*|кв-л|алле[яиюей]|"
    r"тракт\w*|массив\w*)\b\.?"
)
RURAL = re.compile(
    r"(?i)\b(СНТ|ДНТ|СНТСН|ДНП|ДПК|пгт|рп|ЗАТО|в/г|деревн\w*|сел[оау]\b|селе\b|посёл\w*|"
    r"посел\w*|аул\w*|станиц\w*|хутор\w*|улус\w*|кишлак\w*)"
    r"|(?<![\w-])(?:д|дер|с|пос|п|ст-ца|х|р\.\s?п)\.\s*(?-i:[А-ЯЁ])"
)
FOREIGN_PLACE = re.compile(
    r"(?i)(\b(казахстан|узбекистан|армени[яи]|грузи[яи]|азербайджан|кыргызстан|киргизи[яи]|"
    r"таджикистан|беларусь|белоруссия|германи[яи]|израил[ья]|коре[яи]|алматы|ташкент|ереван|"
    r"тбилиси|баку|бишкек|минск|душанбе|астана|самарканд|гюмри|кутаиси|сеул|пусан|хайфа)\b"
    r"|[a-z])"
)
ABBREV_TOKEN = re.compile(r"[A-ZА-ЯЁ]{2,}")
INITIAL = re.compile(r"(?<![\w])[A-ZА-ЯЁ]\.")
ADJ_END = re.compile(r"(?i)(ый|ий|ой|ая|яя|ое|ее|ые|ие|ого|его|ому|ему|ым|им|ую|юю|ых|их)$")
ADJ_OPENER = re.compile(r"(^|[.:;!?—–(-]|\b[A-Z]\d{2}(?:\.\d{1,2})?\+?|\[|\|)\s*$")
DECIMAL_SENTENCE_END = re.compile(r"\d[.,]\d+\.$")
TRICKY_SHAPES = re.compile(
    r"(\d+[.,]\d+|\d+\s*/\s*\d+|\d+\s*[xх×*]\s*\d+|\b\d+\s*[-–]\s*\d+\b"
    r"|\b[CТTLSDh]{1,2}\d{1,2}\s*[-–]\s*[CТTLSDh]{0,2}\d|\b[IVX]+\s*[-–]\s*[IVX]+\b"
    r"|\d+\s*(лет|года|год|мес)|\b\d{3}/у|\d+[YyГг]\b)"
)

# Shapes that must never appear outside an annotated span or kept term.
UNANNOTATED = (
    ("full date", re.compile(r"(?<![\d.])\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})(?![\d.]\d)")),
    ("ISO date", RE_ISO),
    ("text date", re.compile(rf"(?i)\b\d{{1,2}}\s+(?:{MONTHS_FULL}|{MONTHS_ABBR}\.)")),
    ("e-mail", re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")),
    (
        "URL",
        re.compile(
            r"(?i)(https?://|www\.|\b[\w-]+\.(ru|рф|com|org|net|su|de|kz|uz|am|ge|by|local)"
            r"(?![\w]))"
        ),
    ),
    ("phone", re.compile(r"\+\d[\d\s()-]{7,}|\b8\s?\(\d{3,5}\)|(?<![\d-])\d{2,3}-\d{2}-\d{2}\b")),
    ("long number", re.compile(r"(?<![\d.,])\d{6,}")),
)


class SourceError(ValueError):
    """A mark-up problem in the source file, naming the file and line."""


def _oblique_name_plausible(text: str) -> bool:
    tokens = [t for t in re.split(r"[\s^]+", text) if len(t) > 2 and not INITIAL.fullmatch(t)]
    return any(OBL_NAME_END.search(t) for t in tokens)


def _has_tricky_shape(rec: dict) -> bool:
    """Whether the text outside identifier spans holds a number shaped like an identifier."""
    text = list(rec["text"])
    for span in rec["spans"]:
        text[span["start"] : span["end"]] = " " * (span["end"] - span["start"])
    return bool(TRICKY_SHAPES.search("".join(text)))


def _flag_problem(kind_or_type: str, flags: set[str], text: str, before: str) -> str | None:
    """Return why a reader's flag is implausible for this string, or None."""
    if "role" in flags:
        if " " in text.strip() or "^" in text:
            return f"+role needs a lone surname, got {text!r}"
        words = re.findall(r"[\w/.-]+", before)
        if not words or not words[-1][0].islower():
            return f"+role needs a lower-case word before {text!r}"
    if "obl" in flags and kind_or_type == "NAME" and not _oblique_name_plausible(text):
        return f"+obl: no oblique case ending in {text!r}"
    if "obl" in flags and kind_or_type == "ADDRESS":
        if not STREET_WORD.search(text) or not OBL_STREET.search(text):
            return f"+obl: no street in an oblique case in {text!r}"
    if "adj" in flags:
        first = text.split()[0]
        if not first[0].isupper() or not ADJ_END.search(first.rstrip(".,;:")):
            return f"+adj: {text!r} does not open with a capitalised adjective"
        if not ADJ_OPENER.search(before):
            return f"+adj: {text!r} does not open a clause"
    return None


def parse_source(path: Path) -> list[dict]:
    """Parse the mark-up source into records (with the reader's flags kept internally).

    Raises
    ------
    SourceError
        On unknown sections, types, kinds or flags, stray mark-up or implausible flags;
        the message names the file and line.
    """
    records: list[dict] = []
    current: dict | None = None
    lines = path.read_text(encoding="utf-8").split("\n")

    def close() -> None:
        nonlocal current
        if current is not None:
            if not current["text"]:
                raise SourceError(f"{path}:{current['line']}: snippet without text")
            if "tricky" in current["flags"] and not _has_tricky_shape(current):
                raise SourceError(
                    f"{path}:{current['line']}: [tricky] snippet without a number shaped like "
                    "an identifier (decimal, a/b, AxB, level range, Roman range, age, form code)"
                )
            records.append(current)
        current = None

    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        where = f"{path}:{number}"
        if line.startswith("%"):
            continue
        if not line.strip():
            close()
            continue
        if line.startswith("#"):
            close()
            header = HEADER.match(line)
            if not header or header["section"] not in SECTIONS:
                raise SourceError(f"{where}: header must be '# <section> [tricky]', {line!r}")
            flags = {f.strip() for f in re.split(r"[ ,]+", header["flags"] or "") if f.strip()}
            if flags - SNIPPET_FLAGS:
                raise SourceError(f"{where}: unknown snippet flag(s) {sorted(flags)}")
            current = {
                "line": number,
                "section": header["section"],
                "flags": flags,
                "text": "",
                "spans": [],
                "keep": [],
            }
            continue
        if current is None:
            raise SourceError(f"{where}: text before a '# <section>' header")
        text = current["text"] + ("\n" if current["text"] else "")
        pos = 0
        for m in MARKUP.finditer(line):
            text += line[pos : m.start()]
            pos = m.end()
            is_span = m["type"] is not None
            label = m["type"] if is_span else m["kind"]
            flags = {f for f in (m["sflags"] if is_span else m["kflags"]).split("+") if f}
            inner = m["stext"] if is_span else m["ktext"]
            if is_span and label not in TYPES:
                raise SourceError(f"{where}: unknown identifier type {label!r}")
            if not is_span and label not in KINDS:
                raise SourceError(f"{where}: unknown kept-term kind {label!r}")
            allowed = SPAN_FLAGS.get(label, set()) if is_span else KEEP_FLAGS
            if flags - allowed:
                raise SourceError(
                    f"{where}: flag(s) {sorted(flags - allowed)} not allowed on {label}"
                )
            if inner != inner.strip():
                raise SourceError(f"{where}: white space around {inner!r}")
            before = text[text.rfind("\n") + 1 :]
            problem = _flag_problem(label, flags, inner, before)
            if problem:
                raise SourceError(f"{where}: {problem}")
            item = {"start": len(text), "end": len(text) + len(inner)}
            text += inner
            if is_span:
                current["spans"].append({**item, "type": label, "text": inner, "flags": flags})
            else:
                current["keep"].append({**item, "text": inner, "kind": label, "flags": flags})
        text += line[pos:]
        for stray in ("[[", "]]", "{{", "}}"):
            rest = MARKUP.sub("", line)
            if stray in rest:
                raise SourceError(f"{where}: stray {stray!r} (malformed mark-up)")
        current["text"] = text
    close()
    for i, rec in enumerate(records, start=1):
        rec["id"] = f"{ID_PREFIX}{i:03d}"
    return records


def date_classes(text: str, before: str) -> set[str]:
    """Format classes of a DATE span (empty when it fits none)."""
    out: set[str] = set()
    if RE_SLASH.search(text):
        out.add("date_slash")
    if RE_HYPHEN.search(text):
        out.add("date_hyphen")
    if RE_ISO.search(text) or RE_DOTTED.search(text):
        out.add("date_iso_and_dotted")
    if RE_TWO_DIGIT_YEAR.search(text):
        out.add("date_two_digit_year")
    if RE_ROMAN.search(text):
        out.add("date_roman_month")
    if RE_ABBR_MONTH.search(text) or RE_EN_ABBR.search(text):
        out.add("date_abbrev_month")
    if RE_FULL_MONTH.search(text) or RE_EN_FULL.search(text):
        out.add("date_text")
    if RE_EN_FULL.search(text) or RE_EN_ABBR.search(text):
        out.add("date_english")
    if RE_COMPACT.match(text):
        out.add("date_compact")
    if RE_DAY_MONTH.match(text):
        pre = PREPOSITION_BEFORE.search(before)
        out.add("date_day_month_after_preposition" if pre else "date_day_month_bare")
    month_word = RE_FULL_MONTH.search(text) or RE_ABBR_MONTH.search(text)
    if RE_MONTH_YEAR_NUM.match(text) or (
        month_word
        and not re.search(r"\d", text[: month_word.start()])
        and re.search(r"\d{4}", text)
    ):
        out.add("date_month_year")
    return out


def phone_classes(text: str) -> set[str]:
    """Format classes of a PHONE span (empty when it fits none)."""
    digits = re.sub(r"\D", "", text)
    stripped = text.lstrip()
    if stripped.startswith("+") and not stripped.startswith("+7"):
        return {"phone_foreign"}
    if stripped.startswith("+7") and digits[1:2] == "7":
        return {"phone_foreign"}  # +7 7xx is Kazakhstan
    if len(digits) == 11 and digits[0] in "78":
        code = digits[1:4]
    elif len(digits) == 10:
        code = digits[:3]
    elif len(digits) == 7:
        return {"phone_local_7_digit"}
    elif len(digits) in (5, 6):
        return {"phone_local_short"}
    else:
        return set()
    return {"phone_mobile"} if code.startswith("9") else {"phone_city_code"}


def snils_valid(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    if len(digits) != 11:
        return False
    total = sum(int(d) * (9 - i) for i, d in enumerate(digits[:9]))
    check = total if total < 100 else (0 if total in (100, 101) else total % 101 % 100)
    return check == int(digits[9:])


def inn_valid(text: str) -> bool:
    d = [int(c) for c in re.sub(r"\D", "", text)]

    def control(weights: list[int], digits: list[int]) -> int:
        return sum(w * x for w, x in zip(weights, digits, strict=False)) % 11 % 10

    if len(d) == 10:
        return control([2, 4, 10, 3, 5, 9, 4, 6, 8], d) == d[9]
    if len(d) == 12:
        return (
            control([7, 2, 4, 10, 3, 5, 9, 4, 6, 8], d) == d[10]
            and control([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8], d) == d[11]
        )
    return False


def context_before(rec: dict, span: dict) -> str:
    """The text before a span on its line, after the previous span: where its label is."""
    text = rec["text"]
    start = text.rfind("\n", 0, span["start"]) + 1
    for other in rec["spans"]:
        if start <= other["end"] <= span["start"]:
            start = other["end"]
    return text[start : span["start"]]


def id_label_classes(before: str) -> set[str]:
    """``id_snils`` / ``id_inn`` when the label before an ID names that number."""
    label = before.lower()
    return {c for c, word in (("id_snils", "снилс"), ("id_inn", "инн")) if word in label}


def span_classes(span: dict, rec: dict, flags: set[str]) -> set[str]:
    """Classes one identifier span gives its snippet."""
    s, kind = span["text"], span["type"]
    before = context_before(rec, span)
    out: set[str] = set()
    if kind == "DATE":
        out |= date_classes(s, before)
    elif kind == "PHONE":
        out |= phone_classes(s)
    elif kind == "EMAIL":
        out.add("email")
    elif kind == "URL":
        out.add("url")
    elif kind == "ID":
        out.add("id_card_label_hyphen_slash")
        out |= id_label_classes(before)
        if re.fullmatch(r"\d+(?:\.\d+){5,}", s):
            out.add("id_dicom_uid")
        if re.search(r"[A-Za-z]", s):
            out.add("id_latin")
    elif kind == "NAME":
        letters = [c for c in s if c.isalpha()]
        words = [w for w in re.split(r"[\s^]+", s) if w]
        if all(c.isupper() for c in letters) and any(len(w.rstrip(".")) > 1 for w in words):
            out.add("name_caps")
        if all(c.islower() for c in letters):
            out.add("name_lower")
        if INITIAL.search(s) or re.search(r"\^[A-ZА-Я]$|\^[A-ZА-Я]\^", s):
            out.add("name_initials")
        if "obl" in flags:
            out.add("name_oblique_case")
        if "role" in flags:
            out.add("surname_after_role_word")
        if re.search(r"[A-Za-z]", s):
            out.add("name_latin")
        if re.search(r"[A-ZА-ЯЁ][a-zа-яё]+-[A-ZА-ЯЁ][a-zа-яё]+", s):
            out.add("name_double_barrelled")
        if not out & {
            "name_caps",
            "name_lower",
            "name_initials",
            "name_oblique_case",
            "surname_after_role_word",
        }:
            out.add("name_plain")
    elif kind == "ADDRESS":
        if "obl" in flags:
            out.add("street_oblique_case")
        if AVENUE.search(s):
            out.add("avenue_abbrev")
        if HOUSE_PATTERN.search(s):
            out.add("house_letters_flat_pattern")
        if OTHER_STREET_TYPE.search(s):
            out.add("address_street_type_other")
        if RURAL.search(s):
            out.add("address_rural")
        if FOREIGN_PLACE.search(s):
            out.add("address_foreign")
        if not re.search(r"\d", s) and not STREET_WORD.search(s):
            out.add("address_plain")
    elif kind == "ORG":
        out.add("org_abbrev" if ABBREV_TOKEN.search(s) else "org_full_name")
    return out


def keep_classes(keep: dict, flags: set[str]) -> set[str]:
    out: set[str] = set()
    if keep["kind"] == "icd":
        out.add("clinical_keep_icd_code")
    if keep["kind"] == "eponym":
        out.add("clinical_keep_eponym")
    if keep["kind"] == "scale":
        out.add("clinical_keep_scale_version")
    if DECIMAL_SENTENCE_END.search(keep["text"]):
        out.add("clinical_keep_decimal_sentence_end")
    if "adj" in flags:
        out.add("clinical_keep_sentence_initial_adjective")
    return out


def derive_classes(rec: dict) -> list[str]:
    """The classes a parsed source record exercises, in the canonical order."""
    found: set[str] = set()
    for span in rec["spans"]:
        found |= span_classes(span, rec, span["flags"])
    for keep in rec["keep"]:
        found |= keep_classes(keep, keep["flags"])
    if not rec["spans"]:
        found.add("negative")
    if "tricky" in rec["flags"]:
        found.add("tricky_non_identifier")
    return [c for c in ALL_CLASSES if c in found]


def to_jsonl_record(rec: dict) -> dict:
    return {
        "id": rec["id"],
        "section": rec["section"],
        "text": rec["text"],
        "spans": [{k: s[k] for k in ("start", "end", "type", "text")} for s in rec["spans"]],
        "keep": [{k: s[k] for k in ("start", "end", "text", "kind")} for s in rec["keep"]],
        "classes": derive_classes(rec),
    }


def build(folder: Path) -> list[dict]:
    """Parse the source and return the jsonl records (nothing written)."""
    return [to_jsonl_record(r) for r in parse_source(folder / SOURCE)]


def write_jsonl(folder: Path, records: list[dict]) -> None:
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    (folder / JSONL).write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_jsonl(path: Path) -> tuple[list[dict], list[str]]:
    records, problems = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            problems.append(f"{path}:{number}: empty line")
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as err:
            problems.append(f"{path}:{number}: not JSON ({err})")
    return records, problems


def _covered(start: int, end: int, items: list[dict]) -> bool:
    return any(i["start"] <= start and end <= i["end"] for i in items)


def _overlaps(start: int, end: int, items: list[dict]) -> bool:
    return any(i["start"] < end and start < i["end"] for i in items)


def record_problems(rec: dict, where: str) -> list[str]:
    """Structural and annotation problems of one jsonl record."""
    out: list[str] = []
    rid = rec.get("id", "?")
    at = f"{where} {rid}"
    missing = {"id", "section", "text", "spans", "keep", "classes"} - set(rec)
    if missing:
        return [f"{at}: missing field(s) {sorted(missing)}"]
    text = rec["text"]
    if rec["section"] not in SECTIONS:
        out.append(f"{at}: unknown section {rec['section']!r}")
    unknown = set(rec["classes"]) - set(ALL_CLASSES)
    if unknown:
        out.append(f"{at}: unknown class(es) {sorted(unknown)}")
    items = []
    for field, key, allowed in (("spans", "type", TYPES), ("keep", "kind", KINDS)):
        for item in rec[field]:
            label = item.get(key)
            if label not in allowed:
                out.append(f"{at}: unknown {key} {label!r} in {field}")
            start, end, s = item.get("start"), item.get("end"), item.get("text")
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end):
                out.append(f"{at}: bad offsets {start!r}..{end!r} of {s!r}")
                continue
            if text[start:end] != s:
                out.append(f"{at}: {field} text {s!r} != text[{start}:{end}] {text[start:end]!r}")
            if s != s.strip():
                out.append(f"{at}: white space around {s!r}")
            items.append((start, end, s))
    items.sort()
    for (_s1, e1, t1), (s2, _e2, t2) in zip(items, items[1:], strict=False):
        if s2 < e1:
            out.append(f"{at}: {t1!r} overlaps {t2!r}")
    if out:
        return out
    for span in rec["spans"]:
        before = context_before(rec, span)
        if span["type"] == "ID":
            if not ID_LABEL.search(before[-60:]):
                out.append(f"{at}: ID {span['text']!r} has no label before it")
            labels = id_label_classes(before)
            if "id_snils" in labels and not snils_valid(span["text"]):
                out.append(f"{at}: СНИЛС {span['text']!r} fails its checksum")
            if "id_inn" in labels and not inn_valid(span["text"]):
                out.append(f"{at}: ИНН {span['text']!r} fails its checksum")
        if span["type"] == "DATE":
            if not date_classes(span["text"], before):
                out.append(f"{at}: DATE {span['text']!r} fits no date format class")
        if span["type"] == "PHONE" and not phone_classes(span["text"]):
            out.append(f"{at}: PHONE {span['text']!r} fits no phone format class")
    out += _unannotated(rec, at)
    return out


def _unannotated(rec: dict, at: str) -> list[str]:
    """Identifier-shaped strings and repeated identifiers outside spans and kept terms."""
    out = []
    text, spans, keep = rec["text"], rec["spans"], rec["keep"]
    both = spans + keep
    for what, pattern in UNANNOTATED:
        for m in pattern.finditer(text):
            if not _overlaps(m.start(), m.end(), both):
                out.append(f"{at}: unannotated {what} {m.group()!r}")
    for span in spans:
        needles = [(span["text"], False)]
        if span["type"] == "NAME":
            needles += [
                (w, True)
                for w in re.split(r"[\s^]+", span["text"])
                if len(w) >= 4 and not INITIAL.fullmatch(w) and w.lower() not in ("оглы", "кызы")
            ]
        for needle, by_word in needles:
            if len(needle) < 3:
                continue
            flags = re.IGNORECASE if by_word else 0
            pat = rf"(?<!\w){re.escape(needle)}(?!\w)" if by_word else re.escape(needle)
            for m in re.finditer(pat, text, flags):
                if not _covered(m.start(), m.end(), spans) and not _overlaps(
                    m.start(), m.end(), keep
                ):
                    out.append(f"{at}: identifier {needle!r} occurs again unannotated")
    return out


def set_problems(records: list[dict], where: str) -> list[str]:
    """Problems of the set as a whole: ids, duplicates, shared identifiers and counts."""
    out: list[str] = []
    for i, rec in enumerate(records, start=1):
        if rec.get("id") != f"{ID_PREFIX}{i:03d}":
            out.append(f"{where}: record {i} has id {rec.get('id')!r}, expected {ID_PREFIX}{i:03d}")
    seen_text: dict[str, str] = {}
    seen_ident: dict[tuple[str, str], str] = {}
    for rec in records:
        rid = rec.get("id", "?")
        if rec.get("text") in seen_text:
            out.append(f"{where} {rid}: same text as {seen_text[rec['text']]}")
        seen_text.setdefault(rec.get("text"), rid)
        for span in rec.get("spans", []):
            if span.get("type") not in UNIQUE_ACROSS_SNIPPETS:
                continue
            key = (span["type"], span.get("text"))
            if key in seen_ident and seen_ident[key] != rid:
                out.append(
                    f"{where} {rid}: {span['type']} {span['text']!r} also in {seen_ident[key]}"
                )
            seen_ident.setdefault(key, rid)
    if len(records) < MIN_SNIPPETS:
        out.append(f"{where}: {len(records)} snippets, at least {MIN_SNIPPETS} required")
    per_class = Counter(c for rec in records for c in rec.get("classes", []))
    for cls in REQUIRED_CLASSES:
        if per_class[cls] < MIN_PER_CLASS:
            out.append(f"{where}: class {cls} in {per_class[cls]} snippets, need {MIN_PER_CLASS}")
    if records:
        share = per_class["negative"] / len(records)
        low, high = NEGATIVE_SHARE
        if not low <= share <= high:
            out.append(
                f"{where}: {share:.0%} of snippets without identifiers, need {low:.0%}-{high:.0%}"
            )
    return out


def count_tables(records: list[dict]) -> str:
    """The markdown count tables of HELDOUT3.md."""
    per_class = Counter(c for r in records for c in r["classes"])
    per_type = Counter(s["type"] for r in records for s in r["spans"])
    per_kind = Counter(k["kind"] for r in records for k in r["keep"])
    per_section = Counter(r["section"] for r in records)
    n_spans, n_keep = sum(per_type.values()), sum(per_kind.values())
    negative = per_class["negative"]
    lines = [
        "| snippets | identifier spans | kept terms | snippets without identifiers |",
        "|---:|---:|---:|---:|",
        f"| {len(records)} | {n_spans} | {n_keep} | {negative} "
        f"({100 * negative / max(len(records), 1):.0f} %) |",
        "",
        "| class | required | snippets |",
        "|---|:---:|---:|",
    ]
    for cls in ALL_CLASSES:
        lines.append(f"| {cls} | {'yes' if cls in REQUIRED_CLASSES else ''} | {per_class[cls]} |")
    lines += ["", "| identifier type | spans |", "|---|---:|"]
    lines += [f"| {t} | {per_type[t]} |" for t in TYPES]
    lines += ["", "| kept term kind | terms |", "|---|---:|"]
    lines += [f"| {k} | {per_kind[k]} |" for k in KINDS]
    lines += ["", "| section | snippets |", "|---|---:|"]
    lines += [f"| {s} | {per_section[s]} |" for s in SECTIONS]
    return "\n".join(lines)


def write_table(folder: Path, records: list[dict]) -> int:
    """Replace the count tables between the markers of HELDOUT3.md; 1 if the markers are gone."""
    readme = folder / README
    body = readme.read_text(encoding="utf-8")
    if not TABLE.search(body):
        print(f"{readme}: no table between {TABLE_BEGIN} and {TABLE_END}", file=sys.stderr)
        return 1
    table = f"{TABLE_BEGIN}\n{count_tables(records)}\n{TABLE_END}"
    readme.write_text(TABLE.sub(lambda _: table, body), encoding="utf-8")
    print(f"wrote the count tables to {readme}")
    return 0


def check(folder: Path) -> list[str]:
    """Every problem of the set in ``folder``; an empty list means the set is sound."""
    problems: list[str] = []
    try:
        fresh = build(folder)
    except SourceError as err:
        return [str(err)]
    jsonl = folder / JSONL
    if not jsonl.exists():
        return [f"{jsonl}: missing; run with --build"]
    records, problems = read_jsonl(jsonl)
    if len(records) != len(fresh):
        problems.append(f"{jsonl}: {len(records)} records, the source builds {len(fresh)}; --build")
    for number, (got, want) in enumerate(zip(records, fresh, strict=False), start=1):
        if got != want:
            problems.append(
                f"{jsonl}:{number} {want['id']}: differs from a fresh build of {SOURCE}; --build"
            )
    for number, rec in enumerate(records, start=1):
        problems += record_problems(rec, f"{jsonl}:{number}")
    problems += set_problems(records, str(jsonl))
    readme = folder / README
    if not readme.exists():
        problems.append(f"{readme}: missing")
    else:
        body = readme.read_text(encoding="utf-8")
        m = TABLE.search(body)
        if not m:
            problems.append(f"{readme}: no table between {TABLE_BEGIN} and {TABLE_END}")
        elif m.group(1).strip() != count_tables(records).strip():
            problems.append(f"{readme}: count tables are stale; run with --write-table")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--build", action="store_true", help="write heldout3.jsonl")
    action.add_argument("--check", action="store_true", help="exit 1 on any problem")
    action.add_argument("--table", action="store_true", help="print the count tables")
    action.add_argument(
        "--write-table", action="store_true", help="write the count tables into HELDOUT3.md"
    )
    parser.add_argument("--dir", type=Path, default=HERE, help="folder of the set")
    args = parser.parse_args(argv)
    if args.build:
        try:
            records = build(args.dir)
        except SourceError as err:
            print(err, file=sys.stderr)
            return 1
        write_jsonl(args.dir, records)
        print(f"wrote {len(records)} snippets to {args.dir / JSONL}")
        return 0
    if args.table or args.write_table:
        records, problems = read_jsonl(args.dir / JSONL)
        if problems:
            print("\n".join(problems), file=sys.stderr)
            return 1
        if args.table:
            print(count_tables(records))
            return 0
        return write_table(args.dir, records)
    problems = check(args.dir)
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
