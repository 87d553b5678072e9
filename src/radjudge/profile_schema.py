"""The typed schema of the profiles: every parameter's type, range and allowed values.

Each parameter a pipeline notebook declares has an entry here (a test checks
it): its type as an annotation - ``Literal`` for closed choices, bounds as
:mod:`annotated_types` constraints - a one-line description, and, for the
structured parameters, the project's own validator (the model registry, the
summarizer and judge lists, the rating scales and the rubric, the simulated
panel). Parameters of notebooks outside the pipeline (a test's throw-away
notebooks) are typed by their declared default.

The schema serves three purposes:

* ``--set KEY=VALUE`` values are parsed by the parameter's type, not guessed
  by YAML: ``cache_mode=off`` stays the string ``"off"``, ``n_boot=abc`` is an
  error naming the parameter and what it accepts (:func:`parse_override`,
  applied to a profile by :func:`apply_overrides`);
* :func:`check_values` validates every value of a profile - types, ranges and
  choices, and the cross-parameter rules of the validators - and returns one
  message per problem, naming the parameter and its allowed values;
* :func:`check_inputs` lists the input files a run needs that do not exist,
  and :func:`check_endpoints` the OpenAI-compatible servers that do not answer
  (``--check`` only: a run that replays from the cache needs no server).

Values are validated, never coerced: a profile that says ``seed: "7"`` is
wrong, not quietly turned into 7.
"""

from __future__ import annotations

import copy
import difflib
import os
import re
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from annotated_types import Ge, Gt, Le, Lt, MinLen
from pydantic import TypeAdapter, ValidationError

from radjudge import paths
from radjudge.anonymize.evalset import SPLITS
from radjudge.anonymize.replace import DateStrategy, Replacement
from radjudge.concordance.alt_test import Alignment
from radjudge.concordance.analysis import CIMethod, PValueMethod
from radjudge.concordance.multiple import PAdjustMethod
from radjudge.contracts import GRANULARITIES, Granularity, Language, SummEvalCriterion
from radjudge.external.judges import JudgeScore
from radjudge.external.published import G_EVAL_TABLE1
from radjudge.judge import parse_judges
from radjudge.judge.validity import ValidityGate
from radjudge.llm.models import validate_spec
from radjudge.llm.types import CacheMode
from radjudge.profiles import Profile, ProfileError
from radjudge.ratings import criteria_sheet, resolve_scales
from radjudge.ratings.forms import STUDY_ID
from radjudge.ratings.simulate import SimulationParams
from radjudge.rubric import load_rubric
from radjudge.summarize import load_template, parse_summarizers
from radjudge.summarize.postprocess import FlagRules

__all__ = [
    "Parameter",
    "SHARED",
    "sections",
    "parameter",
    "describe",
    "parse_override",
    "apply_overrides",
    "check_values",
    "check_inputs",
    "check_endpoints",
    "models_used",
]

# ---------------------------------------------------------------------------- types


def _int(ge: int | None = None, le: int | None = None) -> Any:
    meta = [
        m for m in (Ge(ge) if ge is not None else None, Le(le) if le is not None else None) if m
    ]
    return Annotated[(int, *meta)] if meta else int


def _float(*, gt: float | None = None, ge: float | None = None, lt: float | None = None) -> Any:
    meta = [
        m
        for m in (
            Gt(gt) if gt is not None else None,
            Ge(ge) if ge is not None else None,
            Lt(lt) if lt is not None else None,
        )
        if m
    ]
    return Annotated[(float, *meta)]


def _nonempty_list(item: Any) -> Any:
    return Annotated[list[item], MinLen(1)]


Path_ = Annotated[str, MinLen(1)]  # a path, relative to the project root unless absolute


