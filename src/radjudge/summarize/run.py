"""Run the summarizers of a profile over anonymized records: the summaries table.

:func:`run_summarizers` produces one row per (patient, summarizer) in the
columns of :data:`radjudge.contracts.SUMMARIES` (the data contract; the last five
columns keep bad outputs visible instead of dropping them):

``raw_text``
    What the model returned, answer prefix prepended, before the clean-up of
    :func:`~radjudge.summarize.postprocess.clean_summary` (equal to ``text``
    for the reference systems).
``finish_reason``
    ``"stop"``, ``"length"`` (``max_tokens`` reached), ``"failed"``; None for
    the reference systems.
``flag``
    ``"ok"``, ``"empty"``, ``"degenerate"`` (see
    :func:`~radjudge.summarize.postprocess.flag_summary`) or ``"failed"``
    (the call failed; ``text`` is empty and ``error`` says why).
``flag_reason``
    Why the flag is not ``"ok"`` (``too_short``, ``prompt_echo``, ``loop``,
    ``no_text``, ``call_failed``; several joined by ``;``), else None.
``error``
    The failure reason, else None.
``phi_masked``
    True if the guard found identifier-like text in the summary and it was
    masked (:func:`mask_summary_phi`): a gold summary quoting a raw date of
    the ground truth, or a model inventing one. ``raw_text`` keeps the original.

Every LLM call goes through :class:`radjudge.llm.LLMClient` (cache, guard,
accounting); every record must pass the anonymization guard first.

Batches. The requests of one summarizer go to the client in one call, longest
prompt first (ties in record order, :func:`generation_order`); the in-process
backend cuts them into consecutive batches of the model's ``batch_size``, so a
batch pads little. The order is fixed, so a cold run always computes the same
batches - which matters: greedy texts are bit-reproducible for a given batch
composition, and padding in another composition may flip a numerical near-tie
(see :mod:`radjudge.llm.transformers_backend`). :func:`generation_batches`
returns those batches, so a cached summary can be recomputed exactly as it was
first computed (the cache integrity test does that).

:func:`summary_stats` aggregates :func:`radjudge.summary_features.summary_features`
per summarizer: length, compression, key-fact coverage, structure and the
unsupported-content proxy.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import pandas as pd

from radjudge.anonymize import (
    AnonymizedRecord,
    anonymize_text,
    check_llm_text,
    require_anonymized,
)
from radjudge.anonymize.guard import scan_text
from radjudge.anonymize.remote import require_remote_consent
from radjudge.contracts import SUMMARIES
from radjudge.llm import LLMClient, load_client
from radjudge.llm.types import CacheMode
from radjudge.summarize.config import SummarizerConfig
from radjudge.summarize.extractive import extractive_summary
from radjudge.summarize.gold import render_gold_summary
from radjudge.summarize.postprocess import FlagRules, clean_summary, flag_summary
from radjudge.summarize.prompts import load_template, render_summary_request
from radjudge.summary_features import summary_features

__all__ = [
    "SummaryPhi",
    "mask_summary_phi",
    "load_summary_clients",
    "summary_requests",
    "generation_order",
    "generation_batches",
    "run_summarizers",
    "summary_stats",
]


class SummaryPhi(NamedTuple):
    """A summary after :func:`mask_summary_phi`."""

    text: str
    masked: bool


def load_summary_clients(
    configs: Sequence[SummarizerConfig],
    *,
    models: Mapping[str, Mapping[str, Any]],
    cache_dir: str | os.PathLike[str],
    cache_mode: CacheMode = "readwrite",
    records: Sequence[AnonymizedRecord] = (),
    allow_remote_phi: bool = False,
) -> dict[str, LLMClient]:
    """One LLM client per registry model that an ``llm`` summarizer uses.

    Parameters
    ----------
    configs : sequence of SummarizerConfig
    models : mapping
        The profile's ``shared.models`` registry.
    cache_dir : path-like
        The call cache folder (``shared.cache_dir``, resolved from the root).
    cache_mode : {"readwrite", "readonly", "off"}, default "readwrite"
    records : sequence of AnonymizedRecord, default ()
        The records to be summarized; their ``surrogates`` (shifted dates,
        when notebook 01 shifts dates) are what the clients' guard
        (:func:`radjudge.anonymize.check_llm_text`) accepts.
    allow_remote_phi : bool, default False
        ``shared.allow_remote_phi``: consent to send real records to a model
        served by a remote host (:mod:`radjudge.anonymize.remote`).

    Returns
    -------
    dict[str, radjudge.llm.LLMClient]
        Registry name -> client. Models load lazily, on the first cache miss,
        so a full replay never loads one.
    """
    allowed = sorted({s for r in records for s in r.surrogates})

    def guard(text: str) -> None:
        check_llm_text(text, allowed=allowed)

    used: dict[str, list[str]] = {}
    for cfg in configs:
        if cfg.kind == "llm" and cfg.model is not None:
            used.setdefault(cfg.model, []).append(f"summarizer {cfg.name}")
    require_remote_consent(
        models,
        used,
        records=records,
        allow_remote_phi=allow_remote_phi,
        where="02_summarization",
    )
    clients: dict[str, LLMClient] = {}
    for cfg in configs:
        if cfg.kind != "llm" or cfg.model in clients:
            continue
        if cfg.model not in models:
            raise ValueError(
                f"summarizer {cfg.name!r} uses model {cfg.model!r}, which is not in the model "
                f"registry (shared.models: {', '.join(models) or 'empty'})"
            )
        clients[cfg.llm_model] = load_client(
            cfg.llm_model,
            models[cfg.llm_model],
            cache_dir=cache_dir,
            cache_mode=cache_mode,
            text_guard=guard,
        )
    return clients


def _row(
    pid: str, cfg: SummarizerConfig, text: str, *, rules: FlagRules, **kw: Any
) -> dict[str, Any]:
    check = flag_summary(text, rules=rules)
    row = {
        "patient_id": pid,
        "summarizer": cfg.name,
        "summarizer_kind": cfg.kind,
        "model": None,
        "text": text,
        "prompt_hash": None,
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "latency_s": 0.0,
        "cache_hit": False,
        "raw_text": text,
        "finish_reason": None,
        "flag": check.flag,
        "flag_reason": check.reason,
        "error": None,
        "phi_masked": False,
    }
    row.update(kw)
    return row


def mask_summary_phi(text: str, *, allowed: Sequence[str] = ()) -> SummaryPhi:
    """Pass a summary through the anonymizer if the guard finds anything in it.

    A summary must state nothing the anonymized record hides: a gold summary
    is rendered from the raw ground truth (e.g. the date of a prior
    ultrasound), and a small model may invent an identifier-like string (a
    date, a phone-like number). Such text would reach the judges, so it is
    masked with the same placeholders as the records, and the row says so.

    Parameters
    ----------
    text : str
        A summary.
    allowed : sequence of str, default ()
        The record's surrogates (shifted dates) that are not PHI.

    Returns
    -------
    SummaryPhi
        ``text`` (masked or unchanged) and ``masked`` (True if anything was replaced).

    Examples
    --------
    >>> mask_summary_phi("УЗИ ОБП от 27.10.2019: диффузные изменения печени.")
    SummaryPhi(text='УЗИ ОБП от [ДАТА]: диффузные изменения печени.', masked=True)
    >>> mask_summary_phi("Острый аппендицит.")
    SummaryPhi(text='Острый аппендицит.', masked=False)
    """
    if not text or not scan_text(text, allowed=allowed):
        return SummaryPhi(text, False)
    masked = anonymize_text(text)
    if scan_text(masked, allowed=allowed):
        # the anonymizer's detectors are a superset of the guard's; if not, refuse loudly
        raise ValueError(f"summary still fails the PHI guard after masking: {masked[:200]!r}")
    return SummaryPhi(masked, masked != text)


def summary_requests(
    records: Sequence[Any], cfg: SummarizerConfig, *, seed: int | None = None
) -> list[Any]:
    """The generation requests of one ``llm`` summarizer, in record order.

    Each record passes :func:`radjudge.anonymize.require_anonymized` and its
    prompt :func:`radjudge.anonymize.check_llm_text` (with the record's
    surrogates allowed).

    Parameters
    ----------
    records : sequence of AnonymizedRecord
    cfg : SummarizerConfig
        Of kind ``llm``.
    seed : int, optional
        The profile's seed.

    Returns
    -------
    list of radjudge.llm.GenerationRequest
    """
    if cfg.kind != "llm" or cfg.template is None or cfg.max_tokens is None:
        raise ValueError(
            f"summarizer {cfg.name!r} is of kind {cfg.kind!r}; only 'llm' summarizers make requests"
        )
    template = load_template(cfg.template)
    return [
        render_summary_request(
            r, template, max_tokens=cfg.max_tokens, temperature=cfg.temperature, seed=seed
        )
        for r in records
    ]


def generation_order(requests: Sequence[Any]) -> list[int]:
    """Indices of ``requests`` in sending order: longest prompt first, ties in input order.

    >>> from radjudge.llm import GenerationRequest
    >>> generation_order([GenerationRequest(("ab",)), GenerationRequest(("abc",)),
    ...                   GenerationRequest(("xy",))])
    [1, 0, 2]
    """
    return sorted(range(len(requests)), key=lambda i: (-len(requests[i].text), i))


def generation_batches(requests: Sequence[Any], batch_size: int) -> list[list[int]]:
    """The batches (lists of request indices) a cold run computes, in order.

    Parameters
    ----------
    requests : sequence of GenerationRequest
        One summarizer's requests, as :func:`summary_requests` returns them.
    batch_size : int
        The model's registry ``batch_size``.

    Examples
    --------
    >>> from radjudge.llm import GenerationRequest
    >>> reqs = [GenerationRequest(("x" * n,)) for n in (3, 5, 4, 1, 2)]
    >>> generation_batches(reqs, 2)
    [[1, 2], [0, 4], [3]]
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    order = generation_order(requests)
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def _instructions(template: Any) -> str:
    """The prompt's own words (what a summary must not echo): system, instruction, prefix."""
    parts = (template.system, template.before_record, template.after_record)
    return "\n".join(p for p in parts if p)


