"""Measurable features of a summary, from its text, its record and the patient's key facts.

One function, :func:`summary_features`, turns a summaries table into a tidy
table with one row per summary. Notebook 02 reports these features as
descriptive statistics; the simulated expert panel (:mod:`radjudge.ratings.simulate`)
derives its latent quality from them.

Features
--------
Length
    ``n_chars`` (characters of the stripped text), ``n_words`` (word tokens,
    ``razdel``), ``compression`` = summary characters / record characters.
Structure
    ``n_lines`` (non-empty lines), ``n_headings`` (lines that are a heading or
    start with a short label followed by a colon, e.g. ``Диагноз: ...``; markdown
    ``#`` headings count), ``n_bullets`` (lines starting with ``-``, ``–``,
    ``•``, ``*`` or ``1.`` / ``1)``) and ``structure_score`` in [0, 1]::

        structure_score = (min(n_headings, 3) / 3 + min(n_bullets, 3) / 3 + [n_lines >= 3]) / 3

Coverage of key facts
    Every key fact of the patient's ground truth is one *fact unit* in a group:
    ``diagnosis``, ``findings`` (``key_findings``), ``labs`` (``key_labs``),
    ``contraindications`` (``contrast_contraindications``), ``prior_imaging``
    and ``referral`` (``referral_question``).

    **Matching rule.** Text is lower-cased (ё = е) and split into tokens: a
    *number* is a run of digits standing alone, with an optional decimal part
    (``5,4`` = ``5.4``, ``74,0`` = ``74``); any other run of letters and digits is
    a *word*. Alphabetic words are reduced to their lemma with pymorphy3 (first
    parse); function words (prepositions, conjunctions, particles,
    interjections, pronouns) and one-letter words are dropped; codes mixing
    letters and digits (``S7``, ``pT3N1M0``) are kept as written. Text in
    parentheses inside a fact (ICD-10 codes, ``(RECIST 1.1)``) is a qualifier
    and is not required. A fact unit is *covered* by a summary when

    1. every number of the fact appears among the summary's numbers, and
    2. at least ``min_overlap`` (default 0.6) of the fact's distinct word lemmas
       appear among the summary's lemmas.

    The year of a prior study is not required (:func:`without_years`: the
    anonymized record masks that date). A lab is the unit ``name value``: its value must appear
    and 60 % of the
    lemmas of its name (the unit is not required). ``coverage`` is the share of covered
    units over all groups; ``coverage_<group>`` the share within a group (NaN
    when the patient has no fact in it); ``coverage_radiology`` pools the
    groups a radiologist needs to plan the scan (contraindications, prior
    imaging, referral question) and ``coverage_clinical`` the clinical picture
    (diagnosis, findings, labs).
Unsupported content (a proxy)
    Content the record does not support. Measured against the record the
    summarizer saw, after removing line-opening labels (up to 49 characters
    without digits before a colon: ``Предварительный диагноз:``, ``- Анализы:``
    - layout, not claims):

    * ``unsupported_numbers``: distinct numbers of the summary absent from the record;
    * ``novel_lemmas``: distinct content lemmas (nouns, adjectives, verbs,
      participles, words pymorphy does not know) of the summary absent from the record;
    * ``unsupported_rate`` = (unsupported_numbers + novel_lemmas) /
      (distinct numbers + distinct content lemmas of the summary); 0 for an empty summary.

    A paraphrase with a synonym counts as novel, so the rate of a good abstractive
    summary is not zero; it is a proxy that rises with invented numbers and
    diagnoses, not a verdict on a single statement.

Worked example (``min_overlap=0.6``): the fact ``"аллергия на йодсодержащий
контраст"`` has lemmas {аллергия, йодсодержащий, контраст}; a summary
mentioning ``"аллергией на контраст"`` matches 2 of 3 = 0.67 >= 0.6, so it is
covered:

>>> fact_is_covered("аллергия на йодсодержащий контраст", "Аллергия на контраст (крапивница).")
True
>>> fact_is_covered("креатинин 142 мкмоль/л", "креатинин повышен")
False
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "FACT_GROUPS",
    "KeyFact",
    "key_facts",
    "without_years",
    "text_lemmas",
    "fact_is_covered",
    "fact_coverage",
    "summary_features",
    "FEATURE_COLUMNS",
]

#: Fact groups, in the order of the ``coverage_<group>`` columns.
FACT_GROUPS = ("diagnosis", "findings", "labs", "contraindications", "prior_imaging", "referral")
#: Groups pooled into ``coverage_radiology`` and ``coverage_clinical``.
RADIOLOGY_GROUPS = ("contraindications", "prior_imaging", "referral")
CLINICAL_GROUPS = ("diagnosis", "findings", "labs")

_FUNCTION_POS = {"PREP", "CONJ", "PRCL", "INTJ", "NPRO"}
_CONTENT_POS = {"NOUN", "ADJF", "ADJS", "COMP", "VERB", "INFN", "PRTF", "PRTS", "GRND", None}
# A number stands alone (not glued to letters or digits: "S7", "pT3N1M0" are words);
# "14,2" and "14.2" are one number. Anything else alphanumeric is a word token.
_TOKEN = re.compile(r"(?<![^\W_])(\d+(?:[.,]\d+)?)(?![^\W_])|([^\W_]+)")
_PARENS = re.compile(r"\([^()]*\)")
# A label opening a line ("Предварительный диагноз:", "- Анализы:"), removed before the
# unsupported-content count; a number before the colon ("Т 38:") keeps it from being a label.
_LABEL_PREFIX = re.compile(r"^([ \t]*(?:[-–—•*▪●][ \t]*)?)[^\W\d_][^:\n\d]{0,48}:", re.MULTILINE)
_BULLET = re.compile(r"^\s*(?:[-–—•*▪●]|\d{1,2}[.)])\s+")
_LABEL = re.compile(r"^\s*(?:#{1,6}\s*\S|[^\W\d_][^:\n]{0,48}:)")


@dataclass(frozen=True)
class KeyFact:
    """One fact unit of a patient's ground truth.

    Attributes
    ----------
    group : str
        One of :data:`FACT_GROUPS`.
    text : str
        The fact as written in the ground truth (a lab is ``"name value"``).
    """

    group: str
    text: str


def key_facts(facts: Mapping[str, Any]) -> list[KeyFact]:
    """The fact units of one patient's ``ground_truth.facts`` (cohort contract).

    Parameters
    ----------
    facts : mapping
        ``{"diagnosis": str, "key_findings": [str], "key_labs": [{"name", "value",
        "unit", ...}], "contrast_contraindications": [str], "prior_imaging": [str],
        "referral_question": str, ...}``; absent keys mean no fact of that group.

    Returns
    -------
    list of KeyFact
        In group order; empty strings are skipped (they state no fact).

    >>> [f.group for f in key_facts({"diagnosis": "Острый панкреатит",
    ...     "key_labs": [{"name": "Амилаза", "value": 412, "unit": "Ед/л"}]})]
    ['diagnosis', 'labs']
    """
    out: list[KeyFact] = []

    def add(group: str, value: Any) -> None:
        if value is None:
            return
        items = value if isinstance(value, list | tuple) else [value]
        for item in items:
            if isinstance(item, Mapping):
                # A lab is matched on its name and value; units are written
                # too many ways (мкмоль/л, мкМ/л) to be required.
                text = " ".join(
                    str(item[k]) for k in ("name", "value") if item.get(k) not in (None, "")
                )
            else:
                text = str(item)
            if text.strip():
                out.append(KeyFact(group, text.strip()))

    add("diagnosis", facts.get("diagnosis"))
    add("findings", facts.get("key_findings"))
    add("labs", facts.get("key_labs"))
    add("contraindications", facts.get("contrast_contraindications"))
    prior = facts.get("prior_imaging")
    add(
        "prior_imaging",
        [without_years(x) for x in prior] if isinstance(prior, list | tuple) else prior,
    )
    add("referral", facts.get("referral_question"))
    return out


_YEAR = re.compile(r"\s*\b(?:19|20)\d{2}\s*(?:г\.|года?)?(?=[\s:;,.]|$)")


def without_years(text: str) -> str:
    """Drop the year of a prior study from a fact.

    The anonymized record shows that study's date as ``[ДАТА]``, so no summary
    can state the year: neither a gold summary nor the coverage of a fact may
    require it.

    >>> without_years("УЗИ ОБП 2019 г.: диффузные изменения печени")
    'УЗИ ОБП: диффузные изменения печени'
    """
    return _YEAR.sub("", str(text))


@lru_cache(maxsize=1)
def _morph() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=200_000)
def _parse(word: str) -> tuple[str, str | None]:
    """(lemma, part of speech) of one lower-case word; pymorphy's first parse."""
    p = _morph().parse(word)[0]
    return p.normal_form.replace("ё", "е"), p.tag.POS


