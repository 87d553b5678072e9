"""The explorer in JupyterLab, driven by a real browser (Debian Chromium through Playwright).

A throw-away copy of the project holds a tiny run made by the real pipeline
code (tests/explore_run.py). JupyterLab starts on 127.0.0.1 as ``make lab``
starts it; the test opens ``explore_results.ipynb``, runs all cells, and uses
the explorer as a researcher would: the widgets render, a dropdown redraws
the plot, a disagreement opens the item view with the summary, the compare
view shows a paired ΔW, and saving the executed notebook leaves it
byte-identical to the committed one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import lab_browser as L
from explore_run import cached_run, copy_run

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(L.missing_browser() is not None, reason=str(L.missing_browser())),
]


@pytest.fixture(scope="module")
def explorer_page(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("explore-browser")
    root = L.project_copy(work / "project")
    copy_run(cached_run(), root)
    with L.jupyter_lab(root, workdir=work) as lab, L.chromium(work / "profile") as ctx:
        yield root, L.open_explorer(ctx, lab)


def test_run_all_renders_the_widgets_in_one_language(explorer_page):
    root, nb = explorer_page
    text = nb.page.locator("body").inner_text()
    assert "Error displaying widget" not in text
    assert "interactive(" not in text
    assert not nb.errors, nb.errors
    # the demo profile's language is Russian: tabs, filters and the list speak it
    tabs = nb.page.locator(".rj-tabs .lm-TabBar-tab").all_inner_texts()
    assert tabs == ["Конфигурация", "Резюме", "Сравнение", "Таблицы"]
    assert nb.page.locator(".rj-config-list select option").count() == 17  # LLM judges only
    assert "rouge-l" not in nb.page.locator(".rj-config-list").inner_text()
    assert "rouge-l" in nb.page.locator(".rj-config-summary").inner_text()  # a reference line


def test_a_dropdown_narrows_the_list_and_redraws_the_plots(explorer_page):
    _, nb = explorer_page
    page = nb.page
    forest, scatter = L.image_src(page, "rj-forest"), L.image_src(page, "rj-scatter")
    page.locator(".rj-filter-judge select").select_option(label="judge-const")
    L.wait_image_changed(page, "rj-forest", forest)  # raises if the plot never changes
    L.wait_image_changed(page, "rj-scatter", scatter)
    assert page.locator(".rj-config-list select option").count() == 1
    assert page.locator(".rj-filter-criterion select option").all_inner_texts() == [
        "(любое)",
        "Полнота",
    ]
    summary = page.locator(".rj-config-summary").inner_text()
    assert "вырожденный судья" in summary and "W = 0,50" in summary
    page.locator(".rj-filter-judge select").select_option(label="(любое)")
    page.wait_for_function(
        "() => document.querySelectorAll('.rj-config-list select option').length === 17"
    )


def test_a_disagreement_opens_the_item_view_with_the_summary(explorer_page):
    root, nb = explorer_page
    page = nb.page
    first = page.locator(".rj-disagreements select option").first.inner_text()
    patient, summarizer = (s.strip() for s in first.replace("\xa0", " ").split("·")[:2])
    page.locator(".rj-disagreements select").select_option(index=0)
    page.locator(".rj-open-item").click()
    summary_box = page.locator(".rj-item-summary")
    summary_box.wait_for(state="visible", timeout=20_000)
    sm = pd.read_parquet(root / "data" / "processed" / "summaries.parquet")
    text = sm[(sm["patient_id"] == patient) & (sm["summarizer"] == summarizer)]["text"].iloc[0]
    shown = summary_box.inner_text()
    assert " ".join(text.split()[:12]) in " ".join(shown.split())
    record = page.locator(".rj-item-record").inner_text()
    assert "Жалобы" in record and "Направление" in record
    assert page.locator(".rj-item-experts table tr").count() == 1 + 4 + 1  # header, 4 experts, mean
    assert page.locator(".rj-item-answers table tr").count() > 1


def test_compare_view_shows_a_paired_delta_w(explorer_page):
    _, nb = explorer_page
    page = nb.page
    L.select_tab(page, "Сравнение")
    result = page.locator(".rj-compare-result")
    result.wait_for(state="visible")
    assert "ΔW = B − A" in result.inner_text()
    assert re.search(r"[−-]?\d,\d{3}", result.inner_text())
    assert page.locator("img.rj-compare-plot").get_attribute("src")


def test_saving_the_executed_explorer_leaves_the_committed_file(explorer_page):
    root, nb = explorer_page
    nb.save()
    path = root / "notebooks" / "explore_results.ipynb"
    assert path.read_bytes() == (L.ROOT / "notebooks" / "explore_results.ipynb").read_bytes()
    assert Path(path).stat().st_size > 0
