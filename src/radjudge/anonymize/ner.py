"""Named entities by Natasha (slovnet NER: PER, LOC, ORG).

The model ships inside the ``natasha`` wheel (navec embeddings + slovnet
tagger), nothing is downloaded. It is loaded once per process (lazily, ~1 s)
and texts are tagged in batches (:func:`find_entities_batch`).

Natasha is trained on news. On clinical text its raw output needs three
corrections, applied here:

* ``PER`` spans are cut at lower-case words (except name particles: ибн,
  де, ван...), and a sentence-initial dictionary word that is not a name is
  dropped ("Консультирована урологом И.С. Кузнецовой" -> "И.С. Кузнецовой",
  "Колоноскопия" -> nothing); foreign names unknown to the dictionary stay;
* ``ORG``/``LOC`` spans made only of medical abbreviations (ОАК, КТ, ФГДС...)
  or short all-capital tokens are dropped;
* ``ORG``/``LOC`` spans written only in Latin script, and ``PER`` spans made
  only of capital-letter acronyms (RECIST, XELOX), are dropped.

Eponyms (болезнь Крона...) are removed later, with every other detector's
output, by :func:`radjudge.anonymize.clinical.protected_spans`.

The unit of NER is the sentence (:func:`sentence_spans`: a conservative
splitter - never after an initial or a short abbreviation) with the last four
tokens before it as context, and each unit's result is memoized (a bounded
cache). The tagger sees three tokens to each side of a word (three
convolutions of width 3), so the unit carries what it needs; and the
anonymizer, scanning its own output, re-runs NER only on the sentences its
replacements changed - every other sentence is a cache hit.
Texts are tagged in batches sorted by length (less padding); a text's tags
do not depend on its batch (padded positions are zero and masked).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING

from radjudge.anonymize.clinical import is_medical_abbreviation
from radjudge.anonymize.morph import token_kind
from radjudge.anonymize.spans import Detection

if TYPE_CHECKING:
    from natasha import NewsNERTagger

__all__ = [
    "ner_tagger",
    "find_entities",
    "find_entities_batch",
    "sentence_spans",
    "clear_ner_cache",
    "ner_cache_characters",
    "NER_TYPES",
]

#: Natasha entity type -> PHI type.
NER_TYPES = {"PER": "NAME", "LOC": "LOCATION", "ORG": "ORGANIZATION"}
_TOKEN = re.compile(r"[А-ЯЁA-Z]\.|[\w-]+|\S")
_ORG_ABBREVIATIONS = frozenset(
    "ЦРБ ГКБ ОКБ РКБ ДГКБ БСМП ГБСМП ЦГБ МСЧ РЖД МЧС МВД ФСБ УФМС ФМС ФМБА МГУ СПбГУ ВДНХ ОМВД "
    "ГИБДД".split()
)


_NER_BATCH = 32


@cache
def ner_tagger() -> NewsNERTagger:
    """The shared Natasha NER tagger (loaded on first use), tagging batches of 32 texts."""
    from natasha import NewsEmbedding, NewsNERTagger

    tagger = NewsNERTagger(NewsEmbedding())
    # Natasha's batches of 8 make matrix products too small to pay for BLAS threads on a busy
    # machine (4x slower measured); 32 sentences are as fast single-threaded and far faster
    # threaded. A text's tags do not depend on its batch.
    tagger.batch_size = tagger.infer.encoder.batch_size = _NER_BATCH
    return tagger


# Lower-case particles inside foreign names ("Абу Машар ибн Эзра", "Франк де Блекере").
_COMPOUND = re.compile(r"[А-ЯЁA-Z]{2,}-[а-яё]+")
_PARTICLES = frozenset(
    "ибн бен бин аль эль ас ад де ди да дос дю ла ле ван фон дер цу оглы кызы угли".split()
)


def _trim_person(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut a PER span at lower-case words; drop a sentence-initial common word.

    "Консультирована урологом И.С. Кузнецовой" -> ["И.С. Кузнецовой"]; foreign
    names (mostly unknown to the dictionary) stay whole.
    """
    toks = [
        (start + m.start(), start + m.end(), m.group(0)) for m in _TOKEN.finditer(text[start:end])
    ]
    toks = [t for t in toks if re.match(r"\w", t[2])]
    segments: list[list[tuple[int, int, str]]] = [[]]
    for tok in toks:
        word = tok[2]
        if (
            word[:1].islower()
            and word.lower() not in _PARTICLES
            and not re.fullmatch(r"[a-z]+", word)
        ):
            segments.append([])
        elif (
            segments[-1]
            and text[: tok[0]].endswith(". ")
            and re.fullmatch(r"[А-ЯЁ][а-яё]+", word)
            and token_kind(word) == "other"
        ):
            segments.append([])  # "Сидорову А.А. Пациент": a new sentence starts after the initials
        else:
            segments[-1].append(tok)
    out = []
    for seg in segments:
        # particles, and medical compounds ("МРТ-энтерография", "КТ-ангиография"), never end a name
        while seg and (seg[0][2].lower() in _PARTICLES or _COMPOUND.fullmatch(seg[0][2])):
            seg = seg[1:]
        while seg and (seg[-1][2].lower() in _PARTICLES or _COMPOUND.fullmatch(seg[-1][2])):
            seg = seg[:-1]
        if seg:
            first = seg[0][2]
            sentence_start = text[: seg[0][0]].rstrip()[-1:] in ("", ".", "!", "?", "\n", ":")
            if (
                sentence_start
                and re.fullmatch(r"[А-ЯЁ][а-яё]+", first)
                and token_kind(first) == "other"
            ):
                seg = seg[1:]
        if seg and not all(re.fullmatch(r"[A-Z0-9-]+", t[2]) for t in seg):  # acronyms: not persons
            out.append((seg[0][0], seg[-1][1]))
    return out


