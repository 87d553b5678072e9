"""Label distributions (logprobs mode) and sample reduction (sample mode)."""

from __future__ import annotations

import json
import math

import pytest

from radjudge.judge import label_distribution, parse_score, reduce_samples


def test_distribution_renormalises_over_valid_labels() -> None:
    d = label_distribution(["1", "2", "3"], [math.log(0.2), math.log(0.5), math.log(0.1)])
    assert d.probs == pytest.approx((0.25, 0.625, 0.125))
    assert d.valid_mass == pytest.approx(0.8)
    assert d.expected == pytest.approx(0.25 + 2 * 0.625 + 3 * 0.125)
    assert d.mode == 2
    assert d.entropy == pytest.approx(-sum(p * math.log(p) for p in (0.25, 0.625, 0.125)))
    assert json.loads(d.to_json()) == {"1": 0.25, "2": 0.625, "3": 0.125}


def test_uniform_distribution_has_entropy_log_n_and_lowest_mode() -> None:
    d = label_distribution([str(k) for k in range(1, 6)], [math.log(0.1)] * 5)
    assert d.entropy == pytest.approx(math.log(5))
    assert d.expected == pytest.approx(3.0)
    assert d.mode == 1  # ties resolve to the lowest label


def test_ten_is_not_counted_twice() -> None:
    """P("1") covers "10" when digits are separate tokens: exactly "1" is P("1") - P("10")."""
    labels = [str(k) for k in range(1, 11)]
    lp = [math.log(0.3)] + [math.log(0.05)] * 8 + [math.log(0.1)]
    counts = [2] * 9 + [3]  # " 1" = [" ", "1"], " 10" = [" ", "1", "0"]
    d = label_distribution(labels, lp, token_counts=counts)
    assert d.valid_mass == pytest.approx(0.2 + 8 * 0.05 + 0.1)
    assert d.probs[0] * d.valid_mass == pytest.approx(0.2)
    assert d.probs[9] * d.valid_mass == pytest.approx(0.1)
    # a tokenizer with one token for "10": the events are disjoint, no correction
    flat = label_distribution(labels, lp, token_counts=[1] * 10)
    assert flat.valid_mass == pytest.approx(0.3 + 8 * 0.05 + 0.1)


def test_order_of_options_does_not_matter() -> None:
    a = label_distribution(["1", "2", "3"], [-1.0, -2.0, -3.0])
    b = label_distribution(["3", "1", "2"], [-3.0, -1.0, -2.0])
    assert a == b


def test_tiny_probabilities_do_not_underflow() -> None:
    d = label_distribution(["1", "2"], [-900.0, -901.0])
    assert d.probs == pytest.approx((1 / (1 + math.exp(-1)), math.exp(-1) / (1 + math.exp(-1))))
    assert d.valid_mass == 0.0


@pytest.mark.parametrize(
    ("options", "logprobs", "message"),
    [
        (["1", "2"], [-1.0], "2 options but 1"),
        (["1", "x"], [-1.0, -2.0], "integer labels"),
        (["1", "2"], [float("nan"), -1.0], "finite"),
        (["1", "2"], [0.5, -1.0], "<= 0"),
        (["1", "2"], [-math.inf, -math.inf], "probability 0"),
    ],
)
def test_bad_distribution_input(options: list[str], logprobs: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        label_distribution(options, logprobs)


def test_samples_reduce_to_mean_and_mode_and_count_failures() -> None:
    answers = ["4", "Оценка: 5", "4", "не знаю", "7", "Не могу оценить."]
    s = reduce_samples([parse_score(t, high=5) for t in answers])
    assert (s.n, s.n_valid) == (6, 3)
    assert s.statuses == tuple(parse_score(t, high=5).status for t in answers)
    assert s.statuses.count("ok") == 3 and len(set(s.statuses[3:])) == 3
    assert s.scores == (4, 5, 4, None, None, None)
    assert s.mean == pytest.approx(13 / 3) and s.mode == 4 and s.status == "ok"
    assert s.distribution == pytest.approx({4: 2 / 3, 5: 1 / 3})


def test_no_valid_sample_is_never_a_score() -> None:
    s = reduce_samples([parse_score(t, high=5) for t in ["9", "12", "нет"]])
    assert s.n_valid == 0 and s.mode is None and math.isnan(s.mean)
    assert s.status == "out_of_range" and s.to_json() is None
    with pytest.raises(ValueError, match="at least one"):
        reduce_samples([])


def test_mode_tie_takes_the_lowest() -> None:
    s = reduce_samples([parse_score(t, high=5) for t in ["2", "4", "4", "2"]])
    assert s.mode == 2 and s.mean == 3.0
