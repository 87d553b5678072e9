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
from radjudge.concordance.bootstrap import BootstrapSettings
from radjudge.concordance.designs import prepare_data
from radjudge.concordance.effects import paired_factor_effects
from radjudge.concordance.synthetic import simulate_tables
from radjudge.contracts import CRITERIA, GRANULARITIES, RATING_SUMMARY_TABLES
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
    boot = BootstrapSettings(n_boot=nb, seed=sd, ci_method=SETTINGS["ci_method"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = prepare_data(experts, judges)
        grid = A.concordance_grid(data, bootstrap=boot)
        valid = A.headline_data(data, grid)
        effects = paired_factor_effects(grid)
        panel = A.panel_fit(data, bootstrap=boot)
        among = A.judge_agreement(valid, bootstrap=boot)
        cats = A.category_concordance(data, bootstrap=boot)
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


# ----------------------------------------------------------------------------- designs
# Result tables of a given judge DESIGN, made up directly (random W, CIs, counts): the shape
# of what notebook 05 and 06 write, to check that every figure fits the page for the designs
# the profiles run - the final demo grid and the study's twelve full-factorial judges.

ALL_CRITERIA = CRITERIA
ALL_SCALES = (3, 5, 10)
ALL_GRANS = GRANULARITIES

#: The demo's final judge grid (params/demo.yaml): Gemma-3 log-probs on the full factorial,
#: SmolLM2 log-probs on one criterion, two sampling judges on one cell; two metrics.
DEMO_DESIGN = {
    "judges": {
        "gemma3-logprobs": (ALL_CRITERIA, ALL_SCALES, ALL_GRANS),
        "smollm2-logprobs": (("conciseness",), ALL_SCALES, ALL_GRANS),
        "smollm2-sample": (("conciseness",), (5,), ("full",)),
        "gemma3-sample": (("conciseness",), (5,), ("full",)),
    },
    "metrics": ("rouge-l", "chrf"),
    "summarizers": (
        "smollm2_structured",
        "smollm2_narrative",
        "gemma3_structured",
        "gemma3_narrative",
        "gold",
        "extractive",
    ),
}
#: The study profile (params/study.yaml): six server models x (log-probs, sampling), each on
#: the full factorial; six LLM summarizers; no metric.
STUDY_MODELS = (
    "qwen2.5-72b",
    "llama3.3-70b",
    "gemma3-27b",
    "t-pro-1.0",
    "yandexgpt5-lite-8b",
    "vikhr-nemo-12b",
)
STUDY_DESIGN = {
    "judges": {
        f"{m}-{mode}": (ALL_CRITERIA, ALL_SCALES, ALL_GRANS)
        for mode in ("logprobs", "sample")
        for m in STUDY_MODELS
    },
    "metrics": (),
    "summarizers": (
        "qwen2_5_72b",
        "llama3_3_70b",
        "gemma3_27b",
        "t_pro_1_0",
        "yandexgpt5_lite_8b",
        "vikhr_nemo_12b",
    ),
}
CATEGORIES = ("radiologist", "clinician", "resident")


def design_inputs(design: dict, *, seed: int = 0, n_patients: int = 30) -> dict:
    """Every figure input (keys of radjudge.figures.build.RESULT_TABLES) for a judge design."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    configs = [
        (j, c, s, g)
        for j, (crits, scales, grans) in design["judges"].items()
        for c in crits
        for s in scales
        for g in grans
    ]
    n = len(configs)
    w = rng.uniform(0.35, 0.8, n)
    valid = rng.random(n) > 0.25
    w[rng.random(n) < 0.03] = np.nan  # a few constant configurations: W undefined
    cfg = pd.DataFrame(configs, columns=["judge", "criterion", "scale", "granularity"])
    llm_grid = cfg.assign(
        judge_kind="llm",
        w=w,
        spearman=2 * w - 1,
        ci_low=w - 0.06,
        ci_high=w + 0.06,
        valid=valid & np.isfinite(w),
        validity_reason=np.where(valid & np.isfinite(w), None, "no_discrimination"),
    )
    crits = list(dict.fromkeys(c for _, c, _, _ in configs))
    metric_grid = pd.DataFrame(
        [(m, c) for m in design["metrics"] for c in crits], columns=["judge", "criterion"]
    ).assign(
        scale=np.nan,
        granularity=None,
        judge_kind="metric",
        w=0.88,
        spearman=0.76,
        ci_low=0.85,
        ci_high=0.91,
        valid=True,
        validity_reason=None,
    )
    grid = pd.concat([llm_grid, metric_grid], ignore_index=True)
    rows = []
    for c in crits:
        rows.append(("experts_all", c, "all", None, np.nan, None, 0.6))
        rows.append(("categories_across", c, "all", None, np.nan, None, 0.8))
        for k in CATEGORIES:
            rows.append(("experts_within", c, k, None, np.nan, None, 0.7))
    for r in grid.itertuples(index=False):
        for k in CATEGORIES:
            rows.append(("judge_vs_category", r.criterion, k, r.judge, r.scale, r.granularity, r.w))
    categories = pd.DataFrame(
        rows, columns=["design", "criterion", "category", "judge", "scale", "granularity", "w"]
    ).assign(
        ci_low=lambda d: d["w"] - 0.05,
        ci_high=lambda d: d["w"] + 0.05,
        spearman=0.2,
        n_raters=2,
        n_items=180,
    )
    d = rng.normal(-0.05, 0.03, len(grid))
    panel_fit = grid[["judge", "criterion", "scale", "granularity"]].assign(
        w_experts=0.6,
        w_with_judge=0.6 + d,
        delta_w=d,
        ci_low=d - 0.02,
        ci_high=d + 0.02,
        p_not_positive=0.5,
        n_experts=10,
        n_items=180,
    )
    rate = rng.uniform(0, 1, len(grid))
    alt_test = grid[["judge", "criterion", "scale", "granularity"]].assign(
        winning_rate=rate,
        advantage_probability=rate,
        passed=rate >= 0.5,
        n_annotators=10,
        n_tested=10,
        n_items=180,
    )
    sel = (
        llm_grid[llm_grid["valid"]]
        .sort_values("w", ascending=False)
        .drop_duplicates(["judge", "criterion"])
    )
    selection = sel[["judge", "criterion", "scale", "granularity"]].assign(
        selected=[
            f"scale={s}, granularity={g}"
            for s, g in zip(sel["scale"], sel["granularity"], strict=True)
        ],
        n_candidates=9,
        in_sample_w=sel["w"],
        held_out_w=sel["w"] - 0.02,
        held_out_sd=0.05,
        optimism=0.02,
        stability=0.8,
        modal_choice="x",
        n_folds_used=25,
    )
    use = []
    for j, (_, scales, _) in design["judges"].items():
        for s in scales:
            for p in range(1, s + 1):
                use.append(("judge", j, s, p, int(rng.integers(0, 50))))
    for k in CATEGORIES:
        for p in range(1, 6):
            use.append(("expert", k, 5, p, int(rng.integers(10, 500))))
    score_use = pd.DataFrame(use, columns=["rater_kind", "rater", "scale", "score", "n"])
    score_use = score_use[score_use["n"] > 0]
    items = [(f"P{i:03d}", s) for i in range(n_patients) for s in design["summarizers"]]
    length = []
    for rater in [*design["judges"], "experts"]:
        for pid, s in items:
            length.append((rater, pid, s, int(rng.integers(20, 900)), float(rng.random())))
    length_scores = pd.DataFrame(
        length, columns=["rater", "patient_id", "summarizer", "summary_length", "score_norm"]
    )
    self_pref = pd.DataFrame(
        [
            (j, s, float(rng.random()), float(rng.random()), j.split("-")[0] == s.split("_")[0])
            for j in design["judges"]
            for s in design["summarizers"]
        ],
        columns=["judge", "summarizer", "judge_score_norm", "expert_score_norm", "is_self"],
    )
    return {
        "grid": grid,
        "categories": categories,
        "panel_fit": panel_fit,
        "alt_test": alt_test,
        "selection": selection,
        "score_use": score_use,
        "length_scores": length_scores,
        "self_preference": self_pref,
    }