def _number(token: str) -> str:
    return format(Decimal(token.replace(",", ".")).normalize(), "f")


@dataclass(frozen=True)
class _TextLemmas:
    words: frozenset[str]  # lemmas of all non-function words
    content: frozenset[str]  # lemmas of content words (nouns, adjectives, verbs...)
    numbers: frozenset[str]


def _analyse(text: str) -> _TextLemmas:
    words, content, numbers = set(), set(), set()
    for m in _TOKEN.finditer(text.lower().replace("ё", "е")):
        num, w = m.group(1), m.group(2)
        if num is not None:
            numbers.add(_number(num))
            continue
        if not w.isalpha():  # codes such as s7, pt3n1m0, c78: kept as written
            words.add(w)
            content.add(w)
            continue
        if len(w) < 2:
            continue
        lemma, pos = _parse(w)
        if pos in _FUNCTION_POS:
            continue
        words.add(lemma)
        if pos in _CONTENT_POS:
            content.add(lemma)
    return _TextLemmas(frozenset(words), frozenset(content), frozenset(numbers))


def _fact_text(text: str) -> str:
    """A fact as matched: parenthesised qualifiers (ICD-10 codes, '(RECIST 1.1)') dropped."""
    return _PARENS.sub(" ", text)


def text_lemmas(text: str) -> set[str]:
    """Lemmas of the non-function words of ``text`` (the matching rule's vocabulary).

    >>> sorted(text_lemmas("Противопоказания к контрастированию"))
    ['контрастирование', 'противопоказание']
    """
    return set(_analyse(text).words)


