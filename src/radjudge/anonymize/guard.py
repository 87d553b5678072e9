"""THE GUARD: nothing un-anonymized reaches an LLM.

Two checks, used by every LLM call site (summarizer, judge):

:func:`require_anonymized`
    on every record: it must be an :class:`AnonymizedRecord` whose marker
    matches its content (see :mod:`radjudge.anonymize.record`).
:func:`check_llm_text`
    on every prompt: a fast residual-PHI scan - the rule patterns for
    structured identifiers, organisations and localities, plus cheap name
    heuristics (initials with a surname, first name + patronymic, a common
    first name next to a surname-shaped word, a role word such as "хирург" or
    "жены" followed by a surname-shaped word). No NER, no morphology: it runs
    thousands of times (``make bench`` reports its speed).

What passes the scan:

* typed placeholders (``[ФИО]``, ``[ДАТА]``...): they contain no identifier;
* surrogate names: drawn from a reserved pool
  (:data:`radjudge.anonymize.names.SURROGATE_FORMS`); a name whose every word
  is a pool form is accepted;
* shifted dates: they are ordinary dates, so the scan cannot tell them from
  real ones. Pass the record's ``surrogates`` as ``allowed``
  (``check_llm_text(prompt, allowed=record.surrogates)``); a date is then
  accepted when it equals one of them in any format (``14.11.2023`` and
  ``14 ноября`` both match an allowed ``14.11.2023``).
* eponyms (``симптом Щеткина–Блюмберга``...), see :mod:`radjudge.anonymize.clinical`.

Errors never echo PHI: a finding is reported by type, offset, length and a
*masked* shape (digits as ``#``, letters as ``x``/``X``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from radjudge.anonymize.clinical import protected_spans
from radjudge.anonymize.names import FIRST_NAME_FORMS, SURROGATE_FORMS
from radjudge.anonymize.record import SCHEME, AnonymizedRecord, content_sha256
from radjudge.anonymize.rules import find_structured, parse_date
from radjudge.anonymize.spans import Detection, merge_detections

__all__ = [
    "PHIGuardError",
    "Finding",
    "scan_text",
    "find_name_heuristics",
    "check_llm_text",
    "require_anonymized",
    "mask",
]


class PHIGuardError(ValueError):
    """Un-anonymized content was about to reach an LLM.

    Attributes
    ----------
    findings : tuple of Finding
        What the residual scan found (empty for a record without a valid marker).
    """

    def __init__(self, message: str, findings: tuple[Finding, ...] = ()) -> None:
        super().__init__(message)
        self.findings = findings


@dataclass(frozen=True)
class Finding:
    """One residual identifier: type, position and a masked shape - never the value."""

    type: str
    start: int
    end: int
    masked: str


def mask(value: str) -> str:
    """Shape of a value without its content: digits -> ``#``, letters -> ``x`` / ``X``.

    >>> mask("+7 (910) 123-45-67"), mask("Иванов И.И.")
    ('+# (###) ###-##-##', 'Xxxxxx X.X.')
    """
    return "".join(
        "#" if ch.isdigit() else ("X" if ch.isupper() else "x") if ch.isalpha() else ch
        for ch in value
    )


_CAP = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
_SURNAME_LIKE = (
    r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?(?:(?:ов|ев|ёв|ин|ын)(?:а|у|ым|ой|е|ы)?|(?:ск|цк)(?:ий|ая|ого|ому|им|ом|ой|ую)"
    r"|енко|ко|ук|юк|ян|ых|их|швили|дзе)"
)
_PATRONYMIC = (
    r"[А-ЯЁ][а-яё]+(?:(?:ович|евич)(?:а|у|ем|е)?|(?:овн|евн|ичн)(?:а|ы|е|у|ой))"
    r"|(?:Ильич|Кузьмич|Фомич|Лукич|Никитич)(?:а|у|ом|е)?"
)
_INITIALS2 = r"[А-ЯЁ]\.\s?[А-ЯЁ]\."
_ROLE = (
    r"(?i:врач\w*|доктор\w*|хирург\w*|терапевт\w*|уролог\w*|онколог\w*|гастроэнтеролог\w*|"
    r"травматолог\w*|кардиолог\w*|невролог\w*|гинеколог\w*|эндокринолог\w*|рентгенолог\w*|"
    r"анестезиолог\w*|реаниматолог\w*|фельдшер\w*|медсестр\w*|м/с|зав\.|заведующ\w*|"
    r"пациент\w*|больн(?:ой|ая|ого|ому|ым|ую)|гр\.|гражданин\w*|гражданк\w*|"
    r"жен[аыуе]|жены|муж[аеу]?|дочер(?:ь|и|ью)|доч[ьи]|сын(?:а|у|ом)?|мат(?:ь|ери)|отц(?:а|у|ом)|отец|"
    r"брат(?:а|у|ом)?|сестр(?:а|ы|е|у|ой)|внук\w*|внучк\w*|опекун\w*|родственник\w*)"
)
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
                out.append(Detection(s, after.end(), "NAME", "guard"))
        before = _INITIALS_BEFORE.search(text, max(0, s - 8), s)  # И.И. Иванов / И. Иванов
        if before:
            start = before.start("first")
            if before.group("second"):
                # "Сидорову А.А. Пациент ...": the initials close the surname before them
                # (but "Врач Н.Ю. Бельская": a role word, not a surname, precedes them).
                prev = _SURNAME_BEFORE.search(text, max(0, start - 40), start)
                if not (prev and _SURNAME_RX.match(prev.group(0).strip())):
                    out.append(Detection(start, e, "NAME", "guard"))
            elif surname_like:
                out.append(Detection(start, e, "NAME", "guard"))
        if surname_like and _ROLE_END.search(text, max(0, s - 40), s):  # хирургом Ивановым
            out.append(Detection(s, e, "NAME", "guard"))
        if k + 1 < len(words) and words[k + 1].start() == e + 1 and text[e] == " ":
            nxt = words[k + 1].group(0)
            # Иван Иванович; a common first name next to a surname-shaped word: Анна Смирнова
            if (
                _PATRONYMIC_RX.match(nxt)
                or (w in FIRST_NAME_FORMS and (_SURNAME_RX.match(nxt) or nxt in FIRST_NAME_FORMS))
                or (nxt in FIRST_NAME_FORMS and surname_like)
            ):
                out.append(Detection(s, words[k + 1].end(), "NAME", "guard"))
    return out


def _is_surrogate_name(value: str) -> bool:
    words = _WORD.findall(value)
    return bool(words) and all(w in SURROGATE_FORMS for w in words)


def _allowed_keys(allowed: Iterable[str]) -> tuple[set[str], set[tuple[Any, ...]]]:
    exact: set[str] = set()
    dates: set[tuple[Any, ...]] = set()
    for item in allowed:
        exact.add(" ".join(item.split()))
        value = parse_date(item)
        if value is not None:
            dates.add(value.key())
    return exact, dates


def _date_allowed(value: str, dates: set[tuple[Any, ...]]) -> bool:
    parsed = parse_date(value)
    if parsed is None:
        return False
    d, m, y = parsed.key()
    for ad, am, ay in dates:
        if (
            am == m
            and (d is None or ad is None or d == ad)
            and (y is None or ay is None or y == ay)
        ):
            return True
    return False


def scan_text(text: str, *, allowed: Iterable[str] = ()) -> list[Finding]:
    """Residual identifiers in ``text``; empty when it is clean.

    Parameters
    ----------
    text : str
        Any text about to be sent to an LLM.
    allowed : iterable of str, default ()
        Surrogate values to accept (a record's ``surrogates``: shifted dates).

    Returns
    -------
    list of Finding
        Merged, in text order.

    Examples
    --------
    >>> [f.type for f in scan_text("Пациент [ФИО], [ДАТА] г.р., тел. [ТЕЛЕФОН]. Симптом Ортнера +.")]
    []
    >>> [(f.type, f.masked) for f in scan_text("Пациент Иванов И.И., тел. 8-910-123-45-67.")]
    [('NAME', 'Xxxxxx X.X.'), ('PHONE', '#-###-###-##-##')]
    """
    if not isinstance(text, str):
        raise TypeError(f"check_llm_text needs str, got {type(text).__name__}")
    candidates = find_structured(text, localities=False) + find_name_heuristics(text)
    if not candidates:
        return []
    exact, dates = _allowed_keys(allowed)
    protected: list[tuple[int, int]] | None = None
    findings = []
    for d in merge_detections(candidates, text):
        value = text[d.start : d.end]
        if " ".join(value.split()) in exact:
            continue
        if d.type == "DATE" and dates and _date_allowed(value, dates):
            continue
        if d.type == "NAME":
            if _is_surrogate_name(value):
                continue
            if protected is None:
                protected = protected_spans(text)
            if any(ps < d.end and d.start < pe for ps, pe in protected):
                continue
        findings.append(Finding(d.type, d.start, d.end, mask(value)))
    return findings


def check_llm_text(text: str, *, allowed: Iterable[str] = ()) -> None:
    """Raise :class:`PHIGuardError` if ``text`` holds a residual identifier.

    Call it on every prompt (and every other text) sent to an LLM.

    Parameters
    ----------
    text : str
        The full prompt.
    allowed : iterable of str, default ()
        Surrogates to accept - ``record.surrogates`` of the anonymized records
        the prompt embeds (needed only with ``date_strategy="shift"``).

    Raises
    ------
    PHIGuardError
        Naming each finding's type, offset and masked shape; the value itself
        is never shown.

    Examples
    --------
    >>> check_llm_text("Пациент [ФИО], 58 лет. Симптом Щеткина–Блюмберга положительный.")
    >>> check_llm_text("СНИЛС 112-233-445 95")
    Traceback (most recent call last):
    ...
    radjudge.anonymize.guard.PHIGuardError: check_llm_text: residual PHI in a text for an LLM: SNILS at offset 6 (14 chars, masked '###-###-### ##'). Send only records anonymized by radjudge.anonymize (and their shifted dates via allowed=record.surrogates).
    """
    findings = scan_text(text, allowed=allowed)
    if findings:
        shown = "; ".join(
            f"{f.type} at offset {f.start} ({f.end - f.start} chars, masked {f.masked!r})"
            for f in findings[:5]
        )
        more = f"; and {len(findings) - 5} more" if len(findings) > 5 else ""
        raise PHIGuardError(
            f"check_llm_text: residual PHI in a text for an LLM: {shown}{more}. Send only "
            "records anonymized by radjudge.anonymize (and their shifted dates via "
            "allowed=record.surrogates).",
            tuple(findings),
        )


def require_anonymized(record: object) -> AnonymizedRecord:
    """Return ``record`` if it is an anonymized record with a valid marker; raise otherwise.

    Parameters
    ----------
    record : object
        Should be an :class:`AnonymizedRecord` (from
        :func:`~radjudge.anonymize.load_anonymized` or
        :func:`~radjudge.anonymize.anonymize_record`).

    Raises
    ------
    PHIGuardError
        For anything else: a raw or synthetic cohort record, a dict, a record
        without a marker, a marker of another scheme, or content edited after
        anonymization (the content hash no longer matches).
    """
    if not isinstance(record, AnonymizedRecord):
        pid = getattr(record, "patient_id", None)
        raise PHIGuardError(
            f"require_anonymized: refusing {type(record).__name__}"
            f"{f' (patient {pid})' if pid is not None else ''}: only AnonymizedRecord objects "
            "may reach an LLM. Anonymize with radjudge.anonymize.anonymize_records and load "
            "them with radjudge.anonymize.load_anonymized."
        )
    marker = record.marker
    if not isinstance(marker, dict) or not marker:
        raise PHIGuardError(
            f"require_anonymized: patient {record.patient_id} has no anonymization marker; "
            "it was not produced by radjudge.anonymize. Re-run notebook 01."
        )
    if marker.get("scheme") != SCHEME:
        raise PHIGuardError(
            f"require_anonymized: patient {record.patient_id}: marker scheme "
            f"{marker.get('scheme')!r} is not {SCHEME!r}. Re-run notebook 01."
        )
    expected = content_sha256(record.patient_id, record.synthetic, record.sections, marker)
    if marker.get("content_sha256") != expected:
        raise PHIGuardError(
            f"require_anonymized: patient {record.patient_id}: the content does not match its "
            "anonymization marker - the text (or marker) was edited after anonymization. "
            "Re-run notebook 01 instead of editing anonymized records."
        )
    return record
