"""The text guard for prompts built from a public, non-clinical data set.

Every LLM client takes a ``text_guard`` that is called on each prompt text
before the cache or a model sees it (:func:`radjudge.llm.load_client`). For
patient data it is :func:`radjudge.anonymize.check_llm_text`, the residual-PHI
scan, and that does not change.

SummEval articles are public CNN/DailyMail news: they name public figures and
places and give dates on purpose, which is what the PHI scan exists to stop.
Rather than switching the guard off (``text_guard=None``), the external
validation passes a :class:`PublicTextGuard` that

* lets through a prompt that embeds, verbatim, one of the given texts of a
  named public data set (the articles of the SummEval subset being judged),
  each of which must be registered as public data by the data set's loader
  (:func:`radjudge.anonymize.public.register_public_texts`, which refuses
  anything that looks like a patient record);
* sends every other text - system messages, answer prefixes, any prompt that
  embeds no registered article - through the PHI guard as usual.

So the relaxation is explicit, limited to the registered public texts, and
recorded (``describe()`` goes into the run manifest).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from radjudge.anonymize.guard import check_llm_text
from radjudge.anonymize.public import public_dataset, require_public

__all__ = ["PublicTextGuard"]


def _phi_guard(text: str) -> None:
    check_llm_text(text)


class PublicTextGuard:
    """Allow prompts that embed a registered public text; guard everything else as patient data.

    Parameters
    ----------
    dataset : str
        Name of the registered public data set, e.g. ``"SummEval"``.
    texts : iterable of str
        The public texts a prompt may embed (e.g. the articles being judged).
        Each must be a registered text of ``dataset`` and at least
        ``min_chars`` long, so that a short common phrase cannot open the gate.
    fallback : callable, optional
        Guard for texts that embed no registered text; default
        :func:`radjudge.anonymize.check_llm_text`.
    min_chars : int, default 200

    Raises
    ------
    ValueError
        No text, or a text shorter than ``min_chars``.
    radjudge.anonymize.PHIGuardError
        ``dataset`` is not registered, or a text is not one of its registered texts.

    Examples
    --------
    >>> from radjudge.anonymize.public import register_public_texts
    >>> article = "The mayor of Springfield opened the new bridge on 3 May 2015. " * 4
    >>> _ = register_public_texts("demo news", [article], licence="MIT", source="doctest")
    >>> guard = PublicTextGuard("demo news", [article])
    >>> guard("Article:\\n" + article + "\\nRate the summary.")  # embeds the article: allowed
    >>> guard("Rate the summary for coherence (1-5).")  # no article: goes to the PHI guard, passes
    >>> guard("СНИЛС 112-233-445 95")  # no article, residual PHI  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    radjudge.anonymize.guard.PHIGuardError: check_llm_text: residual PHI ...: SNILS at offset 6 ...
    """

    def __init__(
        self,
        dataset: str,
        texts: Iterable[str],
        *,
        fallback: Callable[[str], None] | None = None,
        min_chars: int = 200,
    ) -> None:
        self.dataset = str(dataset)
        self._texts = tuple(dict.fromkeys(texts))
        if not self._texts:
            raise ValueError(f"PublicTextGuard({dataset!r}): no public text given")
        short = [
            i for i, t in enumerate(self._texts) if not isinstance(t, str) or len(t) < min_chars
        ]
        if short:
            raise ValueError(
                f"PublicTextGuard({dataset!r}): text #{short[0]} is shorter than "
                f"min_chars={min_chars}; register whole articles, not phrases"
            )
        for text in self._texts:
            require_public(text, dataset=self.dataset)
        self.licence = public_dataset(self.dataset).licence
        self._fallback = fallback if fallback is not None else _phi_guard
        self.allowed = 0
        self.checked = 0

    def __call__(self, text: str) -> None:
        """Return if ``text`` embeds a registered text; else the fallback guard (which raises)."""
        if any(t in text for t in self._texts):
            self.allowed += 1
            return
        self.checked += 1
        self._fallback(text)

    def describe(self) -> dict[str, object]:
        """What the guard allows, for the run manifest."""
        return {
            "guard": "PublicTextGuard",
            "dataset": self.dataset,
            "licence": self.licence,
            "n_public_texts": len(self._texts),
            "prompts_allowed_as_public": self.allowed,
            "texts_sent_to_phi_guard": self.checked,
        }
