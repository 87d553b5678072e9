"""radjudge.paper: the manuscript is built offline from stats.json and figures/ only.

The slow tests build a throw-away compendium (RADJUDGE_ROOT) holding the real
paper sources, real analysis results of simulated ratings (notebook 05's code),
the real figures (notebook 06's code), then run ``python -m radjudge.paper``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from conftest import ROOT
from figure_tables import cached_results
from radjudge import paper
from radjudge.contracts import SUMMEVAL_CRITERIA
from radjudge.paper import tables

TESTS = Path(__file__).resolve().parent

_SETUP = """
import sys
sys.path.insert(0, {tests!r})
import matplotlib; matplotlib.use("Agg")
import figure_tables as T
from radjudge import paths
from radjudge.figures import build
T.write_results(paths.CONCORDANCE, paths.RATING_SUMMARIES, paths.STATS_JSON)
build.make_figures(build.load_figure_inputs(), language="ru", also_languages=["en"], dpi=100)
"""


def _run(root: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RADJUDGE_ROOT": str(root)}
    return subprocess.run(
        [sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, timeout=timeout
    )


def _text(pdf: Path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(pdf).pages)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("compendium")
    shutil.copy(ROOT / "pyproject.toml", root)
    shutil.copytree(ROOT / "params", root / "params")
    (root / "paper").mkdir()
    for name in ("main.typ", "template.typ", "refs.bib"):
        shutil.copy(ROOT / "paper" / name, root / "paper" / name)
    res = _run(root, "-c", _SETUP.format(tests=str(TESTS)))
    assert res.returncode == 0, res.stderr
    return root


@pytest.fixture(scope="module")
def built(project) -> Path:
    res = _run(project, "-m", "radjudge.paper", "--lang", "ru")
    assert res.returncode == 0, res.stderr
    pdf = project / "paper" / "build" / "radjudge_ru.pdf"
    assert pdf.is_file()
    return pdf


@pytest.mark.slow
def test_figures_in_the_index_exist_and_are_not_empty(project):
    index = pd.read_csv(project / "figures" / "index.csv")
    assert set(index["figure"]) == set(paper.PAPER_FIGURES)
    assert set(index["language"]) == {"ru", "en"} and set(index["format"]) == {"pdf", "png"}
    assert len(index) == len(paper.PAPER_FIGURES) * 2 * 2
    for file in index["file"]:
        p = project / file
        assert p.is_file() and p.stat().st_size > 0, file


@pytest.mark.slow
def test_russian_pdf_quotes_stats_and_says_synthetic(project, built):
    text = _text(built)
    stats = json.loads((project / "data" / "results" / "stats.json").read_text())
    assert "синтетическ" in text  # the synthetic-data statement
    assert "Резюме" in text and "Обоснование" in text and "Заключение" in text  # Cyrillic renders
    median = paper.format_number(stats["w.grid.median"], "ru", key="median")
    assert f"медиана {median}" in text
    assert len(PdfReader(built).pages) >= 3
    ctx = json.loads(built.with_suffix(".context.json").read_text())
    assert ctx["language"] == "ru" and ctx["synthetic"] is True
    assert set(ctx["figures"]) == set(paper.PAPER_FIGURES)
    assert all(f.startswith("/figures/") and f.endswith(".pdf") for f in ctx["figures"].values())


@pytest.mark.slow
def test_provenance_a_changed_stat_changes_the_pdf(project, built, tmp_path):
    """Change one value in a COPY of stats.json, rebuild, and the PDF text follows."""
    stats = json.loads((project / "data" / "results" / "stats.json").read_text())
    before = _text(built)
    old = paper.format_number(stats["w.grid.median"], "ru", key="median")
    new_value = 0.123456 if abs(stats["w.grid.median"] - 0.12) > 0.01 else 0.987654
    new = paper.format_number(new_value, "ru", key="median")
    copy = tmp_path / "stats_copy.json"
    copy.write_text(json.dumps({**stats, "w.grid.median": new_value}))
    out = tmp_path / "changed.pdf"
    res = _run(
        project, "-m", "radjudge.paper", "--lang", "ru", "--stats", str(copy), "--out", str(out)
    )
    assert res.returncode == 0, res.stderr
    after = _text(out)
    assert f"медиана {old}" in before and f"медиана {old}" not in after
    assert f"медиана {new}" in after
    # the original stats file and PDF were not touched
    assert json.loads((project / "data" / "results" / "stats.json").read_text()) == stats


@pytest.mark.slow
def test_english_build_and_missing_key_error(project, tmp_path):
    out = tmp_path / "en.pdf"
    res = _run(project, "-m", "radjudge.paper", "--lang", "en", "--out", str(out))
    assert res.returncode == 0, res.stderr
    text = _text(out)
    assert "Abstract" in text and "synthetic" in text and "Резюме" not in text
    stats = json.loads((project / "data" / "results" / "stats.json").read_text())
    del stats["alt_test.n_passed"]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(stats))
    res = _run(
        project, "-m", "radjudge.paper", "--stats", str(broken), "--out", str(tmp_path / "x.pdf")
    )
    assert res.returncode == 1
    assert "alt_test.n_passed" in res.stderr and "Traceback" not in res.stderr


def test_every_quoted_key_is_written_by_the_analysis():
    """paper/main.typ quotes only keys notebook 05's manuscript_stats writes."""
    stats = cached_results()["stats"]
    missing = [k for k in paper.quoted_stats_keys() if k not in stats]
    assert not missing, missing
    assert len(paper.quoted_stats_keys()) > 20


