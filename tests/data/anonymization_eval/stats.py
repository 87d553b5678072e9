"""Build, describe and validate the independent anonymization evaluation set.

The snippets are written by hand in ``source/dev.txt`` and ``source/test.txt`` with inline
mark-up (see README.md); ``dev.jsonl`` and ``test.jsonl`` are built from them, so offsets
are never typed by hand.

Usage::

    python tests/data/anonymization_eval/stats.py            # print the class table
    python tests/data/anonymization_eval/stats.py --check    # validate, exit 1 on a problem
    python tests/data/anonymization_eval/stats.py --build    # rebuild the jsonl from source/

``--check`` verifies that the jsonl files equal a fresh build of the sources, that every
span's ``text`` equals ``text[start:end]``, that spans (identifiers and kept terms) do not
overlap, that every snippet's classes are exactly those its spans imply, that every
required class reaches its minimum count in each split, that no identifier-looking string
is left unannotated, that no identifier is shared between the splits, and that the table in
README.md is current.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPLITS = ("dev", "test")
ID_PREFIX = {"dev": "d", "test": "t"}
MIN_PER_SPLIT = 8
MIN_TOTAL = 240
NEGATIVE_SHARE = (0.18, 0.35)

SPAN_TYPES = ("NAME", "DATE", "PHONE", "EMAIL", "URL", "ADDRESS", "ID", "ORG")
KEEP_KINDS = (
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

# Classes every split must contain at least MIN_PER_SPLIT times (the brief's list).
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
# Descriptive classes with no minimum: they label what the required ones do not cover.
EXTRA_CLASSES = (
    "date_day_month_bare",
    "date_month_year",
    "address_plain",
    "org_full_name",
    "name_plain",
    "negative",
    "tricky_non_identifier",
)
ALL_CLASSES = REQUIRED_CLASSES + EXTRA_CLASSES

# Mark-up tags that cannot be read off the string itself, so the writer states them.
SPAN_TAGS = {
    "obl": {"NAME": "name_oblique_case", "ADDRESS": "street_oblique_case"},
    "role": {"NAME": "surname_after_role_word"},
}
KEEP_TAGS = {"adj": "clinical_keep_sentence_initial_adjective"}
SNIPPET_FLAGS = {"tricky": "tricky_non_identifier"}

MARKUP = re.compile(
    r"\[\[(?P<type>[A-Z]+)(?P<stags>(?:\+\w+)*)\|(?P<stext>[^\]]+)\]\]"
    r"|\{\{(?P<kind>\w+)(?P<ktags>(?:\+\w+)*)\|(?P<ktext>[^}]+)\}\}"
)

_YEAR_SUFFIX = re.compile(r"\s*(г\.|года|г)$")
_FULL_MONTHS = "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
_ABBR_MONTHS = "янв|фев|февр|мар|апр|июн|июл|авг|сен|сент|окт|ноя|нояб|дек"
_MONTH_STEMS = "январ|феврал|март|апрел|ма[йея]|июн|июл|август|сентябр|октябр|ноябр|декабр"
_PREPOSITION_BEFORE = re.compile(r"(?:^|[\s(])(с|со|до|по|от|на|к|ко|после|около)\s$", re.I)
_ROLE_WORD_BEFORE = re.compile(r"(?:^|[\s(,])([а-яё]+\.?)\s$")
_ADJECTIVE = re.compile(r"[А-ЯЁ][а-яё-]+(ый|ий|ой|ая|яя|ое|ее|ые|ие)$")
_CLAUSE_START = re.compile(r"(^|[.:;!?(—–\n]\s*|(?<!\w)[A-ZА-Я]\d{2}(\.\d{1,2})?\s+)$")
_ICD = re.compile(r"[A-ZА-Я]\d{2}(\.\d{1,2})?")


@dataclass(frozen=True)
class Span:
    """An identifier to remove: ``text == snippet.text[start:end]``."""

    start: int
    end: int
    type: str
    text: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Keep:
    """Clinical content that must survive anonymization unchanged."""

    start: int
    end: int
    text: str
    kind: str
    tags: tuple[str, ...] = ()


@dataclass
class Snippet:
    """One annotated snippet, as written in the source and stored in the jsonl."""

    id: str
    section: str
    text: str
    spans: list[Span]
    keep: list[Keep]
    flags: tuple[str, ...] = ()
    source_line: int = 0
    classes: list[str] = field(default_factory=list)


class EvalSetError(ValueError):
    """A problem in the evaluation set, naming the file, line or snippet id."""


# --------------------------------------------------------------------------- classes
def date_classes(span: Span, before: str) -> set[str]:
    """Format classes of a DATE span; ``before`` is the text preceding it."""
    t = _YEAR_SUFFIX.sub("", span.text)
    out = set()
    if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{2}(\d{2})?", t):
        out.add("date_slash")
    if re.fullmatch(r"\d{1,2}-\d{1,2}-\d{2}(\d{2})?", t):
        out.add("date_hyphen")
    if re.fullmatch(r"\d{1,2}[./-](\d{1,2}|[IVX]{1,4})[./-]\d{2}", t):
        out.add("date_two_digit_year")
    if re.fullmatch(r"(\d{1,2}[. ]?)?[IVX]{1,4}[. ]?\d{2}(\d{2})?", t):
        out.add("date_roman_month")
    if re.fullmatch(rf"\d{{1,2}}\s(?:{_ABBR_MONTHS})\.?\s\d{{2}}(\d{{2}})?", t, re.I):
        out.add("date_abbrev_month")
    if re.fullmatch(r"\d{1,2}\.\d{1,2}", t):
        if _PREPOSITION_BEFORE.search(before):
            out.add("date_day_month_after_preposition")
        else:
            out.add("date_day_month_bare")
    if re.fullmatch(rf"\d{{1,2}}\s(?:{_FULL_MONTHS})(\s\d{{4}})?", t, re.I):
        out.add("date_text")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.\d{4}", t):
        out.add("date_iso_and_dotted")
    if re.fullmatch(rf"(?:{_MONTH_STEMS})[а-яё]*\s\d{{4}}|(\d{{1,2}}|[IVX]{{1,4}})\.\d{{4}}", t):
        out.add("date_month_year")
    return out


def phone_classes(span: Span) -> set[str]:
    """Format classes of a PHONE span."""
    digits = re.sub(r"\D", "", span.text)
    if re.fullmatch(r"\d{3}-\d{2}-\d{2}", span.text):
        return {"phone_local_7_digit"}
    if (len(digits) == 11 and digits[0] in "78" and digits[1] == "9") or (
        len(digits) == 10 and digits[0] == "9"
    ):
        return {"phone_mobile"}
    if re.search(r"\(\d{3,5}\)", span.text) or (len(digits) == 11 and digits[0] in "78"):
        return {"phone_city_code"}
    return set()


def address_classes(span: Span) -> set[str]:
    """Format classes of an ADDRESS span (oblique case is stated by the writer)."""
    out = set()
    if re.search(r"(?<!\w)(пр-т|пр-кт|пр\.|просп\.|наб\.|ш\.|б-р|пер\.)", span.text):
        out.add("avenue_abbrev")
    if re.search(
        r"д\.\s?\d+\s?[А-Яа-я](?!\w)|корп\.|(?<!\w)к\.\s?\d|стр\.|кв\.|\d+-\d+|\d+/\d+", span.text
    ):
        out.add("house_letters_flat_pattern")
    return out


def name_classes(span: Span) -> set[str]:
    """Form classes of a NAME span (oblique case and role word are stated by the writer)."""
    letters = "".join(ch for ch in span.text if ch.isalpha())
    out = set()
    if len(letters) > 1 and letters.isupper():
        out.add("name_caps")
    if letters.islower():
        out.add("name_lower")
    if re.search(r"(?<!\w)[А-ЯЁ]\.\s?(?:[А-ЯЁ]\.)?", span.text):
        out.add("name_initials")
    return out


def span_classes(span: Span, before: str) -> set[str]:
    """All classes one identifier span gives its snippet."""
    if span.type == "DATE":
        out = date_classes(span, before)
    elif span.type == "PHONE":
        out = phone_classes(span)
    elif span.type == "ID":
        out = {"id_card_label_hyphen_slash"}
    elif span.type == "EMAIL":
        out = {"email"}
    elif span.type == "URL":
        out = {"url"}
    elif span.type == "ADDRESS":
        out = address_classes(span)
    elif span.type == "ORG":
        has_abbrev = re.search(r"(?<!\w)[А-ЯЁA-Z]{2,}(?!\w)", span.text)
        out = {"org_abbrev" if has_abbrev else "org_full_name"}
    else:
        out = name_classes(span)
    out |= {SPAN_TAGS[tag][span.type] for tag in span.tags}
    if not out and span.type == "ADDRESS":
        out = {"address_plain"}
    if not out and span.type == "NAME":
        out = {"name_plain"}
    return out


def keep_classes(keep: Keep) -> set[str]:
    """All classes one kept clinical term gives its snippet."""
    out = {KEEP_TAGS[tag] for tag in keep.tags}
    if keep.kind == "eponym":
        out.add("clinical_keep_eponym")
    if keep.kind == "icd":
        out.add("clinical_keep_icd_code")
    if keep.kind == "scale":
        out.add("clinical_keep_scale_version")
    if keep.kind == "lab_value" and re.search(r"\d[.,]\d+\.$", keep.text):
        out.add("clinical_keep_decimal_sentence_end")
    return out


def snippet_classes(snippet: Snippet) -> list[str]:
    """The snippet's classes in canonical order."""
    found: set[str] = {SNIPPET_FLAGS[flag] for flag in snippet.flags}
    for span in snippet.spans:
        found |= span_classes(span, snippet.text[: span.start])
    for keep in snippet.keep:
        found |= keep_classes(keep)
    if not snippet.spans:
        found.add("negative")
    return [c for c in ALL_CLASSES if c in found]


