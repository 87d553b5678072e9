"""Prefix-sharing log-probability kernel for in-process causal LMs.

A judge sweep asks one model many questions that differ only at the end::

    [template head + record] [summary] [criterion definition] [scale + granularity + answer cue]

All summaries of a patient share the record, all criteria share the summary,
all scale/granularity variants share the criterion. :func:`score_continuations`
builds a *trie* over the requests' token segments and runs every trie node
through the model once:

* a node whose subtree is large is *materialized*: its tokens are run on top of
  its parent's key/value (KV) cache and the result is kept while its children
  are processed (depth-first, so only one root-to-node path is in memory);
* small subtrees (typically the rubric suffixes under one criterion, or all
  suffixes of a summary) are *packed* into one sequence on top of the shared
  KV, with a tree attention mask: every token sees the shared prefix, its own
  ancestors in the trie and nothing else, at the position it would have in its
  own full prompt. No padding and no copy of the shared KV.
* logits (the LM head is most of a small model's cost; Gemma-3 has a 262k
  vocabulary) are computed only at the rows needed: the last prompt token and,
  for multi-token options such as ``" 10"``, each option token but the last.
  Options of one prompt form their own small trie, so ``" 1"`` and ``" 10"``
  share the row after ``" "`` and ``"1"``.

Models with sliding-window layers (Gemma-3: five sliding layers of window 512
per global layer) get a second mask with the window applied in position
space, and only the last ``window - 1`` prefix entries are kept for those
layers - exactly what a plain full-prompt forward computes.

The result equals a plain forward pass over each full prompt up to floating
point rounding (tested against the reference scorer of the transformers
backend, within 1e-4 in probability).
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from radjudge.llm.types import OptionLogprob, TokenScoreRequest

__all__ = ["PrefixStats", "score_continuations"]


@dataclass
class PrefixStats:
    """Work counters of :func:`score_continuations` (accumulated over calls).

    Attributes
    ----------
    requests : int
        Requests scored.
    prompt_tokens : int
        Sum of the requests' prompt lengths: what a scorer without prefix
        reuse would run through the model.
    computed_tokens : int
        Tokens actually run through the model (trie nodes once each, plus one
        row per option-prefix token).
    logit_rows : int
        Positions at which the LM head was applied.
    passes : int
        Forward passes.
    seconds : float
        Wall time inside the kernel.
    """

    requests: int = 0
    prompt_tokens: int = 0
    computed_tokens: int = 0
    logit_rows: int = 0
    passes: int = 0
    seconds: float = 0.0

    @property
    def reuse_factor(self) -> float:
        """``prompt_tokens / computed_tokens`` (NaN before any work)."""
        return self.prompt_tokens / self.computed_tokens if self.computed_tokens else float("nan")


class _Node:
    """A trie node: one prompt segment on top of its parent's."""

    __slots__ = ("tokens", "children", "ends", "probes", "size")

    def __init__(self, tokens: tuple[int, ...]) -> None:
        self.tokens = tokens
        self.children: dict[tuple[int, ...], _Node] = {}
        self.ends: list[int] = []  # indices of the requests whose prompt ends here
        self.probes: list[tuple[int, ...]] = []  # option prefixes that need a logits row
        self.size = 0  # tokens in the subtree (nodes + probes)


@dataclass
class _Pass:
    """One forward pass: packed tokens on top of a materialized prefix."""

    tokens: list[int] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    parents: list[int] = field(default_factory=list)  # packed index, -1 = the prefix
    # (node, packed index of the node's last token, {probe prefix: packed index})
    ends: list[tuple[_Node, int, dict[tuple[int, ...], int]]] = field(default_factory=list)


def _build_trie(requests: Sequence[TokenScoreRequest]) -> _Node:
    root = _Node(())
    for i, req in enumerate(requests):
        if not isinstance(req, TokenScoreRequest):
            raise TypeError(f"requests[{i}] must be a TokenScoreRequest, got {type(req).__name__}")
        node = root
        for seg in req.segments:
            if not seg:
                continue  # an empty segment adds nothing to the prompt
            seg = tuple(int(t) for t in seg)
            child = node.children.get(seg)
            if child is None:
                child = node.children[seg] = _Node(seg)
            node = child
        if node is root:
            raise ValueError(f"requests[{i}] has an empty prompt; give at least one token")
        if not req.options or any(len(o) == 0 for o in req.options):
            raise ValueError(f"requests[{i}].options must be non-empty token sequences")
        node.ends.append(i)
    _finish(root, requests)
    return root


