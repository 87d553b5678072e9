"""The judges of a sweep, as the profile declares them: :func:`parse_judges` -> :class:`JudgeSpec`.

Each judge of ``04_judge_sweeps.judges`` is one mode of one model, or a
reference-based metric (see :mod:`radjudge.judge.sweep` for what each mode
does). :func:`parse_judges` validates the list before anything runs and names
the judge and the key of any fault.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from radjudge.checks import ConfigCheck
from radjudge.contracts import GRANULARITIES, Granularity, JudgeMode, Language
from radjudge.judge.metric import Metric
from radjudge.rubric import Rubric, load_rubric

__all__ = ["JudgeConfigError", "JudgeSpec", "check_metric_references", "parse_judges"]

_COMMON_KEYS = {
    "name",
    "mode",
    "criteria",
    "scales",
    "granularities",
    "repeats",
    "patients",
    "language",
}
_MODE_KEYS = {
    "logprobs": {"model"},
    "generate": {"model", "max_tokens", "temperature", "top_p", "stop", "guided"},
    "sample": {"model", "n", "max_tokens", "temperature", "top_p", "stop"},
    "metric": {"metric", "reference"},
}
#: Keys a metric judge may not have: it has no rating scale and no prompt.
_NOT_FOR_METRICS = ("scales", "granularities")


#: A metric judge's reference summarizer unless the profile names another.
DEFAULT_REFERENCE = "gold"


class JudgeConfigError(ValueError):
    """A judge in the profile breaks a rule; the message names the judge, the key and the fix."""


@dataclass(frozen=True)
class JudgeSpec:
    """One judge of the sweep (validated; see :func:`parse_judges`).

    Attributes
    ----------
    name : str
        The ``judge`` column; unique in the sweep.
    mode : {"logprobs", "generate", "sample", "metric"}
    model : str or None
        Registry name (``shared.models``) of the LLM; None for a metric.
    metric : {"rouge_l", "chrf"} or None
    criteria : tuple of str
    scales : tuple of int
        Scale sizes N (scores 1..N); empty for a metric (it has no scale).
    granularities : tuple of str
        Empty for a metric (it has no prompt).
    repeats : int
        Independent repetitions (sampling judges only; deterministic judges have 1).
    patients : int or None
        Rate only the first ``patients`` patients (by id); None = all.
    language : {"ru", "en"}
        Prompt language.
    n, temperature, top_p, max_tokens, stop, guided
        Decoding of ``generate`` and ``sample`` judges.
    reference : str or None
        A metric's reference summarizer (its texts are the references); None for LLMs.
    """

    name: str
    mode: JudgeMode
    model: str | None
    metric: str | None
    criteria: tuple[str, ...]
    scales: tuple[int, ...]
    granularities: tuple[Granularity, ...]
    repeats: int = 1
    patients: int | None = None
    language: Language = "ru"
    n: int = 1
    temperature: float = 0.0
    top_p: float = 1.0
    max_tokens: int = 8
    stop: tuple[str, ...] = ("\n",)
    guided: bool = False
    reference: str | None = None

    @property
    def llm_model(self) -> str:
        """Registry name of the judge's model; a ValueError for a metric judge."""
        if self.model is None:
            raise ValueError(f"judge {self.name!r} ({self.mode}) has no model")
        return self.model

    @property
    def kind(self) -> str:
        """``"metric"`` for a reference-based metric, else ``"llm"`` (:data:`JUDGE_KINDS`)."""
        return "metric" if self.mode == "metric" else "llm"

    @property
    def configs(self) -> list[tuple[str, int | None, Granularity | None, int]]:
        """(criterion, scale, granularity, repeat) of every grid cell, in sweep order.

        A metric has one cell per criterion, with no scale and no granularity (None).
        """
        if self.kind == "metric":
            return [(c, None, None, 0) for c in self.criteria]
        return [
            (c, s, g, r)
            for c in self.criteria
            for s in self.scales
            for g in self.granularities
            for r in range(self.repeats)
        ]


def _list(at: ConfigCheck, key: str, value: Any, allowed: Sequence[Any]) -> tuple[Any, ...]:
    if isinstance(value, str | int) or not isinstance(value, list | tuple) or not value:
        raise at.fail(f"{key} must be a non-empty list, got {value!r}")
    bad = [v for v in value if v not in allowed]
    if bad:
        raise at.fail(f"{key}: {bad} not allowed; choose from {list(allowed)}")
    if len(set(value)) != len(value):
        raise at.fail(f"{key} lists a value twice: {list(value)}")
    return tuple(value)


