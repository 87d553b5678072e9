"""radjudge.explore.texts: one language throughout, the same placeholders in both."""

from __future__ import annotations

import re
import string

import pytest

from radjudge.explore import texts as T

CYRILLIC = re.compile("[А-Яа-яЁё]")


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


@pytest.mark.parametrize(
    "table", ["UI_TEXTS", "COLUMN_LABELS", "SECTION_TITLES", "DESIGN_LABELS", "REASON_LABELS"]
)
def test_every_text_has_both_languages_and_the_same_placeholders(table):
    for key, entry in getattr(T, table).items():
        assert set(entry) == {"ru", "en"}, key
        assert _fields(entry["ru"]) == _fields(entry["en"]), key
        assert not CYRILLIC.search(entry["en"]), f"{table}[{key!r}] en is not English"
        assert entry["ru"].strip() and entry["en"].strip(), key


def test_record_sections_are_the_records_sections():
    from radjudge.records import SECTION_HEADINGS

    assert set(T.SECTION_TITLES) == set(SECTION_HEADINGS)


def test_numbers_and_errors():
    assert T.number(-0.001, "en") == "0.00"  # no minus zero
    assert T.number(-0.25, "ru") == "−0,25"
    assert T.number(None, "ru") == "–" and T.number("x", "en") == "x"
    assert T.interval(0.1, 0.2, "ru") == "[0,10; 0,20]"
    assert T.value_label("scale", 5.0, "en") == "5"
    assert T.value_label("category", "all", "en") == "All experts (pooled)"
    assert T.value_label("design", "experts_within", "ru") == "внутри категории"
    with pytest.raises(ValueError, match="unknown"):
        T.ui_text("no_such_text", "en")
    with pytest.raises(ValueError, match="language"):
        T.ui_text("title", "de")
