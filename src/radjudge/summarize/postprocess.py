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

Nothing is ever dropped: :func:`flag_summary` labels what is left as
``"ok"``, ``"empty"`` (no letter at all) or ``"degenerate"`` (fewer than
``min_words`` words, or a repetitive text whose share of distinct word
trigrams is below ``min_distinct_trigrams``), and the summary table keeps
the row with its raw text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

__all__ = ["STOP_MARKERS", "SummaryFlag", "clean_summary", "flag_summary"]

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

SummaryFlag = Literal["ok", "empty", "degenerate"]

_WORD = re.compile(r"\w+", re.UNICODE)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


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


def flag_summary(
    text: str, *, min_words: int = 3, min_distinct_trigrams: float = 0.5
) -> SummaryFlag:
    """Label a (cleaned) summary ``"ok"``, ``"empty"`` or ``"degenerate"``.

    Parameters
    ----------
    text : str
        The summary.
    min_words : int, default 3
        Fewer words than this is degenerate.
    min_distinct_trigrams : float, default 0.5
        With at least 10 word trigrams, a share of distinct trigrams below
        this is degenerate (a loop such as "боль боль боль ...").

    Returns
    -------
    {"ok", "empty", "degenerate"}

    Examples
    --------
    >>> flag_summary("   ")
    'empty'
    >>> flag_summary("КТ")
    'degenerate'
    >>> flag_summary(" ".join(["боль в животе"] * 10))
    'degenerate'
    >>> flag_summary("Цель исследования: исключить острый аппендицит.")
    'ok'
    """
    if not _LETTER.search(text):
        return "empty"
    words = [w.casefold() for w in _WORD.findall(text)]
    if len(words) < min_words:
        return "degenerate"
    trigrams = list(zip(words, words[1:], words[2:], strict=False))
    if len(trigrams) >= 10 and len(set(trigrams)) / len(trigrams) < min_distinct_trigrams:
        return "degenerate"
    return "ok"
