"""Explore a run's results interactively: from a W value down to the summary and every rating.

``notebooks/explore_results.ipynb`` calls :func:`explorer`; the pieces are:

* :mod:`radjudge.explore.data` - pure functions over the run's tables: the
  configurations, the items behind a W, disagreements, one summary's record,
  text, expert scores and judge answers, and the paired ΔW of two
  configurations of one judge;
* :mod:`radjudge.explore.ui` - the ipywidgets views over them;
* :mod:`radjudge.explore.texts` - the words of the UI in Russian and English.
"""

from radjudge.explore.data import (
    ANY,
    ConfigSummary,
    ExploreData,
    ItemDetail,
    PairedDeltaW,
    build_explore_data,
    config_summary,
    configurations,
    disagreements,
    item_detail,
    item_table,
    load_explore_data,
    narrowed_options,
    paired_delta_w,
)
from radjudge.explore.ui import Explorer, explorer

__all__ = [
    "ANY",
    "ConfigSummary",
    "ExploreData",
    "Explorer",
    "ItemDetail",
    "PairedDeltaW",
    "build_explore_data",
    "config_summary",
    "configurations",
    "disagreements",
    "explorer",
    "item_detail",
    "item_table",
    "load_explore_data",
    "narrowed_options",
    "paired_delta_w",
]
