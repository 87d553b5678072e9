"""Prefix-sharing log-probability kernel for in-process causal LMs.

A judge sweep asks one model many questions that differ only at the end::

    [template head + record] [summary] [criterion definition] [scale + granularity + answer cue]

All summaries of a patient share the record, all criteria share the summary,
all scale/granularity variants share the criterion, and the variants share
their leading tokens (``"Scale 1-"``). :func:`score_continuations` builds a
*trie* over the requests' prompt tokens (a radix tree: a node is a run of
tokens as long as the prompts under it agree, wherever the segments part) and
runs every trie node through the model once:

* a node whose subtree is large is *materialized*: its tokens are run on top of
  its parent's key/value (KV) cache and the result is kept while its children
  are processed (depth-first, so only one root-to-node path is in memory). A
  long node (the template head and the record; a summary and its only
  criterion) is prefilled in passes of up to ``max_pass_tokens``;
* small subtrees (typically the rubric suffixes under one criterion, or all
  suffixes of a summary) are *packed* as units into one pass on top of the
  shared KV: every token sees the shared prefix, its own ancestors in the trie
  and nothing else, at the position it would have in its own full prompt;
* logits (the LM head is most of a small model's cost; Gemma-3 has a 262k
  vocabulary) are computed only at the rows needed: the last prompt token and,
  for multi-token options such as ``" 10"``, each option token but the last.
  Options of one prompt form their own small trie, so ``" 1"`` and ``" 10"``
  share the row after ``" "`` and ``"1"``.

Tree attention
    A pass's attention is split in two exact parts, merged through their
    log-sum-exps (:func:`_tree_attention`, registered with transformers'
    ``AttentionInterface`` for the duration of a pass): every query against the
    materialized prefix, with no mask (the query heads sharing a key head
    folded into one call, so the prefix is neither copied nor repeated), and
    every packed unit against itself with its own small tree mask (units of
    similar length batched with little padding; a prefill chunk is plain causal
    attention). A dense tree mask over ``(n, prefix + n)`` would make flash
    attention compute every masked pair - the sibling units' and the
    upper triangle of a chunk - which cost a quarter of the attention work.
    Both parts use torch's CPU flash-attention kernel, so the model must be on
    the CPU.

Models with sliding-window layers (Gemma-3: five sliding layers of window 512
per global layer) get masks with the window applied in position space, and only
the last ``window - 1`` prefix entries are kept for those layers - exactly what
a plain full-prompt forward computes.

The result equals a plain forward pass over each full prompt up to floating
point rounding (tested against the reference scorer of the transformers
backend, within 1e-4 in probability).
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Sequence
from contextvars import ContextVar
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
    """A trie node: a run of prompt tokens on top of its parent's."""

    __slots__ = ("tokens", "children", "ends", "probes", "size")

    def __init__(self, tokens: tuple[int, ...]) -> None:
        self.tokens = tokens
        self.children: dict[int, _Node] = {}  # keyed by the child's first token
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
    """The requests' prompts as a radix tree of tokens (shared token prefixes are one node).

    Sharing is by token, not by segment: prompts that differ only late in a segment
    (the rubric tails of one criterion: ``"Scale 1-3 ..."`` and ``"Scale 1-5 ..."``)
    share their common leading tokens. Segments only say where prompts are
    likely to part; the nodes are as long as the prompts allow.
    """
    root = _Node(())
    for i, req in enumerate(requests):
        if not isinstance(req, TokenScoreRequest):
            raise TypeError(f"requests[{i}] must be a TokenScoreRequest, got {type(req).__name__}")
        tokens = tuple(int(t) for seg in req.segments for t in seg)
        if not tokens:
            raise ValueError(f"requests[{i}] has an empty prompt; give at least one token")
        node = _insert(root, tokens)
        if not req.options or any(len(o) == 0 for o in req.options):
            raise ValueError(f"requests[{i}].options must be non-empty token sequences")
        node.ends.append(i)
    _finish(root, requests)
    return root


