"""THE GUARD: nothing un-anonymized reaches an LLM.

:func:`check_llm_text` runs on every text sent to an LLM (every prompt part
the :class:`radjudge.llm.LLMClient` receives, every summary before a judge
reads it). It is the residual-PHI scan :func:`scan_text`, which runs *the same
detectors as the anonymizer* (:func:`radjudge.anonymize.detect_phi`: rules,
Natasha NER, pymorphy3 morphology, name heuristics, with the same clinical
protection) - not a weaker subset - line by line and memoized, so a sweep that
embeds the same record in thousands of prompts detects each distinct line
once. The anonymizer runs this very scan on its output until it is clean.

Records are checked too: :func:`radjudge.anonymize.require_anonymized` (in
:mod:`radjudge.anonymize.record`) accepts only an
:class:`~radjudge.anonymize.AnonymizedRecord`, which only the anonymizer can
make.

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
* eponyms and other clinical content (:mod:`radjudge.anonymize.clinical`).

Errors never echo PHI: a finding is reported by type, offset, length and a
*masked* shape (digits as ``#``, letters as ``x``/``X``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from radjudge.anonymize.detect import detect_phi
from radjudge.anonymize.names import SURROGATE_FORMS
from radjudge.anonymize.rules import parse_date
from radjudge.anonymize.spans import Detection

__all__ = [
    "PHIGuardError",
    "Finding",
    "scan_text",
    "residual_detections",
    "check_llm_text",
    "describe_findings",
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


_WORD = re.compile(r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?")


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
    >>> t = "Пациент [ФИО], [ДАТА] г.р., тел. [ТЕЛЕФОН]. Симптом Ортнера +."
    >>> [f.type for f in scan_text(t)]
    []
    >>> [(f.type, f.masked) for f in scan_text("Пациент Иванов И.И., тел. 8-910-123-45-67.")]
    [('NAME', 'Xxxxxx X.X.'), ('PHONE', '#-###-###-##-##')]
    """
    return [
        Finding(d.type, d.start, d.end, mask(text[d.start : d.end]))
        for d in residual_detections(text, allowed=allowed)
    ]


def residual_detections(text: str, *, allowed: Iterable[str] = ()) -> list[Detection]:
    """The detections of :func:`detect_phi` in ``text`` that are not allowed surrogates.

    What :func:`scan_text` reports, as detections (with their detectors); the
    anonymizer repeats detection on its own output with this until it is empty.
    """
    if not isinstance(text, str):
        raise TypeError(f"check_llm_text needs str, got {type(text).__name__}")
    found = detect_phi(text, unit="line")
    if not found:
        return []
    exact, dates = _allowed_keys(allowed)
    out = []
    for d in found:
        value = text[d.start : d.end]
        if " ".join(value.split()) in exact:
            continue
        if d.type == "DATE" and dates and _date_allowed(value, dates):
            continue
        if d.type == "NAME" and _is_surrogate_name(value):
            continue
        out.append(d)
    return out


def describe_findings(findings: Sequence[Finding], *, limit: int = 5) -> str:
    """What an error shows of findings: type, offset, length, masked shape - never the value.

    >>> describe_findings(scan_text("Пациент Иванов И.И."))
    "NAME at offset 8 (11 chars, masked 'Xxxxxx X.X.')"
    """
    shown = "; ".join(
        f"{f.type} at offset {f.start} ({f.end - f.start} chars, masked {f.masked!r})"
        for f in findings[:limit]
    )
    return shown + (f"; and {len(findings) - limit} more" if len(findings) > limit else "")


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
    >>> check_llm_text("СНИЛС 112-233-445 95")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    radjudge.anonymize.guard.PHIGuardError: check_llm_text: residual PHI in a text for an LLM: \
SNILS at offset 6 (14 chars, masked '###-###-### ##'). Send only records anonymized by ...
    """
    findings = scan_text(text, allowed=allowed)
    if findings:
        raise PHIGuardError(
            f"check_llm_text: residual PHI in a text for an LLM: {describe_findings(findings)}. "
            "Send only "
            "records anonymized by radjudge.anonymize (and their shifted dates via "
            "allowed=record.surrogates).",
            tuple(findings),
        )
