"""LLM judges on SummEval, and their meta-evaluation next to ROUGE and the published rows.

:func:`run_summeval_judges` rates SummEval summaries with the study's judge
machinery: judges validated by :func:`radjudge.judge.parse_judges` (against
the English ``summeval`` rubric), prompts rendered by
:func:`radjudge.judge.render_judge_prompt` from that rubric and the news
template :data:`SUMMEVAL_TEMPLATE`, label probabilities from
:meth:`radjudge.llm.LLMClient.score_options` (prefix sharing, call cache) read
by :func:`radjudge.judge.label_distribution`. Ratings come back in the
judge-ratings contract (:data:`radjudge.contracts.JUDGE_RATINGS`), with ``patient_id`` = the
article's ``doc_id`` and
``summarizer`` = the ``system_id``.

It is a call of :func:`radjudge.judge.run_sweep` itself, with two differences
from the clinical sweep: the articles are :class:`radjudge.judge.PublicSource`
texts (public news; anonymizing them would change the text the experts rated),
admitted by a :class:`~radjudge.external.guard.PublicTextGuard` that registers
exactly them, and the template is the news wording :data:`SUMMEVAL_TEMPLATE`.

:func:`judge_results` turns the ratings into the results table
``paths.SUMMEVAL_JUDGES``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from radjudge.checks import check_choice
from radjudge.concordance.kendall import UndefinedStatisticWarning, kendall_w
from radjudge.concordance.metaeval import meta_evaluate
from radjudge.contracts import CONFIG_COLUMNS, SUMMEVAL_JUDGES
from radjudge.external.guard import PublicTextGuard
from radjudge.external.published import published_table
from radjudge.external.summeval import SUMMEVAL_DATASET, SummEval
from radjudge.judge import PublicSource, parse_judges, run_sweep
from radjudge.llm import combined_cache_stats, load_client
from radjudge.llm.types import CacheMode

__all__ = [
    "SUMMEVAL_RUBRIC",
    "SUMMEVAL_TEMPLATE",
    "JudgeScore",
    "JudgeRun",
    "run_summeval_judges",
    "judge_values",
    "judge_results",
]

#: English rubric (``radjudge/rubric/summeval.en.yaml``): G-Eval-like definitions, scales 5 and 10.
SUMMEVAL_RUBRIC = "summeval"
#: Judge prompt template for news articles (same segment order as the clinical one).
SUMMEVAL_TEMPLATE = Path(__file__).with_name("summeval_judge.en.yaml")

JudgeScore = Literal["expected", "score"]

_CONFIG = list(CONFIG_COLUMNS)


@dataclass(frozen=True)
class JudgeRun:
    """Outcome of :func:`run_summeval_judges`.

    Attributes
    ----------
    ratings : DataFrame
        One row per judge x criterion x scale x granularity x summary, in the
        judge-ratings contract (:data:`radjudge.contracts.JUDGE_RATINGS`).
    validity : DataFrame
        :func:`radjudge.judge.validity_report` of ``ratings``.
    cache_stats : dict
        Cache statistics summed over the judges' clients, with ``"models"``:
        model name -> that client's statistics (for ``record_stage(cache=...)``,
        the same form as notebooks 02 and 04 record).
    model_files : dict
        Model label -> weight file (for ``record_stage(models=...)``).
    guard : dict
        :meth:`PublicTextGuard.describe` (what the text guard let through).
    seconds : dict
        Judge name -> wall seconds.
    """

    ratings: pd.DataFrame
    validity: pd.DataFrame
    cache_stats: dict[str, dict[str, Any]] = field(default_factory=dict)
    model_files: dict[str, Path] = field(default_factory=dict)
    guard: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def run_summeval_judges(
    data: SummEval,
    *,
    judges: Sequence[str],
    models: Mapping[str, Any],
    criteria: Sequence[str],
    scales: Sequence[int],
    granularities: Sequence[str],
    cache_dir: str,
    cache_mode: CacheMode,
    progress: bool = True,
) -> JudgeRun:
    """Rate every summary of ``data`` with each judge on every criterion, scale and granularity.

    Parameters
    ----------
    data : SummEval
        The articles to judge (usually a :meth:`SummEval.subset`), all their systems.
    judges : sequence of str
        Names in ``models`` (profile ``shared.models``); each is a ``logprobs`` judge.
    models : mapping
        The model registry.
    criteria, scales, granularities : sequences
        The grid; criteria and scales must be in the ``summeval`` rubric.
    cache_dir, cache_mode : str
        Profile ``shared.cache_dir`` / ``shared.cache_mode``: every call is
        cached, so a replay loads no model.
    progress : bool, default True

    Returns
    -------
    JudgeRun

    Raises
    ------
    radjudge.judge.JudgeConfigError
        An unknown model, criterion, scale or granularity (named).
    radjudge.llm.CacheMissError
        ``cache_mode`` readonly and a call is not cached.
    """
    specs = parse_judges(
        [
            {
                "name": j,
                "mode": "logprobs",
                "model": j,
                "criteria": list(criteria),
                "scales": list(scales),
                "granularities": list(granularities),
                "language": "en",
            }
            for j in judges
        ],
        models=models,
        language="en",
        rubric=SUMMEVAL_RUBRIC,
    )
    guard = PublicTextGuard(SUMMEVAL_DATASET, data.documents["source"])
    sources = [
        PublicSource(doc, text, dataset=SUMMEVAL_DATASET)
        for doc, text in zip(data.documents["doc_id"], data.documents["source"], strict=True)
    ]
    summaries = pd.DataFrame(
        {
            "patient_id": data.summaries["doc_id"],
            "summarizer": data.summaries["system_id"],
            "summarizer_kind": "system",
            "text": data.summaries["text"],
        }
    )
    clients = {
        s.llm_model: load_client(
            s.llm_model,
            models[s.llm_model],
            cache_dir=cache_dir,
            cache_mode=cache_mode,
            text_guard=guard,
        )
        for s in specs
    }
    try:
        # the clinical sweep itself, with the news template and the articles as public sources
        result = run_sweep(
            summaries,
            sources,
            specs,
            clients=clients,
            seed=0,
            rubric=SUMMEVAL_RUBRIC,
            template=SUMMEVAL_TEMPLATE,
            progress=progress,
        )
        stats = combined_cache_stats(clients)
        files: dict[str, Path] = {}
        for client in clients.values():
            if client.backend.loaded:
                files.update({str(k): Path(v) for k, v in client.model_files.items()})
    finally:
        for client in clients.values():
            client.close()
    seconds = dict(zip(result.judges["judge"], result.judges["seconds"].astype(float), strict=True))
    return JudgeRun(
        ratings=result.ratings,
        validity=result.validity,
        cache_stats=stats,
        model_files=files,
        guard=guard.describe(),
        seconds=seconds,
    )


def judge_values(ratings: pd.DataFrame, *, use: JudgeScore = "expected") -> pd.DataFrame:
    """One judge value per (configuration, article, system): the mean over repeats.

    Parameters
    ----------
    ratings : DataFrame
        Judge ratings in the ``paths.JUDGE_RATINGS`` contract.
    use : {"expected", "score"}, default "expected"
        ``"expected"``: the probability-weighted score over the scale labels
        (``expected_score``; what G-Eval reports), falling back to ``score``
        where it is NaN (generation mode); ``"score"``: the parsed whole score.
        Rows whose ``status`` is not ``"ok"`` count as missing, never as a number.

    Returns
    -------
    DataFrame
        ``judge, criterion, scale, granularity, patient_id, summarizer, value``
        (float; NaN = no usable answer in any repeat).
    """
    need = [*_CONFIG, "patient_id", "summarizer", "score", "status"]
    if check_choice("use", use, JudgeScore) == "expected":
        need.append("expected_score")
    missing = [c for c in need if c not in ratings.columns]
    if missing:
        raise ValueError(
            f"judge_values: column(s) {missing} missing; pass judge ratings (paths.JUDGE_RATINGS "
            "format)"
        )
    score = ratings["score"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    if use == "expected":
        expected = ratings["expected_score"].astype(float).to_numpy()
        value = np.where(np.isfinite(expected), expected, score)
    else:
        value = score
    value = np.where(ratings["status"].to_numpy() == "ok", value, np.nan)
    df = ratings[[*_CONFIG, "patient_id", "summarizer"]].assign(value=value)
    return (
        df.groupby([*_CONFIG, "patient_id", "summarizer"], sort=False, dropna=False)["value"]
        .mean()
        .reset_index()
    )


def _w(table: pd.DataFrame, metric: str) -> tuple[float, float]:
    x = table[["human", metric]].to_numpy(dtype=float, na_value=np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedStatisticWarning)
        res = kendall_w(x, method="f")
    return float(res.w), float(res.pvalue)


def judge_results(
    values: pd.DataFrame,
    human: pd.DataFrame,
    *,
    rouge: pd.DataFrame | None = None,
    published: Sequence[str] = ("ROUGE-1", "ROUGE-2", "G-Eval-4"),
    use: JudgeScore = "expected",
) -> pd.DataFrame:
    """Summary-level correlation and Kendall's W of every judge configuration with the expert means.

    Parameters
    ----------
    values : DataFrame
        Output of :func:`judge_values`.
    human : DataFrame
        ``patient_id, summarizer, criterion, human``
        (:func:`radjudge.external.summeval.expert_means`).
    rouge : DataFrame, optional
        :func:`radjudge.external.rouge.rouge_scores` of the same articles: the
        reference metrics are meta-evaluated on the judged subset too (``kind``
        ``"metric"``), so they compare like with like.
    published : sequence of str, default ("ROUGE-1", "ROUGE-2", "G-Eval-4")
        Rows of G-Eval Table 1 to put alongside (``kind`` ``"published"``, all
        100 articles; the W and count columns are NaN there).
    use : {"expected", "score"}, default "expected"
        Recorded in ``judge_score`` (what :func:`judge_values` used).

    Returns
    -------
    DataFrame
        :data:`radjudge.contracts.SUMMEVAL_JUDGES`. ``kendall_w`` is Kendall's W of the two "raters"
        (expert mean, judge) over all (article, system) pairs of the subset
        (tie-corrected; with two raters W = (1 + rho_pooled) / 2) and ``w_pvalue``
        its F-test p-value; ``n_items`` the complete pairs, ``n_missing`` the
        pairs without a usable judge answer.

    Raises
    ------
    ValueError
        A judged summary without an expert mean.
    """
    v = values.merge(human, on=["patient_id", "summarizer", "criterion"], how="left")
    lost = v[v["human"].isna()]
    if len(lost):
        r = lost.iloc[0]
        raise ValueError(
            f"{len(lost)} judged summaries have no expert mean, first: article {r['patient_id']}, "
            f"system {r['summarizer']}, criterion {r['criterion']}"
        )
    frames = []
    res = meta_evaluate(v, metric="value", human="human", by=_CONFIG)
    ws = {k: _w(g, "value") for k, g in v.groupby(_CONFIG, sort=False)}
    counts = v.groupby(_CONFIG, sort=False)["value"].count().rename("n_items")
    res = res.join(
        counts, on=_CONFIG
    )  # n_missing (pairs without a usable answer) comes from meta_evaluate
    res["kendall_w"] = [ws[tuple(k)][0] for k in res[_CONFIG].itertuples(index=False)]
    res["w_pvalue"] = [ws[tuple(k)][1] for k in res[_CONFIG].itertuples(index=False)]
    frames.append(res.rename(columns={"judge": "method"}).assign(kind="judge", judge_score=use))
    if rouge is not None:
        r = rouge.rename(
            columns={"doc_id": "patient_id", "system_id": "summarizer", "score": "value"}
        )
        docs = set(v["patient_id"])
        r = r[r["patient_id"].isin(docs)].merge(human, on=["patient_id", "summarizer"])
        m = meta_evaluate(r, metric="value", human="human", by=["metric", "criterion"])
        mw = {k: _w(g, "value") for k, g in r.groupby(["metric", "criterion"], sort=False)}
        m["kendall_w"] = [mw[(a, b)][0] for a, b in zip(m["metric"], m["criterion"], strict=True)]
        m["w_pvalue"] = [mw[(a, b)][1] for a, b in zip(m["metric"], m["criterion"], strict=True)]
        sizes = r.groupby(["metric", "criterion"], sort=False)["value"].count()
        m["n_items"] = [
            int(sizes[(a, b)]) for a, b in zip(m["metric"], m["criterion"], strict=True)
        ]
        frames.append(
            m.rename(columns={"metric": "method"}).assign(
                kind="metric", scale=np.nan, granularity=None, judge_score=None
            )
        )
    if published:
        p = published_table(tuple(published)).rename(columns={"metric": "method"})
        frames.append(
            p.assign(kind="published", scale=np.nan, granularity=None, n_docs=100, judge_score=None)
        )
    out = pd.concat(frames, ignore_index=True)
    columns = SUMMEVAL_JUDGES.names()
    for col in columns:
        if col not in out.columns:
            out[col] = np.nan
    return out[list(columns)]
