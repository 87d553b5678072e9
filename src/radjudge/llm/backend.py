"""What every backend implements (internal interface of :class:`~radjudge.llm.LLMClient`).

A backend computes; the client caches, guards and accounts. The client hands
a backend only cache misses, one :class:`WorkItem` per generation *sample*,
and receives each output through a callback as soon as it is complete, so a
killed run keeps everything finished before the kill.
"""

from __future__ import annotations

import abc
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from radjudge.llm.types import GenerationRequest, ModelIdentity, ScoreRequest, Status

__all__ = ["WorkItem", "SampleOutput", "ScoreOutput", "Backend", "derive_seed"]


def derive_seed(seed: int, sample: int) -> int:
    """The seed of sample ``sample`` of a request seeded with ``seed`` (31-bit).

    Sample seeds are independent of how many samples are drawn or how the
    samples are batched.

    >>> derive_seed(20240611, 0) == derive_seed(20240611, 0)
    True
    >>> derive_seed(20240611, 0) != derive_seed(20240611, 1)
    True
    """
    digest = hashlib.sha256(f"radjudge-sample:{seed}:{sample}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


@dataclass(frozen=True)
class WorkItem:
    """One generation sample to compute: ``request`` with sample index ``sample``."""

    request: GenerationRequest
    sample: int

    @property
    def seed(self) -> int | None:
        """The sample's own seed (None for greedy decoding)."""
        if self.request.temperature == 0 or self.request.seed is None:
            return None
        return derive_seed(self.request.seed, self.sample)


@dataclass(frozen=True)
class SampleOutput:
    """One computed sample."""

    text: str
    finish_reason: str
    token_logprobs: tuple[float, ...] | None
    prompt_tokens: int
    completion_tokens: int
    latency_s: float
    status: Status = "ok"
    error: str | None = None

    @classmethod
    def failed(cls, error: str, *, latency_s: float = 0.0, prompt_tokens: int = 0) -> SampleOutput:
        """A failed sample (never cached)."""
        return cls("", "failed", None, prompt_tokens, 0, latency_s, "failed", error)


@dataclass(frozen=True)
class ScoreOutput:
    """The computed option scores of one request."""

    logprobs: tuple[float, ...]
    option_token_counts: tuple[int, ...]
    prompt_tokens: int
    latency_s: float
    status: Status = "ok"
    error: str | None = None

    @classmethod
    def failed(cls, n_options: int, error: str, *, latency_s: float = 0.0) -> ScoreOutput:
        """Failed scores (NaN, never cached)."""
        return cls((float("nan"),) * n_options, (0,) * n_options, 0, latency_s, "failed", error)


GenerateCallback = Callable[[int, SampleOutput], None]
ScoreCallback = Callable[[int, ScoreOutput], None]


class Backend(abc.ABC):
    """A model that generates text and scores options; loads lazily."""

    #: Backend kind, as in specs and cache keys.
    kind: str
    identity: ModelIdentity

    @property
    @abc.abstractmethod
    def model_files(self) -> dict[str, Path]:
        """Label -> local weight file, for the run manifest (empty for servers)."""

    @abc.abstractmethod
    def prompt_key(self, system: str | None, user: str, answer_prefix: str) -> dict[str, Any]:
        """How this backend renders a prompt, as cache-key data; never loads the model."""

    @property
    def supports_choices(self) -> bool:
        """Whether ``GenerationRequest.choices`` (guided output) is supported."""
        return True

    def decoding_key(self) -> dict[str, Any]:
        """Backend settings that change outputs (enter every cache key)."""
        return {}

    @property
    @abc.abstractmethod
    def loaded(self) -> bool:
        """True once the model (or server connection) is ready."""

    @abc.abstractmethod
    def load(self) -> None:
        """Load the model now (the client calls this on the first cache miss)."""

    @abc.abstractmethod
    def generate(self, items: Sequence[WorkItem], on_result: GenerateCallback) -> None:
        """Compute every item; call ``on_result(i, output)`` as each completes.

        Failures are reported as ``SampleOutput.failed`` outputs, not raised.
        """

    @abc.abstractmethod
    def score(
        self, requests: Sequence[ScoreRequest], on_result: ScoreCallback, *, share_prefix: bool
    ) -> None:
        """Score every request's options; ``on_result(i, output)`` as each completes."""

    def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release resources (connections); the model may be reloaded later."""
