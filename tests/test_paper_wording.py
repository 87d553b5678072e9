"""radjudge.paper.wording: the words follow the sign, the statistic and the interval.

The cases are the ones the issue found in the manuscript: "on average" said of a median,
"overstatement 0.00" printed for −0.002, a difference claimed when the CI spans 0, and
"p = 0.000".
"""

from __future__ import annotations

import math

import pytest

from radjudge.paper import wording as w


def test_a_median_is_never_called_an_average():
    assert w.change_phrase(-0.12, statistic="median", language="ru") == (
        "снижало W (медиана ΔW −0,12)"
    )
    assert "в среднем" not in w.change_phrase(-0.12, statistic="median", language="ru")
    assert "median" in w.change_phrase(-0.12, statistic="median", language="en")
    assert "среднее" in w.change_phrase(-0.105, statistic="mean", language="ru")
    assert w.statistic_of("delta_w.median") == "median"
    assert w.statistic_of("selection.mean_optimism") == "mean"
    with pytest.raises(ValueError, match="neither a mean nor a median"):
        w.statistic_of("delta_w.max")


@pytest.mark.parametrize(
    "value, en, ru",
    [
        (0.031, "overstated W by 0.03 on average", "завышал W в среднем на 0,03"),
        (-0.002, "understated W by 0.002 on average", "занижал W в среднем на 0,002"),
        (-0.0002, "understated W by < 0.001 on average", "занижал W в среднем на < 0,001"),
        (0.0, "did not change W", "не менял W"),
    ],
)
def test_over_or_understatement_by_the_sign_never_zero(value, en, ru):
    assert w.bias_phrase(value, statistic="mean", language="en") == en
    assert w.bias_phrase(value, statistic="mean", language="ru") == ru


def test_the_verb_follows_the_sign_and_a_rounded_zero_is_no_change():
    assert w.change_phrase(0.05, statistic="median", language="en").startswith("raised W")
    assert w.change_phrase(-0.05, statistic="median", language="en").startswith("lowered W")
    assert w.change_phrase(0.004, statistic="median", language="en").startswith("did not change")
    assert w.change_phrase(math.nan, statistic="median", language="en") == "ΔW is undefined"
    assert w.change_phrase(None, statistic="mean", language="ru") == "ΔW не определён"


def test_no_difference_when_the_interval_spans_zero():
    assert w.contrast_phrase(0.04, -0.02, 0.09, 0.41, language="en").startswith("no difference")
    assert w.contrast_phrase(0.04, 0.01, 0.09, 0.01, language="en").startswith("higher W")
    assert w.contrast_phrase(-0.04, -0.09, -0.01, 0.01, language="ru").startswith("W ниже")
    assert w.contrast_phrase(-0.04, -0.09, 0.0, 0.05, language="ru").startswith("различия нет")
    assert w.contrast_phrase(None, None, None, None, language="en") == "n/a"


def test_p_below_the_floor_is_written_as_a_bound():
    assert w.p_phrase(0.0, "en") == "p < 0.001"
    assert w.p_phrase(0.00049, "ru") == "p < 0,001"
    assert w.p_phrase(0.001, "en") == "p = 0.001"
    assert w.p_phrase(0.0123, "ru") == "p = 0,012"
    assert w.p_phrase(None, "en") == "p n/a"
    assert "0.000" not in w.contrast_phrase(0.2, 0.1, 0.3, 1e-12, language="en")


def test_signed_differences_and_magnitudes():
    assert w.signed(0.0684, "en") == "+0.07" and w.signed(-0.0684, "ru") == "−0,07"
    assert w.magnitude(-0.002, "en") == "0.002"
    with pytest.raises(ValueError, match="language"):
        w.p_phrase(0.5, "de")  # type: ignore[arg-type]
