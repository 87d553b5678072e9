"""Scoring modes: a label distribution from log-probs, and G-Eval sample reduction.

``logprobs`` mode
    One forward pass scores every valid label ``"1"`` .. ``"N"`` after the
    answer prefix (:meth:`radjudge.llm.LLMClient.score_options`).
    :func:`label_distribution` turns the labels' log-probabilities into a
    distribution over the scale: expected score, mode, entropy and the
    probability mass the model put on valid labels at all.
``sample`` mode
    n answers generated at temperature t, each read by
    :func:`~radjudge.judge.parse_score`; :func:`reduce_samples` reduces them
    to their mean and mode (G-Eval, Liu et al. 2023, EMNLP, sec. 2.3, weights
    the scores by their probabilities, estimated there by sampling n=20 at
    temperature 1). Failed samples are counted, never scored.

Multi-token labels
------------------
With digit-by-digit tokenizers (SmolLM2, Gemma, Llama-3, Qwen) ``"10"`` is
``"1"`` followed by ``"0"``, so the log-probability of ``"1"`` also covers
every answer that *starts* with 1 - including ``"10"``. The probability that
the answer is exactly label *a* is therefore taken as

    P(a) - sum of P(b) over the valid labels b that extend a directly

(``P("1") - P("10")`` on a 1-10 scale; no correction on 1-3 and 1-5). That is
the probability that the answer starts with *a* and does not go on into
another valid label. Labels are compared as strings and the correction is
applied only when the longer label also has more tokens (reported by the LLM
layer), so a tokenizer with a single token for "10" is left alone.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import get_args

import numpy as np

from radjudge.contracts import ParseStatus
from radjudge.judge.parse import ParsedScore

__all__ = ["LabelDistribution", "SampleSummary", "label_distribution", "reduce_samples"]


@dataclass(frozen=True)
class LabelDistribution:
    """Distribution of a ``logprobs`` judge over the scale.

    Attributes
    ----------
    labels : tuple of int, length N
        The valid scores, ascending.
    probs : tuple of float, length N
        Probability of each label, renormalised over the valid labels (sums to 1).
    valid_mass : float
        Probability the model put on the valid labels before renormalising
        (after the multi-token correction; in [0, 1]). Low mass means the
        model wanted to say something else.
    expected : float
        Probability-weighted mean score (G-Eval's score).
    mode : int
        Most probable label (the lowest one on an exact tie).
    entropy : float
        Shannon entropy of ``probs`` in nats (0 = certain; log N = uniform).
    """

    labels: tuple[int, ...]
    probs: tuple[float, ...]
    valid_mass: float
    expected: float
    mode: int
    entropy: float

    def to_json(self) -> str:
        """``{"label": prob}`` as JSON (the ``distribution`` column), rounded to 1e-6."""
        return json.dumps(
            {str(k): round(p, 6) for k, p in zip(self.labels, self.probs, strict=True)}
        )


def label_distribution(
    options: Sequence[str],
    logprobs: Sequence[float],
    *,
    token_counts: Sequence[int] | None = None,
) -> LabelDistribution:
    """Distribution over integer labels from their log-probabilities.

    Parameters
    ----------
    options : sequence of str, length N
        The labels as scored, e.g. ``("1", ..., "10")``; integers.
    logprobs : sequence of float, length N
        Natural-log probability of each whole label after the prompt.
    token_counts : sequence of int, optional
        Tokens in each label (``OptionScores.option_token_counts``). When
        given, a label is corrected for a longer label extending it only if
        the longer one has more tokens (see module docstring); when None,
        string prefixes alone decide.

    Returns
    -------
    LabelDistribution

    Raises
    ------
    ValueError
        Lengths differ, a label is not an integer, a log-prob is NaN or
        positive, or no probability is left on the valid labels.

    Examples
    --------
    Three labels with probabilities 0.2, 0.5 and 0.1 (mass 0.8):

    >>> import math
    >>> d = label_distribution(["1", "2", "3"], [math.log(0.2), math.log(0.5), math.log(0.1)])
    >>> [round(p, 4) for p in d.probs], round(d.valid_mass, 4), round(d.expected, 4), d.mode
    ([0.25, 0.625, 0.125], 0.8, 1.875, 2)

    "10" extends "1": P(exactly "1") = 0.3 - 0.1.

    >>> d = label_distribution([str(k) for k in range(1, 11)],
    ...                        [math.log(0.3)] + [math.log(0.05)] * 8 + [math.log(0.1)])
    >>> round(d.probs[0] * d.valid_mass, 6), round(d.valid_mass, 6)
    (0.2, 0.7)
    """
    options = list(options)
    values = np.asarray(list(logprobs), dtype=float)
    if len(options) != len(values) or not options:
        raise ValueError(f"label_distribution: {len(options)} options but {len(values)} log-probs")
    if token_counts is not None and len(token_counts) != len(options):
        raise ValueError("label_distribution: token_counts must have one entry per option")
    try:
        labels = [int(o.strip()) for o in options]
    except ValueError as exc:
        raise ValueError(
            f"label_distribution: options must be integer labels, got {options!r}"
        ) from exc
    if np.isnan(values).any() or (values > 1e-6).any():
        raise ValueError(
            f"label_distribution: log-probs must be finite or -inf and <= 0, got {values.tolist()}"
        )
    top = float(np.max(values))
    if not np.isfinite(top):
        raise ValueError("label_distribution: every label has probability 0")
    scaled = np.exp(values - top)  # probabilities / exp(top), no underflow for the best label
    exact = scaled.copy()
    texts = [o.strip() for o in options]
    for i, a in enumerate(texts):
        longer = [
            j
            for j, b in enumerate(texts)
            if j != i
            and b.startswith(a)
            and (token_counts is None or token_counts[j] > token_counts[i])
        ]
        # only the shortest extensions: "1" -> "10" but not also "100" via "10"
        direct = [
            j for j in longer if not any(k != j and texts[j].startswith(texts[k]) for k in longer)
        ]
        exact[i] -= scaled[direct].sum()
    exact = np.clip(exact, 0.0, None)
    total = float(exact.sum())
    if total <= 0.0:
        raise ValueError("label_distribution: no probability mass left on the valid labels")
    probs = exact / total
    order = np.argsort(labels, kind="stable")
    labels_sorted = tuple(int(labels[i]) for i in order)
    probs_sorted = probs[order]
    nz = probs_sorted[probs_sorted > 0]
    return LabelDistribution(
        labels=labels_sorted,
        probs=tuple(float(p) for p in probs_sorted),
        valid_mass=float(min(1.0, total * math.exp(top))),
        expected=float(np.dot(labels_sorted, probs_sorted)),
        mode=labels_sorted[int(np.argmax(probs_sorted))],
        entropy=float(-(nz * np.log(nz)).sum()),
    )


@dataclass(frozen=True)
class SampleSummary:
    """n sampled answers of one prompt, reduced.

    Attributes
    ----------
    n : int
        Samples drawn.
    n_valid : int
        Samples that parsed to a score in range.
    scores : tuple of int or None, length n
        Parsed score of each sample (None where it failed).
    statuses : tuple of str, length n
        Parse status of each sample.
    mean : float
        Mean of the valid scores (NaN when none).
    mode : int or None
        Most frequent valid score (the lowest on a tie); None when none.
    distribution : dict of int to float
        Share of each valid score among the valid samples.
    status : {"ok", "unparseable", "out_of_range", "refused"}
        ``ok`` if at least one sample is valid, else the most frequent failure.
    """

    n: int
    n_valid: int
    scores: tuple[int | None, ...]
    statuses: tuple[str, ...]
    mean: float
    mode: int | None
    distribution: dict[int, float]
    status: str

    def to_json(self) -> str | None:
        """``{"label": share}`` as JSON, or None when no sample is valid."""
        if not self.distribution:
            return None
        return json.dumps({str(k): round(v, 6) for k, v in sorted(self.distribution.items())})


def reduce_samples(parsed: Sequence[ParsedScore]) -> SampleSummary:
    """Reduce n parsed samples to mean and mode (G-Eval style).

    Parameters
    ----------
    parsed : sequence of ParsedScore, length n >= 1
        One per sample, from :func:`~radjudge.judge.parse_score`.

    Returns
    -------
    SampleSummary
        Unparseable, out-of-range and refused samples are counted in
        ``statuses`` and left out of ``mean``, ``mode`` and ``distribution``.

    Notes
    -----
    A prompt with no valid sample gets ``mean`` NaN, ``mode`` None and the
    most frequent failure status.

    Examples
    --------
    >>> from radjudge.judge import parse_score
    >>> s = reduce_samples([parse_score(t, high=5) for t in ["4", "Оценка: 5", "4", "не знаю"]])
    >>> s.n, s.n_valid, s.mean, s.mode, s.to_json()
    (4, 3, 4.333333333333333, 4, '{"4": 0.666667, "5": 0.333333}')
    """
    parsed = list(parsed)
    if not parsed:
        raise ValueError("reduce_samples: need at least one sample")
    scores = tuple(p.score if p.status == "ok" else None for p in parsed)
    statuses = tuple(p.status for p in parsed)
    valid = [s for s in scores if s is not None]
    if not valid:
        failures = Counter(statuses)
        # most frequent failure; ties go to the most specific one (refused, out of range,
        # unparseable: the parse statuses after "ok", last first)
        specific_first = get_args(ParseStatus)[:0:-1]
        status = max(specific_first, key=lambda s: failures.get(s, 0))
        return SampleSummary(len(parsed), 0, scores, statuses, math.nan, None, {}, status)
    counts = Counter(valid)
    best = max(counts.values())
    mean = float(np.mean(valid))
    return SampleSummary(
        n=len(parsed),
        n_valid=len(valid),
        scores=scores,
        statuses=statuses,
        mean=mean,
        mode=min(k for k, c in counts.items() if c == best),
        distribution={k: c / len(valid) for k, c in sorted(counts.items())},
        status="ok",
    )
