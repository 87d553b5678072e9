"""The numbers the manuscript quotes: ``stats.json`` read, its quoted keys found, values formatted.

``data/results/stats.json`` is written by notebook 05 (schema:
:data:`radjudge.contracts.STATS_SCHEMA`). The Typst source quotes a number as
``#S("dotted.key")``; :func:`quoted_stats_keys` lists them so that a missing key
is an error before compiling, and :func:`format_number` / :func:`format_stats`
format every value for the language (decimal comma in Russian, p-values as
``< 0.001``, ...).
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from radjudge import paths
from radjudge.contracts import Language
from radjudge.figures.labels import check_language

__all__ = [
    "PaperError",
    "SETTING_WORDS",
    "main_source",
    "format_number",
    "format_stats",
    "flatten_stats",
    "load_stats",
    "quoted_stats_keys",
    "quoted_method_keys",
    "lookup",
]


class PaperError(ValueError):
    """The manuscript cannot be built; the message names the missing file or key and the fix."""


def main_source() -> Path:
    """The Typst entry point, ``paper/main.typ``."""
    return paths.PAPER / "main.typ"


# ---------------------------------------------------------------- numbers


_P_KEY = re.compile(r"(^|_)(p|pvalue|p_value|p_adj|padj|q|qvalue)($|_)")


def format_number(
    value: Any, language: Language, *, key: str = "", digits: int | None = None
) -> Any:
    """Format one value from stats.json for the text.

    Rules (``key`` is the last part of the dotted key):

    * bool -> ``да``/``нет`` (``yes``/``no``);
    * int -> digits grouped by thin spaces (ru) or commas (en) from 10 000 on;
    * float: p-values (key ``p``, ``pvalue``, ``p_adj``, ``q``, ... or ending
      ``_p``) with 3 decimals and ``< 0.001`` below; keys ending ``_pct`` /
      ``percent`` with 1 decimal; other floats with 2 decimals (``digits``
      overrides); NaN or infinity -> ``n/a`` (``н/д``);
    * Russian uses the decimal comma and a true minus sign;
    * strings stay as they are; lists and mappings are formatted element-wise.

    >>> format_number(0.53912, "ru", key="w")
    '0,54'
    >>> format_number(0.0004, "en", key="pvalue")
    '< 0.001'
    >>> format_number(-0.031, "ru", key="delta_w")
    '−0,03'
    >>> format_number(12000, "en")
    '12,000'
    >>> format_number(float("nan"), "ru")
    'н/д'
    """
    check_language(language)
    ru = language == "ru"
    if value is None:
        return "н/д" if ru else "n/a"
    if isinstance(value, bool):
        return ("да" if value else "нет") if ru else ("yes" if value else "no")
    if isinstance(value, Mapping):
        return {k: format_number(v, language, key=str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [format_number(v, language, key=key) for v in value]
    if isinstance(value, int):
        if abs(value) < 10000:
            s = str(value)
        else:
            s = f"{value:,}".replace(",", "\u202f" if ru else ",")
        return s.replace("-", "−") if ru else s
    if isinstance(value, float):
        if not math.isfinite(value):
            return "н/д" if ru else "n/a"
        if digits is None and _P_KEY.search(key.lower()):
            if value < 0.001:
                s = "< 0.001"
            else:
                s = f"{value:.3f}"
        else:
            d = (
                digits
                if digits is not None
                else (1 if key.lower().endswith(("_pct", "percent")) else 2)
            )
            s = f"{value:.{d}f}"
            if float(s) == 0 and s.startswith("-"):
                s = s[1:]
        if ru:
            s = s.replace(".", ",")
        return s.replace("-", "−")
    return value


#: Words for the values of ``settings.*`` keys (method names), ru / en.
SETTING_WORDS: dict[str, tuple[str, str]] = {
    "percentile": ("перцентильный", "percentile"),
    "bca": ("BCa", "BCa"),
    "holm": ("Холма", "Holm"),
    "by": ("Бенджамини–Йекутиели", "Benjamini–Yekutieli"),
    "bh": ("Бенджамини–Хохберга", "Benjamini–Hochberg"),
    "bonferroni": ("Бонферрони", "Bonferroni"),
    "none": ("без поправки", "none"),
    "f": ("F-приближение", "F approximation"),
    "chisq": ("χ²-приближение", "χ² approximation"),
    "permutation": ("перестановочный", "permutation"),
    "rank": ("ранги", "ranks"),
    "scaled": ("шкалированные баллы", "scaled scores"),
}


def format_stats(stats: Mapping[str, Any], language: Language) -> dict[str, str]:
    """Every value of ``stats`` formatted by :func:`format_number`, as a flat dotted-key mapping.

    ``stats.json`` is flat (notebook 05 writes dotted keys); a nested mapping
    is flattened with dots, so both shapes work.

    >>> format_stats({"w.grid.median": 0.5312, "alt_test.n_passed": 3}, "ru")
    {'w.grid.median': '0,53', 'alt_test.n_passed': '3'}
    """
    out = {}
    for k, v in flatten_stats(stats).items():
        if k.startswith("settings.") and isinstance(v, str) and v in SETTING_WORDS:
            out[k] = SETTING_WORDS[v][0 if language == "ru" else 1]
        else:
            out[k] = format_number(v, language, key=k.rsplit(".", 1)[-1])
    return out


def flatten_stats(stats: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested mappings into dotted keys (flat input is returned as is).

    >>> flatten_stats({"a": {"b": 1}, "c.d": 2})
    {'a.b': 1, 'c.d': 2}
    """
    out: dict[str, Any] = {}
    for k, v in stats.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(flatten_stats(v, key + "."))
        else:
            out[key] = v
    return out


