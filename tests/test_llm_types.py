"""Tests of radjudge.llm.types: requests refuse bad input with the rule stated."""

from __future__ import annotations

import dataclasses

import pytest

from radjudge.llm.types import GenerationRequest, ModelIdentity, ScoreRequest, TokenScoreRequest


def test_generation_request_defaults_and_text() -> None:
    req = GenerationRequest(("Жалобы: ", "боль в животе."), system="Кратко.")
    assert req.text == "Жалобы: боль в животе."
    assert (req.temperature, req.n, req.stop, req.choices) == (0.0, 1, (), ())
    with pytest.raises(dataclasses.FrozenInstanceError):
        req.max_tokens = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"segments": "одна строка"}, "tuple of str"),
        ({"segments": ()}, "non-empty tuple"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"temperature": 0.7}, "seed is required"),
        ({"temperature": -1.0}, "temperature"),
        ({"top_p": 0.0}, "top_p"),
        ({"n": 0}, "n must be"),
        ({"stop": "\n"}, "stop must be a tuple"),
        ({"choices": ("1", "")}, "choices"),
    ],
)
def test_generation_request_rejects(kwargs: dict, message: str) -> None:
    args = {"segments": ("текст",), **kwargs}
    with pytest.raises(ValueError, match=message):
        GenerationRequest(**args)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"options": ()}, "non-empty tuple"),
        ({"options": "12345"}, "non-empty tuple"),
        ({"options": ("1", " ")}, "non-blank"),
        ({"options": ("1", "1")}, "distinct"),
        ({"segments": ["a"], "options": ("1",)}, "tuple of str"),
    ],
)
def test_score_request_rejects(kwargs: dict, message: str) -> None:
    args = {"segments": ("текст",), **kwargs}
    with pytest.raises(ValueError, match=message):
        ScoreRequest(**args)


def test_identity_key_fields() -> None:
    local = ModelIdentity("transformers", "m.gguf", "ab" * 32, "smollm2")
    assert local.key_fields() == {"kind": "transformers", "weights_sha256": "ab" * 32}  # label-free
    server = ModelIdentity("openai", "Qwen/Qwen2.5-72B-Instruct", None, "qwen")
    assert server.key_fields() == {
        "kind": "openai",
        "model_id": "Qwen/Qwen2.5-72B-Instruct",
        "label": "qwen",
    }


def test_token_score_request_prompt_ids() -> None:
    req = TokenScoreRequest(segments=((1, 2), (), (3,)), options=((4,), (5, 6)))
    assert req.prompt_ids == (1, 2, 3)
