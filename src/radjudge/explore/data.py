"""The explorer's data: from one W value down to the items, the summary and every rating behind it.

Everything here is a pure function of the run's tables (no widgets), so it is
unit-tested and usable from scripts:

* :func:`load_explore_data` reads the results of notebook 05 (``grid`` and the
  other concordance tables), the rating tables of stages 03/04, the summaries
  of 02 and the anonymized records of 01, and aligns the ratings exactly as
  notebook 05 does (:func:`radjudge.concordance.prepare_data`), so every item
  value shown is the one behind the W of the grid.
* :func:`configurations` lists the judge configurations (LLM judges apart from
  metric baselines), :func:`narrowed_options` gives filters that narrow each
  other.
* :func:`item_table` / :func:`disagreements` / :func:`config_summary` describe
  one configuration item by item; :func:`item_detail` gathers one summary's
  record, text, expert scores and judge answers.
* :func:`paired_delta_w` compares two configurations of the same judge on the
  same items with the patient-cluster bootstrap of :mod:`radjudge.concordance`.

Judge kinds
    A judge is ``metric`` (a reference-based baseline such as ROUGE-L) or
    ``llm``. The kind comes from the grid's ``judge_kind`` column when the run
    wrote one, else from the judge table's ``mode`` (``metric`` = baseline).
    Baselines are reference lines, never study arms: they are listed apart and
    never offered for comparison.
    Metric judges have no scale and no granularity (NA); their
    :func:`config_id` says ``NA`` there.
Validity
    When the grid carries ``valid`` / ``validity_reason`` (the judge validity
    gate of stages 04/05), they are shown as they are: an invalid
    configuration stays listed, marked, and its W is not a result. Without
    them (runs before the gate) the explorer says the run was not checked, and
    still flags a configuration whose judge gives every item the same value
    (``constant``).
Undefined statistics
    A constant judge has no ranks, so its W, rho and CI are undefined: the
    grid holds NaN (reason ``constant``), never 0.5. Lists sort undefined W
    last; the views say "undefined" and why, never a number.
Two raters
    W of a judge against the expert consensus has two raters, so
    ``W = (1 + rho) / 2`` without ties and 0.5 is chance (no association).
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from radjudge import paths
from radjudge.anonymize import load_anonymized
from radjudge.checks import check_choice
from radjudge.concordance.agreement import rank_correlation
from radjudge.concordance.bootstrap import (
    CIMethod,
    bootstrap_interval,
    jackknife_counts,
    resample_counts,
    resampled_kendall_w,
)
from radjudge.concordance.designs import CONFIG_COLUMNS, ConcordanceData, prepare_data
from radjudge.concordance.kendall import UndefinedStatisticWarning, kendall_w
from radjudge.contracts import CRITERIA as CRITERIA_ORDER
from radjudge.contracts import GRANULARITIES as GRANULARITY_ORDER
from radjudge.contracts import JUDGE_KINDS, JudgeKind
from radjudge.figures.build import read_result_table, result_table_path

__all__ = [
    "ANY",
    "CONFIG_TABLES",
    "MISSING_IN_ID",
    "ExploreData",
    "ConfigSummary",
    "ItemDetail",
    "PairedDeltaW",
    "build_explore_data",
    "load_explore_data",
    "config_id",
    "configurations",
    "baselines",
    "narrowed_options",
    "filter_table",
    "flagged",
    "item_table",
    "disagreements",
    "config_summary",
    "item_detail",
    "paired_delta_w",
    "default_comparison",
]

#: The value of a filter that keeps every row.
ANY = "(any)"
#: Result tables of notebook 05 the explorer shows beside the grid (keys of
#: :data:`radjudge.figures.build.RESULT_TABLES`).
CONFIG_TABLES = ("categories", "panel_fit", "alt_test", "selection")

ValidityStatus = Literal["valid", "invalid", "unchecked"]


def _key(value: Any) -> str:
    """Comparable text of a cell: 5, 5.0 and "5" are "5"; a missing value is ""."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


#: How :func:`config_id` writes a missing value (a metric's scale and granularity).
MISSING_IN_ID = "NA"


