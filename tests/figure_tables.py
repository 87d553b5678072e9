"""Result tables for the figure and paper tests, made by the REAL analysis of notebook 05.

:func:`write_results` simulates small expert and judge rating tables with
:func:`radjudge.concordance.synthetic.simulate_tables`, runs the concordance
analysis on them exactly as notebook 05 does (small bootstrap), writes the
tables and ``stats.json`` where notebook 05 writes them, and writes the
rating summaries notebook 06 derives. Nothing here is study data.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from radjudge.concordance import analysis as A
from radjudge.concordance import stats as cs
from radjudge.concordance.designs import prepare_data
from radjudge.concordance.effects import paired_factor_effects
from radjudge.concordance.synthetic import simulate_tables
from radjudge.contracts import RATING_SUMMARY_TABLES
from radjudge.figures import summaries as S

SETTINGS = {
    "n_boot": 60,
    "ci_method": "percentile",
    "alpha": 0.05,
    "pvalue_method": "f",
    "p_adjust": "holm",
    "alt_test_epsilon": 0.2,
    "alt_test_q": 0.05,
    "alt_test_alignment": "rank",
    "cv_folds": 3,
    "cv_repeats": 1,
    "seed": 0,
}
JUDGES = {"smollm2-logprobs": 1.5, "gemma3-sample": 0.8}
SUMMARIZERS = ("gold", "extractive", "smollm2", "gemma3")


def simulated_ratings(seed: int = 0):
    """Two LLM judges and a metric reference line (no scale, no granularity)."""
    tb = simulate_tables(
        n_patients=10,
        summarizers=SUMMARIZERS,
        judges=JUDGES,
        scales=(3, 5),
        granularities=("full", "none"),
        criteria=("completeness", "correctness", "structure"),
        experts={"radiologist": 3, "clinician": 2},
        metrics=("rouge-l",),
        seed=seed,
    )
    items = tb.expert_ratings[["patient_id", "summarizer"]].drop_duplicates()
    rng = np.random.default_rng(seed)
    summaries = items.assign(
        summarizer_kind=items["summarizer"].map(
            lambda s: s if s in ("gold", "extractive") else "llm"
        ),
        text=["ж" * int(n) for n in rng.integers(200, 1500, size=len(items))],
        model=items["summarizer"].where(items["summarizer"].isin(["smollm2", "gemma3"])),
        flag=np.where(items["summarizer"] == "smollm2", "degenerate", "ok"),
    )
    return tb.expert_ratings, tb.judge_ratings, summaries


def write_results(
    concordance_dir: Path, rating_dir: Path, stats_path: Path, *, seed: int = 0
) -> dict:
    """Run the real analysis on simulated ratings; write tables, rating summaries and stats."""
    experts, judges, summaries = simulated_ratings(seed)
    nb, sd = SETTINGS["n_boot"], SETTINGS["seed"]
    kw = {"n_boot": nb, "seed": sd, "ci_method": SETTINGS["ci_method"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = prepare_data(experts, judges)
        grid = A.concordance_grid(data, **kw)
        valid = A.headline_data(data, grid)
        effects = paired_factor_effects(grid)
        panel = A.panel_fit(data, **kw)
        among = A.judge_agreement(valid, **kw)
        cats = A.category_concordance(data, **kw)
        loeo = A.leave_one_expert_out(data)
        alt = A.alt_test_grid(data.llm())
        sel = A.select_configurations(
            valid, n_folds=SETTINGS["cv_folds"], n_repeats=SETTINGS["cv_repeats"], seed=sd
        )
        sens = A.sensitivity_grid(data)
    stats = cs.manuscript_stats(
        data,
        grid=grid,
        effects=effects,
        summaries=summaries,
        judge_ratings=judges,
        panel=panel,
        judges=among,
        categories=cats,
        loeo=loeo,
        alt=alt,
        selection=sel,
        sensitivity=sens,
        settings=SETTINGS,
    )
    A.write_tables(
        {
            "grid": grid.table,
            "factor_effects": effects,
            "panel_fit": panel,
            "categories": cats,
            "alt_test": alt.summary,
            "selection": sel.summary,
        },
        concordance_dir,
    )
    cs.write_stats(stats, stats_path)
    S.write_rating_summaries(S.rating_summaries(judges, experts, summaries), rating_dir)
    return stats


def main_folders(concordance_dir: Path, rating_dir: Path) -> dict[str, Path]:
    """``folders`` argument of :func:`radjudge.figures.build.load_figure_inputs`."""
    out = {k: concordance_dir for k in ("grid", "categories", "panel_fit", "alt_test", "selection")}
    out.update({t.name: rating_dir for t in RATING_SUMMARY_TABLES})
    return out


_CACHE: dict[str, dict] = {}


def cached_results() -> dict:
    """:func:`write_results` once per test process, in a temporary folder.

    Returns ``{"root", "concordance", "ratings", "stats_path", "stats", "folders"}``.
    """
    if "r" not in _CACHE:
        import tempfile

        root = Path(tempfile.mkdtemp(prefix="radjudge-figtest-"))
        conc, rating, stats_path = (
            root / "concordance",
            root / "rating_summaries",
            root / "stats.json",
        )
        stats = write_results(conc, rating, stats_path)
        _CACHE["r"] = {
            "root": root,
            "concordance": conc,
            "ratings": rating,
            "stats_path": stats_path,
            "stats": stats,
            "folders": main_folders(conc, rating),
        }
    return _CACHE["r"]