def test_format_number_rules():
    assert paper.format_number(0.5, "ru", key="w") == "0,50"
    assert paper.format_number(0.5, "en", key="w") == "0.50"
    assert paper.format_number(-0.004, "en", key="delta_w") == "0.00"  # no "-0.00"
    assert paper.format_number(-0.04, "en", key="delta_w") == "−0.04"
    assert paper.format_number(0.0312, "en", key="p") == "0.031"
    assert paper.format_number(1e-9, "ru", key="p_adj") == "< 0,001"
    assert paper.format_number(12.345, "en", key="share_pct") == "12.3"
    assert paper.format_number(True, "ru") == "да"
    assert paper.format_number(None, "en") == "n/a"
    assert paper.format_number(123456, "ru") == "123\u202f456"
    with pytest.raises(ValueError, match="language"):
        paper.format_number(1, "de")


def test_tables_come_from_stats():
    stats = cached_results()["stats"]
    t = tables.paper_tables(stats, language="en")
    scale_rows = [r for r in t["factors"]["rows"] if r[1].startswith("1–")]
    assert [r[1] for r in scale_rows] == ["1–3", "1–5"]
    assert scale_rows[0][2] == "reference"
    assert scale_rows[1][2].startswith(paper.format_number(stats["effects.scale.5.delta_w"], "en"))
    assert [r[0] for r in t["criteria"]["rows"]] == ["Completeness", "Correctness", "Structure"]
    assert all(len(r) == len(t["selection"]["columns"]) for r in t["selection"]["rows"])
    assert len(t["selection"]["rows"]) == 2 * 3  # judges x criteria


def test_methods_facts_prefer_profile_lists_and_result_counts():
    stats = cached_results()["stats"]
    facts = paper.methods_facts("demo", stats=stats)
    assert facts["criteria"][:2] == ["completeness", "correctness"]  # from the demo profile
    assert facts["expert_categories"][:3] == ["radiologist", "clinician", "resident"]
    assert facts["n_patients"] == stats["data.n_patients"]  # what was analysed
    assert facts["scales"] == ["3", "5"] and facts["judges"]  # results fill what the profile lacks
    text = paper.build._methods_text(facts, "ru")
    assert text["categories"].startswith("рентгенологи")


