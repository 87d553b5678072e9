"""PHI detection: four detectors, clinical protection, merged spans.

A text is detected as a whole (``unit="text"``: NER sees the context of
neighbouring lines, which it needs for a name opening a paragraph) or line by
line (``unit="line"``). The guard scans prompts line by line, and the
anonymizer, after its first, whole-text pass, scans its own output line by
line with the guard's scan until it is clean - so a line the anonymizer left
clean is clean for the guard wherever it later appears (a record's section
inside a prompt). Results of the full detector set are memoized per unit (a
bounded cache): a judge sweep embeds the same record lines, summaries and
rubric lines in thousands of prompts, and each distinct line is detected once
per process.

Typed placeholders (``[ФИО]``...) are never detections: a span whose letters
and digits all lie inside placeholders is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal

from radjudge.anonymize.analyzer import analyzer
from radjudge.anonymize.clinical import (
    NOT_ORGANISATIONS,
    is_clinical_word,
    is_listed_eponym,
    is_medical_abbreviation,
    protected_spans,
)
from radjudge.anonymize.generic import extend_chains
from radjudge.anonymize.heuristics import find_name_heuristics
from radjudge.anonymize.morph import (
    ROLE_BEFORE,
    find_names,
    is_common_lexeme,
    is_initials,
    recase_names,
    token_kind,
)
from radjudge.anonymize.ner import clear_ner_cache, find_entities_batch
from radjudge.anonymize.rules import find_structured
from radjudge.anonymize.spans import Detection, merge_detections
from radjudge.anonymize.types import PLACEHOLDERS

__all__ = [
    "Detector",
    "DETECTORS",
    "detect_phi",
    "detect_phi_batch",
    "placeholder_spans",
    "clear_detection_cache",
]

Detector = Literal["rules", "ner", "morph", "heuristics"]
#: All detectors: what the anonymizer and the guard always run.
DETECTORS: tuple[Detector, ...] = ("rules", "ner", "morph", "heuristics")
_NAMEISH = {"NAME", "ORGANIZATION", "LOCATION"}
_CHAINED = {"ORGANIZATION", "ADDRESS", "LOCATION"}
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in sorted(set(PLACEHOLDERS.values()))))
_CACHE_MAX = 200_000  # lines; a few hundred bytes each
_cache: dict[str, tuple[Detection, ...]] = {}


def clear_detection_cache() -> None:
    """Forget every memoized detection, NER's sentences included (benchmarks measure a cold
    guard with it)."""
    _cache.clear()
    clear_ner_cache()


def placeholder_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the typed placeholders in ``text``.

    >>> placeholder_spans("Пациент [ФИО], тел. [ТЕЛЕФОН].")
    [(8, 13), (20, 29)]
    """
    return [m.span() for m in _PLACEHOLDER.finditer(text)] if "[" in text else []


def _only_placeholders(text: str, d: Detection, holders: list[tuple[int, int]]) -> bool:
    return all(
        not text[i].isalnum() or any(s <= i < e for s, e in holders) for i in range(d.start, d.end)
    )


