"""Test helper (not a test module): a tiny, deterministic finished run for the explorer.

Made by the real pipeline code, in seconds, with no model:

* records: the first patients of the committed synthetic cohort, anonymized by
  the real anonymizer (stage 01) and saved by it;
* summaries: the gold summary rendered from the ground truth and two
  extractive baselines (stage 02's reference systems);
* expert and LLM-judge ratings: :func:`radjudge.concordance.synthetic.simulate_tables`
  on those items, plus one *constant* judge configuration (every summary gets
  1, like a degenerate sampling judge) - the odd case the explorer must flag;
* a ROUGE-L metric baseline computed by the real sweep (:func:`radjudge.judge.sweep.run_sweep`);
* the concordance tables and ``stats.json`` computed by the real analysis
  exactly as notebook 05 does (small bootstrap).

:func:`write_run` writes the files where a run writes them under a project
root; :func:`cached_run` does it once per test process.
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from functools import cache
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]

N_PATIENTS = 8
SUMMARIZERS = ("gold", "extractive", "extractive_short")
CRITERIA = ("completeness", "correctness")
LLM_JUDGES = {"judge-a": 2.0, "judge-b": 0.8}  # judge-a: log-probabilities, judge-b: generated
CONSTANT = {"judge": "judge-const", "criterion": "completeness", "scale": 5, "granularity": "full"}
SETTINGS = {"n_boot": 200, "ci_method": "percentile", "alpha": 0.05, "seed": 0}


def _summaries(cohort) -> pd.DataFrame:
    from radjudge.summarize.extractive import extractive_summary
    from radjudge.summarize.gold import render_gold_summary

    rows = []
    for rec in cohort:
        texts = {
            "gold": render_gold_summary(rec.facts, patient_id=rec.patient_id),
            "extractive": extractive_summary(rec.sections, max_chars=600),
            "extractive_short": extractive_summary(rec.sections, max_chars=250),
        }
        for name, text in texts.items():
            rows.append(
                {
                    "patient_id": rec.patient_id,
                    "summarizer": name,
                    "summarizer_kind": "gold" if name == "gold" else "extractive",
                    "model": None,
                    "text": text,
                    "flag": "ok",
                }
            )
    return pd.DataFrame(rows)


def _constant_judge(items: pd.DataFrame) -> pd.DataFrame:
    return items.assign(
        **CONSTANT,
        repeat=0,
        score=pd.array([1] * len(items), dtype="Int64"),
        expected_score=float("nan"),
        distribution='{"1": 1.0}',
        status="ok",
        raw='["1", "1"]',
        mode="sample",
        judge_kind="llm",
    )


def run_files(root: Path) -> dict[str, Path]:
    """Where a run under ``root`` keeps each table (``load_explore_data(files=...)``)."""
    return {
        "records": root / "data" / "interim" / "anonymized_records.jsonl",
        "summaries": root / "data" / "processed" / "summaries.parquet",
        "expert_ratings": root / "data" / "processed" / "expert_ratings.parquet",
        "judge_ratings": root / "data" / "processed" / "judge_ratings.parquet",
        "stats": root / "data" / "results" / "stats.json",
        "concordance": root / "data" / "results" / "concordance",
    }


def write_run(root: Path, *, seed: int = 0) -> dict[str, Path]:
    """Write the tiny run under ``root`` (data/interim, data/processed, data/results).

    Returns the files written, keyed as :func:`radjudge.explore.load_explore_data` ``files``.
    """
    from radjudge.anonymize import anonymize_records, save_anonymized
    from radjudge.cohort import load_cohort
    from radjudge.concordance import analysis as A
    from radjudge.concordance.bootstrap import BootstrapSettings
    from radjudge.concordance.designs import prepare_data
    from radjudge.concordance.effects import paired_factor_effects
    from radjudge.concordance.stats import manuscript_stats, write_stats
    from radjudge.concordance.synthetic import simulate_tables
    from radjudge.judge.config import parse_judges
    from radjudge.judge.sweep import run_sweep

    cohort = load_cohort(ROOT / "data" / "raw" / "synthetic_cohort.jsonl")[:N_PATIENTS]
    anonymized = [r.record for r in anonymize_records(cohort, progress=False)]
    summaries = _summaries(cohort)
    sim = simulate_tables(
        n_patients=N_PATIENTS,
        summarizers=SUMMARIZERS,
        criteria=CRITERIA,
        experts={"radiologist": 2, "clinician": 2},
        judges=LLM_JUDGES,
        scales=(3, 5),
        granularities=("full", "extremes"),
        seed=seed,
    )
    items = sim.expert_ratings[["patient_id", "summarizer"]].drop_duplicates()
    assert list(items["patient_id"].unique()) == [r.patient_id for r in cohort]
    metric = run_sweep(
        summaries,
        anonymized,
        parse_judges(
            [{"name": "rouge-l", "mode": "metric", "metric": "rouge_l", "criteria": list(CRITERIA)}]
        ),
        clients={},
        seed=seed,
        progress=False,
    ).ratings
    judges = pd.concat(
        [sim.judge_ratings, _constant_judge(items.reset_index(drop=True)), metric],
        ignore_index=True,
    )
    experts = sim.expert_ratings

    files = run_files(root)
    save_anonymized(anonymized, files["records"])
    for key, frame in (
        ("summaries", summaries),
        ("expert_ratings", experts),
        ("judge_ratings", judges),
    ):
        files[key].parent.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(files[key], index=False)
    boot = BootstrapSettings(**{k: SETTINGS[k] for k in ("n_boot", "seed", "ci_method", "alpha")})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = prepare_data(experts, judges)
        grid = A.concordance_grid(data, bootstrap=boot)
        headline = A.headline_data(data, grid)  # as notebook 05: choices from valid LLM judges
        alt = A.alt_test_grid(data.llm(), min_items=5)  # as notebook 05: no reference lines
        selection = A.select_configurations(headline, n_folds=2, n_repeats=1, seed=0)
        tables = {
            "grid": grid.table,
            "panel_fit": A.panel_fit(data, bootstrap=boot),
            "categories": A.category_concordance(data, bootstrap=boot),
            "alt_test": alt.summary,
            "selection": selection.summary,
        }
        stats = manuscript_stats(  # the schema's required keys, as notebook 05 writes them
            data,
            grid=grid,
            effects=paired_factor_effects(grid),
            panel=tables["panel_fit"],
            judges=A.judge_agreement(headline, bootstrap=boot),
            categories=tables["categories"],
            loeo=A.leave_one_expert_out(data),
            alt=alt,
            selection=selection,
            sensitivity=A.sensitivity_grid(data),
            settings=SETTINGS,
            summaries=summaries,
        )
    A.write_tables(tables, files["concordance"])
    write_stats(stats, files["stats"])
    return files


@cache
def cached_run() -> Path:
    """:func:`write_run` once per test process, in a temporary project root; returns the root."""
    root = Path(tempfile.mkdtemp(prefix="radjudge-explore-"))
    write_run(root)
    return root


def copy_run(source: Path, target: Path) -> None:
    """Copy a run's generated data (interim, processed, results) into another project root."""
    for sub in ("interim", "processed", "results"):
        if (source / "data" / sub).is_dir():
            shutil.copytree(source / "data" / sub, target / "data" / sub, dirs_exist_ok=True)