def _judge_check(label: str) -> ConfigCheck:
    """Checks of one judge entry of the profile; errors start with its location."""
    return ConfigCheck(f"04_judge_sweeps.judges[{label}]", JudgeConfigError)


def check_metric_references(
    judges: Sequence[Mapping[str, Any] | JudgeSpec], summarizers: Sequence[str]
) -> None:
    """Every metric judge's reference summarizer must be one the profile produces.

    A reference-based metric scores a summary against the reference
    summarizer's summary of the same patient. Real records have no gold
    summary: a study profile that keeps a metric without a reference it
    produces would give a grid of failed rows, so this is an error before
    anything runs (``radjudge run --check`` calls it).

    Parameters
    ----------
    judges : sequence of mapping or JudgeSpec
        ``04_judge_sweeps.judges`` (raw or parsed).
    summarizers : sequence of str
        The names of ``02_summarization.summarizers``.

    Raises
    ------
    JudgeConfigError
        Naming the judge, its reference and the summarizers there are.

    >>> check_metric_references([{"name": "rouge-l", "mode": "metric", "metric": "rouge_l"}],
    ...                         ["qwen", "llama"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    radjudge.judge.config.JudgeConfigError: 04_judge_sweeps.judges[rouge-l]: the metric's ...
    """
    for j in judges:
        mode = j.mode if isinstance(j, JudgeSpec) else j.get("mode")
        if mode != "metric":
            continue
        name = j.name if isinstance(j, JudgeSpec) else j.get("name")
        ref = j.reference if isinstance(j, JudgeSpec) else j.get("reference", DEFAULT_REFERENCE)
        if ref not in summarizers:
            raise _judge_check(str(name)).fail(
                f"the metric's reference summarizer {ref!r} is not among the profile's "
                f"summarizers ({', '.join(summarizers) or 'none'}); name one in 'reference', "
                "or drop the metric (real records have no gold summary)"
            )


