"""Check digits of Russian personal identifiers (СНИЛС, ИНН).

Used by the detectors (a bare number of the right shape counts as an
identifier only when its check digits are valid) and by the synthetic cohort
generator (which makes valid ones).
"""

from __future__ import annotations

__all__ = ["snils_check", "snils_is_valid", "inn_is_valid", "inn_check_digits"]

_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_A = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_B = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def snils_check(first9: str) -> int:
    """Check number (0-99) of a СНИЛС from its first nine digits.

    Rule (Пенсионный фонд РФ): sum of digit * weight, weights 9..1; the check is
    the sum if below 100, 0 if 100 or 101, else sum mod 101 (100 -> 0).

    >>> snils_check("112233445")  # the Pension Fund's worked example, 112-233-445 95
    95
    """
    d = _digits(first9)
    if len(d) != 9:
        raise ValueError(f"need the 9 leading digits of a СНИЛС, got {len(d)}")
    total = sum(int(ch) * w for ch, w in zip(d, range(9, 0, -1), strict=True))
    if total < 100:
        return total
    if total in (100, 101):
        return 0
    rest = total % 101
    return 0 if rest == 100 else rest


def snils_is_valid(text: str) -> bool:
    """True when ``text`` holds 11 digits whose last two are the СНИЛС check number.

    >>> snils_is_valid("112-233-445 95"), snils_is_valid("112-233-445 96")
    (True, False)
    """
    d = _digits(text)
    return len(d) == 11 and snils_check(d[:9]) == int(d[9:])


def inn_check_digits(head: str) -> str:
    """Check digit(s) for a 9-digit (legal entity) or 10-digit (person) ИНН head.

    >>> inn_check_digits("770708389")  # ИНН 7707083893 (ПАО Сбербанк, public register)
    '3'
    """
    d = [int(ch) for ch in _digits(head)]
    if len(d) == 9:
        return str(sum(a * b for a, b in zip(d, _INN10, strict=True)) % 11 % 10)
    if len(d) == 10:
        c1 = sum(a * b for a, b in zip(d, _INN12_A, strict=True)) % 11 % 10
        c2 = sum(a * b for a, b in zip([*d, c1], _INN12_B, strict=True)) % 11 % 10
        return f"{c1}{c2}"
    raise ValueError(f"an ИНН head has 9 or 10 digits, got {len(d)}")


def inn_is_valid(text: str) -> bool:
    """True for a 10- or 12-digit ИНН with valid check digit(s).

    >>> inn_is_valid("7707083893"), inn_is_valid("7707083894")
    (True, False)
    """
    d = _digits(text)
    if len(d) == 10:
        return inn_check_digits(d[:9]) == d[9:]
    if len(d) == 12:
        return inn_check_digits(d[:10]) == d[10:]
    return False