@dataclass(frozen=True)
class Parameter:
    """One parameter of the schema.

    Attributes
    ----------
    annotation : type annotation
        What the value must be (strictly: no coercion).
    doc : str
        What it is, in a few words (shown with errors).
    check : callable, optional
        ``check(value, params)`` for rules beyond the type (``params``: the
        values the same notebook receives); raises ValueError with the reason.
    input : {"file", "folder"}, optional
        A path that must exist before the notebook runs (when not null).
    suffixes : tuple of str
        Allowed suffixes of an input file.
    """

    annotation: Any
    doc: str
    check: Callable[[Any, Mapping[str, Any]], None] | None = None
    input: Literal["file", "folder"] | None = None
    suffixes: tuple[str, ...] = ()

    @property
    def adapter(self) -> TypeAdapter[Any]:
        return _adapter(self.annotation)


_ADAPTERS: dict[str, TypeAdapter[Any]] = {}


def _adapter(annotation: Any) -> TypeAdapter[Any]:
    key = repr(annotation)
    if key not in _ADAPTERS:
        _ADAPTERS[key] = TypeAdapter(annotation)
    return _ADAPTERS[key]


# ------------------------------------------------------------- structured validators


def _unique(value: Any, params: Mapping[str, Any]) -> None:
    dupes = sorted({repr(v) for v in value if list(value).count(v) > 1})
    if dupes:
        raise ValueError(f"lists {', '.join(dupes)} more than once")


def _models(value: Any, params: Mapping[str, Any]) -> None:
    for name, spec in value.items():
        validate_spec(str(name), spec)  # also refuses credentials in base_url


def _summarizers(value: Any, params: Mapping[str, Any]) -> None:
    for config in parse_summarizers(value, models=params.get("models")):
        if config.kind == "llm":
            load_template(config.llm_template)


def _judges(value: Any, params: Mapping[str, Any]) -> None:
    parse_judges(
        value,
        models=params.get("models"),
        language=params.get("language", "ru"),
        rubric=params.get("rubric", "clinical_summary"),
    )


def _rubric_of_judges(value: Any, params: Mapping[str, Any]) -> None:
    load_rubric(value, language=params.get("language", "ru"))


def _rating_scales(value: Any, params: Mapping[str, Any]) -> None:
    """03's criteria, scale_max and rubric together: the rubric must describe every point."""
    scales = resolve_scales(params["criteria"], params["scale_max"])
    criteria_sheet(scales, rubric=params["rubric"])


def _study_id(value: Any, params: Mapping[str, Any]) -> None:
    if not STUDY_ID.match(value):
        raise ValueError(
            "must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit"
        )


def _panel(value: Any, params: Mapping[str, Any]) -> None:
    if value is None:
        if params.get("simulate") and not params.get("roster_file"):
            raise ValueError("a simulated panel without roster_file needs a panel")
        return
    for category, spec in value.items():
        if not isinstance(spec, Mapping) or set(spec) != {"n", "years"}:
            raise ValueError(f"panel.{category} must be {{n: experts, years: [min, max]}}")
        n, years = spec["n"], spec["years"]
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"panel.{category}.n must be an integer >= 1, got {n!r}")
        if (
            not isinstance(years, list)
            or len(years) != 2
            or not all(isinstance(y, int) and not isinstance(y, bool) for y in years)
            or not 0 <= years[0] <= years[1] <= 99
        ):
            raise ValueError(f"panel.{category}.years must be [min, max], 0 <= min <= max <= 99")


def _simulation(value: Any, params: Mapping[str, Any]) -> None:
    SimulationParams.from_dict(value)


def _validity_gate(value: Any, params: Mapping[str, Any]) -> None:
    ValidityGate.from_dict(value)


def _factor_references(value: Any, params: Mapping[str, Any]) -> None:
    factors = [c for c in params.get("config_columns") or () if c != "judge"]
    unknown = sorted(set(value) - set(factors))
    if unknown:
        raise ValueError(f"{unknown} are not factors of config_columns; choose from {factors}")
    if "granularity" in value and value["granularity"] not in GRANULARITIES:
        raise ValueError(f"granularity must be one of {list(GRANULARITIES)}")


def _summary_flags(value: Any, params: Mapping[str, Any]) -> None:
    FlagRules.from_dict(value)


