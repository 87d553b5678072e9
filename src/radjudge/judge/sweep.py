"""The judge sweep: judges x criteria x scales x granularities x repeats x summaries.

Each judge of the profile (``04_judge_sweeps.judges``) is one mode of one
model, or a reference-based metric:

``logprobs``
    one scoring call per prompt: the probability of every valid label after
    the answer prefix (:func:`~radjudge.judge.label_distribution`). In-process
    models share the record/summary prefix across every criterion, scale and
    granularity (:mod:`radjudge.llm.prefix`); servers cache prefixes themselves.
``generate``
    one greedy (or seeded) answer per prompt, read by
    :func:`~radjudge.judge.parse_score`; on servers that support it the
    answer can be constrained to the valid labels (``guided: true``).
``sample``
    n answers at temperature t per prompt, reduced to mean and mode
    (:func:`~radjudge.judge.reduce_samples`, G-Eval style).
``metric``
    ROUGE-L or chrF against the patient's summary by the judge's reference
    summarizer (``reference``, default gold; no model). A metric is a reference
    line (``judge_kind = "metric"``): its rows have no scale, no granularity
    and no ``score``, only the value in ``expected_score``.

Every LLM call goes through :class:`radjudge.llm.LLMClient`, i.e. through the
guard (``check_llm_text``) and the persistent call cache: an interrupted sweep
resumes where it stopped, and a complete one replays without a model. Records
must pass :func:`radjudge.anonymize.require_anonymized` before any prompt is
built.

Output (:func:`run_sweep`): the long table of ratings
(:data:`radjudge.contracts.JUDGE_RATINGS`) and the validity report with its
gate (:func:`radjudge.judge.validity.validity_report`,
:data:`radjudge.contracts.JUDGE_VALIDITY`).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from radjudge.anonymize import (
    AnonymizedRecord,
    PHIGuardError,
    check_llm_text,
    require_anonymized,
)
from radjudge.anonymize.guard import describe_findings, scan_text
from radjudge.anonymize.public import require_public
from radjudge.anonymize.remote import require_remote_consent
from radjudge.contracts import JUDGE_RATINGS, Granularity
from radjudge.judge.config import JudgeSpec
from radjudge.judge.metric import metric_value
from radjudge.judge.parse import parse_score
from radjudge.judge.prompt import JudgePrompt, load_template, render_judge_prompt
from radjudge.judge.scoring import label_distribution, reduce_samples
from radjudge.judge.validity import ValidityGate, validity_report
from radjudge.llm import GenerationRequest, LLMClient, ScoreRequest, load_client
from radjudge.llm.types import CacheMode
from radjudge.rubric import load_rubric

__all__ = [
    "PublicSource",
    "SweepResult",
    "load_judge_clients",
    "plan_size",
    "run_sweep",
]


@dataclass(frozen=True)
class PublicSource:
    """A public, non-clinical source text that judges may read as written.

    The sweep's sources are anonymized patient records; a public data set
    rated by real experts (SummEval news articles) must reach the judges
    unchanged instead - anonymizing it would change the text the experts
    rated. Such sources are wrapped in this class, and the clients that read
    them must carry a guard that registers exactly these texts
    (:class:`radjudge.external.guard.PublicTextGuard`); every other text still
    goes through the PHI guard. Only a text registered by a public data set's
    loader is accepted (:func:`radjudge.anonymize.public.require_public`); a
    patient record is refused.

    Attributes
    ----------
    source_id : str
        Matches ``patient_id`` of the summaries table (e.g. a SummEval ``doc_id``).
    text : str
    dataset : str
        The registered public data set the text belongs to (e.g. ``"SummEval"``).

    Raises
    ------
    radjudge.anonymize.PHIGuardError
        If ``text`` is not a registered text of ``dataset``.
    """

    source_id: str
    text: str
    dataset: str

    def __post_init__(self) -> None:
        require_public(self.text, dataset=self.dataset)


@dataclass
class SweepResult:
    """Outcome of :func:`run_sweep`.

    Attributes
    ----------
    ratings : pandas.DataFrame
        One row per judge x criterion x scale x granularity x repeat x summary
        (the columns of :data:`radjudge.contracts.JUDGE_RATINGS`).
    validity : pandas.DataFrame
        :func:`~radjudge.judge.validity.validity_report` of ``ratings``, with the gate.
    judges : pandas.DataFrame
        Per judge: evaluations, wall seconds, evaluations per second, cache
        hits and misses, tokens.
    """

    ratings: pd.DataFrame
    validity: pd.DataFrame
    judges: pd.DataFrame = field(default_factory=pd.DataFrame)


def load_judge_clients(
    judges: Sequence[JudgeSpec],
    *,
    models: Mapping[str, Mapping[str, Any]],
    cache_dir: Any,
    cache_mode: CacheMode = "readwrite",
    records: Sequence[AnonymizedRecord] = (),
    allow_remote_phi: bool = False,
) -> dict[str, LLMClient]:
    """One guarded, cached LLM client per registry model the judges use.

    Parameters
    ----------
    judges : sequence of JudgeSpec
    models : mapping
        ``shared.models``.
    cache_dir : path-like
        ``shared.cache_dir`` (relative paths from the project root).
    cache_mode : {"readwrite", "readonly", "off"}, default "readwrite"
    records : sequence of AnonymizedRecord, default ()
        Their ``surrogates`` (shifted dates) are what the guard accepts.
    allow_remote_phi : bool, default False
        ``shared.allow_remote_phi``: consent to send real records to a model
        served by a remote host (:mod:`radjudge.anonymize.remote`).

    Returns
    -------
    dict of str to radjudge.llm.LLMClient
        Models load lazily, on the first cache miss: a replay loads none.
    """
    allowed = sorted({s for r in records for s in r.surrogates})

    def guard(text: str) -> None:
        check_llm_text(text, allowed=allowed)

    names = list(dict.fromkeys(j.model for j in judges if j.model is not None))
    used = {n: [f"judge {j.name}" for j in judges if j.model == n] for n in names}
    require_remote_consent(
        models, used, records=records, allow_remote_phi=allow_remote_phi, where="04_judge_sweeps"
    )
    return {
        name: load_client(
            name,
            models[name],
            cache_dir=cache_dir,
            cache_mode=cache_mode,
            text_guard=guard,
        )
        for name in names
    }


def _check_summaries(summaries: pd.DataFrame) -> pd.DataFrame:
    need = ("patient_id", "summarizer", "summarizer_kind", "text")
    missing = [c for c in need if c not in summaries.columns]
    if missing:
        raise ValueError(
            f"summaries lack column(s) {missing}; the stage-02 table has {list(need)} and more"
        )
    # the flag (stage 02) tells the validity gate which summaries are degenerate
    df = summaries.loc[:, [*need, *(["flag"] if "flag" in summaries.columns else [])]].copy()
    for col in ("patient_id", "summarizer", "summarizer_kind"):
        if df[col].isna().any():
            raise ValueError(
                f"summaries: column {col!r} is missing in row "
                f"{int(df[col].isna().to_numpy().argmax())}"
            )
        df[col] = df[col].astype(str)
    df["text"] = df["text"].fillna("").astype(str)
    dup = df.duplicated(["patient_id", "summarizer"], keep=False)
    if dup.any():
        ex = df.loc[dup, ["patient_id", "summarizer"]].head(3).to_dict("records")
        raise ValueError(f"summaries: (patient_id, summarizer) must be unique; repeated e.g. {ex}")
    return df.sort_values(["patient_id", "summarizer"], kind="stable").reset_index(drop=True)


def plan_size(judges: Sequence[JudgeSpec], summaries: pd.DataFrame) -> pd.DataFrame:
    """Evaluations per judge for these summaries (rows of the output).

    Returns
    -------
    pandas.DataFrame
        judge, mode, model, patients, summaries, configs, evaluations, calls
        (model calls: evaluations x n for sampling; 0 for metrics).
    """
    df = _check_summaries(summaries)
    pids = sorted(df["patient_id"].unique())
    rows = []
    for j in judges:
        chosen = pids[: j.patients] if j.patients else pids
        n_sum = int(df["patient_id"].isin(chosen).sum())
        evals = n_sum * len(j.configs)
        rows.append(
            {
                "judge": j.name,
                "mode": j.mode,
                "model": j.model,
                "patients": len(chosen),
                "summaries": n_sum,
                "configs": len(j.configs),
                "evaluations": evals,
                "calls": 0 if j.mode == "metric" else evals * j.n,
            }
        )
    return pd.DataFrame(rows)


def _prompt_hash_metric(metric: str, reference: str, candidate: str) -> str:
    payload = json.dumps(
        {"metric": metric, "reference": reference, "candidate": candidate},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _row(
    judge: JudgeSpec,
    crit: str,
    scale: int | None,
    gran: str | None,
    rep: int,
    pid: str,
    summarizer: str,
    **values: Any,
) -> dict[str, Any]:
    row = {
        "judge": judge.name,
        "judge_kind": judge.kind,
        "criterion": crit,
        "scale": scale,
        "granularity": gran,
        "repeat": rep,
        "patient_id": pid,
        "summarizer": summarizer,
        "score": None,
        "expected_score": math.nan,
        "distribution": None,
        "status": "failed",
        "raw": "",
        "prompt_hash": "",
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "latency_s": 0.0,
        "mode": judge.mode,
        "model": judge.model or judge.metric,
        "language": judge.language,
        "valid_mass": math.nan,
        "entropy": math.nan,
        "n_samples": 0,
        "n_valid": 0,
        "cached": False,
    }
    row.update(values)
    return row


def _metric_rows(judge: JudgeSpec, df: pd.DataFrame, pids: Sequence[str]) -> list[dict[str, Any]]:
    rows = []
    refs = {r.patient_id: r.text for r in df[df["summarizer"] == judge.reference].itertuples()}
    assert judge.metric is not None
    for s in df[df["patient_id"].isin(pids)].itertuples():
        ref = refs.get(s.patient_id)
        reason = None
        if ref is None or not ref.strip():
            reason = (
                f"no {judge.reference} summary for patient {s.patient_id}: a reference-based "
                "metric needs one"
            )
        elif s.summarizer == judge.reference:
            reason = "reference summary: a reference-based metric cannot rate its own reference"
        elif not s.text.strip():
            reason = "empty summary"
        value = None if reason else metric_value(judge.metric, ref, s.text)  # type: ignore[arg-type]
        ph = _prompt_hash_metric(judge.metric, ref or "", s.text)
        for crit, scale, gran, rep in judge.configs:
            if reason:
                rows.append(
                    _row(
                        judge,
                        crit,
                        scale,
                        gran,
                        rep,
                        s.patient_id,
                        s.summarizer,
                        status="failed",
                        raw=reason,
                        prompt_hash=ph,
                    )
                )
            else:
                assert value is not None
                rows.append(
                    _row(
                        judge,
                        crit,
                        scale,
                        gran,
                        rep,
                        s.patient_id,
                        s.summarizer,
                        expected_score=value,
                        status="ok",
                        raw=f"{value:.6f}",
                        prompt_hash=ph,
                    )
                )
    return rows


def _anonymized_only(
    records: Iterable[AnonymizedRecord | PublicSource],
) -> list[AnonymizedRecord]:
    """The patient records among ``records`` (public sources carry no patient)."""
    return [r for r in records if not isinstance(r, PublicSource)]


def _check_prompt_parts(
    df: pd.DataFrame, records: Mapping[str, AnonymizedRecord], pids: Iterable[str]
) -> None:
    """Guard the record and each summary of these patients on their own, before any prompt.

    The client's guard scans whole prompts; checking the parts first lets an
    error say whose text holds the finding. Each part is checked with its
    patient's surrogates allowed (the client allows those of every record).
    Detection is memoized per line, so the client's later scan costs little.
    """
    for pid in sorted(set(pids) & set(records)):
        rec = records[pid]
        parts = [("record", "the anonymized record", rec.text)]
        parts += [
            ("summary", f"summarizer {s.summarizer}", s.text)
            for s in df[df["patient_id"] == pid].itertuples()
            if s.text.strip()
        ]
        for part, whose, text in parts:
            # the prompt embeds the stripped text (render_judge_prompt)
            findings = scan_text(text.strip(), allowed=rec.surrogates)
            if not findings:
                continue
            fix = (
                "Re-run notebook 01 (the anonymizer) on the source records."
                if part == "record"
                else "Summaries written by radjudge.summarize.run_summarizers are masked "
                "(column phi_masked); re-run notebook 02, or pass this text through "
                "radjudge.summarize.mask_summary_phi."
            )
            raise PHIGuardError(
                f"judge prompt of patient {pid}, {whose}: residual PHI in the {part} part "
                f"(offsets within that part): {describe_findings(findings)}. {fix}",
                tuple(findings),
            )


def _source_texts(records: Iterable[AnonymizedRecord | PublicSource]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for r in records:
        if isinstance(r, PublicSource):
            require_public(r.text, dataset=r.dataset)  # also for one built around __init__
            texts[r.source_id] = r.text
        else:
            rec = require_anonymized(r)
            texts[rec.patient_id] = rec.text
    return texts


def run_sweep(
    summaries: pd.DataFrame,
    records: Iterable[AnonymizedRecord | PublicSource],
    judges: Sequence[JudgeSpec],
    *,
    clients: Mapping[str, LLMClient],
    seed: int,
    rubric: str = "clinical_summary",
    template: str | os.PathLike[str] | None = None,
    progress: bool = True,
    on_judge_done: Callable[[JudgeSpec, pd.DataFrame], Any] | None = None,
    gate: ValidityGate | Mapping[str, Any] | None = None,
) -> SweepResult:
    """Run every judge over every summary and grid cell.

    Parameters
    ----------
    summaries : pandas.DataFrame
        Stage-02 table (``patient_id``, ``summarizer``, ``summarizer_kind``, ``text``).
    records : iterable of AnonymizedRecord or PublicSource
        The sources the summaries were made from. Patient records must pass
        :func:`radjudge.anonymize.require_anonymized`, else nothing runs;
        :class:`PublicSource` texts of a public data set are read as written.
    judges : sequence of JudgeSpec
        From :func:`parse_judges`.
    clients : mapping of str to LLMClient
        Registry name -> client (``radjudge.llm.load_client`` with
        ``text_guard=check_llm_text``); every LLM judge's model must be there.
    seed : int
        ``shared.seed``; sampling repeat ``r`` uses ``seed + r``.
    rubric : str, default "clinical_summary"
        Rubric name (``radjudge/rubric/<rubric>.<language>.yaml``).
    template : str or path, optional
        Judge template file; default the packaged clinical template of each
        judge's language (``radjudge/judge/templates/judge.<language>.yaml``).
    progress : bool, default True
        One progress bar over all evaluations, with ETA.
    on_judge_done : callable, optional
        Called with each judge and its rows as soon as it finishes.
    gate : ValidityGate or mapping, optional
        The validity gate's thresholds and reference summarizers
        (``shared.validity_gate``); the summaries' ``flag`` column,
        when present, marks the degenerate ones.

    Returns
    -------
    SweepResult

    Raises
    ------
    radjudge.anonymize.PHIGuardError
        A record is not an anonymized record, or a prompt text fails the
        guard. The record and every summary an LLM judge reads are checked on
        their own first (with the patient's surrogates allowed), so the error
        names the patient, the summarizer and the part (record or summary)
        that holds the finding; the client's guard then checks the whole
        prompts, and an error from it names the judge, the patient and the
        template and rubric, the only other parts.
    ValueError
        Bad summaries table, a summary of a patient without a record, a
        client built without a text guard, or a missing client.
    """
    df = _check_summaries(summaries)
    records = list(records)
    sources = _source_texts(records)
    orphans = sorted(set(df["patient_id"]) - set(sources))
    if orphans:
        raise ValueError(
            f"summaries of patient(s) {orphans[:5]} have no anonymized record; "
            "pass the records of notebook 01 for every summarized patient"
        )
    for j in judges:
        if j.mode == "metric":
            continue
        if j.llm_model not in clients:
            raise ValueError(
                f"judge {j.name!r}: no client for model {j.model!r}; pass clients[{j.model!r}]"
            )
        if getattr(clients[j.llm_model], "text_guard", None) is None:
            raise ValueError(
                f"judge {j.name!r}: client {j.model!r} has no text_guard; build it with "
                "radjudge.llm.load_client(..., text_guard=radjudge.anonymize.check_llm_text)"
            )
    pids = sorted(df["patient_id"].unique())
    anonymized = {r.patient_id: r for r in _anonymized_only(records)}
    _check_prompt_parts(
        df,
        anonymized,
        {
            p
            for j in judges
            if j.mode != "metric"
            for p in (pids[: j.patients] if j.patients else pids)
        },
    )
    plan = plan_size(judges, df)
    templates = {
        lang: (
            load_rubric(rubric, language=lang),
            load_template(template if template is not None else lang),
        )
        for lang in {j.language for j in judges}
    }
    bar = tqdm(
        total=int(plan["evaluations"].sum()), desc="judge sweep", unit="eval", disable=not progress
    )
    all_rows: list[dict[str, Any]] = []
    per_judge = []
    try:
        for j in judges:
            chosen = pids[: j.patients] if j.patients else pids
            start = time.perf_counter()
            bar.set_postfix_str(j.name)
            before = dict(clients[j.llm_model].stats) if j.mode != "metric" else {}
            if j.mode == "metric":
                rows = _metric_rows(j, df, chosen)
                bar.update(len(rows))
            else:
                rows = []
                rub, tpl = templates[j.language]
                client = clients[j.llm_model]
                for pid in chosen:
                    items: list[
                        tuple[Any, tuple[str, int, Granularity, int], JudgePrompt | None]
                    ] = []
                    for s in df[df["patient_id"] == pid].itertuples():
                        for crit, scale, gran, rep in j.configs:
                            if scale is None or gran is None:  # only a metric's cells lack them
                                raise ValueError(
                                    f"judge {j.name!r} ({j.mode}): grid cell {crit!r} has no "
                                    "scale or granularity; an LLM judge needs both"
                                )
                            prompt = None
                            if s.text.strip():
                                prompt = render_judge_prompt(
                                    sources[pid],
                                    s.text,
                                    criterion=crit,
                                    scale=scale,
                                    granularity=gran,
                                    rubric=rub,
                                    template=tpl,
                                )
                            items.append((s, (crit, scale, gran, rep), prompt))
                    live = [(k, p) for k, (_, _, p) in enumerate(items) if p is not None]
                    results: dict[int, Any] = {}
                    reps = [items[k][1][3] for k, _ in live]
                    try:
                        outs = _call_model(
                            j, client, [p for _, p in live], reps, seed=seed, desc=f"{j.name} {pid}"
                        )
                    except PHIGuardError as exc:
                        # a patient's record and summaries passed _check_prompt_parts
                        where = (
                            "outside its record and summary parts (checked on their own before "
                            f"the sweep): in the text of template {tpl.source} or rubric "
                            f"{rub.source}"
                            if pid in anonymized
                            else "(a public source)"
                        )
                        raise PHIGuardError(
                            f"judge {j.name}, patient {pid}: a prompt fails the guard {where}. "
                            f"{exc}",
                            exc.findings,
                        ) from exc
                    for (k, _), out in zip(live, outs, strict=True):
                        results[k] = out
                    for k, (s, (crit, scale, granularity, rep), prompt) in enumerate(items):
                        if prompt is None:
                            rows.append(
                                _row(
                                    j,
                                    crit,
                                    scale,
                                    granularity,
                                    rep,
                                    pid,
                                    s.summarizer,
                                    raw="empty summary",
                                )
                            )
                            continue
                        rows.append(
                            _llm_row(
                                j,
                                crit,
                                scale,
                                granularity,
                                rep,
                                pid,
                                s.summarizer,
                                prompt,
                                results[k],
                            )
                        )
                    bar.update(len(items))
            seconds = time.perf_counter() - start
            after = dict(clients[j.llm_model].stats) if j.mode != "metric" else {}
            per_judge.append(
                {
                    "judge": j.name,
                    "mode": j.mode,
                    "model": j.model or j.metric,
                    "evaluations": len(rows),
                    "seconds": round(seconds, 3),
                    "evaluations_per_s": round(len(rows) / seconds, 3) if seconds else math.nan,
                    **{
                        f"cache_{k}": after.get(k, 0) - before.get(k, 0)
                        for k in ("calls", "hits", "misses", "prompt_tokens", "completion_tokens")
                    },
                }
            )
            if on_judge_done is not None:
                on_judge_done(j, _frame(rows))
            all_rows.extend(rows)
    finally:
        bar.close()
    ratings = _frame(all_rows)
    validity = validity_report(ratings, summaries=df if "flag" in df.columns else None, gate=gate)
    return SweepResult(ratings=ratings, validity=validity, judges=pd.DataFrame(per_judge))


def _call_model(
    j: JudgeSpec,
    client: LLMClient,
    prompts: Sequence[JudgePrompt],
    reps: Sequence[int],
    *,
    seed: int,
    desc: str,
) -> Sequence[Any]:
    """The model calls of one judge for one patient's prompts (repeat ``reps[i]`` each)."""
    if not prompts:
        return []
    if j.mode == "logprobs":
        scoring = [
            ScoreRequest(
                p.segments, system=p.system, answer_prefix=p.answer_prefix, options=p.options
            )
            for p in prompts
        ]
        return client.score_options(scoring, desc=desc, share_prefix=True)
    choices = bool(j.guided and getattr(client.backend, "supports_choices", True))
    reqs = [
        GenerationRequest(
            p.segments,
            system=p.system,
            answer_prefix=p.answer_prefix,
            max_tokens=j.max_tokens,
            temperature=j.temperature,
            top_p=j.top_p,
            seed=seed + rep if j.temperature > 0 else None,
            stop=j.stop,
            n=j.n,
            choices=p.options if choices else (),
        )
        for p, rep in zip(prompts, reps, strict=True)
    ]
    return client.generate(reqs, desc=desc)


def _llm_row(
    j: JudgeSpec,
    crit: str,
    scale: int,
    gran: str,
    rep: int,
    pid: str,
    summarizer: str,
    prompt: JudgePrompt,
    out: Any,
) -> dict[str, Any]:
    common = dict(
        prompt_hash=prompt.prompt_hash,
        prompt_tokens=int(out.prompt_tokens),
        latency_s=float(out.latency_s),
        cached=bool(out.cached),
    )
    if out.status != "ok":
        return _row(
            j,
            crit,
            scale,
            gran,
            rep,
            pid,
            summarizer,
            status="failed",
            raw=f"call failed: {out.error}",
            **common,
        )
    if j.mode == "logprobs":
        raw = json.dumps(dict(zip(out.options, out.logprobs, strict=True)))
        try:
            dist = label_distribution(
                out.options, out.logprobs, token_counts=out.option_token_counts
            )
        except ValueError as exc:
            return _row(
                j,
                crit,
                scale,
                gran,
                rep,
                pid,
                summarizer,
                status="failed",
                raw=f"{raw} ({exc})",
                **common,
            )
        return _row(
            j,
            crit,
            scale,
            gran,
            rep,
            pid,
            summarizer,
            score=dist.mode,
            expected_score=dist.expected,
            distribution=dist.to_json(),
            status="ok",
            raw=raw,
            valid_mass=dist.valid_mass,
            entropy=dist.entropy,
            **common,
        )
    parsed = [parse_score(t, low=prompt.low, high=prompt.high) for t in out.texts]
    tokens = int(out.completion_tokens)
    if j.mode == "generate":
        p = parsed[0]
        return _row(
            j,
            crit,
            scale,
            gran,
            rep,
            pid,
            summarizer,
            score=p.score,
            status=p.status,
            raw=p.raw,
            completion_tokens=tokens,
            n_samples=1,
            n_valid=int(p.status == "ok"),
            **common,
        )
    summary = reduce_samples(parsed)
    return _row(
        j,
        crit,
        scale,
        gran,
        rep,
        pid,
        summarizer,
        score=summary.mode,
        expected_score=summary.mean,
        distribution=summary.to_json(),
        status=summary.status,
        raw=json.dumps(list(out.texts), ensure_ascii=False),
        completion_tokens=tokens,
        valid_mass=summary.n_valid / summary.n,
        n_samples=summary.n,
        n_valid=summary.n_valid,
        **common,
    )


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=list(JUDGE_RATINGS.names()))
    df["score"] = pd.array(df["score"].tolist(), dtype="Int64")
    df["scale"] = pd.array(df["scale"].tolist(), dtype="Int64")  # NA for metrics
    df["granularity"] = df["granularity"].astype(object)
    for col in ("repeat", "prompt_tokens", "completion_tokens", "n_samples", "n_valid"):
        df[col] = df[col].astype("int64")
    for col in ("expected_score", "latency_s", "valid_mass", "entropy"):
        df[col] = df[col].astype("float64")
    df["cached"] = df["cached"].astype(bool)
    df["distribution"] = df["distribution"].astype(object)
    return df
