"""Checks of input values shared by every module: closed option sets and config entries.

Every closed option set is a ``Literal`` type (the vocabulary of the study in
:mod:`radjudge.contracts`, a module's own options beside its functions);
:func:`check_choice` tests a value against it, so the set is written once, in
the type. :class:`ConfigCheck` gives the profile validators one way to name the
entry at fault and to check numbers.

Examples
--------
>>> from typing import Literal
>>> check_choice("ci_method", "bca", Literal["bca", "percentile"])
'bca'
>>> check_choice("ci_method", "BCa", Literal["bca", "percentile"])
Traceback (most recent call last):
...
ValueError: ci_method must be one of 'bca', 'percentile'; got 'BCa'
>>> at = ConfigCheck("models.smollm2")
>>> at.int("batch_size", 0, minimum=1)
Traceback (most recent call last):
...
ValueError: models.smollm2: batch_size must be an integer >= 1, got 0
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, get_args

__all__ = ["choices_of", "check_choice", "ConfigCheck"]


def choices_of(options: Any) -> tuple[Any, ...]:
    """The values of a ``Literal`` type (nested ones flattened), or of an iterable."""
    args = get_args(options)
    if args:
        return tuple(v for a in args for v in (choices_of(a) if get_args(a) else (a,)))
    if isinstance(options, str) or not isinstance(options, Iterable):
        raise TypeError(f"options must be a Literal type or an iterable, got {options!r}")
    return tuple(options)


def check_choice(
    name: str, value: object, options: Any, *, error: type[ValueError] = ValueError
) -> Any:
    """Return ``value`` if it is one of ``options``, else raise ``error`` naming all of them.

    The value comes back typed ``Any``, so a caller can annotate it with the
    ``Literal`` it was checked against (``mode: JudgeMode = check_choice(...)``).

    Parameters
    ----------
    name : str
        What the value is (the parameter or profile key), for the message.
    value : object
    options : Literal type or iterable
        The allowed values, e.g. ``Literal["bca", "percentile"]``.
    error : type of ValueError, default ValueError
        The exception class (a module's own ``ValueError`` subclass).
    """
    allowed = choices_of(options)
    if isinstance(value, bool) or value not in allowed:
        # bool is an int: True would pass for 1; no option set here holds booleans
        raise error(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return value


@dataclass(frozen=True)
class ConfigCheck:
    """Checks of one entry of a profile section; every message starts with ``where``.

    Attributes
    ----------
    where : str
        The entry, e.g. ``"04_judge_sweeps.judges[smollm2]"`` or ``"models.gemma3"``.
    error : type of ValueError, default ValueError
        The validator's exception class.
    """

    where: str
    error: type[ValueError] = ValueError

    def fail(self, message: str) -> ValueError:
        """The exception for ``message`` (raise it)."""
        return self.error(f"{self.where}: {message}")

    def int(self, key: str, value: Any, *, minimum: int = 1) -> int:
        """``value`` if it is a whole number >= ``minimum`` (not a bool)."""
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(f"{key} must be an integer >= {minimum}, got {value!r}")
        return value

    def number(
        self, key: str, value: Any, *, low: float, high: float, low_open: bool = False
    ) -> float:
        """``value`` as a float if it is a number in [low, high] ((low, high] if ``low_open``)."""
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and (value <= low if low_open else value < low):
            ok = False
        if not ok or value > high:
            span = f"({low}, {high}]" if low_open else f"[{low}, {high}]"
            raise self.fail(f"{key} must be a number in {span}, got {value!r}")
        return float(value)

    def choice(self, key: str, value: object, options: Any) -> Any:
        """:func:`check_choice` with this entry's prefix and error class."""
        return check_choice(f"{self.where}: {key}", value, options, error=self.error)
