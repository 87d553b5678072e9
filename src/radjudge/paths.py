"""Every path the compendium reads or writes, in one place.

The project root is found once, in this order:

1. the ``RADJUDGE_ROOT`` environment variable;
2. the nearest folder, from the current directory upwards, holding both
   ``pyproject.toml`` and ``params/``;
3. the source checkout this package was imported from (editable install).

Notebooks, the CLI and the tests therefore resolve the same folders whatever
their working directory is.

Layout::

    params/            profiles (demo, smoke, study) - every knob
    notebooks/         numbered pipeline notebooks (committed without outputs)
    data/raw/          raw records; only the synthetic cohort is ever committed
    data/external/     third-party data sets, each with its licence
    data/interim/      anonymized records, blinding keys, filled forms
    data/processed/    tidy tables: summaries, expert and judge ratings
    data/results/      analysis tables, stats.json, run_manifest.json
    data/cache/        content-addressed cache of every LLM call (demo: committed)
    data/runs/         executed notebooks, one folder per run
    figures/           figures (PDF + PNG) and their index
    paper/             manuscript source; paper/build/ holds the PDF
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

__all__ = [
    "project_root",
    "PARAMS",
    "NOTEBOOKS",
    "DATA",
    "RAW",
    "EXTERNAL",
    "INTERIM",
    "PROCESSED",
    "RESULTS",
    "CACHE",
    "LLM_CACHE",
    "RUNS",
    "FIGURES",
    "PAPER",
    "PAPER_BUILD",
    "SHARED_DATA",
    "RUN_MANIFEST",
    "STATS_JSON",
    "resolve",
    "relative",
]


def _looks_like_root(path: Path) -> bool:
    return (path / "pyproject.toml").is_file() and (path / "params").is_dir()


@cache
def project_root() -> Path:
    """Return the compendium's root folder.

    Raises
    ------
    RuntimeError
        If no root can be found; the message says how to point to one.
    """
    env = os.environ.get("RADJUDGE_ROOT")
    if env:
        root = Path(env).expanduser().resolve()
        if not _looks_like_root(root):
            raise RuntimeError(
                f"RADJUDGE_ROOT={env!r} is not a radjudge compendium: it needs "
                "pyproject.toml and params/. Unset it or point it to the project folder."
            )
        return root
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if _looks_like_root(candidate):
            return candidate
    source_checkout = Path(__file__).resolve().parents[2]
    if _looks_like_root(source_checkout):
        return source_checkout
    raise RuntimeError(
        "Cannot find the radjudge project root from "
        f"{here}: run from inside the project or set RADJUDGE_ROOT."
    )


ROOT = project_root()
PARAMS = ROOT / "params"
NOTEBOOKS = ROOT / "notebooks"
DATA = ROOT / "data"
RAW = DATA / "raw"
EXTERNAL = DATA / "external"
INTERIM = DATA / "interim"
PROCESSED = DATA / "processed"
RESULTS = DATA / "results"
CACHE = DATA / "cache"
LLM_CACHE = CACHE / "llm"
RUNS = DATA / "runs"
FIGURES = ROOT / "figures"
PAPER = ROOT / "paper"
PAPER_BUILD = PAPER / "build"
# Public data shared by the workplace; copied into data/external/ with licences.
SHARED_DATA = ROOT.parent / "shared" / "data"
RUN_MANIFEST = RESULTS / "run_manifest.json"
STATS_JSON = RESULTS / "stats.json"

# Stage artifacts. Notebooks read and write these names only; what each holds, and which
# stage reads and writes it, is in radjudge.contracts.
# 01 anonymization
SYNTHETIC_COHORT = RAW / "synthetic_cohort.jsonl"
ANONYMIZED_RECORDS = INTERIM / "anonymized_records.jsonl"
ANONYMIZATION_AUDIT = RESULTS / "anonymization_audit.csv"
FACTRUEVAL = EXTERNAL / "factrueval2016"
# The independent anonymization evaluation set (issue 14): hand-written, MIT.
ANONYMIZATION_EVAL = ROOT / "tests" / "data" / "anonymization_eval"
# 02 summarization
SUMMARIES = PROCESSED / "summaries.parquet"
SUMMARY_STATS = RESULTS / "summary_stats.csv"
# 03 expert ratings
FORMS = INTERIM / "forms"
FILLED_FORMS = INTERIM / "forms_filled"
BLINDING_KEY = INTERIM / "blinding_key.json"
EXPERT_ROSTER = INTERIM / "expert_roster.csv"
EXPERT_RATINGS = PROCESSED / "expert_ratings.parquet"
# 04 judge sweeps
JUDGE_RATINGS = PROCESSED / "judge_ratings.parquet"
JUDGE_VALIDITY = PROCESSED / "judge_validity.csv"
# 05 concordance: tables <name>.csv + <name>.parquet (radjudge.contracts.CONCORDANCE_TABLES)
CONCORDANCE = RESULTS / "concordance"
# 06 figures
FIGURE_INDEX = FIGURES / "index.csv"
# rating-level summaries for the figures (score use, length, self-preference)
RATING_SUMMARIES = RESULTS / "rating_summaries"
# 07 external validation
EXTERNAL_RESULTS = RESULTS / "external"
SUMMEVAL = EXTERNAL / "summeval"  # copy of SummEval with its licence and provenance
# a real reader panel (Van Veen et al. 2024), the reference of the simulated panel's agreement
CLIN_SUMM = EXTERNAL / "validation" / "clin-summ"
SUMMEVAL_DATA = SUMMEVAL / "summeval.jsonl.gz"
SUMMEVAL_LICENSE = SUMMEVAL / "SUMMEVAL_LICENSE"
SUMMEVAL_RATINGS_CSV = INTERIM / "summeval_expert_ratings.csv"  # long CSV -> load_expert_ratings
SUMMEVAL_ROUGE = PROCESSED / "summeval_rouge.parquet"
SUMMEVAL_JUDGE_RATINGS = PROCESSED / "summeval_judge_ratings.parquet"
SUMMEVAL_BASELINES = EXTERNAL_RESULTS / "summeval_baselines.csv"
SUMMEVAL_JUDGES = EXTERNAL_RESULTS / "summeval_judges.csv"


def resolve(path: str | os.PathLike[str]) -> Path:
    """Resolve a profile path: absolute paths stay, relative ones are taken from the root.

    >>> resolve("data/raw") == RAW
    True
    """
    p = Path(path).expanduser()
    return p if p.is_absolute() else (ROOT / p)


def relative(path: str | os.PathLike[str]) -> str:
    """Return ``path`` relative to the root when it lies inside it (for manifests and logs)."""
    p = Path(path).resolve()
    try:
        return p.relative_to(ROOT).as_posix()
    except ValueError:
        return str(p)
