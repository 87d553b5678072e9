"""The simulated expert panel: known truth (W = 1 without noise, W falls with noise, emphasis
weights recovered), no content scores low, length is not rewarded, and a real panel's W.

The model's parameters are the demo profile's (params/demo.yaml), the features
those of the mini cohort (tests/data/mini_cohort: 4 patients x 5 summaries).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from radjudge import paths
from radjudge.concordance import kendall_w, panel_agreement
from radjudge.profiles import load_profile
from radjudge.ratings.simulate import (
    SimulationParams,
    goodness_features,
    latent_quality,
    make_roster,
    simulate_ratings,
    substance,
)
from radjudge.records import render_text
from radjudge.summary_features import summary_features

MINI = Path(__file__).parent / "data" / "mini_cohort"
SECTION = load_profile("demo").section("03_expert_ratings")
PARAMS = SimulationParams.from_dict(SECTION["simulation"])
SCALES = dict.fromkeys(SECTION["criteria"], SECTION["scale_max"])
#: The demo model without its sources of disagreement (known-truth checks).
QUIET = {"noise_sd": 0.0, "severity_sd": 0.0, "expert_emphasis_sd": 0.0, "missing_rate": 0.0}
PANEL = {
    "radiologist": {"n": 4, "years": [5, 25]},
    "clinician": {"n": 4, "years": [5, 25]},
    "resident": {"n": 4, "years": [1, 3]},
}


@pytest.fixture(scope="module")
def features() -> pd.DataFrame:
    cohort = [
        json.loads(line)
        for line in (MINI / "synthetic_cohort.jsonl").read_text("utf-8").splitlines()
    ]
    summaries = pd.read_json(MINI / "summaries.jsonl", lines=True, dtype={"patient_id": str})
    return summary_features(
        summaries,
        records={c["patient_id"]: render_text(c["sections"]) for c in cohort},
        facts={c["patient_id"]: c["ground_truth"]["facts"] for c in cohort},
    )


@pytest.fixture(scope="module")
def roster() -> pd.DataFrame:
    return make_roster(PANEL, seed=11)


def within_category_w(ratings: pd.DataFrame) -> pd.DataFrame:
    return panel_agreement(ratings, by=("expert_category", "criterion"))


def mean_w_per_category(ratings: pd.DataFrame, roster: pd.DataFrame) -> pd.Series:
    """Mean over criteria of W inside each category, batched (rows: expert, summary, criterion)."""
    n_e, n_c = len(roster), len(SCALES)
    arr = ratings["score"].to_numpy(dtype=float).reshape(n_e, -1, n_c)
    out = {}
    for cat in PANEL:
        idx = np.flatnonzero(roster["category"].to_numpy() == cat)
        out[cat] = float(
            np.mean(kendall_w(arr[idx].transpose(2, 1, 0)).w)
        )  # (criteria, items, raters)
    return pd.Series(out)


def test_zero_noise_experts_of_a_category_agree_exactly(features, roster):
    params = PARAMS.replace(**QUIET)
    ratings = simulate_ratings(features, roster, scales=SCALES, params=params, seed=5)
    for _, grp in ratings.groupby(["expert_category", "criterion"]):
        wide = grp.pivot(index=["patient_id", "summarizer"], columns="expert_id", values="score")
        assert (wide.nunique(axis=1) == 1).all()
    w = within_category_w(ratings)
    assert len(w) == 3 * len(SCALES)
    assert (w["w"] == 1.0).all(), w
    assert (mean_w_per_category(ratings, roster) == 1.0).all()


def test_w_falls_monotonically_as_noise_grows(features, roster):
    """Mean within-category W over 20 seeds, at five noise levels, strictly decreasing per category.

    The seeds share standard-normal draws across noise levels (common random
    numbers), and the smallest step between levels is several standard errors
    of the mean (measured: steps 0.08-0.21, standard errors <= 0.008 in three
    disjoint blocks of seeds), so the check does not hinge on lucky seeds.
    """
    levels = [0.0, 0.05, 0.1, 0.2, 0.4]
    seeds = range(20)
    means = {}
    for level in levels:
        params = PARAMS.replace(**{**QUIET, "noise_sd": level})
        table = pd.DataFrame(
            [
                mean_w_per_category(
                    simulate_ratings(features, roster, scales=SCALES, params=params, seed=seed),
                    roster,
                )
                for seed in seeds
            ]
        )
        means[level] = (table.mean(), table.std(ddof=1) / np.sqrt(len(table)))
    for cat in PANEL:
        curve = [means[lv][0][cat] for lv in levels]
        assert curve[0] == 1.0
        steps = np.diff(curve)
        se = [means[lv][1][cat] for lv in levels[1:]]
        assert (steps < 0).all(), (cat, curve)
        assert (-steps > 3 * np.array(se)).all(), (cat, curve, se)


def test_noise_multiplier_makes_residents_noisier(features, roster):
    params = PARAMS.replace(**{**QUIET, "noise_sd": 0.15})
    per_cat = pd.DataFrame(
        [
            mean_w_per_category(
                simulate_ratings(features, roster, scales=SCALES, params=params, seed=s), roster
            )
            for s in range(20)
        ]
    ).mean()
    assert PARAMS.categories["resident"].noise > PARAMS.categories["radiologist"].noise
    assert per_cat["resident"] < per_cat["radiologist"]


def test_category_emphasis_shifts_latent_quality():
    # two summaries: one covers only the radiology facts, the other only the clinical ones
    feats = pd.DataFrame(
        {
            "patient_id": ["P1", "P1"],
            "summarizer": ["radiology", "clinical"],
            "coverage_diagnosis": [0.0, 1.0],
            "coverage_findings": [0.0, 1.0],
            "coverage_labs": [0.0, 1.0],
            "coverage_contraindications": [1.0, 0.0],
            "coverage_prior_imaging": [1.0, 0.0],
            "coverage_referral": [1.0, 0.0],
        }
    )
    params = SimulationParams.from_dict(
        {
            "criteria": {"completeness": {c: 1 for c in feats.columns[2:]}},
            "categories": SECTION["simulation"]["categories"],
        }
    )
    q = latent_quality(feats, params).set_index(["expert_category", "summarizer"])["quality"]
    # equal weights: 3 of 6 features covered -> 0.5 for a category without emphasis
    assert q[("resident", "radiology")] == pytest.approx(0.5)
    assert q[("radiologist", "radiology")] > q[("radiologist", "clinical")]
    assert q[("clinician", "clinical")] > q[("clinician", "radiology")]
    # radiologist emphasis 3, 3, 2 on the radiology features: (3+3+2) / (3+3+2+3) = 8/11
    assert q[("radiologist", "radiology")] == pytest.approx(8 / 11)


def test_undefined_features_are_left_out_of_the_weighted_mean():
    feats = pd.DataFrame(
        {
            "patient_id": ["P1"],
            "summarizer": ["s"],
            "coverage_labs": [1.0],
            "coverage_prior_imaging": [np.nan],
        }
    )
    params = SimulationParams.from_dict(
        {
            "criteria": {"completeness": {"coverage_labs": 1, "coverage_prior_imaging": 1}},
            "categories": {"other": {}},
        }
    )
    assert latent_quality(feats, params)["quality"].iloc[0] == 1.0


def test_brevity_peaks_at_the_target_compression(features):
    g = goodness_features(features, PARAMS)
    target = features.assign(compression=PARAMS.target_compression)
    assert (goodness_features(target, PARAMS)["brevity"] == 1.0).all()
    assert g["brevity"].between(0, 1).all()
    tau = PARAMS.paraphrase_tolerance
    expected = 1 - ((features["unsupported_rate"] - tau) / (1 - tau)).clip(0, 1)
    np.testing.assert_allclose(g["support"], expected)
    # a paraphrase up to the tolerance is fully supported; the rest scales down to 0
    assert (g.loc[features["unsupported_rate"] <= tau, "support"] == 1).all()


@pytest.mark.parametrize("scale", [3, 5, 10])
def test_scores_are_whole_numbers_on_the_scale(features, roster, scale):
    scales = dict.fromkeys(SCALES, scale)
    r = simulate_ratings(
        features, roster, scales=scales, params=PARAMS.replace(noise_sd=0.5), seed=1
    )
    s = r["score"].dropna().astype(int)
    assert s.between(1, scale).all()
    assert s.min() == 1 and s.max() == scale  # noise 0.5 of the range reaches both ends
    assert (r["scale_max"] == scale).all()
    assert len(r) == len(roster) * len(features) * len(scales)


def test_rating_equation_without_noise(features, roster):
    """y = clip(round(1 + (N - 1) (q + bias)), 1, N) when noise and severity are zero."""
    params = PARAMS.replace(**QUIET)
    r = simulate_ratings(features, roster, scales=SCALES, params=params, seed=0)
    bias = r["expert_category"].map({k: v.bias for k, v in params.categories.items()})
    expected = np.clip(np.rint(1 + (r["scale_max"] - 1) * (r["quality"] + bias)), 1, r["scale_max"])
    assert (r["score"].astype(int) == expected.astype(int)).all()


def test_missing_rate_is_respected(features, roster):
    r = simulate_ratings(
        features, roster, scales=SCALES, params=PARAMS.replace(missing_rate=0.2), seed=3
    )
    n = len(r)
    share = r["score"].isna().mean()
    assert abs(share - 0.2) < 4 * np.sqrt(0.2 * 0.8 / n)
    none = simulate_ratings(
        features, roster, scales=SCALES, params=PARAMS.replace(missing_rate=0.0), seed=3
    )
    assert none["score"].notna().all()


def test_seeded_and_stable_when_the_panel_grows(features, roster):
    a = simulate_ratings(features, roster, scales=SCALES, params=PARAMS, seed=9)
    b = simulate_ratings(features, roster, scales=SCALES, params=PARAMS, seed=9)
    pd.testing.assert_frame_equal(a, b)
    bigger = pd.concat(
        [roster, pd.DataFrame([{"expert_id": "E99", "category": "other", "years_experience": 3}])]
    )
    c = simulate_ratings(features, bigger, scales=SCALES, params=PARAMS, seed=9)
    pd.testing.assert_frame_equal(a, c[c["expert_id"] != "E99"].reset_index(drop=True))
    d = simulate_ratings(features, roster, scales=SCALES, params=PARAMS, seed=10)
    assert not a["score"].equals(d["score"])


def test_make_roster_counts_ids_and_years():
    r = make_roster(PANEL, seed=1)
    assert list(r["expert_id"]) == [f"E{i:02d}" for i in range(1, 13)]
    assert r["category"].value_counts().to_dict() == {
        "radiologist": 4,
        "clinician": 4,
        "resident": 4,
    }
    assert r.loc[r["category"] == "resident", "years_experience"].between(1, 3).all()
    with pytest.raises(ValueError, match="panel.x.n"):
        make_roster({"x": {"n": 0, "years": [1, 2]}}, seed=1)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"noise": 1}, "unknown key"),
        ({"noise_sd": -0.1}, "noise_sd must be >= 0"),
        ({"missing_rate": 1.0}, "missing_rate"),
        ({"criteria": {"completeness": {"coverage": -1}}}, "weight must be a number >= 0"),
        ({"categories": {"radiologist": {"bias": 0, "weights": {}}}}, "unknown key"),
    ],
)
def test_bad_parameters_are_named(change, match):
    with pytest.raises(ValueError, match=match):
        SimulationParams.from_dict({**SECTION["simulation"], **change})


def test_unknown_feature_and_category_are_named(features, roster):
    params = SimulationParams.from_dict(
        {**SECTION["simulation"], "criteria": {"completeness": {"charm": 1}}}
    )
    with pytest.raises(ValueError, match="'charm'"):
        simulate_ratings(features, roster, scales={"completeness": 5}, params=params, seed=0)
    odd = roster.assign(category="nurse")
    with pytest.raises(ValueError, match="nurse"):
        simulate_ratings(features, odd, scales=SCALES, params=PARAMS, seed=0)
    with pytest.raises(ValueError, match="fluency"):
        simulate_ratings(features, roster, scales={"fluency": 5}, params=PARAMS, seed=0)


def test_simulated_panel_fills_real_forms_and_imports_back(features, tmp_path):
    import mini_cohort
    from radjudge.ratings import MissingRatingsWarning, export_forms, load_expert_ratings
    from radjudge.ratings.simulate import simulate_panel

    roster = make_roster(
        {"radiologist": {"n": 2, "years": [5, 9]}, "resident": {"n": 1, "years": [1, 2]}}, seed=2
    )
    out = export_forms(
        mini_cohort.anonymized(),
        mini_cohort.summaries(),
        roster,
        study_id="sim",
        seed=4,
        scale_max=SCALES,
        forms_dir=tmp_path / "forms",
        key_path=tmp_path / "key.json",
    )
    (tmp_path / "filled").mkdir()
    (tmp_path / "filled" / "form_E77.xlsx").write_bytes(b"left over from an earlier panel")
    panel = simulate_panel(
        features,
        roster,
        key=out.key,
        forms_dir=tmp_path / "forms",
        out_dir=tmp_path / "filled",
        params=SECTION["simulation"] | {"missing_rate": 0.05},
        seed=8,
    )
    assert sorted(p.name for p in (tmp_path / "filled").iterdir()) == [
        "form_E01.xlsx",
        "form_E02.xlsx",
        "form_E03.xlsx",
    ]
    with pytest.warns(MissingRatingsWarning):
        got = load_expert_ratings(tmp_path / "filled", key=out.key, roster=roster)
    ids = ["expert_id", "patient_id", "summarizer", "criterion"]
    both = got.merge(panel.ratings, on=ids, suffixes=("", "_sim"), validate="one_to_one")
    assert len(both) == len(got) == len(panel.ratings)
    assert both["score"].isna().equals(both["score_sim"].isna())
    assert both["score"].isna().any()
    ok = both["score"].notna()
    assert (both.loc[ok, "score"] == both.loc[ok, "score_sim"]).all()


# --------------------------------------------------------------------------- behaviour


def _features(n: int, rng: np.random.Generator, **fixed: float) -> pd.DataFrame:
    """Synthetic summary features: independent uniform goodness, every summary substantive."""
    cols = {
        "coverage": rng.uniform(0.3, 1, n),
        "coverage_diagnosis": rng.uniform(0, 1, n),
        "coverage_findings": rng.uniform(0, 1, n),
        "coverage_labs": rng.uniform(0, 1, n),
        "coverage_contraindications": rng.uniform(0, 1, n),
        "coverage_prior_imaging": rng.uniform(0, 1, n),
        "coverage_referral": rng.uniform(0, 1, n),
        "structure_score": rng.uniform(0, 1, n),
        "unsupported_rate": rng.uniform(0, 0.5, n),
        "unsupported_numbers": rng.integers(0, 3, n).astype(float),
        "compression": rng.uniform(0.05, 0.6, n),
    }
    cols.update({k: np.full(n, v) for k, v in fixed.items()})
    ids = {"patient_id": [f"P{i // 6:03d}" for i in range(n)], "summarizer": np.arange(n) % 6}
    return pd.DataFrame({**ids, **cols}).assign(summarizer=lambda d: d["summarizer"].astype(str))


def test_parameter_recovery_orders_each_categorys_emphasis():
    """Simulate with known emphasis weights, then read their order back from the ratings alone.

    Two categories weigh the same three coverage features in opposite orders (4 > 1 > 0.25
    and 0.25 < 1 < 4). A least-squares fit of each category's mean rating on the features
    recovers each order; noise, severity, rounding and the experts' own emphasis spread
    (the demo's) are all on.
    """
    rng = np.random.default_rng(7)
    feats = _features(600, rng)
    trio = ["coverage_diagnosis", "coverage_labs", "coverage_referral"]
    params = SimulationParams.from_dict(
        {
            **{k: v for k, v in SECTION["simulation"].items() if k not in ("halo", "criteria")},
            "criteria": {"completeness": dict.fromkeys(trio, 1)},
            "categories": {
                "radiologist": {"emphasis": dict(zip(trio, (4, 1, 0.25), strict=True))},
                "clinician": {"emphasis": dict(zip(trio, (0.25, 1, 4), strict=True))},
            },
        }
    )
    roster = make_roster(
        {"radiologist": {"n": 5, "years": [5, 9]}, "clinician": {"n": 5, "years": [5, 9]}},
        seed=3,
    )
    r = simulate_ratings(feats, roster, scales={"completeness": 5}, params=params, seed=11)
    r["score"] = r["score"].astype(float)
    x = np.column_stack(
        [np.ones(len(feats)), feats.sort_values(["patient_id", "summarizer"])[trio]]
    )
    for cat, truth in (("radiologist", [0, 1, 2]), ("clinician", [2, 1, 0])):
        mean = r[r["expert_category"] == cat].groupby(["patient_id", "summarizer"])["score"].mean()
        coef = np.linalg.lstsq(x, mean.to_numpy(), rcond=None)[0][1:]
        assert list(np.argsort(-coef)) == truth, (cat, coef)


def test_no_content_scores_low_on_every_criterion_correctness_included(roster):
    """Flagged summaries and summaries without a key fact sit at the bottom, whatever their support."""
    rng = np.random.default_rng(1)
    good = _features(60, rng, coverage=0.8, unsupported_rate=0.0, unsupported_numbers=0.0)
    empty = good.assign(coverage=0.0, summarizer=lambda d: d["summarizer"] + "_none")
    flagged = good.assign(flag="degenerate", summarizer=lambda d: d["summarizer"] + "_loop")
    feats = pd.concat([good.assign(flag="ok"), empty.assign(flag="ok"), flagged])
    assert substance(feats, PARAMS).tolist() == [1.0] * 60 + [0.0] * 120
    r = simulate_ratings(feats, roster, scales=SCALES, params=PARAMS, seed=2)
    r["score"] = r["score"].astype(float)
    r["kind"] = np.where(r["summarizer"].str.contains("_"), "no content", "content")
    means = r.pivot_table(index="kind", columns="criterion", values="score")
    assert (means.loc["no content"] < 2.5).all(), means  # correctness and unsupported too
    assert (means.loc["content"] > means.loc["no content"] + 1.5).all(), means


def test_padding_a_summary_raises_no_score():
    """Length is not rewarded: the same content, twice as long, is never rated higher."""
    rng = np.random.default_rng(4)
    feats = _features(200, rng)
    padded = feats.assign(compression=feats["compression"] * 2)
    q = latent_quality(feats, PARAMS).set_index(["expert_category", "criterion"])["quality"]
    qp = latent_quality(padded, PARAMS).set_index(["expert_category", "criterion"])["quality"]
    longer = feats["compression"].to_numpy() > PARAMS.target_compression
    for key in q.index.unique():
        a, b = q.loc[key].to_numpy(), qp.loc[key].to_numpy()
        assert (b[longer] <= a[longer] + 1e-12).all(), key
    conc = ("radiologist", "conciseness")
    assert (qp.loc[conc].to_numpy()[longer] < q.loc[conc].to_numpy()[longer]).all()


def test_halo_lifts_the_summary_that_is_better_overall():
    """Gold and extractive are both fully supported; the halo favours the more complete one."""
    feats = _features(2, np.random.default_rng(0), unsupported_rate=0.0, unsupported_numbers=0.0)
    feats[[c for c in feats if c.startswith("coverage_")]] = [[1.0] * 6, [0.4] * 6]
    q = latent_quality(feats, PARAMS)
    corr = q[(q["criterion"] == "correctness") & (q["expert_category"] == "radiologist")]
    assert corr["quality"].iat[0] > corr["quality"].iat[1]
    flat = latent_quality(feats, PARAMS.replace(halo=0.0))
    corr0 = flat[(flat["criterion"] == "correctness") & (flat["expert_category"] == "radiologist")]
    assert corr0["quality"].iat[0] == pytest.approx(corr0["quality"].iat[1])


# --------------------------------------------------------------------------- a real panel


def _clin_summ_scores() -> dict[str, np.ndarray]:
    """Readers' output-minus-target scores per attribute, (samples, readers), complete rows."""
    folder = paths.CLIN_SUMM
    sheet = pd.read_excel(folder / "data_chq_study_result.xlsx")
    switched = json.loads((folder / "data_chq_study_blind_order.json").read_text("utf-8"))
    out = {}
    for q, attribute in (("1", "completeness"), ("2", "correctness"), ("3", "conciseness")):
        cols = [c for c in sheet.columns if c.endswith(f"_{q}") and c.split("_")[0].isdigit()]
        sign = np.array([-1.0 if switched[c.split("_")[0]] else 1.0 for c in cols])
        scores = sheet[cols].to_numpy(dtype=float).T * sign[:, None]
        out[attribute] = scores[~np.isnan(scores).any(axis=1)]
    return out


def test_a_real_reader_panel_agrees_at_w_027_to_043():
    """Kendall's W of the 5 physician readers of the clin-summ patient-question study.

    Data: Van Veen D. et al. (2024) Adapted large language models can outperform medical
    experts in clinical text summarization. Nature Medicine 30:1134-1142 (reader study,
    MIT licence; data/external/validation/clin-summ). The paper reports preferences, not W,
    so the reference here is an independent implementation: W = chi2_F / (m (n - 1)) from
    SciPy's tie-corrected Friedman statistic. The real panel is the yardstick of the
    simulated one (calibrated to W 0.40-0.80 on summaries of far wider quality range).
    """
    from scipy.stats import friedmanchisquare

    scores = _clin_summ_scores()
    assert {k: v.shape for k, v in scores.items()} == {
        "completeness": (98, 5),
        "correctness": (99, 5),
        "conciseness": (99, 5),
    }
    got = {}
    for attribute, x in scores.items():
        n, m = x.shape
        friedman = friedmanchisquare(*x).statistic / (m * (n - 1))
        got[attribute] = kendall_w(x).w
        assert got[attribute] == pytest.approx(friedman, abs=1e-12), attribute
    assert got["completeness"] == pytest.approx(0.4270, abs=5e-5)
    assert got["correctness"] == pytest.approx(0.2733, abs=5e-5)
    assert got["conciseness"] == pytest.approx(0.2664, abs=5e-5)
