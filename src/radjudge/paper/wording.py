"""Words that depend on the numbers: statistic names, signs, intervals and p-values.

The manuscript must not say "on average" of a median, "overstated by 0.00" of −0.002,
"higher" when the interval spans zero, or "p = 0.000". These helpers choose the words
from the value itself, in Russian or English, and every sentence of the manuscript
whose wording depends on a number is built with them (:mod:`radjudge.paper.design`).

>>> change_phrase(-0.0695, statistic="median", language="en")
'lowered W (median ΔW −0.07)'
>>> change_phrase(0.012, statistic="mean", language="ru")
'повышало W (среднее ΔW +0,01)'
>>> bias_phrase(-0.002, statistic="mean", language="en")
'understated W by 0.002 on average'
>>> contrast_phrase(0.04, -0.02, 0.09, 0.41, language="en")
'no difference (ΔW +0.04 [−0.02, 0.09], p = 0.410)'
>>> p_phrase(0.0004, language="ru")
'p < 0,001'
"""

from __future__ import annotations

import math
from typing import Literal

from radjudge.contracts import Language
from radjudge.figures.labels import check_language
from radjudge.paper.numbers import format_number

__all__ = [
    "Direction",
    "Statistic",
    "P_FLOOR",
    "statistic_of",
    "direction",
    "magnitude",
    "signed",
    "p_phrase",
    "change_phrase",
    "bias_phrase",
    "contrast_phrase",
    "statistic_word",
]

Statistic = Literal["mean", "median"]
Direction = Literal["up", "down", "none"]

#: p-values below this are written "< 0.001", never "0.000".
P_FLOOR = 0.001


def statistic_of(key: str) -> Statistic:
    """Which summary a stats key holds, read from its last part.

    >>> statistic_of("delta_w.median"), statistic_of("selection.mean_optimism")
    ('median', 'mean')

    Raises
    ------
    ValueError
        The key names neither a mean nor a median.
    """
    last = key.rsplit(".", 1)[-1]
    if "median" in last:
        return "median"
    if "mean" in last:
        return "mean"
    raise ValueError(f"stats key {key!r} names neither a mean nor a median")


def statistic_word(statistic: Statistic, language: Language) -> str:
    """``median`` / ``медиана``, ``mean`` / ``среднее``."""
    check_language(language)
    words = {"median": ("медиана", "median"), "mean": ("среднее", "mean")}
    if statistic not in words:
        raise ValueError(f"statistic={statistic!r}: use 'mean' or 'median'")
    return words[statistic][0 if language == "ru" else 1]


def direction(
    value: float | None, *, ci_low: float | None = None, ci_high: float | None = None
) -> Direction | None:
    """``up`` / ``down`` by the sign; ``none`` when the interval spans 0 (or the value is 0).

    None when the value is missing (NaN or None).

    >>> direction(0.05, ci_low=0.01, ci_high=0.09), direction(0.05, ci_low=-0.01, ci_high=0.09)
    ('up', 'none')
    """
    if value is None or not math.isfinite(value):
        return None
    if ci_low is not None and ci_high is not None and ci_low <= 0 <= ci_high:
        return "none"
    if value == 0:
        return "none"
    return "up" if value > 0 else "down"


def magnitude(value: float, language: Language, *, digits: int = 2) -> str:
    """``|value|`` with as many decimals as it takes not to print zero (up to 3; then "< 0.001").

    >>> magnitude(-0.0702, "en"), magnitude(-0.002, "ru"), magnitude(0.0002, "en")
    ('0.07', '0,002', '< 0.001')
    """
    v = abs(value)
    for d in range(digits, 4):
        if round(v, d) != 0:
            return str(format_number(v, language, digits=d))
    return "< 0,001" if language == "ru" else "< 0.001"


