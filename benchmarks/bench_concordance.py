"""Speed of Kendall's W: the cluster bootstrap over the demo grid, and a plain batch of matrices.

Both workloads are timed against baselines run in the same process.

Bootstrap workload: the demo grid (4 judges x 6 criteria x 3 scales x 3 granularities =
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

Plain workload: 20,000 random rating matrices of 180 items x 4 raters, integer
scores 1-5 (float64), one W each. Engine: :func:`radjudge.concordance.kendall_w`
on the whole batch (its counting path). Baselines:

* ``pingouin.friedman`` once per matrix, timed on a random sample of 200 matrices
  (long-format input built beforehand, only the call timed) and extrapolated to
  20,000; the sample also checks that both give the same W (to 1e-10). Goal >= 1000x.
  The relative standard error of the mean time per call is reported: with 200
  calls it is ~1-2%, far below the run-to-run change the machine's load makes
  (4-13 ms per call seen on this 2-core machine), so the sample is large enough
  and a ratio is to be read with the load printed beside it.
* one vectorized :func:`scipy.stats.rankdata` call over the whole batch: mid-ranks
  only, no tie sums and no W, the fair "already vectorized" baseline. Goal >= 3x.

Engine and ``rankdata`` are timed as the mean of 3 calls after one untimed call;
pingouin as the mean of the sampled calls after one untimed call. The engine's peak
traced memory (``tracemalloc``) on the batch is reported as well: the batch itself
takes 115 MB, and the engine's work memory should be a few MB.

Run: ``python -m benchmarks.bench_concordance`` (or ``make bench``).
"""

from __future__ import annotations

import json
import os
import time
import tracemalloc
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
import pingouin
from scipy import stats

from radjudge.concordance import kendall_w, prepare_data, resample_counts, resampled_kendall_w
from radjudge.concordance.bootstrap import cluster_codes
from radjudge.concordance.synthetic import simulate_tables

N_BOOT = 2000
N_SAMPLED_CALLS = 300
SEED = 20240611
PLAIN_SHAPE = (20_000, 180, 4)  # matrices, items, raters
PLAIN_SCORES = (1, 5)
N_PLAIN_SAMPLED = 200
N_TIMED = 3
#: Goals of the headline ratios (printed by ``python -m benchmarks``): key -> (op, goal).
GOALS = {
    "bootstrap_ratio": (">=", 100),
    "plain_ratio_vs_pingouin": (">=", 1000),
    "plain_ratio_vs_rankdata": (">=", 3),
}


def _design() -> tuple[np.ndarray, np.ndarray]:
    tables = simulate_tables(seed=SEED)
    data = prepare_data(tables.expert_ratings, tables.judge_ratings)
    consensus = np.stack([data.consensus(c) for c in data.configs["criterion"]])
    return np.stack([consensus, data.judge_values], axis=2), data.patients


def _long_frame(matrix: np.ndarray) -> pd.DataFrame:
    """pingouin's long format of a (n_items, n_raters) matrix: raters are the subjects."""
    n_items, n_raters = matrix.shape
    return pd.DataFrame(
        {
            "rater": np.tile(np.arange(n_raters), n_items),
            "item": np.repeat(np.arange(n_items), n_raters),
            "score": matrix.ravel(),
        }
    )


def _pingouin_w(frames: list[pd.DataFrame]) -> tuple[np.ndarray, float, float]:
    """W of each frame by pingouin.friedman, the mean seconds per call (after a warm-up) and
    the relative standard error of that mean (the sample's share of the extrapolation's noise).
    """
    w = np.empty(len(frames))
    seconds = np.empty(len(frames))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pingouin.friedman(data=frames[0], dv="score", within="item", subject="rater")
        for i, frame in enumerate(frames):
            t0 = time.perf_counter()
            w[i] = pingouin.friedman(data=frame, dv="score", within="item", subject="rater")[
                "W"
            ].iat[0]
            seconds[i] = time.perf_counter() - t0
    mean = float(seconds.mean())
    return w, mean, float(seconds.std(ddof=1) / np.sqrt(len(frames)) / mean)


