"""Summary prompt templates: Russian text files in ``radjudge/summarize/prompts/``.

Every template asks for what a radiologist needs before an abdominal CT: the
referral question, key complaints and history, relevant labs, prior imaging
and contrast contraindications (renal function, allergy). Two styles exist for
each kind of model:

=========================  =========================================================
file                       use
=========================  =========================================================
``structured_chat``        instruct model with a chat template; five labelled points
``narrative_chat``         instruct model; 3-5 sentences of prose
``structured_completion``  base model (plain completion); cue + first point
``narrative_completion``   base model; cue "Краткая сводка для рентгенолога", prose
=========================  =========================================================

File format
-----------
Lines starting with ``#`` before the first section are comments. A section
starts with a marker line - ``[system]``, ``[prompt]``, ``[answer_prefix]``,
``[stop]``, ``[headers]`` - and holds every line up to the next marker, the
line break before that marker excluded (a blank last line therefore means
"ends with a line break"). All five sections must be present, in any order;
``[system]``, ``[answer_prefix]``, ``[stop]`` and ``[headers]`` may be empty.

``[prompt]``
    The user text; must contain ``{record}`` exactly once (no other
    placeholder; braces elsewhere are literal). The record comes first, the
    instruction after it, so prompts of one patient share their prefix.
``[system]``
    System message for chat models (empty: none).
``[answer_prefix]``
    Start of the model's answer, part of the prompt (e.g. ``- Цель
    исследования:``); the summary text is ``answer_prefix + generated text``.
``[stop]``
    One stop string per line; ``\\n`` in a line stands for a line break.
``[headers]``
    One section header per line; the clean-up of
    :func:`radjudge.summarize.postprocess.clean_summary` ends a summary at a
    header's second use.

Rendering (:func:`render_summary_request`) refuses a record that is not
anonymized and checks the prompt with the anonymization guard before it can
reach a model.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from radjudge.anonymize import check_llm_text, require_anonymized
from radjudge.llm.types import GenerationRequest

__all__ = [
    "PLACEHOLDER",
    "PromptTemplate",
    "TemplateError",
    "available_templates",
    "load_template",
    "render_summary_request",
]

#: The placeholder for the anonymized record text.
PLACEHOLDER = "{record}"
_SECTIONS = ("system", "prompt", "answer_prefix", "stop", "headers")
_MARKER = re.compile(r"^\[(\w+)\]\s*$")
_OTHER_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


class TemplateError(ValueError):
    """A template file breaks the format; the message names the file, the line and the fix."""


@dataclass(frozen=True)
class PromptTemplate:
    """One summary prompt template, as read from its file.

    Attributes
    ----------
    name : str
        File stem, e.g. ``"structured_chat"``.
    system : str or None
        System message; None when the section is empty.
    before_record, after_record : str
        The ``[prompt]`` text before and after ``{record}``.
    answer_prefix : str
        Start of the answer (may be empty).
    stop : tuple of str
        Stop strings.
    headers : tuple of str
        Section headers of a structured template (used by the clean-up).
    sha256 : str
        SHA-256 of the file's bytes (for the run manifest).
    """

    name: str
    system: str | None
    before_record: str
    after_record: str
    answer_prefix: str
    stop: tuple[str, ...]
    headers: tuple[str, ...]
    sha256: str

    @property
    def cues(self) -> tuple[str, ...]:
        """Stop strings that are words (cues a model may repeat), for the clean-up."""
        return tuple(s for s in self.stop if s.strip())


def _template_dir() -> Path:
    return Path(str(resources.files("radjudge.summarize") / "prompts"))


def available_templates() -> list[str]:
    """Names of the template files shipped with the package.

    >>> available_templates()
    ['narrative_chat', 'narrative_completion', 'structured_chat', 'structured_completion']
    """
    return sorted(p.stem for p in _template_dir().glob("*.txt"))


def _parse(text: str, source: str) -> dict[str, str]:
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        m = _MARKER.match(line)
        if m:
            name = m.group(1)
            if name not in _SECTIONS:
                raise TemplateError(
                    f"{source}, line {lineno}: unknown section [{name}]; sections are "
                    + ", ".join(f"[{s}]" for s in _SECTIONS)
                )
            if name in sections:
                raise TemplateError(f"{source}, line {lineno}: section [{name}] appears twice")
            sections[name] = []
            current = name
        elif current is None:
            if line.strip() and not line.startswith("#"):
                raise TemplateError(
                    f"{source}, line {lineno}: text before the first section marker; "
                    "start comments with '#'"
                )
        else:
            sections[current].append(line)
    missing = [s for s in _SECTIONS if s not in sections]
    if missing:
        raise TemplateError(
            f"{source}: missing section(s) {', '.join(f'[{s}]' for s in missing)} "
            "(add the marker line, even when the section is empty)"
        )
    return {name: "\n".join(lines) for name, lines in sections.items()}


def load_template(name_or_path: str | Path) -> PromptTemplate:
    """Read and validate a template by name (a shipped file) or by path.

    Parameters
    ----------
    name_or_path : str or path-like
        A name from :func:`available_templates` or the path of a ``.txt`` file
        in the same format (for the study's own prompts).

    Returns
    -------
    PromptTemplate

    Raises
    ------
    TemplateError
        Unknown name, missing file, a format error, or a ``[prompt]`` without
        exactly one ``{record}``.

    Examples
    --------
    >>> t = load_template("narrative_completion")
    >>> t.after_record.endswith("3-5 предложений:\\n"), t.stop[-1] == "\\n\\n"
    (True, True)
    """
    text_name = str(name_or_path)
    if text_name.endswith(".txt") or "/" in text_name:
        path = Path(name_or_path)
    else:
        path = _template_dir() / f"{text_name}.txt"
        if not path.is_file():
            raise TemplateError(
                f"unknown prompt template {text_name!r}; available: "
                f"{', '.join(available_templates())}, or a path to a .txt file"
            )
    if not path.is_file():
        raise TemplateError(f"prompt template file {path} does not exist")
    raw = path.read_bytes()
    parsed = _parse(raw.decode("utf-8"), str(path))
    prompt = parsed["prompt"]
    if prompt.count(PLACEHOLDER) != 1:
        raise TemplateError(
            f"{path}: [prompt] must contain {PLACEHOLDER} exactly once, found "
            f"{prompt.count(PLACEHOLDER)}"
        )
    before, after = prompt.split(PLACEHOLDER)
    other = _OTHER_PLACEHOLDER.findall(before + after)
    if other:
        raise TemplateError(f"{path}: unknown placeholder(s) {other}; only {PLACEHOLDER} exists")
    stop = tuple(line.replace("\\n", "\n") for line in parsed["stop"].splitlines() if line.strip())
    headers = tuple(h.strip() for h in parsed["headers"].splitlines() if h.strip())
    system = parsed["system"].strip() or None
    return PromptTemplate(
        name=path.stem,
        system=system,
        before_record=before,
        after_record=after,
        answer_prefix=parsed["answer_prefix"].strip("\n"),
        stop=stop,
        headers=headers,
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def render_summary_request(
    record: Any,
    template: PromptTemplate,
    *,
    max_tokens: int,
    temperature: float = 0.0,
    seed: int | None = None,
) -> GenerationRequest:
    """Build the generation request that summarizes one anonymized record.

    Parameters
    ----------
    record : radjudge.anonymize.AnonymizedRecord
        Must pass :func:`radjudge.anonymize.require_anonymized`.
    template : PromptTemplate
    max_tokens : int
        New-token budget.
    temperature : float, default 0.0
        0 = greedy (the demo).
    seed : int, optional
        The profile's seed (required by sampling; kept for greedy too).

    Returns
    -------
    GenerationRequest
        Segments ``(before_record, record text, after_record)`` (empty pieces
        left out), so requests for one record share the leading segments.

    Raises
    ------
    radjudge.anonymize.PHIGuardError
        (a ValueError) From the guard: the record is not anonymized, or the
        prompt still contains text that looks like PHI (the record's own
        surrogates, i.e. shifted dates, are allowed).
    """
    require_anonymized(record)
    segments = tuple(s for s in (template.before_record, record.text, template.after_record) if s)
    for text in (template.system or "", *segments, template.answer_prefix):
        if text:
            # shifted dates (notebook 01, date_strategy: shift) are the record's own surrogates
            check_llm_text(text, allowed=record.surrogates)
    return GenerationRequest(
        segments=segments,
        system=template.system,
        answer_prefix=template.answer_prefix,
        max_tokens=max_tokens,
        temperature=temperature,
        seed=seed,
        stop=template.stop,
    )
