"""The third held-out anonymization set is sound, and its checker catches broken copies.

The checker is ``tests/data/anonymization_eval/heldout3_check.py``, loaded by path: it is a
data script, not project code, and these tests import nothing from ``radjudge``.
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
SCRIPT = SET_DIR / "heldout3_check.py"


@pytest.fixture(scope="module")
def checker():
    spec = importlib.util.spec_from_file_location("heldout3_check", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A private copy of the set's files (source, jsonl, README)."""
    (tmp_path / "source").mkdir()
    shutil.copy(SET_DIR / "source" / "heldout3.txt", tmp_path / "source" / "heldout3.txt")
    shutil.copy(SET_DIR / "heldout3.jsonl", tmp_path / "heldout3.jsonl")
    shutil.copy(SET_DIR / "HELDOUT3.md", tmp_path / "HELDOUT3.md")
    return tmp_path


def _records(folder: Path) -> list[dict]:
    lines = (folder / "heldout3.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _write_records(folder: Path, records: list[dict]) -> None:
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n"
    (folder / "heldout3.jsonl").write_text(text, encoding="utf-8")


def _append_snippet(checker, folder: Path, snippet: str) -> str:
    """Append a snippet to the source, rebuild the jsonl and return the new snippet's id."""
    source = folder / "source" / "heldout3.txt"
    source.write_text(source.read_text(encoding="utf-8") + "\n" + snippet + "\n", "utf-8")
    records = checker.build(folder)
    checker.write_jsonl(folder, records)
    return records[-1]["id"]


def _problems_about(problems: list[str], *words: str) -> list[str]:
    return [p for p in problems if all(w in p for w in words)]


def test_committed_set_is_sound(checker):
    assert checker.check(SET_DIR) == []


def test_committed_set_meets_the_issue_minimums(checker):
    records = _records(SET_DIR)
    assert len(records) >= 200
    per_class = {c: sum(c in r["classes"] for r in records) for c in checker.REQUIRED_CLASSES}
    assert min(per_class.values()) >= 8, per_class
    negative = sum(not r["spans"] for r in records) / len(records)
    assert 0.20 <= negative <= 0.30


def test_cli_exit_codes(copy):
    ok = subprocess.run(
        [sys.executable, str(SCRIPT), "--check", "--dir", str(copy)], capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    records = _records(copy)
    records[0]["spans"][0]["start"] += 1
    _write_records(copy, records)
    bad = subprocess.run(
        [sys.executable, str(SCRIPT), "--check", "--dir", str(copy)], capture_output=True, text=True
    )
    assert bad.returncode == 1
    assert "k001" in bad.stderr


def test_shifted_offset_is_caught(checker, copy):
    records = _records(copy)
    records[4]["spans"][0]["end"] -= 1
    _write_records(copy, records)
    problems = checker.check(copy)
    assert _problems_about(problems, "k005", "!= text[")
    assert _problems_about(problems, "k005", "differs from a fresh build")


def test_overlap_is_caught(checker, copy):
    records = _records(copy)
    rec = next(r for r in records if len(r["spans"]) >= 2)
    first, second = sorted(rec["spans"], key=lambda s: s["start"])[:2]
    first["end"] = second["start"] + 1
    first["text"] = rec["text"][first["start"] : first["end"]]
    _write_records(copy, records)
    assert _problems_about(checker.check(copy), rec["id"], "overlaps")


def test_unknown_type_and_class_are_caught(checker, copy):
    records = _records(copy)
    records[0]["spans"][0]["type"] = "PERSON"
    records[1]["classes"].append("date_weird")
    _write_records(copy, records)
    problems = checker.check(copy)
    assert _problems_about(problems, "k001", "unknown type 'PERSON'")
    assert _problems_about(problems, "k002", "unknown class", "date_weird")


def test_edited_source_makes_the_jsonl_stale(checker, copy):
    source = copy / "source" / "heldout3.txt"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("Послеоперационный период", "Ранний период", 1), "utf-8")
    assert _problems_about(checker.check(copy), "k002", "differs from a fresh build")


def test_repeated_name_left_unannotated_is_caught(checker, copy):
    new_id = _append_snippet(
        checker,
        copy,
        "# other\nОсмотрена [[NAME|Кондратюк-Берг Алина]]. Повторно Кондратюк-Берг не явилась.",
    )
    assert _problems_about(checker.check(copy), new_id, "'Кондратюк-Берг' occurs again")


def test_unannotated_phone_date_and_email_are_caught(checker, copy):
    new_id = _append_snippet(
        checker,
        copy,
        "# other\nЗвонить 8 (843) 555-12-34 до 12.05.2023, писать на test.person@mail.ru.",
    )
    problems = checker.check(copy)
    assert _problems_about(problems, new_id, "unannotated phone")
    assert _problems_about(problems, new_id, "unannotated full date '12.05.2023'")
    assert _problems_about(problems, new_id, "unannotated e-mail")


def test_identifier_in_two_snippets_is_caught(checker, copy):
    records = _records(copy)
    phone = next(s["text"] for r in records for s in r["spans"] if s["type"] == "PHONE")
    new_id = _append_snippet(checker, copy, f"# other\nТелефон сына [[PHONE|{phone}]].")
    assert _problems_about(checker.check(copy), new_id, "PHONE", "also in")


def test_id_without_label_and_bad_checksum_are_caught(checker, copy):
    new_id = _append_snippet(
        checker,
        copy,
        "# other\nПациент сообщил [[ID|77-4412/23]]. СНИЛС [[ID|112-233-445 96]].",
    )
    problems = checker.check(copy)
    assert _problems_about(problems, new_id, "'77-4412/23' has no label")
    assert _problems_about(problems, new_id, "fails its checksum")


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ("# other\nСдала м/с [[NAME+role|Ильина Ольга]].", "+role needs a lone surname"),
        ("# other\nОсмотр: [[NAME+role|Ильина]].", "+role needs a lower-case word"),
        ("# other\nВрач [[NAME+obl|Ильин Олег]].", "+obl: no oblique case ending"),
        ("# other\nЖивёт [[ADDRESS+obl|ул. Ленина, д. 3]].", "+obl: no street"),
        ("# other\nДиагноз: {{diagnosis+adj|Грыжа диска}}.", "+adj"),
        ("# other\nТекст [[PERSON|Ильин]].", "unknown identifier type"),
        ("# other\nТекст [[NAME|Ильин]", "stray"),
        ("# history\nТекст.", "header must be"),
    ],
)
def test_implausible_mark_up_names_the_line(checker, copy, snippet, message):
    source = copy / "source" / "heldout3.txt"
    source.write_text(source.read_text(encoding="utf-8") + "\n" + snippet + "\n", "utf-8")
    with pytest.raises(checker.SourceError, match=r"heldout3\.txt:\d+") as err:
        checker.build(copy)
    assert message in str(err.value)
    assert checker.check(copy) == [str(err.value)]


