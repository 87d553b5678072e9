"""SummEval import (radjudge.external.summeval): the committed copy, its validation, and the
import of its expert means through the study's own ratings importer."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd
import pytest

from radjudge import paths
from radjudge.external import summeval as se
from radjudge.ratings import RatingsError


@pytest.fixture(scope="module")
def data() -> se.SummEval:
    return se.read_summeval()


def _raw_lines() -> list[dict]:
    with gzip.open(paths.SUMMEVAL_DATA, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def test_committed_copy_has_licence_provenance_and_shape(data):
    for name in ("SUMMEVAL_LICENSE", "README.md", "README.upstream.md"):
        assert (paths.SUMMEVAL / name).is_file()
    assert "MIT License" in (paths.SUMMEVAL / "SUMMEVAL_LICENSE").read_text(encoding="utf-8")
    assert se.SUMMEVAL_SHA256 in (paths.SUMMEVAL / "README.md").read_text(encoding="utf-8")
    # Fabbri et al. 2021: 100 articles x 16 systems, 11 references, 4 criteria.
    assert len(data.documents) == 100 and len(data.references) == 1100
    assert len(data.summaries) == 1600 and len(data.expert_means) == 6400
    assert data.summaries.groupby("doc_id").size().eq(16).all()
    assert data.sha256 == se.SUMMEVAL_SHA256


def test_import_copies_from_shared_and_is_idempotent(tmp_path):
    shared = paths.SHARED_DATA / "summeval"
    if not shared.is_dir():
        pytest.skip(f"{shared} is not here (the workplace's shared data)")
    out = se.import_summeval(shared, tmp_path / "summeval")
    assert out.read_bytes() == paths.SUMMEVAL_DATA.read_bytes()
    mtime = out.stat().st_mtime_ns
    se.import_summeval(shared, tmp_path / "summeval")
    assert out.stat().st_mtime_ns == mtime


def test_import_through_load_expert_ratings_recovers_published_means_exactly(data, tmp_path):
    csv_path = se.write_ratings_csv(data, tmp_path / "summeval_expert_ratings.csv")
    ratings = se.load_summeval_ratings(csv_path)
    assert len(ratings) == 6400
    assert set(ratings["n_raters_averaged"]) == {3} and set(ratings["scale_max"]) == {5}
    assert str(ratings["score"].dtype) == "Float64" and not ratings["score"].isna().any()
    got = {(r.patient_id, r.summarizer, r.criterion): float(r.score) for r in ratings.itertuples()}
    raw = {
        (d["doc_id"], s["system_id"], c): v
        for d in _raw_lines()
        for s in d["summaries"]
        for c, v in s["expert_mean"].items()
    }
    assert got == raw  # bit-identical floats, not approximately equal
    means = se.expert_means(ratings)
    assert list(means.columns) == ["patient_id", "summarizer", "criterion", "human"]
    assert len(means) == 6400


def test_a_mean_that_is_not_a_mean_of_three_ratings_is_rejected_by_the_importer(data, tmp_path):
    csv_path = se.write_ratings_csv(data, tmp_path / "r.csv")
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    fields = lines[5].split(",")
    fields[6] = "2.5"  # not k/3
    lines[5] = ",".join(fields)
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RatingsError, match="multiple of 1/3"):
        se.load_summeval_ratings(csv_path)


def _write_gz(path, records):
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r) + "\n")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["summaries"].pop(), "15 summaries, expected 16"),
        (lambda d: d["references"].pop(), "10 references, expected 11"),
        (lambda d: d.pop("source"), "field 'source' is missing"),
        (
            lambda d: d["summaries"][2]["expert_mean"].update(fluency=2.5),
            "fluency: 2.5 is not a mean of 3",
        ),
        (
            lambda d: d["summaries"][2]["expert_mean"].update(fluency=0.0),
            "fluency: 0.0 is not a mean of 3",
        ),
    ],
)
def test_format_errors_name_line_and_field(tmp_path, edit, message):
    records = _raw_lines()[:3]
    edit(records[1])
    path = tmp_path / "bad.jsonl.gz"
    _write_gz(path, records)
    with pytest.raises(
        se.SummEvalFormatError, match=r"bad\.jsonl\.gz, line 2: .*" + message.replace(".", r"\.")
    ):
        se.read_summeval(path, verify_sha256=False)


def test_checksum_is_verified(tmp_path):
    path = tmp_path / "summeval.jsonl.gz"
    _write_gz(path, _raw_lines()[:2])
    with pytest.raises(se.SummEvalFormatError, match="SHA-256"):
        se.read_summeval(path)
    assert len(se.read_summeval(path, verify_sha256=False).documents) == 2
    with pytest.raises(FileNotFoundError, match="import_summeval"):
        se.read_summeval(tmp_path / "nothing.jsonl.gz")


def test_select_documents_is_seeded_and_nested(data):
    small = se.select_documents(data, n_docs=3, seed=11)
    large = se.select_documents(data, n_docs=20, seed=11)
    assert large[:3] == small and len(set(large)) == 20
    assert se.select_documents(data, n_docs=20, seed=11) == large
    assert se.select_documents(data, n_docs=20, seed=12) != large
    assert not set(se.select_documents(data, n_docs=5, seed=1, exclude=small)) & set(small)
    for bad in (0, 101, 2.0, True):
        with pytest.raises(ValueError, match="n_docs"):
            se.select_documents(data, n_docs=bad, seed=1)


def test_subset_keeps_order_and_all_tables(data):
    ids = list(data.documents["doc_id"].iloc[[7, 2]])
    sub = data.subset(ids)
    assert sub.documents["doc_id"].tolist() == ids
    assert sub.summaries["doc_id"].unique().tolist() == ids
    assert len(sub.references) == 22 and len(sub.expert_means) == 2 * 16 * 4
    np.testing.assert_array_equal(
        sub.expert_means["score"].to_numpy(),
        pd.concat([data.expert_means[data.expert_means["doc_id"] == d] for d in ids])[
            "score"
        ].to_numpy(),
    )
    with pytest.raises(ValueError, match="unknown SummEval doc_id"):
        data.subset(["nope"])


def test_expert_means_names_missing_columns():
    with pytest.raises(ValueError, match="score"):
        se.expert_means(pd.DataFrame({"patient_id": [], "summarizer": [], "criterion": []}))
