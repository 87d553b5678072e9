"""radjudge.llm.client: guard, cache modes, replay without loading, kill-and-resume, integrity."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from llm_servers import SMOLLM2_SPEC, FaultServer, fake_completion, smollm2_backend
from radjudge.llm import (
    CacheMissError,
    CallCache,
    GenerationRequest,
    LLMClient,
    ScoreRequest,
    load_client,
)
from radjudge.llm.cache import CacheIntegrityError, entry_checksum
from radjudge.llm.prompts import prompt_hash

RECORD = "Жалобы: боль в животе, тошнота. Креатинин 98 мкмоль/л. Направление: КТ брюшной полости."


class ResidualPHIError(ValueError):
    """What a real guard raises (radjudge.anonymize.check_llm_text raises a ValueError subclass)."""


def guard(text: str) -> None:
    """A real, simple guard: refuses text that still carries a patient name marker."""
    if "Иванов" in text:
        raise ResidualPHIError("residual PHI: a surname")


def client_for(
    faults: FaultServer, cache_dir: Path, mode: str = "readwrite", **spec: Any
) -> LLMClient:
    base = {
        "backend": "openai",
        "base_url": faults.base_url,
        "model": "fake-model",
        "endpoint": "completions",
        "concurrency": 2,
        "timeout_s": 10,
        "max_retries": 2,
        "backoff_s": 0.01,
    }
    return load_client(
        "fake", {**base, **spec}, cache_dir=cache_dir, cache_mode=mode, text_guard=guard
    )


def req(i: int | str, **kw: Any) -> GenerationRequest:
    return GenerationRequest((f"[{i}] ", RECORD), max_tokens=16, **kw)


@pytest.mark.server
def test_guard_runs_before_cache_and_calls(tmp_path: Path, faults: FaultServer) -> None:
    client = client_for(faults, tmp_path)
    with pytest.raises(ResidualPHIError):
        client.generate([req("ok"), GenerationRequest(("Пациент Иванов И.И.",))])
    with pytest.raises(ResidualPHIError):
        client.score_options([ScoreRequest(("x",), system="Врач Иванов", options=("1", "2"))])
    assert faults.calls() == [] and len(client.cache) == 0
    # Cached text is guarded too: a cache can never launder unchecked text.
    unguarded = load_client(
        "fake",
        {
            "backend": "openai",
            "base_url": faults.base_url,
            "model": "fake-model",
            "endpoint": "completions",
        },
        cache_dir=tmp_path,
        cache_mode="readwrite",
        text_guard=None,
    )
    leaked = GenerationRequest(("Иванов",), max_tokens=16)
    unguarded.generate([leaked])
    with pytest.raises(ResidualPHIError):
        client.generate([leaked])


@pytest.mark.server
def test_modes_hits_and_stats(tmp_path: Path, faults: FaultServer) -> None:
    live = client_for(faults, tmp_path)
    first = live.generate([req(1), req(2)])
    assert [r.text for r in first] == [fake_completion(f"[{i}] {RECORD}") for i in (1, 2)]
    assert not any(r.cached for r in first)
    assert [r.prompt_hash for r in first] == [
        prompt_hash(None, f"[{i}] {RECORD}", "") for i in (1, 2)
    ]
    again = client_for(faults, tmp_path, "readonly").generate([req(2), req(1)])
    assert [r.text for r in again] == [first[1].text, first[0].text] and all(
        r.cached for r in again
    )
    assert [r.latency_s for r in again] == [first[1].latency_s, first[0].latency_s]
    assert len(faults.calls()) == 2
    stats = live.stats
    assert (
        stats["calls"],
        stats["hits"],
        stats["misses"],
        stats["live_calls"],
        stats["failures"],
    ) == (2, 0, 2, 2, 0)
    assert stats["completion_tokens"] == sum(r.completion_tokens for r in first) > 0
    with pytest.raises(CacheMissError) as info:
        client_for(faults, tmp_path, "readonly").generate([req(1), req(3)])
    message = str(info.value)
    assert "'fake'" in message and prompt_hash(None, f"[3] {RECORD}", "") in message
    assert len(faults.calls()) == 2  # readonly never calls
    off = client_for(faults, tmp_path, "off")
    assert not off.generate([req(1)])[0].cached
    assert len(faults.calls()) == 3 and len(CallCache(tmp_path)) == 2


@pytest.mark.server
def test_samples_are_separate_entries(tmp_path: Path, faults: FaultServer) -> None:
    client = client_for(faults, tmp_path)
    greedy = client.generate([req("g", n=3)])[0]
    assert len(set(greedy.texts)) == 1 and len(faults.calls("[g]")) == 1  # computed once
    sampled = GenerationRequest(("[s] ", RECORD), max_tokens=16, temperature=0.8, seed=11, n=3)
    client.generate([sampled])
    assert len(faults.calls("[s]")) == 3
    keys = {client.generation_key(sampled, i) for i in range(3)}
    assert len(keys) == 3 and all(client.cache.get(k) for k in keys)
    more = GenerationRequest(("[s] ", RECORD), max_tokens=16, temperature=0.8, seed=11, n=5)
    result = client.generate([more])[0]
    assert len(faults.calls("[s]")) == 5 and not result.cached  # only samples 3 and 4 were new
    assert client.generate([more])[0].cached


def test_key_covers_every_decoding_parameter(tmp_path: Path) -> None:
    client = load_client(
        "srv",
        {"backend": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "m"},
        cache_dir=tmp_path,
        cache_mode="off",
        text_guard=None,
    )
    base = GenerationRequest(("a",), max_tokens=8, temperature=0.5, seed=1)
    variants = [
        GenerationRequest(("a",), max_tokens=9, temperature=0.5, seed=1),
        GenerationRequest(("a",), max_tokens=8, temperature=0.6, seed=1),
        GenerationRequest(("a",), max_tokens=8, temperature=0.5, seed=2),
        GenerationRequest(("a",), max_tokens=8, temperature=0.5, seed=1, top_p=0.9),
        GenerationRequest(("a",), max_tokens=8, temperature=0.5, seed=1, stop=("\n",)),
        GenerationRequest(("a",), max_tokens=8, temperature=0.5, seed=1, logprobs=True),
        GenerationRequest(("a",), max_tokens=8, temperature=0.5, seed=1, system=""),
        GenerationRequest(("a",), max_tokens=8, temperature=0.5, seed=1, answer_prefix=" "),
    ]
    keys = {client.generation_key(v) for v in variants} | {client.generation_key(base, 1)}
    assert client.generation_key(base) not in keys and len(keys) == len(variants) + 1
    # Greedy decoding ignores seed, top_p and the sample index.
    assert client.generation_key(GenerationRequest(("a",), seed=1), 3) == client.generation_key(
        GenerationRequest(("a",), top_p=0.5)
    )
    # Segmentation is not part of the prompt: only the joined text is.
    assert client.generation_key(GenerationRequest(("a", "b"))) == client.generation_key(
        GenerationRequest(("ab",))
    )
    other = load_client(
        "srv",
        {"backend": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "m2"},
        cache_dir=tmp_path,
        cache_mode="off",
        text_guard=None,
    )
    assert other.generation_key(base) != client.generation_key(base)
    assert other.prompt_hash(base) == client.prompt_hash(base)


def test_key_scheme_is_frozen(tmp_path: Path) -> None:
    """The key is the SHA-256 of exactly this payload, written out here as the specification.

    The committed demo cache is only valid while the scheme stays the same: if
    this fails after an intentional change, regenerate data/cache/llm (cold run).
    """
    client = load_client(
        "srv",
        {
            "backend": "openai",
            "base_url": "http://127.0.0.1:9/v1",
            "model": "m",
            "endpoint": "completions",
        },
        cache_dir=tmp_path,
        cache_mode="off",
        text_guard=None,
    )
    request = GenerationRequest(
        ("Жалобы: ", "боль."), system="С.", answer_prefix="Ответ:", max_tokens=8
    )
    payload = {
        "op": "generate",
        "model": {"kind": "openai", "model_id": "m", "label": "srv"},
        "backend": {},
        "prompt": {
            "endpoint": "completions",
            "template": "none",
            "system": "С.",
            "user": "Жалобы: боль.",
            "answer_prefix": "Ответ:",
        },
        "decoding": {"max_tokens": 8, "temperature": 0.0, "stop": [], "logprobs": False},
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert client.generation_key(request) == hashlib.sha256(text.encode("utf-8")).hexdigest()


_RUN = textwrap.dedent("""
    import sys
    from radjudge.llm import GenerationRequest, load_client
    base_url, cache_dir, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    spec = {"backend": "openai", "base_url": base_url, "model": "fake-model", "endpoint":
    "completions",
            "concurrency": 2, "max_retries": 0}
    client = load_client("fake", spec, cache_dir=cache_dir, cache_mode="readwrite", text_guard=None)
    requests = [GenerationRequest((f"[kill {i:02d}] record",), max_tokens=8) for i in range(n)]
    results = client.generate(requests)
    assert all(r.status == "ok" for r in results)
