"""radjudge: LLM-as-a-judge for summaries of radiology patient records.

A reproducible research compendium. The pipeline is a chain of numbered
notebooks (``notebooks/``) run by :mod:`radjudge.pipeline`; the notebooks are
thin and call the stage modules of this package:

=====================  ====================================================
stage                  module
=====================  ====================================================
(all stages)           :mod:`radjudge.paths` (where), :mod:`radjudge.contracts` (what:
                       vocabulary, table columns, stage inputs/outputs, stats.json)
01 anonymization       :mod:`radjudge.cohort`, :mod:`radjudge.anonymize`
02 summarization       :mod:`radjudge.llm`, :mod:`radjudge.summarize`
03 expert ratings      :mod:`radjudge.rubric` (shared with 04), :mod:`radjudge.ratings`
04 judge sweeps        :mod:`radjudge.judge`
05 concordance         :mod:`radjudge.concordance`
06 figures, paper      :mod:`radjudge.figures`, :mod:`radjudge.paper`
07 external validation :mod:`radjudge.external`
=====================  ====================================================

A stage package imports only the foundation modules and stages before it
(``tests/test_architecture.py`` walks the imports).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("radjudge")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
