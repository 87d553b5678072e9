"""parse_score over realistic judge answers: it reads what is there and never guesses.

The answers below are the shapes small and large chat models actually produce
when asked for "одно целое число" after "Оценка: " (collected while building
the sweep, plus the failure shapes reported for LLM judges: ranges, template
echoes, refusals, several scores, markdown, JSON, another scale).
"""

from __future__ import annotations

from typing import get_args

import pytest

from radjudge.contracts import ParseStatus
from radjudge.judge import ParsedScore, parse_score

# (answer, scale max, expected score or None, expected status)
CASES = [
    # bare numbers and markdown
    ("4", 5, 4, "ok"),
    ("4.", 5, 4, "ok"),
    (" 4\n", 5, 4, "ok"),
    ("**4**", 5, 4, "ok"),
    ("`3`", 5, 3, "ok"),
    ("10", 10, 10, "ok"),
    ("### Оценка\n4", 5, 4, "ok"),
    ("Оценка:\n\n**4**", 5, 4, "ok"),
    # labelled
    ("Оценка: 4", 5, 4, "ok"),
    ("Оценка 5", 5, 5, "ok"),
    ("Оценка: 4/5", 5, 4, "ok"),
    ("Оценка — 3 из 5", 5, 3, "ok"),
    (
        "Итоговая оценка: 5. Резюме содержит цель исследования, 3 ключевых анализа и данные УЗИ.",
        5,
        5,
        "ok",
    ),
    ("Оценка полноты - 2 (упущены креатинин и аллергия на йод)", 3, 2, "ok"),
    ("Оценка составляет 4 балла.", 5, 4, "ok"),
    ("Балл: 3", 5, 3, "ok"),
    ("Ответ: 2", 3, 2, "ok"),
    ("Score: 8/10", 10, 8, "ok"),
    ("Rating: 3", 5, 3, "ok"),
    ("The summary omits the eGFR. Score: 4/5", 5, 4, "ok"),
    ("Оценка: 4\nОбоснование: упомянуты 2 из 3 анализов, срок 5 суток.", 5, 4, "ok"),
    ("Оценка: 4\n\nИтоговая оценка: 4", 5, 4, "ok"),
    ("Оценка: 4. Хотя резюме длинное, в нём 12 пунктов.", 5, 4, "ok"),
    # verbs
    ("Резюме хорошее, ставлю 4.", 5, 4, "ok"),
    ("Я бы поставил 3.", 5, 3, "ok"),
    ("Я бы оценил резюме на 4 балла", 5, 4, "ok"),
    ("I would rate it 4 out of 5.", 5, 4, "ok"),
    ("I'd give it a 7.", 10, 7, "ok"),
    # number words
    ("Четыре", 5, 4, "ok"),
    ("четвёрка", 5, 4, "ok"),
    ("Пять баллов.", 5, 5, "ok"),
    ("Оценка: четыре из пяти", 5, 4, "ok"),
    ("Оценка - десять", 10, 10, "ok"),
    ("five", 5, 5, "ok"),
    ("3 балла из 5", 5, 3, "ok"),
    # counted, fractions, opening number
    ("4 балла", 5, 4, "ok"),
    ("7/10", 10, 7, "ok"),
    ("3 из 5", 5, 3, "ok"),
    ("4 - резюме полное, но не указан креатинин (98 мкмоль/л).", 5, 4, "ok"),
    ("3\n\nРезюме упускает данные о 2 операциях.", 5, 3, "ok"),
    ("Резюме точное и краткое; полнота 4", 5, 4, "ok"),
    # JSON
    ('{"score": 4, "reason": "нет данных о креатинине"}', 5, 4, "ok"),
    ('```json\n{"оценка": 3}\n```', 5, 3, "ok"),
    ('{"score": "5"}', 5, 5, "ok"),
    ('{"rating": 2, "comment": "указаны 3 лишних анализа"}', 5, 2, "ok"),
    # several numbers that disagree: reported, never resolved
    ("Оценка: 4-5", 5, None, "unparseable"),
    ("4-5", 5, None, "unparseable"),
    ("3 или 4", 5, None, "unparseable"),
    ("от 3 до 4", 5, None, "unparseable"),
    ("Оценка полноты: 3. Оценка точности: 5.", 5, None, "unparseable"),
    ("1. Полнота: 4\n2. Точность: 5", 5, None, "unparseable"),
    ('{"score": 4, "оценка": 5}', 5, None, "unparseable"),
    ("Между 3 и 4.", 5, None, "unparseable"),
    # template echoes and text without a score
    ("Оценка: [число от 1 до 5]", 5, None, "unparseable"),
    ("Резюме хорошо структурировано и содержит основные сведения.", 5, None, "unparseable"),
    ("", 5, None, "unparseable"),
    ("   \n", 5, None, "unparseable"),
    # non-integer and another scale
    ("4.5", 5, None, "unparseable"),
    ("Оценка: 3,5", 5, None, "unparseable"),
    ("Оценка: 4 из 10", 5, None, "unparseable"),
    ("7/10", 5, None, "unparseable"),
    # out of range
    ("12", 10, None, "out_of_range"),
    ("0", 5, None, "out_of_range"),
    ("Оценка: 6", 5, None, "out_of_range"),
    ("Десять баллов", 5, None, "out_of_range"),
    # refusals
    ("Не могу оценить резюме без дополнительной информации.", 5, None, "refused"),
    ("Извините, но я не могу выполнить эту задачу.", 5, None, "refused"),
    ("К сожалению, недостаточно данных для оценки.", 5, None, "refused"),
    ("As an AI language model, I cannot rate medical documents.", 5, None, "refused"),
    ("I'm unable to evaluate this summary.", 5, None, "refused"),
    ("Затрудняюсь дать оценку: в карте нет 2 разделов.", 5, None, "refused"),
]