""")


@pytest.mark.server
def test_killed_run_resumes_without_loss_or_repeats(tmp_path: Path, faults: FaultServer) -> None:
    n, concurrency = 30, 2
    faults.state.delay_s = 0.15
    env = {**os.environ, "TQDM_DISABLE": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", _RUN, faults.base_url, str(tmp_path), str(n)], env=env
    )
    deadline = time.monotonic() + 120
    while len([c for c in faults.calls("[kill") if c.end < float("inf")]) < n // 2:
        assert proc.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_at = time.monotonic()
    served = {c.prompt for c in faults.calls("[kill") if c.end <= killed_at}
    by_hash = {
        prompt_hash(None, f"[kill {i:02d}] record", ""): f"[kill {i:02d}] record" for i in range(n)
    }
    cached = {by_hash[e["ph"]] for _, e in CallCache(tmp_path).items()}
    assert cached <= served  # nothing is cached that the server did not answer
    assert len(served - cached) <= concurrency  # at most the calls in flight are lost
    assert 0 < len(cached) < n
    before = len(faults.calls("[kill"))
    rerun = subprocess.run(
        [sys.executable, "-c", _RUN, faults.base_url, str(tmp_path), str(n)], env=env, timeout=300
    )
    assert rerun.returncode == 0
    resumed = [c.prompt for c in faults.calls("[kill")[before:]]
    assert len(resumed) == len(set(resumed))  # each missing call made once
    assert not set(resumed) & cached  # no completed call repeated
    assert set(resumed) | cached == set(by_hash.values())  # none lost
    assert len(CallCache(tmp_path)) == n


@pytest.mark.server
def test_verify_cached_detects_a_tampered_entry(tmp_path: Path, faults: FaultServer) -> None:
    client = client_for(faults, tmp_path)
    requests = [req(i) for i in range(4)]
    client.generate(requests)
    check = client.verify_cached(requests, sample=None)
    assert check.ok and check.checked == 4
    key = client.generation_key(requests[2])
    shard = tmp_path / f"{key[:2]}.jsonl"
    lines = shard.read_text(encoding="utf-8").splitlines()

    def tamper(line: str, *, checksum: bool) -> str:
        entry = {**json.loads(line), "t": "подменено"}
        if checksum:  # a consistent forgery: only a live recomputation can tell
            entry["c"] = entry_checksum(key, entry)
        return json.dumps(entry)

    for checksum in (False, True):
        tampered = [
            tamper(x, checksum=checksum) if x.startswith(f'{{"k":"{key}"') else x for x in lines
        ]
        shard.write_text("\n".join(tampered) + "\n", encoding="utf-8")
        if not checksum:  # an in-place edit fails its checksum before anything is recomputed
            with pytest.raises(CacheIntegrityError, match="fails its checksum"):
                client_for(faults, tmp_path).verify_cached(requests, sample=None)
    check = client_for(faults, tmp_path).verify_cached(requests, sample=None)
    assert not check.ok
    assert [m["prompt_hash"] for m in check.mismatches] == [client.prompt_hash(requests[2])]
    assert check.mismatches[0]["cached"] == "подменено"


@pytest.mark.slow
def test_replay_never_loads_the_model_and_integrity(tmp_path: Path) -> None:
    """In-process SmolLM2: compute, replay from a fresh client (no model load), recompute one."""
    live = load_client(
        "smollm2", SMOLLM2_SPEC, cache_dir=tmp_path, cache_mode="readwrite", text_guard=guard
    )
    live.backend = smollm2_backend()
    gen = [GenerationRequest((RECORD, q), max_tokens=6) for q in ("Жалобы?", "Контраст?")]
    scores = [
        ScoreRequest(
            (RECORD, "Полнота от 1 до 3?"), answer_prefix="Оценка: ", options=("1", "2", "3")
        )
    ]
    first_gen, first_scores = live.generate(gen), live.score_options(scores)
    replay = load_client(
        "smollm2", SMOLLM2_SPEC, cache_dir=tmp_path, cache_mode="readonly", text_guard=guard
    )
    assert [r.texts for r in replay.generate(gen)] == [r.texts for r in first_gen]
    assert (
        replay.score_options(scores)[0].logprobs == first_scores[0].logprobs
    )  # bit-identical (rounded)
    assert (
        not replay.backend.loaded and replay.stats["hits"] == 3 and replay.stats["live_calls"] == 0
    )
    check = live.verify_cached([*gen, *scores], sample=None, logprob_atol=1e-4)
    assert check.ok, check.mismatches
    assert check.checked == 3 and check.max_logprob_diff <= 1e-4
