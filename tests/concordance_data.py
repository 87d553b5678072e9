"""Small synthetic rating tables shared by the tests of the concordance analysis and stats."""

from __future__ import annotations

from radjudge.concordance.synthetic import simulate_tables

N_BOOT = 200
SEED = 11


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
