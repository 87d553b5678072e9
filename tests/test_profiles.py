"""Profiles: reading, `extends` merging, and the real profiles in params/."""

from __future__ import annotations

from pathlib import Path

import pytest

from radjudge import paths
from radjudge.profiles import ProfileError, deep_merge, load_profile


def write(tmp: Path, name: str, text: str) -> Path:
    p = tmp / f"{name}.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_extends_deep_merges_and_lists_replace(tmp_path):
    write(
        tmp_path,
        "base",
        "shared:\n  seed: 1\n  grid: {a: [1, 2], b: 3}\nnotebooks:\n  01_x: {k: 1, j: 2}\n",
    )
    child = write(
        tmp_path, "child", "extends: base\nshared:\n  grid: {a: [9]}\nnotebooks:\n  01_x: {k: 5}\n"
    )
    prof = load_profile(child)
    assert prof.shared == {"seed": 1, "grid": {"a": [9], "b": 3}}
    assert prof.notebooks == {"01_x": {"k": 5, "j": 2}}
    assert prof.chain == ("base", "child")


def test_extends_cycle_and_unknown_keys_are_errors(tmp_path):
    write(tmp_path, "a", "extends: b\n")
    write(tmp_path, "b", f"extends: {tmp_path / 'a.yaml'}\n")
    with pytest.raises(ProfileError, match="cycle"):
        load_profile(tmp_path / "a.yaml")
    bad = write(tmp_path, "bad", "shared: {}\nnotebook: {}\n")
    with pytest.raises(ProfileError, match=r"unknown top-level key\(s\) \['notebook'\]"):
        load_profile(bad)
    with pytest.raises(ProfileError, match="not valid YAML"):
        load_profile(write(tmp_path, "broken", "shared: [\n"))


def test_unknown_profile_name_lists_known_ones():
    with pytest.raises(ProfileError, match="Known profiles: .*demo"):
        load_profile("no_such_profile")


def test_deep_merge_does_not_alias_inputs():
    base = {"a": {"b": [1]}}
    merged = deep_merge(base, {"c": 1})
    merged["a"]["b"].append(2)
    assert base == {"a": {"b": [1]}}


def test_shipped_profiles_load_and_describe_themselves():
    names = sorted(p.stem for p in paths.PARAMS.glob("*.yaml"))
    assert names == ["demo", "rehearsal", "smoke", "study"]
    for name in names:
        prof = load_profile(name)
        assert prof.description, f"params/{name}.yaml needs a description"
    assert load_profile("smoke").chain == ("demo", "smoke")
    assert load_profile("demo").shared["cache_mode"] == "readwrite"


# ------------------------------------------------ issue 15: typed --set, nested keys, YAML keys


def test_duplicate_yaml_keys_are_an_error_naming_the_line(tmp_path):
    path = write(
        tmp_path,
        "dup",
        "shared:\n  seed: 1\nnotebooks:\n  05_concordance:\n    n_boot: 200\n    n_boot: 2000\n",
    )
    with pytest.raises(
        ProfileError, match=r"dup\.yaml, line 6: key 'n_boot' is given twice .*line 5"
    ):
        load_profile(path)
