"""LLM layer: in-process transformers models and OpenAI-compatible servers behind one cached client.

Stages build requests and call a client; the client guards every prompt text,
answers from the persistent call cache, and sends only misses to the backend
(the model loads on the first miss, so a full replay never loads one).

Public API
----------
``load_client(name, spec, *, cache_dir, cache_mode, text_guard) -> LLMClient``
    One client per registry model (profile ``shared.models``); see
    :mod:`radjudge.llm.models` for the spec keys. ``text_guard`` is required
    (stages pass ``radjudge.anonymize.check_llm_text``).
``LLMClient.generate(requests, *, desc=None) -> list[GenerationResult]``
``LLMClient.score_options(requests, *, desc=None, share_prefix=False) -> list[OptionScores]``
``LLMClient.identity`` (ModelIdentity), ``.stats`` (dict for
``record_stage(cache=...)``), ``.model_files`` (dict for ``record_stage(models=...)``),
``.prompt_hash(request)``, ``.verify_cached(requests, *, sample, seed, logprob_atol) ->
CacheCheck``.
Request/result types: :class:`GenerationRequest`, :class:`GenerationResult`,
:class:`ScoreRequest`, :class:`OptionScores`; token level (prefix kernel):
:class:`TokenScoreRequest`, :class:`OptionLogprob`.

Example
-------
>>> import radjudge.llm as llm
>>> req = llm.GenerationRequest(("Жалобы: боль в животе.",), system="Кратко.", max_tokens=64)
>>> req.text
'Жалобы: боль в животе.'
>>> score = llm.ScoreRequest(("Оцените.",), answer_prefix="Оценка: ", options=("1", "2", "3"))
>>> score.options
('1', '2', '3')

Committed-cache integrity (stage tests)
---------------------------------------
Rebuild the stage's requests, then ``client.verify_cached(requests, sample=10,
seed=0, logprob_atol=1e-3)`` recomputes a random sample of the cached calls
live and returns a :class:`CacheCheck` (``.ok``, ``.mismatches``,
``.max_logprob_diff``): greedy texts must be identical, log-probs within the
tolerance. It never reads the live results from, or writes them to, the cache.

Guarantees
----------
* ``text_guard`` sees every prompt part (system message, the joined user
  segments, answer prefix) before the cache is asked and before any live
  call; each distinct text is checked once per client.
* Cache keys cover backend kind, model identity (local weights SHA-256; server
  model id + label), the full prompt (template, system, user text, answer
  prefix), decoding parameters and the sample index (sampling only). The
  stored log-probs are rounded to 1e-6 and live results are rounded the same
  way, so a replay is bit-identical to the run that filled the cache.
* Failed calls (``status="failed"``, ``error`` says why) are never cached; a
  rerun retries them.
* Greedy generation is deterministic for a given batch composition; see
  :mod:`radjudge.llm.transformers_backend` for what padding may change.
"""

from radjudge.llm.cache import CacheIntegrityError, CallCache, call_key
from radjudge.llm.client import CacheCheck, LLMClient, combined_cache_stats
from radjudge.llm.models import load_client, validate_spec
from radjudge.llm.types import (
    CacheMissError,
    CacheMode,
    GenerationRequest,
    GenerationResult,
    LLMError,
    ModelIdentity,
    ModelSpecError,
    OptionLogprob,
    OptionScores,
    ScoreRequest,
    TokenScoreRequest,
)

__all__ = [
    "load_client",
    "validate_spec",
    "LLMClient",
    "CacheCheck",
    "combined_cache_stats",
    "CallCache",
    "CacheIntegrityError",
    "call_key",
    "GenerationRequest",
    "GenerationResult",
    "ScoreRequest",
    "OptionScores",
    "TokenScoreRequest",
    "OptionLogprob",
    "ModelIdentity",
    "CacheMode",
    "CacheMissError",
    "ModelSpecError",
    "LLMError",
]
