"""Backend for OpenAI-compatible HTTP servers (vLLM, llama.cpp, Ollama, hosted APIs).

* Endpoints: ``chat`` (``/v1/chat/completions``: the server applies the chat
  template) or ``completions`` (``/v1/completions``: the prompt is rendered
  here, with the chat template of the local GGUF or Hugging Face folder
  named by ``source``, a template file, or none).
* Async requests (httpx) with at most ``concurrency`` in flight, run on a
  private event loop in a worker thread (works inside Jupyter).
* Timeouts; retries with exponential backoff and jitter on HTTP 429, 5xx,
  timeouts and connection errors (including a response cut off mid-body),
  honouring ``Retry-After``. Other 4xx, a body that is not valid JSON, a
  malformed response and empty content are recorded as failed at once, with
  the reason. Failed calls are never cached.
* The API key is read from the environment variable *named* in the spec
  (``api_key_env``), only when a live call is made; it is never stored,
  logged, cached or written to the manifest.
* Log-prob option scoring (completions endpoint only): one request per
  option with ``echo`` and ``logprobs`` on the prompt + option text and
  ``max_tokens: 1``; the option's log-prob is the sum over the trailing
  prompt tokens that spell the option (matched on token text, walking back
  from the end). The server must return prompt log-probs (llama.cpp server:
  ``--logits_all true``; vLLM: supported). llama-cpp-python computes the
  echoed log-probs correctly only when the prompt starts with the BOS token
  (true for chat-templated SmolLM2 and for Gemma) and sorts the vocabulary in
  Python for every prompt token, so keep prompts short there.
* A generation's ``answer_prefix`` on the chat endpoint is sent as a final
  assistant message with vLLM's ``continue_final_message`` extension.
* Guided output (``choices``): ``guided: vllm`` sends ``guided_choice``,
  ``guided: llama_cpp`` a GBNF ``grammar``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import email.utils
import json
import os
import random
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from radjudge.llm.backend import (
    Backend,
    GenerateCallback,
    SampleOutput,
    ScoreCallback,
    ScoreOutput,
    WorkItem,
)
from radjudge.llm.prompts import (
    ChatTemplate,
    folder_chat_template,
    gguf_chat_template,
    split_answer_prefix,
)
from radjudge.llm.types import (
    Endpoint,
    Guided,
    LLMError,
    ModelIdentity,
    ModelSpecError,
    ScoreRequest,
)

__all__ = ["OpenAIBackend", "HTTPFailure"]

#: Longest wait honoured from a Retry-After header, seconds.
MAX_RETRY_AFTER_S = 300.0


class HTTPFailure(Exception):
    """A request that failed for good; ``str()`` is the reason recorded in the result."""


class OpenAIBackend(Backend):
    """An OpenAI-compatible server.

    Parameters
    ----------
    label : str
        Registry name / user label (part of the model identity).
    base_url : str
        Server root, e.g. ``http://127.0.0.1:8000/v1``.
    model : str
        Model id sent in every request (part of the identity).
    endpoint : {"chat", "completions"}
    api_key_env : str or None
        Name of the environment variable holding the API key.
    concurrency : int
        Requests in flight at most.
    timeout_s : float
        Per-request timeout.
    max_retries : int
        Retries after the first attempt.
    backoff_s : float
        First backoff delay; doubles per retry (with jitter in [0.5, 1] x).
    template : ChatTemplate or None, template_key : str
        Chat template for the completions endpoint and its cache-key form.
    guided : {"none", "vllm", "llama_cpp"}
    extra_body : dict
        Extra request fields (e.g. ``{"top_k": 1}``); part of the cache key.
    """

    kind = "openai"

    def __init__(
        self,
        *,
        label: str,
        base_url: str,
        model: str,
        endpoint: Endpoint,
        api_key_env: str | None,
        concurrency: int,
        timeout_s: float,
        max_retries: int,
        backoff_s: float,
        template: ChatTemplate | Path | None,
        template_key: str,
        guided: Guided,
        extra_body: dict[str, Any],
    ) -> None:
        self.label = label
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.endpoint = endpoint
        self.api_key_env = api_key_env
        self.concurrency = concurrency
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self._template_source = template
        self._template: ChatTemplate | None = (
            template if isinstance(template, ChatTemplate) else None
        )
        self.template_key = template_key
        self.guided = guided
        self.extra_body = dict(extra_body)
        self.identity = ModelIdentity("openai", model, None, label)
        self.server_model_ids: set[str] = set()
        self.http_calls = 0
        self.retries = 0
        self._headers: dict[str, str] | None = None

    # -- identity and keys -----------------------------------------------------------------
    @property
    def model_files(self) -> dict[str, Path]:
        return {}

    def prompt_key(self, system: str | None, user: str, answer_prefix: str) -> dict[str, Any]:
        key: dict[str, Any] = {
            "endpoint": self.endpoint,
            "system": system,
            "user": user,
            "answer_prefix": answer_prefix,
        }
        if self.endpoint == "completions":
            key["template"] = self.template_key
        return key

    def decoding_key(self) -> dict[str, Any]:
        return {"extra_body": self.extra_body} if self.extra_body else {}

    @property
    def template(self) -> ChatTemplate:
        """Chat template of the completions endpoint (read lazily from the GGUF/file)."""
        if self._template is None:
            src = self._template_source
            if isinstance(src, Path) and src.is_dir():
                self._template = folder_chat_template(src)
            elif isinstance(src, Path):
                self._template = (
                    gguf_chat_template(src)
                    if src.suffix == ".gguf"
                    else ChatTemplate(src.read_text(encoding="utf-8"))
                )
            else:
                self._template = ChatTemplate(None)
        return self._template

    # -- loading -----------------------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        return self._headers is not None

    def load(self) -> None:
        if self._headers is not None:
            return
        headers = {"Content-Type": "application/json"}
        if self.api_key_env:
            key = os.environ.get(self.api_key_env)
            if not key:
                raise LLMError(
                    f"model {self.label!r}: environment variable {self.api_key_env} (spec key "
                    "api_key_env) is not set; export the API key under that name"
                )
            headers["Authorization"] = f"Bearer {key}"
        self._headers = headers

    def close(self) -> None:
        self._headers = None

    @property
    def supports_choices(self) -> bool:
        return self.guided != "none"

    # -- request bodies ----------------------------------------------------------------------
    def _messages(self, system: str | None, user: str, answer_prefix: str) -> list[dict[str, str]]:
        messages = [] if system is None else [{"role": "system", "content": system}]
        messages.append({"role": "user", "content": user})
        if answer_prefix:
            messages.append({"role": "assistant", "content": answer_prefix})
        return messages

    def generation_body(self, item: WorkItem) -> tuple[str, dict[str, Any]]:
        """``(path, JSON body)`` of one sample's request."""
        req = item.request
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": req.max_tokens,
            "temperature": req.temperature,
            "n": 1,
        }
        if req.temperature > 0:
            body["top_p"] = req.top_p
            body["seed"] = item.seed
        if req.stop:
            body["stop"] = list(req.stop)
        if self.endpoint == "chat":
            body["messages"] = self._messages(req.system, req.text, req.answer_prefix)
            if req.answer_prefix:
                body["continue_final_message"] = True
                body["add_generation_prompt"] = False
            if req.logprobs:
                body["logprobs"] = True
                body["top_logprobs"] = 0  # llama.cpp returns none without it
            path = "/chat/completions"
        else:
            body["prompt"] = self.template.render(req.system, req.text, req.answer_prefix).text
            if req.logprobs:
                body["logprobs"] = 1
            path = "/completions"
        if req.choices:
            if self.guided == "vllm":
                body["guided_choice"] = list(req.choices)
            elif self.guided == "llama_cpp":
                body["grammar"] = "root ::= " + " | ".join(
                    json.dumps(c, ensure_ascii=False) for c in req.choices
                )
            else:
                raise ModelSpecError(
                    f"model {self.label!r}: request has choices but the spec's 'guided' is 'none'; "
                    "set guided: vllm or guided: llama_cpp, or use score_options"
                )
        body.update(self.extra_body)
        return path, body

    # -- HTTP ----------------------------------------------------------------------------------
    def _run(self, coro_factory: Any) -> None:
        """Run an async job on a private event loop in a worker thread."""
        self.load()
        with concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="radjudge-http"
        ) as pool:
            pool.submit(asyncio.run, coro_factory()).result()

    def _client(self) -> Any:
        import httpx

        limits = httpx.Limits(
            max_connections=self.concurrency, max_keepalive_connections=self.concurrency
        )
        return httpx.AsyncClient(
            base_url=self.base_url,
            headers=self._headers,
            limits=limits,
            timeout=httpx.Timeout(self.timeout_s),
        )

    async def _post(
        self, client: Any, gate: asyncio.Semaphore, path: str, body: dict[str, Any]
    ) -> tuple[dict[str, Any], float]:
        """POST with retries: ``(json, seconds of the successful attempt)``, or HTTPFailure."""
        import httpx

        reason = ""
        for attempt in range(self.max_retries + 1):
            wait: float | None = None
            start = time.perf_counter()
            try:
                async with gate:
                    self.http_calls += 1
                    response = await client.post(path, json=body)
                    content = response.content
            except httpx.TimeoutException as exc:
                reason = f"timeout after {self.timeout_s:g} s ({type(exc).__name__})"
            except httpx.TransportError as exc:
                reason = f"connection error ({type(exc).__name__}: {exc})"
            else:
                elapsed = time.perf_counter() - start
                status = response.status_code
                if status == 429 or status >= 500:
                    reason = f"HTTP {status}: {_snippet(content)}"
                    wait = _retry_after(response.headers.get("retry-after"))
                elif status >= 400:
                    raise HTTPFailure(f"HTTP {status}: {_snippet(content)}")
                else:
                    try:
                        data = json.loads(content)
                    except ValueError as exc:
                        raise HTTPFailure(
                            f"invalid JSON response ({len(content)} bytes, truncated?): {exc}"
                        ) from None
                    if not isinstance(data, dict):
                        raise HTTPFailure(
                            f"malformed response: expected a JSON object, got {type(data).__name__}"
                        )
                    if "model" in data and isinstance(data["model"], str):
                        self.server_model_ids.add(data["model"])
                    return data, elapsed
            if attempt == self.max_retries:
                break
            self.retries += 1
            if wait is None:
                wait = self.backoff_s * (2**attempt) * (0.5 + random.random() / 2)
            await asyncio.sleep(wait)
        raise HTTPFailure(f"{reason} (gave up after {self.max_retries + 1} attempts)")

    # -- generation ------------------------------------------------------------------------------
    def generate(self, items: Sequence[WorkItem], on_result: GenerateCallback) -> None:
        bodies = [
            self.generation_body(item) for item in items
        ]  # raises on spec errors before any call

        async def job() -> None:
            gate = asyncio.Semaphore(self.concurrency)
            async with self._client() as client:

                async def one(i: int) -> None:
                    path, body = bodies[i]
                    t0 = time.perf_counter()
                    try:
                        data, elapsed = await self._post(client, gate, path, body)
                        out = self._parse_generation(data, items[i], elapsed)
                    except HTTPFailure as exc:
                        out = SampleOutput.failed(str(exc), latency_s=time.perf_counter() - t0)
                    on_result(i, out)

                await asyncio.gather(*(one(i) for i in range(len(items))))

        self._run(job)

    def _parse_generation(
        self, data: dict[str, Any], item: WorkItem, elapsed: float
    ) -> SampleOutput:
        try:
            choice = data["choices"][0]
            finish = choice.get("finish_reason") or "stop"
            if self.endpoint == "chat":
                text = (choice.get("message") or {}).get("content")
                lp = choice.get("logprobs") or {}
                logprobs = (
                    [c["logprob"] for c in (lp.get("content") or [])]
                    if item.request.logprobs
                    else None
                )
            else:
                text = choice.get("text")
                lp = choice.get("logprobs") or {}
                logprobs = list(lp.get("token_logprobs") or []) if item.request.logprobs else None
            usage = data.get("usage") or {}
        except (KeyError, IndexError, TypeError, AttributeError) as exc:
            return SampleOutput.failed(f"malformed response: missing {exc!s}", latency_s=elapsed)
        if not isinstance(text, str) or not text.strip():
            return SampleOutput.failed(
                f"empty content (finish_reason={finish!r})",
                latency_s=elapsed,
                prompt_tokens=int(usage.get("prompt_tokens") or 0),
            )
        if logprobs is not None and (
            not logprobs or any(not isinstance(v, int | float) for v in logprobs)
        ):
            return SampleOutput.failed(
                "token log-probs were requested but the server returned none (or not numbers)",
                latency_s=elapsed,
            )
        if finish not in ("stop", "length"):
            finish = "stop" if finish in ("eos", "stop_sequence", "end_turn") else str(finish)
        return SampleOutput(
            text=text,
            finish_reason=finish,
            token_logprobs=tuple(float(v) for v in logprobs) if logprobs is not None else None,
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            latency_s=elapsed,
        )

    # -- scoring ---------------------------------------------------------------------------------
    def score(
        self, requests: Sequence[ScoreRequest], on_result: ScoreCallback, *, share_prefix: bool
    ) -> None:
        if self.endpoint != "completions":
            raise ModelSpecError(
                f"model {self.label!r}: log-prob option scoring needs endpoint: completions (echo "
                "+ logprobs); the chat endpoint has no prompt log-probs"
            )

        async def job() -> None:
            gate = asyncio.Semaphore(self.concurrency)
            async with self._client() as client:

                async def one(i: int) -> None:
                    t0 = time.perf_counter()
                    try:
                        out = await self._score_one(client, gate, requests[i])
                    except HTTPFailure as exc:
                        out = ScoreOutput.failed(
                            len(requests[i].options), str(exc), latency_s=time.perf_counter() - t0
                        )
                    on_result(i, out)

                await asyncio.gather(*(one(i) for i in range(len(requests))))

        self._run(job)

    def score_prompt(self, request: ScoreRequest) -> tuple[str, str]:
        """``(context text, whitespace moved to the options)`` of a score request."""
        head, space = split_answer_prefix(request.answer_prefix)
        return self.template.render(request.system, request.text, head).text, space

    async def _score_one(
        self, client: Any, gate: asyncio.Semaphore, request: ScoreRequest
    ) -> ScoreOutput:
        context, space = self.score_prompt(request)
        t0 = time.perf_counter()

        async def option(o: str) -> tuple[float, int, int]:
            continuation = space + o
            body = {
                "model": self.model,
                "prompt": context + continuation,
                "max_tokens": 1,
                "temperature": 0.0,
                "echo": True,
                "logprobs": 1,
                **self.extra_body,
            }
            data, _ = await self._post(client, gate, "/completions", body)
            return _option_logprob(data, continuation)

        results = await asyncio.gather(*(option(o) for o in request.options))
        prompt_tokens = min(r[2] for r in results)
        return ScoreOutput(
            logprobs=tuple(r[0] for r in results),
            option_token_counts=tuple(r[1] for r in results),
            prompt_tokens=prompt_tokens,
            latency_s=time.perf_counter() - t0,
        )


