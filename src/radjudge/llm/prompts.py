"""Prompt rendering shared by every backend.

A request's prompt is ``system`` + user ``segments`` + ``answer_prefix``. It is
rendered around the user content as three texts::

    template_prefix + "".join(segments) + template_suffix + answer_prefix

* chat format: the model's chat template (Jinja, Hugging Face convention)
  rendered with a sentinel user message and split at the sentinel;
* plain format (no template): ``template_prefix`` is the system message
  followed by a blank line (or empty), ``template_suffix`` is empty.

The in-process backend tokenizes each piece on its own; the completions
endpoint of a server receives the joined text; the chat endpoint receives the
messages. Option scoring moves the answer prefix's trailing whitespace to the
start of the option (tokenizers attach a space to the following word).
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "ChatTemplate",
    "RenderedPrompt",
    "canonical_json",
    "sha256_text",
    "prompt_hash",
    "split_answer_prefix",
    "read_gguf_metadata",
    "gguf_chat_template",
    "folder_chat_template",
]

_SENTINEL = "\u0000RADJUDGE_USER_CONTENT\u0000"


def canonical_json(obj: Any) -> str:
    """JSON with sorted keys, no spaces and raw UTF-8: one text per value.

    >>> canonical_json({"b": 1, "a": ["ж", 2.5]})
    '{"a":["ж",2.5],"b":1}'
    """
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def sha256_text(text: str) -> str:
    """SHA-256 hex digest of a UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def prompt_hash(system: str | None, user: str, answer_prefix: str) -> str:
    """Model-independent hash of a prompt (the ``prompt_hash`` column of stage tables).

    >>> prompt_hash(None, "Жалобы: боль.", "") == prompt_hash(None, "Жалобы: боль.", "")
    True
    >>> len(prompt_hash("sys", "u", "Оценка: "))
    64
    """
    return sha256_text(
        canonical_json({"system": system, "user": user, "answer_prefix": answer_prefix})
    )


def split_answer_prefix(answer_prefix: str) -> tuple[str, str]:
    """Split the trailing whitespace off an answer prefix.

    Returns ``(head, whitespace)``: the prompt ends with ``head`` and every
    scored option is ``whitespace + option``.

    >>> split_answer_prefix("Оценка: ")
    ('Оценка:', ' ')
    >>> split_answer_prefix("Score:")
    ('Score:', '')
    """
    head = answer_prefix.rstrip()
    return head, answer_prefix[len(head) :]


@dataclass(frozen=True)
class RenderedPrompt:
    """The three texts around the user content (see module docstring)."""

    prefix: str
    user: str
    suffix: str
    answer_prefix: str

    @property
    def text(self) -> str:
        """The full prompt text as a completions endpoint receives it."""
        return self.prefix + self.user + self.suffix + self.answer_prefix


@dataclass(frozen=True)
class ChatTemplate:
    """A chat template, or none (plain prompts).

    Parameters
    ----------
    source : str or None
        Jinja source (Hugging Face convention: ``messages``,
        ``add_generation_prompt``, ``bos_token``, ``eos_token``); None for
        plain prompts.
    bos_token, eos_token : str, default ""
        Values of the template variables of the same name.
    """

    source: str | None
    bos_token: str = ""
    eos_token: str = ""

    @property
    def is_chat(self) -> bool:
        """True when prompts are rendered with a chat template."""
        return self.source is not None

    @property
    def sha256(self) -> str | None:
        """SHA-256 of the template source (None for plain prompts)."""
        return None if self.source is None else sha256_text(self.source)

    def parts(self, system: str | None) -> tuple[str, str]:
        """``(template_prefix, template_suffix)`` around the user content.

        >>> ChatTemplate(None).parts("Ты - врач.")
        ('Ты - врач.\\n\\n', '')
        >>> t = ChatTemplate("{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}"
        ...                  "{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}")
        >>> t.parts("S")
        ('<system>S<user>', '<assistant>')
        """
        if self.source is None:
            return (f"{system}\n\n" if system else ""), ""
        messages = [] if system is None else [{"role": "system", "content": system}]
        messages.append({"role": "user", "content": _SENTINEL})
        text = _render_jinja(
            self.source, messages, bos_token=self.bos_token, eos_token=self.eos_token
        )
        if text.count(_SENTINEL) != 1:
            raise ValueError(
                "chat template does not place the user message exactly once; "
                "use chat_template: none or a template file that does"
            )
        prefix, suffix = text.split(_SENTINEL)
        return prefix, suffix

    def render(self, system: str | None, user: str, answer_prefix: str = "") -> RenderedPrompt:
        """Render a prompt into its three parts."""
        prefix, suffix = self.parts(system)
        return RenderedPrompt(prefix=prefix, user=user, suffix=suffix, answer_prefix=answer_prefix)


def _render_jinja(source: str, messages: list[dict[str, str]], **variables: str) -> str:
    # Same environment as transformers' apply_chat_template.
    from jinja2.exceptions import TemplateError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(message: str) -> None:
        raise TemplateError(message)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = raise_exception
    return env.from_string(source).render(
        messages=messages, add_generation_prompt=True, **variables
    )


# --- GGUF metadata (just the key/value header; fast, no tensor parsing) -----------------

_GGUF_SCALARS = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
_GGUF_STRING, _GGUF_ARRAY = 8, 9


