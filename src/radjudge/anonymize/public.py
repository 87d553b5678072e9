"""Public data sets whose texts may reach an LLM as written, and nothing else.

The judges of the external validation read public news articles (SummEval)
unchanged: anonymizing them would change the text the experts rated. Such
texts skip the PHI scan, so the exemption must not reach patient text. Two
rules make sure of it:

* a text is exempt only if it was *registered* under a named public data set
  (:func:`register_public_texts`, called by the loader of the data set, e.g.
  :func:`radjudge.external.read_summeval`, with its licence and source);
* registration refuses text that looks like a patient record: a record
  section heading (``Жалобы:``...), the vocabulary of a Russian medical
  record (жалобы, анамнез, пациент, диагноз, госпитализирован...), or a
  patient identifier (СНИЛС, полис, паспорт, ИНН, record number).

:class:`radjudge.judge.PublicSource` and
:class:`radjudge.external.guard.PublicTextGuard` accept only registered texts
(:func:`require_public`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from radjudge.anonymize.guard import PHIGuardError
from radjudge.anonymize.rules import find_structured
from radjudge.records import SECTION_HEADINGS

__all__ = ["PublicDataset", "register_public_texts", "require_public", "public_dataset"]

_PATIENT_IDS = {"SNILS", "POLICY", "PASSPORT", "INN", "RECORD_ID"}
_RECORD_WORDS = re.compile(
    r"(?i)(?<![\w-])(?:жалоб\w*|анамнез\w*|пациент\w*|больн(?:ой|ая|ого|ому|ую)|диагноз\w*|"
    r"госпитализир\w*|поступил[аи]?|выписк\w*|направлени[еяю]\s+на|объективно)(?![\w-])"
)
_HEADINGS = re.compile(
    r"(?m)^\s*(?:" + "|".join(re.escape(h) for h in SECTION_HEADINGS.values()) + r")\s*:"
)


@dataclass(frozen=True)
class PublicDataset:
    """A registered public data set.

    Attributes
    ----------
    name : str
    licence : str
    source : str
        Where the texts come from (a file of ``data/external/`` or a citation).
    digests : frozenset of str
        SHA-256 of every registered text.
    """

    name: str
    licence: str
    source: str
    digests: frozenset[str] = field(default_factory=frozenset, repr=False)


_REGISTRY: dict[str, PublicDataset] = {}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _patient_like(text: str) -> str | None:
    if _HEADINGS.search(text):
        return "a record section heading"
    words = _RECORD_WORDS.search(text)
    if words:
        return f"the medical-record word {words.group(0)!r}"
    ids = sorted(
        {d.type for d in find_structured(text, localities=False, generic=False)} & _PATIENT_IDS
    )
    if ids:
        return f"a patient identifier ({', '.join(ids)})"
    return None


def register_public_texts(
    dataset: str, texts: Iterable[str], *, licence: str, source: str
) -> PublicDataset:
    """Register the texts of a public data set as allowed to reach an LLM unchanged.

    Registering more texts under the same name adds to the set (the licence
    and source must agree).

    Parameters
    ----------
    dataset : str
        The data set's name, e.g. ``"SummEval"``.
    texts : iterable of str
    licence : str
        Its licence (never empty).
    source : str
        Where the texts come from.

    Returns
    -------
    PublicDataset

    Raises
    ------
    PHIGuardError
        A text looks like a patient record (named by index and reason).
    ValueError
        Empty name, licence or source, no text, a text that is not a string,
        or a licence/source that differs from the earlier registration.

    Examples
    --------
    >>> article = "The mayor of Springfield opened the new bridge on 3 May 2015. " * 4
    >>> register_public_texts("demo news", [article], licence="MIT", source="doctest").name
    'demo news'
    >>> register_public_texts(  # doctest: +ELLIPSIS
    ...     "demo news", ["Пациент Иванов, жалобы на боли."], licence="MIT", source="doctest"
    ... )
    Traceback (most recent call last):
    ...
    radjudge.anonymize.guard.PHIGuardError: register_public_texts('demo news'): text #0 looks \
like a patient record (the medical-record word 'Пациент'); patient text reaches an LLM only ...
    """
    for name, value in (("dataset", dataset), ("licence", licence), ("source", source)):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"register_public_texts: {name} must be a non-empty string")
    items = list(texts)
    if not items:
        raise ValueError(f"register_public_texts({dataset!r}): no text given")
    for i, text in enumerate(items):
        if not isinstance(text, str):
            raise ValueError(
                f"register_public_texts({dataset!r}): text #{i} is {type(text).__name__}, not str"
            )
        why = _patient_like(text)
        if why:
            raise PHIGuardError(
                f"register_public_texts({dataset!r}): text #{i} looks like a patient record "
                f"({why}); patient text reaches an LLM only through "
                "radjudge.anonymize.anonymize_records, never as public data."
            )
    old = _REGISTRY.get(dataset)
    if old is not None and (old.licence, old.source) != (licence, source):
        raise ValueError(
            f"register_public_texts({dataset!r}): already registered with licence "
            f"{old.licence!r} and source {old.source!r}"
        )
    digests = frozenset(_digest(t) for t in items) | (old.digests if old else frozenset())
    _REGISTRY[dataset] = PublicDataset(dataset, licence, source, digests)
    return _REGISTRY[dataset]


def public_dataset(dataset: str) -> PublicDataset:
    """The registration of ``dataset``.

    Raises
    ------
    PHIGuardError
        If no such data set is registered.
    """
    if dataset not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise PHIGuardError(
            f"{dataset!r} is not a registered public data set (registered: {known}); only texts "
            "registered by a public data set's loader may reach an LLM without anonymization"
        )
    return _REGISTRY[dataset]


def require_public(text: str, *, dataset: str) -> None:
    """Raise unless ``text`` is a registered text of the public data set ``dataset``.

    Raises
    ------
    PHIGuardError
        The data set is not registered, or the text is not one of its texts.
    """
    if not isinstance(text, str):
        raise TypeError(f"require_public needs str, got {type(text).__name__}")
    if _digest(text) not in public_dataset(dataset).digests:
        why = _patient_like(text)
        raise PHIGuardError(
            f"text of {len(text)} characters is not a registered text of the public data set "
            f"{dataset!r}{f' and looks like a patient record ({why})' if why else ''}; "
            "patient records must be anonymized (radjudge.anonymize.anonymize_records)"
        )