# --------------------------------------------------------------------------- parsing
def parse_source(path: Path, split: str) -> list[Snippet]:
    """Read a mark-up source file into snippets (ids numbered in file order)."""
    snippets: list[Snippet] = []
    header: tuple[str, tuple[str, ...], int] | None = None
    body: list[str] = []

    def flush() -> None:
        if header is None:
            if body:
                raise EvalSetError(f"{path}: text before the first '# section' header")
            return
        if not body:
            raise EvalSetError(f"{path}:{header[2]}: header without text")
        snippet = _parse_body("\n".join(body), path, header[2])
        snippet.id = f"{ID_PREFIX[split]}{len(snippets) + 1:03d}"
        snippet.section, snippet.flags, snippet.source_line = header
        snippet.classes = snippet_classes(snippet)
        snippets.append(snippet)

    for number, raw in enumerate(path.read_text("utf-8").splitlines(), start=1):
        line = raw.rstrip()
        if line.startswith("%"):
            continue
        if line.startswith("# "):
            flush()
            words = line[2:].split()
            if not words or words[0] not in SECTIONS:
                raise EvalSetError(f"{path}:{number}: header needs a section from {SECTIONS}")
            flags = tuple(words[1:])
            bad = [f for f in flags if f not in SNIPPET_FLAGS]
            if bad:
                raise EvalSetError(f"{path}:{number}: unknown flag(s) {bad}; use {SNIPPET_FLAGS}")
            header, body = (words[0], flags, number), []
        elif line:
            body.append(line)
        elif body:
            flush()
            header, body = None, []
    flush()
    return snippets