def read_gguf_metadata(
    path: str | os.PathLike[str], keys: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """Read the key/value metadata of a GGUF file (v2/v3).

    Parameters
    ----------
    path : path-like
        The ``.gguf`` file.
    keys : tuple of str, optional
        Keys to return (all by default). Arrays of the keys not asked for are
        skipped without being decoded, so reading the chat template of a
        model with a 262k-token vocabulary takes milliseconds.

    Returns
    -------
    dict
        Key -> value (arrays as lists).

    Raises
    ------
    ValueError
        If the file is not GGUF.
    """
    with Path(path).open("rb") as f:
        if f.read(4) != b"GGUF":
            raise ValueError(f"{path} is not a GGUF file (bad magic)")
        version = struct.unpack("<I", f.read(4))[0]
        if version < 2:
            raise ValueError(f"{path}: GGUF version {version} is not supported (need >= 2)")
        _n_tensors, n_kv = struct.unpack("<QQ", f.read(16))

        def read_str() -> str:
            (n,) = struct.unpack("<Q", f.read(8))
            return f.read(n).decode("utf-8", errors="replace")

        def read_value(vtype: int) -> Any:
            if vtype in _GGUF_SCALARS:
                fmt = _GGUF_SCALARS[vtype]
                return struct.unpack(fmt, f.read(struct.calcsize(fmt)))[0]
            if vtype == _GGUF_STRING:
                return read_str()
            if vtype == _GGUF_ARRAY:
                etype, count = struct.unpack("<IQ", f.read(12))
                return [read_value(etype) for _ in range(count)]
            raise ValueError(f"{path}: unknown GGUF value type {vtype}")

        out: dict[str, Any] = {}
        for _ in range(n_kv):
            key = read_str()
            (vtype,) = struct.unpack("<I", f.read(4))
            if keys is None or key in keys:
                out[key] = read_value(vtype)
            else:
                _skip_value(f, vtype)
        return out


def gguf_chat_template(path: str | os.PathLike[str]) -> ChatTemplate:
    """The chat template stored in a GGUF file (plain prompts if it has none).

    The template's ``bos_token``/``eos_token`` variables come from the token
    list, read only up to the largest of the two ids.
    """
    meta = read_gguf_metadata(
        path,
        ("tokenizer.chat_template", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id"),
    )
    source = meta.get("tokenizer.chat_template")
    if source is None:
        return ChatTemplate(None)
    ids = [meta.get("tokenizer.ggml.bos_token_id"), meta.get("tokenizer.ggml.eos_token_id")]
    tokens = (
        _gguf_tokens(path, max(i for i in ids if i is not None) + 1)
        if any(i is not None for i in ids)
        else []
    )
    bos, eos = (tokens[i] if i is not None and i < len(tokens) else "" for i in ids)
    return ChatTemplate(source, bos_token=bos, eos_token=eos)


def _gguf_tokens(path: str | os.PathLike[str], limit: int) -> list[str]:
    """The first ``limit`` entries of ``tokenizer.ggml.tokens``."""
    with Path(path).open("rb") as f:
        f.seek(8)
        _n_tensors, n_kv = struct.unpack("<QQ", f.read(16))
        for _ in range(n_kv):
            (n,) = struct.unpack("<Q", f.read(8))
            key = f.read(n).decode("utf-8", errors="replace")
            (vtype,) = struct.unpack("<I", f.read(4))
            if key == "tokenizer.ggml.tokens" and vtype == _GGUF_ARRAY:
                _etype, count = struct.unpack("<IQ", f.read(12))
                out = []
                for _ in range(min(count, limit)):
                    (m,) = struct.unpack("<Q", f.read(8))
                    out.append(f.read(m).decode("utf-8", errors="replace"))
                return out
            _skip_value(f, vtype)
    return []


def _skip_value(f: Any, vtype: int) -> None:
    if vtype in _GGUF_SCALARS:
        f.seek(struct.calcsize(_GGUF_SCALARS[vtype]), os.SEEK_CUR)
    elif vtype == _GGUF_STRING:
        (n,) = struct.unpack("<Q", f.read(8))
        f.seek(n, os.SEEK_CUR)
    elif vtype == _GGUF_ARRAY:
        etype, count = struct.unpack("<IQ", f.read(12))
        if etype in _GGUF_SCALARS:
            f.seek(count * struct.calcsize(_GGUF_SCALARS[etype]), os.SEEK_CUR)
        else:
            for _ in range(count):
                _skip_value(f, etype)
    else:
        raise ValueError(f"unknown GGUF value type {vtype}")


def folder_chat_template(folder: str | os.PathLike[str]) -> ChatTemplate:
    """The chat template of a Hugging Face model folder (plain prompts if it has none).

    Read from ``chat_template.jinja`` or ``tokenizer_config.json``
    (``chat_template``, a string or the entry named ``default`` of a list),
    with ``bos_token``/``eos_token`` from ``tokenizer_config.json``.
    """
    folder = Path(folder)
    config: dict[str, Any] = {}
    config_file = folder / "tokenizer_config.json"
    if config_file.is_file():
        config = json.loads(config_file.read_text(encoding="utf-8"))

    def token(name: str) -> str:
        value = config.get(name) or ""
        return value.get("content", "") if isinstance(value, dict) else str(value)

    jinja = folder / "chat_template.jinja"
    source: Any = (
        jinja.read_text(encoding="utf-8") if jinja.is_file() else config.get("chat_template")
    )
    if isinstance(source, list):
        source = next((t.get("template") for t in source if t.get("name") == "default"), None)
    return ChatTemplate(source or None, bos_token=token("bos_token"), eos_token=token("eos_token"))
