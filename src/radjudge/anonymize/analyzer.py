"""The shared pymorphy3 analyzer of the Russian detectors (names, eponyms, organisations).

One module below :mod:`radjudge.anonymize.morph` and :mod:`radjudge.anonymize.clinical`,
which both read word parses: morph imports clinical's vocabulary, so the analyzer they
share lives here rather than in either of them.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pymorphy3

__all__ = ["analyzer"]


@cache
def analyzer() -> pymorphy3.MorphAnalyzer:
    """The shared pymorphy3 analyzer (loaded on first use, ~0.3 s)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer()
