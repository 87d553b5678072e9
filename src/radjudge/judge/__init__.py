"""LLM judges: rubric prompts, score parsing, scoring modes and the sweep (notebook 04).

Public API
----------
load_rubric(name, *, language) -> Rubric; load_template(language) -> JudgeTemplate
render_judge_prompt(record, summary, *, criterion, scale, granularity, rubric, template) -> JudgePrompt
parse_score(text, *, low, high) -> ParsedScore(score, status, raw, candidates, reason)
label_distribution(options, logprobs, *, token_counts) -> LabelDistribution   (logprobs mode)
reduce_samples(parsed) -> SampleSummary                                       (sample mode)
metric_value(metric, reference, candidate) -> float                           (metric judges)
parse_judges(judges, *, models, language, rubric) -> list[JudgeSpec]
run_sweep(summaries, records, judges, *, clients, seed, ...) -> SweepResult(ratings, validity, judges)
validity_report(ratings) -> DataFrame
"""

from radjudge.judge.metric import METRICS, metric_score, metric_value, unicode_words
from radjudge.judge.parse import NUMBER_WORDS, ParsedScore, ParseStatus, parse_score
from radjudge.judge.rubric import (
    CRITERIA,
    GRANULARITIES,
    Criterion,
    Granularity,
    JudgePrompt,
    JudgeTemplate,
    Rubric,
    RubricError,
    load_rubric,
    load_template,
    parse_rubric,
    render_judge_prompt,
)
from radjudge.judge.scoring import (
    LabelDistribution,
    SampleSummary,
    label_distribution,
    reduce_samples,
)
from radjudge.judge.sweep import (
    EXTRA_COLUMNS,
    MODES,
    RATING_COLUMNS,
    VALIDITY_COLUMNS,
    JudgeConfigError,
    JudgeSpec,
    PublicSource,
    SweepResult,
    load_judge_clients,
    parse_judges,
    plan_size,
    run_sweep,
    validity_report,
)

__all__ = [
    "CRITERIA",
    "EXTRA_COLUMNS",
    "GRANULARITIES",
    "METRICS",
    "MODES",
    "NUMBER_WORDS",
    "RATING_COLUMNS",
    "VALIDITY_COLUMNS",
    "Criterion",
    "Granularity",
    "JudgeConfigError",
    "JudgePrompt",
    "JudgeSpec",
    "JudgeTemplate",
    "LabelDistribution",
    "ParseStatus",
    "ParsedScore",
    "Rubric",
    "RubricError",
    "SampleSummary",
    "PublicSource",
    "SweepResult",
    "label_distribution",
    "load_judge_clients",
    "load_rubric",
    "load_template",
    "metric_score",
    "metric_value",
    "parse_judges",
    "parse_rubric",
    "parse_score",
    "plan_size",
    "reduce_samples",
    "render_judge_prompt",
    "run_sweep",
    "unicode_words",
    "validity_report",
]
