"""PHI types, placeholders and reporting groups form one closed set."""

from __future__ import annotations

import pytest

from radjudge.anonymize.types import (
    PHI_TYPES,
    PLACEHOLDERS,
    STRUCTURED_TYPES,
    TYPE_GROUPS,
    group_of,
)


def test_every_type_has_a_placeholder_and_a_group():
    assert set(PLACEHOLDERS) == set(PHI_TYPES) == set(TYPE_GROUPS)
    assert STRUCTURED_TYPES < set(PHI_TYPES)
    assert all(p.startswith("[") and p.endswith("]") for p in PLACEHOLDERS.values())
    assert len(set(PLACEHOLDERS.values())) == len(PHI_TYPES)
    with pytest.raises(ValueError, match="unknown PHI type"):
        group_of("SSN")
