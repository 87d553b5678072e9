"""The command line: help, profiles listing, --check, exit codes."""

from __future__ import annotations

from conftest import run_cli
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
    assert [line.split()[0] for line in res.stdout.splitlines()] == ["demo", "smoke", "study"]


def test_check_prints_parameters_without_running():
    res = run_cli("run", "--profile", "study", "--check")
    assert res.returncode == 0, res.stderr
    assert "01_anonymization:" in res.stdout


def test_unknown_profile_exits_2():
    res = run_cli("run", "--profile", "nope")
    assert res.returncode == 2
    assert "unknown profile 'nope'" in res.stderr
