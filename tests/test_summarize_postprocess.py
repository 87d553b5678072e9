"""Clean-up rules and flags of generated summaries (radjudge.summarize.postprocess)."""

from __future__ import annotations

import pytest

from radjudge.summarize.postprocess import STOP_MARKERS, clean_summary, flag_summary

HEADERS = ["Цель исследования:", "Лабораторные данные:"]


@pytest.mark.parametrize("marker", STOP_MARKERS)
def test_cut_at_every_chat_marker(marker):
    assert clean_summary(f"Боль в животе.{marker}user\nещё текст") == "Боль в животе."


def test_cue_repeated_later_ends_the_summary_but_a_leading_cue_stays():
    cue = "Краткая сводка для рентгенолога:"
    assert clean_summary(f"Боль.\n{cue}\nЕщё", cues=[cue]) == "Боль."
    assert clean_summary(f"{cue} боль.\n{cue} снова", cues=[cue]) == f"{cue} боль."


def test_repeated_line_and_restarted_header_end_the_summary():
    loop = "- Креатинин 90 мкмоль/л\n- Креатинин 90 мкмоль/л\n- Креатинин 90 мкмоль/л"
    assert clean_summary(loop) == "- Креатинин 90 мкмоль/л"
    restarted = (
        "- Цель исследования: исключить абсцесс.\n- Лабораторные данные: лейкоциты 14.\n"
        "- Цель исследования: оценить кисту."
    )
    assert clean_summary(restarted, headers=HEADERS) == (
        "- Цель исследования: исключить абсцесс.\n- Лабораторные данные: лейкоциты 14."
    )
    # a numbered list marker or another case does not hide the repeat
    assert clean_summary("1. Цель исследования: а\n2) ЦЕЛЬ ИССЛЕДОВАНИЯ: б", headers=HEADERS) == (
        "1. Цель исследования: а"
    )


def test_whitespace_is_normalised_and_blank_lines_are_not_repeats():
    assert (
        clean_summary("  Жалобы: боль.  \n\n\n\nАнализы: норма.\n\n")
        == "Жалобы: боль.\n\nАнализы: норма."
    )


def test_a_letter_cut_in_half_by_max_tokens_is_dropped():
    # "ж" is two bytes in UTF-8; a byte-level tokenizer may emit only the first
    half = "ж".encode()[:1].decode("utf-8", errors="replace")
    assert half == "\ufffd"
    assert clean_summary(f"Аллергия на контраст, креатинин в норме. Ано{half}") == (
        "Аллергия на контраст, креатинин в норме. Ано"
    )
    assert clean_summary(f"КТ {half} с контрастом") == f"КТ {half} с контрастом"  # only at the end


@pytest.mark.parametrize(
    "text",
    [
        "- Цель исследования: КТ.\n- Цель исследования: КТ.<|im_end|>",
        "Краткая сводка:\nболь\n\n\nКраткая сводка:",
        "",
        "   \n ",
    ],
)
def test_cleaning_is_idempotent(text):
    once = clean_summary(text, cues=["Краткая сводка:"], headers=HEADERS)
    assert clean_summary(once, cues=["Краткая сводка:"], headers=HEADERS) == once


def test_flags():
    assert flag_summary("") == "empty"
    assert flag_summary("... 123 !!!") == "empty"
    assert flag_summary("КТ с контрастом") == "ok"
    assert flag_summary("КТ брюшной") == "degenerate"
    assert flag_summary("лейкоциты " * 12) == "degenerate"
    ok = (
        "Цель исследования: исключить абсцесс печени. Лейкоциты 14,2, креатинин 88 мкмоль/л. "
        "Аллергии на контраст нет."
    )
    assert flag_summary(ok) == "ok"


def test_non_text_is_an_error():
    with pytest.raises(ValueError, match="must be str"):
        clean_summary(None)  # type: ignore[arg-type]