def _roster_needed(value: Any, params: Mapping[str, Any]) -> None:
    if value is None and not params.get("simulate"):
        raise ValueError("real experts (simulate: false) need a roster file")


def _summeval_judges(value: Any, params: Mapping[str, Any]) -> None:
    models = params.get("models") or {}
    unknown = [j for j in value if j not in models]
    if unknown:
        raise ValueError(f"names {unknown} are not in shared.models ({', '.join(models)})")
    _unique(value, params)


def _both(*checks: Callable[[Any, Mapping[str, Any]], None]) -> Callable[..., None]:
    def run(value: Any, params: Mapping[str, Any]) -> None:
        for check in checks:
            check(value, params)

    return run


def _published_rows() -> Any:
    """``list[Literal[...]]`` of the row names of G-Eval Table 1."""
    # The alias object list[...] makes: the choices are data, which mypy cannot read as a type.
    return types.GenericAlias(list, (Literal[tuple(G_EVAL_TABLE1)],))


# --------------------------------------------------------------------------- schema

#: Keys any notebook may declare, set under ``shared:``.
SHARED: dict[str, Parameter] = {
    "seed": Parameter(_int(ge=0), "random seed of every stage"),
    "language": Parameter(Language, "labels of figures and the paper; judge prompt language"),
    "cache_dir": Parameter(Path_, "folder of the LLM call cache"),
    "cache_mode": Parameter(CacheMode, "LLM call cache: read and append, read only, or off"),
    "allow_remote_phi": Parameter(
        bool, "consent to send real records to a host that is not loopback or private"
    ),
    "models": Parameter(
        dict[str, dict[str, Any]], "LLM registry: name -> spec (radjudge.llm.models)", _models
    ),
    "validity_gate": Parameter(
        Union[dict[str, Any], None],  # noqa: UP007
        "thresholds of the judge validity gate (radjudge.judge.validity.ValidityGate)",
        _validity_gate,
    ),
}