def _llm_rows(
    records: Sequence[Any],
    cfg: SummarizerConfig,
    client: Any,
    *,
    seed: int | None,
    rules: FlagRules,
) -> list[dict[str, Any]]:
    template = load_template(cfg.llm_template)
    instructions = _instructions(template)
    requests = summary_requests(records, cfg, seed=seed)
    order = generation_order(requests)
    # One call: the backend batches consecutive misses (see the module docstring).
    results = dict(
        zip(order, client.generate([requests[i] for i in order], desc=cfg.name), strict=True)
    )
    label = client.identity.label
    rows = []
    for i, record in enumerate(records):
        res = results[i]
        failed = res.status != "ok"
        raw = "" if failed else template.answer_prefix + res.text
        text = "" if failed else clean_summary(raw, cues=template.cues, headers=template.headers)
        checked = mask_summary_phi(text, allowed=record.surrogates)
        check = flag_summary(checked.text, instructions=instructions, rules=rules)
        rows.append(
            _row(
                record.patient_id,
                cfg,
                text,
                rules=rules,
                model=label,
                prompt_hash=res.prompt_hash,
                prompt_tokens=int(res.prompt_tokens),
                completion_tokens=int(res.completion_tokens),
                latency_s=float(res.latency_s),
                cache_hit=bool(res.cached),
                raw_text=raw,
                finish_reason=res.finish_reasons[0] if res.finish_reasons else None,
                flag="failed" if failed else check.flag,
                flag_reason="call_failed" if failed else check.reason,
                error=res.error,
                phi_masked=checked.masked,
            )
        )
    return rows