def signed(value: float, language: Language, *, digits: int = 2) -> str:
    """A difference with its sign: ``+0.07``, ``−0.07``, ``0.00``.

    >>> signed(0.0684, "en"), signed(-0.0684, "ru"), signed(0.001, "en")
    ('+0.07', '−0,07', '0.00')
    """
    s = str(format_number(float(value), language, digits=digits))
    return "+" + s if round(value, digits) > 0 else s


def p_phrase(p: float | None, language: Language, *, floor: float = P_FLOOR) -> str:
    """``p = 0.008``, ``p < 0.001`` below ``floor``, ``p n/a`` when missing.

    >>> p_phrase(0.00799, "en"), p_phrase(1e-9, "en")
    ('p = 0.008', 'p < 0.001')
    """
    check_language(language)
    if p is None or not math.isfinite(p):
        return "p н/д" if language == "ru" else "p n/a"
    if p < floor:
        shown = str(format_number(floor, language, digits=3))
        return f"p < {shown}"
    return f"p = {format_number(p, language, digits=3)}"


def change_phrase(
    value: float | None, *, statistic: Statistic, language: Language, quantity: str = "W"
) -> str:
    """What adding something did to ``quantity``, by the sign of a ΔW summary.

    ``lowered W (median ΔW −0.07)`` / ``снижало W (медиана ΔW −0,07)``; ``raised``;
    ``did not change`` when it rounds to zero; a missing value says so.
    """
    check_language(language)
    ru = language == "ru"
    word = statistic_word(statistic, language)
    d = direction(value)
    if value is None or d is None:
        return "ΔW не определён" if ru else "ΔW is undefined"
    if round(value, 2) == 0:
        d = "none"
    verbs = {
        "up": ("повышало", "raised"),
        "down": ("снижало", "lowered"),
        "none": ("не меняло", "did not change"),
    }[d]
    return f"{verbs[0 if ru else 1]} {quantity} ({word} Δ{quantity} {signed(value, language)})"


def bias_phrase(
    value: float | None, *, statistic: Statistic, language: Language, quantity: str = "W"
) -> str:
    """How a choice made on the same data misstated ``quantity``: over-, under- or not at all.

    ``overstated W by 0.01 on average`` / ``завышал W в среднем на 0,01``; a negative value
    is ``understated`` / ``занижал``; a median says ``by a median of``.
    """
    check_language(language)
    ru = language == "ru"
    d = direction(value)
    if value is None or d is None:
        return "не определён" if ru else "could not be estimated"
    if d == "none":
        return f"не менял {quantity}" if ru else f"did not change {quantity}"
    mag = magnitude(value, language)
    if ru:
        verb = "завышал" if d == "up" else "занижал"
        where = "в среднем" if statistic == "mean" else "по медиане"
        return f"{verb} {quantity} {where} на {mag}"
    verb = "overstated" if d == "up" else "understated"
    where = "on average" if statistic == "mean" else "(median)"
    return f"{verb} {quantity} by {mag} {where}"


def contrast_phrase(
    delta: float | None,
    ci_low: float | None,
    ci_high: float | None,
    p_adj: float | None,
    *,
    language: Language,
) -> str:
    """A paired ΔW with its interval: ``higher W``, ``lower W`` or ``no difference`` (CI spans 0).

    >>> contrast_phrase(0.068, 0.032, 0.105, 0.008, language="ru")
    'W выше (ΔW +0,07 [0,03; 0,10], p = 0,008)'
    """
    check_language(language)
    ru = language == "ru"
    d = direction(delta, ci_low=ci_low, ci_high=ci_high)
    if delta is None or d is None:
        return "н/д" if ru else "n/a"
    sep = "; " if ru else ", "
    ci = (
        f"[{format_number(ci_low, language, digits=2)}{sep}"
        f"{format_number(ci_high, language, digits=2)}]"
    )
    numbers = f"ΔW {signed(delta, language)} {ci}, {p_phrase(p_adj, language)}"
    words = {
        "up": ("W выше", "higher W"),
        "down": ("W ниже", "lower W"),
        "none": ("различия нет", "no difference"),
    }[d]
    return f"{words[0 if ru else 1]} ({numbers})"
