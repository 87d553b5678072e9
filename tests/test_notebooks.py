"""Notebook hygiene: committed clean, one literal parameters cell, project kernel, manifest record.

Source notebooks are committed *stripped* (no outputs, no execution counts);
executed copies are run artifacts under data/runs/. We strip rather than pair
with jupytext: papermill executes .ipynb directly, and a stripped .ipynb
diffs cleanly. `make strip` strips notebooks you ran in place.
"""

from __future__ import annotations

import nbformat
import pytest

from radjudge import paths, pipeline

NOTEBOOKS = sorted(paths.NOTEBOOKS.glob("*.ipynb"))


def test_the_pipeline_has_its_numbered_notebooks():
    stems = [nb.stem for nb in pipeline.discover_notebooks()]
    assert stems[:6] == [
        "01_anonymization",
        "02_summarization",
        "03_expert_ratings",
        "04_judge_sweeps",
        "05_concordance",
        "06_figures",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_committed_clean(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} carry outputs or execution counts; run `make strip`"
    )
    assert nb.metadata.get("kernelspec", {}).get("name") == pipeline.KERNEL_NAME


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_parameters_cell_is_first_code_cell_and_literal(path):
    nb = nbformat.read(path, as_version=4)
    idx = pipeline.parameters_cell(nb, name=path.name)
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    assert idx == first_code, f"{path.name}: the parameters cell must be the first code cell"
    pipeline.declared_parameters(path)  # raises ProfileError on non-literals


@pytest.mark.parametrize(
    "nb", pipeline.discover_notebooks(), ids=[nb.stem for nb in pipeline.discover_notebooks()]
)
def test_pipeline_notebook_reports_to_the_manifest(nb):
    source = nbformat.read(nb.path, as_version=4)
    code = [c.source for c in source.cells if c.cell_type == "code"]
    assert "record_stage(" in code[-1], f"{nb.stem}: the last code cell must call record_stage"
    params = pipeline.declared_parameters(nb.path)
    assert "run_dir" in params and "profile" in params


@pytest.mark.parametrize(
    "nb", pipeline.discover_notebooks(), ids=[nb.stem for nb in pipeline.discover_notebooks()]
)
def test_a_notebook_opens_with_its_title_and_ends_with_one_provenance_line(nb):
    """A reader sees the title and question first, and no dump of the stage record at the end."""
    source = nbformat.read(nb.path, as_version=4)
    first = source.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), nb.stem
    last = [c.source for c in source.cells if c.cell_type == "code"][-1]
    assert last.rstrip().splitlines()[-1].strip() in (
        "manifest.provenance(record, profile=profile)",
        "provenance(record, profile=profile)",
    ), f"{nb.stem}: end with manifest.provenance(record, profile=profile)"
    params = source.cells[pipeline.parameters_cell(source, name=nb.path.name)].source
    assert max(map(len, params.splitlines())) <= 100, f"{nb.stem}: a parameters line is too long"
