"""The manuscript, built offline from the pipeline's results: ``python -m radjudge.paper``.

The Typst source (``paper/main.typ`` + ``paper/template.typ`` + ``paper/refs.bib``)
holds words only. Everything else reaches it through one JSON *context* that
this module assembles and hands to the Typst compiler as ``sys.inputs.ctx``:

``stats`` / ``fmt``
    ``data/results/stats.json`` as written by notebook 05, raw and formatted
    for the language (decimal comma in Russian, p-values as ``< 0.001``, ...).
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

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from radjudge import paths
from radjudge.figures.labels import check_language, label
from radjudge.profiles import load_profile

__all__ = [
    "PaperError",
    "PaperBuild",
    "PAPER_FIGURES",
    "load_stats",
    "format_stats",
    "format_number",
    "methods_facts",
    "quoted_stats_keys",
    "paper_context",
    "build_paper",
    "main_source",
]

Language = Literal["ru", "en"]


class PaperError(ValueError):
    """The manuscript cannot be built; the message names the missing file or key and the fix."""


#: Figures the manuscript shows, by file stem (notebook 06 writes them).
PAPER_FIGURES = (
    "fig1_w_heatmap",
    "fig2_w_forest",
    "fig3_expert_categories",
    "fig4_score_use",
    "fig5_verbosity",
    "fig6_self_preference",
    "fig7_delta_w_alt_test",
)


@dataclass(frozen=True)
class PaperBuild:
    """Outcome of :func:`build_paper`.

    Attributes
    ----------
    pdf : pathlib.Path
        The manuscript.
    context : pathlib.Path
        The JSON context the PDF was built from (beside the PDF).
    language : str
    stats : pathlib.Path
        The stats file the numbers came from.
    pages : tuple of pathlib.Path
        PNG renderings of the pages (empty unless ``png_dir`` was given).
    """

    pdf: Path
    context: Path
    language: str
    stats: Path
    pages: tuple[Path, ...] = ()


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


def _lookup(tree: Mapping[str, Any], dotted: str) -> Any:
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


def quoted_stats_keys(source: str | os.PathLike[str] | None = None) -> list[str]:
    """The stats keys a Typst source quotes with ``S("...")``, in order of appearance.

    ``//`` comments are ignored.

    >>> import pathlib, tempfile
    >>> src = pathlib.Path(tempfile.mkdtemp()) / "x.typ"
    >>> _ = src.write_text('W = #S("grid.w_max") // not #S("in.comment")\\n#S("a.b") #S("grid.w_max")')
    >>> quoted_stats_keys(src)
    ['grid.w_max', 'a.b']
    """
    src = Path(source) if source is not None else main_source()
    code = "\n".join(
        line.split("//", 1)[0] for line in src.read_text(encoding="utf-8").splitlines()
    )
    return list(dict.fromkeys(_QUOTE.findall(code)))


# ---------------------------------------------------------------- profile facts


def _resolved_profile(profile: str | None) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(name, shared, notebooks) of the last run's profile, or of the named profile."""
    if profile is None and paths.RUN_MANIFEST.is_file():
        man = json.loads(paths.RUN_MANIFEST.read_text(encoding="utf-8"))
        prof = man.get("profile") or {}
        if prof.get("shared") is not None:
            return (
                prof.get("name", "?"),
                dict(prof.get("shared") or {}),
                dict(prof.get("notebooks") or {}),
            )
    p = load_profile(profile or "demo")
    return p.name, p.shared, p.notebooks