def _check_detectors(detectors: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(detectors)
    unknown = [d for d in chosen if d not in DETECTORS]
    if unknown or not chosen:
        raise ValueError(f"detectors must be a non-empty subset of {DETECTORS}, got {chosen!r}")
    return chosen


_WORD = re.compile(r"[A-Za-zА-ЯЁа-яё][\w-]*\.?")


def _is_medical_adjective(word: str) -> bool:
    """A capitalised adjective that is not a surname ("Билиарный", "Желчнокаменная")."""
    parses = analyzer().parse(word.lower())
    if not parses or parses[0].tag.POS not in ("ADJF", "PRTF"):
        return False
    return not any("Surn" in str(p.tag) and p.score >= 0.2 for p in analyzer().parse(word))


def _sentence_initial(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return (
        not before or before[-1] in '.!?:;\n«"(' or bool(re.search(r"[A-Z]\d+(?:\.\d+)?$", before))
    )


_GRADE = re.compile(r"[IVX]{1,4}|ст|степ\w*")


def _clinical_only(line: str, d: Detection) -> bool:
    """A name, place or organisation made only of clinical words: a false alarm.

    Every word is a clinical noun or analyte, a medical abbreviation (either list of the
    clinical vocabulary), a Latin initial, a grade ("I–II ст.") or a sentence-initial
    medical adjective ("Гликированный", "Онкомаркеры", "КТ-контроль", "H.", "МКС I–II ст").
    """
    words = [(m.start() + d.start, m.group(0)) for m in _WORD.finditer(line[d.start : d.end])]
    if not words:
        return True
    for i, (pos, w) in enumerate(words):
        bare = w.rstrip(".")
        if (
            is_clinical_word(bare)
            or is_medical_abbreviation(bare)
            or is_medical_abbreviation(bare.split("-")[0])  # "МРТ-энтерография"
            or re.fullmatch(r"[A-Z]\.", w)
            or (d.type == "ORGANIZATION" and (bare in NOT_ORGANISATIONS or _GRADE.fullmatch(bare)))
        ):
            continue
        if (
            i == 0
            and _sentence_initial(line, pos)
            and _is_medical_adjective(bare)
            and not _followed_by_name_part(line, pos + len(w))
        ):
            continue
        return False
    return True


_LEXEME = re.compile(r"[A-Za-zА-ЯЁа-яё]+(?:-[A-Za-zА-ЯЁа-яё]+)*\.?")
# Nouns that make a phrase of common words a name of an organisation or a place.
_ORG_OR_PLACE = re.compile(
    r"(?:больниц|поликлиник|клиник|госпитал|центр|институт|университет|академи|диспансер|"
    r"санатори|лаборатори|аптек|банк|компани|завод|фабрик|министерств|департамент|управлени|"
    r"комитет|служб|фонд|школ|колледж|лице[йяю]|сад|област|кра[йяюе]|район|округ|республик|"
    r"город|сел[оаеу]|деревн|пос[её]л|улиц|проспект|переул|площад|шоссе|набережн|бульвар|"
    r"станци|вокзал|аэропорт|парк|медцентр|медсанчаст|штат|стран|государств|федераци|союз|"
    r"импери|королевств|эмират|остров|мор[еяю]|рек[аиеу]|озер|полуостров|ассоциаци|ассамбле|"
    r"парти|фронт|движени|совет|дум[аеуы]|собрани|правительств|театр|музей|газет|журнал|"
    r"команд|клуб|общест|объединени|организаци|агентств|редакци)"
)
_INITIALS_BEFORE = re.compile(r"[А-ЯЁ]\.\s?$")
# The start of a line or a sentence, after a colon or an ICD code ("K85.1 Билиарный ...").
_CLAUSE_START = re.compile(r"(?:^|[.!?:;]|[A-Z]\d+(?:\.\d+)?)\s*$")
_INITIAL_AFTER = re.compile(r"\s?[А-ЯЁ]\.")


def _common_phrase(line: str, d: Detection) -> bool:
    """NER's false alarm on a phrase of common words ("Фибрилляция предсердий").

    Every word is a common lexeme (:func:`radjudge.anonymize.morph.is_common_lexeme`:
    pymorphy3 knows no name, place or organisation reading of it) or, after the
    first, a lower-case word, and

    * it is one compound with a lower-case head that names no organisation or
      place (``Онлайн-консультация``, ``Telegram-канал``), or
    * a person: no name context - no initials, first name or patronymic next to
      it, no role word before it (``Кузнец`` stays a name after ``врач``), or
    * a place or organisation opening a sentence (clause-initial capitals:
      ``Гемограмма от ...``, ``Аутоиммунный тиреоидит ...``), with no
      organisation or place noun among its words (``Городская больница``).
    """
    text = line[d.start : d.end]
    if re.fullmatch(r"(?:[А-ЯЁA-Z]\.\s?){2}", text.strip()) and not is_initials(text):
        return True  # "1961 Г.Р.": год рождения, not initials
    if re.search(r"[\d«»\"№]", text) or line[max(0, d.start - 2) : d.start].strip() in ("«", '"'):
        return False  # a quoted name: «Яблоко», «Ведомости»
    words = [m.group(0) for m in _LEXEME.finditer(text)]
    if not words or any(w.endswith(".") for w in words):  # initials, abbreviations
        return False
    # lower-case words after the first are common nouns of the phrase ("Билиарный сладж")
    if not all(is_common_lexeme(w) or (i and w[:1].islower()) for i, w in enumerate(words)):
        return False
    head = words[-1].split("-")[-1]
    if len(words) == 1 and "-" in words[0] and head.islower():
        return not _ORG_OR_PLACE.match(head)
    if d.type == "NAME":
        before = line[max(0, d.start - 40) : d.start]
        after = _NAME_FOLLOWS.match(line, d.end)
        return not (
            ROLE_BEFORE.search(before)
            or _INITIALS_BEFORE.search(before)
            or _INITIAL_AFTER.match(line, d.end)
            or (after and token_kind(after.group(0).strip()) in ("first", "patr"))
        )
    opens = _CLAUSE_START.search(line, 0, d.start)
    return bool(opens) and not any(_ORG_OR_PLACE.match(w.lower()) for w in words)


_NAME_FOLLOWS = re.compile(r"\s+(?:[А-ЯЁ]\.|[А-ЯЁ][а-яё]+)")
_FULL_NAME_LABEL = re.compile(r"Ф\.?\s?И\.?\s?О\.?|ФИО")
_NUMBER_BEFORE = re.compile(r"\d\s?$")
_LABEL_AFTER = re.compile(r"\s*[:|]")


# A value with a unit, a comparison, or (for an abbreviation) a decimal after a single word.
_VALUE_UNIT_AFTER = re.compile(
    r"\s*(?:[<>≤≥]\s*\d|\d+(?:[.,]\d+)?(?:\s*,\s*\d+)?\s*(?:мг|мкг|мл|г|ед|ме|ммоль|мкмоль|"
    r"нмоль|мкг/г|мг/дл|%)(?![а-яё]))"
)
_DECIMAL_AFTER = re.compile(r"\s+\d+[.,]\d+(?![.,]?\d)")


def _measured_term(line: str, d: Detection) -> bool:
    """One word NER took for a name or an organisation with a measured value after it: a
    drug, an analyte or an index ("Ультравист 370, 100 мл", "Эластаза-1 > 500", "BSI 1.8").
    A word with a name reading in the dictionary stays a name."""
    text = line[d.start : d.end]
    word = re.fullmatch(r"[A-ZА-ЯЁ][\w]*(?:-\d+)?", text)
    if not word:
        abbr = re.fullmatch(r"(?P<a>[A-ZА-ЯЁ]{2,6})\s+\d+[.,]\d+", text)
        return bool(abbr) and d.type == "ORGANIZATION"
    if d.type == "ORGANIZATION" and text.isupper() and _DECIMAL_AFTER.match(line, d.end):
        return True
    if not _VALUE_UNIT_AFTER.match(line, d.end):
        return False
    return not any(
        t in p.tag
        for p in analyzer().parse(text.split("-")[0])
        if p.score >= 0.05
        for t in ("Name", "Surn", "Patr")
    )


def _label_or_unit(line: str, d: Detection) -> bool:
    """A name that is a form's field label or a unit: the label of the full name ("Ф.И.О.:"),
    one dictionary word with no name reading before a colon or a table bar ("Пол: Ж",
    "Мать: ..."), a word of one to three letters right after a number ("1.5 Тл")."""
    text = line[d.start : d.end]
    if _FULL_NAME_LABEL.fullmatch(text):
        return True
    if re.fullmatch(r"[А-ЯЁ][а-яё]{0,2}", text) and _NUMBER_BEFORE.search(line, 0, d.start):
        return True
    if not re.fullmatch(r"[А-ЯЁ][а-яё]+", text) or not _LABEL_AFTER.match(line, d.end):
        return False
    morph = analyzer()
    return morph.word_is_known(text.lower()) and not any(
        t in p.tag for p in morph.parse(text) if p.score >= 0.05 for t in ("Name", "Surn", "Patr")
    )


def _followed_by_name_part(line: str, end: int) -> bool:
    """Initials, a first name or a patronymic follow: "Садовский К.Ф.", "Черных Полина"."""
    m = _NAME_FOLLOWS.match(line, end)
    if not m:
        return False
    word = m.group(0).strip()
    return word.endswith(".") or token_kind(word) in ("first", "patr")


def _trim_initial_adjective(line: str, d: Detection) -> Detection | None:
    """Drop a sentence-initial medical adjective from the front of a name ("K85.1 Билиарный ...").

    An adjective followed by initials, a first name or a patronymic is a surname
    ("Садовский К.Ф.", "Черных Полина Георгиевна") and stays.
    """
    m = _WORD.match(line, d.start)
    if (
        m
        and _sentence_initial(line, d.start)
        and _is_medical_adjective(m.group(0))
        and not _followed_by_name_part(line, m.end())
    ):
        rest = re.compile(r"\s+").match(line, m.end())
        start = rest.end() if rest else m.end()
        return Detection(start, d.end, d.type, d.detector) if start < d.end else None
    return d


_CAP_WORD = re.compile(r"(?<![\w-])[А-ЯЁA-Z][а-яёa-z]+(?:-[А-ЯЁA-Z]?[а-яёa-z]+)*(?![\w-])")
_PARTICLE_BEFORE = re.compile(
    r"(?:^|(?<=[\s(]))(?:ибн|бен|бин|аль|эль|ал|де|ди|ван|фон|ле|ла|дер)[\s-]$"
)
_PARTICLE_NAME = re.compile(
    r"(?<![\w-])(?:аль|эль|ал|ас|ад|ан|ат|уль|ибн|бин|бен)[\s-][А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
)
# Turkic patronymic particles close a name: "Мамедова Севиль Азер кызы".
_PATRONYMIC_PARTICLE = re.compile(
    r"\s(?:оглы|оглу|огли|угли|ули|улы|уулу|кызы|кзы|гызы|кизи|кыз)(?![\w-])"
)
# The Latin spelling before a name in brackets: "KIM MIN-JUN (Ким Мин Чжун)".
_LATIN_BEFORE = re.compile(r"(?<![\w-])[A-Z][A-Za-z'-]+(?:[ -][A-Z][A-Za-z'-]+){1,3}(?=\s?\($)")
_LATIN_ALIAS = re.compile(
    r"\s?\((?P<v>[A-Z][a-z'-]+(?:[ -](?:[A-Z][a-z'-]+|al|el|de|da|van|von|bin|ibn|le|la)){1,4})\)"
)
_ENDINGS = (
    "ого",
    "ому",
    "ими",
    "ым",
    "ой",
    "ом",
    "ую",
    "ая",
    "ий",
    "ем",
    "а",
    "у",
    "е",
    "ы",
    "ю",
    "я",
)


def _stem(word: str) -> str:
    w = word.lower().replace("ё", "е")
    for ending in _ENDINGS:
        if w.endswith(ending) and len(w) - len(ending) >= 3:
            return w[: -len(ending)]
    return w


def _name_echoes(
    text: str, found: list[Detection], protected: list[tuple[int, int]]
) -> list[Detection]:
    """More mentions of the people already found in ``text``.

    * another occurrence of a word of a detected name, in any case (``Вольфганг
      Тифензее ... Тифензее отметил``, ``Петровым А.В. ... Петров рекомендовал``);
    * a name particle next to a name (``ибн Эзра``, ``Сами аль-Хадж``) or an
      Arabic article fused to a capitalised word (``аль-Барадеи``);
    * the Latin spelling in brackets after a name (``Халеда эль-Масри (Khaled el-Masri)``).
    """
    names = [d for d in found if d.type == "NAME"]
    stems = {
        _stem(m.group(0))
        for d in names
        for m in _CAP_WORD.finditer(text, d.start, d.end)
        if len(m.group(0)) >= 3
        and not is_clinical_word(m.group(0))
        and not is_medical_abbreviation(m.group(0))
    }
    taken = [(d.start, d.end) for d in found] + protected
    out = []
    for m in _CAP_WORD.finditer(text):
        if _stem(m.group(0)) in stems and not any(s < m.end() and m.start() < e for s, e in taken):
            out.append(Detection(m.start(), m.end(), "NAME", "morph"))
    for d in [*names, *out]:
        p = _PARTICLE_BEFORE.search(text, max(0, d.start - 5), d.start)
        if p:
            out.append(Detection(p.start(), d.end, "NAME", "morph"))
        particle = _PATRONYMIC_PARTICLE.match(text, d.end)
        if particle:
            out.append(Detection(d.start, particle.end(), "NAME", "morph"))
        alias = _LATIN_ALIAS.match(text, d.end)
        if alias:
            out.append(Detection(alias.start("v"), alias.end("v"), "NAME", "morph"))
        latin = _LATIN_BEFORE.search(text, max(0, d.start - 60), d.start)
        if latin:
            out.append(Detection(latin.start(), latin.end(), "NAME", "morph"))
        after = _PARTICLE_NAME.match(text, d.end + 1) if text[d.end : d.end + 1] == " " else None
        if after:
            out.append(Detection(d.start, after.end(), "NAME", "morph"))
    for m in _PARTICLE_NAME.finditer(text):
        if not any(s < m.end() and m.start() < e for s, e in protected):
            out.append(Detection(m.start(), m.end(), "NAME", "morph"))
    return out


def _hits(text: str, ner: list[Detection], detectors: tuple[str, ...]) -> list[Detection]:
    """The raw detections of the chosen detectors (``ner``: Natasha's, computed batched)."""
    found: list[Detection] = []
    if "rules" in detectors:
        found += find_structured(text)
    if "heuristics" in detectors:
        found += find_name_heuristics(text)
    if "ner" in detectors:
        found += ner
    if "morph" in detectors:
        found += find_names(text)
    return found


def _combine(
    line: str,
    ner: list[Detection],
    detectors: tuple[str, ...],
    recased: tuple[str, list[Detection]],
) -> list[Detection]:
    found = _hits(line, ner, detectors)
    other, other_ner = recased
    if other != line:  # names in capitals or lower case, found on the re-cased copy
        names = _hits(other, other_ner, tuple(d for d in detectors if d != "rules"))
        found += [d for d in names if d.type == "NAME"]
    kept = []
    for d in found:
        if d.detector != "rules" and d.type in _NAMEISH:
            if (
                _clinical_only(line, d)
                or (d.detector == "ner" and _common_phrase(line, d))
                or (d.type == "NAME" and _label_or_unit(line, d))
                or _measured_term(line, d)
            ):
                continue
            if d.type == "NAME":
                trimmed = _trim_initial_adjective(line, d)
                if trimmed is None:
                    continue
                d = trimmed
        kept.append(d)
    found = kept
    protected = protected_spans(line)
    if protected:
        found = [
            d
            for d in found
            if d.detector == "rules"
            or d.type not in _NAMEISH
            or not any(ps < d.end and d.start < pe for ps, pe in protected)
        ]
    merged = merge_detections(found, line)
    if any(d.type in _CHAINED for d in merged) or "дрес" in line or "АДРЕС" in line:
        merged = merge_detections([*merged, *extend_chains(line, [*found, *merged])], line)
    if any(d.type == "NAME" for d in merged):
        # An eponym known only by its position yields to a person named in the same text
        # ("Оливеру Кану ... Реакцией Кана").
        listed = [(s, e) for s, e in protected if is_listed_eponym(line[s:e])]
        merged = merge_detections([*merged, *_name_echoes(line, merged, listed)], line)
    holders = placeholder_spans(line)
    if holders:
        merged = [d for d in merged if not _only_placeholders(line, d, holders)]
    return merged


def _detect_lines(lines: Sequence[str], chosen: tuple[str, ...]) -> list[tuple[Detection, ...]]:
    full = set(chosen) == set(DETECTORS)
    cached = [_cache.get(line) if full else None for line in lines]
    todo = list(dict.fromkeys(ln for ln, got in zip(lines, cached, strict=True) if got is None))
    fresh: dict[str, tuple[Detection, ...]] = {}
    if todo:
        recased = [recase_names(ln) for ln in todo]
        extra = [r for r, ln in zip(recased, todo, strict=True) if r != ln]
        ner_all = find_entities_batch([*todo, *extra]) if "ner" in chosen else None
        ner = ner_all[: len(todo)] if ner_all else [[] for _ in todo]
        ner_extra = iter(ner_all[len(todo) :] if ner_all else [[] for _ in extra])
        pairs = [
            (r, next(ner_extra) if r != ln else []) for r, ln in zip(recased, todo, strict=True)
        ]
        fresh = {
            ln: tuple(_combine(ln, n, chosen, pair))
            for ln, n, pair in zip(todo, ner, pairs, strict=True)
        }
        if full:
            if len(_cache) + len(fresh) > _CACHE_MAX:
                _cache.clear()
            _cache.update(fresh)
    return [got if got is not None else fresh[ln] for ln, got in zip(lines, cached, strict=True)]


def detect_phi_batch(
    texts: Sequence[str],
    *,
    detectors: Iterable[Detector] = DETECTORS,
    unit: Literal["text", "line"] = "text",
) -> list[list[Detection]]:
    """Merged PHI detections for each text (NER batched over all of them).

    Parameters
    ----------
    texts : sequence of str
    detectors : iterable of {"rules", "ner", "morph", "heuristics"}, default all
        ``rules``: structured identifiers, addresses, organisations, dates;
        ``ner``: Natasha PER/LOC/ORG; ``morph``: pymorphy3 names;
        ``heuristics``: cheap name patterns. A subset is for measuring the
        detectors one by one; the anonymizer and the guard always run all.
    unit : {"text", "line"}, default "text"
        Detect each text as a whole (NER sees the neighbouring lines: the
        anonymizer's first pass, the evaluations), or each of its lines on
        its own (the guard: a line recurs in many prompts and is detected
        once).

    Returns
    -------
    list of list of Detection
        One sorted, non-overlapping list per text, offsets into that text.
    """
    chosen = _check_detectors(detectors)
    if unit not in ("text", "line"):
        raise ValueError(f"unit must be 'text' or 'line', got {unit!r}")
    pieces: list[list[tuple[int, str]]] = []
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"detect_phi needs str texts, got {type(text).__name__}")
        if unit == "text":
            pieces.append([(0, text)] if text.strip() else [])
            continue
        pos, per = 0, []
        for line in text.split("\n"):
            if line.strip():
                per.append((pos, line))
            pos += len(line) + 1
        pieces.append(per)
    flat = [line for per in pieces for _, line in per]
    found = iter(_detect_lines(flat, chosen))
    out = []
    for per in pieces:
        dets: list[Detection] = []
        for offset, _ in per:
            dets.extend(
                Detection(d.start + offset, d.end + offset, d.type, d.detector) for d in next(found)
            )
        out.append(dets)
    return out


def detect_phi(
    text: str,
    *,
    detectors: Iterable[Detector] = DETECTORS,
    unit: Literal["text", "line"] = "text",
) -> list[Detection]:
    """Merged PHI detections in one text (see :func:`detect_phi_batch`).

    >>> t = "Пациентка Смирнова А.П., 58 лет, СНИЛС 112-233-445 95. Симптом Ортнера положительный."
    >>> [(d.type, t[d.start:d.end]) for d in detect_phi(t)]
    [('NAME', 'Смирнова А.П.'), ('SNILS', '112-233-445 95')]
    """
    return detect_phi_batch([text], detectors=detectors, unit=unit)[0]
