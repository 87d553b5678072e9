"""Summarizer configurations: the profile's ``02_summarization.summarizers`` list.

Each entry is a mapping; ``name`` and ``kind`` are required, the other keys
depend on the kind:

==============  =====================================================================
kind            keys
==============  =====================================================================
``llm``         ``model`` (a name of the profile's ``shared.models`` registry),
                ``template`` (a prompt template name or ``.txt`` path),
                ``max_tokens``; optional ``temperature`` (default 0 = greedy).
                The batch size is the model's (registry spec ``batch_size``).
``gold``        none: rendered from the synthetic ground truth (reference system)
``extractive``  optional ``max_chars`` (default 600): lead/keyword sentences (reference)
==============  =====================================================================

Every kind accepts ``label`` (a human-readable description for tables). Unknown
keys, and keys that do not belong to the kind, are errors: a typo never
silently falls back to a default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from radjudge.checks import ConfigCheck

__all__ = ["SummarizerKind", "SummarizerConfig", "SummarizerConfigError", "parse_summarizers"]

SummarizerKind = Literal["llm", "gold", "extractive"]
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_KEYS: dict[str, set[str]] = {
    "llm": {"name", "kind", "label", "model", "template", "max_tokens", "temperature"},
    "gold": {"name", "kind", "label"},
    "extractive": {"name", "kind", "label", "max_chars"},
}


class SummarizerConfigError(ValueError):
    """A summarizer entry of the profile breaks a rule; the message names entry and key."""


@dataclass(frozen=True)
class SummarizerConfig:
    """One summarizer of the study.

    Attributes
    ----------
    name : str
        Identifier used in every table (``summarizer`` column); lower-case
        letters, digits and ``_``.
    kind : {"llm", "gold", "extractive"}
    label : str
        Human-readable description (defaults to ``name``).
    model : str or None
        Registry name of the model (``llm`` only).
    template : str or None
        Prompt template name or path (``llm`` only).
    max_tokens : int or None
        New-token budget (``llm`` only).
    temperature : float
        0.0 = greedy decoding.
    max_chars : int or None
        Length cap of the extractive baseline.
    """

    name: str
    kind: SummarizerKind
    label: str = ""
    model: str | None = None
    template: str | None = None
    max_tokens: int | None = None
    temperature: float = 0.0
    max_chars: int | None = None

    def _llm_field(self, key: str) -> Any:
        value = getattr(self, key)
        if self.kind != "llm" or value is None:
            raise SummarizerConfigError(f"summarizer {self.name!r} ({self.kind}) has no {key}")
        return value

    @property
    def llm_model(self) -> str:
        """Registry model of an ``llm`` summarizer; a SummarizerConfigError for the others."""
        return str(self._llm_field("model"))

    @property
    def llm_template(self) -> str:
        """Prompt template of an ``llm`` summarizer; a SummarizerConfigError for the others."""
        return str(self._llm_field("template"))


def parse_summarizers(
    items: Sequence[Mapping[str, Any]], *, models: Mapping[str, Any] | None = None
) -> tuple[SummarizerConfig, ...]:
    """Validate the profile's summarizer list and return one config per entry.

    Parameters
    ----------
    items : sequence of mapping
        The ``summarizers`` parameter.
    models : mapping, optional
        The ``shared.models`` registry; when given, every ``llm`` entry's
        ``model`` must be one of its names.

    Returns
    -------
    tuple of SummarizerConfig
        In profile order.

    Raises
    ------
    SummarizerConfigError
        Naming ``summarizers[i]`` and the offending key.

    Examples
    --------
    >>> [c.name for c in parse_summarizers([
    ...     {"name": "gold", "kind": "gold"},
    ...     {"name": "lead", "kind": "extractive", "max_chars": 400}])]
    ['gold', 'lead']
    >>> parse_summarizers([{"name": "x", "kind": "llm", "model": "m", "template": "t"}])
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    radjudge.summarize.config.SummarizerConfigError: summarizers[0] ('x'): kind 'llm' needs ...
    """
    if isinstance(items, str | bytes | Mapping) or not isinstance(items, Sequence) or not items:
        raise SummarizerConfigError(
            "summarizers must be a non-empty list of mappings (name, kind, ...)"
        )
    out: list[SummarizerConfig] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        where = f"summarizers[{i}]"
        if not isinstance(item, Mapping):
            raise SummarizerConfigError(f"{where} must be a mapping, got {type(item).__name__}")
        name = item.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise SummarizerConfigError(
                f"{where}.name must be lower-case letters, digits and '_' (starting with a "
                f"letter), got {name!r}"
            )
        where = f"{where} ({name!r})"
        at = ConfigCheck(where, SummarizerConfigError)
        if name in seen:
            raise at.fail(f"the name {name!r} is used twice")
        seen.add(name)
        kind: SummarizerKind = at.choice("kind", item.get("kind"), SummarizerKind)
        unknown = sorted(set(item) - _KEYS[kind])
        if unknown:
            raise at.fail(
                f"key(s) {unknown} do not apply to kind {kind!r}; allowed: {sorted(_KEYS[kind])}"
            )
        label = item.get("label", name)
        if not isinstance(label, str):
            raise at.fail(f"label must be text, got {label!r}")
        if kind == "llm":
            needed = [k for k in ("model", "template", "max_tokens") if k not in item]
            if needed:
                raise at.fail(f"kind 'llm' needs key(s) {needed}")
            model, template = item["model"], item["template"]
            if not isinstance(model, str) or not model:
                raise at.fail(f"model must be a registry name, got {model!r}")
            if models is not None and model not in models:
                raise at.fail(
                    f"model {model!r} is not in the model registry (shared.models); "
                    f"known: {', '.join(models) or 'none'}"
                )
            if not isinstance(template, str) or not template:
                raise at.fail(f"template must be a template name, got {template!r}")
            temperature = at.number("temperature", item.get("temperature", 0.0), low=0, high=5)
            out.append(
                SummarizerConfig(
                    name=name,
                    kind="llm",
                    label=label,
                    model=model,
                    template=template,
                    max_tokens=at.int("max_tokens", item["max_tokens"]),
                    temperature=temperature,
                )
            )
        elif kind == "extractive":
            out.append(
                SummarizerConfig(
                    name=name,
                    kind="extractive",
                    label=label,
                    max_chars=at.int("max_chars", item.get("max_chars", 600)),
                )
            )
        else:
            out.append(SummarizerConfig(name=name, kind="gold", label=label))
    return tuple(out)
