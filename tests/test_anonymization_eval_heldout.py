"""The held-out anonymization evaluation set (issue 14, second set) and its checker.

The checker is ``tests/data/anonymization_eval/heldout_check.py``; it imports nothing from
radjudge, so the set stays independent of the anonymizer. These tests show that the committed
set passes every check and that each check fails on a copy broken in the way it guards against.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SET_DIR = Path(__file__).parent / "data" / "anonymization_eval"
CHECKER = SET_DIR / "heldout_check.py"


def _load_checker():
    spec = importlib.util.spec_from_file_location("heldout_check", CHECKER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


check = _load_checker()


def _records(folder: Path) -> list[dict]:
    lines = (folder / check.JSONL_NAME).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A private copy of the set (source, jsonl, README) that a test may break."""
    (tmp_path / "source").mkdir()
    for name in (check.SOURCE_NAME, check.JSONL_NAME, check.README_NAME):
        shutil.copy(SET_DIR / name, tmp_path / name)
    return tmp_path


def test_committed_set_passes_every_check():
    assert list(check.check_set(SET_DIR)) == []


def test_committed_set_meets_the_issue_minimums():
    records = _records(SET_DIR)
    found = check.counts(records)["class"]
    assert len(records) >= 200
    assert [r["id"] for r in records] == [f"h{i:03d}" for i in range(1, len(records) + 1)]
    assert min(found[c] for c in check.REQUIRED_CLASSES) >= 8
    assert 0.20 <= found["negative"] / len(records) <= 0.30
    for record in records:
        for item in record["spans"] + record["keep"]:
            assert record["text"][item["start"] : item["end"]] == item["text"]


def _edit_source(folder: Path, old: str, new: str) -> None:
    path = folder / check.SOURCE_NAME
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _rebuild_with(folder: Path, old: str, new: str) -> list[str]:
    _edit_source(folder, old, new)
    check.build(folder)
    return list(check.check_set(folder))


def _append_snippet(folder: Path, snippet: str) -> None:
    path = folder / check.SOURCE_NAME
    path.write_text(path.read_text(encoding="utf-8") + "\n" + snippet + "\n", encoding="utf-8")


# Each case breaks the source in one way, rebuilds, and names the message the check must give.
SOURCE_BREAKS = {
    "unannotated date": ("[[DATE|14.07.1961]]", "14.07.1961", "unannotated full date"),
    "unannotated e-mail": (
        "[[EMAIL|rustam.nuriev84@mail.ru]]",
        "rustam.nuriev84@mail.ru",
        "unannotated e-mail",
    ),
    "unannotated phone": ("[[PHONE|+7 917 285-43-16]]", "+7 917 285-43-16", "unannotated phone"),
    "unannotated СНИЛС": ("[[ID|636-961-905 38]]", "636-961-905 38", "unannotated СНИЛС"),
    "unannotated URL": ("[[URL|t.me/endo_konsult_krd]]", "t.me/endo_konsult_krd", "URL"),
    "name repeated unannotated": (
        "Мать: [[NAME|Магомедова Патимат Расуловна]]",
        "Мать: Магомедова Патимат Расуловна",
        "occurs again unannotated",
    ),
    "number repeated unannotated": (
        "номер заказа [[ID|11845027]]",
        "номер заказа [[ID|11845027]] (повторно: 11845027)",
        "occur again unannotated",
    ),
    "wrong СНИЛС check digits": ("[[ID|636-961-905 38]]", "[[ID|636-961-905 39]]", "check digits"),
    "wrong ИНН check digits": ("[[ID|161879151779]]", "[[ID|161879151778]]", "check digits"),
    "ID without a label": (
        "ЕНП [[ID|0253 7402 9913 8840]]",
        "и [[ID|0253 7402 9913 8840]]",
        "label",
    ),
    "date of no format": ("[[DATE|2024-02-14]]", "[[DATE|в феврале]]", "fits no format class"),
    "implausible +adj": (
        "{{diagnosis+adj|Мочекаменная болезнь}}",
        "{{diagnosis+adj|Болезнь мочекаменная}}",
        "implausible",
    ),
    "implausible +role": ("[[NAME+role|Жук]]", "[[NAME+role|Жук В.]]", "not a lone surname"),
    "unknown type": ("[[PHONE|277-41-09]]", "[[FAX|277-41-09]]", "unknown identifier type"),
    "unknown section": ("# labs tricky\nКЩС", "# lab tricky\nКЩС", "unknown section"),
    "bare year": ("[[DATE|октября 2022 г.]]", "октябре 2022 г.", "bare year"),
}


@pytest.mark.parametrize("case", sorted(SOURCE_BREAKS))
def test_check_fails_on_broken_source(copy: Path, case: str):
    old, new, message = SOURCE_BREAKS[case]
    problems = _rebuild_with(copy, old, new)
    assert any(message in p for p in problems), problems


def test_check_fails_on_duplicate_snippet(copy: Path):
    _append_snippet(
        copy,
        "# complaints\nЖалобы на сухой кашель, преимущественно по ночам, "
        "осиплость голоса, изжогу после еды и в положении лёжа. Похудание отрицает.",
    )
    check.build(copy)
    assert any("repeats the text of" in p for p in check.check_set(copy))


def test_check_fails_when_a_class_falls_below_the_minimum(copy: Path):
    path = copy / check.SOURCE_NAME
    text = path.read_text(encoding="utf-8").replace("[[EMAIL|", "[[URL|")
    path.write_text(text, encoding="utf-8")
    check.build(copy)
    assert any("class email has 0 snippets" in p for p in check.check_set(copy))


def test_check_fails_on_hand_edited_jsonl(copy: Path):
    records = _records(copy)
    span = records[0]["spans"][0]
    span["start"] += 1
    records[1]["spans"].append(dict(records[1]["keep"][0], type="NAME"))  # overlaps a kept term
    (copy / check.JSONL_NAME).write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    problems = list(check.check_set(copy))
    assert any("differs from a fresh build" in p for p in problems)
    assert any(f"!= text[{span['start']}:" in p for p in problems)
    assert any("overlaps" in p for p in problems)


def test_check_fails_on_stale_tables(copy: Path):
    readme = copy / check.README_NAME
    readme.write_text(readme.read_text(encoding="utf-8").replace("| NAME |", "| NAME | 1"), "utf-8")
    assert any("stale" in p for p in check.check_set(copy))


def test_check_fails_on_too_many_snippets_without_identifiers(copy: Path):
    for number in range(40):
        _append_snippet(copy, f"# examination\nЖивот мягкий, безболезненный, осмотр {number}.")
    check.build(copy)
    problems = list(check.check_set(copy))
    assert any("share of snippets without identifiers" in p for p in problems)


def test_command_line_exit_codes(copy: Path):
    ok = subprocess.run(
        [sys.executable, str(CHECKER), "--check", "--dir", str(copy)], capture_output=True
    )
    assert ok.returncode == 0, ok.stderr.decode()
    _edit_source(copy, "[[PHONE|277-41-09]]", "277-41-09")
    broken = subprocess.run(
        [sys.executable, str(CHECKER), "--check", "--dir", str(copy)],
        capture_output=True,
        text=True,
    )
    assert broken.returncode == 1
    assert "differs from a fresh build" in broken.stderr