def _parse_body(marked: str, path: Path, line: int) -> Snippet:
    text_parts: list[str] = []
    spans: list[Span] = []
    keep: list[Keep] = []
    position = 0
    length = 0
    for match in MARKUP.finditer(marked):
        plain = marked[position : match.start()]
        text_parts.append(plain)
        length += len(plain)
        inner = match.group("stext") or match.group("ktext")
        start, end = length, length + len(inner)
        if match.group("type"):
            kind = match.group("type")
            tags = tuple(t for t in match.group("stags").split("+") if t)
            bad = [t for t in tags if kind not in SPAN_TAGS.get(t, {})]
            spans.append(Span(start, end, kind, inner, tags))
        else:
            kind = match.group("kind")
            tags = tuple(t for t in match.group("ktags").split("+") if t)
            bad = [t for t in tags if t not in KEEP_TAGS]
            keep.append(Keep(start, end, inner, kind, tags))
        if bad:
            raise EvalSetError(
                f"{path}:{line}: tag(s) {bad} not allowed on {kind} {inner!r}; "
                f"span tags {SPAN_TAGS}, keep tags {sorted(KEEP_TAGS)}"
            )
        text_parts.append(inner)
        length = end
        position = match.end()
    text_parts.append(marked[position:])
    text = "".join(text_parts)
    for token in ("[[", "]]", "{{", "}}"):
        if token in text:
            raise EvalSetError(f"{path}:{line}: unbalanced mark-up {token!r} in {text[:60]!r}")
    return Snippet("", "", text, spans, keep, source_line=line)


