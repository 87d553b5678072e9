"""Persistent, content-addressed cache of LLM calls.

Layout: ``<directory>/<kk>.jsonl`` where ``kk`` is the first two hex digits
of the key (256 shards at most). Each line is one call, the key first, then
the other fields in sorted order (so a shard is indexed without parsing)::

    {"k":"<sha256 key>","ph":"<prompt sha256>",...outputs, usage, latency}

* **Content-addressed**: the key is the SHA-256 of the canonical JSON of
  everything that determines the output (backend kind, model identity, full
  prompt, decoding parameters, sample index or options); see
  :func:`call_key`. No prompt text is stored, only its hash.
* **Append-only**: lines are never rewritten, so a committed cache diffs as
  added lines and a cache never expires.
* **Concurrent writers**: every append is one ``write`` on an ``O_APPEND``
  descriptor under an exclusive ``flock`` of the shard, so lines from several
  processes never interleave. Readers pick up other processes' new lines
  (the shard's tail is re-read on a miss).
* **Crash-safe**: a call is appended as soon as it completes, so a killed run
  loses only calls in flight. A torn last line (power loss, full disk) is
  skipped with a warning; the next append starts on a fresh line.
* If a key occurs twice (two processes computed it at once), the first line wins.

The cache stores what the caller gives it; callers never store failed calls.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from radjudge.checks import check_choice
from radjudge.llm.prompts import canonical_json
from radjudge.llm.types import CacheMode

__all__ = ["CallCache", "call_key", "CacheWarning"]


class CacheWarning(UserWarning):
    """A cache line could not be read (torn by a crash, or edited by hand); it is skipped."""


def call_key(payload: Mapping[str, Any]) -> str:
    """The cache key of a call: SHA-256 of the canonical JSON of ``payload``.

    Key order does not matter; any change of value does.

    >>> call_key({"a": 1, "b": "ж"}) == call_key({"b": "ж", "a": 1})
    True
    >>> call_key({"a": 1}) == call_key({"a": 1.5})
    False
    """
    return hashlib.sha256(canonical_json(dict(payload)).encode("utf-8")).hexdigest()


def _warn_unreadable(path: Path, offset: int | None) -> None:
    where = f" at byte {offset}" if offset is not None else ""
    warnings.warn(
        f"{path}: skipped an unreadable cache line{where} (torn by a crash, or edited by hand); "
        "that call will be recomputed",
        CacheWarning,
        stacklevel=4,
    )


class _Shard:
    __slots__ = ("path", "entries", "offset", "loaded")

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, dict[str, Any] | bytes] = {}
        self.offset = 0
        self.loaded = False


class CallCache:
    """Append-only JSONL store of LLM calls, keyed by :func:`call_key`.

    Parameters
    ----------
    directory : path-like
        Folder of the shards (created on the first write).
    mode : {"readwrite", "readonly", "off"}, default "readwrite"
        ``readwrite`` reads and appends; ``readonly`` reads and never writes
        (the client turns a miss into :class:`~radjudge.llm.CacheMissError`);
        ``off`` neither reads nor writes.

    Examples
    --------
    >>> import tempfile
    >>> cache = CallCache(tempfile.mkdtemp())
    >>> key = call_key({"prompt": "Жалобы: боль в животе."})
    >>> cache.get(key) is None
    True
    >>> cache.put(key, {"t": "Боль в животе."})
    >>> cache.get(key)["t"]
    'Боль в животе.'
    """

    def __init__(self, directory: str | os.PathLike[str], *, mode: CacheMode = "readwrite") -> None:
        check_choice("cache mode", mode, CacheMode)
        self.directory = Path(directory)
        self.mode: CacheMode = mode
        self._shards: dict[str, _Shard] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"CallCache({str(self.directory)!r}, mode={self.mode!r})"

    # -- reading --------------------------------------------------------------------------
    def _shard(self, key: str) -> _Shard:
        name = key[:2]
        shard = self._shards.get(name)
        if shard is None:
            shard = self._shards[name] = _Shard(self.directory / f"{name}.jsonl")
        return shard

    def _read_tail(self, shard: _Shard) -> None:
        """Parse the shard's complete lines after ``shard.offset``."""
        shard.loaded = True
        try:
            size = shard.path.stat().st_size
        except FileNotFoundError:
            return
        if size <= shard.offset:
            return
        with shard.path.open("rb") as f:
            f.seek(shard.offset)
            data = f.read(size - shard.offset)
        end = data.rfind(b"\n")
        if end < 0:
            return  # only a partial line so far (being written, or torn)
        pos = 0
        for raw in data[: end + 1].split(b"\n")[:-1]:
            line_offset, pos = shard.offset + pos, pos + len(raw) + 1
            if not raw.strip():
                continue
            if raw.startswith(b'{"k":"') and raw[70:72] == b'",' and raw.endswith(b"}"):
                key = raw[6:70].decode("ascii", errors="replace")  # parsed lazily, on get()
                shard.entries.setdefault(key, raw)
                continue
            try:
                entry = json.loads(raw)
                key = entry["k"]
            except (ValueError, KeyError, TypeError):
                _warn_unreadable(shard.path, line_offset)
                continue
            shard.entries.setdefault(key, entry)
        shard.offset += end + 1

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored entry of ``key``, or None (always None in mode ``off``)."""
        if self.mode == "off":
            return None
        with self._lock:
            shard = self._shard(key)
            if not shard.loaded:
                self._read_tail(shard)
            entry = self._parsed(shard, key)
            if entry is None:
                self._read_tail(shard)  # another process may have appended it
                entry = self._parsed(shard, key)
            return entry

    @staticmethod
    def _parsed(shard: _Shard, key: str) -> dict[str, Any] | None:
        entry = shard.entries.get(key)
        if isinstance(entry, bytes):
            try:
                parsed = json.loads(entry)
                if not isinstance(parsed, dict) or parsed.get("k") != key:
                    raise ValueError("key field mismatch")
            except ValueError:
                del shard.entries[key]  # a later, intact line for this key may follow
                _warn_unreadable(shard.path, None)
                return None
            shard.entries[key] = entry = parsed
        return entry

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def load_all(self) -> int:
        """Read every shard; returns the number of entries."""
        if self.mode == "off":
            return 0
        with self._lock:
            for path in sorted(self.directory.glob("*.jsonl")):
                shard = self._shards.setdefault(path.stem, _Shard(path))
                self._read_tail(shard)
            return sum(len(s.entries) for s in self._shards.values())

    def __len__(self) -> int:
        return self.load_all()

    def items(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """All (key, entry) pairs, shard by shard (reads every shard)."""
        self.load_all()
        for name in sorted(self._shards):
            for key in list(self._shards[name].entries):
                entry = self.get(key)
                if entry is not None:
                    yield key, entry

    # -- writing --------------------------------------------------------------------------
    def put(self, key: str, entry: Mapping[str, Any]) -> None:
        """Append one entry (mode ``readwrite`` only; a no-op otherwise).

        ``entry`` must be JSON-serialisable and free of NaN; its ``"k"`` field
        is set to ``key``.
        """
        if self.mode != "readwrite":
            return
        if len(key) != 64:
            raise ValueError(f"cache keys are SHA-256 hex digests (64 characters), got {key!r}")
        body = {k: v for k, v in entry.items() if k != "k"}
        record = {"k": key, **body}
        # "k" first (then the other fields in sorted order) lets a reader index a shard without
        # parsing it.
        rest = canonical_json(body)[1:]
        line = ('{"k":"' + key + '"' + ("," + rest if rest != "}" else "}") + "\n").encode("utf-8")
        with self._lock:
            shard = self._shard(key)
            self.directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(shard.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    line = b"\n" + line  # a torn last line stays on its own line
                written = os.write(fd, line)
                if written != len(line):
                    raise OSError(f"{shard.path}: short write ({written} of {len(line)} bytes)")
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
            shard.entries.setdefault(key, record)
