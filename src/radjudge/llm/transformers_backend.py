"""In-process backend: a causal LM run by ``transformers`` on the CPU in float32.

Weights come from a GGUF file (dequantized by transformers) or a Hugging Face
folder. Loading a GGUF is slow (dequantization, tokenizer conversion), so the
converted model is kept in a persistent cache outside the repository::

    $RADJUDGE_MODEL_CACHE or ~/.cache/radjudge/models/<gguf sha256>/transformers-<version>/

(``model.safetensors``, ``config.json``, ``generation_config.json``, tokenizer
files). The model's identity stays the GGUF's SHA-256; the converted copy
gives bit-identical logits (tested).

Prompts are token ids assembled piece by piece (template prefix, each user
segment, template suffix + answer prefix; see :mod:`radjudge.llm.prompts`),
each piece tokenized once and memoised, so shared segments have identical ids.

What is guaranteed
------------------
* Deterministic: the same requests in the same order and the same
  ``batch_size`` give bit-identical outputs; sample ``i`` of a sampled request
  draws from its own generator seeded by ``derive_seed(seed, i)``.
* Batched generation left-pads rows (explicit position ids, padding masked),
  so a row's result does not depend on its batch mates in exact arithmetic.
  In float32 the padded matrix products may differ in the last bits from a
  batch of one (measured: token log-probs within ~1e-5); greedy texts can then
  differ only where the two best tokens are tied to that precision.
* Rows that share a long common token prefix (n samples of one prompt, the
  judge's ``sample`` mode) compute that prefix once and reuse its KV cache,
  also across consecutive batches. Rows whose remaining tails differ in
  length are padded between prefix and tail; for models with sliding-window
  layers (Gemma-3) that would shrink the window, so such batches do not share
  once a prompt reaches the window (plain left padding is exact there).
* Option scoring (reference): one forward of the whole prompt per request
  with logits for its last position only; options of several tokens are
  then scored in one small batched forward on top of the prompt's KV cache.
  ``share_prefix=True`` routes to ``radjudge.llm.prefix.score_continuations``
  (the prefix-sharing kernel) when that module exists.
"""

from __future__ import annotations

import copy
import importlib.util
import os
import shutil
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from radjudge.llm.backend import (
    Backend,
    GenerateCallback,
    SampleOutput,
    ScoreCallback,
    ScoreOutput,
    WorkItem,
)
from radjudge.llm.prefix import score_continuations
from radjudge.llm.prompts import ChatTemplate, split_answer_prefix
from radjudge.llm.types import ModelIdentity, OptionLogprob, ScoreRequest, TokenScoreRequest
from radjudge.manifest import sha256_file

__all__ = ["TransformersBackend", "LocalWeights", "model_cache_root"]

#: Rows sharing at least this many leading tokens reuse one prefix KV cache.
MIN_SHARED_PREFIX = 16


def model_cache_root() -> Path:
    """Folder of converted models.

    ``$RADJUDGE_MODEL_CACHE``, else ``$XDG_CACHE_HOME/radjudge/models``
    (``~/.cache/radjudge/models``).
    """
    env = os.environ.get("RADJUDGE_MODEL_CACHE")
    if env:
        return Path(env).expanduser()
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "radjudge" / "models"


@dataclass(frozen=True)
class LocalWeights:
    """Resolved local weights: a GGUF file or a Hugging Face folder."""

    path: Path
    sha256: str
    files: tuple[Path, ...]

    @property
    def is_gguf(self) -> bool:
        return self.path.suffix == ".gguf"


def _torch() -> Any:
    import torch

    return torch


