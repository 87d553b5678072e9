"""Summarizers end to end through the real LLM client (radjudge.summarize.run).

Real parts only: the synthetic cohort, the real anonymizer, SmolLM2-135M-Instruct
in-process (loaded once for this module), a temporary call cache. The last
test is issue 4's cache integrity check on the committed demo cache.
"""

from __future__ import annotations

import pandas as pd
import pytest

from llm_servers import FaultServer
from radjudge import paths
from radjudge.anonymize import PHIGuardError, anonymize_records, check_llm_text
from radjudge.cohort import load_cohort
from radjudge.contracts import SUMMARIES
from radjudge.judge import load_judge_clients, parse_judges, render_judge_prompt, run_sweep
from radjudge.judge import load_template as load_judge_template
from radjudge.llm import CacheMissError, combined_cache_stats, validate_spec
from radjudge.profiles import load_profile
from radjudge.rubric import load_rubric
from radjudge.summarize import (
    generation_batches,
    load_summary_clients,
    parse_summarizers,
    run_summarizers,
    summary_requests,
    summary_stats,
)
from radjudge.summarize.prompts import load_template

DEMO = load_profile("demo")
SEED = DEMO.shared["seed"]
MODELS = DEMO.shared["models"]
STEM = "02_summarization"


def anonymize(cohort):
    opts = DEMO.section("01_anonymization")
    return [
        r.record
        for r in anonymize_records(
            cohort, replacement=opts["replacement"], date_strategy=opts["date_strategy"], seed=SEED
        )
    ]


COHORT = load_cohort()
FACTS = {r.patient_id: r.facts for r in COHORT}
SMALL = parse_summarizers(
    [
        {
            "name": "smollm2_structured",
            "kind": "llm",
            "model": "smollm2",
            "template": "structured_chat",
            "max_tokens": 12,
        },
        {"name": "gold", "kind": "gold"},
        {"name": "extractive", "kind": "extractive", "max_chars": 400},
    ],
    models=MODELS,
)


@pytest.fixture(scope="module")
def records():
    return anonymize(COHORT[:2])


@pytest.fixture(scope="module")
def cold(records, tmp_path_factory):
    """One cold run (SmolLM2 loaded once for the module) into a fresh cache."""
    cache_dir = tmp_path_factory.mktemp("llm-cache")
    clients = load_summary_clients(
        SMALL, models=MODELS, cache_dir=cache_dir, cache_mode="readwrite", records=records
    )
    table = run_summarizers(records, SMALL, clients=clients, facts=FACTS, seed=SEED)
    return cache_dir, clients, table


@pytest.mark.slow
def test_cold_run_table_follows_the_contract(records, cold):
    _, clients, table = cold
    assert list(table.columns) == list(SUMMARIES.names())
    assert len(table) == len(records) * len(SMALL)
    assert list(table["summarizer"]) == [c.name for c in SMALL for _ in records]
    assert list(table["patient_id"]) == [r.patient_id for r in records] * len(SMALL)
    llm = table[table["summarizer_kind"] == "llm"]
    client = clients["smollm2"]
    requests = summary_requests(records, SMALL[0], seed=SEED)
    assert list(llm["prompt_hash"]) == [client.prompt_hash(r) for r in requests]
    assert (llm["model"] == client.identity.label).all()
    assert (llm["prompt_tokens"] > 1000).all()  # a whole record and the instruction
    assert llm["completion_tokens"].between(1, 12).all()
    assert (llm["latency_s"] > 0).all() and not llm["cache_hit"].any()
    assert llm["finish_reason"].isin(["stop", "length"]).all()
    prefix = load_template("structured_chat").answer_prefix
    assert all(raw.startswith(prefix) for raw in llm["raw_text"])
    assert set(table["flag"]) <= {"ok", "empty", "degenerate", "failed"}
    refs = table[table["summarizer_kind"] != "llm"]
    assert refs["model"].isna().all() and refs["prompt_hash"].isna().all()
    assert (refs["text"] == refs["raw_text"]).all() and (refs["flag"] == "ok").all()
    stats = client.stats
    assert (stats["hits"], stats["misses"], stats["live_calls"]) == (0, 2, 2)
    assert stats["model_loaded"]


