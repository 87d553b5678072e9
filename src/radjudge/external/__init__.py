"""External validation on public data with real human ratings (SummEval).

* :mod:`~radjudge.external.summeval` - read, validate and import SummEval; its
  expert means as the long CSV of :func:`radjudge.ratings.load_expert_ratings`.
* :mod:`~radjudge.external.rouge` - multi-reference ROUGE that reproduces the
  published ROUGE rows of G-Eval Table 1.
* :mod:`~radjudge.external.published` - G-Eval Table 1.
* :mod:`~radjudge.external.guard` - :class:`PublicTextGuard`, the explicit text
  guard for prompts built from a public, non-clinical data set.
* :mod:`~radjudge.external.judges` - local LLM judges on SummEval through the
  judge sweep, and their results table next to ROUGE and the published rows.
* :mod:`~radjudge.external.figures` - the external-validation figure.
"""

from radjudge.external.guard import PublicTextGuard
from radjudge.external.published import G_EVAL_TABLE1, published_table
from radjudge.external.rouge import ROUGE_METRICS, rouge_baselines, rouge_scores
from radjudge.external.summeval import (
    SUMMEVAL_CRITERIA,
    SUMMEVAL_EXPERT_ID,
    SUMMEVAL_RATERS,
    SUMMEVAL_SCALE_MAX,
    SUMMEVAL_SHA256,
    SummEval,
    SummEvalFormatError,
    expert_means,
    import_summeval,
    load_summeval_ratings,
    read_summeval,
    select_documents,
    write_ratings_csv,
)

__all__ = [
    "G_EVAL_TABLE1",
    "ROUGE_METRICS",
    "PublicTextGuard",
    "SUMMEVAL_CRITERIA",
    "SUMMEVAL_EXPERT_ID",
    "SUMMEVAL_RATERS",
    "SUMMEVAL_SCALE_MAX",
    "SUMMEVAL_SHA256",
    "SummEval",
    "SummEvalFormatError",
    "expert_means",
    "import_summeval",
    "load_summeval_ratings",
    "published_table",
    "read_summeval",
    "rouge_baselines",
    "rouge_scores",
    "select_documents",
    "write_ratings_csv",
]
