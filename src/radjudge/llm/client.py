"""The cache-aware client stages use: guard, cache lookup, live calls for misses, accounting."""

from __future__ import annotations

import hashlib
import math
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from radjudge import paths
from radjudge.llm.backend import Backend, SampleOutput, ScoreOutput, WorkItem
from radjudge.llm.cache import CallCache, call_key
from radjudge.llm.prompts import prompt_hash
from radjudge.llm.types import (
    CacheMissError,
    GenerationRequest,
    GenerationResult,
    ModelIdentity,
    ModelSpecError,
    OptionScores,
    ScoreRequest,
)

__all__ = [
    "LLMClient",
    "CacheCheck",
    "combined_cache_stats",
    "LOGPROB_DECIMALS",
    "LATENCY_DECIMALS",
]

#: Log-probs are rounded to this many decimals, live and cached alike (replays are bit-identical).
LOGPROB_DECIMALS = 6
#: Latencies are rounded to milliseconds.
LATENCY_DECIMALS = 3


def _lp(values: Sequence[float]) -> tuple[float, ...]:
    return tuple(round(float(v), LOGPROB_DECIMALS) for v in values)


@dataclass(frozen=True)
class CacheCheck:
    """Result of :meth:`LLMClient.verify_cached`.

    Attributes
    ----------
    checked : int
        Cached calls recomputed live.
    mismatches : tuple of dict
        One per disagreeing call: ``prompt_hash``, ``kind`` ("text" or
        "logprobs"), ``cached``, ``live`` and, for log-probs, ``max_abs_diff``.
    max_logprob_diff : float
        Largest absolute log-prob difference seen (0.0 if none scored).
    logprob_atol : float
        Tolerance used for log-probs.
    """

    checked: int
    mismatches: tuple[dict[str, Any], ...]
    max_logprob_diff: float
    logprob_atol: float

    @property
    def ok(self) -> bool:
        """True when every recomputed call agreed with the cache."""
        return not self.mismatches


