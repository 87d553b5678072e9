"""radjudge.explore.data: from a W value down to the items, on a tiny run made by the real code.

The run (tests/explore_run.py) holds two simulated LLM judges, one constant
judge configuration and a ROUGE-L baseline computed by the real sweep; its
concordance tables come from the real analysis of notebook 05.
"""

from __future__ import annotations

import shutil
import warnings

import numpy as np
import pandas as pd
import pytest

from explore_run import CONSTANT, SETTINGS, cached_run, run_files
from radjudge.concordance import analysis as A
from radjudge.concordance.bootstrap import bootstrap_interval
from radjudge.concordance.kendall import kendall_w
from radjudge.explore import data as D
from radjudge.explore import explorer
from radjudge.records import SECTIONS

CONST_ID = "judge-const|completeness|5|full"


@pytest.fixture(scope="module")
def data() -> D.ExploreData:
    return D.load_explore_data(files=run_files(cached_run()))


@pytest.fixture(scope="module")
def grid_result(data):
    """The notebook-05 grid with its bootstrap replicates (the same settings as the run)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return A.concordance_grid(
            data.concordance, **{k: SETTINGS[k] for k in ("n_boot", "seed", "ci_method", "alpha")}
        )


def test_every_item_table_reproduces_the_w_of_its_grid_row(data):
    """The items the explorer shows are exactly the ones behind each W of notebook 05."""
    assert len(data.grid) == 19
    for _, row in data.grid.iterrows():
        items = D.item_table(data, row["config_id"])
        done = items[items["complete"]]
        assert len(done) == row["n_items"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            w = kendall_w(done[["consensus", "judge"]].to_numpy()).w
        assert w == pytest.approx(row["w"], abs=1e-12), row["config_id"]
        assert done["expert_rank"].between(0, 1).all() and done["judge_rank"].between(0, 1).all()
        assert np.allclose(done["disagreement"], done["judge_rank"] - done["expert_rank"])
        assert items.loc[~items["complete"], "disagreement"].isna().all()


def test_judge_kinds_come_from_the_mode_or_the_grid_column(data):
    kinds = data.grid.groupby("judge")["judge_kind"].unique().map(tuple).to_dict()
    assert kinds == {
        "judge-a": ("llm",),
        "judge-b": ("llm",),
        "judge-const": ("llm",),
        "rouge-l": ("metric",),
    }
    llm = D.configurations(data)
    assert "rouge-l" not in set(llm["judge"]) and len(llm) == 17
    assert llm["w"].is_monotonic_decreasing
    assert set(D.baselines(data, "completeness")["config_id"]) == {"rouge-l|completeness|10|none"}
    # a run whose grid says the kind (stage 05 of the honest-study issue) is read as it says
    grid = data.grid.drop(columns=["row", "config_id", "judge_kind", "valid", "validity_reason"])
    marked = grid.assign(judge_kind=np.where(grid["judge"] == "judge-b", "metric", "llm"))
    built = _rebuild(data, grid=marked)
    assert set(D.configurations(built, kind="metric")["judge"]) == {"judge-b"}
    with pytest.raises(ValueError, match="judge_kind must be 'llm' or 'metric'"):
        _rebuild(data, grid=grid.assign(judge_kind="robot"))


def _rebuild(data: D.ExploreData, **change) -> D.ExploreData:
    kw = {
        "grid": data.grid.drop(
            columns=["row", "config_id", "judge_kind", "valid", "validity_reason"]
        ),
        "expert_ratings": data.expert_ratings,
        "judge_ratings": data.judge_ratings,
        "summaries": data.summaries,
        "records": data.records,
        "bootstrap": data.bootstrap,
    }
    kw.update(change)
    return D.build_explore_data(**kw)


def test_a_constant_judge_is_flagged_degenerate_and_a_normal_one_is_not(data):
    const = D.config_summary(data, CONST_ID)
    assert const.w == pytest.approx(0.5)  # what the grid reports: chance, not a result
    assert const.n_distinct == 1 and const.reason == "constant" and const.degenerate
    assert const.status == "unchecked"  # this run has no validity gate
    assert not data.validity_checked
    normal = D.config_summary(data, "judge-a|completeness|3|full")
    assert normal.n_distinct > 10 and normal.reason == "" and not normal.degenerate
    assert list(normal.baselines["judge"]) == ["rouge-l"]
    assert normal.rho == pytest.approx(
        data.grid.set_index("config_id").loc["judge-a|completeness|3|full", "spearman"]
    )


def test_the_validity_gate_of_the_run_is_shown_as_it_is(data):
    grid = data.grid.drop(columns=["row", "config_id", "judge_kind", "valid", "validity_reason"])
    gated = grid.assign(
        valid=grid["judge"] != "judge-b",
        validity_reason=np.where(grid["judge"] == "judge-b", "unparseable_share", ""),
    )
    built = _rebuild(data, grid=gated)
    assert built.validity_checked
    bad = D.config_summary(built, "judge-b|completeness|3|full")
    assert bad.status == "invalid" and bad.reason == "unparseable_share" and bad.degenerate
    assert D.config_summary(built, "judge-a|completeness|3|full").status == "valid"


def test_filters_narrow_each_other_and_never_empty_the_list(data):
    llm = data.grid[data.grid["judge_kind"] == "llm"]
    cols = ["judge", "criterion", "scale", "granularity"]
    opts = D.narrowed_options(llm, {"judge": "judge-const"}, cols)
    assert opts["criterion"] == [D.ANY, "completeness"]
    assert opts["scale"] == [D.ANY, "5"] and opts["granularity"] == [D.ANY, "full"]
    assert opts["judge"] == [D.ANY, "judge-a", "judge-b", "judge-const"]  # own filter not applied
    # any sequence of offered choices keeps at least one configuration
    rng = np.random.default_rng(1)
    chosen = dict.fromkeys(cols, D.ANY)
    for _ in range(200):
        col = cols[rng.integers(len(cols))]
        offered = D.narrowed_options(llm, chosen, cols)[col]
        chosen[col] = offered[rng.integers(len(offered))]
        assert len(D.filter_table(llm, chosen)) > 0, chosen
    # the ordered values: criteria in contract order, scales numerically
    assert D.narrowed_options(llm, {}, ["scale"])["scale"] == [D.ANY, "3", "5"]


def test_disagreements_are_the_largest_rank_differences(data):
    items = D.item_table(data, "judge-b|completeness|5|full")
    worst = D.disagreements(items, n=5)
    assert len(worst) == 5 and worst["complete"].all()
    top = worst["disagreement"].abs().to_numpy()
    assert (np.diff(top) <= 0).all()
    assert top[0] == pytest.approx(items["disagreement"].abs().max())
    const = D.item_table(data, CONST_ID)
    assert np.allclose(const.loc[const["complete"], "judge_rank"], 0.5)  # all tied
    with pytest.raises(ValueError, match="n must be >= 1"):
        D.disagreements(items, n=0)


def test_item_detail_gathers_record_summary_experts_and_every_answer_of_the_judge(data):
    d = D.item_detail(data, "P002", "extractive", judge="judge-a")
    assert tuple(d.record) == SECTIONS  # in record order
    assert d.record == data.records["P002"]
    sm = data.summaries
    text = sm[(sm["patient_id"] == "P002") & (sm["summarizer"] == "extractive")]["text"].iloc[0]
    assert d.summary["text"] == text
    er = data.expert_ratings
    mine = er[(er["patient_id"] == "P002") & (er["summarizer"] == "extractive")]
    assert len(d.expert_scores) == mine["expert_id"].nunique() == 4
    assert list(d.expert_scores.columns) == [
        "expert_id",
        "expert_category",
        *sorted(mine["criterion"].unique()),
    ]
    e03 = d.expert_scores.set_index("expert_id").loc["E03"]
    for crit in ("completeness", "correctness"):
        want = mine[(mine["expert_id"] == "E03") & (mine["criterion"] == crit)]["score"].iloc[0]
        assert (pd.isna(want) and pd.isna(e03[crit])) or e03[crit] == want
    k = data.concordance.items.index[
        (data.concordance.items["patient_id"] == "P002")
        & (data.concordance.items["summarizer"] == "extractive")
    ][0]
    assert d.consensus["completeness"] == pytest.approx(
        data.concordance.consensus("completeness")[k]
    )
    # one row per configuration (x repeat) of that judge: 2 criteria x 2 scales x 2 granularities
    assert len(d.judge_answers) == 8 and set(d.judge_answers["judge"]) == {"judge-a"}
    assert list(d.judge_answers["criterion"].iloc[[0, -1]]) == ["completeness", "correctness"]
    const = D.item_detail(data, "P002", "extractive", judge="judge-const")
    assert const.judge_answers[["distribution", "raw", "score"]].iloc[0].tolist() == [
        '{"1": 1.0}',
        '["1", "1"]',
        1,
    ]
    gold = D.item_detail(data, "P002", "gold", judge="rouge-l")
    assert set(gold.judge_answers["status"]) == {"failed"}  # the reference cannot rate itself
    with pytest.raises(KeyError, match="not an item"):
        D.item_detail(data, "P002", "nobody")


def test_paired_delta_w_uses_the_runs_resamples_and_pairs_them(data, grid_result):
    table = grid_result.table.assign(
        config_id=[D.config_id(r, data.config_columns) for _, r in grid_result.table.iterrows()]
    )
    full = table[(table["judge"] == "judge-a") & (table["n_missing"] == 0)]
    a, b = full["config_id"].iloc[0], full["config_id"].iloc[1]
    ka, kb = full.index[0], full.index[1]
    res = D.paired_delta_w(data, a, b)
    # both configurations valued every item: W, each CI and the replicates are notebook 05's
    assert res.n_items == data.concordance.n_items and res.n_dropped == 0
    assert res.w_a == pytest.approx(table.loc[ka, "w"]) and res.w_b == pytest.approx(
        table.loc[kb, "w"]
    )
    assert res.w_a_ci == pytest.approx((table.loc[ka, "ci_low"], table.loc[ka, "ci_high"]))
    d_rep = grid_result.replicates[kb] - grid_result.replicates[ka]
    d_jack = grid_result.jackknife[kb] - grid_result.jackknife[ka]
    lo, hi = bootstrap_interval(
        np.array(res.delta_w), d_rep, jackknife=d_jack, method="percentile", confidence_level=0.95
    )
    assert res.delta_w == pytest.approx(table.loc[kb, "w"] - table.loc[ka, "w"])
    assert (res.ci_low, res.ci_high) == pytest.approx((float(lo), float(hi)))
    assert res.p == pytest.approx(min(1.0, 2 * min(np.mean(d_rep <= 0), np.mean(d_rep >= 0))))
    same = D.paired_delta_w(data, a, a)
    assert same.delta_w == 0 and (same.ci_low, same.ci_high) == (0, 0) and same.p == 1


def test_paired_delta_w_compares_only_the_items_both_valued(data):
    g = data.grid.set_index("config_id")
    a, b = "judge-b|completeness|3|full", "judge-b|completeness|3|extremes"
    assert g.loc[a, "n_items"] != g.loc[b, "n_items"]  # each failed on other summaries
    res = D.paired_delta_w(data, a, b, n_boot=50)
    ia, ib = D.item_table(data, a), D.item_table(data, b)
    both = ia["complete"] & ib["complete"]
    assert res.n_items == both.sum() and res.n_dropped == (~both).sum()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w_a = kendall_w(ia.loc[both, ["consensus", "judge"]].to_numpy()).w
    assert res.w_a == pytest.approx(w_a) and res.w_a != pytest.approx(g.loc[a, "w"])
    assert res.n_boot == 50 and res.method == SETTINGS["ci_method"]


def test_paired_delta_w_refuses_other_judges_and_baselines(data):
    with pytest.raises(ValueError, match="same judge"):
        D.paired_delta_w(data, "judge-a|completeness|3|full", "judge-b|completeness|3|full")
    with pytest.raises(ValueError, match="metric baseline"):
        D.paired_delta_w(data, "rouge-l|completeness|10|none", "rouge-l|correctness|10|none")
    with pytest.raises(KeyError, match="unknown configuration"):
        D.paired_delta_w(data, "nope", "judge-a|completeness|3|full")


def test_default_comparison_is_full_vs_extremes_of_one_judge(data):
    a, b = D.default_comparison(data, "judge-a")
    ra, rb = data.config(a), data.config(b)
    assert (ra["granularity"], rb["granularity"]) == ("full", "extremes")
    assert (ra["criterion"], ra["scale"]) == (rb["criterion"], rb["scale"])
    assert D.default_comparison(data, "judge-const") is None


def test_loading_names_what_is_missing_or_mismatched(tmp_path, data):
    root = cached_run()
    files = run_files(root)
    with pytest.raises(FileNotFoundError, match=r"judge_ratings\.parquet.*notebook 04"):
        D.load_explore_data(files={**files, "judge_ratings": tmp_path / "judge_ratings.parquet"})
    with pytest.raises(ValueError, match="unknown key"):
        D.load_explore_data(files={**files, "colour": tmp_path})
    # a grid of another run: a configuration the judge table does not hold
    other = tmp_path / "concordance"
    shutil.copytree(files["concordance"], other)
    grid = pd.read_parquet(other / "grid.parquet")
    grid.loc[0, "judge"] = "judge-z"
    grid.to_parquet(other / "grid.parquet", index=False)
    with pytest.raises(ValueError, match="different runs"):
        D.load_explore_data(files={**files, "concordance": other})
    with pytest.raises(ValueError, match=r"grid lacks column\(s\) \['spearman'\]"):
        _rebuild(data, grid=data.grid.drop(columns=["spearman", "row", "config_id"]))
    assert data.sources["grid"] == files["concordance"] / "grid.parquet"
    assert data.synthetic is True
    assert data.bootstrap == SETTINGS
    assert CONSTANT["judge"] in set(data.grid["judge"])


def test_metric_rows_without_scale_or_granularity_are_read(data):
    """The contract of the honest-study issue: metric judges leave scale and granularity empty."""
    metric = data.judge_ratings["mode"] == "metric"
    judges = data.judge_ratings.copy()
    judges["scale"] = judges["scale"].astype("Float64").where(~metric)
    judges["granularity"] = judges["granularity"].where(~metric)
    grid = data.grid.drop(columns=["row", "config_id", "judge_kind", "valid", "validity_reason"])
    is_metric = grid["judge"] == "rouge-l"
    grid["scale"] = grid["scale"].astype("Float64").where(~is_metric)
    grid["granularity"] = grid["granularity"].where(~is_metric)
    built = _rebuild(data, grid=grid, judge_ratings=judges)
    base = D.baselines(built, "completeness")
    assert list(base["config_id"]) == ["rouge-l|completeness||"]
    items = D.item_table(built, "rouge-l|completeness||")
    assert items["complete"].sum() == base["n_items"].iloc[0]
    assert list(D.config_summary(built, "judge-a|completeness|3|full").baselines["judge"]) == [
        "rouge-l"
    ]
    ui = explorer(built, language="en")  # the views draw metric rows without scale
    assert "rouge-l: W" in ui.config_summary.value
    ui.show_item("P002", "extractive", judge="rouge-l")
    assert "rouge-l" in ui.item_answers.value
