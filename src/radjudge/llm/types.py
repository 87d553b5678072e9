"""Request and result types of the LLM layer (plain frozen dataclasses, no torch).

Text-level types (what stages use through :class:`radjudge.llm.LLMClient`):
:class:`GenerationRequest` -> :class:`GenerationResult` and
:class:`ScoreRequest` -> :class:`OptionScores`.

Token-level types (the contract with the prefix-sharing kernel
``radjudge.llm.prefix.score_continuations``): :class:`TokenScoreRequest` ->
``tuple[OptionLogprob, ...]`` (one per option, in order).

Prompts are given as *segments*: the user content is their concatenation, and
requests that share leading segments share the computed prompt prefix (the
in-process backend tokenizes each segment on its own, so a shared segment has
identical token ids wherever it appears).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "BackendKind",
    "CacheMode",
    "Endpoint",
    "Guided",
    "Status",
    "ModelIdentity",
    "GenerationRequest",
    "GenerationResult",
    "ScoreRequest",
    "OptionScores",
    "TokenScoreRequest",
    "OptionLogprob",
    "LLMError",
    "ModelSpecError",
    "CacheMissError",
]

BackendKind = Literal["transformers", "openai"]
CacheMode = Literal["readwrite", "readonly", "off"]
#: OpenAI-compatible endpoint a server model is called through.
Endpoint = Literal["chat", "completions"]
#: How a server constrains an answer to the valid labels (``none``: it does not).
Guided = Literal["none", "vllm", "llama_cpp"]
Status = Literal["ok", "failed"]


class LLMError(RuntimeError):
    """Base class of the LLM layer's runtime errors."""


class ModelSpecError(ValueError):
    """A model spec (profile ``shared.models.<name>``) breaks a rule; the message names the key."""


class CacheMissError(LookupError):
    """A call is not in the cache and the cache mode is ``readonly``.

    The message names the model and the prompt hash; rerun with
    ``cache_mode: readwrite`` to compute the missing calls.
    """


def _check_segments(segments: object, where: str) -> None:
    if isinstance(segments, str) or not isinstance(segments, tuple):
        raise ValueError(
            f"{where}.segments must be a tuple of str (the prompt in pieces), "
            f"got {type(segments).__name__}; wrap a single text as (text,)"
        )
    if not segments or not all(isinstance(s, str) for s in segments):
        raise ValueError(f"{where}.segments must be a non-empty tuple of str")


@dataclass(frozen=True)
class ModelIdentity:
    """What a cached call was computed with.

    Attributes
    ----------
    kind : {"transformers", "openai"}
        Backend kind.
    model_id : str
        Weights file or folder name (transformers) or the model id sent to
        (and reported by) the server (openai).
    weights_sha256 : str or None
        SHA-256 of the GGUF file, or of the sorted (name, SHA-256) list of an
        HF folder's files (transformers); None for servers.
    label : str
        User label from the registry (the model's name by default).
    """

    kind: BackendKind
    model_id: str
    weights_sha256: str | None
    label: str

    def key_fields(self) -> dict[str, str]:
        """The fields that enter the cache key.

        Local weights are identified by their SHA-256 alone (renaming a model
        in the registry keeps its cache); a server model by its id and label.
        """
        if self.weights_sha256 is not None:
            return {"kind": self.kind, "weights_sha256": self.weights_sha256}
        return {"kind": self.kind, "model_id": self.model_id, "label": self.label}


@dataclass(frozen=True)
class GenerationRequest:
    """One prompt to complete.

    Attributes
    ----------
    segments : tuple of str
        User content in pieces; the prompt text is their concatenation.
    system : str or None, default None
        System message (chat models); prepended as plain text otherwise.
    answer_prefix : str, default ""
        Text the model's reply starts with (e.g. ``"Оценка: "``). It is part
        of the prompt; the returned texts do not repeat it.
    max_tokens : int, default 256
        Maximum new tokens per sample.
    temperature : float, default 0.0
        0 means greedy decoding (``seed``, ``top_p`` and the sample index are
        then ignored and left out of the cache key).
    top_p : float, default 1.0
        Nucleus sampling mass.
    seed : int or None, default None
        Required when ``temperature > 0``; sample ``i`` uses a seed derived
        from ``(seed, i)``, so each sample is reproducible on its own.
    stop : tuple of str, default ()
        Stop strings; the text is cut before the first one.
    n : int, default 1
        Number of samples; each is its own cache entry.
    logprobs : bool, default False
        Return the log-probability of every generated token.
    choices : tuple of str, default ()
        Constrain the reply to exactly one of these strings (guided decoding):
        in-process by a token trie, on servers with the spec's ``guided`` key.
    """

    segments: tuple[str, ...]
    system: str | None = None
    answer_prefix: str = ""
    max_tokens: int = 256
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int | None = None
    stop: tuple[str, ...] = ()
    n: int = 1
    logprobs: bool = False
    choices: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_segments(self.segments, "GenerationRequest")
        if not isinstance(self.max_tokens, int) or self.max_tokens < 1:
            raise ValueError(
                f"GenerationRequest.max_tokens must be an int >= 1, got {self.max_tokens!r}"
            )
        if not 0.0 <= float(self.temperature) <= 5.0:
            raise ValueError(
                f"GenerationRequest.temperature must be in [0, 5], got {self.temperature!r}"
            )
        if not 0.0 < float(self.top_p) <= 1.0:
            raise ValueError(f"GenerationRequest.top_p must be in (0, 1], got {self.top_p!r}")
        if self.temperature > 0 and self.seed is None:
            raise ValueError(
                "GenerationRequest.seed is required when temperature > 0 (sampling must be "
                "reproducible); pass the profile's shared.seed"
            )
        if not isinstance(self.n, int) or self.n < 1:
            raise ValueError(f"GenerationRequest.n must be an int >= 1, got {self.n!r}")
        if isinstance(self.stop, str) or not all(isinstance(s, str) and s for s in self.stop):
            raise ValueError("GenerationRequest.stop must be a tuple of non-empty str")
        if isinstance(self.choices, str) or not all(isinstance(c, str) and c for c in self.choices):
            raise ValueError("GenerationRequest.choices must be a tuple of non-empty str")

    @property
    def text(self) -> str:
        """The user content: the concatenated segments."""
        return "".join(self.segments)


