"""LLM judges: prompts, score parsing, scoring modes and the sweep (notebook 04).

The rubric the prompts describe is shared with the expert forms and lives in
:mod:`radjudge.rubric`; the vocabulary (granularities, statuses, modes) and the
ratings table's columns in :mod:`radjudge.contracts`.

Public API
----------
load_template(language) -> JudgeTemplate
render_judge_prompt(record, summary, *, criterion, scale, granularity, rubric, template) ->
JudgePrompt
parse_score(text, *, low, high) -> ParsedScore(score, status, raw, candidates, reason)
label_distribution(options, logprobs, *, token_counts) -> LabelDistribution   (logprobs mode)
reduce_samples(parsed) -> SampleSummary                                       (sample mode)
metric_value(metric, reference, candidate) -> float                           (metric judges)
parse_judges(judges, *, models, language, rubric, summarizers) -> list[JudgeSpec]
check_metric_references(judges, summarizers)                                 (profile --check)
run_sweep(summaries, records, judges, *, clients, seed, gate, ...) -> SweepResult(ratings, validity, judges)
validity_report(ratings, *, summaries, gate) -> DataFrame                     (the validity gate)
"""

from radjudge.judge.config import (
    JudgeConfigError,
    JudgeSpec,
    check_metric_references,
    parse_judges,
)
from radjudge.judge.metric import METRICS, metric_value, unicode_words
from radjudge.judge.parse import NUMBER_WORDS, ParsedScore, parse_score
from radjudge.judge.prompt import JudgePrompt, JudgeTemplate, load_template, render_judge_prompt
from radjudge.judge.scoring import (
    LabelDistribution,
    SampleSummary,
    label_distribution,
    reduce_samples,
)
from radjudge.judge.sweep import (
    PublicSource,
    SweepResult,
    load_judge_clients,
    plan_size,
    run_sweep,
)
from radjudge.judge.validity import ValidityGate, item_values, reference_auc, validity_report

__all__ = [
    "METRICS",
    "NUMBER_WORDS",
    "JudgeConfigError",
    "JudgePrompt",
    "JudgeSpec",
    "JudgeTemplate",
    "LabelDistribution",
    "ParsedScore",
    "SampleSummary",
    "PublicSource",
    "SweepResult",
    "ValidityGate",
    "check_metric_references",
    "item_values",
    "reference_auc",
    "label_distribution",
    "load_judge_clients",
    "load_template",
    "metric_value",
    "parse_judges",
    "parse_score",
    "plan_size",
    "reduce_samples",
    "render_judge_prompt",
    "run_sweep",
    "unicode_words",
    "validity_report",
]