@pytest.mark.slow
def test_second_run_replays_from_the_cache_without_loading_the_model(records, cold):
    cache_dir, _, first = cold
    for mode in ("readwrite", "readonly"):
        clients = load_summary_clients(
            SMALL, models=MODELS, cache_dir=cache_dir, cache_mode=mode, records=records
        )
        again = run_summarizers(records, SMALL, clients=clients, facts=FACTS, seed=SEED)
        stats = clients["smollm2"].stats
        assert (stats["hits"], stats["misses"], stats["live_calls"]) == (2, 0, 0)
        assert not stats["model_loaded"]
        llm = again["summarizer_kind"] == "llm"
        assert again.loc[llm, "cache_hit"].all()
        pd.testing.assert_frame_equal(
            again.drop(columns="cache_hit"), first.drop(columns="cache_hit")
        )
        assert combined_cache_stats(clients)["hits"] == 2


@pytest.mark.slow
def test_readonly_miss_is_an_error_before_any_live_call(records, cold):
    cache_dir, _, _ = cold
    longer = parse_summarizers(
        [
            {
                "name": "s",
                "kind": "llm",
                "model": "smollm2",
                "template": "structured_chat",
                "max_tokens": 13,
            }
        ],
        models=MODELS,
    )
    clients = load_summary_clients(
        longer, models=MODELS, cache_dir=cache_dir, cache_mode="readonly", records=records
    )
    with pytest.raises(CacheMissError, match="not in the cache"):
        run_summarizers(records, longer, clients=clients, seed=SEED)
    assert not clients["smollm2"].stats["model_loaded"]


@pytest.mark.slow
def test_summary_stats_per_summarizer(records, cold):
    _, _, table = cold
    stats = summary_stats(table, records={r.patient_id: r.text for r in records}, facts=FACTS)
    assert list(stats["summarizer"]) == [c.name for c in SMALL]
    assert (stats["n"] == len(records)).all()
    gold = stats.set_index("summarizer").loc["gold"]
    assert gold["coverage"] == 1.0 and gold["n_flagged"] == 0
    ext = stats.set_index("summarizer").loc["extractive"]
    assert 0 < ext["compression"] < 400 / 1300
    assert ext["unsupported_rate"] == 0.0  # copied sentences only


def test_refuses_raw_records_and_gold_without_facts(records):
    with pytest.raises(PHIGuardError, match="refusing CohortRecord"):
        run_summarizers(COHORT[:1], SMALL[1:])
    with pytest.raises(ValueError, match="needs the ground-truth facts"):
        run_summarizers(records, SMALL[1:2], facts={})
    with pytest.raises(ValueError, match="needs a client for model 'smollm2'"):
        run_summarizers(records, SMALL[:1])
    with pytest.raises(ValueError, match="appear more than once"):
        run_summarizers([records[0], records[0]], SMALL[1:])


def test_batches_are_the_cold_runs():
    requests = summary_requests(anonymize(COHORT[:5]), SMALL[0], seed=SEED)
    batches = generation_batches(requests, 2)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(5)) and [len(b) for b in batches] == [2, 2, 1]
    lengths = [len(requests[i].text) for i in flat]
    assert lengths == sorted(lengths, reverse=True)


@pytest.mark.slow
def test_committed_demo_cache_replays_every_summary_and_recomputes_identically():
    """Issue 4, must-show 1 and 4, for the summaries.

    Every demo LLM summary must be in the committed cache (a readonly replay:
    zero live calls, no model loaded). Then, per model, one batch of the cold
    run - the last batch of its summarizer with the smallest token budget - is
    recomputed live with ``LLMClient.verify_cached``: the greedy texts must be identical.
    A batch is recomputed as the cold run computed it (same requests, same
    order, same batch size), because greedy decoding is bit-reproducible for a
    given batch composition (radjudge.llm.transformers_backend).
    """
    cache_dir = paths.resolve(DEMO.shared["cache_dir"])
    assert cache_dir.is_dir(), f"the committed demo cache {paths.relative(cache_dir)} is missing"
    n = DEMO.section("01_anonymization")["n_patients"]
    records = anonymize(COHORT[:n])
    configs = parse_summarizers(DEMO.section(STEM)["summarizers"], models=MODELS)
    llm = [c for c in configs if c.kind == "llm"]
    clients = load_summary_clients(
        configs, models=MODELS, cache_dir=cache_dir, cache_mode="readonly", records=records
    )
    table = run_summarizers(records, configs, clients=clients, facts=FACTS, seed=SEED)
    assert len(table) == n * len(configs)
    stats = combined_cache_stats(clients)
    assert (stats["hits"], stats["misses"], stats["live_calls"]) == (n * len(llm), 0, 0)
    assert not any(c.stats["model_loaded"] for c in clients.values())

    for model in sorted({c.model for c in llm}):
        # the cheapest batch of the cold run: the summarizer with the smallest budget, its last
        # (shortest, smallest) batch - a real batch composition, recomputed exactly as it ran
        cfg = min((c for c in llm if c.model == model), key=lambda c: (c.max_tokens, c.name))
        requests = summary_requests(records, cfg, seed=SEED)
        batch = generation_batches(requests, validate_spec(model, MODELS[model])["batch_size"])[-1]
        check = clients[model].verify_cached([requests[i] for i in batch], sample=None)
        assert check.checked == len(batch)
        assert check.ok, (cfg.name, check.mismatches)