def test_class_minimum_and_negative_share_are_enforced(checker):
    records = _records(SET_DIR)
    without_url = [r for r in records if "url" not in r["classes"]]
    problems = checker.set_problems(without_url, "set")
    assert "set: class url in 0 snippets, need 8" in problems
    negatives_only = [r for r in records if not r["spans"]]
    assert _problems_about(checker.set_problems(negatives_only, "set"), "without identifiers")
    assert _problems_about(checker.set_problems(negatives_only, "set"), "at least 200")


def test_stale_count_table_is_caught_and_rewritten(checker, copy):
    readme = copy / "HELDOUT3.md"
    body = readme.read_text(encoding="utf-8")
    readme.write_text(body.replace("| NAME | ", "| NAME | 1", 1), "utf-8")
    assert _problems_about(checker.check(copy), "HELDOUT3.md", "stale")
    assert checker.main(["--write-table", "--dir", str(copy)]) == 0
    assert readme.read_text(encoding="utf-8") == body
    assert checker.check(copy) == []


@pytest.mark.parametrize(
    ("date", "before", "expected"),
    [
        ("14.03.23", "Операция ", {"date_two_digit_year"}),
        ("14/03/2023", "", {"date_slash"}),
        ("14-03-2023", "", {"date_hyphen"}),
        ("2023-03-14", "", {"date_iso_and_dotted"}),
        ("14.03.2023 г.", "", {"date_iso_and_dotted"}),
        ("3.IV.23", "", {"date_roman_month", "date_two_digit_year"}),
        ("19 апр. 2023 г.", "", {"date_abbrev_month"}),
        ("14 марта", "", {"date_text"}),
        ("марте 2023 г.", "в ", {"date_text", "date_month_year"}),
        ("12.03", "с ", {"date_day_month_after_preposition"}),
        ("12.03", "ЭКГ ", {"date_day_month_bare"}),
        ("20230314", "", {"date_compact"}),
        ("17-Apr-2023", "", {"date_abbrev_month", "date_english"}),
        ("вчера", "", set()),
    ],
)
def test_date_format_classes(checker, date, before, expected):
    """Worked examples of the date classes as HELDOUT3.md defines them."""
    assert checker.date_classes(date, before) == expected


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("+7 (917) 404-58-13", {"phone_mobile"}),
        ("8 (8553) 32-14-07", {"phone_city_code"}),
        ("273-41-88", {"phone_local_7_digit"}),
        ("7-21-43", {"phone_local_short"}),
        ("+374 93 40 12 77", {"phone_foreign"}),
        ("+7 701 555 32 10", {"phone_foreign"}),
        ("12-34", set()),
    ],
)
def test_phone_format_classes(checker, phone, expected):
    assert checker.phone_classes(phone) == expected


def test_checksums_follow_the_published_algorithms(checker):
    # СНИЛС 112-233-445 95 is the worked example of the Pension Fund's control-number rule
    # (sum of digits times 9..1 = 95 < 100); ИНН 7707083893 is Sberbank's published ИНН.
    assert checker.snils_valid("112-233-445 95")
    assert not checker.snils_valid("112-233-445 96")
    assert checker.inn_valid("7707083893")
    assert not checker.inn_valid("7707083894")