def _sections() -> dict[str, dict[str, Parameter]]:
    scale_max = Annotated[int, Ge(2), Le(100)]  # = _int(ge=2, le=100), usable inside dict[...]
    unique = _unique
    return {
        "01_anonymization": {
            "records_path": Parameter(
                Path_ | None,
                "real records (.csv/.xlsx/.jsonl), or null for the synthetic cohort",
                input="file",
                suffixes=(".csv", ".xlsx", ".jsonl"),
            ),
            "n_patients": Parameter(_int(ge=1, le=10_000), "size of the synthetic cohort"),
            "replacement": Parameter(Replacement, "what replaces an identifier"),
            "date_strategy": Parameter(DateStrategy, "what replaces a date"),
            "evaluation_splits": Parameter(
                list[Literal[SPLITS]],  # type: ignore[valid-type]
                "independent evaluation sets scored in the audit (tests/data/anonymization_eval)",
                unique,
            ),
            "n_examples": Parameter(_int(ge=0, le=100), "before/after examples shown"),
        },
        "02_summarization": {
            "summarizers": Parameter(
                _nonempty_list(dict[str, Any]), "summarizers (radjudge.summarize)", _summarizers
            ),
            "summary_flags": Parameter(
                Union[dict[str, Any], None],  # noqa: UP007
                "thresholds of the degenerate-summary flags (radjudge.summarize.FlagRules)",
                _summary_flags,
            ),
            "n_examples": Parameter(_int(ge=0, le=100), "patients whose summaries are printed"),
        },
        "03_expert_ratings": {
            "study_id": Parameter(str, "id printed on every form", _study_id),
            "criteria": Parameter(
                _nonempty_list(str),
                "rated criteria (ids of the rubric)",
                _both(unique, _rating_scales),
            ),
            "scale_max": Parameter(
                Union[scale_max, dict[str, scale_max]],  # noqa: UP007
                "top of the experts' scale (1..scale_max), for all criteria or per criterion",
            ),
            "rubric": Parameter(Path_, "rubric the criteria sheet is rendered from"),
            "simulate": Parameter(bool, "a simulated panel fills the forms (demo, rehearsal)"),
            "panel": Parameter(
                Union[dict[str, dict[str, Any]], None],  # noqa: UP007
                "simulated panel: category -> {n, years}",
                _panel,
            ),
            "roster_file": Parameter(
                Path_ | None,
                "roster CSV (expert_id, category, years_experience); null = made from panel",
                _roster_needed,
                input="file",
                suffixes=(".csv",),
            ),
            "filled_forms_dir": Parameter(
                Path_ | None, "folder of the returned forms; null = data/interim/forms_filled"
            ),
            "simulation": Parameter(
                dict[str, Any], "generative model of the simulated panel", _simulation
            ),
            "forms_filled_with": Parameter(
                Literal["openpyxl", "libreoffice"],
                "how the simulated panel fills the forms: openpyxl, or LibreOffice headless "
                "(saved as a spreadsheet application saves them)",
            ),
        },
        "04_judge_sweeps": {
            "rubric": Parameter(Path_, "judge rubric (name or file)", _rubric_of_judges),
            "judges": Parameter(
                _nonempty_list(dict[str, Any]), "judges and their grids (radjudge.judge)", _judges
            ),
        },
        "05_concordance": {
            "config_columns": Parameter(
                _nonempty_list(str), "judge_ratings columns that make a configuration", unique
            ),
            "factor_references": Parameter(
                dict[str, Union[int, str]],  # noqa: UP007
                "reference level of each factor's paired contrasts (default: its first level)",
                _factor_references,
            ),
            "n_boot": Parameter(_int(ge=1, le=1_000_000), "bootstrap resamples"),
            "ci_method": Parameter(CIMethod, "bootstrap interval"),
            "alpha": Parameter(_float(gt=0, lt=1), "1 - confidence level"),
            "pvalue_method": Parameter(PValueMethod, "p-value of Kendall's W"),
            "p_adjust": Parameter(PAdjustMethod, "multiple-testing adjustment"),
            "correct_ties": Parameter(bool, "tie correction of Kendall's W"),
            "alt_test_epsilon": Parameter(_float(ge=0, lt=1), "alternative annotator test margin"),
            "alt_test_q": Parameter(_float(gt=0, lt=1), "FDR level over the experts"),
            "alt_test_alignment": Parameter(Alignment, "alignment score of the alt-test"),
            "alt_test_min_items": Parameter(_int(ge=2), "items an expert needs to be tested"),
            "cv_folds": Parameter(_int(ge=2), "cross-validation folds over patients"),
            "cv_repeats": Parameter(_int(ge=1), "cross-validation repeats"),
        },
        "06_figures": {
            "also_languages": Parameter(list[Language], "more label languages", unique),
            "formats": Parameter(_nonempty_list(Literal["pdf", "png"]), "figure files", unique),
            "dpi": Parameter(_int(ge=50, le=1200), "resolution of raster figures"),
        },
        "07_external_validation": {
            "baseline_docs": Parameter(
                _int(ge=1, le=100) | None, "articles of the ROUGE baselines; null = all 100"
            ),
            "judge_docs": Parameter(_int(ge=1, le=100), "articles the local judges rate"),
            "judges": Parameter(
                list[str],
                "registry names of the SummEval judges ([]: ROUGE baselines only)",
                _summeval_judges,
            ),
            "criteria": Parameter(_nonempty_list(SummEvalCriterion), "SummEval criteria", unique),
            "scales": Parameter(
                _nonempty_list(Literal[5, 10]), "scale sizes (summeval rubric)", unique
            ),
            "granularities": Parameter(_nonempty_list(Granularity), "prompt granularities", unique),
            "judge_score": Parameter(JudgeScore, "judge value correlated with the experts"),
            "published": Parameter(_published_rows(), "rows of G-Eval Table 1 shown", unique),
        },
    }


_SECTIONS_CACHE: dict[str, dict[str, Parameter]] = {}