def _finish(node: _Node, requests: Sequence[TokenScoreRequest]) -> int:
    prefixes = {
        tuple(o[:k]) for i in node.ends for o in requests[i].options for k in range(1, len(o))
    }
    node.probes = sorted(prefixes, key=lambda p: (len(p), p))  # parents before children
    node.size = len(node.tokens) + len(node.probes)
    node.size += sum(_finish(c, requests) for c in node.children.values())
    return node.size


def _pack_subtree(
    p: _Pass, node: _Node, parent: int, parent_pos: int, *, with_children: bool
) -> None:
    """Append ``node`` (and, if asked, its descendants) to a pass."""
    for t in node.tokens:
        p.tokens.append(t)
        parent_pos += 1
        p.positions.append(parent_pos)
        p.parents.append(parent)
        parent = len(p.tokens) - 1
    last, last_pos = parent, parent_pos
    if node.ends:
        probe_index: dict[tuple[int, ...], int] = {}
        for prefix in node.probes:
            up = last if len(prefix) == 1 else probe_index[prefix[:-1]]
            p.tokens.append(prefix[-1])
            p.positions.append(last_pos + len(prefix))
            p.parents.append(up)
            probe_index[prefix] = len(p.tokens) - 1
        p.ends.append((node, last, probe_index))
    if with_children:
        for child in node.children.values():
            _pack_subtree(p, child, last, last_pos, with_children=True)


class _PrefixCache:
    """Duck-typed transformers cache: a read-only prefix KV plus this pass's keys.

    ``update`` returns ``prefix + new`` for the attention of this pass and
    remembers ``new``; the prefix is never modified, so one materialized
    node serves any number of passes.
    """

    def __init__(self, prefix: list[tuple[Any, Any]] | None, n_layers: int) -> None:
        self.prefix = prefix
        self.new: list[tuple[Any, Any] | None] = [None] * n_layers

    def update(
        self, key_states: Any, value_states: Any, layer_idx: int, *args: Any, **kwargs: Any
    ) -> Any:
        import torch

        self.new[layer_idx] = (key_states, value_states)
        if self.prefix is None:
            return key_states, value_states
        pk, pv = self.prefix[layer_idx]
        return torch.cat([pk, key_states], dim=2), torch.cat([pv, value_states], dim=2)

    def get_seq_length(self, layer_idx: int = 0) -> int:
        return 0 if self.prefix is None else int(self.prefix[layer_idx][0].shape[2])


