"""The alt-test against the reference implementation of Calderon, Reichart & Dror (2025).

The oracle below transcribes `alt_test` and `by_procedure` of the authors' notebook
(github.com/nitaytech/AltTest, alt_test_example.ipynb; arXiv:2501.10970) with its dict inputs.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import rankdata, ttest_1samp

from radjudge.concordance.alt_test import alt_test


def _by_procedure(p_values, q):
    p_values = np.array(p_values, dtype=float)
    m = len(p_values)
    order = np.argsort(p_values)
    h_m = np.sum(1.0 / np.arange(1, m + 1))
    thresholds = (np.arange(1, m + 1) / m) * (q / h_m)
    max_i = -1
    for i in range(m):
        if p_values[order][i] <= thresholds[i]:
            max_i = i
    return [] if max_i == -1 else list(order[: max_i + 1])


def _reference(
    llm, humans, scoring, epsilon, q=0.05, min_humans_per_instance=2, min_instances_per_human=30
):
    def accuracy(pred, anns):
        return float(np.mean([pred == a for a in anns]))

    def neg_rmse(pred, anns):
        return -1 * float(np.sqrt(np.mean([(pred - a) ** 2 for a in anns])))

    score = accuracy if scoring == "accuracy" else neg_rmse
    i_set, h_set = {}, {}
    for h, anns in humans.items():
        i_set[h] = list(anns)
        for i in anns:
            h_set.setdefault(i, []).append(h)
    keep = {i for i in h_set if len(h_set[i]) >= min_humans_per_instance and i in llm}
    i_set = {h: [i for i in i_set[h] if i in keep] for h in i_set}
    h_set = {i: h_set[i] for i in h_set if i in keep}
    p_values, advantage, tested = [], [], []
    for excluded in humans:
        instances = [i for i in i_set[excluded] if i in llm]
        if len(instances) < min_instances_per_human:
            continue
        llm_ind, human_ind = [], []
        for i in instances:
            others = [humans[h][i] for h in h_set[i] if h != excluded]
            hs, ls = score(humans[excluded][i], others), score(llm[i], others)
            llm_ind.append(1 if ls >= hs else 0)
            human_ind.append(1 if hs >= ls else 0)
        diff = [a - b for a, b in zip(human_ind, llm_ind, strict=True)]
        p_values.append(ttest_1samp(diff, epsilon, alternative="less").pvalue)
        advantage.append(float(np.mean(llm_ind)))
        tested.append(excluded)
    rejected = _by_procedure(p_values, q)
    return len(rejected) / len(tested), float(np.mean(advantage)), p_values


def _to_dicts(judge, humans):
    llm = {i: judge[i] for i in range(len(judge)) if not np.isnan(judge[i])}
    hd = {
        f"h{j}": {i: humans[i, j] for i in range(humans.shape[0]) if not np.isnan(humans[i, j])}
        for j in range(humans.shape[1])
    }
    return llm, hd


def _panel(seed, n=80, m=5, judge_noise=0.8, levels=None):
    rng = np.random.default_rng(seed)
    truth = rng.normal(size=n)
    humans = truth[:, None] + rng.normal(scale=1.0, size=(n, m))
    judge = truth + rng.normal(scale=judge_noise, size=n)
    if levels:
        humans = np.clip(np.rint(humans + levels / 2), 1, levels)
        judge = np.clip(np.rint(judge + levels / 2), 1, levels)
    humans[rng.random(humans.shape) < 0.05] = np.nan
    judge[rng.random(n) < 0.05] = np.nan
    return judge, humans


@pytest.mark.parametrize(
    ("seed", "noise", "epsilon"), [(0, 0.5, 0.2), (1, 1.0, 0.1), (2, 0.3, 0.15), (3, 2.0, 0.2)]
)
def test_neg_rmse_matches_the_reference_implementation(seed, noise, epsilon):
    judge, humans = _panel(seed, judge_noise=noise)
    ref_wr, ref_ap, ref_p = _reference(*_to_dicts(judge, humans), "neg_rmse", epsilon)
    res = alt_test(judge, humans, epsilon=epsilon, alignment="neg_rmse")
    assert res.winning_rate == pytest.approx(ref_wr)
    assert res.advantage_probability == pytest.approx(ref_ap, abs=1e-12)
    np.testing.assert_allclose(res.per_annotator["pvalue"], ref_p, rtol=1e-10)
    assert res.passed == (ref_wr >= 0.5)


@pytest.mark.parametrize("seed", [4, 5])
def test_accuracy_matches_the_reference_implementation(seed):
    judge, humans = _panel(seed, judge_noise=0.6, levels=4)
    ref_wr, ref_ap, _ = _reference(*_to_dicts(judge, humans), "accuracy", 0.2)
    res = alt_test(judge, humans, epsilon=0.2, alignment="accuracy")
    assert res.winning_rate == pytest.approx(ref_wr)
    assert res.advantage_probability == pytest.approx(ref_ap, abs=1e-12)


def test_rank_alignment_is_neg_rmse_on_normalized_ranks():
    judge, humans = _panel(6, levels=5)
    keep = ~np.isnan(judge)
    j, h = judge[keep], humans[keep]

    def nr(v):
        ok = ~np.isnan(v)
        out = np.full(v.shape, np.nan)
        out[ok] = rankdata(v[ok]) / ok.sum()
        return out

    ranked = np.column_stack([nr(h[:, k]) for k in range(h.shape[1])])
    ref_wr, ref_ap, _ = _reference(*_to_dicts(nr(j), ranked), "neg_rmse", 0.2)
    res = alt_test(judge, humans, epsilon=0.2, alignment="rank")
    assert (res.winning_rate, res.advantage_probability) == pytest.approx((ref_wr, ref_ap))


def test_a_larger_margin_never_lowers_the_winning_rate():
    judge, humans = _panel(7, judge_noise=0.9)
    rates = [
        alt_test(judge, humans, epsilon=e, alignment="neg_rmse").winning_rate
        for e in (0.0, 0.1, 0.2, 0.3)
    ]
    assert rates == sorted(rates)


def test_annotators_with_too_few_items_are_not_tested():
    judge, humans = _panel(8, n=40)
    humans[10:, 0] = np.nan
    res = alt_test(judge, humans, min_items=30)
    row = res.per_annotator.iloc[0]
    assert not row["tested"] and np.isnan(row["pvalue"]) and not row["won"]
    assert res.per_annotator["tested"].sum() == humans.shape[1] - 1
    none = alt_test(judge, humans, min_items=1000)
    assert np.isnan(none.winning_rate) and not none.passed


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="at least 2 annotators"):
        alt_test(np.zeros(5), np.zeros((5, 1)))
    with pytest.raises(ValueError, match="shape"):
        alt_test(np.zeros(4), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="epsilon"):
        alt_test(np.zeros(5), np.zeros((5, 3)), epsilon=1.5)