def config_id(row: Mapping[str, Any], columns: Sequence[str]) -> str:
    """Identifier of a configuration: its values of ``columns`` joined by ``|``.

    A missing value (None, NaN, ``pd.NA``: a metric judge has no scale and no
    granularity) is written ``NA``, whatever its type, so the id is the same
    in every table and still names the columns by position.

    >>> cols = ["judge", "criterion", "scale", "granularity"]
    >>> config_id({"judge": "j", "criterion": "completeness", "scale": 5.0,
    ...            "granularity": "full"}, cols)
    'j|completeness|5|full'
    >>> config_id({"judge": "rouge-l", "criterion": "completeness", "scale": pd.NA,
    ...            "granularity": float("nan")}, cols)
    'rouge-l|completeness|NA|NA'
    """
    return "|".join(_key(row[c]) or MISSING_IN_ID for c in columns)


@dataclass(frozen=True)
class ExploreData:
    """The tables of one run, aligned for exploration; built by :func:`load_explore_data`.

    Attributes
    ----------
    grid : pandas.DataFrame
        Notebook 05's grid, one row per configuration, plus ``config_id``,
        ``judge_kind`` (``llm``/``metric``), ``row`` (the configuration's row in
        ``concordance``) and, when the run has no validity gate, ``valid``
        (NA) and ``validity_reason`` (``"constant"`` where the judge gives
        every item the same value, else ``""``). ``validity_checked`` says
        which case it is.
    tables : dict of str to DataFrame
        The other result tables (:data:`CONFIG_TABLES`) as written.
    concordance : radjudge.concordance.ConcordanceData
        Expert and judge ratings aligned on the items (as in notebook 05).
    judge_ratings, expert_ratings, summaries : pandas.DataFrame
        The stage 04, 03 and 02 tables as written.
    records : dict of str to dict
        Patient id -> anonymized sections (section key -> text), in record order.
    bootstrap : dict
        ``n_boot, ci_method, alpha, seed`` of the run (``stats.json``
        ``settings.*``); :func:`paired_delta_w` uses the same resamples.
    sources : dict of str to Path
        File each table was read from (the "full table" path shown to users).
    validity_checked : bool
        True when the grid came with ``valid`` / ``validity_reason``.
    synthetic : bool or None
        True when every record is from the synthetic cohort; None if unknown.
    """

    grid: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    concordance: ConcordanceData
    judge_ratings: pd.DataFrame
    expert_ratings: pd.DataFrame
    summaries: pd.DataFrame
    records: dict[str, dict[str, str]]
    bootstrap: dict[str, Any]
    sources: dict[str, Path] = field(default_factory=dict)
    validity_checked: bool = False
    synthetic: bool | None = None

    @property
    def config_columns(self) -> tuple[str, ...]:
        return self.concordance.config_columns

    def config(self, cid: str) -> pd.Series:
        """The grid row of configuration ``cid``.

        Raises
        ------
        KeyError
            Naming the unknown id and a few known ones.
        """
        hit = self.grid[self.grid["config_id"] == cid]
        if hit.empty:
            known = ", ".join(self.grid["config_id"].head(3))
            raise KeyError(f"unknown configuration {cid!r}; known ids look like: {known}")
        return hit.iloc[0]


def flagged(row: Mapping[str, Any]) -> bool:
    """True when a grid row is not a result: it failed the validity gate or has a reason.

    >>> flagged({"valid": False, "validity_reason": "constant"}), flagged({"valid": True})
    (True, False)
    >>> flagged({"valid": pd.NA, "validity_reason": "constant"})  # a run without the gate
    True
    """
    valid = row.get("valid")
    failed = valid is not None and valid is not pd.NA and pd.notna(valid) and not bool(valid)
    return failed or bool(_key(row.get("validity_reason")))


def _judge_kinds(grid: pd.DataFrame, judge_ratings: pd.DataFrame) -> pd.Series:
    if "judge_kind" in grid.columns:
        kinds = grid["judge_kind"].astype(str)
    elif "mode" in judge_ratings.columns:
        metric = set(judge_ratings.loc[judge_ratings["mode"] == "metric", "judge"].astype(str))
        kinds = grid["judge"].astype(str).map(lambda j: "metric" if j in metric else "llm")
    else:
        kinds = pd.Series("llm", index=grid.index)
    bad = sorted(set(kinds) - set(JUDGE_KINDS))
    if bad:
        allowed = " or ".join(map(repr, JUDGE_KINDS))
        raise ValueError(f"grid: judge_kind must be {allowed}; found {bad}")
    return kinds


def _records(path: Path) -> tuple[dict[str, dict[str, str]], bool]:
    """Sections per patient (markers checked by the guard) and whether all are synthetic."""
    records = load_anonymized(path)
    return {r.patient_id: dict(r.sections) for r in records}, all(r.synthetic for r in records)


