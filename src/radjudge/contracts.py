"""The data contracts between the stages: vocabulary, tables, stage inputs/outputs, stats.json.

:mod:`radjudge.paths` says *where* every artifact lives; this module says
*what* it holds, once, for producers and consumers alike:

* the **study vocabulary** - criterion ids, prompt granularities (in display
  order), judge statuses, modes and kinds, the validity gate's reasons and
  thresholds, the factors, summary flags, expert categories, SummEval
  criteria, languages - as ``Literal`` types with their tuples;
* the **tables** that cross a notebook boundary (:data:`TABLES`): every
  column, in the order the producer writes it, with its dtype;
  :func:`read_table` and :func:`write_table` check them and name the file
  and the missing or unexpected column in the error;
* each **stage's inputs and outputs** (:data:`STAGES`), from which
  :func:`radjudge.manifest.record_stage` derives the run manifest's lists;
* the **stats.json schema** (:data:`STATS_SCHEMA`): every key notebook 05
  writes, as a pattern with the type of its value; :func:`check_stats`
  validates a stats mapping against it.

A new column is added here and nowhere else: the producer writes it (its
frame must then hold it, :func:`write_table` says so), the consumers read it.

Examples
--------
>>> JUDGE_RATINGS.names()[:5]
('judge', 'judge_kind', 'criterion', 'scale', 'granularity')
>>> GRID.names()[:7]
('judge', 'criterion', 'scale', 'granularity', 'judge_kind', 'w', 'spearman')
>>> JUDGE_AGREEMENT.names(("judge", "criterion", "prompt"))[:3]
('criterion', 'prompt', 'w')
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, get_args

import pandas as pd

from radjudge import paths
from radjudge.checks import check_choice

__all__ = [
    "CRITERIA",
    "CONFIG_COLUMNS",
    "FACTORS",
    "FLAG_REASONS",
    "ITEM_COLUMNS",
    "EXPERT_CATEGORIES",
    "GRANULARITIES",
    "JUDGE_KINDS",
    "JUDGE_MODES",
    "JUDGE_STATUSES",
    "LANGUAGES",
    "SUMMARY_FLAGS",
    "SUMMEVAL_CRITERIA",
    "VALIDITY_REASONS",
    "VALIDITY_THRESHOLDS",
    "FlagReason",
    "Granularity",
    "JudgeKind",
    "JudgeMode",
    "JudgeStatus",
    "Language",
    "ParseStatus",
    "SummaryFlag",
    "SummEvalCriterion",
    "ValidityReason",
    "Column",
    "ConfigSlot",
    "ContractError",
    "Table",
    "TABLES",
    "SUMMARIES",
    "EXPERT_RATINGS",
    "JUDGE_RATINGS",
    "JUDGE_VALIDITY",
    "GRID",
    "FACTOR_EFFECTS",
    "PANEL_FIT",
    "JUDGE_AGREEMENT",
    "CATEGORIES",
    "LEAVE_ONE_EXPERT_OUT",
    "ALT_TEST",
    "ALT_TEST_ANNOTATORS",
    "SELECTION",
    "SELECTION_FOLDS",
    "SENSITIVITY",
    "CONCORDANCE_TABLES",
    "SCORE_USE",
    "LENGTH_SCORES",
    "SELF_PREFERENCE",
    "RATING_SUMMARY_TABLES",
    "FIGURE_INDEX",
    "SUMMEVAL_JUDGE_RATINGS",
    "SUMMEVAL_BASELINES",
    "SUMMEVAL_JUDGES",
    "read_table",
    "write_table",
    "StageIO",
    "STAGES",
    "stage_files",
    "StatsKey",
    "STATS_SCHEMA",
    "STATS_PREFIXES",
    "check_stats",
]

# --------------------------------------------------------------------------- vocabulary

Language = Literal["ru", "en"]
#: Languages of prompts, rubrics, labels and the manuscript.
LANGUAGES: tuple[str, ...] = get_args(Language)

#: Criterion ids shared by experts, judges and rubrics (the study's six), in form and
#: display order. A rubric may define others; displays put unknown ones last, sorted.
CRITERIA: tuple[str, ...] = (
    "completeness",
    "correctness",
    "relevance",
    "conciseness",
    "structure",
    "unsupported",
)

Granularity = Literal["full", "extremes", "none"]
#: Prompt granularities, most to least descriptive (also their display order).
GRANULARITIES: tuple[str, ...] = get_args(Granularity)

ParseStatus = Literal["ok", "unparseable", "out_of_range", "refused"]
#: What reading one answer can give; ``failed`` (the call failed) completes :data:`JudgeStatus`.
JudgeStatus = Literal[ParseStatus, "failed"]
#: Status of a judge rating; only ``ok`` rows carry a score.
JUDGE_STATUSES: tuple[str, ...] = get_args(JudgeStatus)

JudgeMode = Literal["logprobs", "generate", "sample", "metric"]
#: How a judge answers (see :mod:`radjudge.judge.sweep`).
JUDGE_MODES: tuple[str, ...] = get_args(JudgeMode)

JudgeKind = Literal["llm", "metric"]
#: What a judge is: an LLM (a study arm, with a scale and a granularity) or a
#: reference-based metric (a reference line: no scale, no granularity, never in a
#: factor analysis, a best-configuration choice, the alt-test ranking or a headline).
JUDGE_KINDS: tuple[str, ...] = get_args(JudgeKind)

ValidityReason = Literal[
    "few_valid_answers",
    "low_valid_mass",
    "constant",
    "no_spread",
    "no_discrimination",
    "low_spearman",
]
#: Why a judge configuration fails the validity gate (:mod:`radjudge.judge.validity`), in
#: the order the gate checks them; ``validity_reason`` joins the failed ones with ``;``.
VALIDITY_REASONS: tuple[str, ...] = get_args(ValidityReason)
#: The gate's thresholds, one per reason but ``constant`` (which needs none), as the
#: profile names them (``shared.validity_gate``, read by notebooks 04 and 05;
#: ``min_spearman`` is applied in 05 and off by default: gating on agreement with the
#: experts selects on the outcome).
VALIDITY_THRESHOLDS: dict[str, str] = {
    "few_valid_answers": "min_share_ok",
    "low_valid_mass": "min_valid_mass",
    "no_spread": "min_spread",
    "no_discrimination": "min_auc",
    "low_spearman": "min_spearman",
}

#: The factors whose effects notebook 05 estimates within judges (paired contrasts),
#: in display order; each level is compared with a reference level.
FACTORS: tuple[str, ...] = ("scale", "granularity", "criterion")

SummaryFlag = Literal["ok", "empty", "degenerate", "failed"]
#: Quality flag of a summary (:mod:`radjudge.summarize.postprocess`); flagged rows are kept.
SUMMARY_FLAGS: tuple[str, ...] = get_args(SummaryFlag)
FlagReason = Literal["no_text", "too_short", "prompt_echo", "loop", "call_failed"]
#: Why a summary is not ``ok`` (``flag_reason`` joins several with ``;``).
FLAG_REASONS: tuple[str, ...] = get_args(FlagReason)

#: Expert categories the forms suggest, in display order (a study may add others).
EXPERT_CATEGORIES: tuple[str, ...] = ("radiologist", "clinician", "resident", "other")

SummEvalCriterion = Literal["coherence", "consistency", "fluency", "relevance"]
#: The four SummEval criteria (Fabbri et al. 2021), in the published tables' order.
SUMMEVAL_CRITERIA: tuple[str, ...] = get_args(SummEvalCriterion)

#: An item: one summary of one patient.
ITEM_COLUMNS: tuple[str, ...] = ("patient_id", "summarizer")
#: Default judge-configuration columns of the concordance analysis (notebook 05 may add some).
CONFIG_COLUMNS: tuple[str, ...] = ("judge", "criterion", "scale", "granularity")

# --------------------------------------------------------------------------- tables

Kind = Literal["str", "int", "float", "number", "bool", "any"]


class ContractError(ValueError):
    """A table breaks its contract; the message names the file, the column and the fix."""


@dataclass(frozen=True)
class Column:
    """One column of a table.

    Attributes
    ----------
    name : str
    kind : {"str", "int", "float", "number", "bool", "any"}
        ``str``: text (NA allowed); ``int``: an integer dtype (nullable ``Int64``
        allowed); ``float``/``number``: any non-boolean numeric dtype; ``bool``;
        ``any``: not checked. A column that is entirely NA passes any kind.
    core : bool, default False
        An analysis relies on it: a frame handed to an analysis function needs
        only the core columns (:meth:`Table.check` with ``core_only=True``).
    doc : str
    """

    name: str
    kind: Kind = "any"
    core: bool = False
    doc: str = ""

    def __post_init__(self) -> None:
        check_choice(f"column {self.name!r}: kind", self.kind, Kind)


#: Kinds of the default configuration columns (others are not checked). ``scale``
#: is a number: tables that mix expert-only rows leave it NA, so it may be float.
_CONFIG_KINDS: dict[str, Kind] = {
    "judge": "str",
    "criterion": "str",
    "scale": "number",
    "granularity": "str",
}


@dataclass(frozen=True)
class ConfigSlot:
    """The place of the judge-configuration columns in a table of notebook 05.

    The columns are the run's ``config_columns`` (default :data:`CONFIG_COLUMNS`),
    minus ``without``; with ``only`` they are restricted to those names.
    """

    without: tuple[str, ...] = ()
    only: tuple[str, ...] | None = None

    def expand(self, config_columns: Sequence[str]) -> tuple[Column, ...]:
        names = [c for c in config_columns if c not in self.without]
        if self.only is not None:
            names = [c for c in names if c in self.only]
        return tuple(Column(c, _CONFIG_KINDS.get(c, "any"), core=True) for c in names)


def _is_kind(series: pd.Series, kind: str) -> bool:
    if kind == "any" or bool(series.isna().all()):
        return True
    dtype = series.dtype
    if kind == "str":
        return pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype)
    if kind == "bool":
        return pd.api.types.is_bool_dtype(dtype)
    if pd.api.types.is_bool_dtype(dtype):
        return False
    if kind == "int":
        return pd.api.types.is_integer_dtype(dtype)
    return pd.api.types.is_numeric_dtype(dtype)


@dataclass(frozen=True)
class Table:
    """The contract of one table.

    Attributes
    ----------
    name : str
        Short name (also the file stem of multi-format tables).
    producer : str
        The notebook that writes it (``"05_concordance"``).
    layout : tuple of Column or ConfigSlot
        The columns in the order the producer writes them; a :class:`ConfigSlot`
        stands for the judge-configuration columns of the run.
    where : str
        The :mod:`radjudge.paths` constant naming the file, or the folder of a
        multi-format table (read at call time, so a test may point it elsewhere).
    formats : tuple of str
        ``()``: ``where`` is the file; else the table is written as
        ``<where>/<name>.<format>`` for each format.
    key : tuple of str
        Columns that identify a row.
    doc : str
    """

    name: str
    producer: str
    layout: tuple[Column | ConfigSlot, ...]
    where: str
    formats: tuple[str, ...] = ()
    key: tuple[str, ...] = ()
    doc: str = ""

    def columns(self, config_columns: Sequence[str] = CONFIG_COLUMNS) -> tuple[Column, ...]:
        """The columns, with the configuration slot expanded for ``config_columns``."""
        out: list[Column] = []
        for part in self.layout:
            out.extend(part.expand(config_columns) if isinstance(part, ConfigSlot) else [part])
        return tuple(out)

    def names(self, config_columns: Sequence[str] = CONFIG_COLUMNS) -> tuple[str, ...]:
        """Column names in the producer's order."""
        return tuple(c.name for c in self.columns(config_columns))

    @property
    def core(self) -> tuple[str, ...]:
        """Names of the core columns (default configuration), in order."""
        return tuple(c.name for c in self.columns() if c.core)

    def paths(self) -> tuple[Path, ...]:
        """The file(s) the producer writes."""
        base = Path(getattr(paths, self.where))
        if not self.formats:
            return (base,)
        return tuple(base / f"{self.name}.{fmt}" for fmt in self.formats)

    def check(
        self,
        df: pd.DataFrame,
        *,
        source: str | os.PathLike[str] | None = None,
        config_columns: Sequence[str] = CONFIG_COLUMNS,
        core_only: bool = False,
    ) -> None:
        """Raise :class:`ContractError` unless ``df`` has this table's columns and dtypes.

        Parameters
        ----------
        df : DataFrame
        source : path-like or str, optional
            The file (or a name) quoted in the error.
        config_columns : sequence of str, default CONFIG_COLUMNS
            The run's configuration columns (tables of notebook 05).
        core_only : bool, default False
            Require only the core columns and allow others, without checking
            dtypes (frames handed to an analysis function, which checks their
            values row by row); by default the columns must be exactly the
            contract's, with their dtypes.
        """
        where = f"{source}" if source is not None else f"table {self.name!r}"
        if not isinstance(df, pd.DataFrame):
            raise ContractError(f"{where}: expected a pandas DataFrame, got {type(df).__name__}")
        cols = [c for c in self.columns(config_columns) if c.core or not core_only]
        names = [c.name for c in cols]
        missing = [c for c in names if c not in df.columns]
        extra = [] if core_only else [c for c in df.columns if c not in names]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"lacks column(s) {missing}")
            if extra:
                parts.append(f"has unexpected column(s) {extra}")
            raise ContractError(
                f"{where}: {' and '.join(parts)}; the {self.name} contract "
                f"(radjudge.contracts) lists {names}. Re-run notebook {self.producer} "
                "with this version of radjudge, or add the column to the contract."
            )
        for col in [] if core_only else cols:
            if not _is_kind(df[col.name], col.kind):
                raise ContractError(
                    f"{where}: column {col.name!r} has dtype {df[col.name].dtype}, the "
                    f"{self.name} contract wants {col.kind}; fix the producer "
                    f"(notebook {self.producer})."
                )


