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
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache

from radjudge.anonymize.clinical import is_medical_abbreviation
from radjudge.anonymize.morph import token_kind
from radjudge.anonymize.spans import Detection

__all__ = ["ner_tagger", "find_entities", "find_entities_batch", "NER_TYPES"]

#: Natasha entity type -> PHI type.
NER_TYPES = {"PER": "NAME", "LOC": "LOCATION", "ORG": "ORGANIZATION"}
_TOKEN = re.compile(r"[А-ЯЁA-Z]\.|[\w-]+|\S")
_ORG_ABBREVIATIONS = frozenset(
    "ЦРБ ГКБ ОКБ РКБ ДГКБ БСМП ГБСМП ЦГБ МСЧ РЖД МЧС МВД ФСБ УФМС ФМС ФМБА МГУ СПбГУ ВДНХ ОМВД ГИБДД".split()
)


@cache
def ner_tagger():  # noqa: ANN201 - natasha.NewsNERTagger, imported lazily
    """The shared Natasha NER tagger (loaded on first use)."""
    from natasha import NewsEmbedding, NewsNERTagger

    return NewsNERTagger(NewsEmbedding())


# Lower-case particles inside foreign names ("Абу Машар ибн Эзра", "Франк де Блекере").
_COMPOUND = re.compile(r"[А-ЯЁA-Z]{2,}-[а-яё]+")
_PARTICLES = frozenset(
    "ибн бен бин аль эль ас ад де ди да дос дю ла ле ван фон дер цу оглы кызы".split()
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
    out = []
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


def find_entities_batch(texts: Sequence[str]) -> list[list[Detection]]:
    """NER detections for each text (refined as described in the module docstring).

    Parameters
    ----------
    texts : sequence of str

    Returns
    -------
    list of list of Detection
        ``len(texts)`` lists, ``detector == "ner"``.
    """
    texts = list(texts)
    results: list[list[Detection]] = [[] for _ in texts]
    todo = [i for i, t in enumerate(texts) if t.strip()]
    if not todo:
        return results
    tagger = ner_tagger()
    for i, markup in zip(todo, tagger.map([texts[i] for i in todo]), strict=True):
        results[i] = _refine(texts[i], ((s.start, s.stop, s.type) for s in markup.spans))
    return results


def find_entities(text: str) -> list[Detection]:
    """NER detections for one text.

    >>> t = "Консультирована урологом И.С. Кузнецовой в ГБУЗ «Областная клиническая больница»."
    >>> [(d.type, t[d.start:d.end]) for d in find_entities(t)]  # doctest: +NORMALIZE_WHITESPACE
    [('NAME', 'И.С. Кузнецовой'), ('ORGANIZATION', 'ГБУЗ «Областная клиническая больница')]
    """
    return find_entities_batch([text])[0]
