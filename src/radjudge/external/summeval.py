"""SummEval: import, validation and conversion to the study's long ratings format.

SummEval (Fabbri et al. 2021, TACL 9:391-409) is 100 CNN/DailyMail test
articles, each summarized by 16 systems (M0 ... M23) and accompanied by 11
reference summaries; three expert annotators rated every summary on
coherence, consistency, fluency and relevance (1-5). The copy in
``data/external/summeval/`` (``paths.SUMMEVAL``) holds the expert *means* and
the tokenized text used by BARTScore, UniEval and G-Eval; see its README for
provenance and licence (MIT; redistributed by neulab/BARTScore, Apache-2.0).

The expert means enter the study through the same door as any expert rating:
:func:`write_ratings_csv` writes the long CSV format of
:func:`radjudge.ratings.load_expert_ratings` (one "expert" - the SummEval
panel - whose score is the mean of ``n_raters_averaged = 3`` whole ratings),
and :func:`load_summeval_ratings` reads it back through that function. There
is no side channel: what the meta-evaluation uses is what the importer
validated.

File format (``summeval.jsonl.gz``, one JSON object per line)::

    {"doc_id": str, "source": str, "reference": str, "references": [11 x str],
     "summaries": [16 x {"system_id": str, "summary": str,
                         "expert_mean": {"coherence": float, "consistency": float,
                                         "fluency": float, "relevance": float}}]}
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from radjudge import paths
from radjudge.anonymize.public import register_public_texts
from radjudge.contracts import SUMMEVAL_CRITERIA
from radjudge.manifest import sha256_file
from radjudge.ratings import load_expert_ratings

__all__ = [
    "SUMMEVAL_DATASET",
    "SUMMEVAL_LICENCE",
    "SUMMEVAL_CRITERIA",
    "SUMMEVAL_SCALE_MAX",
    "SUMMEVAL_RATERS",
    "SUMMEVAL_SHA256",
    "SUMMEVAL_EXPERT_ID",
    "SummEval",
    "SummEvalFormatError",
    "read_summeval",
    "import_summeval",
    "write_ratings_csv",
    "load_summeval_ratings",
    "expert_means",
    "select_documents",
]

#: Name of the registered public data set (radjudge.anonymize.public) and its licence.
SUMMEVAL_DATASET = "SummEval"
SUMMEVAL_LICENCE = "MIT (SummEval annotations)"
#: Expert ratings are whole numbers 1..5.
SUMMEVAL_SCALE_MAX = 5
#: Each published score is the mean of 3 expert annotators.
SUMMEVAL_RATERS = 3
#: ``expert_id`` of the SummEval panel in the long ratings format.
SUMMEVAL_EXPERT_ID = "summeval_experts"
#: SHA-256 of ``summeval.jsonl.gz`` as copied from the workplace's shared data.
SUMMEVAL_SHA256 = "8ef4347dc8b5852195623ade3ee4a819e97288ef2d2f021896fba97cfa2716a6"
_FILES = ("summeval.jsonl.gz", "SUMMEVAL_LICENSE")
_N_SYSTEMS = 16
_N_REFERENCES = 11


class SummEvalFormatError(ValueError):
    """The SummEval file breaks its format; the message names the line and the field."""


@dataclass(frozen=True)
class SummEval:
    """SummEval as tidy tables.

    Attributes
    ----------
    documents : DataFrame, shape (100, 3)
        ``doc_id, source, reference`` (``reference`` is the original CNN/DM highlight).
    references : DataFrame, shape (1100, 3)
        ``doc_id, ref_index, text``: the 11 reference summaries of each article.
    summaries : DataFrame, shape (1600, 3)
        ``doc_id, system_id, text``.
    expert_means : DataFrame, shape (6400, 4)
        ``doc_id, system_id, criterion, score``: mean of 3 expert ratings (float).
    path : pathlib.Path
        The file read.
    sha256 : str
        Its SHA-256.
    """

    documents: pd.DataFrame
    references: pd.DataFrame
    summaries: pd.DataFrame
    expert_means: pd.DataFrame
    path: Path
    sha256: str

    def subset(self, doc_ids: Sequence[str]) -> SummEval:
        """The same tables restricted to ``doc_ids`` (in the given order).

        Raises
        ------
        ValueError
            If a document id is unknown.
        """
        doc_ids = list(doc_ids)
        known = set(self.documents["doc_id"])
        unknown = [d for d in doc_ids if d not in known]
        if unknown:
            raise ValueError(f"unknown SummEval doc_id(s) {unknown[:3]} ({len(unknown)} in all)")
        order = {d: i for i, d in enumerate(doc_ids)}

        def pick(df: pd.DataFrame) -> pd.DataFrame:
            out = df[df["doc_id"].isin(order)]
            return out.iloc[
                np.argsort(out["doc_id"].map(order).to_numpy(), kind="stable")
            ].reset_index(drop=True)

        return SummEval(
            pick(self.documents),
            pick(self.references),
            pick(self.summaries),
            pick(self.expert_means),
            self.path,
            self.sha256,
        )


def _fail(path: Path, line: int, problem: str) -> SummEvalFormatError:
    return SummEvalFormatError(f"{path}, line {line}: {problem}")


def read_summeval(
    path: str | os.PathLike[str] | None = None, *, verify_sha256: bool = True
) -> SummEval:
    """Read and validate ``summeval.jsonl.gz``.

    Parameters
    ----------
    path : path-like, optional
        Default ``paths.SUMMEVAL_DATA`` (the committed copy).
    verify_sha256 : bool, default True
        Require the file to be byte-identical to the copy this module was
        written for (:data:`SUMMEVAL_SHA256`); pass False to read another version.

    Returns
    -------
    SummEval

    Raises
    ------
    FileNotFoundError
        The file is missing (see :func:`import_summeval`).
    SummEvalFormatError
        A checksum mismatch, a line that is not JSON, a missing field, a document
        without 16 systems or 11 references, a duplicated id, or an expert mean
        that is not a mean of 3 whole ratings in 1..5.
    """
    path = Path(path) if path is not None else paths.SUMMEVAL_DATA
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} does not exist; copy SummEval with radjudge.external.import_summeval() "
            f"(from {paths.SHARED_DATA / 'summeval'})"
        )
    digest = sha256_file(path)
    if verify_sha256 and digest != SUMMEVAL_SHA256:
        raise SummEvalFormatError(
            f"{path}: SHA-256 {digest} differs from the imported copy {SUMMEVAL_SHA256}; "
            "restore it (git checkout) or pass verify_sha256=False for another version"
        )
    docs: list[tuple[str, str, str]] = []
    refs: list[tuple[str, int, str]] = []
    summs: list[tuple[str, str, str]] = []
    means: list[tuple[str, str, str, float]] = []
    seen_docs: set[str] = set()
    systems: tuple[str, ...] | None = None
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise _fail(path, line_no, f"not JSON ({exc})") from None
            for key in ("doc_id", "source", "reference", "references", "summaries"):
                if key not in rec:
                    raise _fail(path, line_no, f"field {key!r} is missing")
            doc = rec["doc_id"]
            if doc in seen_docs:
                raise _fail(path, line_no, f"doc_id {doc!r} appears twice")
            seen_docs.add(doc)
            if len(rec["references"]) != _N_REFERENCES:
                raise _fail(
                    path, line_no, f"{len(rec['references'])} references, expected {_N_REFERENCES}"
                )
            if len(rec["summaries"]) != _N_SYSTEMS:
                raise _fail(
                    path, line_no, f"{len(rec['summaries'])} summaries, expected {_N_SYSTEMS}"
                )
            ids = tuple(sorted(s.get("system_id", "") for s in rec["summaries"]))
            if len(set(ids)) != _N_SYSTEMS:
                raise _fail(path, line_no, "duplicated or missing system_id")
            if systems is None:
                systems = ids
            elif ids != systems:
                raise _fail(
                    path, line_no, f"systems {ids} differ from the first document's {systems}"
                )
            docs.append((doc, rec["source"], rec["reference"]))
            refs.extend((doc, i, text) for i, text in enumerate(rec["references"]))
            for s in rec["summaries"]:
                summs.append((doc, s["system_id"], s["summary"]))
                em = s.get("expert_mean", {})
                if set(em) != set(SUMMEVAL_CRITERIA):
                    raise _fail(
                        path,
                        line_no,
                        f"system {s['system_id']}: expert_mean has {sorted(em)}, "
                        f"expected {list(SUMMEVAL_CRITERIA)}",
                    )
                for crit in SUMMEVAL_CRITERIA:
                    v = float(em[crit])
                    whole = v * SUMMEVAL_RATERS
                    if not (1 <= v <= SUMMEVAL_SCALE_MAX and abs(whole - round(whole)) < 1e-9):
                        raise _fail(
                            path,
                            line_no,
                            f"system {s['system_id']} {crit}: {v!r} is not a mean of "
                            f"{SUMMEVAL_RATERS} whole ratings in 1..{SUMMEVAL_SCALE_MAX}",
                        )
                    means.append((doc, s["system_id"], crit, v))
    # the articles are public news: the judges may read them as written (radjudge.anonymize.public)
    register_public_texts(
        SUMMEVAL_DATASET,
        [source for _, source, _ in docs],
        licence=SUMMEVAL_LICENCE,
        source="SummEval (Fabbri et al. 2021): CNN/DailyMail test articles, data/external/summeval",
    )
    return SummEval(
        documents=pd.DataFrame(docs, columns=["doc_id", "source", "reference"]),
        references=pd.DataFrame(refs, columns=["doc_id", "ref_index", "text"]),
        summaries=pd.DataFrame(summs, columns=["doc_id", "system_id", "text"]),
        expert_means=pd.DataFrame(means, columns=["doc_id", "system_id", "criterion", "score"]),
        path=path,
        sha256=digest,
    )


def import_summeval(
    source: str | os.PathLike[str] | None = None,
    dest: str | os.PathLike[str] | None = None,
) -> Path:
    """Copy SummEval and its licence from the shared data folder into the project.

    This is how ``data/external/summeval/`` was made (its README, with the
    provenance, is written by hand and committed alongside). Files already in
    place with the right checksum are left alone.

    Parameters
    ----------
    source : path-like, optional
        Folder holding ``summeval.jsonl.gz`` and ``SUMMEVAL_LICENSE``;
        default ``paths.SHARED_DATA / "summeval"``.
    dest : path-like, optional
        Default ``paths.SUMMEVAL``.

    Returns
    -------
    pathlib.Path
        The data file in ``dest``.

    Raises
    ------
    FileNotFoundError
        A source file is missing.
    SummEvalFormatError
        The data file's checksum is not :data:`SUMMEVAL_SHA256`.
    """
    src = Path(source) if source is not None else paths.SHARED_DATA / "summeval"
    dst = Path(dest) if dest is not None else paths.SUMMEVAL
    for name in _FILES:
        if not (src / name).is_file():
            raise FileNotFoundError(f"{src / name} does not exist")
    if sha256_file(src / _FILES[0]) != SUMMEVAL_SHA256:
        raise SummEvalFormatError(
            f"{src / _FILES[0]}: SHA-256 is not {SUMMEVAL_SHA256} (another version?)"
        )
    dst.mkdir(parents=True, exist_ok=True)
    for name in _FILES:
        target = dst / name
        if not target.is_file() or sha256_file(target) != sha256_file(src / name):
            shutil.copyfile(src / name, target)  # copyfile: no read-only mode bits from shared/
    return dst / _FILES[0]


def write_ratings_csv(data: SummEval, path: str | os.PathLike[str] | None = None) -> Path:
    """Write the expert means as the long CSV :func:`radjudge.ratings.load_expert_ratings` reads.

    One row per (article, system, criterion): ``expert_id`` is
    :data:`SUMMEVAL_EXPERT_ID`, ``expert_category`` ``"expert"``,
    ``patient_id`` the article's ``doc_id``, ``summarizer`` the ``system_id``,
    ``scale_max`` 5, ``score`` the mean written with ``repr`` (shortest
    round-trip decimal, so it reads back as the identical float) and
    ``n_raters_averaged`` 3.

    Parameters
    ----------
    data : SummEval
    path : path-like, optional
        Default ``paths.SUMMEVAL_RATINGS_CSV``.

    Returns
    -------
    pathlib.Path
    """
    path = Path(path) if path is not None else paths.SUMMEVAL_RATINGS_CSV
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "expert_id",
                "expert_category",
                "patient_id",
                "summarizer",
                "criterion",
                "scale_max",
                "score",
                "n_raters_averaged",
            ]
        )
        for r in data.expert_means.itertuples(index=False):
            w.writerow(
                [
                    SUMMEVAL_EXPERT_ID,
                    "expert",
                    r.doc_id,
                    r.system_id,
                    r.criterion,
                    SUMMEVAL_SCALE_MAX,
                    repr(float(r.score)),
                    SUMMEVAL_RATERS,
                ]
            )
    os.replace(tmp, path)
    return path


def load_summeval_ratings(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read the SummEval long CSV through :func:`radjudge.ratings.load_expert_ratings`.

    Parameters
    ----------
    path : path-like, optional
        Default ``paths.SUMMEVAL_RATINGS_CSV`` (written by :func:`write_ratings_csv`).

    Returns
    -------
    DataFrame
        The importer's tidy table (:data:`radjudge.contracts.EXPERT_RATINGS`),
        criteria restricted to :data:`SUMMEVAL_CRITERIA`, scale 1..5.
    """
    path = Path(path) if path is not None else paths.SUMMEVAL_RATINGS_CSV
    return load_expert_ratings(path, criteria=SUMMEVAL_CRITERIA, scale_max=SUMMEVAL_SCALE_MAX)