def parse_judges(
    judges: Sequence[Mapping[str, Any]],
    *,
    models: Mapping[str, Any] | None = None,
    language: str = "ru",
    rubric: str = "clinical_summary",
    summarizers: Sequence[str] | None = None,
) -> list[JudgeSpec]:
    """Validate the profile's judge list.

    Parameters
    ----------
    judges : list of mapping
        ``04_judge_sweeps.judges``. Keys: ``name``, ``mode`` (required);
        ``criteria`` (default: every criterion of the rubric), ``scales``
        (default: every scale of the rubric), ``granularities`` (default: all
        three), ``repeats`` (1), ``patients`` (null = all), ``language`` (the
        shared language); ``model`` (LLM modes, a ``shared.models`` name);
        ``metric`` (metric mode: rouge_l | chrf) and ``reference`` (its
        reference summarizer, default ``gold``; a metric has no ``scales`` or
        ``granularities``); ``n``, ``temperature``, ``top_p``, ``max_tokens``,
        ``stop`` (generate and sample), ``guided`` (generate: constrain the
        answer to the valid labels).
    models : mapping, optional
        ``shared.models``; when given, every ``model`` must be in it.
    language : {"ru", "en"}, default "ru"
        Default prompt language.
    rubric : str, default "clinical_summary"
        Rubric whose criteria and scales the judges may use.
    summarizers : sequence of str, optional
        The summarizers the run has; when given, every metric's reference must
        be one of them (:func:`check_metric_references`).

    Returns
    -------
    list of JudgeSpec

    Raises
    ------
    JudgeConfigError
        Naming the judge and the key: unknown or missing key, unknown mode,
        model, metric, criterion, scale or granularity, a scale or granularity
        on a metric, a metric reference the run lacks, duplicate names,
        sampling without temperature, repeats on a deterministic judge.
    """
    if isinstance(judges, Mapping) or not isinstance(judges, Sequence) or not judges:
        raise JudgeConfigError("04_judge_sweeps.judges must be a non-empty list of judge mappings")
    rubrics: dict[str, Rubric] = {}
    out: list[JudgeSpec] = []
    for k, raw in enumerate(judges):
        if not isinstance(raw, Mapping):
            raise JudgeConfigError(
                f"04_judge_sweeps.judges[{k}] must be a mapping, got {type(raw).__name__}"
            )
        name = raw.get("name")
        label = name if isinstance(name, str) and name else str(k)
        at = _judge_check(label)
        if not isinstance(name, str) or not name.strip():
            raise at.fail("needs a non-empty 'name' (the judge column)")
        mode: JudgeMode = at.choice("mode", raw.get("mode"), JudgeMode)
        allowed = _COMMON_KEYS | _MODE_KEYS[mode]
        unknown = sorted(set(raw) - allowed)
        if unknown:
            hint = difflib.get_close_matches(unknown[0], allowed, n=1)
            raise at.fail(
                f"unknown key(s) {unknown} for mode {mode}; allowed: {sorted(allowed)}"
                + (f". Did you mean {hint[0]!r}?" if hint else ""),
            )
        lang = raw.get("language", language)
        at.choice("language", lang, Language)
        if lang not in rubrics:
            rubrics[lang] = load_rubric(rubric, language=lang)
        rub = rubrics[lang]
        is_metric = mode == "metric"
        criteria = _list(
            at, "criteria", raw.get("criteria", list(rub.criterion_ids)), rub.criterion_ids
        )
        if is_metric:
            given = [k for k in _NOT_FOR_METRICS if k in raw]
            if given:
                raise at.fail(
                    f"a metric has no rating scale and no prompt: remove {given} "
                    "(its value is reported as it is, a reference line beside the LLM judges)"
                )
            scales: tuple[Any, ...] = ()
            grans: tuple[Any, ...] = ()
        else:
            scales = _list(at, "scales", raw.get("scales", list(rub.scales)), list(rub.scales))
            grans = _list(
                at, "granularities", raw.get("granularities", list(GRANULARITIES)), GRANULARITIES
            )
        repeats = at.int("repeats", raw.get("repeats", 1), minimum=1)
        patients = raw.get("patients")
        if patients is not None:
            patients = at.int("patients", patients, minimum=1)
        spec: dict[str, Any] = dict(
            name=name,
            mode=mode,
            model=None,
            metric=None,
            criteria=criteria,
            scales=scales,
            granularities=grans,
            repeats=repeats,
            patients=patients,
            language=lang,
        )
        if is_metric:
            spec["metric"] = at.choice("metric", raw.get("metric"), Metric)
            reference = raw.get("reference", DEFAULT_REFERENCE)
            if not isinstance(reference, str) or not reference:
                raise at.fail(f"reference must be a summarizer name, got {reference!r}")
            spec["reference"] = reference
            if repeats != 1:
                raise at.fail("a metric is deterministic: repeats must be 1")
        else:
            model = raw.get("model")
            if not isinstance(model, str) or not model:
                raise at.fail("needs 'model': a name from shared.models")
            if models is not None and model not in models:
                raise at.fail(
                    f"model {model!r} is not in shared.models ({', '.join(models) or 'empty'})",
                )
            spec["model"] = model
        if mode == "logprobs" and repeats != 1:
            raise at.fail("logprobs scoring is deterministic: repeats must be 1")
        if mode in ("generate", "sample"):
            default_t = 1.0 if mode == "sample" else 0.0
            temperature = at.number("temperature", raw.get("temperature", default_t), low=0, high=5)
            top_p = at.number("top_p", raw.get("top_p", 1.0), low=0, high=1, low_open=True)
            stop = raw.get("stop", ["\n"])
            if (
                isinstance(stop, str)
                or not isinstance(stop, list | tuple)
                or not all(isinstance(s, str) and s for s in stop)
            ):
                raise at.fail(f"stop must be a list of non-empty strings, got {stop!r}")
            spec.update(
                temperature=temperature,
                top_p=top_p,
                stop=tuple(stop),
                max_tokens=at.int("max_tokens", raw.get("max_tokens", 8), minimum=1),
            )
            if mode == "sample":
                spec["n"] = at.int("n", raw.get("n", 8), minimum=2)
                if temperature == 0:
                    raise at.fail(
                        "sample mode needs temperature > 0 (n greedy answers are identical)"
                    )
            else:
                guided = raw.get("guided", False)
                if not isinstance(guided, bool):
                    raise at.fail(f"guided must be true or false, got {guided!r}")
                spec["guided"] = guided
                if temperature == 0 and repeats != 1:
                    raise at.fail(
                        "greedy generation is deterministic: repeats must be 1 "
                        "(or set temperature)",
                    )
        out.append(JudgeSpec(**spec))
    if summarizers is not None:
        check_metric_references(out, summarizers)
    names = [j.name for j in out]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise JudgeConfigError(
            f"04_judge_sweeps.judges: judge names must be unique; repeated: {dupes}"
        )
    return out
