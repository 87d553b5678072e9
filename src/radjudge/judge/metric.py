"""Classical reference-based metrics as a baseline judge.

A baseline judge scores each summary by its overlap with the patient's
summary by a *reference summarizer* the profile names (default the gold
summary, rendered from the synthetic ground truth in stage 02):

``rouge_l``
    ROUGE-L F1 (Lin 2004): longest common subsequence of word tokens, via
    ``rouge-score``. Its default tokenizer keeps only ``[a-z0-9]`` and would
    turn every Russian text into nothing, so words are taken here as Unicode
    ``\\w+`` runs, lower-cased (no stemming: Porter is English-only).
``chrf``
    chrF (Popović 2015) with beta = 2 as in WMT and sacreBLEU: F-score of
    character 1-6-grams, whitespace ignored, via ``nltk`` - language-agnostic,
    and robust to Russian inflection, which word overlap is not.

Both lie in [0, 1]. A metric knows nothing of criteria: the same value is
reported under every criterion of the judge so it can be compared with the
experts criterion by criterion. It has no rating scale either: the value is
reported as it is (``expected_score``), never binned to an invented scale.
A metric is a reference line beside the LLM judges, not a study arm. The
reference summary cannot be rated by itself; its rows are kept with status
``failed`` and the reason in ``raw``.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

from radjudge.checks import check_choice

__all__ = ["Metric", "METRICS", "unicode_words", "metric_value"]

Metric = Literal["rouge_l", "chrf"]
#: Metrics a ``metric`` judge can use.
METRICS: tuple[str, ...] = get_args(Metric)

_WORD = re.compile(r"\w+", re.UNICODE)


def unicode_words(text: str) -> list[str]:
    """Lower-cased ``\\w+`` tokens (letters of any script, digits, underscore).

    >>> unicode_words("Боль в правом подреберье, T 38,2.")
    ['боль', 'в', 'правом', 'подреберье', 't', '38', '2']
    """
    return _WORD.findall(text.lower())


class _UnicodeTokenizer:
    """rouge-score tokenizer protocol: ``tokenize(text) -> list[str]``."""

    def tokenize(self, text: str) -> list[str]:
        return unicode_words(text)


def metric_value(metric: Metric, reference: str, candidate: str) -> float:
    """Metric of ``candidate`` against ``reference``, in [0, 1].

    Parameters
    ----------
    metric : {"rouge_l", "chrf"}
    reference, candidate : str

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Unknown metric or an empty text.

    Examples
    --------
    Lin (2004), section 3.1: against "police killed the gunman", "police kill
    the gunman" has ROUGE-L 3/4 and "the gunman kill police" 2/4.

    >>> metric_value("rouge_l", "police killed the gunman", "police kill the gunman")
    0.75
    >>> metric_value("rouge_l", "police killed the gunman", "the gunman kill police")
    0.5
    >>> metric_value("rouge_l", "Боль в животе", "боль в животе")
    1.0
    """
    check_choice("metric", metric, Metric)
    if not reference.strip() or not candidate.strip():
        raise ValueError("metric_value: reference and candidate must be non-empty texts")
    if metric == "rouge_l":
        from rouge_score import rouge_scorer

        scorer = rouge_scorer.RougeScorer(
            ["rougeL"], use_stemmer=False, tokenizer=_UnicodeTokenizer()
        )
        return float(scorer.score(reference, candidate)["rougeL"].fmeasure)
    from nltk.translate.chrf_score import sentence_chrf

    return float(
        sentence_chrf(reference, candidate, min_len=1, max_len=6, beta=2.0, ignore_whitespace=True)
    )