def _file_for(table: Table, path: str | os.PathLike[str] | None) -> Path:
    if path is not None:
        return Path(path)
    files = table.paths()
    for p in files:
        if p.is_file():
            return p
    return files[0]


def read_table(
    table: Table,
    path: str | os.PathLike[str] | None = None,
    *,
    config_columns: Sequence[str] = CONFIG_COLUMNS,
) -> pd.DataFrame:
    """Read a table and check it against its contract.

    Parameters
    ----------
    table : Table
    path : path-like, optional
        The file (``.parquet`` or ``.csv``); by default where the producer writes
        it (the first existing format).
    config_columns : sequence of str, default CONFIG_COLUMNS

    Raises
    ------
    FileNotFoundError
        Naming the file and the notebook that writes it.
    ContractError
        A missing or unexpected column, or a column of the wrong dtype.
    """
    p = _file_for(table, path)
    if not p.is_file():
        raise FileNotFoundError(
            f"{p} does not exist: notebook {table.producer} writes the {table.name} table "
            f"(radjudge run --only {table.producer[:2]})."
        )
    df = pd.read_csv(p) if p.suffix == ".csv" else pd.read_parquet(p)
    table.check(df, source=p, config_columns=config_columns)
    return df


def write_table(
    df: pd.DataFrame,
    table: Table,
    path: str | os.PathLike[str] | None = None,
    *,
    config_columns: Sequence[str] = CONFIG_COLUMNS,
) -> list[Path]:
    """Check ``df`` against the contract, then write it (without the index).

    Parameters
    ----------
    df : DataFrame
    table : Table
    path : path-like, optional
        One ``.csv`` or ``.parquet`` file, or the folder of a multi-format table;
        by default where the producer writes it (every format).
    config_columns : sequence of str, default CONFIG_COLUMNS

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    if path is None:
        files = list(table.paths())
    elif table.formats and Path(path).suffix not in (".csv", ".parquet"):
        files = [Path(path) / f"{table.name}.{fmt}" for fmt in table.formats]
    else:
        files = [Path(path)]
    table.check(df, source=files[0], config_columns=config_columns)
    for f in files:
        f.parent.mkdir(parents=True, exist_ok=True)
        if f.suffix == ".csv":
            df.to_csv(f, index=False)
        elif f.suffix == ".parquet":
            df.to_parquet(f, index=False)
        else:
            raise ContractError(f"{f}: tables are written as .csv or .parquet")
    return files


def _cols(spec: str, kind: Kind, *, core: bool = False) -> tuple[Column, ...]:
    return tuple(Column(n, kind, core=core) for n in spec.split())


SUMMARIES = Table(
    "summaries",
    "02_summarization",
    (
        *_cols("patient_id summarizer summarizer_kind model text", "str", core=True),
        Column("prompt_hash", "str"),
        *_cols("prompt_tokens completion_tokens", "int"),
        Column("latency_s", "float"),
        Column("cache_hit", "bool"),
        *_cols("raw_text finish_reason flag flag_reason error", "str"),
        Column("phi_masked", "bool"),
    ),
    "SUMMARIES",
    key=ITEM_COLUMNS,
    doc="One row per (patient, summarizer); bad outputs are flagged, never dropped.",
)
EXPERT_RATINGS = Table(
    "expert_ratings",
    "03_expert_ratings",
    (
        *_cols("expert_id expert_category patient_id summarizer criterion", "str", core=True),
        Column("scale_max", "int", core=True),
        Column("score", "number", core=True, doc="1..scale_max (Int64; Float64 for panel means)"),
        Column("n_raters_averaged", "int"),
        Column("source_file", "str"),
    ),
    "EXPERT_RATINGS",
    key=("expert_id", *ITEM_COLUMNS, "criterion"),
    doc="One row per (expert, item, criterion). The core columns are also the long-CSV format.",
)
JUDGE_RATINGS = Table(
    "judge_ratings",
    "04_judge_sweeps",
    (
        *_cols("judge judge_kind criterion", "str", core=True),
        Column("scale", "int", core=True, doc="NA for a metric judge (Int64)"),
        Column("granularity", "str", core=True, doc="NA for a metric judge"),
        Column("repeat", "int", core=True),
        *_cols("patient_id summarizer", "str", core=True),
        Column("score", "int", core=True, doc="NA unless status is ok; NA for a metric"),
        Column("expected_score", "float", core=True),
        Column("distribution", "str"),
        Column("status", "str", core=True, doc="one of JUDGE_STATUSES"),
        *_cols("raw prompt_hash", "str"),
        *_cols("prompt_tokens completion_tokens", "int"),
        Column("latency_s", "float"),
        *_cols("mode model language", "str"),
        *_cols("valid_mass entropy", "float"),
        *_cols("n_samples n_valid", "int"),
        Column("cached", "bool"),
    ),
    "JUDGE_RATINGS",
    key=(*CONFIG_COLUMNS, "repeat", *ITEM_COLUMNS),
    doc="One row per judge x criterion x scale x granularity x repeat x summary.",
)
JUDGE_VALIDITY = Table(
    "judge_validity",
    "04_judge_sweeps",
    (
        *_cols("judge judge_kind mode model criterion", "str", core=True),
        Column("scale", "number", core=True, doc="NA for a metric (a CSV reads it as float)"),
        Column("granularity", "str", core=True),
        Column("n", "int"),
        *(Column(f"share_{s}", "float") for s in JUDGE_STATUSES),
        Column("n_samples", "int"),
        *_cols("share_valid_samples mean_valid_mass", "float"),
        Column("n_distinct", "int", doc="distinct judge values among the ok rows"),
        Column("spread", "float", doc="SD of the judge values / (scale - 1)"),
        *_cols("n_reference n_degenerate", "int"),
        Column("auc_reference", "float", doc="P(reference-quality > degenerate); NA if none"),
        Column("valid", "bool", core=True),
        Column("validity_reason", "str", core=True, doc="failed VALIDITY_REASONS, ';'-joined"),
        Column("prompt_tokens", "int"),
        Column("mean_prompt_tokens", "float"),
        Column("completion_tokens", "int"),
        *_cols("latency_s share_cached", "float"),
    ),
    "JUDGE_VALIDITY",
    key=CONFIG_COLUMNS,
    doc="Per judge configuration: the share of each status, valid mass, cost, the validity gate.",
)

_CONFIG = ConfigSlot()
_05 = "05_concordance"
_CI = _cols("ci_low ci_high", "float")

GRID = Table(
    "grid",
    _05,
    (
        _CONFIG,
        Column("judge_kind", "str", core=True, doc="llm | metric (a reference line)"),
        Column("w", "float"),
        Column("spearman", "float", doc="judge vs consensus; W = (1 + rho) / 2 without ties"),
        *_CI,
        *_cols("se chi2", "float"),
        Column("df", "int"),
        *_cols("pvalue p_adj", "float"),
        *_cols("n_items n_missing n_failed_rows n_rows n_patients", "int"),
        Column("significant", "bool"),
        Column("valid", "bool", core=True, doc="passed the judge validity gate"),
        Column("validity_reason", "str", doc="failed VALIDITY_REASONS, ';'-joined; NA if valid"),
    ),
    "CONCORDANCE",
    ("csv", "parquet"),
    doc="W of each judge configuration vs the expert consensus (metrics: reference lines).",
)
FACTOR_EFFECTS = Table(
    "factor_effects",
    _05,
    (
        *_cols("factor level reference", "str"),
        Column("n_pairs", "int"),
        *_cols("delta_w ci_low ci_high p_adj", "float"),
        Column("judge", "str", doc="NA = pooled over the LLM judges"),
        Column("n_judges", "int"),
        *_cols("w_level w_reference p", "float"),
    ),
    "CONCORDANCE",
    ("csv", "parquet"),
    key=("factor", "level", "judge"),
    doc=(
        "Paired within-judge contrasts: mean over (judge, other factors) pairs of valid LLM "
        "configurations of W(level) - W(reference), patient-cluster bootstrap CI, p adjusted "
        "within the factor; w_level/w_reference = mean W of the paired configurations."
    ),
)
PANEL_FIT = Table(
    "panel_fit",
    _05,
    (
        _CONFIG,
        *_cols("w_experts w_with_judge delta_w", "float"),
        *_CI,
        Column("p_not_positive", "float"),
        *_cols("n_experts n_items", "int"),
    ),
    "CONCORDANCE",
    ("csv", "parquet"),
    doc="Delta W = W(experts + judge) - W(experts), paired bootstrap interval.",
)
JUDGE_AGREEMENT = Table(
    "judge_agreement",
    _05,
    (ConfigSlot(without=("judge",)), Column("w", "float"), *_CI, *_cols("n_judges n_items", "int")),
    "CONCORDANCE",
    ("csv", "parquet"),
    doc="W among the judges for each setting of the other configuration columns.",
)
CATEGORIES = Table(
    "categories",
    _05,
    (
        *_cols("design criterion category", "str"),
        ConfigSlot(without=("criterion",)),
        Column("w", "float"),
        Column("spearman", "float", doc="two-rater designs only (W = (1 + rho) / 2); else NA"),
        *_CI,
        *_cols("n_raters n_items", "int"),
    ),
    "CONCORDANCE",
    ("csv", "parquet"),
    doc="W within and across expert categories and of each configuration vs each category.",
)
LEAVE_ONE_EXPERT_OUT = Table(
    "leave_one_expert_out",
    _05,
    (
        *_cols("design criterion expert_id expert_category", "str"),
        ConfigSlot(without=("criterion",)),
        *_cols("w_full w_without change", "float"),
    ),
    "CONCORDANCE",
    ("csv", "parquet"),
    doc="W with each expert left out.",
)
ALT_TEST = Table(
    "alt_test",
    _05,
    (
        _CONFIG,
        *_cols("winning_rate advantage_probability", "float"),
        Column("passed", "bool"),
        *_cols("n_annotators n_tested n_items", "int"),
    ),
    "CONCORDANCE",
    ("csv", "parquet"),
    doc="Alternative Annotator Test per configuration.",
)
ALT_TEST_ANNOTATORS = Table(
    "alt_test_annotators",
    _05,
    (
        _CONFIG,
        Column("annotator", "str"),
        Column("n_items", "int"),
        Column("tested", "bool"),
        *_cols(
            "advantage_probability human_advantage_probability mean_difference pvalue "
            "pvalue_adjusted",
            "float",
        ),
        Column("won", "bool"),
    ),
    "CONCORDANCE",
    ("csv", "parquet"),
    doc="Alt-test per configuration and left-out annotator.",
)
SELECTION = Table(
    "selection",
    _05,
    (
        _CONFIG,
        Column("selected", "str"),
        Column("n_candidates", "int"),
        *_cols("in_sample_w held_out_w held_out_sd optimism stability", "float"),
        Column("modal_choice", "str"),
        Column("n_folds_used", "int"),
    ),
    "CONCORDANCE",
    ("csv", "parquet"),
    doc="Cross-validated configuration choice per group (judge, criterion).",
)
SELECTION_FOLDS = Table(
    "selection_folds",
    _05,
    (
        ConfigSlot(only=("judge", "criterion")),
        *_cols("repeat fold n_test_patients", "int"),
        Column("selected", "str"),
        *_cols("train_w test_w", "float"),
    ),
    "CONCORDANCE",
    ("csv", "parquet"),
    doc="Every fold of the configuration selection.",
)
SENSITIVITY = Table(
    "sensitivity",
    _05,
    (
        _CONFIG,
        *_cols("spearman kendall_tau_b spearman_per_patient kendall_per_patient", "float"),
        Column("n_patients_skipped", "int"),
        *_cols(
            "icc_a1 icc_c1 alpha_interval kappa_linear kappa_quadratic ac1 ac2_quadratic",
            "float",
        ),
        Column("n_items", "int"),
    ),
    "CONCORDANCE",
    ("csv", "parquet"),
    doc="Other agreement statistics per configuration.",
)
#: The tables notebook 05 writes, in the order it writes them.
CONCORDANCE_TABLES: tuple[Table, ...] = (
    GRID,
    FACTOR_EFFECTS,
    PANEL_FIT,
    JUDGE_AGREEMENT,
    CATEGORIES,
    LEAVE_ONE_EXPERT_OUT,
    ALT_TEST,
    ALT_TEST_ANNOTATORS,
    SELECTION,
    SELECTION_FOLDS,
    SENSITIVITY,
)

_06 = "06_figures"
SCORE_USE = Table(
    "score_use",
    _06,
    (*_cols("rater_kind rater", "str"), *_cols("scale score n", "int")),
    "RATING_SUMMARIES",
    ("csv", "parquet"),
    doc="How often each rater uses each point of each scale.",
)
LENGTH_SCORES = Table(
    "length_scores",
    _06,
    (
        *_cols("rater patient_id summarizer", "str"),
        Column("summary_length", "int"),
        Column("score_norm", "float"),
    ),
    "RATING_SUMMARIES",
    ("csv", "parquet"),
    doc="Normalised score vs summary length.",
)
SELF_PREFERENCE = Table(
    "self_preference",
    _06,
    (
        *_cols("judge summarizer", "str"),
        *_cols("judge_score_norm expert_score_norm", "float"),
        Column("is_self", "bool"),
    ),
    "RATING_SUMMARIES",
    ("csv", "parquet"),
    doc="Judge x summarizer matrix of normalised scores.",
)
#: The rating summaries notebook 06 writes for its figures.
RATING_SUMMARY_TABLES: tuple[Table, ...] = (SCORE_USE, LENGTH_SCORES, SELF_PREFERENCE)

FIGURE_INDEX = Table(
    "figure_index",
    _06,
    (
        *_cols("file figure format function notebook language caption", "str"),
        Column("bytes", "int"),
        Column("sha256", "str"),
    ),
    "FIGURE_INDEX",
    key=("file",),
    doc="Every figure file with its drawing function, notebook, language and hash.",
)

_07 = "07_external_validation"
SUMMEVAL_JUDGE_RATINGS = replace(
    JUDGE_RATINGS, name="summeval_judge_ratings", producer=_07, where="SUMMEVAL_JUDGE_RATINGS"
)
SUMMEVAL_BASELINES = Table(
    "summeval_baselines",
    _07,
    (
        *_cols("metric criterion", "str"),
        *_cols("spearman kendall", "float"),
        Column("n_docs", "int"),
    ),
    "SUMMEVAL_BASELINES",
    doc="ROUGE vs the SummEval expert means (summary level).",
)
SUMMEVAL_JUDGES = Table(
    "summeval_judges",
    _07,
    (
        *_cols("kind method", "str"),
        Column("scale", "number"),
        *_cols("granularity criterion", "str"),
        *_cols("spearman kendall", "float"),
        Column("n_docs", "int"),
        *_cols(
            "spearman_se kendall_se kendall_w w_pvalue n_items n_missing n_skipped_human "
            "n_skipped_metric",
            "number",
        ),
        Column("judge_score", "str"),
    ),
    "SUMMEVAL_JUDGES",
    doc="Local judges, ROUGE and published methods vs the SummEval expert means.",
)

#: Every table that crosses a notebook boundary, by name.
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        SUMMARIES,
        EXPERT_RATINGS,
        JUDGE_RATINGS,
        JUDGE_VALIDITY,
        *CONCORDANCE_TABLES,
        *RATING_SUMMARY_TABLES,
        FIGURE_INDEX,
        SUMMEVAL_JUDGE_RATINGS,
        SUMMEVAL_BASELINES,
        SUMMEVAL_JUDGES,
    )
}

# --------------------------------------------------------------------------- stages


@dataclass(frozen=True)
class StageIO:
    """What a pipeline notebook always reads and writes.

    Entries are :mod:`radjudge.paths` constant names or tables (all their files).
    Files that depend on the run (a user's records, the figures drawn) are
    added by the notebook when it records the stage. ``optional_outputs`` are
    written only when the profile asks for them (SummEval judge tables when
    ``judges: []``); they are listed when they exist.
    """

    inputs: tuple[str | Table, ...]
    outputs: tuple[str | Table, ...]
    optional_outputs: tuple[str | Table, ...] = ()

    @staticmethod
    def _files(entries: Iterable[str | Table]) -> list[Path]:
        out: list[Path] = []
        for e in entries:
            out.extend(e.paths() if isinstance(e, Table) else [Path(getattr(paths, e))])
        return out

    def input_files(self) -> list[Path]:
        return self._files(self.inputs)

    def output_files(self) -> list[Path]:
        optional = [p for p in self._files(self.optional_outputs) if p.exists()]
        return self._files(self.outputs) + optional


#: Per notebook stem, its fixed inputs and outputs (the run manifest's lists).
STAGES: dict[str, StageIO] = {
    "01_anonymization": StageIO((), ("ANONYMIZED_RECORDS", "ANONYMIZATION_AUDIT")),
    "02_summarization": StageIO(("ANONYMIZED_RECORDS",), (SUMMARIES, "SUMMARY_STATS")),
    "03_expert_ratings": StageIO(
        (SUMMARIES, "ANONYMIZED_RECORDS"), (EXPERT_RATINGS, "BLINDING_KEY", "FORMS")
    ),
    "04_judge_sweeps": StageIO(("ANONYMIZED_RECORDS", SUMMARIES), (JUDGE_RATINGS, JUDGE_VALIDITY)),
    "05_concordance": StageIO(
        (SUMMARIES, EXPERT_RATINGS, JUDGE_RATINGS, JUDGE_VALIDITY),
        (*CONCORDANCE_TABLES, "STATS_JSON"),
    ),
    "06_figures": StageIO(
        (
            JUDGE_RATINGS,
            EXPERT_RATINGS,
            SUMMARIES,
            GRID,
            CATEGORIES,
            PANEL_FIT,
            ALT_TEST,
            SELECTION,
        ),
        (*RATING_SUMMARY_TABLES, FIGURE_INDEX),
    ),
    "07_external_validation": StageIO(
        ("SUMMEVAL_DATA", "SUMMEVAL_LICENSE"),
        ("SUMMEVAL_RATINGS_CSV", "SUMMEVAL_ROUGE", SUMMEVAL_BASELINES),
        optional_outputs=(SUMMEVAL_JUDGE_RATINGS, SUMMEVAL_JUDGES),
    ),
}


def stage_files(stage: str) -> tuple[list[Path], list[Path]]:
    """``(inputs, outputs)`` a pipeline notebook always has; empty lists for another name.

    >>> ins, outs = stage_files("04_judge_sweeps")
    >>> [p.name for p in ins]
    ['anonymized_records.jsonl', 'summaries.parquet']
    >>> [p.name for p in outs]
    ['judge_ratings.parquet', 'judge_validity.csv']
    """
    io = STAGES.get(stage)
    if io is None:
        return [], []
    return io.input_files(), io.output_files()


# --------------------------------------------------------------------------- stats.json

StatsKind = Literal["int", "number", "bool", "str", "scalar"]


@dataclass(frozen=True)
class StatsKey:
    """One key pattern of ``stats.json``.

    Attributes
    ----------
    pattern : str
        Dotted key; ``<name>`` stands for one id of the data (a dot in an id
        becomes ``_``), ``<group...>`` for one or more ids.
    kind : {"int", "number", "bool", "str", "scalar"}
        Type of the value (``number``: int or float; ``scalar``: any of them).
        None (an undefined statistic, NaN) is allowed unless ``required``.
    required : bool, default False
        Written by every run.
    doc : str
    """

    pattern: str
    kind: StatsKind
    required: bool = False
    doc: str = ""

    @property
    def regex(self) -> re.Pattern[str]:
        out, pos = "", 0
        for m in re.finditer(r"<([a-z_]+)(\.\.\.)?>", self.pattern):
            out += re.escape(self.pattern[pos : m.start()])
            out += r"[^.]+(?:\.[^.]+)*" if m.group(2) else r"[^.]+"
            pos = m.end()
        return re.compile(out + re.escape(self.pattern[pos:]) + r"\Z")


def _keys(prefix: str, names: str, kind: StatsKind, *, required: bool = False) -> list[StatsKey]:
    return [StatsKey(f"{prefix}{n}", kind, required) for n in names.split()]


#: Every key notebook 05 writes to ``stats.json``. W values are judge vs expert consensus
#: unless the key says otherwise; ``ci_low``/``ci_high`` are the 1 - alpha bootstrap limits.
#: Headline keys (``w.*``, ``effects.*``, ``delta_w.*``, ``alt_test.*``, ``selection.*``,
#: ``judges.*``) use the LLM configurations that passed the validity gate only; metric
#: judges are ``reference_lines.*``.
STATS_SCHEMA: tuple[StatsKey, ...] = (
    *_keys(
        "data.",
        "n_patients n_items n_summarizers n_criteria n_experts n_expert_categories n_judges "
        "n_configurations judge_rows judge_rows_failed expert_scores_missing "
        "configs_without_experts",
        "int",
        required=True,
    ),
    *_keys("data.", "judge_failed_share expert_missing_share", "number"),
    StatsKey("data.synthetic", "bool", doc="the records are the synthetic cohort; None = unknown"),
    StatsKey(
        "data.failed.<kind>.<status>.n",
        "int",
        doc="judge rows without a score, by judge kind and status (never a score)",
    ),
    StatsKey(
        "data.failed.<kind>.<status>.summarizer",
        "str",
        doc="the one summarizer all of those rows belong to; None = several",
    ),
    StatsKey("design.n_judges.<kind>", "int", doc="judges of each kind (llm, metric); 0 when none"),
    StatsKey(
        "design.factor.<factor>.n_judges",
        "int",
        doc="LLM judges that rated more than one level of the factor (it is crossed for them)",
    ),
    StatsKey("design.n_items", "int", doc="summaries any judge was asked to rate"),
    *_keys("design.judge.<judge>.", "name kind mode model", "str"),
    *_keys(
        "design.judge.<judge>.",
        "order n_configurations n_items n_items_scored n_patients n_repeats n_rows n_failed",
        "int",
    ),
    StatsKey(
        "design.judge.<judge>.factorial",
        "bool",
        doc="every combination of the judge's levels was run (a full factorial)",
    ),
    StatsKey(
        "design.judge.<judge>.levels.<factor>",
        "str",
        doc="the levels the judge rated, comma-separated in display order; None = no such factor",
    ),
    StatsKey("design.judge.<judge>.n_levels.<factor>", "int"),
    StatsKey("settings.<setting>", "scalar", doc="the analysis knobs of notebook 05"),
    *_keys("validity.", "n_configurations n_valid n_invalid", "int", required=True),
    StatsKey("validity.reason.<reason>.n", "int", doc="LLM configurations failing that check"),
    *_keys("validity.by_judge.<judge>.", "n_valid n_invalid", "int"),
    StatsKey("validity.thresholds.<threshold>", "number", doc="None = not gated"),
    *_keys("w.grid.", "n n_significant", "int", required=True),
    *_keys("w.grid.", "median min max share_significant chance_level", "number"),
    *_keys("w.best.<criterion>.", "w spearman ci_low ci_high p_adj", "number"),
    StatsKey("w.best.<criterion>.config", "str"),
    StatsKey("w.best.<criterion>.<column>", "scalar", doc="the other configuration columns"),
    StatsKey("effects.<factor>.reference", "scalar", doc="the reference level of the factor"),
    *_keys(
        "effects.<factor>.<level>.",
        "delta_w ci_low ci_high p_adj p w_level w_reference",
        "number",
    ),
    *_keys("effects.<factor>.<level>.", "n_pairs n_judges", "int"),
    *_keys("reference_lines.<judge>.<criterion>.", "w spearman ci_low ci_high", "number"),
    StatsKey("reference_lines.<judge>.<criterion>.valid", "bool"),
    *_keys("experts.w.<criterion>.", "w ci_low ci_high", "number"),
    StatsKey("experts.w.<criterion>.n_experts", "int"),
    StatsKey("experts.w.median", "number"),
    StatsKey("experts.within.<category>.<criterion>.w", "number"),
    StatsKey("experts.within.<category>.median", "number"),
    StatsKey("experts.across_categories.<criterion>.w", "number"),
    StatsKey("experts.across_categories.median", "number"),
    StatsKey("experts.mean.<summarizer>.<criterion>", "number", doc="mean expert score"),
    StatsKey("experts.degenerate.<criterion>.mean", "number", doc="over flagged summaries"),
    StatsKey("experts.degenerate.n", "int", doc="summaries whose flag is not ok"),
    StatsKey(
        "experts.length_spearman.<criterion>",
        "number",
        doc="Spearman of the expert consensus with the summary length (characters)",
    ),
    StatsKey(
        "experts.length_spearman_within.<criterion>",
        "number",
        doc="the same, ranks centred within each summarizer",
    ),
    StatsKey("judge_vs_category.<category>.median_w", "number"),
    StatsKey("delta_w.median", "number"),
    *_keys("delta_w.", "n n_positive n_ci_above_zero", "int"),
    *_keys("delta_w.best.<criterion>.", "delta_w ci_low ci_high w_experts w_with_judge", "number"),
    StatsKey("judges.w_among.median", "number"),
    StatsKey("judges.w_among.<criterion>.median", "number"),
    StatsKey("loeo.max_abs_change", "number"),
    StatsKey("loeo.<criterion>.max_abs_change", "number"),
    *_keys("alt_test.", "n n_passed", "int"),
    *_keys("alt_test.", "share_passed winning_rate_max advantage_probability_max", "number"),
    *_keys("alt_test.best.<criterion>.", "winning_rate advantage_probability", "number"),
    StatsKey("alt_test.best.<criterion>.passed", "bool"),
    StatsKey("alt_test.best.<criterion>.config", "str"),
    *_keys(
        "selection.<group...>.",
        "held_out_w held_out_sd in_sample_w optimism stability",
        "number",
    ),
    StatsKey("selection.<group...>.selected", "str"),
    *_keys("selection.", "mean_optimism mean_held_out_w", "number"),
    StatsKey(
        "sensitivity.rank_agreement.<statistic>",
        "number",
        doc="Spearman correlation across configurations between W and another statistic",
    ),
)

#: Key prefixes of stats.json that notebook 05 owns (replaced on every run).
STATS_PREFIXES: tuple[str, ...] = tuple(
    dict.fromkeys(k.pattern.split(".", 1)[0] + "." for k in STATS_SCHEMA)
)


def _fits(value: Any, kind: str) -> bool:
    if value is None or kind == "scalar":
        return value is None or isinstance(value, str | int | float | bool)
    if kind == "bool":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind == "int":
        return isinstance(value, int)
    if kind == "number":
        return isinstance(value, int | float)
    return isinstance(value, str)


def check_stats(stats: Mapping[str, Any], *, source: str = "stats") -> None:
    """Raise :class:`ContractError` unless every key fits :data:`STATS_SCHEMA`.

    Each key must match a pattern whose kind its value has; every required key
    must be present and not null. Keys of other stages (another first part) are
    not checked.

    >>> check_stats({"w.grid.n": 3, "w.grid.n_significant": 1, "effects.scale.5.n_pairs": "x"})
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    radjudge.contracts.ContractError: stats: key 'effects.scale.5.n_pairs' = 'x' fits no pattern ...
    """
    compiled = [(k, k.regex) for k in STATS_SCHEMA]
    for key, value in stats.items():
        if not key.startswith(STATS_PREFIXES):
            continue
        matches = [k for k, rx in compiled if rx.match(key)]
        if not any(_fits(value, k.kind) for k in matches):
            hint = (
                "; nearest: " + ", ".join(f"{k.pattern} ({k.kind})" for k in matches)
                if matches
                else ""
            )
            raise ContractError(
                f"{source}: key {key!r} = {value!r} fits no pattern of the stats.json schema "
                f"(radjudge.contracts.STATS_SCHEMA){hint}"
            )
    required = [k.pattern for k in STATS_SCHEMA if k.required]
    missing = [k for k in required if stats.get(k) is None]
    if missing:
        raise ContractError(f"{source}: lacks the required key(s) {missing} (or they are null)")