def _insert(root: _Node, tokens: tuple[int, ...]) -> _Node:
    """The node where ``tokens`` ends, splitting nodes and adding one as needed."""
    node, at = root, 0
    while at < len(tokens):
        child = node.children.get(tokens[at])
        if child is None:
            child = node.children[tokens[at]] = _Node(tokens[at:])
            return child
        run = child.tokens
        if tokens[at : at + len(run)] != run:  # the prompt leaves (or ends) inside the node
            common = 1  # the first tokens are equal: the key
            while common < len(run) and at + common < len(tokens):
                if tokens[at + common] != run[common]:
                    break
                common += 1
            head = _Node(run[:common])  # common < len(run): split the node there
            child.tokens = run[common:]
            head.children[child.tokens[0]] = child
            node.children[tokens[at]] = child = head
        node, at = child, at + len(child.tokens)
    return node


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

    ``update`` remembers the pass's new keys and values and returns them as they
    are: the tree attention (:func:`_tree_attention`) reads the prefix itself, so
    the prefix is never copied or modified and one materialized node serves any
    number of passes.
    """

    def __init__(self, prefix: list[tuple[Any, Any]] | None, n_layers: int) -> None:
        self.prefix = prefix
        self.new: list[tuple[Any, Any] | None] = [None] * n_layers

    def update(
        self, key_states: Any, value_states: Any, layer_idx: int, *args: Any, **kwargs: Any
    ) -> Any:
        self.new[layer_idx] = (key_states, value_states)
        return key_states, value_states

    def get_seq_length(self, layer_idx: int = 0) -> int:
        return 0 if self.prefix is None else int(self.prefix[layer_idx][0].shape[2])


#: Name under which :func:`_tree_attention` is registered with transformers.
_ATTENTION_NAME = "radjudge_prefix_tree"
#: The pass being run (set by :meth:`_Runner.run` around the model call).
_CURRENT_PASS: ContextVar[_PassAttention | None] = ContextVar("radjudge_prefix_pass", default=None)


@dataclass
class _OwnGroup:
    """Packed units of similar length, attended together (padded to ``index.shape[1]``)."""

    index: Any  # (G, T) long: packed position of each slot (padding repeats a real slot)
    real: Any  # (G, T) bool: slot holds a real token
    masks: dict[str, Any | None]  # layer type -> (G, 1, T, T) additive, or None: plain causal
    whole: bool = False  # the group is the whole pass, in order (one chain)


@dataclass
class _PassAttention:
    """What the attention of one pass needs besides the new keys: prefix, masks, groups.

    Every token attends to (1) the materialized prefix, without a mask (the last
    ``window - 1`` entries, masked by distance, in sliding-window layers) and
    (2) its ancestors inside its own packed unit. The two parts run as separate
    flash-attention calls and are merged through their log-sum-exps, so no
    query pays for keys it cannot see: no dense (n, prefix + n) tree mask, no
    attention between sibling units, no copy of the prefix.
    """

    prefix: list[tuple[Any, Any]] | None
    layer_types: list[str]
    # layer type -> (1, 1, rep * n, kept) additive, None = no mask
    prefix_masks: dict[str, Any | None]
    # layer type -> (n,) bool: queries that see no prefix key (far past a sliding window)
    prefix_blind: dict[str, Any | None]
    groups: list[_OwnGroup]


def _tree_attention(
    module: Any,
    query: Any,
    key: Any,
    value: Any,
    attention_mask: Any,
    scaling: float | None = None,
    dropout: float = 0.0,
    **kwargs: Any,
) -> tuple[Any, None]:
    """Attention of a packed pass: prefix part and own-unit part, merged exactly.

    Registered with transformers' ``AttentionInterface`` and used only inside
    :meth:`_Runner.run`. ``query`` (1, H, n, d); ``key``/``value`` (1, H_kv, n, d)
    hold the pass's new entries only; ``attention_mask`` is a placeholder.
    """
    import torch

    plan = _CURRENT_PASS.get()
    if plan is None:
        raise RuntimeError("radjudge tree attention called outside score_continuations")
    # the public scaled_dot_product_attention does not return the log-sum-exp the merge
    # needs; this aten op (torch is pinned in pyproject.toml) does
    flash = torch.ops.aten._scaled_dot_product_flash_attention_for_cpu
    layer = int(module.layer_idx)
    kind = plan.layer_types[layer]
    _, n_heads, n, dim = query.shape
    n_kv = key.shape[1]
    rep = n_heads // n_kv
    q = query[0]  # (H, n, d)

    groups = plan.groups
    if len(groups) == 1 and groups[0].whole:  # one chain: the pass itself, in order
        k, v = key, value
        if rep > 1:  # grouped-query attention: each key head serves `rep` query heads
            k, v = key.repeat_interleave(rep, dim=1), value.repeat_interleave(rep, dim=1)
        mask = groups[0].masks[kind]
        og, lg = flash(query, k, v, is_causal=mask is None, attn_mask=mask, scale=scaling)
        out, lse = og[0], lg[0]
    else:
        out = torch.empty_like(q)
        lse = torch.empty(q.shape[:2], dtype=torch.float32)
        for group in groups:
            flat = group.index.reshape(-1)
            g, t = group.index.shape
            qg = q[:, flat].reshape(n_heads, g, t, dim).transpose(0, 1)
            kg = key[0][:, flat].reshape(n_kv, g, t, dim).transpose(0, 1)
            vg = value[0][:, flat].reshape(n_kv, g, t, dim).transpose(0, 1)
            if rep > 1:
                kg, vg = kg.repeat_interleave(rep, dim=1), vg.repeat_interleave(rep, dim=1)
            mask = group.masks[kind]
            og, lg = flash(
                qg.contiguous(),
                kg.contiguous(),
                vg.contiguous(),
                is_causal=mask is None,
                attn_mask=mask,
                scale=scaling,
            )
            real = group.real.reshape(-1)
            dest = flat[real]
            out[:, dest] = og.transpose(0, 1).reshape(n_heads, g * t, dim)[:, real]
            lse[:, dest] = lg.transpose(0, 1).reshape(n_heads, g * t)[:, real]

    if plan.prefix is not None:
        pk, pv = plan.prefix[layer]
        # no mask: every query head of a key head's group sees the same keys, so the
        # group's heads are folded into the query axis and the keys are not repeated
        qf = q.reshape(n_kv, rep * n, dim)[None]
        op, lp = flash(qf, pk, pv, attn_mask=plan.prefix_masks[kind], scale=scaling)
        op = op[0].reshape(n_heads, n, dim)
        lp = lp[0].reshape(n_heads, n)
        blind = plan.prefix_blind[kind]
        if blind is not None:  # flash gives such rows lse 0, not -inf: they get no weight
            lp = lp.masked_fill(blind, float("-inf"))
        # softmax over both parts: the own part's share is exp(lse) / (exp(lse) + exp(lp))
        out = torch.lerp(op, out, torch.sigmoid(lse - lp)[..., None].to(out.dtype))
    return out.transpose(0, 1)[None].to(query.dtype).contiguous(), None


class _Runner:
    """Model-specific plumbing: layer types, the pass's attention plan, the forward call."""

    def __init__(self, model: Any) -> None:
        import torch
        from transformers import AttentionInterface

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
        if getattr(config, "attn_logit_softcapping", None) is not None:
            raise ValueError(
                f"{type(model).__name__}: attention logit soft-capping is not supported"
            )
        weights = next(model.parameters())
        if weights.device.type != "cpu":
            raise ValueError(
                f"score_continuations runs on the CPU (torch's CPU flash-attention kernel); "
                f"the model is on {weights.device}"
            )
        self.dtype = weights.dtype
        # query heads per key head (grouped-query attention)
        n_kv = getattr(config, "num_key_value_heads", None) or config.num_attention_heads
        self.rep = int(config.num_attention_heads) // int(n_kv)
        AttentionInterface.register(_ATTENTION_NAME, _tree_attention)
        params = inspect.signature(model.forward).parameters
        self.cache_kw = "cache" if "cache" in params else "past_key_values"

    def _plan(
        self, prefix: list[tuple[Any, Any]] | None, prefix_len: int, p: _Pass
    ) -> _PassAttention:
        """The attention plan of a pass: own-unit groups and masks, prefix masks."""
        torch = self.torch
        n = len(p.tokens)
        parents = np.asarray(p.parents, dtype=np.int64)
        positions = np.asarray(p.positions, dtype=np.int64)
        starts = np.flatnonzero(parents < 0)  # each packed unit starts at a child of the prefix
        stops = np.r_[starts[1:], n]
        kinds = sorted(set(self.layer_types))
        groups = []
        chains: list[tuple[int, int]] = []
        trees: list[tuple[int, int]] = []
        for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
            is_chain = bool(np.array_equal(parents[start + 1 : stop], np.arange(start, stop - 1)))
            (chains if is_chain else trees).append((start, stop))
        # A chain (a prefill chunk, a materialized node) is plain causal attention.
        for a, b in chains:
            in_window = self.window is None or b - a <= self.window
            masks = {}
            for kind in kinds:
                if kind == "sliding_attention" and not in_window:
                    masks[kind] = self._own_masks([(a, b)], parents, positions, b - a)[kind]
                else:
                    masks[kind] = None
            index = torch.arange(a, b)[None]
            real = torch.ones((1, b - a), dtype=torch.bool)
            groups.append(_OwnGroup(index, real, masks, whole=(a, b) == (0, n)))
        # Trees (packed subtrees with option probes): sorted by length and batched with
        # little padding (a group is padded to its longest unit).
        trees.sort(key=lambda u: u[1] - u[0])
        batch: list[tuple[int, int]] = []
        for unit in [*trees, None]:
            if batch and (
                unit is None
                or (len(batch) + 1) * (unit[1] - unit[0])
                > 1.25 * (sum(b - a for a, b in batch) + unit[1] - unit[0])
            ):
                width = max(b - a for a, b in batch)
                index = torch.tensor(
                    [list(range(a, b)) + [b - 1] * (width - (b - a)) for a, b in batch]
                )
                real = torch.tensor([[j < b - a for j in range(width)] for a, b in batch])
                groups.append(
                    _OwnGroup(index, real, self._own_masks(batch, parents, positions, width))
                )
                batch = []
            if unit is not None:
                batch.append(unit)
        prefix_masks: dict[str, Any | None] = {kind: None for kind in kinds}
        blind: dict[str, Any | None] = {kind: None for kind in kinds}
        if prefix is not None and self.window is not None:
            kept = min(prefix_len, self.window - 1)
            kpos = torch.arange(prefix_len - kept, prefix_len)
            qpos = torch.from_numpy(positions)
            visible = kpos[None, :] > (qpos[:, None] - self.window)
            # tiled for the query heads folded per key head (see _tree_attention)
            prefix_masks["sliding_attention"] = self._additive(visible).repeat(self.rep, 1)[
                None, None
            ]
            blind["sliding_attention"] = ~visible.any(dim=1)
        return _PassAttention(prefix, self.layer_types, prefix_masks, blind, groups)

    def _own_masks(
        self,
        units: list[tuple[int, int]],
        parents: np.ndarray,
        positions: np.ndarray,
        width: int,
    ) -> dict[str, Any]:
        """(G, 1, T, T) masks of units: each token sees its ancestors in its unit (and itself).

        Padding slots see only themselves (their output is dropped); sliding-window
        layers also drop keys ``window`` or more positions back.
        """
        torch = self.torch
        allowed = np.zeros((len(units), width, width), dtype=bool)
        pos = np.zeros((len(units), width), dtype=np.int64)
        for u, (a, b) in enumerate(units):
            anc = allowed[u]
            for i in range(b - a):  # parents come before their children
                if parents[a + i] >= 0:
                    anc[i] = anc[parents[a + i] - a]
                anc[i, i] = True
            for i in range(b - a, width):
                anc[i, i] = True
            pos[u, : b - a] = positions[a:b]
            pos[u, b - a :] = positions[b - 1]
        full = torch.from_numpy(allowed)[:, None]
        masks: dict[str, Any] = {kind: self._additive(full) for kind in set(self.layer_types)}
        if self.window is not None:
            p = torch.from_numpy(pos)
            in_window = p[:, None, :] > (p[:, :, None] - self.window)
            masks["sliding_attention"] = self._additive(
                full & (in_window[:, None] | torch.eye(width, dtype=torch.bool))
            )
        return masks

    def _additive(self, allowed: Any) -> Any:
        """0 where attention is allowed, -inf elsewhere, in the model's dtype (what flash takes)."""
        torch = self.torch
        return torch.zeros(allowed.shape, dtype=self.dtype).masked_fill_(~allowed, float("-inf"))

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
        plan = self._plan(prefix, prefix_len, p)
        cache = _PrefixCache(prefix, self.n_layers)
        # A 4-D mask is passed through by transformers as is; the tree attention ignores it.
        placeholder = torch.ones((1, 1, 1, 1), dtype=torch.bool)
        masks: Any = placeholder
        if self.window is not None:
            masks = {"full_attention": placeholder, "sliding_attention": placeholder}
        config = self.model.config
        impl = config._attn_implementation
        token = _CURRENT_PASS.set(plan)
        config._attn_implementation = _ATTENTION_NAME
        try:
            out = self.model(
                input_ids=torch.tensor([p.tokens], dtype=torch.long),
                position_ids=torch.tensor([p.positions], dtype=torch.long),
                attention_mask=masks,
                use_cache=True,
                logits_to_keep=torch.tensor(list(logit_rows) or [n - 1], dtype=torch.long),
                **{self.cache_kw: cache},
            )
        finally:
            config._attn_implementation = impl
            _CURRENT_PASS.reset(token)
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
        and sliding-window attention layers, no attention soft-capping) on the
        CPU; its attention implementation is replaced by the tree attention
        during each pass.
    requests : sequence of TokenScoreRequest, length R
        Prompts as token-id segments and the options to score after each.
        Requests sharing leading tokens share their computation, whatever
        their order and wherever their segments part.
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
    the KV of one root-to-node path of the trie plus one pass. During each pass
    the model's attention implementation is switched to the tree attention and
    then put back: do not run the same model from another thread meanwhile.

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
                # The node is as long as the prompts under it agree (the template head and
                # the record, or a summary with its only criterion): prefilled in full passes.
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
