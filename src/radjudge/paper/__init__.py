"""The manuscript, built offline from the pipeline's results: ``python -m radjudge.paper``.

The Typst source (``paper/main.typ`` + ``paper/template.typ`` + ``paper/refs.bib``)
holds words only. Everything else reaches it through one JSON *context* that
this module assembles and hands to the Typst compiler as ``sys.inputs.ctx``:

``stats`` / ``fmt``
    ``data/results/stats.json`` as written by notebook 05, raw and formatted
    for the language (:mod:`radjudge.paper.numbers`) (decimal comma in Russian, p-values as ``<
    0.001``, ...).
    The source quotes a number as ``#S("dotted.key")``; every key it quotes is
    checked to exist *before* compiling, so a renamed statistic is an error
    naming the key, never a silently missing number.
``methods``
    Facts of the design read from the resolved profile of the last run (the run
    manifest ``data/results/run_manifest.json``; the named profile when there is
    no manifest): cohort size, criteria, scales, granularities, judges,
    summarizers, expert categories, seeds.
``tables``
    Result tables from ``data/results/`` (header + rows of formatted strings).
``figures``
    Figure files from the figure index ``figures/index.csv`` (vector PDF).

So no number, table or figure in the PDF is typed by hand: change
``stats.json`` and the PDF changes (``tests/test_paper.py`` checks exactly this).

Fonts: Libertinus Serif (embedded in typst; has Cyrillic) for text and
matplotlib's DejaVu Sans (the figures' font) for headings; system fonts are
ignored, so the PDF is the same on every machine.
"""

from radjudge.paper.build import (
    PAPER_FIGURES,
    PaperBuild,
    build_paper,
    methods_facts,
    paper_context,
)
from radjudge.paper.numbers import (
    PaperError,
    flatten_stats,
    format_number,
    format_stats,
    load_stats,
    main_source,
    quoted_stats_keys,
)

__all__ = [
    "PaperError",
    "PaperBuild",
    "PAPER_FIGURES",
    "load_stats",
    "flatten_stats",
    "format_stats",
    "format_number",
    "methods_facts",
    "quoted_stats_keys",
    "paper_context",
    "build_paper",
    "main_source",
]