def sections() -> dict[str, dict[str, Parameter]]:
    """Notebook stem -> parameter name -> :class:`Parameter` (built on first use)."""
    if not _SECTIONS_CACHE:
        _SECTIONS_CACHE.update(_sections())
    return _SECTIONS_CACHE


def parameter(stem: str | None, name: str, default: Any = None) -> Parameter:
    """The schema entry of ``name`` in notebook ``stem`` (None: shared).

    A parameter the schema does not know (a notebook outside the pipeline) is
    typed by its declared ``default``: int, float (int accepted), bool, str,
    list, dict, or anything when the default is None.
    """
    if stem is not None and name in sections().get(stem, {}):
        return sections()[stem][name]
    if name in SHARED:
        return SHARED[name]
    if isinstance(default, bool):
        return Parameter(bool, "declared by the notebook as a boolean")
    if isinstance(default, int):
        return Parameter(int, "declared by the notebook as an integer")
    if isinstance(default, float):
        return Parameter(float, "declared by the notebook as a number")
    for kind in (str, list, dict):
        if isinstance(default, kind):
            return Parameter(kind, f"declared by the notebook as a {kind.__name__}")
    return Parameter(Any, "declared by the notebook with a null default")


# ------------------------------------------------------------------------ describe


def describe(annotation: Any) -> str:
    """What an annotation accepts, in words.

    >>> describe(_int(ge=1))
    'an integer >= 1'
    >>> describe(Literal["bca", "percentile"])
    "one of 'bca', 'percentile'"
    >>> describe(_float(gt=0, lt=1))
    'a number > 0 and < 1'
    >>> describe(Path_ | None)
    'a non-empty string, or null'
    """
    origin, args = get_origin(annotation), get_args(annotation)
    if annotation is Any:
        return "any value"
    if origin is Annotated:
        base, *meta = args
        bounds = []
        for m in meta:
            for cls, sym in ((Ge, ">="), (Gt, ">"), (Le, "<="), (Lt, "<")):
                if isinstance(m, cls):
                    bounds.append(f"{sym} {getattr(m, cls.__name__.lower())}")
        if any(isinstance(m, MinLen) for m in meta):
            return "a non-empty " + describe(base).removeprefix("a ").removeprefix("an ")
        return describe(base) + (" " + " and ".join(bounds) if bounds else "")
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if origin in (Union, types.UnionType):
        parts = [describe(a) for a in args if a is not type(None)]
        text = " or ".join(parts)
        return text + (", or null" if type(None) in args else "")
    if origin is list:
        return f"a list of ({describe(args[0])})" if args else "a list"
    if origin is dict:
        return "a mapping"
    return {
        int: "an integer",
        float: "a number",
        bool: "true or false",
        str: "a string",
        list: "a list",
        dict: "a mapping",
    }.get(annotation, str(annotation))


# ------------------------------------------------------------------------ --set parsing

_NULL = ("null", "~")
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