class LLMClient:
    """Cache-aware access to one model.

    Built by :func:`radjudge.llm.load_client`. Every prompt text first passes
    ``text_guard``; then the cache is asked; only misses reach the backend,
    which loads its model on the first miss (a full replay never loads one).
    Completed calls are appended to the cache as they finish; failed calls
    are returned with ``status="failed"`` and never cached.

    Attributes
    ----------
    name : str
        Registry name.
    identity : ModelIdentity
    cache : CallCache
    """

    def __init__(
        self,
        backend: Backend,
        *,
        cache: CallCache,
        text_guard: Callable[[str], None] | None,
        name: str,
    ) -> None:
        self.backend = backend
        self.cache = cache
        self.text_guard = text_guard
        self.name = name
        self._guarded: set[bytes] = set()  # digests of texts that passed the guard
        self._stats = {
            "requests": 0,
            "calls": 0,
            "hits": 0,
            "misses": 0,
            "live_calls": 0,
            "failures": 0,
            "prompt_tokens": 0,
            "completion_tokens": 0,
            "latency_s": 0.0,
            "cached_latency_s": 0.0,
            "wall_s": 0.0,
        }

    def __repr__(self) -> str:
        return f"LLMClient({self.name!r}, {self.backend.kind}, cache={self.cache!r})"

    def __enter__(self) -> LLMClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the backend's resources."""
        self.backend.close()

    # -- public facts ------------------------------------------------------------------------
    @property
    def identity(self) -> ModelIdentity:
        """Backend kind, model id, weights SHA-256 (local) and label."""
        return self.backend.identity

    @property
    def model_files(self) -> dict[str, Path]:
        """Label -> local weight file, for ``record_stage(models=...)`` (empty for servers)."""
        return dict(self.backend.model_files)

    @property
    def stats(self) -> dict[str, Any]:
        """Cache and usage statistics for ``record_stage(cache=...)``.

        ``calls`` counts samples and score requests; ``hits + misses ==
        calls``; ``live_calls`` counts distinct computed calls (identical
        misses, e.g. the n samples of a greedy request, are computed once);
        ``failures`` are live calls that failed; tokens and
        ``latency_s`` (compute seconds) cover live calls only;
        ``cached_latency_s`` is the original compute time of the hits.
        """
        ident = self.identity
        out: dict[str, Any] = {
            "model": self.name,
            "label": ident.label,
            "backend": ident.kind,
            "model_id": ident.model_id,
            "weights_sha256": ident.weights_sha256,
            "cache_dir": paths.relative(self.cache.directory),
            "cache_mode": self.cache.mode,
            **self._stats,
            "model_loaded": self.backend.loaded,
        }
        for key in ("latency_s", "cached_latency_s", "wall_s"):
            out[key] = round(out[key], 3)
        load_s = getattr(self.backend, "load_seconds", None)
        if load_s is not None:
            out["load_s"] = round(load_s, 3)
            out["load_source"] = getattr(self.backend, "load_source", None)
        server_ids = getattr(self.backend, "server_model_ids", None)
        if server_ids:
            out["server_model_ids"] = sorted(server_ids)
            out["http_calls"] = getattr(self.backend, "http_calls", None)
            out["http_retries"] = getattr(self.backend, "retries", None)
        return out

    # -- keys --------------------------------------------------------------------------------
    def _guard(self, *texts: str | None) -> None:
        """Run ``text_guard`` on each prompt part (system, user text, answer prefix), once each."""
        if self.text_guard is None:
            return
        for text in texts:
            if not text:
                continue
            digest = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
            if digest in self._guarded:
                continue
            self.text_guard(text)
            self._guarded.add(digest)

    def prompt_hash(self, request: GenerationRequest | ScoreRequest) -> str:
        """Model-independent SHA-256 of a request's prompt (system, user text, answer prefix)."""
        return prompt_hash(request.system, request.text, request.answer_prefix)

    def generation_key(self, request: GenerationRequest, sample: int = 0) -> str:
        """Cache key of sample ``sample`` of a generation request.

        Greedy decoding (temperature 0) ignores ``seed``, ``top_p`` and the
        sample index, so they stay out of the key.
        """
        decoding: dict[str, Any] = {
            "max_tokens": request.max_tokens,
            "temperature": float(request.temperature),
            "stop": list(request.stop),
            "logprobs": request.logprobs,
        }
        if request.choices:
            decoding["choices"] = list(request.choices)
        if request.temperature > 0:
            decoding.update(top_p=float(request.top_p), seed=request.seed, sample=sample)
        return call_key(
            {
                "op": "generate",
                "model": self.identity.key_fields(),
                "backend": self.backend.decoding_key(),
                "prompt": self.backend.prompt_key(
                    request.system, request.text, request.answer_prefix
                ),
                "decoding": decoding,
            }
        )

    def score_key(self, request: ScoreRequest) -> str:
        """Cache key of a score request."""
        return call_key(
            {
                "op": "score",
                "model": self.identity.key_fields(),
                "backend": self.backend.decoding_key(),
                "prompt": self.backend.prompt_key(
                    request.system, request.text, request.answer_prefix
                ),
                "options": list(request.options),
            }
        )

    def _miss_error(self, n: int, what: str, ph: str, key: str) -> CacheMissError:
        ident = self.identity
        return CacheMissError(
            f"{n} {what} call(s) of model {self.name!r} ({ident.kind} {ident.model_id}) are not "
            f"in the cache {self.cache.directory} (cache_mode readonly); first missing "
            f"prompt_hash {ph} (key {key}). Run with cache_mode: readwrite to compute them."
        )

    # -- generation --------------------------------------------------------------------------
    def generate(
        self, requests: Sequence[GenerationRequest], *, desc: str | None = None
    ) -> list[GenerationResult]:
        """Generate text for every request (cache first).

        Parameters
        ----------
        requests : sequence of GenerationRequest
        desc : str, optional
            Progress-bar label.

        Returns
        -------
        list of GenerationResult
            One per request, in order.

        Raises
        ------
        CacheMissError
            In ``readonly`` mode, if any sample is not cached (before any live call).
        ValueError
            From ``text_guard``, if a prompt may not reach a model.
        """
        requests = list(requests)
        for r in requests:
            if not isinstance(r, GenerationRequest):
                raise TypeError(
                    f"generate() takes GenerationRequest objects, got {type(r).__name__}"
                )
            self._guard(r.system, r.text, r.answer_prefix)
        if any(r.choices for r in requests) and not getattr(self.backend, "supports_choices", True):
            raise ModelSpecError(
                f"model {self.name!r} cannot constrain output to choices: set the spec's "
                "'guided' key (vllm or llama_cpp), or use score_options"
            )
        slots: list[list[SampleOutput | None]] = [[None] * r.n for r in requests]
        from_cache: list[list[bool]] = [[False] * r.n for r in requests]
        hashes = [self.prompt_hash(r) for r in requests]
        pending: dict[str, list[tuple[int, int]]] = {}
        for ri, r in enumerate(requests):
            for s in range(r.n):
                key = self.generation_key(r, s)
                entry = self.cache.get(key)
                self._stats["calls"] += 1
                if entry is not None:
                    slots[ri][s] = _sample_from_entry(entry)
                    from_cache[ri][s] = True
                    self._stats["hits"] += 1
                    self._stats["cached_latency_s"] += float(entry.get("s", 0.0))
                else:
                    self._stats["misses"] += 1
                    pending.setdefault(key, []).append((ri, s))
        self._stats["requests"] += len(requests)
        if pending and self.cache.mode == "readonly":
            key, where = next(iter(pending.items()))
            raise self._miss_error(len(pending), "generation", hashes[where[0][0]], key)
        if pending:
            keys = list(pending)
            items = [WorkItem(requests[pending[k][0][0]], pending[k][0][1]) for k in keys]
            self._stats["live_calls"] += len(items)
            self._ensure_loaded()
            bar = tqdm(total=len(items), desc=desc or f"{self.name}: generate", unit="call")
            start = time.perf_counter()

            def on_result(i: int, out: SampleOutput) -> None:
                out = _rounded_sample(out)
                key = keys[i]
                if out.status == "ok":
                    self.cache.put(key, _sample_entry(out, hashes[pending[key][0][0]]))
                    self._stats["prompt_tokens"] += out.prompt_tokens
                    self._stats["completion_tokens"] += out.completion_tokens
                else:
                    self._stats["failures"] += 1
                self._stats["latency_s"] += out.latency_s
                for ri, s in pending[key]:
                    slots[ri][s] = out
                bar.update()

            try:
                self.backend.generate(items, on_result)
            finally:
                bar.close()
                self._stats["wall_s"] += time.perf_counter() - start
        results = []
        for ri, r in enumerate(requests):
            outs = slots[ri]
            missing = [s for s, o in enumerate(outs) if o is None]
            if missing:
                raise RuntimeError(
                    f"backend {self.backend.kind} returned no output for request {ri} "
                    f"sample(s) {missing}"
                )
            results.append(_merge_samples(r, outs, all(from_cache[ri]), hashes[ri]))  # type: ignore[arg-type]
        return results

    # -- scoring -------------------------------------------------------------------------------
    def score_options(
        self,
        requests: Sequence[ScoreRequest],
        *,
        desc: str | None = None,
        share_prefix: bool = False,
    ) -> list[OptionScores]:
        """Log-probability of each option after each prompt (cache first).

        Parameters
        ----------
        requests : sequence of ScoreRequest
        desc : str, optional
            Progress-bar label.
        share_prefix : bool, default False
            In-process models: compute prompt prefixes shared by consecutive
            requests once (``radjudge.llm.prefix`` kernel; falls back to the
            reference scorer while that module does not exist). Results equal
            the reference within float tolerance; both share one cache entry.

        Returns
        -------
        list of OptionScores
            One per request, in order.
        """
        requests = list(requests)
        for r in requests:
            if not isinstance(r, ScoreRequest):
                raise TypeError(
                    f"score_options() takes ScoreRequest objects, got {type(r).__name__}"
                )
            self._guard(r.system, r.text, r.answer_prefix)
        results: list[OptionScores | None] = [None] * len(requests)
        hashes = [self.prompt_hash(r) for r in requests]
        pending: dict[str, list[int]] = {}
        for i, r in enumerate(requests):
            key = self.score_key(r)
            entry = self.cache.get(key)
            self._stats["calls"] += 1
            if entry is not None:
                results[i] = _scores_from_entry(r, entry, hashes[i])
                self._stats["hits"] += 1
                self._stats["cached_latency_s"] += float(entry.get("s", 0.0))
            else:
                self._stats["misses"] += 1
                pending.setdefault(key, []).append(i)
        self._stats["requests"] += len(requests)
        if pending and self.cache.mode == "readonly":
            key, where = next(iter(pending.items()))
            raise self._miss_error(len(pending), "score", hashes[where[0]], key)
        if pending:
            keys = list(pending)
            todo = [requests[pending[k][0]] for k in keys]
            self._stats["live_calls"] += len(todo)
            self._ensure_loaded()
            bar = tqdm(total=len(todo), desc=desc or f"{self.name}: score", unit="call")
            start = time.perf_counter()

            def on_result(j: int, out: ScoreOutput) -> None:
                key = keys[j]
                req = todo[j]
                ph = hashes[pending[key][0]]
                if out.status == "ok" and not all(math.isfinite(v) for v in out.logprobs):
                    out = ScoreOutput.failed(
                        len(req.options), "non-finite log-prob", latency_s=out.latency_s
                    )
                if out.status == "ok":
                    entry = {
                        "ph": ph,
                        "lp": list(_lp(out.logprobs)),
                        "n": list(out.option_token_counts),
                        "pt": out.prompt_tokens,
                        "s": round(out.latency_s, LATENCY_DECIMALS),
                    }
                    self.cache.put(key, entry)
                    self._stats["prompt_tokens"] += out.prompt_tokens
                    scores = _scores_from_entry(req, entry, ph, cached=False)
                else:
                    self._stats["failures"] += 1
                    scores = OptionScores(
                        req.options,
                        out.logprobs,
                        out.option_token_counts,
                        out.prompt_tokens,
                        round(out.latency_s, LATENCY_DECIMALS),
                        False,
                        "failed",
                        out.error,
                        ph,
                    )
                self._stats["latency_s"] += out.latency_s
                for i in pending[key]:
                    results[i] = scores
                bar.update()

            try:
                self.backend.score(todo, on_result, share_prefix=share_prefix)
            finally:
                bar.close()
                self._stats["wall_s"] += time.perf_counter() - start
        missing = [i for i, r in enumerate(results) if r is None]
        if missing:
            raise RuntimeError(
                f"backend {self.backend.kind} returned no scores for request(s) {missing}"
            )
        return results  # type: ignore[return-value]

    def _ensure_loaded(self) -> None:
        if not self.backend.loaded:
            self.backend.load()

    # -- integrity -----------------------------------------------------------------------------
    def verify_cached(
        self,
        requests: Sequence[GenerationRequest | ScoreRequest],
        *,
        sample: int | None = 10,
        seed: int = 0,
        logprob_atol: float = 1e-3,
        share_prefix: bool = False,
    ) -> CacheCheck:
        """Recompute a sample of cached calls live and compare them with the cache.

        Generation: texts must be identical (greedy decoding; seeded sampling
        in-process). Log-probs (option scores and generated-token log-probs):
        within ``logprob_atol``. The cache is neither read for the live results
        nor written.

        Parameters
        ----------
        requests : sequence of GenerationRequest or ScoreRequest
            The requests a stage made (rebuilt by the stage); only those in
            the cache are eligible.
        sample : int or None, default 10
            How many cached requests to recompute (None: all), drawn with
            ``random.Random(seed)``.
        seed : int, default 0
        logprob_atol : float, default 1e-3
            Absolute tolerance in nats.
        share_prefix : bool, default False
            Passed to the scorer.

        Returns
        -------
        CacheCheck
        """
        cached: list[tuple[GenerationRequest | ScoreRequest, list[dict[str, Any]]]] = []
        for r in requests:
            if isinstance(r, GenerationRequest):
                keys = [self.generation_key(r, s) for s in range(r.n)]
            else:
                keys = [self.score_key(r)]
            entries = [self.cache.get(k) for k in keys]
            found = [e for e in entries if e is not None]
            if len(found) == len(entries):
                cached.append((r, found))
        if sample is not None and sample < len(cached):
            cached = random.Random(seed).sample(cached, sample)
        for r, _ in cached:
            self._guard(r.system, r.text, r.answer_prefix)
        self._ensure_loaded()
        mismatches: list[dict[str, Any]] = []
        max_diff = 0.0
        gen = [(r, e) for r, e in cached if isinstance(r, GenerationRequest)]
        items = [WorkItem(r, s) for r, _ in gen for s in range(r.n)]
        expected = [e[s] for r, e in gen for s in range(r.n)]
        live_samples: dict[int, SampleOutput] = {}
        if items:
            self.backend.generate(
                items, lambda i, out: live_samples.__setitem__(i, _rounded_sample(out))
            )
        for i, (item, entry) in enumerate(zip(items, expected, strict=True)):
            live = live_samples[i]
            ph = self.prompt_hash(item.request)
            if live.status != "ok" or live.text != entry["t"]:
                mismatches.append(
                    {
                        "prompt_hash": ph,
                        "kind": "text",
                        "sample": item.sample,
                        "cached": entry["t"],
                        "live": live.text if live.status == "ok" else live.error,
                    }
                )
            elif "lp" in entry and live.token_logprobs is not None:
                diff = max(
                    (abs(a - b) for a, b in zip(entry["lp"], live.token_logprobs, strict=False)),
                    default=0.0,
                )
                max_diff = max(max_diff, diff)
                if diff > logprob_atol:
                    mismatches.append(
                        {
                            "prompt_hash": ph,
                            "kind": "logprobs",
                            "sample": item.sample,
                            "cached": entry["lp"],
                            "live": list(live.token_logprobs),
                            "max_abs_diff": diff,
                        }
                    )
        scored = [(r, e[0]) for r, e in cached if isinstance(r, ScoreRequest)]
        live_scores: dict[int, ScoreOutput] = {}
        if scored:
            self.backend.score(
                [r for r, _ in scored],
                lambda i, out: live_scores.__setitem__(i, out),
                share_prefix=share_prefix,
            )
        for i, (r, entry) in enumerate(scored):
            score = live_scores[i]
            ph = self.prompt_hash(r)
            if score.status != "ok":
                mismatches.append(
                    {
                        "prompt_hash": ph,
                        "kind": "logprobs",
                        "cached": entry["lp"],
                        "live": score.error,
                        "max_abs_diff": math.inf,
                    }
                )
                continue
            diff = max(abs(a - b) for a, b in zip(entry["lp"], _lp(score.logprobs), strict=True))
            max_diff = max(max_diff, diff)
            if diff > logprob_atol:
                mismatches.append(
                    {
                        "prompt_hash": ph,
                        "kind": "logprobs",
                        "cached": entry["lp"],
                        "live": list(_lp(score.logprobs)),
                        "max_abs_diff": diff,
                    }
                )
        return CacheCheck(len(cached), tuple(mismatches), max_diff, logprob_atol)


