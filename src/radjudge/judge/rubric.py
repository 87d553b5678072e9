"""Rubric and template files, and the one function that renders a judge prompt.

Every prompt variant - criterion x scale size x granularity, in Russian or
English - is rendered from two files:

* a **rubric** (``rubrics/<name>.<language>.yaml``): per criterion its name,
  definition, the meaning of the lowest and highest score, and a description
  of every point of every scale size the rubric declares;
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
from pathlib import Path
from typing import Any, Literal, get_args

import yaml

from radjudge.llm.prompts import prompt_hash

__all__ = [
    "CRITERIA",
    "GRANULARITIES",
    "Granularity",
    "Language",
    "RubricError",
    "Criterion",
    "Rubric",
    "JudgeTemplate",
    "JudgePrompt",
    "load_rubric",
    "load_template",
    "render_judge_prompt",
]

Granularity = Literal["full", "extremes", "none"]
Language = Literal["ru", "en"]
#: Prompt granularities, most to least descriptive.
GRANULARITIES: tuple[str, ...] = get_args(Granularity)
#: Criterion ids shared by experts, judges and rubrics (the study's six).
CRITERIA = ("completeness", "correctness", "relevance", "conciseness", "structure", "unsupported")

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_RUBRIC_KEYS = {"rubric", "language", "version", "scales", "criteria"}
_CRITERION_KEYS = {"name", "definition", "lowest", "highest", "points"}
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


class RubricError(ValueError):
    """A rubric or template file breaks a rule; the message names the file, the key and the fix."""


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read(kind: str, name_or_path: str | os.PathLike[str], language: str) -> tuple[Path | str, str]:
    """Find a packaged file by name, or read a path."""
    text_name = str(name_or_path)
    if text_name.endswith((".yaml", ".yml")) or os.sep in text_name or "/" in text_name:
        path = Path(name_or_path)
        if not path.is_file():
            raise RubricError(f"{kind} file {path} does not exist")
        return path, path.read_text(encoding="utf-8")
    folder = resources.files("radjudge.judge").joinpath(f"{kind}s")
    entry = folder.joinpath(f"{text_name}.{language}.yaml")
    if not entry.is_file():
        known = sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml"))
        raise RubricError(
            f"no {kind} {text_name!r} in language {language!r}: expected radjudge/judge/{kind}s/"
            f"{text_name}.{language}.yaml; packaged files: {', '.join(known)}. Or pass a path to a .yaml file."
        )
    return f"radjudge/judge/{kind}s/{entry.name}", entry.read_text(encoding="utf-8")


def _load_yaml(where: Path | str, text: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RubricError(f"{where}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise RubricError(f"{where}: must be a mapping at top level")
    return data


def _text(where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RubricError(f"{where} must be a non-empty string, got {value!r}")
    return value.strip()


def _int_key(where: str, key: Any) -> int:
    if isinstance(key, bool) or not isinstance(key, int | str) or not str(key).strip().isdigit():
        raise RubricError(f"{where}: key {key!r} is not a whole number")
    return int(key)


@dataclass(frozen=True)
class Criterion:
    """One rating criterion of a rubric.

    Attributes
    ----------
    id : str
        Identifier shared with the expert ratings (e.g. ``"completeness"``).
    name, definition : str
        What the judge reads.
    lowest, highest : str
        Meaning of the lowest and the highest score (granularity ``extremes``).
    points : tuple of (int, tuple of str)
        Per scale size N, the descriptions of points 1..N (granularity ``full``).
    """

    id: str
    name: str
    definition: str
    lowest: str
    highest: str
    points: tuple[tuple[int, tuple[str, ...]], ...]

    def describe(self, scale: int) -> tuple[str, ...]:
        """Descriptions of points 1..``scale``; a RubricError if the rubric lacks that scale."""
        for size, texts in self.points:
            if size == scale:
                return texts
        raise RubricError(
            f"criterion {self.id!r} has no point descriptions for scale 1-{scale}; "
            f"it has {[s for s, _ in self.points]}"
        )


@dataclass(frozen=True)
class Rubric:
    """A validated rubric file.

    Attributes
    ----------
    name : str
        Rubric name (``clinical_summary``).
    language : {"ru", "en"}
    version : int
    scales : tuple of int
        Scale sizes N (scales run 1..N) with every point described.
    criteria : tuple of Criterion
        In file order.
    source : str
        Where it was read from.
    sha256 : str
        SHA-256 of the file text (for the run manifest).
    """

    name: str
    language: str
    version: int
    scales: tuple[int, ...]
    criteria: tuple[Criterion, ...]
    source: str
    sha256: str

    @property
    def criterion_ids(self) -> tuple[str, ...]:
        """Criterion ids in file order."""
        return tuple(c.id for c in self.criteria)

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this id; a RubricError listing the known ids otherwise."""
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise RubricError(
            f"rubric {self.name!r} ({self.language}) has no criterion {criterion_id!r}; "
            f"it has {', '.join(self.criterion_ids)}"
        )