def _scalar_kinds(annotation: Any) -> tuple[set[type], bool, set[Any]]:
    """(Python types a scalar annotation allows, null allowed, literal values)."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _scalar_kinds(args[0])
    if origin is Literal:
        return {type(a) for a in args}, False, set(args)
    if origin in (Union, types.UnionType):
        kinds: set[type] = set()
        literals: set[Any] = set()
        nullable = type(None) in args
        for a in args:
            if a is not type(None):
                k, _, lit = _scalar_kinds(a)
                kinds |= k
                literals |= lit
        return kinds, nullable, literals
    if annotation in (int, float, bool, str):
        return {annotation}, False, set()
    return {object}, annotation is Any, set()


def parse_override(raw: str, annotation: Any, *, current: Any = None) -> Any:
    """Parse a ``--set`` value by the parameter's type (not by YAML's guess).

    Strings stay strings (``off``, ``none``, ``yes`` included); integers,
    numbers and booleans are parsed as such; ``null`` (or ``~``) is None where
    the type allows it; lists and mappings are read as YAML. A parameter the
    schema does not type (``Any``) is parsed like its current value: a string
    stays the raw text, anything else is YAML.

    >>> parse_override("off", CacheMode), parse_override("7", int), parse_override(
    ...     "none", Granularity
    ... )
    ('off', 7, 'none')
    >>> parse_override("null", _int(ge=1) | None) is None
    True
    >>> parse_override("abc", _int(ge=1))
    Traceback (most recent call last):
    ...
    ValueError: 'abc' is not an integer
    """
    kinds, nullable, literals = _scalar_kinds(annotation)
    text = raw.strip()
    if nullable and text in _NULL and text not in literals:
        return None
    if object in kinds:
        if annotation is Any and isinstance(current, str):
            return raw
        try:
            return yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise ValueError(f"{raw!r} is not valid YAML: {exc}") from None
    if str in kinds and (not literals or raw in literals or kinds == {str}):
        return raw
    if bool in kinds and text.lower() in (*_TRUE, *_FALSE) and int not in kinds:
        return text.lower() in _TRUE
    if int in kinds and re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if float in kinds:
        try:
            value = float(text)
        except ValueError:
            pass
        else:
            if value == value and value not in (float("inf"), float("-inf")):
                return value
    if str in kinds:
        return raw
    wanted = " or ".join(
        {int: "an integer", float: "a number", bool: "true or false"}.get(k, k.__name__)
        for k in sorted(kinds, key=lambda k: k.__name__)
    )
    raise ValueError(f"{raw!r} is not {wanted}")


def _suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=3, cutoff=0.6)
    return f" Did you mean: {', '.join(close)}?" if close else ""


def _find_section(profile: Profile, name: str) -> str:
    """Map ``04``, ``judge_sweeps`` or ``04_judge_sweeps`` to a section stem."""
    stems = list(profile.notebooks)
    hits = [s for s in stems if name in (s, s.split("_", 1)[0], s.split("_", 1)[-1])]
    if len(hits) == 1:
        return hits[0]
    raise ProfileError(
        f"--set: unknown notebook section {name!r}; profile {profile.name!r} has "
        f"{', '.join(stems)}.{_suggest(name, stems)}"
    )


def apply_overrides(profile: Profile, overrides: Iterable[str]) -> Profile:
    """Apply ``--set key=value`` overrides; values are parsed by the parameter's type.

    ``key`` is a shared key (``seed=7``), ``SECTION.key`` (``judge_sweeps.n_boot=2``,
    ``04.n_boot=2``, ``04_judge_sweeps.n_boot=2``), or a nested key, with more
    dots, inside either (``models.smollm2.batch_size=4``,
    ``judge_sweeps.judges.0.scales=[3,5]``: a number indexes a list).
    Only keys the profile already holds can be overridden.

    The value is read by the type of the parameter in the schema
    (:func:`parse_override`):
    ``cache_mode=off`` is the string ``"off"``, ``n_boot=abc`` is an error. A
    nested key is read like its current value (text stays text, else YAML).
    The result is fully validated by :func:`radjudge.pipeline.check_profile`.

    Raises
    ------
    ProfileError
        Malformed override, a key the profile does not know, or a value its
        type cannot hold, naming the key and what it accepts.
    """
    shared = copy.deepcopy(profile.shared)
    notebooks = copy.deepcopy(profile.notebooks)
    for item in overrides:
        if "=" not in item:
            raise ProfileError(f"--set {item!r}: expected key=value, e.g. --set seed=7")
        key, raw = item.split("=", 1)
        key = key.strip()
        parts = key.split(".")
        if parts[0] in shared:
            if len(parts) > 1 and _matches_section(profile, parts[0]):
                raise ProfileError(
                    f"--set {key}: {parts[0]!r} is both a shared key and a notebook section; "
                    "write the section's full name"
                )
            target: Any = shared
            stem, where = None, "shared"
        elif len(parts) == 1:
            every = [*shared, *(f"{s}.{k}" for s, sec in notebooks.items() for k in sec)]
            raise ProfileError(
                f"--set {key}: unknown parameter {key!r}; profile {profile.name!r} "
                f"does not define it (shared keys: {', '.join(shared) or 'none'}; "
                f"notebook keys are written SECTION.key).{_suggest(key, every)}"
            )
        else:
            stem = _find_section(profile, parts[0])
            target, where = notebooks[stem], stem
            parts = parts[1:]
        i = 0
        while i < len(parts):
            if isinstance(target, dict):
                # the longest run of parts that names a key: model names hold dots (qwen2.5-72b)
                stop = next(
                    (j for j in range(len(parts), i, -1) if ".".join(parts[i:j]) in target), None
                )
                index: Any = ".".join(parts[i:stop]) if stop else None
            elif isinstance(target, list) and parts[i].isdigit() and int(parts[i]) < len(target):
                stop, index = i + 1, int(parts[i])
            else:
                stop = index = None
            if stop is None:
                label = ".".join(parts[: i + 1])
                options = list(target) if isinstance(target, dict) else []
                extra = f" (a list of {len(target)})" if isinstance(target, list) else ""
                raise ProfileError(
                    f"--set {key}: unknown parameter {label!r}{extra} in {where} of profile "
                    f"{profile.name!r}.{_suggest(parts[i], options)}"
                )
            if stop < len(parts):
                target, i = target[index], stop
                continue
            if i == 0:
                param = parameter(stem, index, target[index])
                annotation = param.annotation
            else:  # nested: read like the current value
                param, annotation = None, Any
            try:
                target[index] = parse_override(raw, annotation, current=target[index])
            except ValueError as exc:
                wanted = f"; expected {describe(annotation)}" if param else ""
                doc = f" ({param.doc})" if param else ""
                raise ProfileError(f"--set {key}: {exc}{wanted}{doc}") from None
            break
    return Profile(
        name=profile.name,
        source=profile.source,
        description=profile.description,
        shared=shared,
        notebooks=notebooks,
        chain=profile.chain,
    )


def _matches_section(profile: Profile, name: str) -> bool:
    return any(name in (s, s.split("_", 1)[0], s.split("_", 1)[-1]) for s in profile.notebooks)


# ------------------------------------------------------------------------ validation


def _value_problem(where: str, param: Parameter, value: Any) -> str | None:
    try:
        param.adapter.validate_python(value, strict=True)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"])
        loc = re.sub(r"\.(function-after|tagged-union|union)\[[^]]*\]", "", loc)
        return (
            f"{where}{loc if loc.startswith('[') else ''}: must be {describe(param.annotation)}, "
            f"got {value!r:.80} ({err['msg'].lower()}) - {param.doc}"
        )
    return None


def check_values(
    params: Mapping[str, Mapping[str, Any]],
    declared: Mapping[str, Mapping[str, Any]],
    *,
    in_section: Mapping[str, set[str]] | None = None,
) -> list[str]:
    """Validate the parameters each notebook receives; one message per bad parameter.

    Parameters
    ----------
    params : mapping
        Notebook stem -> parameter name -> value (section and shared keys merged,
        as :func:`radjudge.pipeline.check_profile` builds them).
    declared : mapping
        Notebook stem -> parameter name -> default declared by the notebook.
    in_section : mapping, optional
        Notebook stem -> names set in the notebook's own section (the others
        come from ``shared``); only used to name where a value comes from.

    Returns
    -------
    list of str
        ``notebooks.<stem>.<name>`` (or ``shared.<name>``) and what is wrong;
        empty when every value is valid.
    """
    problems: list[str] = []
    reported: set[str] = set()
    for stem, values in params.items():
        own = (in_section or {}).get(stem, set(values) - set(SHARED))
        for name, value in values.items():
            where = f"notebooks.{stem}.{name}" if name in own else f"shared.{name}"
            param = parameter(stem, name, declared.get(stem, {}).get(name))
            problem = _value_problem(where, param, value)
            if problem is None and param.check is not None:
                try:
                    param.check(value, values)
                except (ValueError, TypeError, KeyError) as exc:
                    problem = f"{where}: {exc}"
            if problem and problem not in reported:  # a shared key: once, not per notebook
                problems.append(problem)
                reported.add(problem)
    return problems


def models_used(params: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The model specs the selected notebooks call: summarizers, judges, SummEval judges."""
    used: dict[str, dict[str, Any]] = {}
    for values in params.values():
        models = values.get("models") or {}
        names = [s.get("model") for s in values.get("summarizers") or [] if isinstance(s, Mapping)]
        names += [j.get("model") for j in values.get("judges") or [] if isinstance(j, Mapping)]
        names += [j for j in values.get("judges") or [] if isinstance(j, str)]
        for name in names:
            if isinstance(name, str) and name in models and isinstance(models[name], Mapping):
                used[name] = dict(models[name])
    return used


