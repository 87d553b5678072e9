"""Synthetic expert and judge rating tables in the stage-03/04 contracts, with known structure.

For tests and the speed benchmark of the concordance analysis, before (and
independently of) the real demo tables. Every summary has a latent quality per
criterion (a patient effect + a summarizer effect + noise); experts and judges
see it through noise and round it onto their scale. A judge's noise shrinks
with its ``skill``, with the granularity of the prompt (full > extremes >
none) and grows for the largest scale, so the analysis has real effects to
find. Half of the judges answer with log-probabilities (continuous
``expected_score``), the others with generated integer scores; a share of the
judge rows fails (status != ok, no score). Optional extras: reference-line
``metrics`` (``judge_kind = "metric"``: a value in [0, 1] that follows the mean
quality over the criteria, no scale, no granularity) and ``constant_judges``
that give the lowest score to every summary (the validity gate's ``constant``).
Nothing here is study data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from radjudge.contracts import CRITERIA, EXPERT_RATINGS, GRANULARITIES, ITEM_COLUMNS, JUDGE_RATINGS

__all__ = ["SyntheticTables", "simulate_tables"]

_GRANULARITY_NOISE = {"full": 0.8, "extremes": 1.0, "none": 1.3}


@dataclass(frozen=True)
class SyntheticTables:
    """Tables from :func:`simulate_tables`.

    Attributes
    ----------
    expert_ratings : pandas.DataFrame
        The columns of :data:`radjudge.contracts.EXPERT_RATINGS`.
    judge_ratings : pandas.DataFrame
        The columns of :data:`radjudge.contracts.JUDGE_RATINGS` (the bookkeeping
        columns - model, language, cache - say there was no model).
    quality : pandas.DataFrame
        The latent quality: ``patient_id, summarizer, criterion, quality``.
    """

    expert_ratings: pd.DataFrame
    judge_ratings: pd.DataFrame
    quality: pd.DataFrame


def _to_scale(z: np.ndarray, scale: int) -> np.ndarray:
    """Map a standard-normal-ish latent onto 1..scale (continuous)."""
    return np.clip(1 + (scale - 1) * (0.5 + z / 4.0), 1, scale)


def simulate_tables(
    *,
    n_patients: int = 30,
    summarizers: Sequence[str] = ("gold", "extractive", "llm_a", "llm_b", "llm_c", "llm_d"),
    criteria: Sequence[str] = CRITERIA,
    experts: Mapping[str, int] | None = None,
    expert_scale: int = 5,
    judges: Mapping[str, float] | None = None,
    scales: Sequence[int] = (3, 5, 10),
    granularities: Sequence[str] = GRANULARITIES,
    n_repeats: int = 1,
    failure_rate: float = 0.02,
    expert_missing_rate: float = 0.01,
    metrics: Sequence[str] = (),
    constant_judges: Sequence[str] = (),
    seed: int = 0,
) -> SyntheticTables:
    """Simulate expert and judge ratings of ``n_patients * len(summarizers)`` summaries.

    Parameters
    ----------
    n_patients : int, default 30
    summarizers : sequence of str
    criteria : sequence of str, default the six study criteria
    experts : mapping category -> number of experts, default
        ``{"radiologist": 4, "clinician": 4, "resident": 2}``
    expert_scale : int, default 5
    judges : mapping judge -> skill (noise divisor), default four judges
        ``{"judge_a": 2.0, "judge_b": 1.2, "judge_c": 0.8, "judge_d": 0.4}``;
        the first and third answer with log-probabilities.
    scales, granularities : sequences
        The judge grid.
    n_repeats : int, default 1
    failure_rate : float, default 0.02
        Share of judge rows with a failed status.
    expert_missing_rate : float, default 0.01
        Share of expert scores left missing.
    metrics : sequence of str, default ()
        Names of metric judges (reference lines) to add.
    constant_judges : sequence of str, default ()
        Names of LLM judges that score every summary 1 (log-probabilities), on the grid.
    seed : int, default 0

    Returns
    -------
    SyntheticTables
    """
    rng = np.random.default_rng(seed)
    experts = dict(experts or {"radiologist": 4, "clinician": 4, "resident": 2})
    if judges is None:
        judges = {"judge_a": 2.0, "judge_b": 1.2, "judge_c": 0.8, "judge_d": 0.4}
    judges = dict(judges)  # {} = no LLM judge of varying skill (only metrics/constant ones)
    patients = [f"P{i + 1:03d}" for i in range(n_patients)]
    items = pd.DataFrame(
        [(p, s) for p in patients for s in summarizers], columns=list(ITEM_COLUMNS)
    )
    n = len(items)
    p_idx = np.repeat(np.arange(n_patients), len(summarizers))
    s_idx = np.tile(np.arange(len(summarizers)), n_patients)

    quality = {}
    for crit in criteria:
        patient_eff = rng.normal(scale=0.6, size=n_patients)
        summarizer_eff = rng.normal(scale=0.8, size=len(summarizers))
        quality[crit] = patient_eff[p_idx] + summarizer_eff[s_idx] + rng.normal(scale=0.6, size=n)

    expert_rows = []
    category_noise = {c: 0.45 + 0.25 * k for k, c in enumerate(experts)}
    e = 0
    for category, count in experts.items():
        for _ in range(count):
            e += 1
            bias = rng.normal(scale=0.2)
            for crit in criteria:
                latent = quality[crit] + bias + rng.normal(scale=category_noise[category], size=n)
                score = np.rint(_to_scale(latent, expert_scale)).astype("int64")
                missing = rng.random(n) < expert_missing_rate
                expert_rows.append(
                    pd.DataFrame(
                        {
                            "expert_id": f"E{e:02d}",
                            "expert_category": category,
                            "patient_id": items["patient_id"],
                            "summarizer": items["summarizer"],
                            "criterion": crit,
                            "scale_max": expert_scale,
                            "score": pd.array(np.where(missing, 0, score), dtype="Int64"),
                            "_missing": missing,
                        }
                    )
                )
    expert_ratings = pd.concat(expert_rows, ignore_index=True)
    expert_ratings.loc[expert_ratings.pop("_missing").to_numpy(), "score"] = pd.NA
    expert_ratings["n_raters_averaged"] = pd.array([1] * len(expert_ratings), dtype="Int64")
    expert_ratings["source_file"] = "synthetic"
    expert_ratings = expert_ratings[list(EXPERT_RATINGS.names())]

    judge_rows = []

    def fixed_rows(judge, kind, crit, scale, gran, score, value, raw, mode) -> pd.DataFrame:
        """One error-free configuration of a constant or metric judge (every item ok)."""
        return items.assign(
            judge=judge,
            judge_kind=kind,
            criterion=crit,
            scale=scale,
            granularity=gran,
            repeat=0,
            score=pd.array([score] * n, dtype="Int64"),
            expected_score=value,
            distribution=None,
            status="ok",
            raw=raw,
            prompt_hash=f"{judge}-{crit}-{scale}-{gran}",
            prompt_tokens=500,
            completion_tokens=1,
            latency_s=0.1,
            mode=mode,
            _failed=False,
        )

    for judge in constant_judges:
        for crit in criteria:
            for scale in scales:
                for gran in granularities:
                    judge_rows.append(
                        fixed_rows(judge, "llm", crit, scale, gran, 1, 1.0, "1", "logprobs")
                    )
    mean_quality = np.mean([quality[c] for c in criteria], axis=0)
    for judge in metrics:
        value = 1 / (1 + np.exp(-(mean_quality + rng.normal(scale=0.8, size=n))))
        raw = [f"{v:.6f}" for v in value]
        for crit in criteria:
            judge_rows.append(
                fixed_rows(judge, "metric", crit, pd.NA, None, pd.NA, value, raw, "metric")
            )
    for j, (judge, skill) in enumerate(judges.items()):
        mode = "logprobs" if j % 2 == 0 else "generate"
        for crit in criteria:
            for scale in scales:
                scale_noise = 1.0 + 0.3 * (scale == max(scales))
                for gran in granularities:
                    sd = _GRANULARITY_NOISE.get(gran, 1.0) * scale_noise / skill
                    for rep in range(n_repeats):
                        latent = quality[crit] + rng.normal(scale=sd, size=n)
                        cont = _to_scale(latent, scale)
                        if mode == "logprobs":
                            expected = cont
                            score = np.rint(cont)
                        else:
                            expected = np.full(n, np.nan)
                            score = np.rint(cont)
                        failed = rng.random(n) < failure_rate
                        status = np.where(failed, "unparseable", "ok")
                        judge_rows.append(
                            pd.DataFrame(
                                {
                                    "judge": judge,
                                    "judge_kind": "llm",
                                    "criterion": crit,
                                    "scale": scale,
                                    "granularity": gran,
                                    "repeat": rep,
                                    "patient_id": items["patient_id"],
                                    "summarizer": items["summarizer"],
                                    "score": pd.array(
                                        np.where(failed, 0, score).astype("int64"), dtype="Int64"
                                    ),
                                    "expected_score": np.where(failed, np.nan, expected),
                                    "distribution": None,
                                    "status": status,
                                    "raw": np.where(failed, "?", score.astype(int).astype(str)),
                                    "prompt_hash": f"{judge}-{crit}-{scale}-{gran}",
                                    "prompt_tokens": 500,
                                    "completion_tokens": 1,
                                    "latency_s": 0.1,
                                    "mode": mode,
                                    "_failed": failed,
                                }
                            )
                        )
    judge_ratings = pd.concat(judge_rows, ignore_index=True)
    judge_ratings.loc[judge_ratings.pop("_failed").to_numpy(), "score"] = pd.NA
    judge_ratings["scale"] = pd.array(judge_ratings["scale"].tolist(), dtype="Int64")
    llm = (judge_ratings["judge_kind"] == "llm").to_numpy()
    judge_ratings = judge_ratings.assign(
        # no model behind a synthetic LLM judge (NA); a metric's "model" is its name, as in 04
        model=pd.Series(np.where(llm, None, judge_ratings["judge"]), dtype=object),
        language="ru",
        valid_mass=np.where(judge_ratings["mode"] == "logprobs", 0.9, np.nan),
        entropy=np.nan,
        n_samples=0,
        n_valid=0,
        cached=False,
    )
    judge_ratings = judge_ratings[list(JUDGE_RATINGS.names())]  # the stage-04 table exactly
    quality_table = pd.concat(
        [items.assign(criterion=c, quality=q) for c, q in quality.items()], ignore_index=True
    )
    return SyntheticTables(expert_ratings, judge_ratings, quality_table)