def _covered(fact: _TextLemmas, summary: _TextLemmas, min_overlap: float) -> bool:
    if not fact.numbers <= summary.numbers:
        return False
    if not fact.words:
        return bool(fact.numbers)
    return len(fact.words & summary.words) / len(fact.words) >= min_overlap - 1e-12


def _check_overlap(min_overlap: float) -> None:
    if not 0 < min_overlap <= 1:
        raise ValueError(f"min_overlap must lie in (0, 1], got {min_overlap!r}")


def fact_is_covered(fact: str, summary: str, *, min_overlap: float = 0.6) -> bool:
    """Whether ``summary`` covers one fact under the module's matching rule."""
    _check_overlap(min_overlap)
    return _covered(_analyse(_fact_text(fact)), _analyse(summary), min_overlap)


def _require_columns(df: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{name} lacks column(s) {missing}; it needs {list(columns)} "
            "(see the summaries contract in radjudge.paths.SUMMARIES)"
        )


def fact_coverage(
    summaries: pd.DataFrame, facts: Mapping[str, Mapping[str, Any]], *, min_overlap: float = 0.6
) -> pd.DataFrame:
    """Which key fact each summary covers: one row per (summary, fact unit).

    Parameters
    ----------
    summaries : DataFrame
        Columns ``patient_id``, ``summarizer``, ``text``.
    facts : mapping
        ``patient_id -> ground_truth["facts"]``. Every patient of ``summaries`` must be present.
    min_overlap : float, default 0.6
        Share of a fact's lemmas the summary must contain.

    Returns
    -------
    DataFrame
        Columns ``patient_id, summarizer, group, fact, covered`` (bool).
    """
    _check_overlap(min_overlap)
    _require_columns(summaries, ("patient_id", "summarizer", "text"), "summaries")
    missing = sorted(set(summaries["patient_id"]) - set(facts))
    if missing:
        raise ValueError(
            f"no ground-truth facts for patient(s) {missing[:5]}; pass facts for every patient"
        )
    units = {
        pid: [(f, _analyse(_fact_text(f.text))) for f in key_facts(facts[pid])]
        for pid in set(summaries["patient_id"])
    }
    rows = []
    for pid, summ, text in summaries[["patient_id", "summarizer", "text"]].itertuples(index=False):
        s = _analyse(text if isinstance(text, str) else "")
        for fact, lem in units[pid]:
            rows.append((pid, summ, fact.group, fact.text, _covered(lem, s, min_overlap)))
    return pd.DataFrame(rows, columns=["patient_id", "summarizer", "group", "fact", "covered"])