def parse_rubric(data: dict[str, Any], *, where: str = "rubric") -> Rubric:
    """Validate a rubric given as a mapping (the parsed YAML); see :func:`load_rubric`."""
    unknown = set(data) - _RUBRIC_KEYS
    missing = _RUBRIC_KEYS - set(data)
    if unknown or missing:
        raise RubricError(
            f"{where}: top-level keys must be {sorted(_RUBRIC_KEYS)}; "
            f"missing {sorted(missing)}, unknown {sorted(unknown)}"
        )
    name = _text(f"{where}: 'rubric'", data["rubric"])
    language = _text(f"{where}: 'language'", data["language"])
    if language not in get_args(Language):
        raise RubricError(
            f"{where}: language must be one of {get_args(Language)}, got {language!r}"
        )
    version = data["version"]
    if isinstance(version, bool) or not isinstance(version, int):
        raise RubricError(f"{where}: 'version' must be an integer, got {version!r}")
    scales_raw = data["scales"]
    if not isinstance(scales_raw, list) or not scales_raw:
        raise RubricError(
            f"{where}: 'scales' must be a non-empty list of scale sizes, e.g. [3, 5, 10]"
        )
    scales = []
    for s in scales_raw:
        if isinstance(s, bool) or not isinstance(s, int) or s < 2:
            raise RubricError(
                f"{where}: every scale size must be an integer >= 2 (scale 1..N), got {s!r}"
            )
        scales.append(s)
    if len(set(scales)) != len(scales):
        raise RubricError(f"{where}: 'scales' lists a size twice: {scales}")
    crits_raw = data["criteria"]
    if not isinstance(crits_raw, dict) or not crits_raw:
        raise RubricError(
            f"{where}: 'criteria' must be a non-empty mapping of criterion id -> spec"
        )
    criteria = []
    for cid, spec in crits_raw.items():
        cw = f"{where}: criterion {cid!r}"
        if not isinstance(cid, str) or not _ID.match(cid):
            raise RubricError(f"{cw}: ids are lower-case snake_case (e.g. 'completeness')")
        if not isinstance(spec, dict):
            raise RubricError(f"{cw} must be a mapping with keys {sorted(_CRITERION_KEYS)}")
        c_missing, c_unknown = _CRITERION_KEYS - set(spec), set(spec) - _CRITERION_KEYS
        if c_missing or c_unknown:
            raise RubricError(
                f"{cw}: keys must be {sorted(_CRITERION_KEYS)}; missing {sorted(c_missing)}, "
                f"unknown {sorted(c_unknown)}"
            )
        points_raw = spec["points"]
        if not isinstance(points_raw, dict):
            raise RubricError(f"{cw}: 'points' must map each scale size to its point descriptions")
        sizes = {_int_key(f"{cw}: points", k): v for k, v in points_raw.items()}
        for s in scales:
            if s not in sizes:
                raise RubricError(
                    f"{cw}: no point descriptions for scale 1-{s}; add 'points: {s}: {{1: ..., ..., {s}: ...}}'"
                )
        extra = sorted(set(sizes) - set(scales))
        if extra:
            raise RubricError(
                f"{cw}: points for scale size(s) {extra} not listed in 'scales' {scales}"
            )
        points = []
        for s in scales:
            desc = sizes[s]
            if not isinstance(desc, dict):
                raise RubricError(f"{cw}, scale 1-{s}: give a mapping point -> description")
            by_point = {_int_key(f"{cw}, scale 1-{s}", k): v for k, v in desc.items()}
            gaps = [p for p in range(1, s + 1) if p not in by_point]
            if gaps:
                raise RubricError(f"{cw}, scale 1-{s}: point(s) {gaps} have no description")
            outside = sorted(p for p in by_point if not 1 <= p <= s)
            if outside:
                raise RubricError(f"{cw}, scale 1-{s}: point(s) {outside} are outside 1..{s}")
            texts = tuple(
                _text(f"{cw}, scale 1-{s}, point {p}", by_point[p]) for p in range(1, s + 1)
            )
            if len(set(texts)) != len(texts):
                raise RubricError(
                    f"{cw}, scale 1-{s}: two points share a description; each must differ"
                )
            points.append((s, texts))
        criteria.append(
            Criterion(
                id=cid,
                name=_text(f"{cw}: 'name'", spec["name"]),
                definition=_text(f"{cw}: 'definition'", spec["definition"]),
                lowest=_text(f"{cw}: 'lowest'", spec["lowest"]),
                highest=_text(f"{cw}: 'highest'", spec["highest"]),
                points=tuple(points),
            )
        )
    return Rubric(
        name=name,
        language=language,
        version=version,
        scales=tuple(scales),
        criteria=tuple(criteria),
        source=where,
        sha256="",
    )


