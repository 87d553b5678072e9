"""The concordance analysis of the study, on the tidy tables: every table notebook 05 shows.

Start with :func:`~radjudge.concordance.designs.prepare_data` (validates and
aligns the expert and judge tables), then:

=============================  =========================================================
:func:`concordance_grid`       W judge vs expert consensus for every configuration, with
                               Spearman rho, cluster-bootstrap CI, p-value, adjusted
                               p-value, counts, judge kind and validity; paired factor
                               effects: :mod:`radjudge.concordance.effects`
:func:`panel_fit`              Delta W: W(experts + judge) - W(experts), paired bootstrap CI
:func:`judge_agreement`        W among judges for each (criterion, scale, granularity)
:func:`category_concordance`   W within each expert category, across categories, and
                               judge vs each category's consensus
:func:`leave_one_expert_out`   W with each expert left out (stability)
:func:`alt_test_grid`          alt-test (Calderon et al. 2025) for every configuration
:func:`select_configurations`  best (scale, granularity, ...) per judge and criterion by
                               cross-validation over patients; held-out W
:func:`sensitivity_grid`       tau-b, Spearman (pooled, per patient), ICC, alpha, kappa, AC
:func:`write_tables`           every table, checked against its contract (csv + parquet)
=============================  =========================================================

The numbers the manuscript quotes (``stats.json``) are made from these tables by
:mod:`radjudge.concordance.stats`. Every table's columns are fixed by its contract in
:mod:`radjudge.contracts` (:data:`~radjudge.contracts.CONCORDANCE_TABLES`).

All bootstrap analyses of one run draw the same patient resamples (same
``seed``), so their replicates are paired: a difference between two
configurations, or Delta W, gets a valid interval from the replicate
differences.

Judge vs consensus has two raters, so W = (1 + Spearman rho) / 2 (exactly so
without ties) and chance level is 0.5 (in general 1/m for m raters); the
tables carry rho beside W. A judge that gives one value to every item has no
rho, and so no W: its W is NaN and it is marked ``constant`` - never 0.5, the
value the tie-corrected formula would return. Its p-value defaults to the F
approximation, which holds its level for two raters; the chi-square
approximation of R ``irr`` is far too conservative there (about 1 % rejections
at the 5 % level with 180 items in our null simulations).

Judge kinds and validity. Metric judges (``judge_kind = "metric"``) are
reference lines: they are in the grid and the per-category table, marked, and
left out of the analyses that compare or choose judges (judge agreement,
alt-test, configuration choice). A configuration that failed the validity gate
of notebook 04 (``valid = False``) stays in the tables, marked; the grid
adjusts p-values within the family of the valid LLM configurations (and,
separately, of the valid reference lines) - an invalid one has no adjusted
p-value and is never ``significant``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from radjudge.checks import check_choice
from radjudge.concordance.agreement import (
    gwet_ac,
    icc,
    krippendorff_alpha,
    rank_correlation,
    weighted_kappa,
)
from radjudge.concordance.alt_test import alt_test
from radjudge.concordance.bootstrap import (
    BootstrapSettings,
    CIMethod,
    bootstrap_interval,
    jackknife_counts,
    resample_counts,
    resampled_kendall_w,
)
from radjudge.concordance.designs import ConcordanceData
from radjudge.concordance.kendall import PValueMethod, UndefinedStatisticWarning, kendall_w
from radjudge.concordance.metaeval import summary_level_correlation
from radjudge.concordance.multiple import PAdjustMethod, adjust_pvalues
from radjudge.concordance.selection import select_by_cross_validation
from radjudge.contracts import (
    CATEGORIES,
    CONCORDANCE_TABLES,
    CONFIG_COLUMNS,
    JUDGE_AGREEMENT,
    JUDGE_KINDS,
    LEAVE_ONE_EXPERT_OUT,
    PANEL_FIT,
    SELECTION,
    SELECTION_FOLDS,
    VALIDITY_REASONS,
    write_table,
)

_DEFAULT_BOOTSTRAP = BootstrapSettings()

#: How judge values meet the expert scale in the alt-test grid (see :func:`alt_test_grid`).
AltAlignment = Literal["rank", "scaled"]

__all__ = [
    "AltTestTables",
    "ConcordanceGrid",
    "SelectionTables",
    "alt_test_grid",
    "category_concordance",
    "concordance_grid",
    "headline_data",
    "judge_agreement",
    "leave_one_expert_out",
    "panel_fit",
    "select_configurations",
    "sensitivity_grid",
    "write_tables",
]


# --------------------------------------------------------------------------- engine glue


@dataclass(frozen=True)
class _Boot:
    w: np.ndarray
    low: np.ndarray
    high: np.ndarray
    se: np.ndarray
    replicates: np.ndarray
    jackknife: np.ndarray
    n_items: np.ndarray


def _quiet_w(x: np.ndarray, **kw: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedStatisticWarning)
        return kendall_w(x, **kw)


def _bootstrap(
    x: np.ndarray,
    data: ConcordanceData,
    counts: np.ndarray,
    bootstrap: BootstrapSettings,
) -> _Boot:
    """Point W, CI, SE, replicates and jackknife for a batch of designs (G, n, m)."""
    res = _quiet_w(x, correct_ties=bootstrap.correct_ties)
    w = np.atleast_1d(np.asarray(res.w, dtype=float))
    both = resampled_kendall_w(
        x,
        data.patients,
        np.vstack([counts, jackknife_counts(data.n_patients)]),
        correct_ties=bootstrap.correct_ties,
    )
    boot, jack = both[..., : counts.shape[0]], both[..., counts.shape[0] :]
    n_items = np.atleast_1d(res.n_items)
    return _interval(w, boot, jack, bootstrap.ci_method, bootstrap.alpha, n_items)


def _interval(
    w: np.ndarray,
    boot: np.ndarray,
    jack: np.ndarray,
    ci_method: CIMethod,
    alpha: float,
    n_items: np.ndarray,
) -> _Boot:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedStatisticWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = bootstrap_interval(
            w, boot, jackknife=jack, method=ci_method, confidence_level=1 - alpha
        )
        se = np.nanstd(boot, axis=-1, ddof=1)
    return _Boot(w, low, high, se, boot, jack, n_items)


def _counts(data: ConcordanceData, bootstrap: BootstrapSettings) -> np.ndarray:
    return resample_counts(data.n_patients, n_boot=bootstrap.n_boot, seed=bootstrap.seed)


def _warn_undefined(what: str, w: np.ndarray) -> None:
    n = int(np.isnan(w).sum())
    if n:
        warnings.warn(
            f"{what}: W undefined (constant ratings or < 2 complete items) for {n} of "
            f"{w.size}; NaN",
            UndefinedStatisticWarning,
            stacklevel=3,
        )


def _constant(values: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """Rows of ``values`` (K, n) with at most one distinct value on the complete items."""
    v = np.where(np.isfinite(reference), values, np.nan) if reference is not None else values
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return ~(np.nanmax(v, axis=-1) > np.nanmin(v, axis=-1))


def _two_rater_w(judge: np.ndarray, reference: np.ndarray, correct_ties: bool) -> np.ndarray:
    """W of each judge row (K, n) vs one reference (n,); NaN for a constant judge (rho is 0/0)."""
    ref = np.broadcast_to(reference, judge.shape)
    w = np.atleast_1d(_quiet_w(np.stack([ref, judge], 2), correct_ties=correct_ties).w)
    return np.where(_constant(judge, ref), np.nan, w)


def _config_frame(
    data: ConcordanceData, rows: Sequence[int] | np.ndarray | None = None
) -> pd.DataFrame:
    cfg = data.configs.loc[:, list(data.config_columns)]
    if rows is not None:
        cfg = cfg.iloc[np.asarray(rows, dtype=int)]
    return cfg.reset_index(drop=True)


# --------------------------------------------------------------------------- main grid


@dataclass(frozen=True)
class ConcordanceGrid:
    """Result of :func:`concordance_grid`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per configuration (same order as ``data.configs``).
    replicates : ndarray, shape (n_configs, n_boot)
        Bootstrap W (paired across configurations: the same patient resamples).
    jackknife : ndarray, shape (n_configs, n_patients)
    ci_method : {"bca", "percentile"}
    alpha : float
    config_columns : tuple of str
        The configuration columns of ``table``.
    """

    table: pd.DataFrame
    replicates: np.ndarray
    jackknife: np.ndarray
    ci_method: CIMethod
    alpha: float
    config_columns: tuple[str, ...] = CONFIG_COLUMNS


def concordance_grid(
    data: ConcordanceData,
    *,
    bootstrap: BootstrapSettings = _DEFAULT_BOOTSTRAP,
    pvalue_method: PValueMethod = "f",
    n_permutations: int = 9999,
    p_adjust: PAdjustMethod = "holm",
    min_spearman: float | None = None,
) -> ConcordanceGrid:
    """Kendall's W of every judge configuration against the expert consensus.

    Parameters
    ----------
    data : ConcordanceData
        From :func:`~radjudge.concordance.designs.prepare_data`.
    bootstrap : BootstrapSettings, default BootstrapSettings()
        Resamples, seed (also of the permutations), interval method and level,
        tie correction; the same settings in every analysis of a run pair their
        replicates. A configuration is ``significant`` when its adjusted
        p-value is <= ``bootstrap.alpha``.
    pvalue_method : {"f", "chisq", "permutation"}, default "f"
        See :func:`~radjudge.concordance.kendall.kendall_w`.
    n_permutations : int, default 9999
        For ``pvalue_method="permutation"``.
    p_adjust : {"holm", "by", "bh", "bonferroni", "none"}, default "holm"
        Adjustment across the valid configurations of the grid (per judge kind).
    min_spearman : float, optional
        The validity gate's last check (``05_concordance.min_spearman``): an
        LLM configuration whose Spearman rho with the consensus is below it is
        marked ``low_spearman``. Off by default, and off in the profiles:
        gating on agreement with the experts selects configurations on the
        very outcome the study measures, and would bias every headline W up.

    Returns
    -------
    ConcordanceGrid
        ``table`` columns (:data:`radjudge.contracts.GRID`): the configuration
        columns, ``judge_kind, w, spearman, ci_low, ci_high, se, chi2, df,
        pvalue, p_adj, n_items, n_missing, n_failed_rows, n_rows, n_patients,
        significant, valid, validity_reason``. ``n_items`` = complete items
        used; ``n_missing`` = items with an expert consensus but no judge value
        (every repeat failed or absent). A constant judge has NaN W, rho, CI and
        p-values and is not valid (reason ``constant``). ``p_adj`` adjusts over
        the valid LLM configurations (and separately over the valid reference
        lines); invalid ones have none.
    """
    if len(data.configs) == 0:
        raise ValueError(
            "no judge configuration rates a criterion the experts rated; nothing to compare"
        )
    cons = {c: data.consensus(c) for c in data.criteria}
    crit = data.configs["criterion"].to_numpy()
    ref = np.stack([cons[c] for c in crit])
    x = np.stack([ref, data.judge_values], axis=2)
    counts = _counts(data, bootstrap)
    b = _bootstrap(x, data, counts, bootstrap)
    res = _quiet_w(
        x,
        correct_ties=bootstrap.correct_ties,
        method=pvalue_method,
        n_permutations=n_permutations,
        seed=bootstrap.seed,
    )
    constant = _constant(data.judge_values, ref)
    undefined = np.where(constant, np.nan, 1.0)  # NaN for every statistic of a constant judge
    w = b.w * undefined
    _warn_undefined("concordance_grid", w)
    pvalue = np.atleast_1d(res.pvalue) * undefined
    spearman = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedStatisticWarning)
        for k in range(len(crit)):
            spearman.append(rank_correlation(ref[k], data.judge_values[k]))
    kind = data.configs["judge_kind"].to_numpy()
    rho = np.asarray(spearman, dtype=float) * undefined
    low_rho = np.zeros(len(rho), dtype=bool)
    if min_spearman is not None:
        if not -1 <= min_spearman <= 1:
            raise ValueError(f"min_spearman must lie in [-1, 1] or be None; got {min_spearman}")
        low_rho = (kind == "llm") & (rho < min_spearman)
    valid = data.configs["valid"].to_numpy(dtype=bool) & ~constant & ~low_rho
    added = [
        ("constant",) * bool(c) + ("low_spearman",) * bool(r)
        for c, r in zip(constant, low_rho, strict=True)
    ]
    reasons = [
        ";".join(r for r in VALIDITY_REASONS if r in {*str(old or "").split(";"), *add}) or None
        for old, add in zip(data.configs["validity_reason"], added, strict=True)
    ]
    p_adj = np.full(len(pvalue), np.nan)
    for family in JUDGE_KINDS:  # the valid LLM configurations; the valid reference lines
        rows = np.flatnonzero(valid & (kind == family))
        if rows.size:
            p_adj[rows] = adjust_pvalues(pvalue[rows], method=p_adjust)
    table = _config_frame(data).assign(
        judge_kind=kind,
        w=w,
        spearman=rho,
        ci_low=b.low * undefined,
        ci_high=b.high * undefined,
        se=b.se * undefined,
        chi2=np.atleast_1d(res.chi2) * undefined,
        df=np.atleast_1d(res.df),
        pvalue=pvalue,
        p_adj=p_adj,
        n_items=np.atleast_1d(res.n_items),
        n_missing=(np.isfinite(ref) & np.isnan(data.judge_values)).sum(axis=1),
        n_failed_rows=data.configs["n_failed_rows"].to_numpy(),
        n_rows=data.configs["n_rows"].to_numpy(),
        n_patients=data.n_patients,
    )
    table["significant"] = (table["p_adj"] <= bootstrap.alpha).to_numpy() & valid
    table["valid"] = valid
    table["validity_reason"] = pd.Series(reasons, dtype=object)
    replicates = np.where(constant[:, None], np.nan, b.replicates)
    jackknife = np.where(constant[:, None], np.nan, b.jackknife)
    return ConcordanceGrid(
        table,
        replicates,
        jackknife,
        bootstrap.ci_method,
        bootstrap.alpha,
        tuple(data.config_columns),
    )


def headline_data(data: ConcordanceData, grid: ConcordanceGrid) -> ConcordanceData:
    """The valid LLM configurations of ``grid``: what headline numbers and choices may use."""
    t = grid.table
    keep = (t["judge_kind"] == "llm").to_numpy() & t["valid"].to_numpy(dtype=bool)
    return data.subset(np.flatnonzero(keep))


# --------------------------------------------------------------------------- designs


def panel_fit(
    data: ConcordanceData,
    *,
    bootstrap: BootstrapSettings = _DEFAULT_BOOTSTRAP,
) -> pd.DataFrame:
    """Does the judge fit into the panel? Delta W = W(experts + judge) - W(experts).

    Both W are computed on the same items (complete for every expert and the
    judge) and on the same patient resamples, so the interval is for the
    paired difference. Since W = ((m - 1) mean_rho + 1) / m, Delta W > 0
    roughly means the judge agrees with the experts more than they agree
    with each other on average.

    Returns
    -------
    pandas.DataFrame
        Configuration columns, ``w_experts, w_with_judge, delta_w, ci_low,
        ci_high, p_not_positive`` (bootstrap share of Delta W* <= 0),
        ``n_experts, n_items``.
    """
    counts = _counts(data, bootstrap)
    out = []
    for criterion in data.criteria:
        rows = np.flatnonzero(data.configs["criterion"].to_numpy() == criterion)
        if rows.size == 0:
            continue
        cols = data.active_experts(criterion)
        if cols.size < 2:  # W of the experts alone needs two of them
            continue
        experts = data.expert_scores[criterion][:, cols]
        judge = data.judge_values[rows]  # (K, n)
        alone = np.broadcast_to(experts, (rows.size, *experts.shape)).copy()
        alone[np.isnan(judge)] = np.nan  # same items in both designs
        with_judge = np.concatenate([alone, judge[:, :, None]], axis=2)
        a = _bootstrap(alone, data, counts, bootstrap)
        w = _bootstrap(with_judge, data, counts, bootstrap)
        d = _interval(
            w.w - a.w,
            w.replicates - a.replicates,
            w.jackknife - a.jackknife,
            bootstrap.ci_method,
            bootstrap.alpha,
            w.n_items,
        )
        with np.errstate(invalid="ignore"):
            diff = w.replicates - a.replicates
            p_le0 = np.where(
                np.isnan(diff).all(axis=1),
                np.nan,
                np.nanmean(np.where(np.isnan(diff), np.nan, diff <= 0), axis=1),
            )
        out.append(
            _config_frame(data, rows).assign(
                w_experts=a.w,
                w_with_judge=w.w,
                delta_w=w.w - a.w,
                ci_low=d.low,
                ci_high=d.high,
                p_not_positive=p_le0,
                n_experts=cols.size,
                n_items=w.n_items,
            )
        )
    columns = list(PANEL_FIT.names(data.config_columns))
    return (pd.concat(out, ignore_index=True) if out else pd.DataFrame()).reindex(columns=columns)


def judge_agreement(
    data: ConcordanceData,
    *,
    bootstrap: BootstrapSettings = _DEFAULT_BOOTSTRAP,
) -> pd.DataFrame:
    """W among the judges, for each setting of the other configuration columns.

    Returns
    -------
    pandas.DataFrame
        The configuration columns except ``judge``, then ``w, ci_low,
        ci_high, n_judges, n_items``; settings with fewer than 2 judges are left out.
    """
    by = [c for c in data.config_columns if c != "judge"]
    counts = _counts(data, bootstrap)
    out = []
    for key, g in data.configs.groupby(by, sort=True):
        if len(g) < 2:
            continue
        x = data.judge_values[g.index.to_numpy()].T[None]
        b = _bootstrap(x, data, counts, bootstrap)
        row = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True))
        row.update(
            w=b.w[0], ci_low=b.low[0], ci_high=b.high[0], n_judges=len(g), n_items=int(b.n_items[0])
        )
        out.append(row)
    return pd.DataFrame(out).reindex(columns=list(JUDGE_AGREEMENT.names(data.config_columns)))


def category_concordance(
    data: ConcordanceData,
    *,
    bootstrap: BootstrapSettings = _DEFAULT_BOOTSTRAP,
) -> pd.DataFrame:
    """How the expert team's make-up changes the picture.

    Designs (column ``design``):

    * ``experts_all`` - W among all experts, per criterion;
    * ``experts_within`` - W among the experts of one category (>= 2 experts);
    * ``categories_across`` - W among the category consensuses (>= 2 categories):
      do radiologists and clinicians rank the summaries alike?
    * ``judge_vs_category`` - W of each configuration vs one category's consensus.

    Returns
    -------
    pandas.DataFrame
        ``design, criterion, category`` (``"all"`` where not applicable), the
        configuration columns (NA for expert-only designs), ``w, spearman,
        ci_low, ci_high, n_raters, n_items``; ``spearman`` for two-rater
        designs only (W = (1 + rho) / 2), NaN W and rho for a constant rater.
    """
    counts = _counts(data, bootstrap)
    categories = sorted(data.experts["expert_category"].unique())
    frames = []

    def add(
        design: str, criterion: str, category: str, x: np.ndarray, cfg: pd.DataFrame | None = None
    ) -> None:
        b = _bootstrap(x, data, counts, bootstrap)
        undefined = np.ones(x.shape[0])
        rho = np.full(x.shape[0], np.nan)
        if x.shape[-1] == 2:  # W = (1 + rho) / 2: rho beside it; a constant rater has neither
            both = np.isfinite(x).all(axis=-1)
            constant = _constant(np.where(both, x[..., 0], np.nan)) | _constant(
                np.where(both, x[..., 1], np.nan)
            )
            undefined = np.where(constant, np.nan, 1.0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UndefinedStatisticWarning)
                rho = np.array([rank_correlation(g[:, 0], g[:, 1]) for g in x]) * undefined
        f = pd.DataFrame(
            {
                "design": design,
                "criterion": criterion,
                "category": category,
                "w": b.w * undefined,
                "spearman": rho,
                "ci_low": b.low * undefined,
                "ci_high": b.high * undefined,
                "n_raters": x.shape[-1],
                "n_items": b.n_items,
            }
        )
        if cfg is not None:
            f = pd.concat([f, cfg.drop(columns=["criterion"])], axis=1)
        frames.append(f)

    for criterion in data.criteria:
        active = data.active_experts(criterion)
        scores = data.expert_scores[criterion]
        if active.size >= 2:
            add("experts_all", criterion, "all", scores[:, active][None])
        cat_cons = {}
        for cat in categories:
            cols = np.intersect1d(data.category_columns(cat), active)
            if cols.size == 0:
                continue
            cat_cons[cat] = data.consensus(criterion, cols)
            if cols.size >= 2:
                add("experts_within", criterion, cat, scores[:, cols][None])
        if len(cat_cons) >= 2:
            add(
                "categories_across",
                criterion,
                "all",
                np.stack(list(cat_cons.values()), axis=1)[None],
            )
        rows = np.flatnonzero(data.configs["criterion"].to_numpy() == criterion)
        for cat, cons in cat_cons.items():
            if rows.size:
                x = np.stack(
                    [np.broadcast_to(cons, (rows.size, cons.size)), data.judge_values[rows]], axis=2
                )
                add("judge_vs_category", criterion, cat, x, _config_frame(data, rows))
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return table.reindex(columns=list(CATEGORIES.names(data.config_columns)))


def leave_one_expert_out(data: ConcordanceData, *, correct_ties: bool = True) -> pd.DataFrame:
    """W with each expert left out: of every configuration vs the consensus, and among the experts.

    Returns
    -------
    pandas.DataFrame
        ``design`` (``"judge_vs_consensus"`` or ``"experts"``), ``criterion,
        expert_id, expert_category``, the other configuration columns (NA for
        ``"experts"``), ``w_full, w_without, change`` (= without - full).
    """
    frames = []
    for criterion in data.criteria:
        active = data.active_experts(criterion)
        rows = np.flatnonzero(data.configs["criterion"].to_numpy() == criterion)
        judge = data.judge_values[rows]
        full_cons = data.consensus(criterion, active)
        full_j = _two_rater_w(judge, full_cons, correct_ties) if rows.size else np.array([])
        full_e = (
            _quiet_w(data.expert_scores[criterion][:, active], correct_ties=correct_ties).w
            if active.size >= 2
            else np.nan
        )
        for col in active:
            rest = active[active != col]
            eid = data.experts["expert_id"].iat[col]
            ecat = data.experts["expert_category"].iat[col]
            if rows.size and rest.size:
                w = _two_rater_w(judge, data.consensus(criterion, rest), correct_ties)
                frames.append(
                    _config_frame(data, rows)
                    .drop(columns=["criterion"])
                    .assign(
                        design="judge_vs_consensus",
                        criterion=criterion,
                        expert_id=eid,
                        expert_category=ecat,
                        w_full=full_j,
                        w_without=w,
                        change=w - full_j,
                    )
                )
            if rest.size >= 2:
                w = _quiet_w(data.expert_scores[criterion][:, rest], correct_ties=correct_ties).w
                frames.append(
                    pd.DataFrame(
                        [
                            {
                                "design": "experts",
                                "criterion": criterion,
                                "expert_id": eid,
                                "expert_category": ecat,
                                "w_full": full_e,
                                "w_without": w,
                                "change": w - full_e,
                            }
                        ]
                    )
                )
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return table.reindex(columns=list(LEAVE_ONE_EXPERT_OUT.names(data.config_columns)))


# --------------------------------------------------------------------------- alt-test


@dataclass(frozen=True)
class AltTestTables:
    """Result of :func:`alt_test_grid`.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per configuration: ``winning_rate, advantage_probability,
        passed, n_annotators, n_tested, n_items``.
    per_annotator : pandas.DataFrame
        Configuration columns + the per-annotator table of
        :class:`~radjudge.concordance.alt_test.AltTestResult`.
    """

    summary: pd.DataFrame
    per_annotator: pd.DataFrame


def _judge_on_expert_scale(data: ConcordanceData, k: int) -> np.ndarray:
    """Judge values mapped linearly from 1..scale onto 1..expert scale (if the scale is known).

    A metric (no scale) is mapped from its own range [0, 1].
    """
    values = data.judge_values[k]
    crit = data.configs["criterion"].iat[k]
    target = data.expert_scale[crit]
    if data.configs["judge_kind"].iat[k] == "metric":
        return 1 + values * (target - 1)
    if "scale" not in data.configs.columns:
        return values
    scale = float(data.configs["scale"].iat[k])
    if scale <= 1:
        raise ValueError(f"configuration {data.config_label(k)}: scale must be >= 2")
    return 1 + (values - 1) * (target - 1) / (scale - 1)


def alt_test_grid(
    data: ConcordanceData,
    *,
    epsilon: float = 0.2,
    q: float = 0.05,
    alignment: AltAlignment = "rank",
    min_items: int = 30,
) -> AltTestTables:
    """The alt-test of every configuration against the experts (leave one expert out).

    Parameters
    ----------
    data : ConcordanceData
    epsilon : float, default 0.2
        Cost-benefit margin; 0.2 is the paper's value for expert annotators.
    q : float, default 0.05
        Benjamini-Yekutieli FDR level across the experts of one configuration
        (as in the paper: each configuration is a candidate judge, tested on its own).
    alignment : {"rank", "scaled"}, default "rank"
        ``"rank"``: normalized mid-ranks + negative RMSE (the paper's recipe for
        rankings; the study's question). ``"scaled"``: the judge's value mapped
        linearly onto the expert scale, then negative RMSE on the scores.
    min_items : int, default 30
        Experts with fewer usable items are not tested.

    Returns
    -------
    AltTestTables
    """
    check_choice("alignment", alignment, AltAlignment)
    summary, per = [], []
    for k in range(len(data.configs)):
        crit = data.configs["criterion"].iat[k]
        cols = data.active_experts(crit)
        cfg = _config_frame(data, [k]).iloc[0].to_dict()
        if cols.size < 2:
            summary.append(
                {
                    **cfg,
                    "winning_rate": np.nan,
                    "advantage_probability": np.nan,
                    "passed": False,
                    "n_annotators": int(cols.size),
                    "n_tested": 0,
                    "n_items": 0,
                }
            )
            continue
        judge = data.judge_values[k] if alignment == "rank" else _judge_on_expert_scale(data, k)
        res = alt_test(
            judge,
            data.expert_scores[crit][:, cols],
            epsilon=epsilon,
            q=q,
            alignment="rank" if alignment == "rank" else "neg_rmse",
            min_items=min_items,
            annotator_names=data.experts["expert_id"].to_numpy()[cols],
        )
        summary.append(
            {
                **cfg,
                "winning_rate": res.winning_rate,
                "advantage_probability": res.advantage_probability,
                "passed": res.passed,
                "n_annotators": int(cols.size),
                "n_tested": int(res.per_annotator["tested"].sum()),
                "n_items": int(np.isfinite(judge).sum()),
            }
        )
        per.append(res.per_annotator.assign(**cfg))
    per_table = pd.concat(per, ignore_index=True) if per else pd.DataFrame()
    if len(per_table):
        lead = list(data.config_columns)
        per_table = per_table[[*lead, *[c for c in per_table.columns if c not in lead]]]
    return AltTestTables(pd.DataFrame(summary), per_table)


# --------------------------------------------------------------------------- selection


@dataclass(frozen=True)
class SelectionTables:
    """Result of :func:`select_configurations`.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per group: group columns, the chosen candidate's columns,
        ``selected, n_candidates, in_sample_w, held_out_w, held_out_sd,
        optimism, stability, modal_choice, n_folds_used``.
    folds : pandas.DataFrame
        Group columns + ``repeat, fold, n_test_patients, selected, train_w, test_w``.
    group_columns : tuple of str
        The columns that define a group (the rest were chosen).
    """

    summary: pd.DataFrame
    folds: pd.DataFrame
    group_columns: tuple[str, ...] = ("judge", "criterion")


def select_configurations(
    data: ConcordanceData,
    *,
    group_columns: Sequence[str] = ("judge", "criterion"),
    n_folds: int = 5,
    n_repeats: int = 5,
    seed: int = 0,
    correct_ties: bool = True,
) -> SelectionTables:
    """Choose the best remaining configuration columns per group, cross-validated over patients.

    With the default groups, for each judge and criterion the (scale,
    granularity, ...) with the largest W vs the expert consensus is chosen
    on training patients and scored on held-out patients; see
    :mod:`radjudge.concordance.selection`. Every group uses the same folds.

    Parameters
    ----------
    data : ConcordanceData
    group_columns : sequence of str, default ("judge", "criterion")
        Must include ``"criterion"`` (the reference is that criterion's
        consensus). ``("criterion",)`` also chooses the judge.
    n_folds : int, default 5
    n_repeats : int, default 5
    seed : int, default 0
    correct_ties : bool, default True

    Returns
    -------
    SelectionTables
    """
    group_columns = list(group_columns)
    if "criterion" not in group_columns:
        raise ValueError(f"group_columns must include 'criterion'; got {group_columns}")
    unknown = [c for c in group_columns if c not in data.config_columns]
    if unknown:
        raise ValueError(
            f"group_columns {unknown} are not configuration columns {data.config_columns}"
        )
    candidate_cols = [c for c in data.config_columns if c not in group_columns]
    if not candidate_cols:
        raise ValueError("group_columns leave nothing to choose: drop one of them")
    # the contract's value columns after this call's group and candidate columns
    summary_columns = [*group_columns, *candidate_cols, *SELECTION.names(())]
    fold_columns = [*group_columns, *SELECTION_FOLDS.names(())]
    if data.n_patients < 2:
        warnings.warn(
            f"select_configurations: {data.n_patients} patient(s); cross-validation needs >= 2. "
            "Returning empty tables.",
            UndefinedStatisticWarning,
            stacklevel=2,
        )
        return SelectionTables(
            pd.DataFrame(columns=summary_columns),
            pd.DataFrame(columns=fold_columns),
            tuple(group_columns),
        )
    if n_folds > data.n_patients:
        warnings.warn(
            f"select_configurations: n_folds={n_folds} > {data.n_patients} patients; "
            f"using {data.n_patients} folds (leave one patient out)",
            UserWarning,
            stacklevel=2,
        )
        n_folds = data.n_patients
    summary, folds = [], []
    for key, g in data.configs.groupby(group_columns, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        group = dict(zip(group_columns, key, strict=True))
        rows = g.index.to_numpy()
        res = select_by_cross_validation(
            data.judge_values[rows],
            data.consensus(group["criterion"]),
            data.patients,
            n_folds=n_folds,
            n_repeats=n_repeats,
            seed=seed,
            correct_ties=correct_ties,
        )
        labels = [data.config_label(r, candidate_cols) for r in rows]
        chosen = data.configs.iloc[rows[res.selected]] if res.selected >= 0 else None
        modal = int(np.argmax(res.selection_frequency))
        summary.append(
            {
                **group,
                **{c: (chosen[c] if chosen is not None else None) for c in candidate_cols},
                "selected": labels[res.selected] if res.selected >= 0 else None,
                "n_candidates": len(rows),
                "in_sample_w": res.in_sample_w,
                "held_out_w": res.held_out_w,
                "held_out_sd": res.held_out_sd,
                "optimism": res.in_sample_w - res.held_out_w,
                "stability": float(res.selection_frequency.max()),
                "modal_choice": labels[modal],
                "n_folds_used": res.n_folds_used,
            }
        )
        f = res.folds.copy()
        f["selected"] = [labels[i] if i >= 0 else None for i in f["selected"]]
        folds.append(f.assign(**group))
    fold_table = pd.concat(folds, ignore_index=True) if folds else pd.DataFrame()
    return SelectionTables(
        pd.DataFrame(summary).reindex(columns=summary_columns),
        fold_table.reindex(columns=fold_columns),
        tuple(group_columns),
    )


# --------------------------------------------------------------------------- sensitivity


def _round_half_up(x: np.ndarray) -> np.ndarray:
    return np.floor(x + 0.5)


def sensitivity_grid(data: ConcordanceData) -> pd.DataFrame:
    """Other agreement statistics of every configuration vs the expert consensus.

    Rank statistics use the values as they are. ICC and Krippendorff's alpha
    (interval) compare the judge mapped linearly onto the expert scale with the
    consensus. Weighted kappa and Gwet's AC compare categories: the mapped
    judge value and the consensus, each rounded half up to an integer
    1..expert scale.

    Returns
    -------
    pandas.DataFrame
        Configuration columns, ``spearman, kendall_tau_b, spearman_per_patient,
        kendall_per_patient, n_patients_skipped, icc_a1, icc_c1, alpha_interval,
        kappa_linear, kappa_quadratic, ac1, ac2_quadratic, n_items``.
    """
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedStatisticWarning)
        for k in range(len(data.configs)):
            crit = data.configs["criterion"].iat[k]
            cons = data.consensus(crit)
            judge = data.judge_values[k]
            mapped = _judge_on_expert_scale(data, k)
            ok = np.isfinite(cons) & np.isfinite(judge)
            cats = np.arange(1, data.expert_scale[crit] + 1)
            per_patient = summary_level_correlation(judge, cons, data.patients)
            pair = np.column_stack([mapped, cons])
            i = icc(pair)
            jc = np.clip(_round_half_up(mapped[ok]), 1, cats[-1])
            cc = np.clip(_round_half_up(cons[ok]), 1, cats[-1])
            rows.append(
                {
                    "spearman": rank_correlation(judge, cons),
                    "kendall_tau_b": rank_correlation(judge, cons, method="kendall"),
                    "spearman_per_patient": per_patient.spearman,
                    "kendall_per_patient": per_patient.kendall,
                    "n_patients_skipped": per_patient.n_skipped,
                    "icc_a1": i.icc_a1,
                    "icc_c1": i.icc_c1,
                    "alpha_interval": krippendorff_alpha(pair, level="interval"),
                    "kappa_linear": weighted_kappa(jc, cc, categories=cats, weights="linear")
                    if ok.any()
                    else np.nan,
                    "kappa_quadratic": weighted_kappa(jc, cc, categories=cats, weights="quadratic")
                    if ok.any()
                    else np.nan,
                    "ac1": gwet_ac(jc, cc, categories=cats) if ok.any() else np.nan,
                    "ac2_quadratic": gwet_ac(jc, cc, categories=cats, weights="quadratic")
                    if ok.any()
                    else np.nan,
                    "n_items": int(ok.sum()),
                }
            )
    return pd.concat([_config_frame(data), pd.DataFrame(rows)], axis=1)


# --------------------------------------------------------------------------- outputs


def write_tables(
    tables: Mapping[str, pd.DataFrame],
    folder: str | os.PathLike[str],
    *,
    config_columns: Sequence[str] = CONFIG_COLUMNS,
) -> list[Path]:
    """Write each table as ``<folder>/<name>.csv`` and ``.parquet``, checked against its contract.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        Keyed by the names of :data:`radjudge.contracts.CONCORDANCE_TABLES`.
    folder : path-like
    config_columns : sequence of str, default CONFIG_COLUMNS
        The configuration columns of the run (as given to ``prepare_data``).

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    ValueError
        An unknown table name; a table whose columns break its contract
        (:class:`radjudge.contracts.ContractError`).
    """
    contracts = {t.name: t for t in CONCORDANCE_TABLES}
    unknown = sorted(set(tables) - set(contracts))
    if unknown:
        raise ValueError(f"unknown table name(s) {unknown}; known: {tuple(contracts)}")
    written: list[Path] = []
    for name, table in tables.items():
        out = table.copy()
        for col in out.columns:  # parquet needs one type per column
            if out[col].dtype == object:
                out[col] = out[col].map(
                    lambda v: (
                        None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
                    )
                )
        written += write_table(out, contracts[name], folder, config_columns=config_columns)
    return written