def build_explore_data(
    *,
    grid: pd.DataFrame,
    expert_ratings: pd.DataFrame,
    judge_ratings: pd.DataFrame,
    summaries: pd.DataFrame,
    records: Mapping[str, Mapping[str, str]],
    tables: Mapping[str, pd.DataFrame] | None = None,
    bootstrap: Mapping[str, Any] | None = None,
    config_columns: Sequence[str] = CONFIG_COLUMNS,
    sources: Mapping[str, str | os.PathLike[str]] | None = None,
    synthetic: bool | None = None,
) -> ExploreData:
    """Align the tables of a run for the explorer (the in-memory half of :func:`load_explore_data`).

    Parameters
    ----------
    grid : pandas.DataFrame
        Notebook 05's grid (the ``config_columns`` plus ``w, ci_low, ci_high,
        spearman, n_items``).
    expert_ratings, judge_ratings, summaries : pandas.DataFrame
        Stage 03, 04 and 02 tables.
    records : mapping
        Patient id -> anonymized sections.
    tables : mapping, optional
        Further result tables by name (:data:`CONFIG_TABLES`).
    bootstrap : mapping, optional
        ``n_boot`` (default 2000), ``ci_method`` ("bca"), ``alpha`` (0.05), ``seed`` (0).
    config_columns : sequence of str, default ``("judge", "criterion", "scale", "granularity")``
        As notebook 05 (profile key ``05_concordance.config_columns``).
    sources : mapping, optional
        Table name -> file it came from.
    synthetic : bool, optional
        Whether the records are synthetic (shown as a banner); None = unknown.

    Raises
    ------
    ValueError
        A grid without the configuration or W columns, or a grid row that
        the ratings do not contain (the tables come from different runs).
    """
    need = [*config_columns, "w", "ci_low", "ci_high", "spearman", "n_items"]
    missing = [c for c in need if c not in grid.columns]
    if missing:
        raise ValueError(
            f"grid lacks column(s) {missing}; it has {list(grid.columns)}. "
            "Re-run notebook 05 (radjudge run --from 05)."
        )
    data = prepare_data(expert_ratings, judge_ratings, config_columns=config_columns)
    row_of = {config_id(r, config_columns): k for k, r in data.configs.iterrows()}
    g = grid.copy()
    g["config_id"] = [config_id(r, config_columns) for _, r in g.iterrows()]
    unknown = sorted(set(g["config_id"]) - set(row_of))
    if unknown:
        raise ValueError(
            f"grid rows {unknown[:3]} (of {len(unknown)}) have no judge ratings in the judge "
            "table: the grid and the ratings come from different runs. "
            "Re-run notebook 05 (radjudge run --from 05)."
        )
    g["row"] = g["config_id"].map(row_of).astype(int)
    g["judge_kind"] = _judge_kinds(g, judge_ratings).to_numpy()
    checked = "valid" in g.columns and "validity_reason" in g.columns
    if not checked:
        constant = [
            bool(np.unique(v[np.isfinite(v)]).size <= 1) for v in data.judge_values[g["row"]]
        ]
        g["valid"] = pd.array([pd.NA] * len(g), dtype="boolean")
        g["validity_reason"] = np.where(constant, "constant", "")
    g["validity_reason"] = g["validity_reason"].fillna("").astype(str)
    settings = {"n_boot": 2000, "ci_method": "bca", "alpha": 0.05, "seed": 0}
    settings.update(bootstrap or {})
    return ExploreData(
        grid=g.reset_index(drop=True),
        tables={k: v for k, v in (tables or {}).items()},
        concordance=data,
        judge_ratings=judge_ratings,
        expert_ratings=expert_ratings,
        summaries=summaries,
        records={str(p): dict(s) for p, s in records.items()},
        bootstrap=settings,
        sources={k: Path(v) for k, v in (sources or {}).items()},
        validity_checked=checked,
        synthetic=synthetic,
    )


def _read(path: Path, writer: str) -> pd.DataFrame:
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} does not exist; {writer} writes it (radjudge run --profile demo, "
            "or `make all`). The explorer reads the results of a finished run."
        )
    return pd.read_parquet(path)