def _option_logprob(data: dict[str, Any], continuation: str) -> tuple[float, int, int]:
    """Sum of the log-probs of the trailing prompt tokens that spell ``continuation``.

    Returns ``(logprob, option tokens, prompt tokens without the option)``.
    """
    try:
        choice = data["choices"][0]
        lp = choice["logprobs"]
        tokens, logprobs = list(lp["tokens"]), list(lp["token_logprobs"])
        completion = int((data.get("usage") or {}).get("completion_tokens") or 0)
        prompt_total = int((data.get("usage") or {}).get("prompt_tokens") or 0)
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise HTTPFailure(
            f"malformed echo/logprobs response: missing {exc!s} (does the server return "
            "prompt log-probs? llama.cpp needs --logits_all true)"
        ) from None
    if completion:
        tokens, logprobs = tokens[:-completion], logprobs[:-completion]
    spelled, k = "", 0
    while len(spelled) < len(continuation) and k < len(tokens):
        k += 1
        spelled = tokens[-k] + spelled
    if spelled != continuation:
        raise HTTPFailure(
            f"option tokens do not spell {continuation!r} (got {spelled!r}): a token straddles "
            "the prompt/option boundary or is not valid text on its own; change the answer "
            "prefix or option"
        )
    values = logprobs[-k:]
    if any(not isinstance(v, int | float) for v in values):
        raise HTTPFailure("the server returned no log-prob for an option token")
    return float(sum(values)), k, max(prompt_total - k, 0)


def _snippet(content: bytes, limit: int = 200) -> str:
    text = content.decode("utf-8", errors="replace").strip().replace("\n", " ")
    return text[:limit] + ("..." if len(text) > limit else "")


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date).

    >>> _retry_after("2")
    2.0
    >>> _retry_after(None) is None
    True
    """
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)