class _Runner:
    """Model-specific plumbing: layer types, masks, the forward call."""

    def __init__(self, model: Any) -> None:
        import torch

        self.torch = torch
        self.model = model
        config = model.config
        self.n_layers = int(config.num_hidden_layers)
        layer_types = getattr(config, "layer_types", None) or ["full_attention"] * self.n_layers
        self.layer_types = list(layer_types)[: self.n_layers]
        unknown = set(self.layer_types) - {"full_attention", "sliding_attention"}
        if unknown:
            raise ValueError(
                f"score_continuations supports full and sliding-window attention layers; "
                f"{type(model).__name__} has {sorted(unknown)}"
            )
        self.window: int | None = None
        if "sliding_attention" in self.layer_types:
            self.window = int(config.sliding_window)
        elif getattr(config, "sliding_window", None) and getattr(
            config, "use_sliding_window", False
        ):
            raise ValueError(
                f"{type(model).__name__}: uniform sliding-window models are not supported"
            )
        impl = getattr(config, "_attn_implementation", None) or "eager"
        if impl not in ("sdpa", "eager"):
            raise ValueError(
                "score_continuations needs attn_implementation 'sdpa' or 'eager', the model uses "
                f"{impl!r}"
            )
        self.boolean_mask = impl == "sdpa"
        self.dtype = next(model.parameters()).dtype
        params = inspect.signature(model.forward).parameters
        self.cache_kw = "cache" if "cache" in params else "past_key_values"
        self.dict_masks = self.window is not None

    def _mask(self, allowed: Any) -> Any:
        torch = self.torch
        allowed = allowed[None, None]
        if self.boolean_mask:
            return allowed
        zero = torch.zeros((), dtype=self.dtype)
        return torch.where(
            allowed, zero, torch.tensor(torch.finfo(self.dtype).min, dtype=self.dtype)
        )

    def run(
        self,
        prefix: list[tuple[Any, Any]] | None,
        prefix_len: int,
        p: _Pass,
        logit_rows: Sequence[int],
    ) -> tuple[_PrefixCache, Any]:
        """Run a pass; returns the cache (with the new KV) and log-softmax rows."""
        torch = self.torch
        n = len(p.tokens)
        parents = np.asarray(p.parents, dtype=np.int64)
        anc = np.zeros((n, n), dtype=bool)
        for i in range(n):  # parents come before their children
            if parents[i] >= 0:
                anc[i] = anc[parents[i]]
            anc[i, i] = True
        own = torch.from_numpy(anc)
        qpos = torch.tensor(p.positions, dtype=torch.long)
        full = torch.cat([torch.ones((n, prefix_len), dtype=torch.bool), own], dim=1)
        masks: Any = self._mask(full)
        if self.dict_masks:
            assert self.window is not None
            kept = min(prefix_len, self.window - 1)
            kpos = torch.cat([torch.arange(prefix_len - kept, prefix_len), qpos])
            in_window = kpos[None, :] > (qpos[:, None] - self.window)
            sliding = torch.cat([torch.ones((n, kept), dtype=torch.bool), own], dim=1) & in_window
            masks = {"full_attention": masks, "sliding_attention": self._mask(sliding)}
        cache = _PrefixCache(prefix, self.n_layers)
        out = self.model(
            input_ids=torch.tensor([p.tokens], dtype=torch.long),
            position_ids=qpos[None, :],
            attention_mask=masks,
            use_cache=True,
            logits_to_keep=torch.tensor(list(logit_rows) or [n - 1], dtype=torch.long),
            **{self.cache_kw: cache},
        )
        logprobs = None
        if logit_rows:
            logprobs = torch.log_softmax(out.logits[0].float(), dim=-1)
        return cache, logprobs

    def extend(
        self, prefix: list[tuple[Any, Any]] | None, cache: _PrefixCache
    ) -> list[tuple[Any, Any]]:
        """The KV of prefix + this pass (sliding layers keep only the last window - 1 entries)."""
        torch = self.torch
        out = []
        for i, new in enumerate(cache.new):
            assert new is not None
            k, v = (
                new
                if prefix is None
                else (
                    torch.cat([prefix[i][0], new[0]], dim=2),
                    torch.cat([prefix[i][1], new[1]], dim=2),
                )
            )
            if self.layer_types[i] == "sliding_attention" and self.window is not None:
                k, v = k[:, :, -(self.window - 1) :], v[:, :, -(self.window - 1) :]
            out.append((k.contiguous(), v.contiguous()))
        return out