# Sampled answers of the demo's sampling judges (SmolLM2-135M and Gemma-3-270M at temperature
# 1, 6 new tokens; run of 2026-11-25): a number glued to garbage or followed by a non-word is
# noise, not a rating. The first four were read as valid scores before this rule.
NOISE_CASES = [
    ("2Ρ2", 5, None, "unparseable", "glued"),
    ("5 мпиру", 5, None, "unparseable", "non-word ('мпиру')"),
    ("5 мпирла", 5, None, "unparseable", "non-word"),
    ("1 бама,", 5, None, "unparseable", "non-word ('бама')"),
    ("5мпиру", 5, None, "unparseable", "glued"),
    ("Оценка: 4мпиру", 5, None, "unparseable", "glued"),
    ("4 bama", 5, None, "unparseable", "non-word ('bama')"),
    ("Резюме полное, полнота 4 фывап", 5, None, "unparseable", "non-word"),
    # real words after the number are an answer
    ("1 рекомендую.", 5, 1, "ok", ""),
    ("4 because the summary omits the eGFR", 5, 4, "ok", ""),
    ("3 completeness is partial", 5, 3, "ok", ""),
    ("5! #123", 5, 5, "ok", ""),
    ("2772 г", 5, None, "out_of_range", "outside"),
]


@pytest.mark.parametrize(
    ("answer", "high", "score", "status", "reason"),
    NOISE_CASES,
    ids=[repr(c[0])[:40] for c in NOISE_CASES],
)
def test_noise_around_a_number_is_no_score(
    answer: str, high: int, score: int | None, status: str, reason: str
) -> None:
    got = parse_score(answer, high=high)
    assert (got.score, got.status) == (score, status), got.reason
    assert reason in got.reason


def test_at_least_forty_realistic_answers() -> None:
    assert len(CASES) >= 40
    assert {status for *_, status in CASES} == set(get_args(ParseStatus))


@pytest.mark.parametrize(
    ("answer", "high", "score", "status"), CASES, ids=[repr(c[0])[:40] for c in CASES]
)
def test_parse_score(answer: str, high: int, score: int | None, status: str) -> None:
    got = parse_score(answer, low=1, high=high)
    assert isinstance(got, ParsedScore)
    assert (got.score, got.status) == (score, status), got.reason
    assert got.raw == answer  # the raw text is always kept


@pytest.mark.parametrize(
    ("answer", "high", "score", "status"), CASES, ids=[repr(c[0])[:40] for c in CASES]
)
def test_failure_is_never_a_number(answer: str, high: int, score: int | None, status: str) -> None:
    got = parse_score(answer, high=high)
    if got.status != "ok":
        assert got.score is None and got.reason
    else:
        assert got.reason == "" and 1 <= got.score <= high and got.score in got.candidates


def test_disagreeing_numbers_are_all_reported() -> None:
    got = parse_score("Оценка полноты: 3. Оценка точности: 5.", high=5)
    assert got.candidates == (3.0, 5.0)
    assert "3" in got.reason and "5" in got.reason
    assert parse_score("Оценка: 4-5", high=5).candidates == (4.0, 5.0)


def test_another_scale_is_named() -> None:
    got = parse_score("Оценка: 4 из 10", high=5)
    assert got.candidates == (4.0,) and "/10" in got.reason


def test_result_is_frozen() -> None:
    got = parse_score("4", high=5)
    with pytest.raises(AttributeError):
        got.score = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"text": None, "high": 5}, "text must be a str"),
        ({"text": "4", "low": 6, "high": 5}, "must not exceed"),
        ({"text": "4", "high": 5.0}, "integers"),
    ],
)
def test_bad_arguments(kwargs: dict, match: str) -> None:
    text = kwargs.pop("text")
    with pytest.raises(ValueError, match=match):
        parse_score(text, **kwargs)
