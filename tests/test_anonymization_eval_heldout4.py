"""The fourth held-out anonymization set (issue 14, round 4) is well-formed.

Runs ``tests/data/anonymization_eval/heldout4_check.py --check`` on the committed files and on
broken copies, as a subprocess: the checker imports nothing from the project, and neither does
this module, so the set stays independent of the detectors it measures.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EVAL_DIR = Path(__file__).resolve().parent / "data" / "anonymization_eval"
CHECKER = EVAL_DIR / "heldout4_check.py"
SOURCE = EVAL_DIR / "source" / "heldout4.txt"
JSONL = EVAL_DIR / "heldout4.jsonl"
README = EVAL_DIR / "HELDOUT4.md"


def run_check(source: Path, jsonl: Path, readme: Path) -> subprocess.CompletedProcess[str]:
    args = ["--check", "--source", str(source), "--jsonl", str(jsonl), "--readme", str(readme)]
    return subprocess.run(
        [sys.executable, str(CHECKER), *args], capture_output=True, text=True, check=False
    )


@pytest.fixture
def copies(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Copies of the source, jsonl and README that a test may break."""
    paths = []
    for original in (SOURCE, JSONL, README):
        target = tmp_path / original.name
        shutil.copy(original, target)
        paths.append(target)
    return paths[0], paths[1], paths[2]


def rebuild(source: Path, jsonl: Path) -> None:
    subprocess.run(
        [sys.executable, str(CHECKER), "--build", "--source", str(source), "--jsonl", str(jsonl)],
        capture_output=True,
        check=True,
    )


def test_committed_set_passes_the_check():
    result = run_check(SOURCE, JSONL, README)
    assert result.returncode == 0, result.stderr
    assert "ok: " in result.stdout


def test_committed_set_meets_the_brief():
    records = [json.loads(line) for line in JSONL.read_text(encoding="utf-8").splitlines()]
    assert len(records) >= 220
    assert [r["id"] for r in records] == [f"q{i:03d}" for i in range(1, len(records) + 1)]
    negative = sum(not r["spans"] for r in records) / len(records)
    assert 0.18 <= negative <= 0.35
    for record in records:
        for item in record["spans"] + record["keep"]:
            assert record["text"][item["start"] : item["end"]] == item["text"]


def test_shifted_offset_fails(copies):
    source, jsonl, readme = copies
    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    first = next(r for r in records if r["spans"])
    first["spans"][0]["start"] += 1
    jsonl.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    result = run_check(source, jsonl, readme)
    assert result.returncode == 1
    assert "differs from a fresh build" in result.stderr


def check_edited(copies: tuple[Path, Path, Path], old: str, new: str) -> str:
    """Replace ``old`` (which must occur) by ``new`` in the source copy, rebuild, check.

    Returns the checker's error output; fails the test if the check passes.
    """
    source, jsonl, readme = copies
    text = source.read_text(encoding="utf-8")
    assert old in text
    source.write_text(text.replace(old, new), encoding="utf-8")
    rebuild(source, jsonl)
    result = run_check(source, jsonl, readme)
    assert result.returncode == 1
    return result.stderr


def test_unannotated_date_fails(copies):
    stderr = check_edited(copies, "[[DATE|15.02.2023]]", "15.02.2023")
    assert "unannotated full date '15.02.2023'" in stderr
    assert "heldout4.txt:" in stderr  # names the source line


def test_name_repeated_unannotated_fails(copies):
    old = "Исследование провела врач [[NAME+role|Мчедлишвили]]"
    stderr = check_edited(copies, old, old + ", копия Мчедлишвили")
    assert "'Мчедлишвили' occurs again unannotated" in stderr


def test_unknown_type_fails(copies):
    stderr = check_edited(copies, "[[EMAIL|onco.otd2@", "[[MAIL|onco.otd2@")
    assert "unknown identifier type 'MAIL'" in stderr


def test_preposition_inside_address_fails(copies):
    old = "на [[ADDRESS+obl|Первомайской улице"
    stderr = check_edited(copies, old, "[[ADDRESS+obl|на Первомайской улице")
    assert "starts with a preposition" in stderr


def test_too_few_snippets_of_a_class_fail(copies):
    source, jsonl, readme = copies
    text = source.read_text(encoding="utf-8")
    # Turn every avenue abbreviation into a plain street word: the class drops below 8.
    for abbrev in ("пр-кт ", "пр-т ", "просп. ", " пр.,", "пр. "):
        text = text.replace(abbrev, "ул. " if abbrev.endswith(" ") else " ул.,")
    source.write_text(text, encoding="utf-8")
    rebuild(source, jsonl)
    result = run_check(source, jsonl, readme)
    assert result.returncode == 1
    assert "class avenue_abbrev has" in result.stderr
    assert "count table is stale" in result.stderr