_LEGAL_FORM = re.compile(
    r"^(?:ФГБУЗ|ФГБУ|ФКУ|ГБУЗ|ГАУЗ|ГБУ|ГУЗ|МБУЗ|ЧУЗ|ООО|ОАО|ЗАО|ПАО|АО|ГУП|МУП|ФГУП|АНО)$"
)


def _keep_org_or_loc(text: str) -> bool:
    tokens = [t for t in re.findall(r"[\w-]+", text)]
    if not tokens:
        return False
    if all(re.fullmatch(r"[A-Za-z-]+", t) for t in tokens):
        return False
    # "АСТ 72 Ед/л": a lab line, not an organisation.
    if (
        any(is_medical_abbreviation(t) for t in tokens)
        and not any(_LEGAL_FORM.match(t) or t in _ORG_ABBREVIATIONS for t in tokens)
        and "«" not in text
    ):
        return False
    if all(
        is_medical_abbreviation(t)
        or (t.isupper() and len(t) <= 5 and t not in _ORG_ABBREVIATIONS and not t.isdigit())
        for t in tokens
    ):
        return False
    return True


def _refine(text: str, spans: Iterable[tuple[int, int, str]]) -> list[Detection]:
    out: list[Detection] = []
    for start, stop, ner_type in spans:
        phi_type = NER_TYPES.get(ner_type)
        if phi_type is None:
            continue
        if phi_type == "NAME":
            out.extend(Detection(s, e, "NAME", "ner") for s, e in _trim_person(text, start, stop))
            continue
        if not _keep_org_or_loc(text[start:stop]):
            continue
        out.append(Detection(start, stop, phi_type, "ner"))
    return out


# A sentence ends at . ! ? or … followed by a space and a capital, a digit or an opening
# quote - unless the word before the stop is an initial or an abbreviation ("И.И. Иванов",
# "г. Тула", "просп. Мира", "проф. Петров"): a word of one or two letters or one of these.
_SENTENCE_STOP = re.compile(r"(?<=[.!?…])\s+(?=[«\"(]?[А-ЯЁA-Z0-9])")
_WORD_BEFORE_STOP = re.compile(r"([\w/-]+)[.!?…]+[»\")]*$")
_NO_STOP_AFTER = frozenset(
    "обл пос дер хут гор тел моб раб дом стр пер наб мкр корп просп доц зав отд амб леч мед "
    "проф акад канд ассист поликл клин респ стац конс напр иссл диагн табл прим рис мин сут "
    "нед мес мкр-н пр-кт пр-т р-н р-на".split()
)
_NER_CACHE_MAX = 200_000  # sentences
_ner_cache: dict[str, tuple[Detection, ...]] = {}