def load_stats(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Read ``stats.json`` (NaN allowed, as Python writes it).

    Raises
    ------
    PaperError
        Missing file (run notebook 05) or invalid JSON (naming the line).
    """
    p = Path(path) if path is not None else paths.STATS_JSON
    if not p.is_file():
        raise PaperError(
            f"{p} does not exist: the manuscript quotes its numbers from it. Run the analysis "
            "first (radjudge run --profile demo, or --only 05), or pass --stats PATH."
        )
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise PaperError(f"{p}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    if not isinstance(data, dict):
        raise PaperError(f"{p}: stats must be a JSON object at top level")
    return data


def lookup(tree: Mapping[str, Any], dotted: str) -> Any:
    """The value at a dotted path of nested mappings and lists; KeyError if absent."""
    node: Any = tree
    for part in dotted.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(dotted)
    return node


_QUOTE = re.compile(r"""#?\bS\(\s*"([^"]+)"\s*\)""")
_METHOD = re.compile(r"""#?\b(?:M|has)\(\s*"([^"]+)"\s*\)""")


def _code(source: str | os.PathLike[str] | None) -> str:
    src = Path(source) if source is not None else main_source()
    return "\n".join(
        line.split("//", 1)[0] for line in src.read_text(encoding="utf-8").splitlines()
    )


def quoted_stats_keys(source: str | os.PathLike[str] | None = None) -> list[str]:
    """The stats keys a Typst source quotes with ``S("...")``, in order of appearance.

    ``//`` comments are ignored.

    >>> import pathlib, tempfile
    >>> src = pathlib.Path(tempfile.mkdtemp()) / "x.typ"
    >>> text = 'W = #S("grid.w_max") // not #S("in.comment")\\n#S("a.b") #S("grid.w_max")'
    >>> _ = src.write_text(text)
    >>> quoted_stats_keys(src)
    ['grid.w_max', 'a.b']
    """
    return list(dict.fromkeys(_QUOTE.findall(_code(source))))


def quoted_method_keys(source: str | os.PathLike[str] | None = None) -> list[str]:
    """The generated texts a Typst source quotes with ``M("...")`` or tests with ``has("...")``.

    >>> import pathlib, tempfile
    >>> src = pathlib.Path(tempfile.mkdtemp()) / "x.typ"
    >>> _ = src.write_text('#M("judges_kinds") #if has("models") [#M("models")] // M("no")')
    >>> quoted_method_keys(src)
    ['judges_kinds', 'models']
    """
    return list(dict.fromkeys(_METHOD.findall(_code(source))))