def to_record(snippet: Snippet) -> dict:
    """The jsonl form of a snippet (mark-up tags are carried by ``classes``)."""
    return {
        "id": snippet.id,
        "section": snippet.section,
        "text": snippet.text,
        "spans": [
            {"start": s.start, "end": s.end, "type": s.type, "text": s.text} for s in snippet.spans
        ],
        "keep": [
            {"start": k.start, "end": k.end, "text": k.text, "kind": k.kind} for k in snippet.keep
        ],
        "classes": snippet.classes,
    }


def jsonl_text(snippets: list[Snippet]) -> str:
    """Serialized jsonl, one snippet per line, UTF-8 kept readable."""
    return "".join(json.dumps(to_record(s), ensure_ascii=False) + "\n" for s in snippets)


def build(folder: Path) -> dict[str, list[Snippet]]:
    """Parse both sources of ``folder``."""
    return {split: parse_source(folder / "source" / f"{split}.txt", split) for split in SPLITS}


# --------------------------------------------------------------------------- checks
_UNANNOTATED = {
    "full date": r"(?<![\w.])\d{1,2}[./-]\d{1,2}[./-]\d{4}(?!\w)|(?<!\w)\d{4}-\d{2}-\d{2}(?!\w)",
    "e-mail": r"[\w.+-]+@[\w-]+\.[\w.]+",
    "URL": r"https?://|(?<!\w)www\.",
    "phone": r"\+7[\s(-]*\d|(?<!\w)8\s?\(\d{3,5}\)|(?<![\w/])\d{3}-\d{2}-\d{2}(?!\w)",
    "СНИЛС": r"(?<!\w)\d{3}-\d{3}-\d{3}[\s-]\d{2}(?!\w)",
    "long number": r"(?<!\w)\d{9,}(?!\w)",
}


