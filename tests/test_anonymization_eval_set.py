"""The independent anonymization evaluation set (tests/data/anonymization_eval) is valid.

The set's own script, ``stats.py``, builds the jsonl from hand-written mark-up and validates
it; these tests run that validation on the committed set and show that it fails on broken
copies (wrong offsets, unannotated identifiers, overlaps, mislabelled classes, too few
examples, identifiers shared between the splits).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EVAL_DIR = Path(__file__).resolve().parent / "data" / "anonymization_eval"


def _load_stats():
    spec = importlib.util.spec_from_file_location("anonymization_eval_stats", EVAL_DIR / "stats.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


stats = _load_stats()


@pytest.fixture
def eval_copy(tmp_path: Path) -> Path:
    """A writable copy of the set (sources, jsonl, README)."""
    target = tmp_path / "anonymization_eval"
    shutil.copytree(EVAL_DIR, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _rebuild(folder: Path) -> None:
    assert stats.main(["--build", "--dir", str(folder)]) in (0, 1)


def test_committed_set_passes_its_check() -> None:
    assert stats.check(EVAL_DIR) == []


def test_check_mode_exit_codes(eval_copy: Path) -> None:
    script = str(EVAL_DIR / "stats.py")
    ok = subprocess.run(
        [sys.executable, script, "--check", "--dir", str(eval_copy)], capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    dev = eval_copy / "dev.jsonl"
    dev.write_text(dev.read_text("utf-8").replace('"start": 0', '"start": 1', 1), "utf-8")
    bad = subprocess.run(
        [sys.executable, script, "--check", "--dir", str(eval_copy)], capture_output=True, text=True
    )
    assert bad.returncode == 1
    assert "differs from source/dev.txt" in bad.stderr


def test_size_and_split_balance() -> None:
    built = stats.build(EVAL_DIR)
    assert sum(len(s) for s in built.values()) >= 240
    for snippets in built.values():
        counts = {c: sum(c in s.classes for s in snippets) for c in stats.REQUIRED_CLASSES}
        assert min(counts.values()) >= 8, counts
        negative = sum(not s.spans for s in snippets) / len(snippets)
        assert 0.18 <= negative <= 0.35


def test_jsonl_offsets_match_text() -> None:
    for split in stats.SPLITS:
        for line in (EVAL_DIR / f"{split}.jsonl").read_text("utf-8").splitlines():
            record = json.loads(line)
            for item in record["spans"] + record["keep"]:
                assert record["text"][item["start"] : item["end"]] == item["text"]


def _record_problems(text: str, spans: list[tuple], keep: list[tuple] = ()) -> list[str]:
    """check_record on a record built from (start, end, type) and (start, end, kind)."""
    record = {
        "id": "x",
        "text": text,
        "spans": [{"start": a, "end": b, "type": t, "text": text[a:b]} for a, b, t in spans],
        "keep": [{"start": a, "end": b, "kind": k, "text": text[a:b]} for a, b, k in keep],
    }
    return stats.check_record(record, "x")


def test_wrong_offset_is_reported() -> None:
    record = {
        "id": "x",
        "text": "Пациент Иванов И.И. осмотрен.",
        "spans": [{"start": 9, "end": 19, "type": "NAME", "text": "Иванов И.И."}],
        "keep": [],
    }
    assert any("!= text[9:19]" in p for p in stats.check_record(record, "x"))


def test_overlap_between_identifier_and_kept_term_is_reported() -> None:
    problems = _record_problems(
        "Опухоль Клацкина выявлена.", [(8, 16, "NAME")], [(0, 16, "eponym")]
    )
    assert any("overlaps" in p for p in problems)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Осмотр 12.03.2021, без динамики.", "full date"),
        ("Пишите на ivanov@mail.ru.", "e-mail"),
        ("Сайт www.example.ru.", "URL"),
        ("Тел. 8 (495) 123-45-67.", "phone"),
        ("Тел. 234-56-78.", "phone"),
        ("СНИЛС 123-456-789 01.", "СНИЛС"),
    ],
)
def test_unannotated_identifier_is_reported(text: str, label: str) -> None:
    assert any(f"unannotated {label}" in p for p in _record_problems(text, []))


def test_repeated_identifier_left_unannotated_is_reported() -> None:
    problems = _record_problems("Врач Шульц. Подпись: Шульц", [(5, 10, "NAME")])
    assert any("also occurs unannotated" in p for p in problems)


def test_removing_a_span_from_the_source_fails_the_check(eval_copy: Path) -> None:
    source = eval_copy / "source" / "dev.txt"
    source.write_text(
        source.read_text("utf-8").replace("[[DATE|14/06/1961]]", "14/06/1961"), "utf-8"
    )
    _rebuild(eval_copy)
    problems = stats.check(eval_copy)
    assert any("unannotated full date '14/06/1961" in p for p in problems), problems


def test_shared_identifier_between_splits_fails_the_check(eval_copy: Path) -> None:
    source = eval_copy / "source" / "test.txt"
    text = source.read_text("utf-8")
    source.write_text(text.replace("[[NAME+role|Арутюнян]]", "[[NAME+role|Шульц]]"), "utf-8")
    _rebuild(eval_copy)
    assert any("'Шульц' is in both splits" in p for p in stats.check(eval_copy))


def test_stale_readme_table_fails_the_check(eval_copy: Path) -> None:
    readme = eval_copy / "README.md"
    readme.write_text(readme.read_text("utf-8").replace("| date_slash |", "| date_slashes |"))
    assert any("class table is stale" in p for p in stats.check(eval_copy))


def test_too_few_examples_fail_the_check(tmp_path: Path) -> None:
    (tmp_path / "source").mkdir()
    for split in stats.SPLITS:
        (tmp_path / "source" / f"{split}.txt").write_text(
            f"# other\nВрач [[NAME+role|Шульц{split}]] на связи.\n", "utf-8"
        )
    _rebuild(tmp_path)
    problems = stats.check(tmp_path)
    assert "dev: class date_slash has 0 < 8" in problems
    assert any(p.startswith("only 2 snippets") for p in problems)


@pytest.mark.parametrize(
    ("marked", "message"),
    [
        ("Врач [[NAME+role|Шульц Анна]] на связи.", "+role needs a lone surname"),
        ("{{diagnosis+adj|Долихосигма}} выявлена.", "+adj needs a capitalised adjective"),
        ("Жалобы: {{diagnosis+adj|боли в животе}}.", "+adj needs a capitalised adjective"),
        ("Дата [[DATE|вчера]].", "matches no date format class"),
        ("Тел. [[PHONE|12]].", "matches no phone format class"),
        ("Просто [[ID|12-345]].", "has no label before it"),
    ],
)
def test_implausible_markup_tags_are_reported(tmp_path: Path, marked: str, message: str) -> None:
    source = tmp_path / "dev.txt"
    source.write_text(f"# other\n{marked}\n", "utf-8")
    (snippet,) = stats.parse_source(source, "dev")
    assert any(message in p for p in stats.check_tags(snippet, "x"))


@pytest.mark.parametrize(
    "marked", ["Осмотр [[DATE+obl|12.03.2021]].", "{{diagnosis+role|Острый панкреатит}}."]
)
def test_tag_on_the_wrong_annotation_is_a_clear_error(tmp_path: Path, marked: str) -> None:
    source = tmp_path / "dev.txt"
    source.write_text(f"% comment\n# other\n{marked}\n", "utf-8")
    with pytest.raises(stats.EvalSetError, match=r"dev.txt:2: tag\(s\) \['(obl|role)'\] not"):
        stats.parse_source(source, "dev")


def test_unknown_section_or_flag_is_a_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "dev.txt"
    source.write_text("# anamnesis\nТекст.\n", "utf-8")
    with pytest.raises(stats.EvalSetError, match=r"dev.txt:1: header needs a section"):
        stats.parse_source(source, "dev")
    source.write_text("# other hard\nТекст.\n", "utf-8")
    with pytest.raises(stats.EvalSetError, match=r"unknown flag\(s\) \['hard'\]"):
        stats.parse_source(source, "dev")


# The brief's examples of each format class map to exactly that class.
@pytest.mark.parametrize(
    ("before", "date", "expected"),
    [
        ("от ", "12/03/2021", {"date_slash"}),
        ("от ", "12-03-2021", {"date_hyphen"}),
        ("от ", "12.03.21", {"date_two_digit_year"}),
        ("от ", "12.III.2021", {"date_roman_month"}),
        ("от ", "12 мар. 2021", {"date_abbrev_month"}),
        ("от ", "5 янв 2020", {"date_abbrev_month"}),
        ("боли с ", "12.03", {"date_day_month_after_preposition"}),
        ("выписка до ", "5.11", {"date_day_month_after_preposition"}),
        ("ЭКГ ", "12.03", {"date_day_month_bare"}),
        ("от ", "12 марта 2021 г.", {"date_text"}),
        ("от ", "2021-03-12", {"date_iso_and_dotted"}),
        ("от ", "12.03.2021", {"date_iso_and_dotted"}),
        ("в ", "VIII.2021", {"date_roman_month", "date_month_year"}),
    ],
)
def test_date_format_classes(before: str, date: str, expected: set[str]) -> None:
    span = stats.Span(len(before), len(before) + len(date), "DATE", date)
    assert stats.date_classes(span, before) == expected


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("8 (495) 123-45-67", "phone_city_code"),
        ("(812) 234-56-78", "phone_city_code"),
        ("234-56-78", "phone_local_7_digit"),
        ("+7 916 123-45-67", "phone_mobile"),
        ("8-916-123-45-67", "phone_mobile"),
        ("+7 (921) 558-03-14", "phone_mobile"),
    ],
)
def test_phone_format_classes(phone: str, expected: str) -> None:
    assert stats.phone_classes(stats.Span(0, len(phone), "PHONE", phone)) == {expected}
