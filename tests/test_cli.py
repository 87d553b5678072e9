"""The command line: help, profiles listing, --check, exit codes."""

from __future__ import annotations

import pytest

from conftest import ROOT, run_cli
from radjudge.cli import build_parser


def test_parser_knows_the_documented_options():
    args = build_parser().parse_args(
        [
            "run",
            "--profile",
            "smoke",
            "--from",
            "03",
            "--only",
            "04,05",
            "--set",
            "seed=1",
            "--set",
            "x.y=2",
        ]
    )
    assert (args.profile, args.start, args.only, args.overrides) == (
        "smoke",
        "03",
        "04,05",
        ["seed=1", "x.y=2"],
    )


def test_profiles_command_lists_shipped_profiles():
    res = run_cli("profiles")
    assert res.returncode == 0
    assert [line.split()[0] for line in res.stdout.splitlines()] == [
        "demo",
        "rehearsal",
        "smoke",
        "study",
    ]


def test_check_prints_parameters_without_running():
    res = run_cli("run", "--profile", "demo", "--check")
    assert res.returncode == 0, res.stderr
    assert "01_anonymization:" in res.stdout


@pytest.mark.parametrize(
    ("override", "says"),
    [
        ("05.n_boot=abc", "'abc' is not an integer; expected an integer >= 1"),
        ("05.n_boot=-5", "notebooks.05_concordance.n_boot: must be an integer >= 1"),
        ("seed=abc", "'abc' is not an integer; expected an integer >= 0"),
        ("cache_mode=bogus", "shared.cache_mode: must be one of 'readwrite', 'readonly', 'off'"),
        (
            "05.ci_method=nonsense",
            "notebooks.05_concordance.ci_method: must be one of 'percentile', 'bca'",
        ),
        ("01.replacement=none", "replacement: must be one of 'placeholder', 'surrogate'"),
    ],
)
def test_check_refuses_bad_values_naming_the_parameter_and_its_choices(override, says):
    res = run_cli("run", "--profile", "smoke", "--set", override, "--check")
    assert res.returncode == 2, res.stdout
    assert says in res.stderr and "nothing was run" in res.stderr


def test_study_check_lists_exactly_the_missing_inputs_and_unreachable_servers():
    res = run_cli("run", "--profile", "study", "--check", env={"RADJUDGE_VLLM_API_KEY": ""})
    assert res.returncode == 2
    problems = [ln[4:] for ln in res.stderr.splitlines() if ln.startswith("  - ")]
    assert problems[:2] == [
        "notebooks.01_anonymization.records_path: input file data/raw/records.xlsx does not "
        f"exist ({ROOT / 'data/raw/records.xlsx'}): real records (.csv/.xlsx/.jsonl), or null "
        "for the synthetic cohort",
        "notebooks.03_expert_ratings.roster_file: input file data/interim/expert_roster.csv does "
        f"not exist ({ROOT / 'data/interim/expert_roster.csv'}): roster CSV (expert_id, category, "
        "years_experience); null = made from panel",
    ]
    models = ["qwen2.5-72b", "llama3.3-70b", "gemma3-27b", "t-pro-1.0", "yandexgpt5-lite-8b",
              "vikhr-nemo-12b"]  # fmt: skip
    assert [p.split(":")[0] for p in problems[2:]] == [
        *(f"shared.models.{m}.source.path" for m in models),
        *(f"shared.models.{m}.api_key_env" for m in models),
    ]


def test_study_check_passes_once_its_inputs_exist_and_its_servers_answer(tmp_path, faults):
    """The study profile in a copy holding records, a roster and model folders, its six
    servers replaced by one real HTTP server that serves the model id asked for."""
    import openpyxl

    from radjudge.cohort import load_cohort
    from radjudge.records import SECTION_HEADINGS, SECTIONS
    from test_study import project_copy

    root = project_copy(tmp_path, with_cache=False)
    wb = openpyxl.Workbook()
    wb.active.append(["patient_id", *(SECTION_HEADINGS[k] for k in SECTIONS)])
    for rec in load_cohort()[:2]:
        wb.active.append([rec.patient_id, *(rec.sections[k] for k in SECTIONS)])
    wb.save(root / "data" / "raw" / "records.xlsx")
    (root / "data" / "interim").mkdir(parents=True)
    (root / "data" / "interim" / "expert_roster.csv").write_text(
        "expert_id,category,years_experience\nE01,radiologist,10\n", "utf-8"
    )
    models = ["qwen2.5-72b", "llama3.3-70b", "gemma3-27b", "t-pro-1.0", "yandexgpt5-lite-8b",
              "vikhr-nemo-12b"]  # fmt: skip
    sets = []
    for m in models:
        folder = root / "models" / m
        folder.mkdir(parents=True)
        (folder / "config.json").write_text("{}")
        sets += ["--set", f"models.{m}.source.path={folder}"]
        sets += ["--set", f"models.{m}.base_url={faults.base_url}"]
        sets += ["--set", f"models.{m}.model=fake-model"]  # the id the test server lists
    env = {"RADJUDGE_VLLM_API_KEY": "test-key-not-a-secret"}
    res = run_cli("run", "--profile", "study", *sets, "--check", root=root, env=env)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "test-key-not-a-secret" not in res.stdout + res.stderr
    assert len(faults.calls()) == 0  # --check asks GET /models only, never a completion
    # one missing input again: --check fails and names it
    (root / "data" / "interim" / "expert_roster.csv").unlink()
    res = run_cli("run", "--profile", "study", *sets, "--check", root=root, env=env)
    assert res.returncode == 2 and "expert_roster.csv does not exist" in res.stderr


@pytest.mark.slow
def test_set_cache_mode_off_runs_notebook_02_of_the_smoke_profile(tmp_path):
    """`radjudge run --set cache_mode=off --only 02 --profile smoke` (off used to become False)."""
    from test_study import manifest_of, project_copy

    root = project_copy(tmp_path, with_cache=False)
    res = run_cli("run", "--profile", "smoke", "--only", "01", root=root, timeout=1200)
    assert res.returncode == 0, res.stderr[-3000:]
    res = run_cli(
        "run", "--set", "cache_mode=off", "--only", "02", "--profile", "smoke", root=root,
        timeout=1800,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr[-3000:]
    man = manifest_of(root)
    assert man["notebooks"][0]["parameters"]["cache_mode"] == "off"
    cache = man["stages"]["02_summarization"]["cache"]
    assert cache["hits"] == 0 and cache["live_calls"] > 0
    assert not (root / "data" / "cache" / "smoke").exists()  # off: nothing read, nothing written


def test_unknown_profile_exits_2():
    res = run_cli("run", "--profile", "nope")
    assert res.returncode == 2
    assert "unknown profile 'nope'" in res.stderr
