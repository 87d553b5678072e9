"""Build the manuscript: the Typst context (numbers, Methods facts, tables, figures) and the PDF.

See :mod:`radjudge.paper` for what the context holds and how the source quotes it.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from radjudge import paths
from radjudge.contracts import SUMMEVAL_BASELINES, SUMMEVAL_JUDGES, Language, read_table
from radjudge.figures.index import check_figure_index
from radjudge.figures.labels import check_language, display_name, label
from radjudge.paper.design import design_sentences, design_table
from radjudge.paper.numbers import (
    PaperError,
    flatten_stats,
    format_number,
    format_stats,
    load_stats,
    lookup,
    main_source,
    quoted_method_keys,
    quoted_stats_keys,
)
from radjudge.paper.tables import paper_tables
from radjudge.profiles import load_profile

__all__ = ["PAPER_FIGURES", "PaperBuild", "methods_facts", "paper_context", "build_paper"]


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
        (``data.*``) and the levels present in the results (``effects.scale.<level>``...).

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
    # the summary the metric judges compare against (their spec's reference, default gold)
    judges_spec = flat.get("judges")
    specs = judges_spec if isinstance(judges_spec, list) else []
    refs = [
        str(j.get("reference", "gold"))
        for j in specs
        if isinstance(j, Mapping) and j.get("mode") == "metric"
    ]
    if refs:
        facts["metric_reference"] = refs[0]
    panel = facts.pop("panel", None)
    if isinstance(panel, Mapping) and "expert_categories" not in facts:
        facts["expert_categories"] = [
            c for c, v in panel.items() if not isinstance(v, Mapping) or v.get("n", 1)
        ]
        counts = [v.get("n") for v in panel.values() if isinstance(v, Mapping)]
        whole = [n for n in counts if isinstance(n, int)]
        if counts and len(whole) == len(counts):
            facts.setdefault("n_experts", sum(whole))

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
        "criteria": levels("experts.w.", ".w") or levels("w.best.", ".w"),
        "scales": sorted(
            {str(v) for k, v in flat_stats.items() if k == "effects.scale.reference"}
            | set(levels("effects.scale.", ".delta_w")),
            key=lambda v: (len(v), v),
        ),
        "granularities": [
            *[str(v) for k, v in flat_stats.items() if k == "effects.granularity.reference"],
            *levels("effects.granularity.", ".delta_w"),
        ],
        "judges": levels("validity.by_judge.", ".n_valid"),
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
        return lookup(flat, dotted)
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


def _methods_text(facts: Mapping[str, Any], language: Language) -> dict[str, str | bool | None]:
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
        "summarizers": join([display_name("summarizer", s, language) for s in summs]),
        "n_summarizers": count("n_summarizers", summs),
        "models": join([display_name("judge", m, language) for m in models]),
        "n_boot": count("n_boot"),
    }


# ---------------------------------------------------------------- tables & figures


def _figure_files(index: Path, language: Language) -> dict[str, str]:
    """Stem -> '/figures/<stem>.pdf' (root-relative, as Typst wants): the PDFs in ``language``."""
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
    methods: dict[str, Any] = _methods_text(facts, language)
    methods.update(
        design_sentences(flat, language=language, metric_reference=facts.get("metric_reference"))
    )
    missing = [key for key in quoted_method_keys() if key not in methods]
    if missing:
        raise PaperError(
            "paper/main.typ shows generated text(s) #M(...) that the build does not make: "
            + ", ".join(missing)
            + ". Add them to radjudge.paper.design.design_sentences or fix the key."
        )
    synthetic = flat.get("data.synthetic", flat.get("synthetic"))
    if synthetic is None:
        synthetic = facts.get("profile") != "study"
    return {
        "language": language,
        "synthetic": bool(synthetic),
        "stats": _json_safe(flat),
        "fmt": format_stats(flat, language),
        "methods": methods,
        "facts": _json_safe(facts),
        "tables": {
            **paper_tables(flat, language=language, external=_external_results()),
            "design": design_table(flat, language=language),
        },
        "figures": _figure_files(
            Path(figure_index) if figure_index else paths.FIGURE_INDEX, language
        ),
    }


def _external_results() -> tuple[Any, Any] | None:
    """Notebook 07's SummEval results (baselines, judges), or None when it did not run."""
    if not (paths.SUMMEVAL_BASELINES.is_file() and paths.SUMMEVAL_JUDGES.is_file()):
        return None
    return read_table(SUMMEVAL_BASELINES), read_table(SUMMEVAL_JUDGES)


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
        language = check_language(shared.get("language") or "ru")
    else:
        check_language(language)
    ctx = paper_context(language=language, stats=data, profile=profile, figure_index=figure_index)
    ctx["source_stats"] = paths.relative(stats_path)
    pdf = Path(out) if out is not None else paths.PAPER_BUILD / f"radjudge_{language}.pdf"
    pdf.parent.mkdir(parents=True, exist_ok=True)
    ctx_path = pdf.with_suffix(".context.json")
    ctx_text = json.dumps(ctx, ensure_ascii=False, indent=1, allow_nan=False)
    ctx_path.write_text(ctx_text + "\n", encoding="utf-8")
    kwargs: dict[str, Any] = dict(
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