def score_continuations(
    model: Any,
    requests: Sequence[TokenScoreRequest],
    *,
    batch_size: int = 64,
    max_pass_tokens: int = 1024,
    progress: Callable[[int], Any] | None = None,
    on_result: Callable[[int, tuple[OptionLogprob, ...]], Any] | None = None,
    stats: PrefixStats | None = None,
) -> list[tuple[OptionLogprob, ...]]:
    """Log-probabilities of option continuations, computing shared prompt prefixes once.

    Parameters
    ----------
    model : transformers causal LM
        A ``LlamaForCausalLM``-like or ``Gemma3ForCausalLM``-like model (full
        and sliding-window attention layers; ``sdpa`` or ``eager`` attention),
        in eval mode.
    requests : sequence of TokenScoreRequest, length R
        Prompts as token-id segments and the options to score after each.
        Requests sharing leading segments share their computation, whatever
        their order.
    batch_size : int, default 64
        At most this many packed subtrees per forward pass.
    max_pass_tokens : int, default 1024
        Token budget of one forward pass. Subtrees up to this size are packed
        together; larger ones are materialized node by node (a single leaf
        longer than the budget runs alone).
    progress : callable, optional
        Called as ``progress(k)`` each time ``k`` more requests are finished
        (e.g. ``tqdm.update``).
    on_result : callable, optional
        Called as ``on_result(i, result)`` as soon as request ``i`` is scored,
        so a caller can stream results to its cache while the call runs.
    stats : PrefixStats, optional
        Accumulates the work counters (tokens computed vs prompt tokens).

    Notes
    -----
    Sharing spans one call only: pass all the requests of a sweep step (all
    summaries of all patients of a judge) in one call rather than in chunks,
    and stream with ``on_result``. Request order does not matter. Memory holds
    the KV of one root-to-node path of the trie plus one pass.

    Returns
    -------
    list of tuple of OptionLogprob, length R
        Per request, one :class:`~radjudge.llm.types.OptionLogprob` per
        option, in order: the natural-log probability of each option token
        given the prompt and the option's earlier tokens, and their sum.

    Raises
    ------
    ValueError
        Empty prompt or option, bad budget, or an unsupported architecture.
    """
    import torch

    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    if not isinstance(max_pass_tokens, int) or max_pass_tokens < 1:
        raise ValueError(f"max_pass_tokens must be an int >= 1, got {max_pass_tokens!r}")
    requests = list(requests)
    results: list[tuple[OptionLogprob, ...] | None] = [None] * len(requests)
    if not requests:
        return []
    t0 = time.perf_counter()
    root = _build_trie(requests)
    runner = _Runner(model)
    local = PrefixStats()
    local.requests = len(requests)
    local.prompt_tokens = sum(len(r.prompt_ids) for r in requests)

    def finish(p: _Pass, logprobs: Any, rows: dict[int, int]) -> None:
        done = 0
        for node, last, probe_index in p.ends:
            for i in node.ends:
                per_option = []
                for option in requests[i].options:
                    tok_lp = []
                    for k, tok in enumerate(option):
                        at = last if k == 0 else probe_index[tuple(option[:k])]
                        tok_lp.append(float(logprobs[rows[at], tok]))
                    per_option.append(
                        OptionLogprob(total=float(sum(tok_lp)), token_logprobs=tuple(tok_lp))
                    )
                option_lps = tuple(per_option)
                results[i] = option_lps
                done += 1
                if on_result is not None:
                    on_result(i, option_lps)
        if progress is not None and done:
            progress(done)

    def run_pass(prefix: Any, prefix_len: int, p: _Pass) -> _PrefixCache:
        needed = sorted(
            {last for _, last, _ in p.ends} | {j for *_, pi in p.ends for j in pi.values()}
        )
        cache, logprobs = runner.run(prefix, prefix_len, p, needed)
        local.passes += 1
        local.computed_tokens += len(p.tokens)
        local.logit_rows += len(needed)
        if p.ends:
            finish(p, logprobs, {j: r for r, j in enumerate(needed)})
        return cache

    def visit(node: _Node, prefix: Any, prefix_len: int) -> None:
        """Process the children of ``node``, whose KV is ``prefix``."""
        current = _Pass()
        units = 0
        for child in node.children.values():
            if child.size > max_pass_tokens and child.children:
                if (
                    child.ends
                ):  # prompts ending at a node that also has children: run it again as a leaf
                    solo = _Pass()
                    _pack_subtree(solo, child, -1, prefix_len - 1, with_children=False)
                    run_pass(prefix, prefix_len, solo)
                kv, length = prefix, prefix_len
                tokens = child.tokens
                for start in range(0, len(tokens), max_pass_tokens):  # chunked prefill
                    chunk = _Pass()
                    part = tokens[start : start + max_pass_tokens]
                    chunk.tokens = list(part)
                    chunk.positions = list(range(length, length + len(part)))
                    chunk.parents = [-1] + list(range(len(part) - 1))
                    cache = run_pass(kv, length, chunk)
                    kv, length = runner.extend(kv, cache), length + len(part)
                visit(child, kv, length)
                del kv
                continue
            if current.tokens and (
                len(current.tokens) + child.size > max_pass_tokens or units >= batch_size
            ):
                run_pass(prefix, prefix_len, current)
                current, units = _Pass(), 0
            _pack_subtree(current, child, -1, prefix_len - 1, with_children=True)
            units += 1
        if current.tokens:
            run_pass(prefix, prefix_len, current)

    was_training = getattr(model, "training", False)
    model.eval()
    try:
        with torch.inference_mode():
            visit(root, None, 0)
    finally:
        if was_training:
            model.train()
    local.seconds = time.perf_counter() - t0
    if stats is not None:
        for name in (
            "requests",
            "prompt_tokens",
            "computed_tokens",
            "logit_rows",
            "passes",
            "seconds",
        ):
            setattr(stats, name, getattr(stats, name) + getattr(local, name))
    missing = [i for i, r in enumerate(results) if r is None]
    if missing:  # a bug, not bad input
        raise RuntimeError(f"score_continuations: requests {missing[:5]} were not scored")
    return [r for r in results if r is not None]