def load_explore_data(
    *,
    config_columns: Sequence[str] = CONFIG_COLUMNS,
    files: Mapping[str, str | os.PathLike[str]] | None = None,
) -> ExploreData:
    """Read the last run's tables (``radjudge.paths``) and align them.

    Parameters
    ----------
    config_columns : sequence of str, default ``("judge", "criterion", "scale", "granularity")``
    files : mapping, optional
        Read some tables from elsewhere: keys ``judge_ratings``, ``expert_ratings``,
        ``summaries``, ``records``, ``stats``, ``concordance`` (the folder of the
        notebook 05 tables).

    Raises
    ------
    FileNotFoundError
        A table is missing; the message names the file and the stage that writes it.
    """
    files = dict(files or {})
    unknown = set(files) - {
        "judge_ratings",
        "expert_ratings",
        "summaries",
        "records",
        "stats",
        "concordance",
    }
    if unknown:
        raise ValueError(f"files: unknown key(s) {sorted(unknown)}")
    where = {
        "judge_ratings": Path(files.get("judge_ratings", paths.JUDGE_RATINGS)),
        "expert_ratings": Path(files.get("expert_ratings", paths.EXPERT_RATINGS)),
        "summaries": Path(files.get("summaries", paths.SUMMARIES)),
        "records": Path(files.get("records", paths.ANONYMIZED_RECORDS)),
        "stats": Path(files.get("stats", paths.STATS_JSON)),
    }
    folder = files.get("concordance")
    judges = _read(where["judge_ratings"], "notebook 04")
    experts = _read(where["expert_ratings"], "notebook 03")
    summaries = _read(where["summaries"], "notebook 02")
    if not where["records"].is_file():
        raise FileNotFoundError(f"{where['records']} does not exist; notebook 01 writes it")
    records, synthetic = _records(where["records"])
    grid = read_result_table("grid", folder)
    tables = {name: read_result_table(name, folder) for name in CONFIG_TABLES}
    sources = {name: result_table_path(name, folder) for name in ("grid", *CONFIG_TABLES)} | where
    bootstrap = {}
    if where["stats"].is_file():
        stats = json.loads(where["stats"].read_text("utf-8"))
        flat = stats if "settings.n_boot" in stats else _flatten(stats)
        bootstrap = {
            k: flat[f"settings.{k}"]
            for k in ("n_boot", "ci_method", "alpha", "seed")
            if f"settings.{k}" in flat
        }
    return build_explore_data(
        grid=grid,
        expert_ratings=experts,
        judge_ratings=judges,
        summaries=summaries,
        records=records,
        tables=tables,
        bootstrap=bootstrap,
        config_columns=config_columns,
        sources=sources,
        synthetic=synthetic,
    )


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in tree.items():
        if isinstance(v, Mapping):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


# --------------------------------------------------------------------------- filters


def _sort_values(column: str, values: Sequence[str]) -> list[str]:
    order = {"criterion": CRITERIA_ORDER, "granularity": GRANULARITY_ORDER}.get(column, ())
    first = [v for v in order if v in values]
    rest = [v for v in values if v not in order]
    numeric = all(v.replace(".", "", 1).isdigit() for v in rest)
    rest = sorted(rest, key=float) if numeric and rest else sorted(rest)
    return first + rest


def filter_table(table: pd.DataFrame, filters: Mapping[str, Any]) -> pd.DataFrame:
    """Rows of ``table`` whose columns equal the filter values (:data:`ANY` or None = no filter).

    A filter on a column the table lacks is ignored; rows where the column is
    missing (e.g. ``scale`` of expert-only designs) are kept, since the filter
    does not apply to them.

    >>> t = pd.DataFrame({"judge": ["a", "b"], "scale": [3, 5]})
    >>> filter_table(t, {"scale": 5, "criterion": ANY})["judge"].tolist()
    ['b']
    """
    mask = pd.Series(True, index=table.index)
    for col, value in filters.items():
        if value is None or value == ANY or col not in table.columns:
            continue
        mask &= table[col].isna() | (table[col].map(_key) == _key(value))
    return table[mask]