def test_client_guard_accepts_the_records_shifted_dates_only(tmp_path):
    shifted = [r.record for r in anonymize_records(COHORT[:1], date_strategy="shift", seed=SEED)]
    # with the records' surrogates allowed the prompt passes the guard and reaches the
    # (empty, readonly) cache; without them the shifted dates look like PHI
    clients = load_summary_clients(
        SMALL, models=MODELS, cache_dir=tmp_path, cache_mode="readonly", records=shifted
    )
    with pytest.raises(CacheMissError):
        run_summarizers(shifted, SMALL[:1], clients=clients, seed=SEED)
    clients = load_summary_clients(SMALL, models=MODELS, cache_dir=tmp_path, cache_mode="readonly")
    with pytest.raises(PHIGuardError, match="DATE"):
        run_summarizers(shifted, SMALL[:1], clients=clients, seed=SEED)
    assert not clients["smollm2"].stats["model_loaded"]


def test_a_summary_that_looks_like_phi_reaches_the_judges_masked(tmp_path):
    """The rehearsal's failure in CI: notebook 04 stopped on the judge guard (DATE
    '####-##-##', NAME 'Xxxxxxx' in a judge prompt) because an LLM summary holding a date
    and a name-like word was masked for its flag but stored unmasked.

    A model's text is this test's input, and no real model writes one on demand: the
    fault server (real HTTP, real client, cache and guards) returns it for every call.
    """
    invented = "КТ от 2023-10-15: свободный газ. Лечащий врач Смирнов."
    (record,) = anonymize(COHORT[:1])
    server = FaultServer()
    server.state.reply = invented
    try:
        models = {"fake": {"backend": "openai", "base_url": server.base_url, "model": "fake"}}
        configs = parse_summarizers(
            [
                {
                    "name": "fake_llm",
                    "kind": "llm",
                    "model": "fake",
                    "template": "structured_chat",
                    "max_tokens": 48,
                }
            ],
            models=models,
        )
        clients = load_summary_clients(configs, models=models, cache_dir=tmp_path, records=[record])
        table = run_summarizers([record], configs, clients=clients, seed=SEED)
        (row,) = table.itertuples()
        assert row.phi_masked and "2023-10-15" in row.raw_text and "Смирнов" in row.raw_text
        assert "2023-10-15" not in row.text and "Смирнов" not in row.text, row.text
        assert "[ДАТА]" in row.text and "[ФИО]" in row.text
        check_llm_text(row.text, allowed=record.surrogates)
        # a judge reads the table's text: its prompt passes the guard and reaches the model
        judges = parse_judges(
            [
                {
                    "name": "fake-judge",
                    "mode": "generate",
                    "model": "fake",
                    "criteria": ["completeness"],
                    "scales": [5],
                    "granularities": ["none"],
                }
            ],
            models=models,
        )
        judge_clients = load_judge_clients(
            judges, models=models, cache_dir=tmp_path, records=[record]
        )
        res = run_sweep(table, [record], judges, clients=judge_clients, seed=SEED, progress=False)
        assert list(res.ratings["status"]) == ["unparseable"]  # the server's answer: no score
        judged = render_judge_prompt(
            record.text,
            row.text,
            criterion="completeness",
            scale=5,
            granularity="none",
            rubric=load_rubric(),
            template=load_judge_template(),
        )
        assert list(res.ratings["prompt_hash"]) == [judged.prompt_hash]
    finally:
        server.stop()
