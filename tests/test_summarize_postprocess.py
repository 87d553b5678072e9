"""Clean-up rules and flags of generated summaries (radjudge.summarize.postprocess)."""

from __future__ import annotations

import pytest

from radjudge.summarize.postprocess import (
    STOP_MARKERS,
    FlagRules,
    SummaryCheck,
    clean_summary,
    flag_summary,
)
from radjudge.summarize.prompts import load_template
from radjudge.summarize.run import _instructions

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
    assert flag_summary("") == SummaryCheck("empty", "no_text")
    assert flag_summary("... 123 !!!").flag == "empty"
    assert flag_summary("КТ с контрастом") == SummaryCheck("ok", None)
    assert flag_summary("КТ брюшной") == SummaryCheck("degenerate", "too_short")
    assert flag_summary("лейкоциты " * 12) == SummaryCheck("degenerate", "loop")
    ok = (
        "Цель исследования: исключить абсцесс печени. Лейкоциты 14,2, креатинин 88 мкмоль/л. "
        "Аллергии на контраст нет."
    )
    assert flag_summary(ok, rules=FlagRules(min_chars=40)) == SummaryCheck("ok", None)


# Real outputs of the demo summarizers (SmolLM2-135M on the synthetic cohort, run of
# 2026-11-25), each flagged ok before the rules below existed.
NARRATIVE = _instructions(load_template("narrative_chat"))
STRUCTURED = _instructions(load_template("structured_chat"))
REAL_DEGENERATE = [
    # 9 of 30 smollm2_narrative outputs were only a header, under 40 characters
    ("Направление (цель исследования):", NARRATIVE, "too_short"),
    ("Написание исследования:", NARRATIVE, "too_short"),
    # P010: the instruction of the prompt, repeated
    (
        "Напишите для рентгенолога перед КТ брюшной полости резуме этой карты в 3-5 "
        "предложениях:\n\nНапишите",
        NARRATIVE,
        "prompt_echo",
    ),
    # P002: the list of the prompt's points instead of a summary
    (
        "- Цель исследования: Брядка на перед пунктам: цель исследования; жалобы и анамнез; "
        "лабораторные данные (с цифрами); предыдущие исследования; противо",
        STRUCTURED,
        "prompt_echo",
    ),
    # P005: a loop cut by max_tokens inside its fourth copy
    (
        "- Цель исследования: Болезнь Крона с 2018 г. Б/х крови, гиперваскуляризация, "
        "гиперваслями, гиперваслями, гиперваслями, гипервасля",
        STRUCTURED,
        "loop",
    ),
    # P022: a three-word loop, the third copy cut short
    (
        "Набольшие исследования:\nОбратите нашего карты, как больше исследования, как больше "
        "исследования, как больш",
        NARRATIVE,
        "loop",
    ),
    # P026: a loop inside one token
    ("- Цель исследования: Барабарабарабарабарабарабарабарабарабарабараба", STRUCTURED, "loop"),
]


@pytest.mark.parametrize(("text", "instructions", "reason"), REAL_DEGENERATE)
def test_real_degenerate_outputs_are_flagged_with_the_reason(text, instructions, reason):
    got = flag_summary(text, instructions=instructions, rules=FlagRules(min_chars=40))
    assert got == SummaryCheck("degenerate", reason)


def test_good_summaries_pass_every_rule():
    # gemma3_structured P002 of the same run: one repeated clause, quotes of the record
    gemma = (
        "- Цель исследования: локализация, размеры и плотность конкремента, степень обструкции. "
        "Конкремент нижней трети левого мочеточника. Почечная колика (N20.1).\n- Диагноз: "
        "Мочекаменная болезнь. Конкремент нижней трети левого мочеточника. Почечная колика "
        "(N20.1).\n- Почечная колика (N20.1)."
    )
    structured = (
        "- Цель исследования: исключить абсцесс.\n- Жалобы и анамнез: боль 3 дня.\n"
        "- Лабораторные данные: лейкоциты 14,2.\n- Противопоказания к контрастированию: "
        "не выявлены."
    )
    for text in (gemma, structured):
        got = flag_summary(text, instructions=STRUCTURED, rules=FlagRules(min_chars=40))
        assert got == SummaryCheck("ok", None), text


def test_several_reasons_are_joined_and_rules_are_knobs():
    loop_and_short = flag_summary("ФИО ФИО ФИО", rules=FlagRules(min_chars=40))
    assert loop_and_short == SummaryCheck("degenerate", "too_short;loop")
    assert flag_summary("ФИО ФИО ФИО", rules=FlagRules(loop_repeats=4)).flag == "ok"
    echo = "напишите резюме этой карты в 3-5 предложениях"
    assert flag_summary(echo, instructions=NARRATIVE).reason == "prompt_echo"
    assert flag_summary(echo, instructions=NARRATIVE, rules=FlagRules(echo_words=9)).flag == "ok"
    assert FlagRules.from_dict(None) == FlagRules()
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['min_char'\]"):
        FlagRules.from_dict({"min_char": 40})
    with pytest.raises(ValueError, match="loop_repeats must be an integer >= 2"):
        FlagRules(loop_repeats=1)


def test_non_text_is_an_error():
    with pytest.raises(ValueError, match="must be str"):
        clean_summary(None)  # type: ignore[arg-type]
