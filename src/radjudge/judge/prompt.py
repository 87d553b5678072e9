"""Judge prompt templates, and the one function that renders a judge prompt.

Every prompt variant - criterion x scale size x granularity, in Russian or
English - is rendered from two files:

* a **rubric** (:mod:`radjudge.rubric`, shared with the expert forms): per
  criterion its name, definition, the meaning of the lowest and highest score,
  and a description of every point of every scale size the rubric declares;
* a **template** (``templates/judge.<language>.yaml``): the fixed wording
  around them.

The prompt comes in four *segments*, always in this order::

    [record] [summary] [criterion name + definition] [scale + granularity + instruction]

so the record (shared by all summaries of a patient) and the summary (shared
by every criterion, scale and granularity) form a common prefix whose
computation a local judge reuses (:mod:`radjudge.llm.prefix`) and a server
caches. Granularity decides what the scale segment describes:

``full``
    every point of the scale;
``extremes``
    the lowest and the highest point only;
``none``
    the range alone.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from importlib import resources
from numbers import Integral

from radjudge.checks import check_choice
from radjudge.contracts import LANGUAGES, Granularity, Language
from radjudge.llm.prompts import prompt_hash
from radjudge.rubric import Rubric, RubricError, read_yaml

__all__ = [
    "JudgeTemplate",
    "JudgePrompt",
    "load_template",
    "render_judge_prompt",
]

_TEMPLATE_FIELDS = {
    "system": (),
    "record": ("record",),
    "summary": ("summary",),
    "criterion": ("name", "definition"),
    "scale_with_points": ("high", "points"),
    "scale_without_points": ("high",),
    "point": ("score", "text"),
    "suffix": ("scale",),
    "answer_prefix": (),
}


@dataclass(frozen=True)
class JudgeTemplate:
    """The fixed wording of a judge prompt in one language (see ``templates/judge.ru.yaml``).

    Attributes
    ----------
    language : str
    system : str
        System message.
    record, summary, criterion, suffix : str
        Format strings of the four segments.
    scale_with_points, scale_without_points, point : str
        Format strings of the scale description.
    answer_prefix : str
        Text the judge's reply starts with (``"Оценка: "``).
    source, sha256 : str
        Where it was read from and the SHA-256 of its text.
    """

    language: str
    system: str
    record: str
    summary: str
    criterion: str
    scale_with_points: str
    scale_without_points: str
    point: str
    suffix: str
    answer_prefix: str
    source: str
    sha256: str


def load_template(language_or_path: str | os.PathLike[str] = "ru") -> JudgeTemplate:
    """Read and validate a judge template: ``"ru"`` (default), ``"en"`` or a path.

    Raises
    ------
    RubricError
        A missing or unknown key, or a format string lacking one of its fields
        (or using an unknown one).

    Examples
    --------
    >>> load_template("ru").answer_prefix
    'Оценка: '
    """
    value = str(language_or_path)
    name, language = ("judge", value) if value in LANGUAGES else (language_or_path, "")
    where, data, text = read_yaml(
        "template",
        name,
        language,
        folder=resources.files("radjudge.judge").joinpath("templates"),
        where="radjudge/judge/templates",
    )
    keys = set(_TEMPLATE_FIELDS) | {"language"}
    missing, unknown = keys - set(data), set(data) - keys
    if missing or unknown:
        raise RubricError(
            f"{where}: keys must be {sorted(keys)}; missing {sorted(missing)}, unknown "
            f"{sorted(unknown)}"
        )
    for key, fields in _TEMPLATE_FIELDS.items():
        fmt = data[key]
        if not isinstance(fmt, str):
            raise RubricError(f"{where}: {key!r} must be a string")
        found = {m.group(1) for m in re.finditer(r"(?<!\{)\{(\w*)\}(?!\})", fmt)}
        if found != set(fields):
            raise RubricError(
                f"{where}: {key!r} must use exactly the fields {sorted(fields)} "
                f"(as {{name}}); it uses {sorted(found)}"
            )
    check_choice(f"{where}: language", data["language"], Language, error=RubricError)
    if not data["system"].strip() or not data["answer_prefix"].strip():
        raise RubricError(f"{where}: 'system' and 'answer_prefix' must not be empty")
    sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return JudgeTemplate(**{k: data[k] for k in keys}, source=where, sha256=sha256)


@dataclass(frozen=True)
class JudgePrompt:
    """One rendered judge prompt.

    Attributes
    ----------
    system : str
    segments : tuple of str, length 4
        ``(record, summary, criterion, scale)`` parts; the user message is
        their concatenation.
    answer_prefix : str
    options : tuple of str
        The valid labels ``"1"`` .. ``str(scale)``.
    criterion : str
    scale : int
        N of the 1..N scale.
    granularity : {"full", "extremes", "none"}
    language : str
    prompt_hash : str
        SHA-256 of system + user message + answer prefix (the same hash the
        LLM layer reports), recorded with every rating.
    """

    system: str
    segments: tuple[str, str, str, str]
    answer_prefix: str
    options: tuple[str, ...]
    criterion: str
    scale: int
    granularity: str
    language: str
    prompt_hash: str

    @property
    def user(self) -> str:
        """The user message."""
        return "".join(self.segments)

    @property
    def low(self) -> int:
        """Lowest valid score (always 1)."""
        return 1

    @property
    def high(self) -> int:
        """Highest valid score (= ``scale``)."""
        return self.scale


def render_judge_prompt(
    record: str,
    summary: str,
    *,
    criterion: str,
    scale: int,
    granularity: Granularity,
    rubric: Rubric,
    template: JudgeTemplate,
) -> JudgePrompt:
    """Render one judge prompt.

    Parameters
    ----------
    record : str
        The *anonymized* record text (``AnonymizedRecord.text``); the sweep
        checks it with the guard before any model sees it.
    summary : str
        The summary to rate.
    criterion : str
        A criterion id of ``rubric``.
    scale : int
        Scale size N (scores 1..N); must be one of ``rubric.scales``.
    granularity : {"full", "extremes", "none"}
        Every point described, only the two extremes, or none.
    rubric : Rubric
    template : JudgeTemplate
        Must be in the rubric's language.

    Returns
    -------
    JudgePrompt

    Raises
    ------
    RubricError
        Unknown criterion or scale, or a template in another language.
    ValueError
        Unknown granularity or an empty record or summary.

    Examples
    --------
    >>> from radjudge.rubric import load_rubric
    >>> p = render_judge_prompt(
    ...     "Жалобы: боль в животе.", "Боль в животе.", criterion="completeness", scale=3,
    ...     granularity="extremes", rubric=load_rubric(), template=load_template())
    >>> print(p.segments[3])
    <BLANKLINE>
    Шкала 1-3, выше - лучше:
    1 - упущены почти все ключевые сведения
    3 - все ключевые сведения на месте
    >>> p.options, p.answer_prefix
    (('1', '2', '3'), 'Оценка: ')
    """
    check_choice("granularity", granularity, Granularity)
    if template.language != rubric.language:
        raise RubricError(
            f"template {template.source} is in {template.language!r} but rubric {rubric.source} in "
            f"{rubric.language!r}; load both in the same language"
        )
    # a whole number of any integer type (a scale read back from judge_ratings is numpy's)
    if isinstance(scale, bool) or not isinstance(scale, Integral) or scale not in rubric.scales:
        raise RubricError(
            f"scale {scale!r} is not described by rubric {rubric.name!r}; it describes 1-N for N "
            f"in {rubric.scales}"
        )
    scale = int(scale)
    if not isinstance(record, str) or not record.strip():
        raise ValueError("record must be a non-empty text (the anonymized record)")
    if not isinstance(summary, str) or not summary.strip():
        raise ValueError("summary must be a non-empty text")
    crit = rubric.criterion(criterion)
    low, high = 1, scale
    if granularity == "full":
        lines = [
            template.point.format(score=p, text=t) for p, t in enumerate(crit.describe(scale), 1)
        ]
    elif granularity == "extremes":
        lines = [
            template.point.format(score=low, text=crit.lowest),
            template.point.format(score=high, text=crit.highest),
        ]
    else:
        lines = []
    if lines:
        scale_text = template.scale_with_points.format(high=high, points="\n".join(lines))
    else:
        scale_text = template.scale_without_points.format(high=high)
    segments = (
        template.record.format(record=record.strip()),
        template.summary.format(summary=summary.strip()),
        template.criterion.format(name=crit.name, definition=crit.definition),
        template.suffix.format(scale=scale_text),
    )
    return JudgePrompt(
        system=template.system,
        segments=segments,
        answer_prefix=template.answer_prefix,
        options=tuple(str(k) for k in range(low, high + 1)),
        criterion=crit.id,
        scale=scale,
        granularity=granularity,
        language=rubric.language,
        prompt_hash=prompt_hash(template.system, "".join(segments), template.answer_prefix),
    )
