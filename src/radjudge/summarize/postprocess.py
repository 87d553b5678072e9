"""Deterministic clean-up of generated summaries, and flags for the bad ones.

Small models often run on after the summary: they open a new chat turn, repeat
the cue of the prompt, or loop over the same line until ``max_tokens``.
:func:`clean_summary` cuts such tails with three fixed rules, applied in order:

1. **Stop markers.** Cut at the first chat-turn token (``<|im_end|>``,
   ``<|im_start|>``, ``<end_of_turn>``, ``<start_of_turn>``, ``<eos>``,
   ``</s>``) or at the first *repeat* of a prompt cue given in ``cues`` (e.g.
   the model starts a second "Краткая сводка для рентгенолога:").
2. **Repeated line or header.** Cut at the first non-empty line that repeats
   an earlier one, or that starts with a header of the template (``headers``,
   e.g. "Цель исследования:") already used by an earlier line; lines are
   compared after collapsing whitespace and case. A restarted list of headers
   or a loop ends the summary there.
3. **Whitespace and broken characters.** Strip trailing spaces of every line,
   collapse runs of blank lines to one, strip the whole text, and drop
   replacement characters (U+FFFD) at its end: byte-level tokenizers spell a
   Cyrillic letter with two tokens, and ``max_tokens`` may stop between them.

Nothing is ever dropped: :func:`flag_summary` labels what is left and says why
(:class:`SummaryCheck`), and the summary table keeps the row with its raw text,
its ``flag`` and its ``flag_reason``. The rules, each a knob of
:class:`FlagRules` (profile: ``02_summarization.summary_flags``):

``empty`` / ``no_text``
    no letter at all;
``degenerate`` / ``too_short``
    fewer than ``min_chars`` characters or ``min_words`` words - a header such
    as "Направление (цель исследования):" is no summary;
``degenerate`` / ``prompt_echo``
    ``echo_words`` consecutive words copied from the instructions of the prompt
    (the template around the record; the record itself may be quoted, the task
    may not);
``degenerate`` / ``loop``
    a word n-gram (1 <= n <= 8) repeated ``loop_repeats`` times back to back
    ("гиперваслями, гиперваслями, гиперваслями"; a last copy cut short by the
    end of the text counts), 2-12 letters repeated five times inside a word
    ("барабарабарабара"), or, with at least 10 word trigrams, a share of
    distinct trigrams below ``min_distinct_trigrams``.

``failed`` / ``call_failed`` (the call failed) is set by
:mod:`radjudge.summarize.run`. Reasons are joined with ``;``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from radjudge.contracts import SummaryFlag

__all__ = ["STOP_MARKERS", "FlagRules", "SummaryCheck", "clean_summary", "flag_summary"]

#: Chat-turn and end-of-text markers a model may print as plain text.
STOP_MARKERS = (
    "<|im_end|>",
    "<|im_start|>",
    "<|endoftext|>",
    "<end_of_turn>",
    "<start_of_turn>",
    "<eos>",
    "</s>",
)

_WORD = re.compile(r"\w+", re.UNICODE)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
# A syllable loop inside one token ("барабарабарабара"): 2-12 letters, five times in a row.
_LETTER_LOOP = re.compile(r"([^\W\d_]{2,12}?)\1{4,}", re.IGNORECASE)


def _norm_line(line: str) -> str:
    return " ".join(line.split()).casefold()


def clean_summary(text: str, *, cues: Iterable[str] = (), headers: Iterable[str] = ()) -> str:
    """Apply the three clean-up rules of this module to a generated text.

    Parameters
    ----------
    text : str
        Generated text (the answer prefix, if any, already prepended).
    cues : iterable of str, default ()
        Prompt cues (e.g. ``"Краткая сводка для рентгенолога:"``); the text is
        cut where a cue appears for the *second* time, or for the first time
        after the start (a cue at position 0 is the answer prefix itself).
    headers : iterable of str, default ()
        Section headers of a structured template; a second line starting with
        the same header ends the summary.

    Returns
    -------
    str
        The cleaned text; may be empty.

    Examples
    --------
    >>> clean_summary("Цель: КТ.\\nКреатинин 90.\\nЦель: КТ.\\nЦель: КТ.")
    'Цель: КТ.\\nКреатинин 90.'
    >>> clean_summary("Сводка: боль.<|im_end|>\\n<|im_start|>user")
    'Сводка: боль.'
    >>> clean_summary("Цель: КТ.\\nОАК: норма.\\nЦель: МРТ.", headers=["Цель:"])
    'Цель: КТ.\\nОАК: норма.'
    >>> cue = "Краткая сводка:"
    >>> clean_summary(f"{cue}\\nболь\\n\\n\\n{cue}\\nещё", cues=[cue])
    'Краткая сводка:\\nболь'
    """
    if not isinstance(text, str):
        raise ValueError(f"clean_summary: text must be str, got {type(text).__name__}")
    cut = len(text)
    for marker in STOP_MARKERS:
        pos = text.find(marker)
        if pos != -1:
            cut = min(cut, pos)
    for cue in cues:
        cue = cue.strip()
        if not cue:
            continue
        first = text.find(cue)
        if first > 0:
            cut = min(cut, first)
        elif first == 0:
            again = text.find(cue, len(cue))
            if again != -1:
                cut = min(cut, again)
    text = text[:cut]
    header_keys = [h for h in (_norm_line(h) for h in headers) if h]
    kept: list[str] = []
    seen: set[str] = set()
    seen_headers: set[str] = set()
    for line in text.splitlines():
        key = _norm_line(line)
        if key and key in seen:
            break
        # leading list markers ("- ", "* ", "1. ") do not hide a header
        bare = re.sub(r"^(?:[-*•]|\d+[.)])\s*", "", key)
        hit = next((h for h in header_keys if bare.startswith(h)), None)
        if hit is not None and hit in seen_headers:
            break
        if hit is not None:
            seen_headers.add(hit)
        if key:
            seen.add(key)
        kept.append(line.rstrip())
    out = "\n".join(kept)
    out = re.sub(r"\n{3,}", "\n\n", out)
    return out.strip().rstrip("\ufffd").strip()


@dataclass(frozen=True)
class FlagRules:
    """Thresholds of :func:`flag_summary` (the module docstring says what each rule means).

    Attributes
    ----------
    min_chars : int, default 0
        Fewer characters (stripped) is ``too_short``.
    min_words : int, default 3
        Fewer words is ``too_short``.
    echo_words : int, default 6
        This many consecutive words of the prompt's instructions is a ``prompt_echo``.
    loop_repeats : int, default 3
        A word n-gram repeated this many times back to back is a ``loop``.
    min_distinct_trigrams : float, default 0.5
        With >= 10 word trigrams, a lower share of distinct ones is a ``loop``.
    """

    min_chars: int = 0
    min_words: int = 3
    echo_words: int = 6
    loop_repeats: int = 3
    min_distinct_trigrams: float = 0.5

    def __post_init__(self) -> None:
        for name in ("min_chars", "min_words"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ValueError(f"summary_flags.{name} must be an integer >= 0, got {v!r}")
        for name in ("echo_words", "loop_repeats"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 2:
                raise ValueError(f"summary_flags.{name} must be an integer >= 2, got {v!r}")
        v = self.min_distinct_trigrams
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 1:
            raise ValueError(f"summary_flags.min_distinct_trigrams must lie in [0, 1], got {v!r}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> FlagRules:
        """From the profile mapping (``None`` or ``{}``: the defaults); unknown keys raise."""
        data = dict(data or {})
        known = [f.name for f in fields(cls)]
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"summary_flags: unknown key(s) {unknown}; allowed: {known}")
        return cls(**data)


@dataclass(frozen=True)
class SummaryCheck:
    """What :func:`flag_summary` found: the ``flag`` and, unless ok, the ``reason``."""

    flag: SummaryFlag
    reason: str | None = None


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def _has_loop(words: list[str], repeats: int) -> bool:
    """A word n-gram (n <= 8) repeated ``repeats`` times back to back.

    A last copy cut short by the end of the text (``max_tokens`` stops inside a
    word: "как больше исследования, как больш") counts when what is left of it
    is a prefix of the unit.
    """
    n_words = len(words)
    for n in range(1, 9):
        for i in range(n_words - n + 1):
            unit = words[i : i + n]
            copies, j = 1, i + n
            while words[j : j + n] == unit:
                copies, j = copies + 1, j + n
            tail = words[j:]
            if 0 < len(tail) <= n and tail[:-1] == unit[: len(tail) - 1]:
                copies += unit[len(tail) - 1].startswith(tail[-1])
            if copies >= repeats:
                return True
    return False


def _echoes(words: list[str], instructions: str, n: int) -> bool:
    said = _words(instructions)
    grams = {tuple(said[i : i + n]) for i in range(len(said) - n + 1)}
    return any(tuple(words[i : i + n]) in grams for i in range(len(words) - n + 1))


def flag_summary(
    text: str, *, instructions: str = "", rules: FlagRules | None = None
) -> SummaryCheck:
    """Label a (cleaned) summary ``"ok"``, ``"empty"`` or ``"degenerate"``, with the reason.

    Parameters
    ----------
    text : str
        The summary.
    instructions : str, default ""
        The prompt's own text without the record (system message, instruction,
        answer prefix); ``""`` for reference systems, which have no prompt.
    rules : FlagRules, optional
        Thresholds; the defaults of :class:`FlagRules` if omitted.

    Returns
    -------
    SummaryCheck
        Every rule that applies is named in ``reason`` (``;``-joined).

    Examples
    --------
    >>> flag_summary("   ")
    SummaryCheck(flag='empty', reason='no_text')
    >>> flag_summary("Направление (цель исследования):", rules=FlagRules(min_chars=40)).reason
    'too_short'
    >>> flag_summary(" ".join(["боль в животе"] * 10)).reason
    'loop'
    >>> flag_summary("Цель исследования: исключить острый аппендицит.").flag
    'ok'
    """
    rules = rules if rules is not None else FlagRules()
    if not _LETTER.search(text):
        return SummaryCheck("empty", "no_text")
    words = _words(text)
    reasons = []
    if len(text.strip()) < rules.min_chars or len(words) < rules.min_words:
        reasons.append("too_short")
    if instructions and _echoes(words, instructions, rules.echo_words):
        reasons.append("prompt_echo")
    trigrams = list(zip(words, words[1:], words[2:], strict=False))
    if (
        _has_loop(words, rules.loop_repeats)
        or _LETTER_LOOP.search(text)
        or (
            len(trigrams) >= 10 and len(set(trigrams)) / len(trigrams) < rules.min_distinct_trigrams
        )
    ):
        reasons.append("loop")
    return SummaryCheck("degenerate", ";".join(reasons)) if reasons else SummaryCheck("ok")
