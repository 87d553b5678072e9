"""Expert ratings: blinded XLSX forms, the roster, the blinding key and a validated import.

Workflow of a real study (notebook 03 drives it from the profile):

1. :func:`export_forms` writes one blinded, randomized workbook per expert of the
   roster to ``paths.FORMS`` and the blinding key to ``paths.BLINDING_KEY``;
2. experts fill the yellow rating cells and send the workbooks back; they go
   to the filled-forms folder (``paths.FILLED_FORMS`` by default);
3. :func:`load_expert_ratings` checks every workbook against the key and the
   roster, unblinds the summarizers and returns one tidy table
   (``paths.EXPERT_RATINGS``); :func:`completeness` counts missing ratings per
   expert; Kendall's W inside the panel is :func:`radjudge.concordance.panel_agreement`.

Ratings collected by other means come in through the same function as a long
CSV (see :mod:`radjudge.ratings.load` for the format, including panel means).
Every problem is a :class:`RatingsError` (a ``ValueError``) located by file,
sheet, row and column; its ``kind`` is one of :data:`ERROR_KINDS`.
"""

from radjudge.ratings.criteria import criteria_sheet, resolve_scales
from radjudge.ratings.errors import ERROR_KINDS, MissingRatingsWarning, RatingsError
from radjudge.ratings.forms import (
    ExportedForms,
    FormsStatus,
    ensure_forms,
    export_forms,
    fill_forms,
    form_file_name,
)
from radjudge.ratings.key import BlindingKey, read_key
from radjudge.ratings.load import CSV_COLUMNS, completeness, load_expert_ratings
from radjudge.ratings.roster import (
    ROSTER_COLUMNS,
    read_roster,
    validate_roster,
    write_roster,
)

__all__ = [
    "CSV_COLUMNS",
    "ERROR_KINDS",
    "ROSTER_COLUMNS",
    "BlindingKey",
    "ExportedForms",
    "FormsStatus",
    "MissingRatingsWarning",
    "RatingsError",
    "completeness",
    "criteria_sheet",
    "ensure_forms",
    "export_forms",
    "fill_forms",
    "form_file_name",
    "load_expert_ratings",
    "read_key",
    "read_roster",
    "resolve_scales",
    "validate_roster",
    "write_roster",
]