# -- entries <-> results --------------------------------------------------------------------------
def _rounded_sample(out: SampleOutput) -> SampleOutput:
    return SampleOutput(
        text=out.text,
        finish_reason=out.finish_reason,
        token_logprobs=_lp(out.token_logprobs) if out.token_logprobs is not None else None,
        prompt_tokens=out.prompt_tokens,
        completion_tokens=out.completion_tokens,
        latency_s=round(out.latency_s, LATENCY_DECIMALS),
        status=out.status,
        error=out.error,
    )


def _sample_entry(out: SampleOutput, ph: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ph": ph,
        "t": out.text,
        "f": out.finish_reason,
        "pt": out.prompt_tokens,
        "ct": out.completion_tokens,
        "s": out.latency_s,
    }
    if out.token_logprobs is not None:
        entry["lp"] = list(out.token_logprobs)
    return entry


def _sample_from_entry(entry: dict[str, Any]) -> SampleOutput:
    lp = entry.get("lp")
    return SampleOutput(
        text=entry["t"],
        finish_reason=entry["f"],
        token_logprobs=tuple(lp) if lp is not None else None,
        prompt_tokens=int(entry["pt"]),
        completion_tokens=int(entry["ct"]),
        latency_s=float(entry["s"]),
    )


def _merge_samples(
    request: GenerationRequest, outs: list[SampleOutput], cached: bool, ph: str
) -> GenerationResult:
    failed = [o for o in outs if o.status != "ok"]
    return GenerationResult(
        texts=tuple(o.text for o in outs),
        finish_reasons=tuple(o.finish_reason for o in outs),
        token_logprobs=tuple(o.token_logprobs or () for o in outs) if request.logprobs else None,
        prompt_tokens=max(o.prompt_tokens for o in outs),
        completion_tokens=sum(o.completion_tokens for o in outs),
        latency_s=round(sum(o.latency_s for o in outs), LATENCY_DECIMALS),
        cached=cached,
        status="failed" if failed else "ok",
        error=failed[0].error if failed else None,
        prompt_hash=ph,
    )


def _scores_from_entry(
    request: ScoreRequest, entry: dict[str, Any], ph: str, *, cached: bool = True
) -> OptionScores:
    return OptionScores(
        options=request.options,
        logprobs=tuple(entry["lp"]),
        option_token_counts=tuple(entry["n"]),
        prompt_tokens=int(entry["pt"]),
        latency_s=float(entry["s"]),
        cached=cached,
        prompt_hash=ph,
    )


def combined_cache_stats(clients: Mapping[str, Any]) -> dict[str, Any]:
    """Cache statistics of several clients for the run manifest.

    Returns
    -------
    dict
        ``{"hits": ..., "misses": ..., "live_calls": ..., ...}`` summed over
        the clients (numeric fields), plus ``"models": {name: client.stats}``.
    """
    per_model = {name: dict(c.stats) for name, c in clients.items()}
    total: dict[str, Any] = {}
    for stats in per_model.values():
        for key, value in stats.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                total[key] = round(total.get(key, 0) + value, 3)
    return {**total, "models": per_model}
