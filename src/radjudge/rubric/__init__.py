"""The rubric experts and LLM judges share: criteria, their definitions, every scale point.

A rubric file (``radjudge/rubric/<name>.<language>.yaml``) holds per criterion
its name, definition, the meaning of the lowest and highest score, and a
description of every point of every scale size it declares. The expert forms'
criteria sheet (:mod:`radjudge.ratings.criteria`) and the judge prompts
(:mod:`radjudge.judge.prompt`) are rendered from the same file, so experts and
judges read the same words; its SHA-256 goes into the blinding key and the
run manifest.

Packaged rubrics: ``clinical_summary`` (ru, en; the study's six criteria,
:data:`radjudge.contracts.CRITERIA`) and ``summeval`` (en; the four SummEval
criteria).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from radjudge.checks import check_choice
from radjudge.contracts import Language

__all__ = [
    "RubricError",
    "Criterion",
    "Rubric",
    "parse_rubric",
    "load_rubric",
    "read_yaml",
]

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_RUBRIC_KEYS = {"rubric", "language", "version", "scales", "criteria"}
_CRITERION_KEYS = {"name", "definition", "lowest", "highest", "points"}


class RubricError(ValueError):
    """A rubric or template file breaks a rule; the message names the file, the key and the fix."""


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_yaml(
    kind: str,
    name_or_path: str | os.PathLike[str],
    language: str,
    *,
    folder: Traversable,
    where: str,
) -> tuple[str, dict[str, Any], str]:
    """Read a packaged YAML file by name (``<folder>/<name>.<language>.yaml``) or a path.

    Parameters
    ----------
    kind : str
        What the file is (``"rubric"``, ``"template"``), for the messages.
    name_or_path : str or path-like
        A packaged name, or a path to a ``.yaml`` file.
    language : str
        Language of the packaged file.
    folder : Traversable
        The package folder of the packaged files.
    where : str
        That folder as shown in messages and provenance (``radjudge/rubric``).

    Returns
    -------
    (source, mapping, text)
        Where it was read from, the parsed top-level mapping and the file text.

    Raises
    ------
    RubricError
        A missing file (listing the packaged ones), invalid YAML, no mapping.
    """
    text_name = str(name_or_path)
    if text_name.endswith((".yaml", ".yml")) or os.sep in text_name or "/" in text_name:
        path = Path(name_or_path)
        if not path.is_file():
            raise RubricError(f"{kind} file {path} does not exist")
        source, text = str(path), path.read_text(encoding="utf-8")
    else:
        entry = folder.joinpath(f"{text_name}.{language}.yaml")
        if not entry.is_file():
            known = sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml"))
            raise RubricError(
                f"no {kind} {text_name!r} in language {language!r}: expected {where}/"
                f"{text_name}.{language}.yaml; packaged files: {', '.join(known)}. "
                "Or pass a path to a .yaml file."
            )
        source, text = f"{where}/{entry.name}", entry.read_text(encoding="utf-8")
    return source, _load_yaml(source, text), text


def _load_yaml(where: str, text: str) -> dict[str, Any]:
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
    check_choice(f"{where}: language", language, Language, error=RubricError)
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
                    f"{cw}: no point descriptions for scale 1-{s}; add 'points: {s}: "
                    f"{{1: ..., ..., {s}: ...}}'"
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
        A packaged rubric name (``radjudge/rubric/<name>.<language>.yaml``)
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
    where, data, text = read_yaml(
        "rubric",
        name_or_path,
        language,
        folder=resources.files("radjudge.rubric"),
        where="radjudge/rubric",
    )
    rubric = parse_rubric(data, where=where)
    if rubric.language != language:
        raise RubricError(
            f"{where}: declares language {rubric.language!r}, but {language!r} was asked for"
        )
    return Rubric(**{**rubric.__dict__, "sha256": _sha256(text)})