def load_rubric(
    name_or_path: str | os.PathLike[str] = "clinical_summary", *, language: Language = "ru"
) -> Rubric:
    """Read and validate a rubric.

    Parameters
    ----------
    name_or_path : str or path-like, default "clinical_summary"
        A packaged rubric name (``radjudge/judge/rubrics/<name>.<language>.yaml``)
        or a path to a YAML file.
    language : {"ru", "en"}, default "ru"
        Language of the packaged file; a file given by path must declare it.

    Returns
    -------
    Rubric

    Raises
    ------
    RubricError
        Naming the file, the criterion, the scale and the point at fault:
        a missing key, a scale without point descriptions, a missing or
        empty point description, a point outside 1..N, an unknown key.

    Examples
    --------
    >>> r = load_rubric("clinical_summary", language="ru")
    >>> r.criterion_ids
    ('completeness', 'correctness', 'relevance', 'conciseness', 'structure', 'unsupported')
    >>> r.scales, r.criterion("completeness").describe(3)[-1]
    ((3, 5, 10), 'все ключевые сведения на месте')
    """
    where, text = _read("rubric", name_or_path, language)
    rubric = parse_rubric(_load_yaml(where, text), where=str(where))
    if rubric.language != language:
        raise RubricError(
            f"{where}: declares language {rubric.language!r}, but {language!r} was asked for"
        )
    return Rubric(**{**rubric.__dict__, "sha256": _sha256(text)})


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
    if value in get_args(Language):
        where, text = _read("template", "judge", value)
    else:
        where, text = _read("template", language_or_path, "")
    data = _load_yaml(where, text)
    keys = set(_TEMPLATE_FIELDS) | {"language"}
    missing, unknown = keys - set(data), set(data) - keys
    if missing or unknown:
        raise RubricError(
            f"{where}: keys must be {sorted(keys)}; missing {sorted(missing)}, unknown {sorted(unknown)}"
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
    if data["language"] not in get_args(Language):
        raise RubricError(f"{where}: language must be one of {get_args(Language)}")
    if not data["system"].strip() or not data["answer_prefix"].strip():
        raise RubricError(f"{where}: 'system' and 'answer_prefix' must not be empty")
    return JudgeTemplate(**{k: data[k] for k in keys}, source=str(where), sha256=_sha256(text))


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
    >>> p = render_judge_prompt("Жалобы: боль в животе.", "Боль в животе.", criterion="completeness",
    ...                         scale=3, granularity="extremes", rubric=load_rubric(), template=load_template())
    >>> print(p.segments[3])
    <BLANKLINE>
    Шкала 1-3, выше - лучше:
    1 - упущены почти все ключевые сведения
    3 - все ключевые сведения на месте
    >>> p.options, p.answer_prefix
    (('1', '2', '3'), 'Оценка: ')
    """
    if granularity not in GRANULARITIES:
        raise ValueError(f"granularity must be one of {GRANULARITIES}, got {granularity!r}")
    if template.language != rubric.language:
        raise RubricError(
            f"template {template.source} is in {template.language!r} but rubric {rubric.source} in "
            f"{rubric.language!r}; load both in the same language"
        )
    if isinstance(scale, bool) or not isinstance(scale, int) or scale not in rubric.scales:
        raise RubricError(
            f"scale {scale!r} is not described by rubric {rubric.name!r}; it describes 1-N for N in {rubric.scales}"
        )
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