def methods_facts(
    profile: str | None = None, *, stats: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Facts of the design for the Methods section: the resolved profile first, then stats.json.

    Parameters
    ----------
    profile : str, optional
        Profile name or path. By default the profile of the last run, as
        recorded in the run manifest (so the text describes what actually ran),
        else ``demo``.
    stats : mapping, optional
        Flat ``stats.json``. Fills what the profile does not state: counts
        (``data.*``) and the levels present in the results (``w.by_scale.<level>``...).

    Returns
    -------
    dict
        ``profile``, ``language``, ``seed``, ``models`` and, where known,
        ``n_patients``, ``criteria``, ``expert_scale``, ``scales``,
        ``granularities``, ``judges``, ``summarizers``, ``n_summarizers``,
        ``expert_categories``, ``n_experts``, ``n_boot``.
    """
    name, shared, notebooks = _resolved_profile(profile)
    flat_stats = flatten_stats(stats or {})
    facts: dict[str, Any] = {
        "profile": name,
        "language": shared.get("language"),
        "seed": shared.get("seed"),
        "models": _names(shared.get("models")),
    }
    flat: dict[str, Any] = {}
    for nb, section in notebooks.items():
        # notebook 07 is the external validation (SummEval): its grid is not the study's
        if isinstance(section, Mapping) and not str(nb).startswith("07"):
            for k, v in section.items():
                flat.setdefault(k, v)
    for fact, candidates in _FACT_KEYS.items():
        for key in candidates:
            value = _dig(flat, key)
            if value is not None:
                facts[fact] = value
                break
    panel = facts.pop("panel", None)
    if isinstance(panel, Mapping) and "expert_categories" not in facts:
        facts["expert_categories"] = [
            c for c, v in panel.items() if not isinstance(v, Mapping) or v.get("n", 1)
        ]
        counts = [v.get("n") for v in panel.values() if isinstance(v, Mapping)]
        if counts and all(isinstance(n, int) for n in counts):
            facts.setdefault("n_experts", sum(counts))

    def levels(prefix: str, suffix: str) -> list[str]:
        found = [
            k[len(prefix) : -len(suffix)]
            for k in flat_stats
            if k.startswith(prefix)
            and k.endswith(suffix)
            and "." not in k[len(prefix) : -len(suffix)]
        ]
        return list(dict.fromkeys(found))

    from_stats = {
        "n_patients": flat_stats.get("data.n_patients"),
        "n_experts": flat_stats.get("data.n_experts"),
        "n_summarizers": flat_stats.get("data.n_summarizers"),
        "n_boot": flat_stats.get("settings.n_boot"),
        "criteria": levels("experts.w.", ".w") or levels("w.by_criterion.", ".mean"),
        "scales": sorted(levels("w.by_scale.", ".mean"), key=lambda v: (len(v), v)),
        "granularities": levels("w.by_granularity.", ".mean"),
        "judges": levels("w.by_judge.", ".mean"),
        "expert_categories": levels("experts.within.", ".median")
        or levels("judge_vs_category.", ".median_w"),
    }
    # Counts describe what was analysed, so the results win; lists of design
    # levels come from the profile (the results only fill in what it lacks).
    for k, v in from_stats.items():
        counted = k.startswith("n_")
        if v not in (None, []) and (counted or facts.get(k) in (None, [], {})):
            facts[k] = v
    return facts


#: Where each fact may live in a notebook section of the profile (first hit wins; dotted = nested).
_FACT_KEYS: dict[str, tuple[str, ...]] = {
    "n_patients": ("n_patients", "cohort_size", "cohort.n_patients"),
    "criteria": ("criteria", "grid.criteria"),
    "expert_scale": ("scale_max",),
    "scales": ("scales", "grid.scales"),
    "granularities": ("granularities", "grid.granularities"),
    "judges": ("judges", "grid.judges"),
    "summarizers": ("summarizers",),
    "panel": ("panel",),
    "expert_categories": ("expert_categories",),
    "repeats": ("repeats", "grid.repeats"),
    "n_boot": ("n_boot", "n_bootstrap"),
}


def _dig(flat: Mapping[str, Any], dotted: str) -> Any:
    try:
        return _lookup(flat, dotted)
    except KeyError:
        return None


def _names(value: Any) -> list[str]:
    """A list of names from a list, a mapping (its keys) or a scalar."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [str(k) for k in value]
    if isinstance(value, list | tuple):
        return [str(v.get("name", v)) if isinstance(v, Mapping) else str(v) for v in value]
    return [str(value)]


def _methods_text(facts: Mapping[str, Any], language: Language) -> dict[str, str]:
    """Display strings for the Methods (joined lists, translated ids, formatted counts)."""
    ru = language == "ru"
    na = "н/д" if ru else "n/a"

    def join(items: list[str]) -> str | None:
        if not items:
            return None  # the source says nothing rather than "n/a" (see has() in main.typ)
        if len(items) == 1:
            return items[0]
        conj = " и " if ru else " and "
        return ", ".join(items[:-1]) + conj + items[-1]

    def count(key: str, items: list[str] | None = None) -> str:
        v = facts.get(key)
        if isinstance(v, int) and not isinstance(v, bool):
            return format_number(v, language)
        return str(len(items)) if items else na

    criteria = _names(facts.get("criteria"))
    scales = _names(facts.get("scales"))
    grans = _names(facts.get("granularities"))
    cats = _names(facts.get("expert_categories"))
    judges = _names(facts.get("judges"))
    summs = _names(facts.get("summarizers"))
    models = _names(facts.get("models"))
    return {
        "profile": str(facts.get("profile", "")),
        "synthetic_profile": facts.get("profile") != "study",
        "seed": str(facts.get("seed", na)),
        "n_patients": count("n_patients"),
        "criteria": join([label("criterion", c, language).lower() for c in criteria]),
        "n_criteria": str(len(criteria)) if criteria else na,
        "expert_scale": f"1–{facts['expert_scale']}" if facts.get("expert_scale") else na,
        "scales": join([f"1–{v}" for v in scales]),
        "n_scales": str(len(scales)) if scales else na,
        "granularities": join(
            [
                f"«{label('granularity', g, language)}»"
                if ru
                else f"“{label('granularity', g, language)}”"
                for g in grans
            ]
        ),
        "n_granularities": str(len(grans)) if grans else na,
        "categories": join([label("category", c, language).lower() for c in cats]),
        "n_categories": str(len(cats)) if cats else na,
        "n_experts": count("n_experts"),
        "judges": join(judges),
        "n_judges": str(len(judges)) if judges else na,
        "summarizers": join(summs),
        "n_summarizers": count("n_summarizers", summs),
        "models": join(models),
        "n_boot": count("n_boot"),
    }


# ---------------------------------------------------------------- tables & figures


def _figure_files(index: Path, language: Language) -> dict[str, str]:
    """Stem -> '/figures/<stem>.pdf' (root-relative, as Typst wants): the PDFs in ``language``."""
    from radjudge.figures.index import check_figure_index

    if not index.is_file():
        raise PaperError(
            f"{index} does not exist: run notebook 06 (radjudge run --only 06) "
            "to draw the figures before building the paper"
        )
    df = check_figure_index(index)
    pdfs = df[(df["format"] == "pdf") & (df["language"] == language)]
    out = {row.figure: "/" + row.file for row in pdfs.itertuples(index=False)}
    missing = [f for f in PAPER_FIGURES if f not in out]
    if missing:
        have = sorted(set(df.loc[df["figure"].isin(missing), "language"]) - {""})
        raise PaperError(
            f"{index} lists no {language} PDF for figure(s) {missing} (languages drawn: "
            f"{have or 'none'}). Draw them in {language}: set language or also_languages of "
            "notebook 06 in the profile and re-run it, or build the paper in a drawn language."
        )
    for stem, file in out.items():
        if not paths.resolve(file.lstrip("/")).resolve().is_relative_to(paths.ROOT):
            raise PaperError(
                f"figure {stem} ({file}) lies outside the project; Typst cannot read it"
            )
    return out


def paper_context(
    *,
    language: Language,
    stats: Mapping[str, Any],
    profile: str | None = None,
    figure_index: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Everything the Typst source shows, as one JSON-serialisable mapping.

    Raises
    ------
    PaperError
        A stats key quoted by ``paper/main.typ`` is missing, or a figure is missing.
    """
    check_language(language)
    flat = flatten_stats(stats)
    missing = [key for key in quoted_stats_keys() if key not in flat]
    if missing:
        raise PaperError(
            "paper/main.typ quotes stats key(s) that stats.json lacks: "
            + ", ".join(missing)
            + ". Re-run notebook 05, or update the key in paper/main.typ if it was renamed."
        )
    facts = methods_facts(profile, stats=flat)
    from radjudge.paper.tables import paper_tables

    synthetic = flat.get("data.synthetic", flat.get("synthetic"))
    if synthetic is None:
        synthetic = facts.get("profile") != "study"
    return {
        "language": language,
        "synthetic": bool(synthetic),
        "stats": _json_safe(flat),
        "fmt": format_stats(flat, language),
        "methods": _methods_text(facts, language),
        "facts": _json_safe(facts),
        "tables": paper_tables(flat, language=language, external=_external_results()),
        "figures": _figure_files(
            Path(figure_index) if figure_index else paths.FIGURE_INDEX, language
        ),
    }


def _external_results() -> tuple[Any, Any] | None:
    """Notebook 07's SummEval results (baselines, judges), or None when it did not run."""
    import pandas as pd

    if not (paths.SUMMEVAL_BASELINES.is_file() and paths.SUMMEVAL_JUDGES.is_file()):
        return None
    return pd.read_csv(paths.SUMMEVAL_BASELINES), pd.read_csv(paths.SUMMEVAL_JUDGES)


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, Mapping):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_json_safe(v) for v in obj]
    return obj