_COVERAGE_COLUMNS = (
    "coverage",
    *(f"coverage_{g}" for g in FACT_GROUPS),
    "coverage_radiology",
    "coverage_clinical",
)
#: Columns of :func:`summary_features`, in order.
FEATURE_COLUMNS = (
    "patient_id",
    "summarizer",
    "n_chars",
    "n_words",
    "compression",
    "n_lines",
    "n_headings",
    "n_bullets",
    "structure_score",
    "n_facts",
    "n_facts_covered",
    *_COVERAGE_COLUMNS,
    "n_numbers",
    "unsupported_numbers",
    "n_content_lemmas",
    "novel_lemmas",
    "unsupported_rate",
)


def _share(cov: pd.DataFrame | None, groups: Sequence[str]) -> float:
    """Share of covered fact units among ``groups``; NaN when there is none."""
    if cov is None:
        return math.nan
    sel = cov.loc[cov["group"].isin(groups), "covered"]
    return float(sel.mean()) if len(sel) else math.nan


def _structure(text: str) -> tuple[int, int, int, float]:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    bullets = sum(bool(_BULLET.match(ln)) for ln in lines)
    headings = sum(bool(_LABEL.match(ln)) and not _BULLET.match(ln) for ln in lines)
    score = (min(headings, 3) / 3 + min(bullets, 3) / 3 + float(len(lines) >= 3)) / 3
    return len(lines), headings, bullets, score


def _n_words(text: str) -> int:
    from razdel import tokenize

    return sum(1 for t in tokenize(text) if any(ch.isalnum() for ch in t.text))


