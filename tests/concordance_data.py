"""Small synthetic rating tables shared by the tests of the concordance analysis and stats."""

from __future__ import annotations

from functools import cache

from radjudge.concordance.analysis import ConcordanceGrid, concordance_grid
from radjudge.concordance.bootstrap import BootstrapSettings
from radjudge.concordance.designs import ConcordanceData, prepare_data
from radjudge.concordance.synthetic import simulate_tables

N_BOOT = 200
SEED = 11
BOOT = BootstrapSettings(n_boot=N_BOOT, seed=SEED)


def small_tables(n_patients: int = 12, seed: int = 3, **extra):
    extra = {"judges": {"j1": 1.5, "j2": 0.6}, **extra}
    return simulate_tables(
        n_patients=n_patients,
        summarizers=("gold", "llm_a", "llm_b", "llm_c"),
        criteria=("completeness", "correctness"),
        experts={"radiologist": 3, "clinician": 3},
        scales=(5, 10),
        granularities=("full", "none"),
        seed=seed,
        **extra,
    )


@cache
def small_data() -> ConcordanceData:
    """The aligned tables of :func:`small_tables` (computed once per test process)."""
    t = small_tables()
    return prepare_data(t.expert_ratings, t.judge_ratings)


@cache
def small_grid() -> ConcordanceGrid:
    """The concordance grid of :func:`small_data` with :data:`BOOT`."""
    return concordance_grid(small_data(), bootstrap=BOOT)