def narrowed_options(
    table: pd.DataFrame, filters: Mapping[str, Any], columns: Sequence[str]
) -> dict[str, list[str]]:
    """For each column: :data:`ANY` and the values left when the *other* filters apply.

    Choosing any offered value therefore never empties the table: filters
    narrow each other. Here a row counts only if it *has* the value of every
    other active filter (an expert-only row without a judge does not offer
    its criterion once a judge is chosen), although :func:`filter_table` keeps
    such rows for display.

    >>> t = pd.DataFrame({"criterion": ["a", "a", "b"], "scale": [3, 5, 3]})
    >>> narrowed_options(t, {"criterion": "b", "scale": ANY}, ["criterion", "scale"])
    {'criterion': ['(any)', 'a', 'b'], 'scale': ['(any)', '3']}
    """
    out = {}
    for col in columns:
        others = {c: v for c, v in filters.items() if c != col and v is not None and v != ANY}
        rows = filter_table(table, others)
        present = [c for c in others if c in rows.columns]
        rows = rows.dropna(subset=present) if present else rows
        values = [_key(v) for v in rows[col].dropna().unique()] if col in rows.columns else []
        out[col] = [ANY, *_sort_values(col, sorted(set(values) - {""}))]
    return out


def configurations(
    data: ExploreData, *, kind: JudgeKind = "llm", filters: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """Grid rows of one judge kind matching ``filters``, best W first, undefined W (NaN) last.

    Invalid configurations stay in the list (the views mark them); ties keep
    the grid's order.

    Parameters
    ----------
    data : ExploreData
    kind : {"llm", "metric"}, default "llm"
    filters : mapping of column to value, optional
    """
    check_choice("kind", kind, JudgeKind)
    rows = data.grid[data.grid["judge_kind"] == kind]
    rows = filter_table(rows, filters or {})
    return rows.sort_values("w", ascending=False, na_position="last", kind="stable")


def baselines(data: ExploreData, criterion: str | None = None) -> pd.DataFrame:
    """Metric-baseline rows (reference lines), optionally of one criterion."""
    return configurations(data, kind="metric", filters={"criterion": criterion or ANY})


# --------------------------------------------------------------------------- one configuration


def _normalized_ranks(x: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    if x.size < 2:
        return np.full(x.shape, 0.5)
    return (rankdata(x) - 1) / (x.size - 1)


def item_table(data: ExploreData, cid: str) -> pd.DataFrame:
    """The items behind the W of configuration ``cid``.

    Returns
    -------
    pandas.DataFrame
        One row per item of the expert table (``n_items`` rows): ``patient_id,
        summarizer, consensus`` (expert mean), ``judge`` (the judge value that
        entered W; NaN = missing, every repeat failed), ``complete``,
        ``expert_rank, judge_rank`` (mid-ranks over the complete items scaled
        to [0, 1]; NaN for incomplete items) and ``disagreement = judge_rank -
        expert_rank`` in [-1, 1].
    """
    row = data.config(cid)
    conc = data.concordance
    consensus = conc.consensus(str(row["criterion"]))
    judge = conc.judge_values[int(row["row"])]
    complete = np.isfinite(consensus) & np.isfinite(judge)
    out = conc.items.copy()
    out["consensus"] = consensus
    out["judge"] = judge
    out["complete"] = complete
    er = np.full(len(out), np.nan)
    jr = np.full(len(out), np.nan)
    er[complete] = _normalized_ranks(consensus[complete])
    jr[complete] = _normalized_ranks(judge[complete])
    out["expert_rank"] = er
    out["judge_rank"] = jr
    out["disagreement"] = jr - er
    return out


def disagreements(items: pd.DataFrame, *, n: int | None = None) -> pd.DataFrame:
    """The complete items, where judge and experts rank a summary most differently first.

    Parameters
    ----------
    items : pandas.DataFrame
        From :func:`item_table`.
    n : int, optional
        Keep the first ``n``; all by default.

    >>> t = pd.DataFrame({"patient_id": ["a", "b", "c"], "summarizer": "s",
    ...                   "complete": True, "disagreement": [0.1, -0.9, 0.5]})
    >>> disagreements(t, n=2)["patient_id"].tolist()
    ['b', 'c']
    """
    if n is not None and n < 1:
        raise ValueError(f"n must be >= 1; got {n}")
    done = items[items["complete"]]
    order = done["disagreement"].abs().sort_values(ascending=False, kind="stable").index
    return done.loc[order] if n is None else done.loc[order].head(n)


@dataclass(frozen=True)
class ConfigSummary:
    """What the configuration view states about one configuration.

    Attributes
    ----------
    config : pandas.Series
        The grid row.
    w, ci_low, ci_high, rho : float
        From the grid (NaN when undefined).
    n_items, n_incomplete : int
        Items that entered W; items with an expert consensus but no judge value.
    n_distinct : int
        Distinct judge values over the complete items (1 = constant judge).
    status : {"valid", "invalid", "unchecked"}
        ``valid``/``invalid`` from the run's validity gate; ``unchecked`` when
        the run has none.
    reason : str
        The gate's ``validity_reason``, or ``"constant"`` found here; "" if none.
    baselines : pandas.DataFrame
        Metric-baseline rows of the same criterion (reference lines).
    """

    config: pd.Series
    w: float
    ci_low: float
    ci_high: float
    rho: float
    n_items: int
    n_incomplete: int
    n_distinct: int
    status: ValidityStatus
    reason: str
    baselines: pd.DataFrame

    @property
    def degenerate(self) -> bool:
        """True when W must not be read as a result (invalid, or constant judge values)."""
        return self.status == "invalid" or self.reason == "constant" or self.n_distinct <= 1

    @property
    def constant(self) -> bool:
        """True when the judge gave every complete item the same value (W has no ranks)."""
        return "constant" in self.reason.split(";") or self.n_distinct <= 1

    @property
    def w_undefined(self) -> bool:
        """True when W is NaN (e.g. a constant judge): shown as undefined, never as a number."""
        return not np.isfinite(self.w)


def config_summary(data: ExploreData, cid: str) -> ConfigSummary:
    """W, CI, rho, counts and validity of configuration ``cid`` (see :class:`ConfigSummary`)."""
    row = data.config(cid)
    items = item_table(data, cid)
    done = items[items["complete"]]
    valid = row["valid"]
    status: ValidityStatus = (
        "unchecked" if valid is pd.NA or pd.isna(valid) else ("valid" if valid else "invalid")
    )
    return ConfigSummary(
        config=row,
        w=float(row["w"]),
        ci_low=float(row["ci_low"]),
        ci_high=float(row["ci_high"]),
        rho=float(row["spearman"]),
        n_items=int(len(done)),
        n_incomplete=int((np.isfinite(items["consensus"]) & ~items["complete"]).sum()),
        n_distinct=int(done["judge"].nunique()),
        status=status,
        reason=str(row["validity_reason"]),
        baselines=baselines(data, str(row["criterion"])),
    )


# --------------------------------------------------------------------------- one item


@dataclass(frozen=True)
class ItemDetail:
    """Everything about one summary (one item).

    Attributes
    ----------
    patient_id, summarizer : str
    record : dict of str to str
        Anonymized sections of the patient's record (empty if the run has no record).
    summary : pandas.Series or None
        The summaries row (``text``, ``summarizer_kind``, ``flag``...); None if absent.
    expert_scores : pandas.DataFrame
        One row per expert: ``expert_id, expert_category`` and one column per
        criterion (NaN = not scored), sorted by category then id.
    consensus : pandas.Series
        Criterion -> expert mean.
    judge_answers : pandas.DataFrame
        Every judge-table row of ``judge`` for this summary (every
        configuration and repeat): the configuration columns, ``repeat, status,
        score, expected_score`` and, when present, ``distribution, raw, mode``.
    judge : str or None
    """

    patient_id: str
    summarizer: str
    record: dict[str, str]
    summary: pd.Series | None
    expert_scores: pd.DataFrame
    consensus: pd.Series
    judge_answers: pd.DataFrame
    judge: str | None


def item_detail(
    data: ExploreData, patient_id: str, summarizer: str, *, judge: str | None = None
) -> ItemDetail:
    """The record, summary, expert scores and one judge's answers for one item.

    Raises
    ------
    KeyError
        If no expert rated this (patient, summarizer): it is not an item of the study.
    """
    items = data.concordance.items
    if not ((items["patient_id"] == patient_id) & (items["summarizer"] == summarizer)).any():
        raise KeyError(
            f"({patient_id!r}, {summarizer!r}) is not an item: no expert rated this summary"
        )
    er = data.expert_ratings
    er = er[(er["patient_id"].astype(str) == patient_id) & (er["summarizer"] == summarizer)]
    scores = er.pivot(index="expert_id", columns="criterion", values="score")
    crits = _sort_values("criterion", [str(c) for c in scores.columns])
    roster = er.drop_duplicates("expert_id").set_index("expert_id")["expert_category"]
    scores = scores.reindex(columns=crits)
    scores.insert(0, "expert_category", roster.reindex(scores.index))
    scores = scores.reset_index()
    scores.columns.name = None
    scores = scores.sort_values(["expert_category", "expert_id"], kind="stable")
    consensus = (
        er.assign(score=pd.to_numeric(er["score"]).astype(float))
        .groupby("criterion")["score"]
        .mean()
        .reindex(crits)
    )
    sm = data.summaries
    hit = sm[(sm["patient_id"].astype(str) == patient_id) & (sm["summarizer"] == summarizer)]
    jr = data.judge_ratings
    answers = jr.iloc[0:0]
    if judge is not None:
        answers = jr[
            (jr["judge"] == judge)
            & (jr["patient_id"].astype(str) == patient_id)
            & (jr["summarizer"] == summarizer)
        ]
    keep = [
        c
        for c in (
            *data.config_columns,
            "repeat",
            "status",
            "score",
            "expected_score",
            "distribution",
            "raw",
            "mode",
        )
        if c in answers.columns
    ]
    answers = answers.loc[:, keep].reset_index(drop=True)
    if len(answers):
        rank = {
            "criterion": {c: i for i, c in enumerate(CRITERIA_ORDER)},
            "granularity": {g: i for i, g in enumerate(GRANULARITY_ORDER)},
        }
        by = [c for c in ("criterion", "scale", "granularity", "repeat") if c in answers.columns]
        answers = answers.sort_values(
            by,
            key=lambda s: s.map(rank[s.name]).fillna(len(rank[s.name])) if s.name in rank else s,
            kind="stable",
        ).reset_index(drop=True)
    return ItemDetail(
        patient_id=patient_id,
        summarizer=summarizer,
        record=dict(data.records.get(patient_id, {})),
        summary=hit.iloc[0] if len(hit) else None,
        expert_scores=scores.reset_index(drop=True),
        consensus=consensus,
        judge_answers=answers,
        judge=judge,
    )


# --------------------------------------------------------------------------- compare


@dataclass(frozen=True)
class PairedDeltaW:
    """Paired difference of W between two configurations of one judge, on the same items.

    Attributes
    ----------
    a, b : str
        Configuration ids; ``delta_w = w_b - w_a``.
    w_a, w_b, delta_w : float
        W of each on the items both valued, and the difference.
    w_a_ci, w_b_ci : tuple of float
        Each W's own interval on those items and resamples.
    ci_low, ci_high : float
        ``1 - alpha`` cluster-bootstrap interval of ``delta_w`` (``method``);
        NaN when undefined (e.g. a constant judge).
    p : float
        Two-sided bootstrap p-value ``min(1, 2 min(P*(d <= 0), P*(d >= 0)))``.
    rho_a, rho_b : float
        Spearman rho of each with the expert consensus on those items.
    n_items, n_patients : int
        Items both configurations valued, and their patients.
    n_dropped : int
        Items with a consensus that one of the two configurations did not value.
    n_boot : int
    method : str
    alpha : float
    """

    a: str
    b: str
    w_a: float
    w_b: float
    delta_w: float
    w_a_ci: tuple[float, float]
    w_b_ci: tuple[float, float]
    ci_low: float
    ci_high: float
    p: float
    rho_a: float
    rho_b: float
    n_items: int
    n_patients: int
    n_dropped: int
    n_boot: int
    method: str
    alpha: float


def paired_delta_w(
    data: ExploreData,
    a: str,
    b: str,
    *,
    n_boot: int | None = None,
    seed: int | None = None,
    ci_method: CIMethod | None = None,
    alpha: float | None = None,
) -> PairedDeltaW:
    """ΔW = W(b) - W(a) of two configurations of the same judge, paired on items and resamples.

    Both W are computed against the expert consensus of their criterion on
    the items *both* configurations valued (an item one of them failed is
    left out of both, so the difference compares like with like). The
    patients are resampled once (the run's resamples: same ``n_boot`` and
    ``seed`` as notebook 05) and both W are recomputed on every resample, so
    the interval is that of the paired difference (patient-cluster bootstrap,
    :mod:`radjudge.concordance.bootstrap`).

    Parameters
    ----------
    data : ExploreData
    a, b : str
        Configuration ids (:func:`config_id`) of the same judge.
    n_boot, seed, ci_method, alpha : optional
        Default: the run's settings (``data.bootstrap``).

    Raises
    ------
    ValueError
        If ``a`` and ``b`` belong to different judges (a difference between
        judges is not a paired factor effect) or one is a metric baseline.
    """
    ra, rb = data.config(a), data.config(b)
    if ra["judge"] != rb["judge"]:
        raise ValueError(
            f"compare two configurations of the same judge; got {ra['judge']!r} and {rb['judge']!r}"
        )
    if "metric" in (ra["judge_kind"], rb["judge_kind"]):
        raise ValueError(
            f"{ra['judge']!r} is a metric baseline: a reference line, not a study arm to compare"
        )
    s = data.bootstrap
    n_boot = int(s["n_boot"] if n_boot is None else n_boot)
    seed = int(s["seed"] if seed is None else seed)
    method: CIMethod = check_choice(
        "ci_method", s["ci_method"] if ci_method is None else ci_method, CIMethod
    )
    alpha = float(s["alpha"] if alpha is None else alpha)
    conc = data.concordance
    pair = []
    for row in (ra, rb):
        pair.append(
            np.stack(
                [conc.consensus(str(row["criterion"])), conc.judge_values[int(row["row"])]], axis=1
            )
        )
    x = np.stack(pair)  # (2, n_items, 2 raters)
    complete = np.isfinite(x).all(axis=(0, 2))
    with_consensus = np.isfinite(x[:, :, 0]).all(axis=0)
    x[:, ~complete, :] = np.nan  # the same items for both
    # The run's resamples: counts over all patients, as notebook 05 draws them.
    counts = resample_counts(conc.n_patients, n_boot=n_boot, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedStatisticWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        w = np.asarray(kendall_w(x).w, dtype=float)
        both = resampled_kendall_w(
            x, conc.patients, np.vstack([counts, jackknife_counts(conc.n_patients)])
        )
        rep, jack = both[:, :n_boot], both[:, n_boot:]
        each = bootstrap_interval(w, rep, jackknife=jack, method=method, confidence_level=1 - alpha)
        d_rep = rep[1] - rep[0]
        low, high = bootstrap_interval(
            np.array(w[1] - w[0]),
            d_rep,
            jackknife=jack[1] - jack[0],
            method=method,
            confidence_level=1 - alpha,
        )
        rhos = [rank_correlation(x[k, complete, 0], x[k, complete, 1]) for k in (0, 1)]
    ok = d_rep[np.isfinite(d_rep)]
    p = float(min(1.0, 2 * min(np.mean(ok <= 0), np.mean(ok >= 0)))) if ok.size else float("nan")
    return PairedDeltaW(
        a=a,
        b=b,
        w_a=float(w[0]),
        w_b=float(w[1]),
        delta_w=float(w[1] - w[0]),
        w_a_ci=(float(each[0][0]), float(each[1][0])),
        w_b_ci=(float(each[0][1]), float(each[1][1])),
        ci_low=float(low),
        ci_high=float(high),
        p=p,
        rho_a=float(rhos[0]),
        rho_b=float(rhos[1]),
        n_items=int(complete.sum()),
        n_patients=int(pd.unique(conc.patients[complete]).size),
        n_dropped=int((with_consensus & ~complete).sum()),
        n_boot=n_boot,
        method=method,
        alpha=alpha,
    )


def default_comparison(data: ExploreData, judge: str) -> tuple[str, str] | None:
    """A natural pair for the compare view: two configurations of ``judge`` that differ in
    one factor only, preferring valid ones (:func:`flagged`), then granularity ``full`` vs
    ``extremes``; None if the judge has fewer than two configurations."""
    rows = data.grid[(data.grid["judge"] == judge) & (data.grid["judge_kind"] == "llm")]
    if len(rows) < 2:
        return None
    cols = [c for c in data.config_columns if c != "judge"]
    ids = list(rows.set_index("config_id").iterrows())
    best: tuple[tuple[int, int], tuple[str, str]] | None = None
    for i, (id_a, ra) in enumerate(ids):
        for id_b, rb in ids[i + 1 :]:
            differ = [c for c in cols if _key(ra[c]) != _key(rb[c])]
            if len(differ) != 1:
                continue
            levels = {_key(ra[differ[0]]), _key(rb[differ[0]])}
            n_flagged = int(flagged(ra)) + int(flagged(rb))
            usual = differ[0] == "granularity" and levels == {"full", "extremes"}
            rank = (n_flagged, 0 if usual else 1)
            pair = (id_b, id_a) if _key(ra[differ[0]]) == "extremes" else (id_a, id_b)
            if best is None or rank < best[0]:
                best = (rank, pair)
    return best[1] if best else (ids[0][0], ids[1][0])
