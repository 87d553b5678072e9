"""radjudge.contracts: tables checked on read and write, stage I/O derived, stats.json schema."""

from __future__ import annotations

import json
from typing import get_args

import numpy as np
import pandas as pd
import pytest

from figure_tables import cached_results
from radjudge import contracts as C
from radjudge import paths


def _grid(n: int = 2) -> pd.DataFrame:
    row = {c.name: (0 if c.kind == "int" else 0.5) for c in C.GRID.columns()}
    row.update(
        judge="j",
        criterion="completeness",
        granularity="full",
        judge_kind="llm",
        significant=True,
        valid=True,
        validity_reason="",
    )
    return pd.DataFrame([row] * n)


def test_every_boundary_table_has_a_contract_and_a_producer():
    assert set(C.TABLES) >= {
        "summaries",
        "expert_ratings",
        "judge_ratings",
        "judge_validity",
        "grid",
        "factor_effects",
    }
    for table in C.TABLES.values():
        assert table.producer in C.STAGES, table.name
        assert len(set(table.names())) == len(table.names()), table.name
        assert set(table.key) <= set(table.names()), table.name
        assert all(p.is_relative_to(paths.ROOT) for p in table.paths()), table.name


def test_configuration_slot_follows_the_run():
    assert C.GRID.names()[:4] == C.CONFIG_COLUMNS
    cols = ("judge", "criterion", "prompt")
    assert C.GRID.names(cols)[:5] == ("judge", "criterion", "prompt", "judge_kind", "w")
    assert C.CATEGORIES.names(cols)[:5] == ("design", "criterion", "category", "judge", "prompt")
    assert C.SELECTION_FOLDS.names()[:3] == ("judge", "criterion", "repeat")


def test_write_then_read_round_trip(tmp_path):
    df = _grid()
    files = C.write_table(df, C.GRID, tmp_path)
    assert [p.name for p in files] == ["grid.csv", "grid.parquet"]
    for p in files:
        back = C.read_table(C.GRID, p)
        assert list(back.columns) == list(df.columns)


def test_errors_name_the_file_and_the_column(tmp_path):
    with pytest.raises(C.ContractError, match=r"grid.csv: lacks column\(s\) \['w'\]"):
        C.write_table(_grid().drop(columns=["w"]), C.GRID, tmp_path / "grid.csv")
    with pytest.raises(C.ContractError, match=r"has unexpected column\(s\) \['note'\]"):
        C.write_table(_grid().assign(note="x"), C.GRID, tmp_path / "grid.csv")
    path = tmp_path / "grid.parquet"
    _grid().assign(n_items="many").to_parquet(path)
    with pytest.raises(C.ContractError, match=rf"{path}: column 'n_items' has dtype .* wants int"):
        C.read_table(C.GRID, path)
    with pytest.raises(FileNotFoundError, match="notebook 05_concordance writes the grid"):
        C.read_table(C.GRID, tmp_path / "none.parquet")
    # a frame handed to an analysis needs only the core columns, and may hold others
    j = pd.DataFrame({c: [] for c in C.JUDGE_RATINGS.core}).assign(extra=[])
    C.JUDGE_RATINGS.check(j, core_only=True)
    with pytest.raises(C.ContractError, match=r"judge_ratings: lacks column\(s\) \['status'\]"):
        C.JUDGE_RATINGS.check(j.drop(columns=["status"]), source="judge_ratings", core_only=True)


def test_all_na_columns_pass_any_kind_and_bool_is_no_number():
    df = _grid().assign(ci_low=np.nan, judge=np.nan)
    C.GRID.check(df)
    with pytest.raises(C.ContractError, match="'w' has dtype bool"):
        C.GRID.check(_grid().assign(w=True))


def test_stage_files_are_derived_from_the_contracts():
    ins, outs = C.stage_files("05_concordance")
    assert ins == [
        paths.SUMMARIES,
        paths.EXPERT_RATINGS,
        paths.JUDGE_RATINGS,
        paths.JUDGE_VALIDITY,
    ]
    assert outs[-1] == paths.STATS_JSON
    assert len(outs) == 2 * len(C.CONCORDANCE_TABLES) + 1
    assert C.stage_files("99_unknown") == ([], [])
    # what one stage writes, a later one reads
    written = {p for s in C.STAGES.values() for p in s.output_files()}
    for stem, io in C.STAGES.items():
        for p in io.input_files():
            if p.is_relative_to(paths.DATA / "processed"):
                assert p in written, (stem, p)


def test_stats_of_the_real_analysis_fit_the_schema():
    stats = json.loads(cached_results()["stats_path"].read_text(encoding="utf-8"))
    C.check_stats(stats)
    assert C.STATS_PREFIXES[0] == "data."
    bad = {**stats, "selection.j1.completeness.held_out_w": "high"}
    with pytest.raises(C.ContractError, match="held_out_w' = 'high' fits no pattern"):
        C.check_stats(bad)
    # keys of other stages are not the schema's business
    C.check_stats({**stats, "figures.n": [1, 2]})


def test_vocabulary():
    assert C.JUDGE_KINDS[0] == "llm" and len(C.JUDGE_KINDS) == 2
    assert C.FACTORS[0] == "scale" and C.FACTORS[-1] == "criterion"
    assert C.VALIDITY_REASONS[2] == "constant" and "low_spearman" in C.VALIDITY_REASONS
    # every gated reason but constant has its threshold, named as the profile names it
    assert set(C.VALIDITY_THRESHOLDS) == set(C.VALIDITY_REASONS) - {"constant"}
    assert C.SUMMARY_FLAGS[0] == "ok" and "prompt_echo" in C.FLAG_REASONS
    parse = get_args(C.ParseStatus)
    assert C.JUDGE_STATUSES == (*parse, "failed") and parse[0] == "ok"
    assert C.GRANULARITIES[0] == "full" and C.GRANULARITIES[-1] == "none"  # most described first
    assert len(C.CRITERIA) == 6 and len(C.SUMMEVAL_CRITERIA) == 4
