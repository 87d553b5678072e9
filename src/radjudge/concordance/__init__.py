"""Concordance between LLM judges and expert panels: Kendall's W and its companions.

Array level (usable on any rating matrix):

* :mod:`~radjudge.concordance.kendall` - :func:`kendall_w` (tie-corrected, as R ``irr``),
  chi-square / F / permutation p-values;
* :mod:`~radjudge.concordance.bootstrap` - cluster (patient) bootstrap of W that ranks
  once and batches all resamples; percentile and BCa intervals;
* :mod:`~radjudge.concordance.agreement` - rank correlations (pooled and per group,
  the G-Eval "summary-level" variant), ICC, Krippendorff's alpha, weighted kappa, Gwet's AC;
* :mod:`~radjudge.concordance.alt_test` - the Alternative Annotator Test;
* :mod:`~radjudge.concordance.selection` - configuration choice by cross-validation
  over patients;
* :mod:`~radjudge.concordance.multiple` - Holm / BH / BY adjustment.

Table level (the study's tidy expert and judge tables):

* :mod:`~radjudge.concordance.designs` - :func:`prepare_data`: items, consensus,
  judge values;
* :mod:`~radjudge.concordance.analysis` - the grid (with judge kind and validity),
  Delta W, categories, alt-test, selection, sensitivity, and their tables;
* :mod:`~radjudge.concordance.effects` - factor effects within judges: paired contrasts
  of W between levels of scale, granularity and criterion;
* :mod:`~radjudge.concordance.stats` - ``stats.json``, the numbers the manuscript quotes;
* :mod:`~radjudge.concordance.panel` - W inside an expert panel (notebook 03).
"""

from radjudge.concordance.agreement import (
    ICC,
    gwet_ac,
    icc,
    krippendorff_alpha,
    rank_correlation,
    weighted_kappa,
)
from radjudge.concordance.alt_test import AltTestResult, alt_test
from radjudge.concordance.analysis import (
    AltTestTables,
    ConcordanceGrid,
    SelectionTables,
    alt_test_grid,
    category_concordance,
    concordance_grid,
    headline_data,
    judge_agreement,
    leave_one_expert_out,
    panel_fit,
    select_configurations,
    sensitivity_grid,
    write_tables,
)
from radjudge.concordance.bootstrap import (
    BootstrapSettings,
    BootstrapW,
    bootstrap_interval,
    cluster_bootstrap_w,
    jackknife_counts,
    resample_counts,
    resampled_kendall_w,
)
from radjudge.concordance.designs import (
    ConcordanceData,
    expert_consensus,
    judge_item_values,
    prepare_data,
)
from radjudge.concordance.effects import bootstrap_pvalue, factor_levels, paired_factor_effects
from radjudge.concordance.kendall import KendallW, UndefinedStatisticWarning, kendall_w
from radjudge.concordance.metaeval import (
    MetaCorrelation,
    SummaryLevelCorrelation,
    per_document_correlation,
    pooled_correlation,
    summary_level_correlation,
    system_level_correlation,
)
from radjudge.concordance.multiple import adjust_pvalues
from radjudge.concordance.panel import panel_agreement
from radjudge.concordance.selection import SelectionResult, select_by_cross_validation
from radjudge.concordance.stats import (
    findings_markdown,
    manuscript_stats,
    panel_checks,
    write_stats,
)

__all__ = [
    "ICC",
    "AltTestResult",
    "AltTestTables",
    "BootstrapSettings",
    "BootstrapW",
    "ConcordanceData",
    "ConcordanceGrid",
    "KendallW",
    "SelectionResult",
    "SelectionTables",
    "UndefinedStatisticWarning",
    "adjust_pvalues",
    "alt_test",
    "alt_test_grid",
    "bootstrap_interval",
    "bootstrap_pvalue",
    "category_concordance",
    "cluster_bootstrap_w",
    "concordance_grid",
    "expert_consensus",
    "factor_levels",
    "findings_markdown",
    "gwet_ac",
    "headline_data",
    "icc",
    "jackknife_counts",
    "judge_agreement",
    "MetaCorrelation",
    "SummaryLevelCorrelation",
    "per_document_correlation",
    "pooled_correlation",
    "summary_level_correlation",
    "system_level_correlation",
    "judge_item_values",
    "kendall_w",
    "krippendorff_alpha",
    "leave_one_expert_out",
    "manuscript_stats",
    "paired_factor_effects",
    "panel_agreement",
    "panel_checks",
    "panel_fit",
    "prepare_data",
    "rank_correlation",
    "resample_counts",
    "resampled_kendall_w",
    "select_by_cross_validation",
    "select_configurations",
    "sensitivity_grid",
    "weighted_kappa",
    "write_stats",
    "write_tables",
]