def check_inputs(params: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The input files and folders the selected notebooks need that do not exist.

    Inputs are the schema's ``input`` parameters (records, roster) and the local
    ``source`` (weights or chat template) of every model the notebooks call.
    """
    problems: list[str] = []
    for stem, values in params.items():
        for name, value in values.items():
            param = sections().get(stem, {}).get(name)
            if param is None or param.input is None or not isinstance(value, str):
                continue
            path = paths.resolve(value)
            where = f"notebooks.{stem}.{name}"
            if param.input == "file" and not path.is_file():
                problems.append(f"{where}: input file {value} does not exist ({path}): {param.doc}")
            elif param.input == "folder" and not path.is_dir():
                problems.append(f"{where}: input folder {value} does not exist ({path})")
            elif param.suffixes and path.suffix.lower() not in param.suffixes:
                problems.append(
                    f"{where}: {value} must be a {' / '.join(param.suffixes)} file, got "
                    f"{path.suffix or 'no suffix'!r}"
                )
    for name, spec in models_used(params).items():
        source = spec.get("source")
        if isinstance(source, Mapping) and isinstance(source.get("path"), str):
            path = paths.resolve(source["path"])
            if not path.exists():
                problems.append(
                    f"shared.models.{name}.source.path: {source['path']} does not exist (the "
                    "model's local files: GGUF, or a Hugging Face folder for its chat template)"
                )
    return problems


def check_endpoints(
    params: Mapping[str, Mapping[str, Any]], *, timeout_s: float = 5.0
) -> list[str]:
    """The OpenAI-compatible servers of the called models that do not serve them.

    For every ``backend: openai`` model the notebooks call: its API-key
    variable is set (when named), ``GET {base_url}/models`` answers, and the
    model id is listed. The key's value is never shown.
    """
    import httpx

    problems: list[str] = []
    listed: dict[str, set[str] | str] = {}
    for name, spec in models_used(params).items():
        if spec.get("backend") != "openai":
            continue
        where = f"shared.models.{name}"
        env = spec.get("api_key_env")
        headers = {}
        if env:
            if not os.environ.get(env):
                problems.append(f"{where}.api_key_env: environment variable {env} is not set")
                continue
            headers["Authorization"] = f"Bearer {os.environ[env]}"
        url = str(spec.get("base_url", "")).rstrip("/")
        if url not in listed:
            try:
                r = httpx.get(f"{url}/models", headers=headers, timeout=timeout_s)
                r.raise_for_status()
                listed[url] = {str(m.get("id")) for m in r.json().get("data", [])}
            except (httpx.HTTPError, ValueError, AttributeError) as exc:
                listed[url] = f"{type(exc).__name__}: {str(exc)[:120]}"
        served = listed[url]
        if isinstance(served, str):
            problems.append(
                f"{where}.base_url: the server {url} does not answer GET /models ({served}); "
                "start it, or fix base_url"
            )
        elif served and spec.get("model") not in served:
            problems.append(
                f"{where}.model: {spec.get('model')!r} is not served by {url} (it serves "
                f"{', '.join(sorted(served))})"
            )
    return problems