def test_missing_stats_file_is_a_clear_error(tmp_path):
    with pytest.raises(paper.PaperError, match="notebook 05|--only 05"):
        paper.load_stats(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    with pytest.raises(paper.PaperError, match="line 1"):
        paper.load_stats(bad)


def test_external_table_shows_reproduced_published_and_local_rows():
    from radjudge.paper.tables import external_table

    crits = list(SUMMEVAL_CRITERIA)
    baselines = pd.DataFrame(
        {
            "metric": "ROUGE-1",
            "criterion": crits,
            "spearman": [0.1686, 0.16, 0.115, 0.326],
            "kendall": [0.1264, 0.13, 0.094, 0.252],
            "n_docs": [100, 96, 100, 100],
        }
    )
    judges = pd.DataFrame(
        [
            # G-Eval (Liu et al. 2023), Table 1, G-Eval-4 coherence row: 0.582 / 0.457
            {
                "kind": "published",
                "method": "G-Eval-4",
                "scale": None,
                "granularity": None,
                "criterion": "coherence",
                "spearman": 0.582,
                "kendall": 0.457,
                "n_docs": 100,
            },
            {
                "kind": "judge",
                "method": "smollm2",
                "scale": 5,
                "granularity": "full",
                "criterion": "coherence",
                "spearman": 0.2,
                "kendall": 0.1,
                "n_docs": 1,
            },
            {
                "kind": "judge",
                "method": "smollm2",
                "scale": 10,
                "granularity": "none",
                "criterion": "coherence",
                "spearman": 0.4,
                "kendall": 0.3,
                "n_docs": 1,
            },
        ]
    )
    t = external_table(baselines, judges, language="en")
    rows = {r[0]: r[1:] for r in t["rows"]}
    assert rows["ROUGE-1 (reproduced, n = 100)"][0] == "0.169 / 0.126"
    assert rows["G-Eval-4 (published)"] == ["0.582 / 0.457", "—", "—", "—"]
    assert rows["SmolLM2 (mean of 2 configurations, n = 1)"][0] == "0.300 / 0.200"
    assert len(t["columns"]) == 5 and all(len(r) == 5 for r in t["rows"])
    ru = external_table(baselines, judges, language="ru")
    assert ru["rows"][0][1] == "0,169 / 0,126"


#: Digits main.typ may hold outside S(...)/M(...): layout, and constants of the method that
#: are not results of this study (each with its source).
_DIGITS_ALLOWED = (
    r"\b\d+(\.\d+)?(pt\b|mm\b|%)",  # layout: sizes and widths
    r"\(1 \+ ρ#sub\[S\]\)/2",  # two-rater W = (1 + rho)/2 (Kendall & Babington Smith 1939)
    r"ΔW > 0",  # the sign the text counts against
    r"0[,.]5 (threshold|порог)|(threshold|порог) 0[,.]5",  # alt-test pass rate, Calderon 2025
    r"0–1",  # the range of a normalized score, a definition
    r"\b16 (systems|системам)",  # SummEval: 16 systems per article (Fabbri et al. 2021)
)


def test_main_typ_writes_no_number_by_hand():
    """Every number and design claim of the manuscript comes through S(...) or M(...)."""
    import re

    source = paper.main_source().read_text(encoding="utf-8")
    code = "\n".join(line.split("//", 1)[0] for line in source.splitlines())
    code = re.sub(r'#?\b(?:S|M|has|fig|tab)\(\s*"[^"]*"', "", code)  # quoted keys, stems
    code = re.sub(r"[@<][\w-]+>?", "", code)  # citation keys and labels
    for pattern in _DIGITS_ALLOWED:
        code = re.sub(pattern, "", code)
    hand = [
        (n, line.strip()[:90])
        for n, line in enumerate(code.splitlines(), 1)
        if re.search(r"\d", line)
    ]
    assert not hand, f"digits written by hand in paper/main.typ (line, text): {hand}"


@pytest.mark.slow
@pytest.mark.parametrize("language", ["ru", "en"])
def test_rendered_pages_draw_nothing_outside_the_text_block(project, language, tmp_path):
    """Render every page to PNG and check the side and bottom margins are blank.

    A figure wider than the text block or taller than the page would print into them (the
    header sits in the top margin, so the top is not checked).
    """
    import numpy as np
    from PIL import Image

    from radjudge.figures.style import page_box

    ppi = 110
    res = _run(project, "-m", "radjudge.paper", "--lang", language, "--png", str(tmp_path))
    assert res.returncode == 0, res.stderr
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3
    box = page_box(project / "paper" / "template.typ")
    side_mm = (210.0 - box.width_mm) / 2  # a4: the margins either side of the text block
    bottom_mm = 297.0 - box.height_mm - 20.0  # the template's top margin is 20 mm
    px = ppi / 25.4
    inset = 1.0 * px  # anti-aliasing at the very edge of the block
    for page in pages:
        img = np.asarray(Image.open(page).convert("L"), dtype=float)
        h, w = img.shape
        left = img[:, : int(side_mm * px - inset)]
        right = img[:, int(w - side_mm * px + inset) :]
        bottom = img[int(h - bottom_mm * px + inset) :, :]
        for where, strip in (("left", left), ("right", right), ("bottom", bottom)):
            assert strip.min() > 200, (
                f"{language} {page.name}: something drawn in the {where} margin"
            )
