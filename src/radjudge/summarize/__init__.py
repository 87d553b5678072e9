"""Summaries of anonymized records for the radiologist, and two reference systems.

Notebook 02 uses this package end to end::

    configs = parse_summarizers(summarizers, models=models)
    clients = load_summary_clients(configs, models=models, cache_dir=..., cache_mode=...)
    table = run_summarizers(records, configs, clients=clients, facts=facts, seed=seed)
    stats = summary_stats(table, records={r.patient_id: r.text for r in records}, facts=facts)

Summarizer kinds (profile ``02_summarization.summarizers``):

* ``llm``: a model of the registry with a Russian prompt template from
  ``radjudge/summarize/prompts/`` (:mod:`radjudge.summarize.prompts`), output
  cleaned by fixed, documented rules (:mod:`radjudge.summarize.postprocess`);
* ``gold`` (reference, top of the quality range): rendered from the
  synthetic generator's ground-truth facts (:mod:`radjudge.summarize.gold`);
* ``extractive`` (reference baseline): lead- and keyword-scored sentences of
  the record, length-capped (:mod:`radjudge.summarize.extractive`).
"""

from radjudge.summarize.config import (
    SummarizerConfig,
    SummarizerConfigError,
    SummarizerKind,
    parse_summarizers,
)
from radjudge.summarize.extractive import extractive_summary
from radjudge.summarize.gold import render_gold_summary
from radjudge.summarize.postprocess import clean_summary, flag_summary
from radjudge.summarize.prompts import (
    PromptTemplate,
    TemplateError,
    available_templates,
    load_template,
    render_summary_request,
)
from radjudge.summarize.run import (
    generation_batches,
    load_summary_clients,
    run_summarizers,
    summary_requests,
    summary_stats,
)

__all__ = [
    "SummarizerConfig",
    "SummarizerConfigError",
    "SummarizerKind",
    "parse_summarizers",
    "extractive_summary",
    "render_gold_summary",
    "clean_summary",
    "flag_summary",
    "PromptTemplate",
    "TemplateError",
    "available_templates",
    "load_template",
    "render_summary_request",
    "generation_batches",
    "load_summary_clients",
    "summary_requests",
    "run_summarizers",
    "summary_stats",
]