class TransformersBackend(Backend):
    """A transformers causal LM (float32, CPU), loaded on first use.

    Parameters
    ----------
    weights : LocalWeights
        GGUF file or HF folder.
    label : str
        Registry name (for messages and the manifest).
    chat_template : "auto", "none" or path-like
        ``auto``: the model's own template if it has one, plain prompts
        otherwise; ``none``: plain prompts; a path: a Jinja template file.
    batch_size : int
        Rows per forward pass.
    converted_cache : bool
        Keep/reuse the converted copy of a GGUF model (see module docstring).
    num_threads : int or None
        ``torch.set_num_threads`` at load (process-wide); None keeps torch's
        default. On a machine shared with other jobs, 1 thread is often
        several times faster than oversubscribed cores.
    """

    kind = "transformers"

    def __init__(
        self,
        weights: LocalWeights,
        *,
        label: str,
        chat_template: str = "auto",
        batch_size: int = 8,
        converted_cache: bool = True,
        num_threads: int | None = None,
    ) -> None:
        self.weights = weights
        self.label = label
        self.chat_template_setting = chat_template
        self.batch_size = batch_size
        self.converted_cache = converted_cache
        self.num_threads = num_threads
        self.identity = ModelIdentity("transformers", weights.path.name, weights.sha256, label)
        self.model: Any = None
        self.tokenizer: Any = None
        self.template: ChatTemplate | None = None
        self.load_seconds: float | None = None
        self.load_source: str | None = None
        self._prefix_kv: tuple[tuple[int, ...], Any] | None = None
        self._warned_no_kernel = False

    # -- identity and keys -----------------------------------------------------------------
    @property
    def model_files(self) -> dict[str, Path]:
        if len(self.weights.files) == 1:
            return {self.label: self.weights.files[0]}
        return {f"{self.label}:{p.name}": p for p in self.weights.files}

    def prompt_key(self, system: str | None, user: str, answer_prefix: str) -> dict[str, Any]:
        template = self.chat_template_setting
        if template not in ("auto", "none"):
            template = "file:" + _file_sha256(Path(template))
        return {
            "template": template,
            "system": system,
            "user": user,
            "answer_prefix": answer_prefix,
        }

    # -- loading -----------------------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        return self.model is not None

    def converted_dir(self) -> Path:
        """Where the converted copy of this GGUF model lives."""
        import transformers

        return model_cache_root() / self.weights.sha256 / f"transformers-{transformers.__version__}"

    def load(self) -> None:
        if self.model is not None:
            return
        torch = _torch()
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if self.num_threads:
            torch.set_num_threads(self.num_threads)
        start = time.perf_counter()
        with tqdm(total=2, desc=f"loading {self.label}", unit="step", leave=False) as bar:
            converted = self.converted_dir() if self.weights.is_gguf else None
            if (
                converted is not None
                and self.converted_cache
                and (converted / "complete.json").is_file()
            ):
                where, kwargs = converted, {}
                self.load_source = "converted-cache"
            elif self.weights.is_gguf:
                where, kwargs = self.weights.path.parent, {"gguf_file": self.weights.path.name}
                self.load_source = "gguf"
            else:
                where, kwargs = self.weights.path, {}
                self.load_source = "hf-folder"
            bar.set_postfix_str(f"tokenizer ({self.load_source})")
            tokenizer = AutoTokenizer.from_pretrained(where, **kwargs)
            bar.update()
            bar.set_postfix_str(f"weights ({self.load_source})")
            model = AutoModelForCausalLM.from_pretrained(where, dtype=torch.float32, **kwargs)
            model.eval()
            bar.update()
        if self.load_source == "gguf" and self.converted_cache and converted is not None:
            self._save_converted(model, tokenizer, converted)
        self.model, self.tokenizer = model, tokenizer
        self.template = self._resolve_template(tokenizer)
        self._lead_ids = self._leading_special_ids()
        self._eos_ids = self._eos_token_ids()
        self._pad_id = self._pad_token_id()
        self.context_length = int(getattr(model.config, "max_position_embeddings", 0) or 0) or None
        layer_types = getattr(model.config, "layer_types", None) or ()
        self._sliding_window = (
            int(getattr(model.config, "sliding_window", 0) or 0)
            if "sliding_attention" in layer_types
            else 0
        )
        self.load_seconds = time.perf_counter() - start

    def _save_converted(self, model: Any, tokenizer: Any, target: Path) -> None:
        # save_pretrained refuses GGUF-loaded models; write the same files ourselves.
        import json

        import torch
        import transformers
        from safetensors.torch import save_model

        tmp = target.parent / f".tmp-{os.getpid()}-{target.name}"
        try:
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            save_model(model, str(tmp / "model.safetensors"))
            model.config.save_pretrained(tmp)
            model.generation_config.save_pretrained(tmp)
            tokenizer.save_pretrained(tmp)
            (tmp / "complete.json").write_text(
                json.dumps(
                    {
                        "gguf": str(self.weights.path),
                        "gguf_sha256": self.weights.sha256,
                        "transformers": transformers.__version__,
                        "torch": torch.__version__,
                    },
                    indent=1,
                )
            )
            try:
                tmp.rename(target)
            except OSError:  # another process finished the same conversion first
                shutil.rmtree(tmp, ignore_errors=True)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            warnings.warn(
                f"could not keep the converted copy of {self.label} in {target}: {exc}",
                stacklevel=3,
            )

    def _resolve_template(self, tokenizer: Any) -> ChatTemplate:
        setting = self.chat_template_setting
        bos, eos = tokenizer.bos_token or "", tokenizer.eos_token or ""
        if setting == "none":
            return ChatTemplate(None)
        if setting == "auto":
            return ChatTemplate(getattr(tokenizer, "chat_template", None) or None, bos, eos)
        return ChatTemplate(Path(setting).read_text(encoding="utf-8"), bos, eos)

    def _leading_special_ids(self) -> tuple[int, ...]:
        """Special tokens the tokenizer puts before any text (e.g. Gemma's <bos>)."""
        with_special = self.tokenizer("x", add_special_tokens=True)["input_ids"]
        plain = self.tokenizer("x", add_special_tokens=False)["input_ids"]
        n = len(with_special) - len(plain)
        if n > 0 and with_special[n:] == plain:
            return tuple(with_special[:n])
        return ()

    def _eos_token_ids(self) -> frozenset[int]:
        ids: set[int] = set()
        for value in (self.model.generation_config.eos_token_id, self.tokenizer.eos_token_id):
            if isinstance(value, int):
                ids.add(value)
            elif value:
                ids.update(int(v) for v in value)
        return frozenset(ids)

    def _pad_token_id(self) -> int:
        for value in (self.tokenizer.pad_token_id, self.model.generation_config.pad_token_id):
            if isinstance(value, int):
                return value
        return min(self._eos_ids) if self._eos_ids else 0

    def close(self) -> None:
        """Drop the kept prefix KV cache (the model stays loaded)."""
        self._prefix_kv = None

    # -- tokenization --------------------------------------------------------------------------
    @lru_cache(maxsize=8192)  # noqa: B019 - one backend per model, lives as long as the client
    def tokenize(self, text: str) -> tuple[int, ...]:
        """Token ids of ``text`` alone (no special tokens added; special-token text is parsed)."""
        if not text:
            return ()
        return tuple(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def token_segments(
        self, system: str | None, segments: Sequence[str], answer_prefix: str
    ) -> tuple[tuple[int, ...], ...]:
        """Prompt ids in pieces: (lead + template prefix, *segments, suffix + answer prefix)."""
        self.load()
        prefix, suffix = self._template_parts(system)
        return (
            self._lead_ids + self.tokenize(prefix),
            *(self.tokenize(s) for s in segments),
            self.tokenize(suffix + answer_prefix),
        )

    @lru_cache(maxsize=64)  # noqa: B019
    def _template_parts(self, system: str | None) -> tuple[str, str]:
        assert self.template is not None
        return self.template.parts(system)

    def token_score_request(self, request: ScoreRequest) -> TokenScoreRequest:
        """The token-level form of a :class:`ScoreRequest` (what the kernel scores)."""
        head, space = split_answer_prefix(request.answer_prefix)
        pieces = self.token_segments(request.system, request.segments, head)
        return TokenScoreRequest(pieces, tuple(self.tokenize(space + o) for o in request.options))

    # -- generation ------------------------------------------------------------------------------
    def generate(self, items: Sequence[WorkItem], on_result: GenerateCallback) -> None:
        self.load()
        rows: list[_Row] = []
        for i, item in enumerate(items):
            req = item.request
            ids = [
                t
                for piece in self.token_segments(req.system, req.segments, req.answer_prefix)
                for t in piece
            ]
            if self.context_length and len(ids) + req.max_tokens > self.context_length:
                on_result(
                    i,
                    SampleOutput.failed(
                        f"prompt of {len(ids)} tokens + max_tokens {req.max_tokens} exceeds the "
                        f"context length {self.context_length} of {self.label}",
                        prompt_tokens=len(ids),
                    ),
                )
                continue
            rows.append(_Row(i, item, ids, self._choice_seqs(req.choices)))
        for start in range(0, len(rows), self.batch_size):
            batch = rows[start : start + self.batch_size]
            t0 = time.perf_counter()
            outputs = self._generate_batch(batch)
            per_row = (time.perf_counter() - t0) / len(batch)
            for row, (ids, reason, logprobs) in zip(batch, outputs, strict=True):
                text = self.tokenizer.decode(ids, skip_special_tokens=True)
                text, reason = _apply_stop(text, reason, row.item.request.stop)
                on_result(
                    row.index,
                    SampleOutput(
                        text=text,
                        finish_reason=reason,
                        token_logprobs=tuple(logprobs) if row.item.request.logprobs else None,
                        prompt_tokens=len(row.ids),
                        completion_tokens=len(ids),
                        latency_s=per_row,
                    ),
                )

    def _choice_seqs(self, choices: tuple[str, ...]) -> tuple[tuple[int, ...], ...]:
        return tuple(self.tokenize(c) for c in choices)

    def _shared_prefix(self, batch: list[_Row]) -> int:
        """Length of the leading tokens computed once for the whole batch (0: none).

        The longest common prefix of a batch of several rows (each row keeps at
        least its last token), if it has >= MIN_SHARED_PREFIX tokens; for a
        batch of one row, the prefix kept from the previous batch if it fits.
        """
        cap = min(len(r.ids) for r in batch) - 1
        if len(batch) == 1:
            kept = self._prefix_kv[0] if self._prefix_kv is not None else ()
            fits = 0 < len(kept) <= cap and tuple(batch[0].ids[: len(kept)]) == kept
            return len(kept) if fits else 0
        first = batch[0].ids
        n = cap
        for r in batch[1:]:
            k = 0
            while k < n and r.ids[k] == first[k]:
                k += 1
            n = k
        if n < MIN_SHARED_PREFIX:
            return 0
        # Rows with tails of different lengths leave padding *between* the prefix and
        # their tail. Sliding-window layers count that padding inside the window (it is
        # applied to cache slots, not positions), so such rows would see fewer real
        # tokens than alone once a prompt outgrows the window: do not share then.
        window = self._sliding_window
        ragged = len({len(r.ids) - n for r in batch}) > 1
        if window and ragged and max(len(r.ids) for r in batch) >= window:
            return 0
        return n

    def _prefix_cache(self, ids: tuple[int, ...]) -> Any:
        """A fresh copy of the KV cache of ``ids`` (computed once, kept for the next batch)."""
        torch = _torch()
        if self._prefix_kv is None or self._prefix_kv[0] != ids:
            out = self.model(input_ids=torch.tensor([ids]), use_cache=True, logits_to_keep=1)
            self._prefix_kv = (ids, out.cache)
        return copy.deepcopy(self._prefix_kv[1])

    def _generate_batch(self, batch: list[_Row]) -> list[tuple[list[int], str, list[float]]]:
        torch = _torch()
        n_shared = self._shared_prefix(batch)
        b = len(batch)
        with torch.inference_mode():
            past = None
            if n_shared:
                past = self._prefix_cache(tuple(batch[0].ids[:n_shared]))
                if b > 1:
                    past.batch_repeat_interleave(b)
            tails = [r.ids[n_shared:] for r in batch]
            width = max(len(t) for t in tails)
            input_ids = torch.full((b, width), self._pad_id, dtype=torch.long)
            tail_mask = torch.zeros((b, width), dtype=torch.long)
            for j, t in enumerate(tails):
                input_ids[j, width - len(t) :] = torch.tensor(t)
                tail_mask[j, width - len(t) :] = 1
            attention = torch.cat([torch.ones((b, n_shared), dtype=torch.long), tail_mask], dim=1)
            positions = (n_shared + tail_mask.cumsum(1) - 1).clamp(min=n_shared)
            out = self.model(
                input_ids=input_ids,
                attention_mask=attention,
                position_ids=positions,
                cache=past,
                use_cache=True,
                logits_to_keep=1,
            )
            past = out.cache
            logits = out.logits[:, -1, :].float()
            last_pos = positions[:, -1]
            generators = [_generator(r) for r in batch]
            generated: list[list[int]] = [[] for _ in batch]
            logprobs: list[list[float]] = [[] for _ in batch]
            reasons: list[str | None] = [None] * b
            active = list(range(b))  # batch rows still decoding, in cache order
            while active:
                next_tokens = []
                for pos, j in enumerate(active):
                    row = batch[j]
                    token, finished = self._choose(row, logits[pos], generated[j], generators[j])
                    if token is not None and token not in self._eos_ids:
                        generated[j].append(token)
                        if row.item.request.logprobs:  # one per generated token (EOS excluded)
                            logprobs[j].append(float(torch.log_softmax(logits[pos], -1)[token]))
                    if finished or token is None or token in self._eos_ids:
                        reasons[j] = "stop"
                    elif len(generated[j]) >= row.item.request.max_tokens:
                        reasons[j] = "length"
                    elif row.item.request.stop and _hits_stop(
                        self, generated[j], row.item.request.stop
                    ):
                        reasons[j] = "stop"
                    next_tokens.append(token if token is not None else self._pad_id)
                keep = [pos for pos, j in enumerate(active) if reasons[j] is None]
                if not keep:
                    break
                if len(keep) < len(active):
                    index = torch.tensor(keep)
                    past.batch_select_indices(index)
                    attention = attention[index]
                    last_pos = last_pos[index]
                    next_tokens = [next_tokens[p] for p in keep]
                    active = [active[p] for p in keep]
                attention = torch.cat(
                    [attention, torch.ones((len(active), 1), dtype=torch.long)], 1
                )
                last_pos = last_pos + 1
                out = self.model(
                    input_ids=torch.tensor(next_tokens).unsqueeze(1),
                    attention_mask=attention,
                    position_ids=last_pos.unsqueeze(1),
                    cache=past,
                    use_cache=True,
                )
                past = out.cache
                logits = out.logits[:, -1, :].float()
        return [(generated[j], reasons[j] or "length", logprobs[j]) for j in range(b)]

    def _choose(
        self, row: _Row, logits: Any, generated: list[int], generator: Any
    ) -> tuple[int | None, bool]:
        """Next token of one row, and whether the row is complete (guided choices)."""
        torch = _torch()
        req = row.item.request
        finished = False
        if row.choices:
            allowed, complete = _trie_step(row.choices, generated)
            if complete and not allowed:
                return None, True
            mask = torch.full_like(logits, float("-inf"))
            ids = list(allowed) + (sorted(self._eos_ids) if complete else [])
            mask[ids] = 0.0
            logits = logits + mask
        if req.temperature == 0:
            token = int(torch.argmax(logits))
        else:
            scaled = logits / req.temperature
            probs = torch.softmax(scaled, -1)
            if req.top_p < 1.0:
                sorted_p, order = torch.sort(probs, descending=True)
                cum = sorted_p.cumsum(0)
                cut = int((cum < req.top_p).sum()) + 1
                keep = order[:cut]
                filtered = torch.zeros_like(probs)
                filtered[keep] = probs[keep]
                probs = filtered / filtered.sum()
            token = int(torch.multinomial(probs, 1, generator=generator))
        if row.choices:
            allowed_after, complete_after = _trie_step(row.choices, [*generated, token])
            finished = complete_after and not allowed_after
        return token, finished

    # -- scoring -------------------------------------------------------------------------------
    def score(
        self, requests: Sequence[ScoreRequest], on_result: ScoreCallback, *, share_prefix: bool
    ) -> None:
        self.load()
        token_requests = [self.token_score_request(r) for r in requests]
        kernel = self._kernel() if share_prefix else None
        if kernel is not None:
            # One call: the kernel shares prefixes within a call only; results stream to the cache.
            t0 = time.perf_counter()
            last = [t0]

            def on_kernel_result(i: int, res: Sequence[OptionLogprob]) -> None:
                now = time.perf_counter()
                on_result(i, _score_output(token_requests[i], res, now - last[0]))
                last[0] = now

            kernel(self.model, token_requests, on_result=on_kernel_result)
            return
        for i, treq in enumerate(token_requests):
            t0 = time.perf_counter()
            res = self.score_reference(treq)
            on_result(i, _score_output(treq, res, time.perf_counter() - t0))

    def _kernel(self) -> Any:
        if importlib.util.find_spec("radjudge.llm.prefix") is None:
            if not self._warned_no_kernel:
                warnings.warn(
                    "radjudge.llm.prefix is not available yet: share_prefix=True falls back to "
                    "the reference scorer",
                    stacklevel=4,
                )
                self._warned_no_kernel = True
            return None
        return score_continuations

    def score_reference(self, request: TokenScoreRequest) -> tuple[OptionLogprob, ...]:
        """Reference log-probs of each option after the prompt (no reuse across requests).

        One forward of the whole prompt (logits of its last position only),
        then, for options longer than one token, one batched forward of the
        options' leading tokens over the prompt's KV cache (right-padded:
        causal attention keeps padding out of the real positions).
        """
        torch = _torch()
        self.load()
        prompt = list(request.prompt_ids)
        multi = [k for k, o in enumerate(request.options) if len(o) > 1]
        if any(len(o) == 0 for o in request.options):
            raise ValueError("TokenScoreRequest.options must not contain an empty token sequence")
        with torch.inference_mode():
            out = self.model(
                input_ids=torch.tensor([prompt]), use_cache=bool(multi), logits_to_keep=1
            )
            first = torch.log_softmax(out.logits[0, -1].float(), -1)
            per_token: dict[int, list[float]] = {
                k: [float(first[o[0]])] for k, o in enumerate(request.options)
            }
            if multi:
                past = out.cache
                past.batch_repeat_interleave(len(multi))
                width = max(len(request.options[k]) for k in multi) - 1
                inputs = torch.full((len(multi), width), self._pad_id, dtype=torch.long)
                mask = torch.zeros((len(multi), width), dtype=torch.long)
                for r, k in enumerate(multi):
                    lead = request.options[k][:-1]
                    inputs[r, : len(lead)] = torch.tensor(lead)
                    mask[r, : len(lead)] = 1
                attention = torch.cat(
                    [torch.ones((len(multi), len(prompt)), dtype=torch.long), mask], 1
                )
                positions = (len(prompt) + torch.arange(width)).expand(len(multi), width)
                logits = self.model(
                    input_ids=inputs,
                    attention_mask=attention,
                    position_ids=positions,
                    cache=past,
                    use_cache=True,
                    logits_to_keep=width,
                ).logits.float()
                logp = torch.log_softmax(logits, -1)
                for r, k in enumerate(multi):
                    option = request.options[k]
                    per_token[k].extend(
                        float(logp[r, j, option[j + 1]]) for j in range(len(option) - 1)
                    )
        return tuple(
            OptionLogprob(total=float(sum(v)), token_logprobs=tuple(v))
            for _, v in sorted(per_token.items())
        )


@dataclass
class _Row:
    index: int
    item: WorkItem
    ids: list[int]
    choices: tuple[tuple[int, ...], ...]


def _generator(row: _Row) -> Any:
    seed = row.item.seed
    if seed is None:
        return None
    return _torch().Generator().manual_seed(seed)


def _trie_step(
    choices: tuple[tuple[int, ...], ...], generated: Sequence[int]
) -> tuple[set[int], bool]:
    """Tokens that continue some choice after ``generated``; whether ``generated`` is a choice."""
    n = len(generated)
    prefix = tuple(generated)
    allowed = {c[n] for c in choices if len(c) > n and c[:n] == prefix}
    return allowed, prefix in choices


def _hits_stop(backend: TransformersBackend, ids: list[int], stop: tuple[str, ...]) -> bool:
    text = backend.tokenizer.decode(ids, skip_special_tokens=True)
    return any(s in text for s in stop)


def _apply_stop(text: str, reason: str, stop: tuple[str, ...]) -> tuple[str, str]:
    """Cut ``text`` before the earliest stop string."""
    cuts = [text.find(s) for s in stop if s in text]
    if cuts:
        return text[: min(cuts)], "stop"
    return text, reason


def _score_output(
    request: TokenScoreRequest, result: Sequence[OptionLogprob], latency: float
) -> ScoreOutput:
    if len(result) != len(request.options):
        return ScoreOutput.failed(
            len(request.options),
            f"scorer returned {len(result)} results for {len(request.options)} options",
            latency_s=latency,
        )
    return ScoreOutput(
        logprobs=tuple(r.total for r in result),
        option_token_counts=tuple(len(o) for o in request.options),
        prompt_tokens=len(request.prompt_ids),
        latency_s=latency,
    )


@lru_cache(maxsize=32)
def _file_sha256(path: Path) -> str:
    return sha256_file(path)
