"""PHI types: one closed set shared by the cohort's ground truth, the detectors and the audit."""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "PhiType",
    "PHI_TYPES",
    "PLACEHOLDERS",
    "TYPE_GROUPS",
    "STRUCTURED_TYPES",
    "group_of",
]

PhiType = Literal[
    "NAME",  # person: patient, relative, doctor - any order, case, initials
    "DATE",  # 12.03.1961, 3 марта 2023 г., 14.11., в марте 2021 г.
    "ADDRESS",  # postal code, region, city, street, house, flat
    "LOCATION",  # a place named on its own (city, village)
    "PHONE",
    "EMAIL",
    "URL",  # http(s)://..., www..., site.ru/path
    "SNILS",  # СНИЛС, 11 digits with checksum
    "POLICY",  # полис ОМС (16 digits) / ДМС
    "PASSPORT",  # series and number
    "INN",  # ИНН, 10 or 12 digits with checksum
    "RECORD_ID",  # history, outpatient card, ambulance call, referral numbers
    "ORGANIZATION",  # hospitals, clinics, employers
]

#: All PHI types, in reporting order.
PHI_TYPES: tuple[str, ...] = get_args(PhiType)

#: Typed placeholder for each type (``replacement="placeholder"``).
PLACEHOLDERS: dict[str, str] = {
    "NAME": "[ФИО]",
    "DATE": "[ДАТА]",
    "ADDRESS": "[АДРЕС]",
    "LOCATION": "[МЕСТО]",
    "PHONE": "[ТЕЛЕФОН]",
    "EMAIL": "[EMAIL]",
    "URL": "[ССЫЛКА]",
    "SNILS": "[СНИЛС]",
    "POLICY": "[ПОЛИС]",
    "PASSPORT": "[ПАСПОРТ]",
    "INN": "[ИНН]",
    "RECORD_ID": "[НОМЕР]",
    "ORGANIZATION": "[ОРГАНИЗАЦИЯ]",
}

#: Identifiers found by rules (the issue's "structured identifiers").
STRUCTURED_TYPES: frozenset[str] = frozenset(
    {
        "DATE",
        "ADDRESS",
        "PHONE",
        "EMAIL",
        "URL",
        "SNILS",
        "POLICY",
        "PASSPORT",
        "INN",
        "RECORD_ID",
    }
)

#: Reporting groups: the issue's targets are stated per group.
TYPE_GROUPS: dict[str, str] = {
    **{t: "structured" for t in STRUCTURED_TYPES},
    "NAME": "names",
    "ORGANIZATION": "organizations_places",
    "LOCATION": "organizations_places",
}


def group_of(phi_type: str) -> str:
    """Reporting group of a PHI type.

    >>> group_of("SNILS"), group_of("NAME"), group_of("ORGANIZATION")
    ('structured', 'names', 'organizations_places')
    """
    try:
        return TYPE_GROUPS[phi_type]
    except KeyError:
        raise ValueError(f"unknown PHI type {phi_type!r}; known: {', '.join(PHI_TYPES)}") from None