def run_summarizers(
    records: Sequence[AnonymizedRecord],
    configs: Sequence[SummarizerConfig],
    *,
    clients: Mapping[str, LLMClient] | None = None,
    facts: Mapping[str, Mapping[str, Any]] | None = None,
    seed: int | None = None,
    flag_rules: FlagRules | Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Summarize every record with every summarizer.

    Parameters
    ----------
    records : sequence of radjudge.anonymize.AnonymizedRecord
        Anonymized records (each must pass the guard), in table order.
    configs : sequence of SummarizerConfig
        From :func:`~radjudge.summarize.config.parse_summarizers`.
    clients : mapping, optional
        Registry name -> LLM client (:func:`load_summary_clients`); required
        when a summarizer is of kind ``llm``.
    facts : mapping, optional
        ``patient_id -> ground_truth["facts"]``; required by a ``gold`` summarizer.
    seed : int, optional
        The profile's seed, put in every request.
    flag_rules : FlagRules or mapping, optional
        Thresholds of the summary flags (``02_summarization.summary_flags``);
        the defaults of :class:`~radjudge.summarize.postprocess.FlagRules` if omitted.

    Returns
    -------
    DataFrame, shape (len(records) * len(configs), 16)
        Columns :data:`radjudge.contracts.SUMMARIES`, rows ordered by summarizer (profile
        order) then record. No row is ever dropped: failed, empty and
        degenerate outputs are kept with their ``flag``.

    Raises
    ------
    ValueError
        Duplicate patient ids, a missing client, or a gold summarizer
        without ground-truth facts for some patient.
    """
    ids = [r.patient_id for r in records]
    dupes = sorted({p for p in ids if ids.count(p) > 1})
    if dupes:
        raise ValueError(f"records: patient id(s) {dupes} appear more than once")
    for r in records:
        require_anonymized(r)
    rules = flag_rules if isinstance(flag_rules, FlagRules) else FlagRules.from_dict(flag_rules)
    rows: list[dict[str, Any]] = []
    for cfg in configs:
        if cfg.kind == "gold":
            known = facts or {}
            missing = [p for p in ids if p not in known]
            if missing:
                raise ValueError(
                    f"summarizer {cfg.name!r} (gold) needs the ground-truth facts of every "
                    f"patient; none for {missing[:5]}. Gold summaries exist for the synthetic "
                    "cohort only: drop the gold summarizer for real records."
                )
            for r in records:
                gold = mask_summary_phi(
                    render_gold_summary(known[r.patient_id], patient_id=r.patient_id),
                    allowed=r.surrogates,
                )
                rows.append(_row(r.patient_id, cfg, gold.text, rules=rules, phi_masked=gold.masked))
        elif cfg.kind == "extractive":
            rows += [
                _row(
                    r.patient_id,
                    cfg,
                    extractive_summary(r.sections, max_chars=cfg.max_chars or 600),
                    rules=rules,
                )
                for r in records
            ]
        else:
            if clients is None or cfg.model not in clients:
                raise ValueError(
                    f"summarizer {cfg.name!r} needs a client for model {cfg.model!r}; build them "
                    "with load_summary_clients(...)"
                )
            rows += _llm_rows(records, cfg, clients[cfg.llm_model], seed=seed, rules=rules)
    out = pd.DataFrame(rows, columns=list(SUMMARIES.names()))
    out["prompt_tokens"] = out["prompt_tokens"].astype("int64")
    out["completion_tokens"] = out["completion_tokens"].astype("int64")
    out["latency_s"] = out["latency_s"].astype("float64")
    out["cache_hit"] = out["cache_hit"].astype(bool)
    out["phi_masked"] = out["phi_masked"].astype(bool)
    return out


def summary_stats(
    summaries: pd.DataFrame,
    *,
    records: Mapping[str, str],
    facts: Mapping[str, Mapping[str, Any]] | None = None,
) -> pd.DataFrame:
    """Descriptive statistics per summarizer (means over patients).

    Parameters
    ----------
    summaries : DataFrame
        The summaries table (:data:`radjudge.contracts.SUMMARIES`).
    records : mapping
        ``patient_id -> anonymized record text`` (what the summarizers saw).
    facts : mapping, optional
        ``patient_id -> ground_truth["facts"]``; without it coverage is NaN.

    Returns
    -------
    DataFrame, one row per summarizer (table order)
        ``summarizer, summarizer_kind, model, n, n_flagged`` (rows whose flag
        is not ``"ok"``), the means of ``n_chars, n_words, compression,
        coverage, coverage_<group>..., coverage_radiology, coverage_clinical,
        structure_score, unsupported_rate`` and the means of
        ``prompt_tokens, completion_tokens, latency_s`` and the share of
        ``cache_hit``. Means skip NaN (a patient without a fact of a group).
    """
    feats = summary_features(summaries, records=records, facts=facts)
    merged = summaries.drop(columns=["text"]).merge(
        feats, on=["patient_id", "summarizer"], how="left", validate="one_to_one"
    )
    mean_cols = [
        "n_chars",
        "n_words",
        "compression",
        *[c for c in feats.columns if c.startswith("coverage")],
        "structure_score",
        "unsupported_rate",
        "prompt_tokens",
        "completion_tokens",
        "latency_s",
    ]
    order = list(dict.fromkeys(summaries["summarizer"]))
    grouped = merged.groupby("summarizer", sort=False)
    stats = grouped[mean_cols].mean()
    stats.insert(0, "n_flagged", grouped["flag"].apply(lambda s: int((s != "ok").sum())))
    stats.insert(0, "n", grouped.size())
    stats.insert(0, "model", grouped["model"].first())
    stats.insert(0, "summarizer_kind", grouped["summarizer_kind"].first())
    stats["cache_hit_share"] = grouped["cache_hit"].mean()
    return stats.loc[order].reset_index()