def _mean_seconds(call: Callable[[], object], repeats: int = N_TIMED) -> float:
    """Mean wall time of ``repeats`` calls after one untimed call."""
    call()
    t0 = time.perf_counter()
    for _ in range(repeats):
        call()
    return (time.perf_counter() - t0) / repeats


def run_bootstrap() -> dict:
    """Time the engine on the full bootstrap workload and pingouin on a sample; the ratio."""
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
        # (N, 2): every copy of a drawn patient's items is its own item
        frames.append(_long_frame(x[g][rows]))
        expected.append(fast[g, b])
    pingouin_w, per_call, rse = _pingouin_w(frames)
    baseline_s = per_call * n_configs * N_BOOT
    max_abs_diff = float(np.max(np.abs(pingouin_w - np.asarray(expected))))
    return {
        "bootstrap_workload": f"{n_configs} configurations x {N_BOOT} cluster-bootstrap "
        f"resamples ({x.shape[1]} items, {n_patients} patients, judge vs consensus)",
        "bootstrap_engine_s": round(engine_s, 3),
        "bootstrap_baseline": "pingouin.friedman per configuration and resample "
        "(long format, call only)",
        "bootstrap_baseline_sampled_calls": len(frames),
        "bootstrap_baseline_s_per_call": per_call,
        "bootstrap_baseline_per_call_rel_std_error": round(rse, 4),
        "bootstrap_baseline_s_extrapolated": round(baseline_s, 1),
        "bootstrap_ratio": round(baseline_s / engine_s, 1),
        "bootstrap_goal_ratio": 100,
        "bootstrap_w_max_abs_diff_sampled": max_abs_diff,
        "bootstrap_w_identical_1e-10": bool(max_abs_diff <= 1e-10),
    }


def run_plain() -> dict:
    """The plain batch: kendall_w vs a pingouin loop (sampled) and one rankdata call."""
    rng = np.random.default_rng(SEED)
    low, high = PLAIN_SCORES
    x = rng.integers(low, high + 1, size=PLAIN_SHAPE).astype(float)
    n_matrices = x.shape[0]

    engine_s = _mean_seconds(lambda: kendall_w(x))
    fast = kendall_w(x).w
    tracemalloc.start()
    try:
        kendall_w(x)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rankdata_s = _mean_seconds(lambda: stats.rankdata(x, axis=-2))

    picks = rng.choice(n_matrices, size=N_PLAIN_SAMPLED, replace=False)
    pingouin_w, per_call, rse = _pingouin_w([_long_frame(x[g]) for g in picks])
    pingouin_s = per_call * n_matrices
    max_abs_diff = float(np.max(np.abs(pingouin_w - fast[picks])))
    return {
        "plain_workload": f"{n_matrices} matrices x {x.shape[1]} items x {x.shape[2]} raters, "
        f"integer scores {low}-{high}, one W each",
        "plain_engine_s": round(engine_s, 4),
        "plain_engine_peak_traced_mb": round(peak / 1e6, 1),
        "plain_batch_mb": round(x.nbytes / 1e6, 1),
        "plain_baseline_pingouin": "pingouin.friedman per matrix (long format, call only)",
        "plain_pingouin_sampled_calls": len(picks),
        "plain_pingouin_s_per_call": per_call,
        "plain_pingouin_per_call_rel_std_error": round(rse, 4),
        "plain_pingouin_s_extrapolated": round(pingouin_s, 1),
        "plain_ratio_vs_pingouin": round(pingouin_s / engine_s, 1),
        "plain_goal_ratio_vs_pingouin": 1000,
        "plain_baseline_rankdata": "one scipy.stats.rankdata(x, axis=-2) over the batch",
        "plain_rankdata_s": round(rankdata_s, 3),
        "plain_ratio_vs_rankdata": round(rankdata_s / engine_s, 1),
        "plain_goal_ratio_vs_rankdata": 3,
        "plain_w_max_abs_diff_sampled": max_abs_diff,
        "plain_w_identical_1e-10": bool(max_abs_diff <= 1e-10),
    }


def run() -> dict:
    """Both workloads, with the machine's 1-minute load average when the run started."""
    load = os.getloadavg()[0]
    return {**run_bootstrap(), **run_plain(), "load_average_1m_at_start": round(load, 2)}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