def check_record(record: dict, where: str) -> list[str]:
    """Problems of one jsonl record (offsets, overlaps, types, unannotated identifiers)."""
    problems = []
    text = record["text"]
    intervals = []
    for span in record["spans"]:
        if span["type"] not in SPAN_TYPES:
            problems.append(f"{where}: span type {span['type']!r} is not one of {SPAN_TYPES}")
        intervals.append((span["start"], span["end"], "span", span["text"]))
    for keep in record["keep"]:
        if keep["kind"] not in KEEP_KINDS:
            problems.append(f"{where}: keep kind {keep['kind']!r} is not one of {KEEP_KINDS}")
        intervals.append((keep["start"], keep["end"], "keep", keep["text"]))
    for start, end, what, value in intervals:
        if not (0 <= start < end <= len(text)) or text[start:end] != value:
            problems.append(f"{where}: {what} {value!r} != text[{start}:{end}]")
        elif value != value.strip():
            problems.append(f"{where}: {what} {value!r} has surrounding white space")
    ordered = sorted(intervals)
    for (_s1, e1, w1, v1), (s2, _e2, w2, v2) in zip(ordered, ordered[1:], strict=False):
        if s2 < e1:
            problems.append(f"{where}: {w1} {v1!r} overlaps {w2} {v2!r}")
    masked = list(text)
    for start, end, what, _ in intervals:
        if what == "span":
            masked[start:end] = " " * (end - start)
    rest = "".join(masked)
    for label, pattern in _UNANNOTATED.items():
        for hit in re.finditer(pattern, rest):
            problems.append(f"{where}: unannotated {label} {text[hit.start() : hit.end() + 12]!r}")
    for span in record["spans"]:
        if span["type"] in ("DATE", "ADDRESS"):
            continue
        pattern = rf"(?<!\w){re.escape(span['text'])}(?!\w)"
        if re.search(pattern, rest):
            problems.append(f"{where}: {span['text']!r} also occurs unannotated")
    return problems


def check_tags(snippet: Snippet, where: str) -> list[str]:
    """Plausibility of the classes the writer states through mark-up tags."""
    problems = []
    for span in snippet.spans:
        before = snippet.text[: span.start]
        if "role" in span.tags:
            if " " in span.text or not _ROLE_WORD_BEFORE.search(before):
                problems.append(
                    f"{where}: +role needs a lone surname after a lower-case word: {span.text!r}"
                )
        if span.type == "DATE" and not date_classes(span, before):
            problems.append(f"{where}: DATE {span.text!r} matches no date format class")
        if span.type == "PHONE" and not phone_classes(span):
            problems.append(f"{where}: PHONE {span.text!r} matches no phone format class")
        if span.type == "ID" and not re.search(
            r"(карт|истори|и/б|полис|снилс|паспорт|инн|омс|дмс|№|номер|серия|исследован|протокол)",
            before[-45:],
            re.I,
        ):
            problems.append(f"{where}: ID {span.text!r} has no label before it")
    for keep in snippet.keep:
        if keep.kind == "icd" and not _ICD.match(keep.text):
            problems.append(f"{where}: icd keep {keep.text!r} does not start with a code")
        if "adj" in keep.tags:
            words = _ICD.sub("", keep.text, count=1).split()
            before = snippet.text[: keep.start]
            if keep.kind == "icd":
                before = "."
            if not words or not _ADJECTIVE.fullmatch(words[0]) or not _CLAUSE_START.search(before):
                problems.append(
                    f"{where}: +adj needs a capitalised adjective opening a clause: {keep.text!r}"
                )
    return problems


