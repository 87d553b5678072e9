"""Reading a score out of a judge's free-text answer - or saying why not.

:func:`parse_score` never guesses. It looks for the score in tiers, from the
most to the least explicit, and stops at the first tier that finds anything:

1. JSON: ``{"score": 4}``, ``{"оценка": "4"}``;
2. a labelled score: ``Оценка: 4``, ``Итоговая оценка - четыре``, ``Score: 7/10``,
   ``Ставлю 4``, ``I would rate it 4``;
3. a counted or fractional score: ``4 балла``, ``four points``, ``7/10``,
   ``4 из 5``, ``4 out of 5``;
4. an answer that *is* a number or a number word: ``4``, ``**4**``, ``Четыре.``;
5. a number opening the answer: ``4 - резюме полное...``;
6. any whole numbers anywhere in the text.

A number is a score only as a token of its own. Glued to letters (``2Ρ2``,
``5мпиру``) it is part of garbage, and the answer is ``unparseable`` whatever
tier found it. An unlabelled number (tiers 5 and 6) must also be followed by
the end, punctuation or a real word: a Russian word pymorphy3 knows, an English
word of the judge's template, rubric or a short list of function and scale
words (:data:`ENGLISH_WORDS`), or a number word. "5 мпиру" and "1 бама," are
sampled noise, not ratings; "1 рекомендую." is an answer.

If the values found in that tier disagree (``4-5``, ``3 или 4``, two labelled
scores), the answer is ``unparseable`` and every value found is reported in
``candidates``. A score off the scale is ``out_of_range``, a score given on
another scale (``4/10`` when the scale is 1-5) or a non-integer (``4.5``) is
``unparseable``, and an answer that declines to rate (``Не могу оценить``, ``As
an AI...``) without an explicit labelled score is ``refused``. In every case
but ``ok`` the score is None: a failure never becomes a number.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from radjudge.anonymize.analyzer import analyzer
from radjudge.contracts import ParseStatus

__all__ = ["ParsedScore", "parse_score", "NUMBER_WORDS", "ENGLISH_WORDS"]

#: Russian (all cases, plus the "четвёрка" nouns) and English number words, 0-10.
NUMBER_WORDS: dict[str, int] = {}
for _value, _forms in {
    0: "ноль нуль ноля нуля нолю нулю zero",
    1: "один одна одно одного одной одному одним единица единицу единицы единичка единичку one",
    2: "два две двух двум двумя двойка двойку двойки two",
    3: "три трёх трех трём трем тремя тройка тройку тройки three",
    4: "четыре четырёх четырех четырём четырем четырьмя четвёрка четверка четвёрку четверку "
    "четвёрки четверки four",
    5: "пять пяти пятью пятёрка пятерка пятёрку пятерку пятёрки пятерки five",
    6: "шесть шести шестью шестёрка шестерка шестёрку шестерку шестёрки шестерки six",
    7: "семь семи семью семёрка семерка семёрку семерку семёрки семерки seven",
    8: "восемь восьми восемью восьмёрка восьмерка восьмёрку восьмерку восьмёрки восьмерки eight",
    9: "девять девяти девятью девятка девятку девятки nine",
    10: "десять десяти десятью десятка десятку десятки ten",
}.items():
    for _form in _forms.split():
        NUMBER_WORDS[_form] = _value

#: English words an unlabelled score may be followed by (function and scale words); with
#: the words of the English judge template and rubrics (there is no English lexicon here).
ENGLISH_WORDS: frozenset[str] = frozenset(
    """a an the and or but so as at by for from in into of on out to with without is are
    was be it this that its my i we because since given while although though which
    point points pt pts star stars score rating grade mark marks scale overall final total
    out of very quite not no yes good bad poor fair excellent complete incomplete
    correct incorrect relevant concise clear""".split()
)

_WORD = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
# A number: digits with an optional decimal part, or a number word.
_NUM = rf"(?:\d+(?:[.,]\d+)?|(?:{_WORD})\b)"
# Optional second value of a range ("4-5", "3 или 4") and denominator ("/10", "из 5").
_SECOND = rf"(?:\s*(?:-|–|—|или|or|до|to)\s*(?P<num2>{_NUM}))?"
_DEN = rf"(?:\s*(?:/|из|out\s+of)\s*(?P<den>{_NUM}))?"

_LABEL = (
    r"(?:итоговая\s+|общая\s+|финальная\s+|моя\s+)?(?:оценк[аиуе]|балл|рейтинг|итог|ответ)"
    r"|(?:final\s+|overall\s+|my\s+)?(?:score|rating|grade|answer)"
)
# "Оценка: 4", "Оценка 4", "Оценка полноты - 4", "Итоговая оценка составляет 4/5":
# words between the label and the number only when a separator follows them.
_LABELLED = re.compile(
    rf"(?<!\w)(?:{_LABEL})\b(?:\s*\([^)]*\))?"
    rf"(?:(?:\s+[^\W\d]+){{0,3}}?\s*(?:[:=]|—|–|-|это|составляет|равна|is)|)"
    rf"\s*(?:на\s+|в\s+)?(?P<num>{_NUM}){_SECOND}{_DEN}",
    re.IGNORECASE,
)
_VERB = re.compile(
    rf"(?<!\w)(?:ставлю|поставлю|поставил[аи]?(?:\s+бы)?|"
    rf"оцениваю(?:\s+(?:его|её|ее|резюме))?\s+(?:на|в)|"
    rf"оценил[аи]?(?:\s+бы)?(?:\s+(?:его|её|ее|резюме))?\s+(?:на|в)|"
    rf"(?:i\s+would\s+|i'd\s+|i\s+)?(?:rate|give|score)"
    rf"(?:\s+(?:it|this(?:\s+summary)?|the\s+summary))?(?:\s+(?:a|an|as|at))?)"
    rf"\s*:?\s*(?P<num>{_NUM}){_SECOND}{_DEN}",
    re.IGNORECASE,
)
_COUNTED = re.compile(
    rf"(?<![\w.,])(?P<num>{_NUM}){_SECOND}\s*(?:балл(?:а|ов)?|points?|pts)\b{_DEN}",
    re.IGNORECASE,
)
_FRACTION = re.compile(
    rf"(?<![\w.,])(?P<num>{_NUM})\s*(?:/|из|out\s+of)\s*(?P<den>{_NUM})", re.IGNORECASE
)
# The whole answer is one value or a range of two ("4", "Четыре.", "4-5", "3 или 4").
_WHOLE = re.compile(rf"^[^\w-]*(?P<num>{_NUM}){_SECOND}[^\w]*$", re.IGNORECASE)
# A number opening the answer, not followed by a range or fraction.
_LEADING = re.compile(
    r"^[^\w-]*(?P<num>\d+(?:[.,]\d+)?)(?!\s*(?:-|–|—|/|или|из|до)\s*\d)(?![\d.,]*\d)"
)
_LIST_ITEM = re.compile(r"\n[^\w\n]*\d+\s*[.)]")
_ANY = re.compile(r"(?<![\w.,])(?P<num>-?\d+(?:[.,]\d+)?)(?!\w|[.,]\d)")
_JSON_KEY = re.compile(
    r"[\"'](?:score|rating|оценка|балл|grade)[\"']\s*:\s*[\"']?(?P<num>-?\d+(?:[.,]\d+)?)",
    re.IGNORECASE,
)
_REFUSAL = re.compile(
    r"не\s+(?:могу|можем|в\s+состоянии|буду|представляется\s+возможным|имею\s+возможности)"
    r"(?:\s+\w+){0,3}?\s+(?:оцени|дать\s+оценк|постави|выстави|выполни|ответи|сравни)"
    r"|(?:невозможно|нельзя|затрудняюсь)\s+(?:\w+\s+){0,2}?(?:оцени|дать|постави|ответи)"
    r"|недостаточно\s+(?:данных|информации|сведений)\s+для\s+(?:оценки|ответа)"
    r"|как\s+(?:языковая\s+)?модель\s+(?:ии|искусственного\s+интеллекта)?"
    r"|\bas\s+an\s+ai\b|\bi\s+(?:cannot|can't|can\s+not|am\s+unable\s+to|won't|will\s+not)\s+(?:\w+\s+){0,2}?"
    r"(?:rate|evaluate|assess|score|provide|give|do)\b|\bunable\s+to\s+(?:rate|evaluate|assess|score)",
    re.IGNORECASE,
)
_MARKDOWN = re.compile(r"[*_`#>~]+")


@dataclass(frozen=True)
class ParsedScore:
    """What :func:`parse_score` read from one answer.

    Attributes
    ----------
    score : int or None
        The score; None unless ``status == "ok"``.
    status : {"ok", "unparseable", "out_of_range", "refused"}
    raw : str
        The answer exactly as given.
    candidates : tuple of float
        Every value found in the deciding tier, in order of appearance
        (several for a range or disagreeing numbers; empty if none).
    reason : str
        Why the status is what it is, in a few words (``""`` when ok).
    """

    score: int | None
    status: ParseStatus
    raw: str
    candidates: tuple[float, ...]
    reason: str = ""


def _number(token: str | None) -> float | None:
    if token is None:
        return None
    t = token.strip().lower()
    if t in NUMBER_WORDS:
        return float(NUMBER_WORDS[t])
    try:
        return float(t.replace(",", "."))
    except ValueError:
        return None


@lru_cache(maxsize=1)
def _english_vocabulary() -> frozenset[str]:
    """ENGLISH_WORDS and the words of the English judge template and rubrics."""
    from importlib import resources

    words = set(ENGLISH_WORDS)
    for package, pattern in (
        ("radjudge.judge", "templates/*.en.yaml"),
        ("radjudge", "rubric/*.en.yaml"),
    ):
        for f in Path(str(resources.files(package))).glob(pattern):
            words.update(w.lower() for w in re.findall(r"[A-Za-z]+", f.read_text("utf-8")))
    return frozenset(words)


@lru_cache(maxsize=4096)
def _is_word(token: str) -> bool:
    """A real word: a number word, an English word we know, a Russian word pymorphy3 knows."""
    t = token.lower().replace("ё", "е")
    if t in NUMBER_WORDS:
        return True
    if re.fullmatch(r"[a-z]+", t):
        return t in _english_vocabulary()
    if re.fullmatch(r"[а-я]+", t):
        return bool(analyzer().word_is_known(t))
    return False


_NEXT_WORD = re.compile(r"[ \t]*\n?[ \t]*([^\W\d_]+)")


def _token_problem(text: str, end: int, *, next_word: bool) -> str | None:
    """Why the number ending at ``end`` of ``text`` is no score token (None if it is one)."""
    rest = text[end:]
    if rest[:1].isalpha():
        return f"number glued to text ({text[max(0, end - 3) : end + 8]!r})"
    if next_word:
        m = _NEXT_WORD.match(rest)
        if m and not _is_word(m.group(1)):
            return f"number followed by a non-word ({m.group(1)!r})"
    return None


def _decide(
    values: list[float], dens: list[float | None], tier: str, raw: str, low: int, high: int
) -> ParsedScore:
    cands = tuple(values)
    distinct = list(dict.fromkeys(values))
    if len(distinct) > 1:
        shown = ", ".join(f"{v:g}" for v in distinct)
        return ParsedScore(
            None, "unparseable", raw, cands, f"several different values ({shown}) in {tier}"
        )
    value = distinct[0]
    wrong = sorted({d for d in dens if d is not None and d != high})
    if wrong:
        return ParsedScore(
            None,
            "unparseable",
            raw,
            cands,
            f"score given on another scale (/{wrong[0]:g}, expected /{high})",
        )
    if value != int(value):
        return ParsedScore(None, "unparseable", raw, cands, f"non-integer score {value:g}")
    if not low <= value <= high:
        return ParsedScore(None, "out_of_range", raw, cands, f"{value:g} is outside {low}..{high}")
    return ParsedScore(int(value), "ok", raw, cands, "")


def _collect(
    pattern: re.Pattern[str], text: str, *, next_word: bool = False
) -> tuple[list[float], list[float | None], str | None]:
    """Values and denominators of every match, and the first token problem found (or None)."""
    values: list[float] = []
    dens: list[float | None] = []
    problem = None
    for m in pattern.finditer(text):
        groups = m.groupdict()
        first = _number(groups.get("num"))
        if first is None:
            continue
        last = "num2" if groups.get("num2") is not None else "num"
        problem = problem or _token_problem(text, m.end(last), next_word=next_word)
        values.append(first)
        second = _number(groups.get("num2"))
        if second is not None:
            values.append(second)
        dens.append(_number(groups.get("den")))
    return values, dens, problem


def _refuse_token(raw: str, values: list[float], problem: str) -> ParsedScore:
    return ParsedScore(None, "unparseable", raw, tuple(values), problem)


def parse_score(text: str, *, low: int = 1, high: int) -> ParsedScore:
    """Read an integer score in ``low..high`` from a judge's answer.

    Parameters
    ----------
    text : str
        The answer as generated (after the answer prefix, e.g. after ``"Оценка: "``).
    low : int, default 1
        Lowest valid score.
    high : int
        Highest valid score (scale size N of a 1..N scale).

    Returns
    -------
    ParsedScore
        ``score`` is an int only when ``status == "ok"``.

    Raises
    ------
    ValueError
        If ``low > high`` or ``text`` is not a string.

    Examples
    --------
    >>> parse_score("Оценка: 4", high=5)
    ParsedScore(score=4, status='ok', raw='Оценка: 4', candidates=(4.0,), reason='')
    >>> parse_score("**7/10** - резюме полное", high=10).score
    7
    >>> r = parse_score("Между 3 и 4, скорее 4-5.", high=5)
    >>> r.score, r.status, r.candidates
    (None, 'unparseable', (3.0, 4.0, 4.0, 5.0))
    >>> parse_score("Пять баллов", high=5).score
    5
    >>> parse_score("12", high=10).status
    'out_of_range'
    >>> parse_score("Извините, я не могу оценить это резюме.", high=5).status
    'refused'
    """
    if not isinstance(text, str):
        raise ValueError(f"parse_score: text must be a str, got {type(text).__name__}")
    if (
        isinstance(low, bool)
        or isinstance(high, bool)
        or not (isinstance(low, int) and isinstance(high, int))
    ):
        raise ValueError(f"parse_score: low and high must be integers, got {low!r}, {high!r}")
    if low > high:
        raise ValueError(f"parse_score: low ({low}) must not exceed high ({high})")
    raw = text
    if not text.strip():
        return ParsedScore(None, "unparseable", raw, (), "empty answer")
    clean = _MARKDOWN.sub(" ", text.replace("\u00a0", " ")).strip()

    # 1. JSON
    values: list[float] = []
    dens: list[float | None] = []
    for m in re.finditer(r"\{[^{}]*\}", text):
        try:
            obj = json.loads(m.group(0))
        except json.JSONDecodeError:
            obj = None
        if isinstance(obj, dict):
            for key, val in obj.items():
                if str(key).lower() in ("score", "rating", "оценка", "балл", "grade"):
                    num = (
                        val
                        if isinstance(val, int | float) and not isinstance(val, bool)
                        else _number(str(val))
                    )
                    if num is not None:
                        values.append(float(num))
                        dens.append(None)
    if not values:
        values, dens, _ = _collect(_JSON_KEY, text)
    if values:
        return _decide(values, dens, "the JSON answer", raw, low, high)

    # 2. labelled and verb phrases ("Оценка: 4", "ставлю 4")
    values, dens, problem = _collect(_LABELLED, clean)
    v2, d2, p2 = _collect(_VERB, clean)
    values, dens, problem = values + v2, dens + d2, problem or p2
    if problem:
        return _refuse_token(raw, values, problem)
    if values:
        return _decide(values, dens, "labelled scores", raw, low, high)

    refused = _REFUSAL.search(clean)
    if refused:
        return ParsedScore(
            None, "refused", raw, (), f"declines to rate ({refused.group(0).strip()!r})"
        )

    # 3. counted ("4 балла") and fractions ("7/10", "4 из 5")
    values, dens, problem = _collect(_COUNTED, clean)
    if not values:
        values, dens, problem = _collect(_FRACTION, clean)
    if problem:
        return _refuse_token(raw, values, problem)
    if values:
        return _decide(values, dens, "counted or fractional scores", raw, low, high)

    # 4. the whole answer is one value or one range ("4", "Четыре.", "4-5")
    values, dens, _ = _collect(_WHOLE, clean)
    if values:
        return _decide(values, dens, "the answer", raw, low, high)

    # 5. a number opening the answer ("4 - полное резюме"), unless the answer is a numbered list
    leading = _LEADING.match(clean)
    if leading and not _LIST_ITEM.search(clean):
        value = _number(leading.group("num"))
        problem = _token_problem(clean, leading.end("num"), next_word=True)
        if value is not None and problem:
            return _refuse_token(raw, [value], problem)
        if value is not None:
            return _decide([value], [None], "the opening number", raw, low, high)

    # 6. whole numbers anywhere
    values, _, problem = _collect(_ANY, clean, next_word=True)
    if problem:
        return _refuse_token(raw, values, problem)
    if values:
        return _decide(values, [None] * len(values), "the numbers in the answer", raw, low, high)
    return ParsedScore(None, "unparseable", raw, (), "no score found")
