"""Blinding key: fingerprint, verification, read-back."""

from __future__ import annotations

import json

import pytest

from radjudge.ratings import RatingsError, read_key
from radjudge.ratings.key import CodeEntry, FormEntry, text_sha256, write_key


def small_key(path):
    return write_key(
        path,
        study_id="s1",
        seed=5,
        scales={"completeness": 5, "structure": 3},
        patients={"P1": text_sha256("record")},
        codes={"ABCDEF": CodeEntry("P1", "model_a", text_sha256("summary"))},
        forms={"E1": FormEntry("radiologist", "form_E1.xlsx", ("ABCDEF",))},
    )


def test_written_key_reads_back_and_verifies(tmp_path):
    key = small_key(tmp_path / "k.json")
    assert key.criteria == ("completeness", "structure")
    assert key.code_of() == {("P1", "model_a"): "ABCDEF"}
    assert read_key(tmp_path / "k.json") == key
    assert len(key.fingerprint) == 64
    # the fingerprint covers the content: same content, same fingerprint
    assert small_key(tmp_path / "k2.json").fingerprint == key.fingerprint


@pytest.mark.parametrize(
    ("edit", "kind"),
    [
        (lambda d: d["codes"]["ABCDEF"].update(summarizer="model_b"), "tampered_key"),
        (lambda d: d["scales"].update(structure=5), "tampered_key"),
        (lambda d: d["forms"]["E1"]["codes"].append("ZZZZZZ"), "tampered_key"),
        (lambda d: d.pop("codes"), "invalid_key"),
        (lambda d: d.update(format="something-else/1"), "invalid_key"),
    ],
)
def test_any_edit_is_detected(tmp_path, edit, kind):
    small_key(tmp_path / "k.json")
    data = json.loads((tmp_path / "k.json").read_text("utf-8"))
    edit(data)
    (tmp_path / "k.json").write_text(json.dumps(data), "utf-8")
    with pytest.raises(RatingsError) as info:
        read_key(tmp_path / "k.json")
    assert info.value.kind == kind
    assert str(tmp_path / "k.json") in str(info.value)


def test_missing_and_empty_key(tmp_path):
    with pytest.raises(FileNotFoundError, match="export_forms"):
        read_key(tmp_path / "none.json")
    (tmp_path / "e.json").write_text("", "utf-8")
    with pytest.raises(RatingsError, match="empty"):
        read_key(tmp_path / "e.json")
