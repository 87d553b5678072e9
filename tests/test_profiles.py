"""Profiles: reading, `extends` merging, `--set` overrides, and the real profiles in params/."""

from __future__ import annotations

from pathlib import Path

import pytest

from radjudge import paths
from radjudge.profiles import ProfileError, apply_overrides, deep_merge, load_profile


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


def test_overrides_parse_yaml_values_and_address_sections(tmp_path):
    prof = load_profile(
        write(
            tmp_path,
            "p",
            "shared:\n  seed: 1\nnotebooks:\n  04_judge_sweeps:\n    grid: {scales: [3, 5]}\n",
        )
    )
    out = apply_overrides(prof, ["seed=7", "judge_sweeps.grid.scales=[3, 5, 10]"])
    assert out.shared["seed"] == 7
    assert out.notebooks["04_judge_sweeps"]["grid"]["scales"] == [3, 5, 10]
    assert prof.shared["seed"] == 1  # the original is untouched
    assert apply_overrides(prof, ["04.grid={scales: [10]}"]).notebooks["04_judge_sweeps"][
        "grid"
    ] == {"scales": [10]}


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("no_such_param=1", "unknown parameter 'no_such_param'"),
        ("seeds=1", "Did you mean: seed"),
        ("judge_sweeps.grid.sizes=1", "unknown parameter 'grid.sizes'"),
        ("nosection.x=1", "unknown notebook section 'nosection'"),
        ("seed", "expected key=value"),
    ],
)
def test_bad_overrides_name_the_key(tmp_path, override, message):
    prof = load_profile(
        write(
            tmp_path,
            "p",
            "shared:\n  seed: 1\nnotebooks:\n  04_judge_sweeps:\n    grid: {scales: [3]}\n",
        )
    )
    with pytest.raises(ProfileError, match=message):
        apply_overrides(prof, [override])


def test_deep_merge_does_not_alias_inputs():
    base = {"a": {"b": [1]}}
    merged = deep_merge(base, {"c": 1})
    merged["a"]["b"].append(2)
    assert base == {"a": {"b": [1]}}


def test_shipped_profiles_load_and_describe_themselves():
    names = sorted(p.stem for p in paths.PARAMS.glob("*.yaml"))
    assert names == ["demo", "smoke", "study"]
    for name in names:
        prof = load_profile(name)
        assert prof.description, f"params/{name}.yaml needs a description"
    assert load_profile("smoke").chain == ("demo", "smoke")
    assert load_profile("demo").shared["cache_mode"] == "readwrite"
