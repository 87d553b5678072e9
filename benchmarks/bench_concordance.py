"""Speed of the cluster bootstrap of Kendall's W over the demo-sized grid vs pingouin.friedman.

Workload: the demo grid (4 judges x 6 criteria x 3 scales x 3 granularities =
216 configurations; 30 patients x 6 summaries = 180 items; 10 experts), each
configuration's W of judge vs expert consensus, on 2000 cluster-bootstrap
resamples of the patients: 432,000 W values.

Engine: :func:`radjudge.concordance.resampled_kendall_w` on all 216 x 2000 at once.

Baseline: ``pingouin.friedman`` called once per configuration and resample, as
one would without a vectorized engine. Calling it 432,000 times would take
hours, so a random sample of (configuration, resample) pairs is timed and the
mean time per call is multiplied by 432,000. Only the ``friedman`` call is
timed (its long-format input, with one row per rater and resampled item, is
built beforehand), so the baseline is a lower bound and the ratio conservative.
The sampled calls also check that both give the same W (to 1e-10).

Run: ``python -m benchmarks.bench_concordance`` (or ``make bench``).
"""

from __future__ import annotations

import json
import time
import warnings

import numpy as np
import pandas as pd
import pingouin

from radjudge.concordance import prepare_data, resample_counts, resampled_kendall_w
from radjudge.concordance.bootstrap import cluster_codes
from radjudge.concordance.synthetic import simulate_tables

N_BOOT = 2000
N_SAMPLED_CALLS = 300
SEED = 20240611


def _design() -> tuple[np.ndarray, np.ndarray]:
    tables = simulate_tables(seed=SEED)
    data = prepare_data(tables.expert_ratings, tables.judge_ratings)
    consensus = np.stack([data.consensus(c) for c in data.configs["criterion"]])
    return np.stack([consensus, data.judge_values], axis=2), data.patients


def run() -> dict:
    """Time the engine on the full workload and pingouin on a sample; report the ratio."""
    x, patients = _design()
    codes, n_patients = cluster_codes(patients)
    counts = resample_counts(n_patients, n_boot=N_BOOT, seed=SEED)
    n_configs = x.shape[0]

    t0 = time.perf_counter()
    fast = resampled_kendall_w(x, patients, counts)
    engine_s = time.perf_counter() - t0

    rng = np.random.default_rng(SEED)
    picks = [
        (int(rng.integers(n_configs)), int(rng.integers(N_BOOT))) for _ in range(N_SAMPLED_CALLS)
    ]
    frames, expected = [], []
    for g, b in picks:
        valid = ~np.isnan(x[g]).any(axis=1)
        rows = np.concatenate(
            [np.flatnonzero(valid & (codes == p)).repeat(counts[b, p]) for p in range(n_patients)]
        )
        sample = x[g][rows]  # (N, 2): every copy of a drawn patient's items is its own item
        frames.append(
            pd.DataFrame(
                {
                    "rater": np.tile([0, 1], sample.shape[0]),
                    "item": np.repeat(np.arange(sample.shape[0]), 2),
                    "score": sample.ravel(),
                }
            )
        )
        expected.append(fast[g, b])
    pingouin_w = np.empty(len(frames))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        for i, frame in enumerate(frames):
            pingouin_w[i] = pingouin.friedman(
                data=frame, dv="score", within="item", subject="rater"
            )["W"].iat[0]
        sampled_s = time.perf_counter() - t0
    per_call = sampled_s / len(frames)
    baseline_s = per_call * n_configs * N_BOOT
    max_abs_diff = float(np.max(np.abs(pingouin_w - np.asarray(expected))))
    return {
        "workload": f"{n_configs} configurations x {N_BOOT} cluster-bootstrap resamples "
        f"({x.shape[1]} items, {n_patients} patients, judge vs consensus)",
        "engine_s": round(engine_s, 3),
        "baseline": "pingouin.friedman per configuration and resample (long format, call only)",
        "baseline_sampled_calls": len(frames),
        "baseline_s_per_call": per_call,
        "baseline_s_extrapolated": round(baseline_s, 1),
        "ratio": round(baseline_s / engine_s, 1),
        "goal_ratio": 100,
        "w_max_abs_diff_sampled": max_abs_diff,
        "w_identical_1e-10": bool(max_abs_diff <= 1e-10),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
