"""Persistent, content-addressed cache of LLM calls.

Layout: ``<directory>/<kk>.jsonl`` where ``kk`` is the first two hex digits
of the key (256 shards at most). Each line is one call, the key first, then
the other fields in sorted order (so a shard is indexed without parsing)::

    {"k":"<sha256 key>","c":"<checksum>","ph":"<prompt sha256>",...outputs, usage, latency}

* **Content-addressed**: the key is the SHA-256 of the canonical JSON of
  everything that determines the output (backend kind, model identity, full
  prompt, decoding parameters, sample index or options); see
  :func:`call_key`. No prompt text is stored, only its hash.
* **Checked**: ``c`` is the first 32 hex digits of the SHA-256 of the key and
  the canonical JSON of the other fields (:func:`entry_checksum`); a line
  whose checksum does not match - an in-place edit - is a
  :class:`CacheIntegrityError` naming the shard and the line, never a replay.
  So is a field of the wrong type (e.g. a text that is not a string), a line
  without checksum (format 1: convert it with ``radjudge cache migrate``) and
  a key stored twice with two different values (lines named).
* **Append-only**: lines are never rewritten, so a committed cache diffs as
  added lines and a cache never expires.
* **Concurrent writers**: every append is one ``write`` on an ``O_APPEND``
  descriptor under an exclusive ``flock`` of the shard, so lines from several
  processes never interleave; a writer that finds the key already appended by
  another process (read under the same lock) does not append it again.
  Readers pick up other processes' new lines (the shard's tail is re-read on a miss).
* **Crash-safe**: a call is appended as soon as it completes, so a killed run
  loses only calls in flight. A line that is not JSON (torn by a power loss or
  a full disk) is reported as corrupt by a :class:`CacheWarning` naming the
  shard and the line, and skipped: its call is recomputed. The next append
  starts on a fresh line.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from radjudge.checks import check_choice
from radjudge.llm.prompts import canonical_json
from radjudge.llm.types import CacheMode

__all__ = [
    "CallCache",
    "call_key",
    "entry_checksum",
    "CacheWarning",
    "CacheIntegrityError",
    "CacheReport",
    "verify_cache",
    "migrate_cache",
    "FORMAT",
]

#: Version of the line format: 2 = every line carries its checksum ``c``.
FORMAT = 2
_CHECKSUM_HEX = 32

_NUMBER = (int, float)
#: Fields the LLM client writes, and their types (checked on every read and write).
#: t text, f finish reason, ph prompt SHA-256, pt/ct prompt/completion tokens,
#: s latency seconds, lp log-probs (per option, or per generated token), n token counts.
FIELD_TYPES: dict[str, str] = {
    "t": "str",
    "f": "str or null",
    "ph": "str",
    "pt": "int >= 0",
    "ct": "int >= 0",
    "s": "number >= 0",
    "lp": "list of numbers",
    "n": "list of int >= 0",
}


#: The fields every entry of the LLM client holds (those with a prompt hash ``ph``).
CLIENT_ENTRIES = {
    "generation": frozenset({"ph", "t", "f", "pt", "ct", "s"}),
    "score": frozenset({"ph", "lp", "n", "pt", "s"}),
}


class CacheWarning(UserWarning):
    """A cache line is corrupt (not JSON: torn by a crash, or cut by hand); it is skipped."""


class CacheIntegrityError(ValueError):
    """A cache line was changed after it was written, or a key holds two values.

    The message names the shard, the line(s), the key and how to repair it.
    """


def call_key(payload: Mapping[str, Any]) -> str:
    """The cache key of a call: SHA-256 of the canonical JSON of ``payload``.

    Key order does not matter; any change of value does.

    >>> call_key({"a": 1, "b": "ж"}) == call_key({"b": "ж", "a": 1})
    True
    >>> call_key({"a": 1}) == call_key({"a": 1.5})
    False
    """
    return hashlib.sha256(canonical_json(dict(payload)).encode("utf-8")).hexdigest()


def entry_checksum(key: str, body: Mapping[str, Any]) -> str:
    """Checksum ``c`` of a cache line: SHA-256 of ``key``, a newline and the canonical JSON of
    the other fields (``k`` and ``c`` excluded), first 32 hex digits.

    >>> entry_checksum("ab" * 32, {"t": "x"}) == entry_checksum("ab" * 32, {"t": "x", "c": "?"})
    True
    >>> entry_checksum("ab" * 32, {"t": "x"}) == entry_checksum("ab" * 32, {"t": "y"})
    False
    """
    rest = {k: v for k, v in body.items() if k not in ("k", "c")}
    text = key + "\n" + canonical_json(rest)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:_CHECKSUM_HEX]


def _type_problem(name: str, value: Any) -> str | None:
    """Why ``value`` is not a valid ``name`` field (see :data:`FIELD_TYPES`), else None."""

    def number(v: Any) -> bool:
        return isinstance(v, _NUMBER) and not isinstance(v, bool)

    def count(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool) and v >= 0

    ok = {
        "t": lambda v: isinstance(v, str),
        "f": lambda v: v is None or isinstance(v, str),
        "ph": lambda v: isinstance(v, str),
        "pt": count,
        "ct": count,
        "s": lambda v: number(v) and v >= 0,
        "lp": lambda v: isinstance(v, list) and all(number(x) for x in v),
        "n": lambda v: isinstance(v, list) and all(count(x) for x in v),
    }.get(name)
    if ok is None or ok(value):
        return None
    return f"field {name!r} must be {FIELD_TYPES[name]}, got {type(value).__name__} {value!r:.60}"


def _check_entry(key: str, entry: Any, *, where: str) -> dict[str, Any]:
    """A parsed line, checked: an object whose ``k`` is ``key``, a matching checksum, typed fields.

    Returns the entry without its checksum; raises CacheIntegrityError naming ``where``.
    """
    if not isinstance(entry, dict) or entry.get("k") != key:
        raise CacheIntegrityError(
            f"{where}: the line is not the entry of key {key} (it holds "
            f"{type(entry).__name__ if not isinstance(entry, dict) else 'key ' + str(entry.get('k'))})"
            "; delete the line - its call will be recomputed"
        )
    if "c" not in entry:
        raise CacheIntegrityError(
            f"{where}: the line has no checksum (cache format 1, written before checksums). "
            "Convert the cache once: radjudge cache migrate <cache dir>"
        )
    if entry["c"] != entry_checksum(key, entry):
        raise CacheIntegrityError(
            f"{where}: the entry of key {key} fails its checksum: it was edited after it was "
            "written, and replaying it would return another output than the model gave. "
            "Restore the line (git checkout the shard) or delete it to recompute the call"
        )
    for name, value in entry.items():
        problem = _type_problem(name, value)
        if problem:
            raise CacheIntegrityError(
                f"{where}: {problem}; the line was not written by radjudge. Delete it to "
                "recompute the call"
            )
    if "ph" in entry and not any(f <= entry.keys() for f in CLIENT_ENTRIES.values()):
        raise CacheIntegrityError(
            f"{where}: an LLM call entry (it has 'ph') lacks fields: a generation needs "
            f"{sorted(CLIENT_ENTRIES['generation'])}, a score {sorted(CLIENT_ENTRIES['score'])}. "
            "Delete the line to recompute the call"
        )
    return {k: v for k, v in entry.items() if k != "c"}


def _warn_corrupt(path: Path, line: int, *, stacklevel: int = 5) -> None:
    warnings.warn(
        f"{path}, line {line}: corrupt cache line (not JSON: torn by a crash, or cut by hand); "
        "skipped - that call will be recomputed",
        CacheWarning,
        stacklevel=stacklevel,
    )


class _Shard:
    __slots__ = ("path", "entries", "line_of", "offset", "lines", "loaded")

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, dict[str, Any] | bytes] = {}
        self.line_of: dict[str, int] = {}
        self.offset = 0
        self.lines = 0  # lines consumed so far
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
        """Index the shard's complete lines after ``shard.offset`` (parsed lazily, on get).

        A key already indexed with different bytes is a CacheIntegrityError naming both lines.
        """
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
        for raw in data[: end + 1].split(b"\n")[:-1]:
            shard.lines += 1
            if not raw.strip():
                continue
            if raw.startswith(b'{"k":"') and raw[70:72] == b'",' and raw.endswith(b"}"):
                key = raw[6:70].decode("ascii", errors="replace")
            else:  # not written by put(): find its key the slow way
                try:
                    key = json.loads(raw)["k"]
                    if not isinstance(key, str):
                        raise TypeError(key)
                except (ValueError, KeyError, TypeError):
                    _warn_corrupt(shard.path, shard.lines)
                    continue
            previous = shard.entries.get(key)
            if previous is None:
                shard.entries[key] = raw  # parsed and checked on get()
                shard.line_of[key] = shard.lines
            elif self._same(previous, raw):
                shard.line_of.setdefault(key, shard.lines)  # e.g. this process's own append
            else:
                raise CacheIntegrityError(
                    f"{shard.path}, lines {shard.line_of.get(key, '?')} and {shard.lines}: key {key} is "
                    "stored twice with different values, so a replay would depend on which line "
                    "is read. Keep the right line and delete the other (or delete both to "
                    "recompute the call)"
                )
        shard.offset += end + 1

    @staticmethod
    def _same(a: dict[str, Any] | bytes, b: bytes) -> bool:
        """Two lines of one key hold the same value (same bytes, or the same parsed content)."""
        if a == b:
            return True
        try:
            pa = json.loads(a) if isinstance(a, bytes) else a
            pb = json.loads(b)
        except ValueError:
            return False
        strip = ("c",)
        return (
            isinstance(pa, dict)
            and isinstance(pb, dict)
            and (
                {k: v for k, v in pa.items() if k not in strip}
                == {k: v for k, v in pb.items() if k not in strip}
            )
        )

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
        if entry is None:
            return None
        if isinstance(entry, bytes):
            where = f"{shard.path}, line {shard.line_of[key]}"
            try:
                parsed = json.loads(entry)
            except ValueError:
                del shard.entries[key]  # a later, intact line for this key may follow
                _warn_corrupt(shard.path, shard.line_of.pop(key))
                return None
            entry = shard.entries[key] = _check_entry(key, parsed, where=where)
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

        ``entry`` must be JSON-serialisable, free of NaN, and its fields of
        :data:`FIELD_TYPES` of their type; its ``"k"`` field is set to ``key``
        and its checksum ``"c"`` computed. If another process appended the key
        meanwhile, nothing is written (the first line wins).
        """
        if self.mode != "readwrite":
            return
        if len(key) != 64:
            raise ValueError(f"cache keys are SHA-256 hex digests (64 characters), got {key!r}")
        body = {k: v for k, v in entry.items() if k not in ("k", "c")}
        for name, value in body.items():
            problem = _type_problem(name, value)
            if problem:
                raise TypeError(f"cache entry of key {key}: {problem}")
        record = {"k": key, **body}
        line = _line(key, body)
        with self._lock:
            shard = self._shard(key)
            self.directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(shard.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                self._read_tail(shard)  # another process may have appended this key
                if key in shard.entries:
                    return
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    line = b"\n" + line  # a torn last line stays on its own line
                written = os.write(fd, line)
                if written != len(line):
                    raise OSError(f"{shard.path}: short write ({written} of {len(line)} bytes)")
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
            shard.entries[key] = record


def _line(key: str, body: Mapping[str, Any]) -> bytes:
    """One cache line: ``k`` first, then the checksum and the other fields in sorted order."""
    # "k" first lets a reader index a shard without parsing it; "c" sorts first among the rest.
    rest = canonical_json({**body, "c": entry_checksum(key, body)})[1:]
    return ('{"k":"' + key + '",' + rest + "\n").encode("utf-8")


# -- verification and migration ---------------------------------------------------------------


@dataclass(frozen=True)
class CacheReport:
    """Result of :func:`verify_cache` or :func:`migrate_cache`.

    Attributes
    ----------
    directory : pathlib.Path
    shards : int
        Shard files read.
    entries : int
        Distinct keys.
    lines : int
        Non-blank lines read.
    converted : int
        Lines given a checksum (migration only).
    dropped_duplicates : int
        Repeated lines of a key with the same value, dropped (migration only).
    """

    directory: Path
    shards: int
    entries: int
    lines: int
    converted: int = 0
    dropped_duplicates: int = 0


def verify_cache(directory: str | os.PathLike[str]) -> CacheReport:
    """Read and check every line of a cache folder (checksums, types, one value per key).

    Raises
    ------
    CacheIntegrityError
        At the first bad line, naming shard and line. Corrupt (non-JSON) lines
        are reported by a :class:`CacheWarning` and counted out.
    """
    cache = CallCache(directory, mode="readonly")
    n_entries = sum(1 for _ in cache.items())
    shards = list(cache._shards.values())
    lines = sum(1 for s in shards for raw in s.path.read_bytes().split(b"\n") if raw.strip())
    return CacheReport(Path(directory), len(shards), n_entries, lines)


def migrate_cache(directory: str | os.PathLike[str]) -> CacheReport:
    """Convert a cache folder to the current line format (checksums), shard by shard, in place.

    Lines keep their order; a repeated line of a key with the same value is
    dropped. Lines that already carry a checksum are verified, not rewritten.
    Each shard is replaced atomically; run it with no other writer.

    Raises
    ------
    CacheIntegrityError
        A line that is not JSON, a key with two different values, or a field of
        the wrong type (named by shard and line): fix those by hand first.
    """
    directory = Path(directory)
    shards = sorted(directory.glob("*.jsonl"))
    n_lines = converted = dropped = n_entries = 0
    for path in shards:
        out: list[bytes] = []
        seen: dict[str, tuple[int, dict[str, Any]]] = {}
        for lineno, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
            if not raw.strip():
                continue
            n_lines += 1
            where = f"{path}, line {lineno}"
            try:
                entry = json.loads(raw)
            except ValueError:
                raise CacheIntegrityError(
                    f"{where}: corrupt line (not JSON); delete it, then migrate"
                ) from None
            if not isinstance(entry, dict) or not isinstance(entry.get("k"), str):
                raise CacheIntegrityError(f"{where}: not a cache entry (no key 'k')")
            key = entry["k"]
            if "c" in entry:
                body = _check_entry(key, entry, where=where)
            else:
                body = {k: v for k, v in entry.items() if k != "k"}
                for name, value in body.items():
                    problem = _type_problem(name, value)
                    if problem:
                        raise CacheIntegrityError(f"{where}: {problem}")
                converted += 1
            body = {k: v for k, v in body.items() if k != "k"}
            if key in seen:
                if seen[key][1] != body:
                    raise CacheIntegrityError(
                        f"{path}, lines {seen[key][0]} and {lineno}: key {key} is stored twice "
                        "with different values; keep one line, then migrate"
                    )
                dropped += 1
                continue
            seen[key] = (lineno, body)
            out.append(_line(key, body))
        n_entries += len(seen)
        new = b"".join(out)
        if new != path.read_bytes():
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(new)
            os.replace(tmp, path)
    return CacheReport(directory, len(shards), n_entries, n_lines, converted, dropped)
