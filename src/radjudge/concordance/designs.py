"""From the tidy rating tables to aligned rating matrices: items, expert consensus, judge values.

Definitions used by every analysis of :mod:`radjudge.concordance.analysis`:

Item
    One summary: a ``(patient_id, summarizer)`` pair rated by the experts.
    Items come from the expert table (the reference); a judge rating of a
    summary no expert rated cannot enter a comparison and is counted
    (``n_items_unmatched``).
Cluster
    The patient. The bootstrap and the cross-validation resample patients.
Expert consensus
    Per item and criterion, the mean of the non-missing expert scores (a
    missing expert score is never filled; an item no expert scored has no
    consensus). A mean keeps the full information of the panel, and its ranks
    are what Kendall's W compares. All experts must rate a criterion on the
    same scale (one ``scale_max`` per criterion), else the mean is
    meaningless and :func:`prepare_data` raises.
Judge configuration
    One combination of ``config_columns`` (default ``judge, criterion, scale,
    granularity``; add e.g. a prompt column if the sweep varies it). Its
    ``judge_kind`` is ``llm`` (a study arm) or ``metric`` (a reference line,
    whose scale and granularity are NA); one judge has one kind.
Judge value of an item
    The mean over repeats of the per-repeat value, using only rows with
    ``status == "ok"``. The per-repeat value is ``expected_score`` when it is
    not NaN (log-probability judges: the probability-weighted mean score, a
    continuous value that rarely ties), else ``score`` (generated answers:
    integer scores; ties get mid-ranks). Rows with another status are
    *missing*, never scores; they are counted per configuration
    (``n_failed_rows``), and an item with no ok repeat is missing
    (``n_missing``). The rule is :func:`radjudge.judge.item_values`, which the
    validity gate of notebook 04 uses too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd

from radjudge.checks import check_choice
from radjudge.contracts import (
    CONFIG_COLUMNS,
    EXPERT_RATINGS,
    ITEM_COLUMNS,
    JUDGE_KINDS,
    JUDGE_RATINGS,
    JUDGE_STATUSES,
    JUDGE_VALIDITY,
    ContractError,
)
from radjudge.judge.validity import item_values

__all__ = [
    "ConcordanceData",
    "expert_consensus",
    "judge_item_values",
    "prepare_data",
]

ValueSource = Literal["auto", "score", "expected_score"]


def _floats(series: pd.Series) -> np.ndarray:
    return (
        pd.to_numeric(series, errors="raise")
        .astype("Float64")
        .to_numpy(dtype=float, na_value=np.nan)
    )


def _check_experts(experts: pd.DataFrame) -> pd.DataFrame:
    EXPERT_RATINGS.check(experts, source="expert_ratings", core_only=True)
    df = experts.loc[:, list(EXPERT_RATINGS.core)].copy()
    for col in ("expert_id", "expert_category", "patient_id", "summarizer", "criterion"):
        if df[col].isna().any():
            row = int(np.flatnonzero(df[col].isna().to_numpy())[0])
            raise ValueError(
                f"expert_ratings: column {col!r} is missing in row {row}; every row needs it"
            )
        df[col] = df[col].astype(str)
    df["score"] = _floats(df["score"])
    df["scale_max"] = _floats(df["scale_max"])
    bad_scale = ~(df["scale_max"].to_numpy() >= 2)
    if bad_scale.any():
        row = int(np.flatnonzero(bad_scale)[0])
        raise ValueError(
            f"expert_ratings row {row}: scale_max must be an integer >= 2; got "
            f"{df['scale_max'].iat[row]}"
        )
    key = ["expert_id", *ITEM_COLUMNS, "criterion"]
    dup = df.duplicated(key, keep=False)
    if dup.any():
        ex = df.loc[dup, key].head(3).to_dict("records")
        raise ValueError(
            f"expert_ratings: {int(dup.sum())} rows repeat an (expert, item, criterion), e.g. {ex}"
        )
    scored = ~np.isnan(df["score"].to_numpy())
    bad = (
        scored
        & ((df["score"] < 1) | (df["score"] > df["scale_max"]) | (df["score"] % 1 != 0)).to_numpy()
    )
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"expert_ratings row {row}: score {df['score'].iat[row]} is not an integer in "
            f"1..scale_max={df['scale_max'].iat[row]}"
        )
    scales = df.groupby("criterion")["scale_max"].nunique()
    if (scales > 1).any():
        raise ValueError(
            f"expert_ratings: criteria {list(scales[scales > 1].index)} are rated on several "
            "scales (scale_max); the consensus (a mean) needs one scale per criterion"
        )
    cats = df.groupby("expert_id")["expert_category"].nunique()
    if (cats > 1).any():
        raise ValueError(
            f"expert_ratings: experts {list(cats[cats > 1].index)} have several categories"
        )
    return df


def _check_judges(judges: pd.DataFrame, config_columns: Sequence[str]) -> pd.DataFrame:
    JUDGE_RATINGS.check(judges, source="judge_ratings", core_only=True)
    missing = [c for c in config_columns if c not in judges.columns]
    if missing:
        raise ContractError(
            f"judge_ratings lacks the configuration column(s) {missing}; it has "
            f"{list(judges.columns)}"
        )
    cols = list(dict.fromkeys([*config_columns, *JUDGE_RATINGS.core]))
    df = judges.loc[:, cols].copy()
    for col in ("patient_id", "summarizer", "criterion", "judge", "judge_kind"):
        df[col] = df[col].astype(str)
    bad_kind = sorted(set(df["judge_kind"]) - set(JUDGE_KINDS))
    if bad_kind:
        raise ValueError(
            f"judge_ratings: unknown judge_kind value(s) {bad_kind}; allowed: {list(JUDGE_KINDS)}"
        )
    kinds = df.groupby("judge")["judge_kind"].nunique()
    if (kinds > 1).any():
        raise ValueError(
            f"judge_ratings: judges {list(kinds[kinds > 1].index)} have several judge_kind values"
        )
    unknown = sorted(set(df["status"].astype(str)) - set(JUDGE_STATUSES))
    if unknown:
        raise ValueError(
            f"judge_ratings: unknown status value(s) {unknown}; allowed: {list(JUDGE_STATUSES)}"
        )
    df["status"] = df["status"].astype(str)
    df["score"] = _floats(df["score"])
    df["expected_score"] = _floats(df["expected_score"])
    key = [*config_columns, "repeat", *ITEM_COLUMNS]
    dup = df.duplicated(key, keep=False)
    if dup.any():
        ex = df.loc[dup, key].head(3).to_dict("records")
        raise ValueError(
            f"judge_ratings: {int(dup.sum())} rows repeat a (configuration, repeat, item), e.g. "
            f"{ex}"
        )
    return df


def judge_item_values(
    judge_ratings: pd.DataFrame,
    *,
    config_columns: Sequence[str] = CONFIG_COLUMNS,
    value: ValueSource = "auto",
) -> pd.DataFrame:
    """Per configuration and item: the judge's value, averaged over ok repeats.

    Parameters
    ----------
    judge_ratings : pandas.DataFrame
        The stage-04 table (core columns of :data:`radjudge.contracts.JUDGE_RATINGS`
        plus ``config_columns``).
    config_columns : sequence of str, default ``("judge", "criterion", "scale", "granularity")``
    value : {"auto", "score", "expected_score"}, default "auto"
        ``"auto"``: ``expected_score`` where it is not NaN, else ``score``.

    Returns
    -------
    pandas.DataFrame
        ``config_columns..., patient_id, summarizer, value, n_ok, n_failed``;
        ``value`` is NaN when no repeat was ok.

    Raises
    ------
    ValueError
        If an ok row has no usable value, or a column is missing.
    """
    check_choice("value", value, ValueSource)
    df = _check_judges(judge_ratings, config_columns)
    return item_values(df, list(config_columns), value=value)


def expert_consensus(
    expert_ratings: pd.DataFrame, *, experts: Sequence[str] | None = None
) -> pd.DataFrame:
    """Per criterion and item: the mean of the non-missing expert scores.

    Parameters
    ----------
    expert_ratings : pandas.DataFrame
        The stage-03 table (core columns of :data:`radjudge.contracts.EXPERT_RATINGS`).
    experts : sequence of str, optional
        Use only these expert ids (e.g. one category, or all but one).

    Returns
    -------
    pandas.DataFrame
        ``criterion, patient_id, summarizer, scale_max, consensus, n_experts, n_missing``;
        ``consensus`` is NaN where no expert scored the item.
    """
    df = _check_experts(expert_ratings)
    if experts is not None:
        df = df[df["expert_id"].isin([str(e) for e in experts])]
    df = df.assign(_scored=~np.isnan(df["score"].to_numpy()))
    out = (
        df.groupby(["criterion", *ITEM_COLUMNS], sort=True)
        .agg(
            scale_max=("scale_max", "first"),
            consensus=("score", "mean"),
            n_experts=("_scored", "sum"),
            n_rows=("_scored", "size"),
        )
        .reset_index()
    )
    out["n_missing"] = out.pop("n_rows") - out["n_experts"]
    return out


@dataclass(frozen=True)
class ConcordanceData:
    """The rating tables as aligned matrices; built by :func:`prepare_data`.

    Attributes
    ----------
    items : pandas.DataFrame
        ``patient_id, summarizer`` of the ``n_items`` items, sorted.
    patients : ndarray of str, shape (n_items,)
        Patient (cluster) of each item.
    criteria : list of str
        Criteria the experts rated.
    expert_scale : dict
        Criterion -> expert ``scale_max``.
    experts : pandas.DataFrame
        ``expert_id, expert_category`` (sorted by id); column order of ``expert_scores``.
    expert_scores : dict
        Criterion -> ndarray (n_items, n_experts), NaN = not scored.
    configs : pandas.DataFrame
        One row per judge configuration: ``config_columns..., judge_kind,
        valid, validity_reason, n_rows, n_failed_rows, n_items_valued,
        n_items_unmatched``. Row ``k`` is ``judge_values[k]``. ``valid`` and
        ``validity_reason`` come from the validity gate of notebook 04 (all
        valid when :func:`prepare_data` got no validity table).
    judge_values : ndarray, shape (n_configs, n_items)
        Judge value per configuration and item (NaN = missing).
    config_columns : tuple of str
    dropped_configs : pandas.DataFrame
        Configurations whose criterion no expert rated (cannot be compared).
    """

    items: pd.DataFrame
    patients: np.ndarray
    criteria: list[str]
    expert_scale: dict[str, float]
    experts: pd.DataFrame
    expert_scores: dict[str, np.ndarray]
    configs: pd.DataFrame
    judge_values: np.ndarray
    config_columns: tuple[str, ...]
    dropped_configs: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def n_items(self) -> int:
        return int(self.items.shape[0])

    @property
    def n_patients(self) -> int:
        return int(pd.unique(self.patients).size)

    def consensus(
        self, criterion: str, experts: Sequence[int] | np.ndarray | None = None
    ) -> np.ndarray:
        """Mean of the non-missing expert scores per item; ``experts`` = column indices to use."""
        scores = self.expert_scores[criterion]
        if experts is not None:
            scores = scores[:, np.asarray(experts, dtype=int)]
        counted = (~np.isnan(scores)).sum(axis=1)
        total = np.nansum(scores, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(counted > 0, total / np.maximum(counted, 1), np.nan)

    def category_columns(self, category: str) -> np.ndarray:
        """Column indices (in ``expert_scores``) of the experts of one category."""
        return np.flatnonzero(self.experts["expert_category"].to_numpy() == category)

    def active_experts(self, criterion: str) -> np.ndarray:
        """Column indices of the experts who scored at least one item on ``criterion``."""
        return np.flatnonzero((~np.isnan(self.expert_scores[criterion])).any(axis=0))

    def subset(self, rows: Sequence[int] | np.ndarray) -> ConcordanceData:
        """The same data with only the configurations ``rows`` (positions in ``configs``)."""
        rows = np.asarray(rows, dtype=int)
        return replace(
            self,
            configs=self.configs.iloc[rows].reset_index(drop=True),
            judge_values=self.judge_values[rows],
        )

    def llm(self, *, valid_only: bool = False) -> ConcordanceData:
        """Only the LLM configurations (no reference lines); with ``valid_only``, the valid ones."""
        keep = (self.configs["judge_kind"] == "llm").to_numpy()
        if valid_only:
            keep = keep & self.configs["valid"].to_numpy(dtype=bool)
        return self.subset(np.flatnonzero(keep))

    def config_label(self, k: int, columns: Sequence[str] | None = None) -> str:
        """Readable label of configuration ``k``: ``"judge=gemma, scale=5, granularity=full"``."""
        row = self.configs.iloc[k]
        cols = columns if columns is not None else self.config_columns
        return ", ".join(f"{c}={row[c]}" for c in cols)


def _validity_marks(config_keys: pd.DataFrame, validity: pd.DataFrame | None) -> pd.DataFrame:
    """``valid, validity_reason`` of each configuration, from the validity table of notebook 04."""
    if validity is None:
        return pd.DataFrame(
            {"valid": True, "validity_reason": None}, index=config_keys.index
        ).astype({"validity_reason": object})
    JUDGE_VALIDITY.check(validity, source="judge_validity", core_only=True)
    on = [c for c in CONFIG_COLUMNS if c in config_keys.columns]

    def key(df: pd.DataFrame) -> pd.Series:
        # one string per configuration, NA-safe (a metric has no scale and no granularity)
        parts = [
            (pd.to_numeric(df[c]).astype("Int64") if c == "scale" else df[c])
            .astype("string")
            .fillna("<NA>")
            for c in on
        ]
        return pd.Series(["\x1f".join(t) for t in zip(*parts, strict=True)], index=df.index)

    table = validity.assign(_key=key(validity)).drop_duplicates("_key").set_index("_key")
    keys = key(config_keys)
    missing = ~keys.isin(table.index)
    if missing.any():
        ex = config_keys.loc[missing, on].head(3).to_dict("records")
        raise ValueError(
            f"judge_validity lacks {int(missing.sum())} configuration(s) of judge_ratings, e.g. "
            f"{ex}: the two tables come from different runs of notebook 04; re-run it"
        )
    reason = table.loc[keys, "validity_reason"].to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "valid": table.loc[keys, "valid"].astype(bool).to_numpy(),
            "validity_reason": [None if pd.isna(r) else str(r) for r in reason],
        },
        index=config_keys.index,
    )


def prepare_data(
    expert_ratings: pd.DataFrame,
    judge_ratings: pd.DataFrame,
    *,
    config_columns: Sequence[str] = CONFIG_COLUMNS,
    value: ValueSource = "auto",
    validity: pd.DataFrame | None = None,
) -> ConcordanceData:
    """Validate the two tidy tables and align them on the expert items.

    Parameters
    ----------
    expert_ratings : pandas.DataFrame
        Stage-03 table (core columns of :data:`radjudge.contracts.EXPERT_RATINGS`; others
        ignored).
    judge_ratings : pandas.DataFrame
        Stage-04 table (core columns of :data:`radjudge.contracts.JUDGE_RATINGS` +
        ``config_columns``).
    config_columns : sequence of str, default ``("judge", "criterion", "scale", "granularity")``
        Must contain ``"judge"`` and ``"criterion"``.
    value : {"auto", "score", "expected_score"}, default "auto"
        See :func:`judge_item_values`.
    validity : pandas.DataFrame, optional
        The judge validity table of notebook 04
        (:data:`radjudge.contracts.JUDGE_VALIDITY`): its ``valid`` and
        ``validity_reason`` mark each configuration (matched on ``judge,
        criterion, scale, granularity``). Without it every configuration is
        valid (the grid still marks a constant judge).

    Returns
    -------
    ConcordanceData

    Raises
    ------
    ValueError
        Missing columns, duplicate ratings, scores outside the scale, a
        criterion on several expert scales, unknown statuses or judge kinds,
        an ok judge row without a value, a configuration the validity table
        lacks.
    """
    config_columns = tuple(config_columns)
    if "judge" not in config_columns or "criterion" not in config_columns:
        raise ValueError(
            f"config_columns must include 'judge' and 'criterion'; got {config_columns}"
        )
    experts = _check_experts(expert_ratings)
    if experts.empty:
        raise ValueError("expert_ratings is empty")
    items = experts.loc[:, list(ITEM_COLUMNS)].drop_duplicates().sort_values(list(ITEM_COLUMNS))
    items = items.reset_index(drop=True)
    item_index = pd.MultiIndex.from_frame(items)
    roster = (
        experts.loc[:, ["expert_id", "expert_category"]].drop_duplicates().sort_values("expert_id")
    ).reset_index(drop=True)
    criteria = sorted(experts["criterion"].unique())
    expert_scores = {}
    for crit in criteria:
        wide = experts[experts["criterion"] == crit].pivot(
            index=list(ITEM_COLUMNS), columns="expert_id", values="score"
        )
        wide = wide.reindex(index=item_index, columns=roster["expert_id"])
        expert_scores[crit] = wide.to_numpy(dtype=float)
    expert_scale = experts.groupby("criterion")["scale_max"].first().astype(float).to_dict()

    values = judge_item_values(judge_ratings, config_columns=config_columns, value=value)
    config_keys = values.loc[:, list(config_columns)].drop_duplicates().reset_index(drop=True)
    known = config_keys["criterion"].isin(criteria).to_numpy()
    dropped = config_keys[~known].reset_index(drop=True)
    config_keys = config_keys[known].reset_index(drop=True)
    values = values[values["criterion"].isin(criteria)]

    matrix = np.full((len(config_keys), len(items)), np.nan)
    # one pass: configuration row and item column of every (configuration, item) value
    row = pd.MultiIndex.from_frame(config_keys).get_indexer(
        pd.MultiIndex.from_frame(values.loc[:, list(config_columns)])
    )
    col = item_index.get_indexer(pd.MultiIndex.from_frame(values.loc[:, list(ITEM_COLUMNS)]))
    matched = col >= 0
    matrix[row[matched], col[matched]] = values["value"].to_numpy(dtype=float)[matched]
    counts = (
        pd.DataFrame(
            {
                "row": row,
                "n_rows": values["n_ok"].to_numpy() + values["n_failed"].to_numpy(),
                "n_failed_rows": values["n_failed"].to_numpy(),
                "n_items_unmatched": ~matched,
            }
        )
        .groupby("row")
        .sum()
    )
    stats = counts.reindex(np.arange(len(config_keys)), fill_value=0).astype(int)
    stats["n_items_valued"] = np.isfinite(matrix).sum(axis=1)
    stats = stats.loc[:, ["n_rows", "n_failed_rows", "n_items_valued", "n_items_unmatched"]]
    stats.index = config_keys.index
    kinds = judge_ratings.groupby(judge_ratings["judge"].astype(str))["judge_kind"].first()
    marks = _validity_marks(config_keys, validity)
    configs = pd.concat(
        [config_keys, config_keys["judge"].map(kinds).rename("judge_kind"), marks, stats], axis=1
    )
    return ConcordanceData(
        items=items,
        patients=items["patient_id"].to_numpy(dtype=str),
        criteria=criteria,
        expert_scale=expert_scale,
        experts=roster,
        expert_scores=expert_scores,
        configs=configs,
        judge_values=matrix,
        config_columns=config_columns,
        dropped_configs=dropped,
    )