def check(folder: Path = HERE) -> list[str]:
    """Every problem of the set in ``folder``; an empty list means it is valid."""
    problems: list[str] = []
    try:
        built = build(folder)
    except (EvalSetError, OSError) as error:
        return [str(error)]
    seen_text: dict[str, str] = {}
    identifiers: dict[str, dict[str, str]] = {split: {} for split in SPLITS}
    for split, snippets in built.items():
        path = folder / f"{split}.jsonl"
        if not path.exists():
            problems.append(f"{path}: missing; run stats.py --build")
            continue
        if path.read_text("utf-8") != jsonl_text(snippets):
            problems.append(f"{path}: differs from source/{split}.txt; run stats.py --build")
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            record = json.loads(line)
            where = f"{path.name}:{number} ({record.get('id')})"
            problems += check_record(record, where)
            unknown = set(record["classes"]) - set(ALL_CLASSES)
            if unknown:
                problems.append(f"{where}: unknown classes {sorted(unknown)}")
            if not record["classes"]:
                problems.append(f"{where}: no class tagged")
        for snippet in snippets:
            where = f"source/{split}.txt:{snippet.source_line} ({snippet.id})"
            problems += check_tags(snippet, where)
            if snippet.text in seen_text:
                problems.append(f"{where}: same text as {seen_text[snippet.text]}")
            seen_text[snippet.text] = snippet.id
            for span in snippet.spans:
                identifiers[split].setdefault(span.text, snippet.id)
        counts = Counter(c for s in snippets for c in s.classes)
        for cls in REQUIRED_CLASSES:
            if counts[cls] < MIN_PER_SPLIT:
                problems.append(f"{split}: class {cls} has {counts[cls]} < {MIN_PER_SPLIT}")
        share = counts["negative"] / max(len(snippets), 1)
        if not NEGATIVE_SHARE[0] <= share <= NEGATIVE_SHARE[1]:
            problems.append(f"{split}: negative share {share:.2f} outside {NEGATIVE_SHARE}")
    total = sum(len(s) for s in built.values())
    if total < MIN_TOTAL:
        problems.append(f"only {total} snippets, need {MIN_TOTAL}")
    for value in sorted(set(identifiers["dev"]) & set(identifiers["test"])):
        problems.append(
            f"identifier {value!r} is in both splits "
            f"({identifiers['dev'][value]}, {identifiers['test'][value]}); test must be new text"
        )
    readme = folder / "README.md"
    if readme.exists() and table(built) not in readme.read_text("utf-8"):
        problems.append(f"{readme}: class table is stale; paste the output of stats.py")
    return problems


# --------------------------------------------------------------------------- table
def table(built: dict[str, list[Snippet]]) -> str:
    """Markdown tables: snippets per class, spans per type and kept terms per kind."""
    lines = ["| class | dev | test |", "|---|---:|---:|"]
    counts = {split: Counter(c for s in built[split] for c in s.classes) for split in SPLITS}
    for cls in ALL_CLASSES:
        lines.append(f"| {cls} | {counts['dev'][cls]} | {counts['test'][cls]} |")
    sizes = {split: len(built[split]) for split in SPLITS}
    lines.append(f"| **snippets** | {sizes['dev']} | {sizes['test']} |")
    lines += ["", "| identifier type | dev | test |", "|---|---:|---:|"]
    spans = {split: Counter(sp.type for s in built[split] for sp in s.spans) for split in SPLITS}
    for kind in SPAN_TYPES:
        lines.append(f"| {kind} | {spans['dev'][kind]} | {spans['test'][kind]} |")
    lines += ["", "| kept term kind | dev | test |", "|---|---:|---:|"]
    keeps = {split: Counter(k.kind for s in built[split] for k in s.keep) for split in SPLITS}
    for kind in KEEP_KINDS:
        lines.append(f"| {kind} | {keeps['dev'][kind]} | {keeps['test'][kind]} |")
    lines += ["", "| section | dev | test |", "|---|---:|---:|"]
    parts = {split: Counter(s.section for s in built[split]) for split in SPLITS}
    for section in SECTIONS:
        lines.append(f"| {section} | {parts['dev'][section]} | {parts['test'][section]} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="validate; exit 1 on any problem")
    mode.add_argument("--build", action="store_true", help="rebuild dev/test.jsonl from source/")
    parser.add_argument("--dir", type=Path, default=HERE, help="folder of the set")
    args = parser.parse_args(argv)
    if args.check:
        problems = check(args.dir)
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1 if problems else 0
    try:
        built = build(args.dir)
    except EvalSetError as error:
        print(error, file=sys.stderr)
        return 1
    if args.build:
        for split, snippets in built.items():
            (args.dir / f"{split}.jsonl").write_text(jsonl_text(snippets), "utf-8")
    print(table(built), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