def summary_features(
    summaries: pd.DataFrame,
    *,
    records: Mapping[str, str],
    facts: Mapping[str, Mapping[str, Any]] | None = None,
    min_overlap: float = 0.6,
) -> pd.DataFrame:
    """Length, structure, key-fact coverage and unsupported-content features of every summary.

    Parameters
    ----------
    summaries : DataFrame, shape (n_summaries, >=3)
        Columns ``patient_id``, ``summarizer``, ``text`` (the summaries contract;
        other columns are ignored). A missing text (None/NaN) is an empty summary.
    records : mapping
        ``patient_id -> record text`` the summarizer saw (the anonymized record,
        :attr:`radjudge.anonymize.AnonymizedRecord.text`).
    facts : mapping, optional
        ``patient_id -> ground_truth["facts"]``. Without it (real records have no
        ground truth) the coverage columns are NaN.
    min_overlap : float, default 0.6
        Share of a fact's lemmas a summary must contain to cover it.

    Returns
    -------
    DataFrame, shape (n_summaries, 25)
        ``patient_id, summarizer, n_chars, n_words, compression, n_lines,
        n_headings, n_bullets, structure_score, n_facts, n_facts_covered,
        coverage, coverage_<group>`` for each of :data:`FACT_GROUPS`,
        ``coverage_radiology, coverage_clinical, n_numbers,
        unsupported_numbers, n_content_lemmas, novel_lemmas, unsupported_rate``,
        in the order of ``summaries``.

    Raises
    ------
    ValueError
        A missing column, a duplicated (patient_id, summarizer), or a patient
        without a record (or without facts when ``facts`` is given).
    """
    _check_overlap(min_overlap)
    _require_columns(summaries, ("patient_id", "summarizer", "text"), "summaries")
    dup = summaries.duplicated(["patient_id", "summarizer"])
    if dup.any():
        first = summaries.loc[dup, ["patient_id", "summarizer"]].iloc[0].tolist()
        raise ValueError(f"summaries: (patient_id, summarizer) {first} appears more than once")
    patients = set(summaries["patient_id"])
    no_record = sorted(patients - set(records))
    if no_record:
        raise ValueError(
            f"no record text for patient(s) {no_record[:5]}; pass records for every patient"
        )
    rec = {pid: _analyse(records[pid]) for pid in patients}
    rec_chars = {pid: len(records[pid].strip()) for pid in patients}
    cover = None
    if facts is not None:
        detail = fact_coverage(summaries, facts, min_overlap=min_overlap)
        cover = {key: grp for key, grp in detail.groupby(["patient_id", "summarizer"], sort=False)}

    rows = []
    for pid, summ, raw in summaries[["patient_id", "summarizer", "text"]].itertuples(index=False):
        text = raw.strip() if isinstance(raw, str) else ""
        n_lines, n_head, n_bul, struct = _structure(text)
        row: dict[str, Any] = {
            "patient_id": pid,
            "summarizer": summ,
            "n_chars": len(text),
            "n_words": _n_words(text),
            "compression": len(text) / rec_chars[pid] if rec_chars[pid] else math.nan,
            "n_lines": n_lines,
            "n_headings": n_head,
            "n_bullets": n_bul,
            "structure_score": struct,
        }
        if cover is None:
            row.update(
                {
                    "n_facts": pd.NA,
                    "n_facts_covered": pd.NA,
                    **dict.fromkeys(_COVERAGE_COLUMNS, math.nan),
                }
            )
        else:
            c = cover.get((pid, summ))
            row["n_facts"] = 0 if c is None else len(c)
            row["n_facts_covered"] = 0 if c is None else int(c["covered"].sum())
            row["coverage"] = _share(c, FACT_GROUPS)
            for grp in FACT_GROUPS:
                row[f"coverage_{grp}"] = _share(c, (grp,))
            row["coverage_radiology"] = _share(c, RADIOLOGY_GROUPS)
            row["coverage_clinical"] = _share(c, CLINICAL_GROUPS)
        claims = _analyse(_LABEL_PREFIX.sub("", text))  # "Диагноз:" labels are layout, not claims
        novel_numbers = len(claims.numbers - rec[pid].numbers)
        novel = len(claims.content - rec[pid].content)
        denom = len(claims.numbers) + len(claims.content)
        row.update(
            n_numbers=len(claims.numbers),
            unsupported_numbers=novel_numbers,
            n_content_lemmas=len(claims.content),
            novel_lemmas=novel,
            unsupported_rate=(novel_numbers + novel) / denom if denom else 0.0,
        )
        rows.append(row)
    out = pd.DataFrame(rows, columns=FEATURE_COLUMNS)
    for col in ("n_facts", "n_facts_covered"):
        out[col] = out[col].astype("Int64")
    float_cols = [
        c
        for c in out.columns
        if c.startswith("coverage") or c in ("compression", "unsupported_rate", "structure_score")
    ]
    out[float_cols] = out[float_cols].astype(np.float64)
    return out.reset_index(drop=True)