def expert_means(ratings: pd.DataFrame) -> pd.DataFrame:
    """Mean expert score per (article, system, criterion) from the imported ratings.

    Parameters
    ----------
    ratings : DataFrame
        Output of :func:`load_summeval_ratings` (or any table of the importer's
        format: one or several experts).

    Returns
    -------
    DataFrame
        ``patient_id, summarizer, criterion, human`` (float; the mean over the
        experts' non-missing scores, NaN when all are missing).
    """
    need = ["patient_id", "summarizer", "criterion", "score"]
    missing = [c for c in need if c not in ratings.columns]
    if missing:
        raise ValueError(
            f"expert_means: column(s) {missing} missing; pass the output of load_summeval_ratings"
        )
    df = ratings[need].assign(score=ratings["score"].astype("Float64").astype(float))
    return (
        df.groupby(["patient_id", "summarizer", "criterion"], sort=False)["score"]
        .mean()
        .rename("human")
        .reset_index()
    )


def select_documents(
    data: SummEval, *, n_docs: int, seed: int, exclude: Iterable[str] = ()
) -> tuple[str, ...]:
    """A reproducible random subset of articles (all 16 systems each).

    Parameters
    ----------
    data : SummEval
    n_docs : int
        Articles to draw, 1..100.
    seed : int
        Profile ``shared.seed``.
    exclude : iterable of str, default ()
        Articles never drawn.

    Returns
    -------
    tuple of str
        ``doc_id`` values: the first ``n_docs`` of a seeded permutation, so the
        subsets drawn with one seed are nested (the smoke profile's articles
        are among the demo's).

    Raises
    ------
    ValueError
        ``n_docs`` out of range.
    """
    excluded = set(exclude)
    pool = [d for d in data.documents["doc_id"] if d not in excluded]
    if (
        isinstance(n_docs, bool)
        or not isinstance(n_docs, int | np.integer)
        or not 1 <= n_docs <= len(pool)
    ):
        raise ValueError(f"n_docs must be an int from 1 to {len(pool)}; got {n_docs!r}")
    order = np.random.default_rng(seed).permutation(len(pool))
    return tuple(pool[i] for i in order[: int(n_docs)])
