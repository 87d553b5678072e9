"""Manifest helpers: hashing, git state, stage records, secret scrubbing."""

from __future__ import annotations

import hashlib
import json

import pytest

from radjudge import manifest, paths


def test_sha256_file_matches_hashlib(tmp_path):
    data = bytes(range(256)) * 5000
    p = tmp_path / "blob.bin"
    p.write_bytes(data)
    assert manifest.sha256_file(p) == hashlib.sha256(data).hexdigest()


def test_git_state_reports_this_checkout():
    state = manifest.git_state()
    assert state["sha"] is None or len(state["sha"]) == 40
    assert state["dirty"] in (True, False, None)


def test_record_stage_hashes_inputs_and_writes_only_inside_a_run(tmp_path):
    f = tmp_path / "input.txt"
    f.write_text("x")
    rec = manifest.record_stage("01_test", run_dir=None, inputs=[f], cache={"hits": 2})
    assert rec["inputs_sha256"] == {str(f.resolve()): hashlib.sha256(b"x").hexdigest()}
    assert not (tmp_path / "stages").exists()
    manifest.record_stage("01_test", run_dir=tmp_path, inputs=[f], cache={"hits": 2})
    assert manifest.read_stage_records(tmp_path)["01_test"]["cache"] == {"hits": 2}
    with pytest.raises(FileNotFoundError, match="does not exist"):
        manifest.record_stage("01_test", run_dir=None, inputs=[tmp_path / "missing.txt"])


def test_write_json_scrubs_secret_environment_values(tmp_path, monkeypatch):
    monkeypatch.setenv("SERVICE_API_KEY", "s3cr3t-value-123")
    out = manifest.write_json(
        tmp_path / "m.json", {"note": "key=s3cr3t-value-123", "env": "SERVICE_API_KEY"}
    )
    data = json.loads(out.read_text())
    assert data == {"note": "key=***", "env": "SERVICE_API_KEY"}


def test_package_versions_cover_the_key_packages():
    versions = manifest.package_versions()
    assert versions["torch"].startswith("2.13.0")
    assert versions["papermill"] and versions["pandas"]
    assert paths.relative(paths.RUN_MANIFEST) == "data/results/run_manifest.json"


def test_provenance_is_one_short_line():
    """Notebooks end with this line instead of a dump of their stage record."""
    import time

    from radjudge.manifest import git_state, provenance

    record = {
        "stage": "04_judge_sweeps",
        "cache": {"calls": 12, "hits": 10, "misses": 2, "live_calls": 2},
        "extra": {"judges": [{"name": "x"}] * 50},  # never shown
    }
    line = provenance(record, profile="demo", since=time.perf_counter() - 2.5)
    assert "\n" not in line and len(line) < 160
    assert line.startswith("**04_judge_sweeps**") and "profile `demo`" in line
    assert "10 hits, 2 misses, 2 live calls" in line
    sha = git_state()["sha"]
    assert sha is None or sha[:10] in line
    seconds = float(line.rsplit("·", 1)[1].strip().removesuffix(" s"))
    assert 2.5 <= seconds < 60
    assert line._repr_markdown_() == str(line)  # Jupyter shows it as Markdown
    assert "no LLM calls" in provenance({"stage": "05_concordance"}, profile="smoke")


@pytest.mark.parametrize("name", ["HF_AUTH", "DB_PASS", "SMTP_PASSWORD", "MYSQL_PWD", "X_COOKIE"])
def test_secret_looking_names_are_masked_even_when_they_hold_a_path(tmp_path, monkeypatch, name):
    monkeypatch.setenv(name, str(tmp_path))  # an existing path, but the name says secret
    assert str(tmp_path) in manifest.secret_values()


def test_values_are_masked_whatever_the_name_except_paths_and_locale(tmp_path, monkeypatch):
    monkeypatch.setenv("RADJUDGE_ENDPOINT_CONF", "abcdefgh-1234")
    monkeypatch.setenv("LC_ALL", "ru_RU.UTF-8")
    monkeypatch.setenv("RADJUDGE_SOME_DIR", str(tmp_path))
    values = manifest.secret_values()
    assert "abcdefgh-1234" in values
    assert "ru_RU.UTF-8" not in values and str(tmp_path) not in values
    assert manifest.scrub_secrets("x abcdefgh-1234 y") == "x *** y"