def clear_ner_cache() -> None:
    """Forget every memoized sentence."""
    _ner_cache.clear()


def ner_cache_characters() -> int:
    """Characters tagged since the NER cache was last cleared (what the tagger has read)."""
    return sum(len(unit) for unit in _ner_cache)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The sentences of ``text`` as ``(start, end)``, surrounding whitespace left out.

    >>> t = "Осмотрен И.И. Петровым. Рекомендовано: КТ. г. Тула, просп. Мира."
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['Осмотрен И.И. Петровым.', 'Рекомендовано: КТ. г. Тула, просп. Мира.']
    """
    spans, start = [], 0
    for m in _SENTENCE_STOP.finditer(text):
        word = _WORD_BEFORE_STOP.search(text, start, m.start())
        token = word.group(1) if word else ""
        if token.isdigit() or (len(token) >= 3 and token.lower() not in _NO_STOP_AFTER):
            spans.append((start, m.start()))
            start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
    return out


_CONTEXT_TOKEN = re.compile(r"\w+|[^\w\s]")
_CONTEXT_TOKENS = 4  # the tagger's three width-3 convolutions see three tokens to each side


def _units(text: str) -> list[tuple[int, int, int]]:
    """``(context_start, start, end)`` per sentence: the sentence and, before it, the last
    few tokens of the text before it (a sentence-initial name needs them: "... армией. Путин
    также подпишет")."""
    out = []
    for start, end in sentence_spans(text):
        tokens = list(_CONTEXT_TOKEN.finditer(text, max(0, start - 60), start))
        lead = (
            tokens[-_CONTEXT_TOKENS].start()
            if len(tokens) >= _CONTEXT_TOKENS
            else (tokens[0].start() if tokens else start)
        )
        out.append((lead, start, end))
    return out


def _tag_units(units: list[str]) -> None:
    """Tag the units not yet memoized, in batches sorted by length."""
    todo = sorted({t for t in units if t not in _ner_cache}, key=len)
    if not todo:
        return
    if len(_ner_cache) + len(todo) > _NER_CACHE_MAX:
        _ner_cache.clear()
    for text, markup in zip(todo, ner_tagger().map(todo), strict=True):
        _ner_cache[text] = tuple(_refine(text, ((s.start, s.stop, s.type) for s in markup.spans)))


def find_entities_batch(texts: Sequence[str]) -> list[list[Detection]]:
    """NER detections for each text (refined as described in the module docstring).

    Each text is tagged sentence by sentence (:func:`sentence_spans`), each
    sentence with the last few tokens before it as context; a sentence seen
    before in the same context is not tagged again.

    Parameters
    ----------
    texts : sequence of str

    Returns
    -------
    list of list of Detection
        ``len(texts)`` lists, ``detector == "ner"``, offsets into each text.
    """
    units = [_units(t) for t in texts]
    _tag_units([t[lead:e] for t, per in zip(texts, units, strict=True) for lead, _, e in per])
    results = []
    for text, per in zip(texts, units, strict=True):
        found: list[Detection] = []
        for lead, s, e in per:
            found.extend(
                Detection(d.start + lead, d.end + lead, d.type, d.detector)
                for d in _ner_cache[text[lead:e]]
                if d.end + lead > s  # what lies only in the context belongs to the sentence before
            )
        results.append(found)
    return results


def find_entities(text: str) -> list[Detection]:
    """NER detections for one text.

    >>> t = "Консультирована урологом И.С. Кузнецовой в ГБУЗ «Областная клиническая больница»."
    >>> [(d.type, t[d.start:d.end]) for d in find_entities(t)]  # doctest: +NORMALIZE_WHITESPACE
    [('NAME', 'И.С. Кузнецовой'), ('ORGANIZATION', 'ГБУЗ «Областная клиническая больница')]
    """
    return find_entities_batch([text])[0]
