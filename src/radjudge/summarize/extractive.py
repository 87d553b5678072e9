"""The EXTRACTIVE baseline: sentences copied from the record, scored by lead and keywords.

A reference system in the middle of the quality range: it never invents
anything (every sentence is the record's own) but it does not condense or
reorder. Deterministic, no model.

Algorithm (:func:`extractive_summary`):

1. Split every section into sentences with ``razdel``.
2. Score each sentence: ``+2`` per distinct radiology keyword stem it
   contains (:data:`KEYWORD_STEMS`: contrast, allergy, renal function, prior
   imaging, key labs, ...), ``+1`` if it is the first sentence of its section
   (the lead), ``+3`` for every sentence of the referral section (the
   question the radiologist answers).
3. Take sentences of positive score by descending score (ties: record
   order) while the summary stays within ``max_chars``; a sentence that does
   not fit is skipped, not cut; a sentence scoring 0 (neither lead, keyword
   nor referral) is never taken.
4. Print the kept sentences in record order, one line per section:
   ``Heading: sentence sentence``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from radjudge.records import SECTION_HEADINGS, SECTIONS

__all__ = ["KEYWORD_STEMS", "ScoredSentence", "score_sentences", "extractive_summary"]

#: Lower-case word stems a radiologist looks for before an abdominal CT; a
#: sentence scores for each distinct stem one of its words starts with.
KEYWORD_STEMS: tuple[str, ...] = (
    # contrast and its contraindications
    "контраст",
    "йод",
    "аллерг",
    "непереносим",
    "анафилак",
    "крапивниц",
    "креатинин",
    "скф",
    "почечн",
    "метформин",
    "беремен",
    "щитовид",
    # prior imaging
    "кт",
    "мскт",
    "мрт",
    "узи",
    "рентген",
    "эндоскоп",
    "фгдс",
    "колоноскоп",
    # labs that change the protocol or the question
    "лейкоцит",
    "срб",
    "с-реактив",
    "гемоглобин",
    "билирубин",
    "амилаз",
    "липаз",
    "онкомаркер",
    "рэа",
    "са-19",
    "альфа-фетопротеин",
    # findings
    "образован",
    "очаг",
    "конкремент",
    "жидкост",
    "расширен",
    "увеличен",
    "утолщен",
    "перфорац",
    "абсцесс",
    "опухол",
    "метастаз",
)

_WORD = re.compile(r"[\w-]+", re.UNICODE)


@dataclass(frozen=True)
class ScoredSentence:
    """One sentence of a record with its extractive score.

    Attributes
    ----------
    section : str
        Section key.
    index : int
        Position of the sentence within its section (0 = lead).
    order : int
        Position within the whole record.
    text : str
        The sentence as written.
    score : int
        Keyword, lead and referral points (see the module docstring).
    """

    section: str
    index: int
    order: int
    text: str
    score: int


def _keyword_hits(sentence: str) -> int:
    words = [w.casefold().replace("ё", "е") for w in _WORD.findall(sentence)]
    return sum(1 for stem in KEYWORD_STEMS if any(w.startswith(stem) for w in words))


def score_sentences(sections: Mapping[str, str]) -> list[ScoredSentence]:
    """Split a record's sections into sentences and score them.

    Parameters
    ----------
    sections : mapping of str to str
        Section key -> text (the six keys of :data:`radjudge.records.SECTIONS`).

    Returns
    -------
    list of ScoredSentence
        In record order.

    Examples
    --------
    >>> s = dict.fromkeys(SECTIONS, "")
    >>> s["past_history"] = "Курит. Аллергия на йодсодержащий контраст."
    >>> [(x.text, x.score) for x in score_sentences(s)]
    [('Курит.', 1), ('Аллергия на йодсодержащий контраст.', 6)]
    """
    from razdel import sentenize

    missing = [k for k in SECTIONS if k not in sections]
    if missing:
        raise ValueError(f"record sections lack {missing}; a record has {list(SECTIONS)}")
    out: list[ScoredSentence] = []
    order = 0
    for key in SECTIONS:
        text = sections[key] or ""
        for i, sent in enumerate(s.text.strip() for s in sentenize(text)):
            if not sent:
                continue
            score = 2 * _keyword_hits(sent) + (1 if i == 0 else 0) + (3 if key == "referral" else 0)
            out.append(ScoredSentence(section=key, index=i, order=order, text=sent, score=score))
            order += 1
    return out


def extractive_summary(sections: Mapping[str, str], *, max_chars: int = 600) -> str:
    """Lead-and-keyword extractive summary of one record, at most ``max_chars`` long.

    Parameters
    ----------
    sections : mapping of str to str
        Section key -> (anonymized) text.
    max_chars : int, default 600
        Upper bound on the summary's length in characters (headings and line
        breaks included).

    Returns
    -------
    str
        One line per section that keeps a sentence, ``"Heading: sentences"``,
        in record order; empty only if the record has no sentence that fits.

    Examples
    --------
    >>> s = dict.fromkeys(SECTIONS, "")
    >>> s["complaints"] = "Боль в животе. Слабость."
    >>> s["past_history"] = "Аллергия на йодсодержащий контраст."
    >>> s["referral"] = "КТ брюшной полости: исключить абсцесс."
    >>> print(extractive_summary(s, max_chars=150))
    Жалобы: Боль в животе.
    Анамнез жизни: Аллергия на йодсодержащий контраст.
    Направление (цель исследования): КТ брюшной полости: исключить абсцесс.
    """
    if isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 1:
        raise ValueError(f"max_chars must be a positive int, got {max_chars!r}")
    scored = score_sentences(sections)
    ranked = sorted(scored, key=lambda s: (-s.score, s.order))
    chosen: list[ScoredSentence] = []

    def render(sents: list[ScoredSentence]) -> str:
        lines = []
        for key in SECTIONS:
            texts = [s.text for s in sorted(sents, key=lambda s: s.order) if s.section == key]
            if texts:
                lines.append(f"{SECTION_HEADINGS[key]}: {' '.join(texts)}")
        return "\n".join(lines)

    for sent in ranked:
        if sent.score > 0 and len(render([*chosen, sent])) <= max_chars:
            chosen.append(sent)
    return render(chosen)