# ---------------------------------------------------------------- build


def _font_paths() -> list[str]:
    import matplotlib

    return [str(Path(matplotlib.get_data_path()) / "fonts" / "ttf")]


def build_paper(
    *,
    language: Language | None = None,
    stats: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] | None = None,
    profile: str | None = None,
    figure_index: str | os.PathLike[str] | None = None,
    png_dir: str | os.PathLike[str] | None = None,
    png_ppi: int = 110,
) -> PaperBuild:
    """Compile ``paper/main.typ`` to PDF from the results.

    Parameters
    ----------
    language : {"ru", "en"}, optional
        Manuscript language; the profile's ``shared.language`` by default.
    stats : path-like, optional
        The stats file; ``data/results/stats.json`` by default.
    out : path-like, optional
        Output PDF; ``paper/build/radjudge_<language>.pdf`` by default.
    profile : str, optional
        Profile for the Methods facts (default: the last run's, see :func:`methods_facts`).
    figure_index : path-like, optional
        Default ``figures/index.csv``.
    png_dir : path-like, optional
        Also render every page to ``png_dir/page-NN.png`` (for a visual check).
    png_ppi : int, default 110

    Returns
    -------
    PaperBuild

    Raises
    ------
    PaperError
        Missing stats, figures or quoted keys; a Typst compile error (with its message).
    """
    import typst

    stats_path = Path(stats) if stats is not None else paths.STATS_JSON
    data = load_stats(stats_path)
    if language is None:
        _, shared, _ = _resolved_profile(profile)
        language = shared.get("language") or "ru"
    check_language(language)
    ctx = paper_context(language=language, stats=data, profile=profile, figure_index=figure_index)
    ctx["source_stats"] = paths.relative(stats_path)
    pdf = Path(out) if out is not None else paths.PAPER_BUILD / f"radjudge_{language}.pdf"
    pdf.parent.mkdir(parents=True, exist_ok=True)
    ctx_path = pdf.with_suffix(".context.json")
    ctx_text = json.dumps(ctx, ensure_ascii=False, indent=1, allow_nan=False)
    ctx_path.write_text(ctx_text + "\n", encoding="utf-8")
    kwargs = dict(
        root=str(paths.ROOT),
        font_paths=_font_paths(),
        ignore_system_fonts=True,
        sys_inputs={"ctx": ctx_text},
    )
    try:
        typst.compile(str(main_source()), output=str(pdf), **kwargs)
        pages: list[Path] = []
        if png_dir is not None:
            png = Path(png_dir)
            png.mkdir(parents=True, exist_ok=True)
            for old in png.glob("page-*.png"):
                old.unlink()
            typst.compile(
                str(main_source()),
                output=str(png / "page-{0p}.png"),
                format="png",
                ppi=png_ppi,
                **kwargs,
            )
            pages = sorted(png.glob("page-*.png"))
    except typst.TypstError as exc:
        detail = getattr(exc, "diagnostic", None) or str(exc)
        raise PaperError(
            f"typst could not compile {paths.relative(main_source())}:\n{detail}"
        ) from exc
    return PaperBuild(
        pdf=pdf, context=ctx_path, language=language, stats=stats_path, pages=tuple(pages)
    )
