"""Profiles: the YAML files in ``params/`` that hold every knob of a run.

A profile has this shape::

    description: free text
    extends: demo            # optional: start from another profile, then override
    shared:                  # keys any notebook may declare (seed, language, ...)
      seed: 20240611
    notebooks:
      01_anonymization:      # one section per numbered notebook, named by its stem
        placeholder_style: typed

Sections are deep-merged over the profile they extend: mappings merge key by
key, any other value (lists included) replaces the inherited one.

The runner checks a profile against the notebooks *before* anything runs
(:func:`radjudge.pipeline.check_profile`). This module only reads and merges;
it knows nothing about notebooks. ``--set`` overrides are applied by
:func:`radjudge.profile_schema.apply_overrides`, which reads each value by its
parameter's type.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from radjudge import paths

__all__ = [
    "Profile",
    "ProfileError",
    "load_profile",
    "available_profiles",
    "RUNNER_PARAMETERS",
]

#: Parameters the runner itself injects into every notebook that declares them.
RUNNER_PARAMETERS = ("profile", "run_dir")

_TOP_LEVEL_KEYS = {"description", "extends", "shared", "notebooks"}


class ProfileError(ValueError):
    """A profile file or an override breaks a rule; the message says which and how to fix it."""


@dataclass(frozen=True)
class Profile:
    """A fully merged profile.

    Attributes
    ----------
    name : str
        Profile name (file stem), e.g. ``"demo"``.
    source : pathlib.Path
        The YAML file it was read from.
    description : str
        Free text from the file.
    shared : dict
        Keys passed to every notebook that declares them.
    notebooks : dict[str, dict]
        Per-notebook parameters, keyed by notebook stem (``"02_summarization"``).
    chain : tuple[str, ...]
        The profiles merged to make this one, base first.
    """

    name: str
    source: Path
    description: str
    shared: dict[str, Any]
    notebooks: dict[str, dict[str, Any]]
    chain: tuple[str, ...] = field(default=())

    def section(self, notebook: str) -> dict[str, Any]:
        """Return a copy of one notebook's own section (shared keys not included)."""
        return copy.deepcopy(self.notebooks.get(notebook, {}))

    def to_dict(self) -> dict[str, Any]:
        """The resolved profile as plain data (for the run manifest)."""
        return {
            "name": self.name,
            "source": paths.relative(self.source),
            "chain": list(self.chain),
            "description": self.description,
            "shared": copy.deepcopy(self.shared),
            "notebooks": copy.deepcopy(self.notebooks),
        }


def available_profiles() -> list[str]:
    """Names of the profiles in ``params/``."""
    return sorted(p.stem for p in paths.PARAMS.glob("*.yaml"))


def _profile_file(name_or_path: str | os.PathLike[str]) -> Path:
    text = str(name_or_path)
    if text.endswith((".yaml", ".yml")) or os.sep in text or "/" in text:
        path = paths.resolve(text)
        if not path.is_file():
            raise ProfileError(f"profile file {path} does not exist")
        return path
    path = paths.PARAMS / f"{text}.yaml"
    if not path.is_file():
        known = ", ".join(available_profiles()) or "none"
        raise ProfileError(
            f"unknown profile {text!r}: there is no {paths.relative(path)}. "
            f"Known profiles: {known}; or pass a path to a .yaml file."
        )
    return path


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe YAML loader that refuses a key given twice in one mapping (YAML keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise ProfileError(
                    f"{self.name}, line {line}: key {key!r} is given twice in one mapping (first "
                    f"on line {seen[key]}); YAML would silently keep the last one. Keep one."
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        loader = _UniqueKeyLoader(path.read_text(encoding="utf-8"))
        loader.name = str(path)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML: {exc}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ProfileError(
            f"{path}: a profile must be a mapping at top level, got {type(data).__name__}"
        )
    unknown = set(data) - _TOP_LEVEL_KEYS
    if unknown:
        raise ProfileError(
            f"{path}: unknown top-level key(s) {sorted(unknown)}; "
            f"allowed: {sorted(_TOP_LEVEL_KEYS)}. Put notebook parameters under 'notebooks:'."
        )
    for key in ("shared", "notebooks"):
        if not isinstance(data.get(key, {}) or {}, dict):
            raise ProfileError(f"{path}: '{key}' must be a mapping")
    for stem, section in (data.get("notebooks") or {}).items():
        if not isinstance(section, dict):
            raise ProfileError(f"{path}: notebooks.{stem} must be a mapping of parameter: value")
    return data


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into a copy of ``base``: mappings merge, other values replace.

    >>> deep_merge({"a": {"x": 1, "y": 2}, "b": [1]}, {"a": {"y": 3}, "b": [2]})
    {'a': {'x': 1, 'y': 3}, 'b': [2]}
    """
    out = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_profile(name_or_path: str | os.PathLike[str] = "demo") -> Profile:
    """Read a profile by name (``params/NAME.yaml``) or path, following ``extends``.

    Parameters
    ----------
    name_or_path : str or path-like, default "demo"
        A profile name or a path to a YAML file.

    Returns
    -------
    Profile

    Raises
    ------
    ProfileError
        Unknown profile, invalid YAML, unknown top-level key or an ``extends`` cycle.
    """
    path = _profile_file(name_or_path)
    chain: list[Path] = []
    current: Path | None = path
    while current is not None:
        if current in chain:
            cycle = " -> ".join(p.stem for p in [*chain, current])
            raise ProfileError(f"profile 'extends' cycle: {cycle}")
        chain.append(current)
        parent = _read_yaml(current).get("extends")
        if not parent:
            current = None
        elif (current.parent / f"{parent}.yaml").is_file():  # a sibling profile by name
            current = current.parent / f"{parent}.yaml"
        else:
            current = _profile_file(parent)
    merged: dict[str, Any] = {}
    for p in reversed(chain):
        data = _read_yaml(p)
        data.pop("extends", None)
        merged = deep_merge(merged, data)
    return Profile(
        name=path.stem,
        source=path,
        description=str(merged.get("description", "")).strip(),
        shared=dict(merged.get("shared") or {}),
        notebooks={k: dict(v) for k, v in (merged.get("notebooks") or {}).items()},
        chain=tuple(p.stem for p in reversed(chain)),
    )