@dataclass(frozen=True)
class GenerationResult:
    """The completion of one :class:`GenerationRequest`.

    Attributes
    ----------
    texts : tuple of str, length n
        One text per sample (answer prefix and stop string excluded);
        empty strings when ``status == "failed"``.
    finish_reasons : tuple of str, length n
        ``"stop"`` (end of sequence or stop string), ``"length"``
        (``max_tokens`` reached) or ``"failed"``.
    token_logprobs : tuple of tuple of float, or None
        Per sample, the log-probability of each generated token (only when
        the request asked for ``logprobs``).
    prompt_tokens, completion_tokens : int
        Prompt tokens (counted once) and generated tokens (all samples).
    latency_s : float
        Seconds spent computing the call (for a batch, the batch time shared
        equally among its requests); for a cache hit, the original latency.
    cached : bool
        True when every sample came from the cache.
    status : {"ok", "failed"}
        ``"failed"`` if any sample failed; failed samples are never cached.
    error : str or None
        Why the call failed.
    prompt_hash : str
        SHA-256 of the rendered prompt (model independent), for tables.
    """

    texts: tuple[str, ...]
    finish_reasons: tuple[str, ...]
    token_logprobs: tuple[tuple[float, ...], ...] | None
    prompt_tokens: int
    completion_tokens: int
    latency_s: float
    cached: bool
    status: Status = "ok"
    error: str | None = None
    prompt_hash: str = ""

    @property
    def text(self) -> str:
        """The first (for n=1, the only) sample's text."""
        return self.texts[0]


@dataclass(frozen=True)
class ScoreRequest:
    """Log-probabilities of fixed continuations (options) after a prompt.

    Attributes
    ----------
    segments : tuple of str
        User content in pieces (see :class:`GenerationRequest`).
    system : str or None, default None
        System message.
    answer_prefix : str, default ""
        Text between the end of the prompt and the option (``"Оценка: "``).
        Trailing whitespace moves to the start of each option before
        tokenization, as tokenizers attach a space to the next word.
    options : tuple of str
        Continuations to score, e.g. ``("1", "2", ..., "10")``.
    """

    segments: tuple[str, ...]
    system: str | None = None
    answer_prefix: str = ""
    options: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_segments(self.segments, "ScoreRequest")
        if isinstance(self.options, str) or not self.options:
            raise ValueError(
                "ScoreRequest.options must be a non-empty tuple of str, e.g. ('1', '2', '3')"
            )
        if not all(isinstance(o, str) and o.strip() for o in self.options):
            raise ValueError("ScoreRequest.options must be non-blank strings")
        if len(set(self.options)) != len(self.options):
            raise ValueError(f"ScoreRequest.options must be distinct, got {self.options!r}")

    @property
    def text(self) -> str:
        """The user content: the concatenated segments."""
        return "".join(self.segments)


@dataclass(frozen=True)
class OptionScores:
    """Scores of the options of one :class:`ScoreRequest`.

    Attributes
    ----------
    options : tuple of str
        The options, in request order.
    logprobs : tuple of float
        Per option, the sum of its tokens' natural-log probabilities given the
        prompt (a multi-token label such as "10" is scored as the whole
        sequence). Rounded to 1e-6 (cached and live values are identical).
        NaN when ``status == "failed"``.
    option_token_counts : tuple of int
        Tokens in each option.
    prompt_tokens : int
        Prompt tokens.
    latency_s : float
        Compute seconds (original latency for a cache hit).
    cached : bool
        True when the scores came from the cache.
    status : {"ok", "failed"}
    error : str or None
    prompt_hash : str
        SHA-256 of the rendered prompt (model independent).
    """

    options: tuple[str, ...]
    logprobs: tuple[float, ...]
    option_token_counts: tuple[int, ...]
    prompt_tokens: int
    latency_s: float
    cached: bool
    status: Status = "ok"
    error: str | None = None
    prompt_hash: str = ""


@dataclass(frozen=True)
class TokenScoreRequest:
    """Token-level scoring request for the prefix-sharing kernel.

    Attributes
    ----------
    segments : tuple of tuple of int
        Prompt token ids in pieces: template prefix (with the system
        message), one piece per user segment, template suffix + answer
        prefix. Their concatenation is the prompt; requests that share
        leading pieces may share the prefix KV.
    options : tuple of tuple of int
        Token ids of each option (non-empty).
    """

    segments: tuple[tuple[int, ...], ...]
    options: tuple[tuple[int, ...], ...]

    @property
    def prompt_ids(self) -> tuple[int, ...]:
        """The whole prompt's token ids."""
        return tuple(t for seg in self.segments for t in seg)


@dataclass(frozen=True)
class OptionLogprob:
    """Log-probability of one option's tokens given the prompt.

    Attributes
    ----------
    total : float
        Sum of ``token_logprobs``.
    token_logprobs : tuple of float
        Log-probability of each option token given the prompt and the
        option's earlier tokens.
    """

    total: float
    token_logprobs: tuple[float, ...]
