"""Is a judge configuration measuring anything? The validity report and gate of notebook 04.

:func:`validity_report` summarises, per judge configuration (judge x
criterion x scale x granularity), what the judge's answers were - the share
of each status, the valid-label mass, the cost - and applies the **validity
gate** of :class:`ValidityGate`. The gate runs before any headline number: a
configuration that fails it stays in every table, marked ``valid = False``
with its ``validity_reason``, and is left out of the best-configuration choice,
the factor effects and the headline summaries of notebook 05.

The checks, in the order of :data:`radjudge.contracts.VALIDITY_REASONS`
(thresholds from the profile, ``shared.validity_gate``, read by notebooks 04
and 05; ``None`` turns a check off):

``few_valid_answers``
    the share of rows with status ``ok`` is below ``min_share_ok``: W would be
    computed on a subset the judge chose by failing;
``low_valid_mass``
    (log-prob judges) the mean probability the model put on the valid labels is
    below ``min_valid_mass``: renormalised over the labels, the rest is noise;
``constant``
    one value for every summary: W against anything is undefined (for two
    raters W = (1 + rho) / 2 and rho is 0/0), never 0.5 (a configuration
    without any value is ``few_valid_answers``, whatever ``min_share_ok``);
``no_spread``
    the standard deviation of the judge's values is below ``min_spread`` of the
    scale's range (N - 1): rounded to the scale, the judge would be constant;
``no_discrimination``
    the AUC of the reference-quality summaries (``reference_summarizers``, e.g.
    the gold summary) against the degenerate ones (summary flag not ``ok``) is
    below ``min_auc``: the judge cannot tell what any reader tells. Skipped (NA,
    documented in the table) when either group is empty - real records have no
    reference-quality summarizer;
``low_spearman``
    applied in notebook 05 (it needs the experts; ``min_spearman``), off by
    default and in every profile: gating on agreement with the experts would
    select configurations on the very outcome the study measures and bias every
    headline W upwards. Spearman's rho with the expert mean is reported for
    every configuration instead (the grid's ``spearman``).

Metric judges are reference lines, not study arms: only ``constant`` applies
to them (their reference summary is structurally unrated, so the share of ok
rows says nothing about the metric).

The value of a summary is the mean over its ``ok`` repeats of ``expected_score``
when it is not NaN, else ``score`` (:func:`item_values`, the rule notebook 05
uses as well).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from radjudge.contracts import (
    JUDGE_STATUSES,
    JUDGE_VALIDITY,
    VALIDITY_REASONS,
    VALIDITY_THRESHOLDS,
)

__all__ = ["ValidityGate", "item_values", "reference_auc", "validity_report"]


@dataclass(frozen=True)
class ValidityGate:
    """Thresholds of the validity gate (see the module docstring); ``None`` = not checked.

    Attributes
    ----------
    min_share_ok : float or None, default 0.8
        Minimum share of ``ok`` answers.
    min_valid_mass : float or None, default 0.5
        Minimum mean probability on the valid labels (log-prob judges).
    min_spread : float or None, default 0.02
        Minimum SD of the judge values as a fraction of the scale range (N - 1).
    min_auc : float or None, default 0.7
        Minimum AUC of reference-quality vs degenerate summaries (0.5 = chance).
    min_spearman : float or None, default None
        Minimum Spearman rho with the expert mean (notebook 05); None: not gated.
    reference_summarizers : tuple of str, default ()
        Summarizers whose summaries are of reference quality (demo: ``gold``).
    """

    min_share_ok: float | None = 0.8
    min_valid_mass: float | None = 0.5
    min_spread: float | None = 0.02
    min_auc: float | None = 0.7
    min_spearman: float | None = None
    reference_summarizers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in VALIDITY_THRESHOLDS.values():
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
                raise ValueError(f"validity_gate.{name} must be a number or null, got {v!r}")
            low = -1 if name == "min_spearman" else 0
            if v is not None and not low <= v <= 1:
                raise ValueError(f"validity_gate.{name} must lie in [{low}, 1], got {v!r}")
        refs = self.reference_summarizers
        if isinstance(refs, str) or not all(isinstance(r, str) and r for r in refs):
            raise ValueError(
                f"validity_gate.reference_summarizers must be a list of summarizer names, "
                f"got {refs!r}"
            )
        object.__setattr__(self, "reference_summarizers", tuple(refs))

    @property
    def thresholds(self) -> dict[str, float | None]:
        """Threshold name -> value (None = not gated), in the order of the checks."""
        return {name: getattr(self, name) for name in VALIDITY_THRESHOLDS.values()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ValidityGate:
        """From the profile mapping (``None``: the defaults); unknown keys raise, naming them."""
        data = dict(data or {})
        known = [f.name for f in fields(cls)]
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"validity_gate: unknown key(s) {unknown}; allowed: {known}")
        if "reference_summarizers" in data:
            refs = data["reference_summarizers"]
            data["reference_summarizers"] = tuple(refs) if isinstance(refs, list | tuple) else refs
        return cls(**data)


def item_values(ratings: pd.DataFrame, keys: Sequence[str], *, value: str = "auto") -> pd.DataFrame:
    """Per ``keys`` group and item: the mean value over the ``ok`` rows.

    Parameters
    ----------
    ratings : pandas.DataFrame
        Judge ratings with ``keys``, ``patient_id, summarizer, status, score,
        expected_score`` (score and expected_score as float).
    keys : sequence of str
        The configuration columns.
    value : {"auto", "score", "expected_score"}, default "auto"
        ``"auto"``: ``expected_score`` where it is not NaN, else ``score``.

    Returns
    -------
    pandas.DataFrame
        ``keys..., patient_id, summarizer, value, n_ok, n_failed``; ``value``
        is NaN when no row of the item is ok.

    Raises
    ------
    ValueError
        An ``ok`` row without a value.
    """
    score = pd.to_numeric(ratings["score"]).astype("Float64").to_numpy(float, na_value=np.nan)
    expected = (
        pd.to_numeric(ratings["expected_score"]).astype("Float64").to_numpy(float, na_value=np.nan)
    )
    if value == "auto":
        v = np.where(np.isnan(expected), score, expected)
    elif value in ("score", "expected_score"):
        v = score if value == "score" else expected
    else:
        raise ValueError(f"value must be 'auto', 'score' or 'expected_score'; got {value!r}")
    ok = (ratings["status"] == "ok").to_numpy()
    if np.any(ok & np.isnan(v)):
        row = int(np.flatnonzero(ok & np.isnan(v))[0])
        raise ValueError(
            f"judge_ratings row {row}: status is 'ok' but it has no {value} value "
            "(an ok answer must carry a score or expected_score)"
        )
    df = ratings.loc[:, [*keys, "patient_id", "summarizer"]].assign(
        _value=np.where(ok, v, np.nan), _ok=ok
    )
    out = (
        df.groupby([*keys, "patient_id", "summarizer"], sort=True, dropna=False)
        .agg(value=("_value", "mean"), n_ok=("_ok", "sum"), n_rows=("_ok", "size"))
        .reset_index()
    )
    out["n_failed"] = out.pop("n_rows") - out["n_ok"]
    return out


def reference_auc(reference: np.ndarray, degenerate: np.ndarray) -> float:
    """P(a reference-quality value > a degenerate one) + P(tie) / 2; NaN if a group is empty.

    NaN values are left out (a summary the judge did not rate).

    >>> reference_auc(np.array([4.0, 5.0]), np.array([1.0, 4.0]))
    0.875
    >>> reference_auc(np.array([3.0]), np.array([np.nan]))
    nan
    """
    a = np.asarray(reference, dtype=float)
    b = np.asarray(degenerate, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if a.size == 0 or b.size == 0:
        return math.nan
    diff = a[:, None] - b[None, :]
    return float((diff > 0).mean() + 0.5 * (diff == 0).mean())


def _gate_row(
    row: dict[str, Any], values: np.ndarray, kinds: np.ndarray, gate: ValidityGate
) -> dict[str, Any]:
    finite = values[np.isfinite(values)]
    scale = row["scale"]
    value_range = 1.0 if row["judge_kind"] == "metric" else float(scale) - 1.0
    n_distinct = int(np.unique(np.round(finite, 9)).size)
    spread = float(np.std(finite, ddof=1)) / value_range if finite.size >= 2 else math.nan
    ref, deg = values[kinds == "reference"], values[kinds == "degenerate"]
    auc = reference_auc(ref, deg)
    failed = []
    if row["judge_kind"] == "llm":
        checks = {
            "few_valid_answers": (gate.min_share_ok, row["share_ok"]),
            "low_valid_mass": (gate.min_valid_mass, row["mean_valid_mass"]),
            "no_spread": (gate.min_spread, spread),
            "no_discrimination": (gate.min_auc, auc),
        }
    else:
        checks = {}
    for reason in VALIDITY_REASONS:
        if reason == "few_valid_answers" and n_distinct == 0:
            failed.append(reason)  # no value at all: whatever the threshold
            continue
        if reason == "constant":
            if n_distinct == 1:
                failed.append(reason)
            continue
        threshold, measured = checks.get(reason, (None, math.nan))
        if threshold is not None and not math.isnan(measured) and measured < threshold:
            failed.append(reason)
    row.update(
        n_distinct=n_distinct,
        spread=spread,
        n_reference=int(np.isfinite(ref).sum()),
        n_degenerate=int(np.isfinite(deg).sum()),
        auc_reference=auc,
        valid=not failed,
        validity_reason=";".join(failed) if failed else None,
    )
    return row


def validity_report(
    ratings: pd.DataFrame,
    *,
    summaries: pd.DataFrame | None = None,
    gate: ValidityGate | Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Per judge configuration: how many answers were usable, what they cost, and the gate.

    Parameters
    ----------
    ratings : pandas.DataFrame
        The sweep's ratings (:data:`radjudge.contracts.JUDGE_RATINGS`).
    summaries : pandas.DataFrame, optional
        ``patient_id, summarizer, flag`` of the rated summaries; a summary whose
        ``flag`` is not ``ok`` is degenerate (the AUC check). Without it the
        AUC is NA.
    gate : ValidityGate or mapping, optional
        Thresholds (``shared.validity_gate``); the defaults of
        :class:`ValidityGate` if omitted.

    Returns
    -------
    pandas.DataFrame
        One row per (judge, criterion, scale, granularity) in sweep order, the
        columns of :data:`radjudge.contracts.JUDGE_VALIDITY`: rows ``n``; the
        share of each status (they sum to 1); for sampling judges the samples
        drawn and the share that parsed; for log-prob judges the mean mass on
        the valid labels; the gate's measures (``n_distinct``, ``spread``,
        ``n_reference``, ``n_degenerate``, ``auc_reference``), ``valid`` and
        ``validity_reason``; prompt and completion tokens (total and mean per
        row), compute seconds and the share of cache hits.
    """
    gate = gate if isinstance(gate, ValidityGate) else ValidityGate.from_dict(gate)
    if ratings.empty:
        return pd.DataFrame(columns=list(JUDGE_VALIDITY.names()))
    keys = ["judge", "judge_kind", "mode", "model", "criterion", "scale", "granularity"]
    kind_of: dict[tuple[str, str], str] = {}
    if summaries is not None:
        for pid, summ, flag in summaries[["patient_id", "summarizer", "flag"]].itertuples(
            index=False
        ):
            if summ in gate.reference_summarizers:
                kind_of[(pid, summ)] = "reference"
            elif flag != "ok":
                kind_of[(pid, summ)] = "degenerate"
    out = []
    for key, g in ratings.groupby(keys, sort=False, dropna=False):
        row = dict(zip(keys, key, strict=True))
        row["n"] = len(g)
        counts = g["status"].value_counts()
        for s in JUDGE_STATUSES:
            row[f"share_{s}"] = float(counts.get(s, 0)) / len(g)
        n_samples = int(g["n_samples"].sum())
        row["n_samples"] = n_samples
        row["share_valid_samples"] = (
            float(g["n_valid"].sum()) / n_samples if n_samples else math.nan
        )
        mass = (
            g.loc[g["status"] == "ok", "valid_mass"]
            if row["mode"] == "logprobs"
            else pd.Series(dtype=float)
        )
        row["mean_valid_mass"] = float(mass.mean()) if len(mass) else math.nan
        v = item_values(g, [])
        kinds = [
            kind_of.get(k, "other") for k in zip(v["patient_id"], v["summarizer"], strict=True)
        ]
        row = _gate_row(row, v["value"].to_numpy(float), np.array(kinds), gate)
        row["prompt_tokens"] = int(g["prompt_tokens"].sum())
        row["mean_prompt_tokens"] = float(g["prompt_tokens"].mean())
        row["completion_tokens"] = int(g["completion_tokens"].sum())
        row["latency_s"] = float(np.round(g["latency_s"].sum(), 3))
        row["share_cached"] = float(g["cached"].mean())
        out.append(row)
    table = pd.DataFrame(out, columns=list(JUDGE_VALIDITY.names()))
    table["scale"] = table["scale"].astype("Int64")
    table["valid"] = table["valid"].astype(bool)
    return table
