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


def test_set_reads_values_by_the_parameter_type():
    smoke = load_profile("smoke")
    out = apply_overrides(smoke, ["cache_mode=off", "seed=7", "05.p_adjust=none", "05.alpha=0.1"])
    assert out.shared["cache_mode"] == "off" and out.shared["seed"] == 7  # not False, not '7'
    assert out.notebooks["05_concordance"]["p_adjust"] == "none"
    assert out.notebooks["05_concordance"]["alpha"] == 0.1
    out = apply_overrides(smoke, ["07.baseline_docs=null", "01.records_path=data/raw/r.xlsx"])
    assert out.notebooks["07_external_validation"]["baseline_docs"] is None
    assert out.notebooks["01_anonymization"]["records_path"] == "data/raw/r.xlsx"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("05.n_boot=abc", r"--set 05.n_boot: 'abc' is not an integer; expected an integer >= 1"),
        ("seed=abc", r"--set seed: 'abc' is not an integer; expected an integer >= 0"),
        ("05.correct_ties=maybe", r"'maybe' is not true or false"),
    ],
)
def test_set_values_of_the_wrong_type_name_the_parameter(override, message):
    with pytest.raises(ProfileError, match=message):
        apply_overrides(load_profile("smoke"), [override])


def test_nested_keys_of_shared_and_section_values_can_be_set():
    smoke = load_profile("smoke")
    out = apply_overrides(
        smoke,
        [
            "models.smollm2.batch_size=2",
            "models.gemma3.chat_template=none",
            "04.judges.0.scales=[5]",
            "03.panel.resident.n=1",
        ],
    )
    assert out.shared["models"]["smollm2"]["batch_size"] == 2
    assert out.shared["models"]["gemma3"]["chat_template"] == "none"
    assert out.notebooks["04_judge_sweeps"]["judges"][0]["scales"] == [5]
    assert out.notebooks["03_expert_ratings"]["panel"]["resident"]["n"] == 1
    assert smoke.shared["models"]["smollm2"]["batch_size"] == 8  # the original is untouched
    with pytest.raises(
        ProfileError, match=r"unknown parameter 'models.smollm2.bach_size' in shared.*batch_size"
    ):
        apply_overrides(smoke, ["models.smollm2.bach_size=2"])
    with pytest.raises(ProfileError, match=r"unknown parameter 'judges.7' \(a list of 3\)"):
        apply_overrides(smoke, ["04.judges.7.scales=[5]"])
