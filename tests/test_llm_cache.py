"""Tests of radjudge.llm.cache: keys, modes, concurrent writers, crashes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import pytest

from radjudge.llm.cache import (
    CacheIntegrityError,
    CacheWarning,
    CallCache,
    call_key,
    entry_checksum,
    migrate_cache,
    verify_cache,
)


def test_key_ignores_mapping_order_and_tracks_every_value() -> None:
    payload = {
        "op": "generate",
        "prompt": {"system": None, "user": "Жалобы: боль."},
        "decoding": {"max_tokens": 8},
    }
    reordered = {
        "decoding": {"max_tokens": 8},
        "prompt": {"user": "Жалобы: боль.", "system": None},
        "op": "generate",
    }
    assert call_key(payload) == call_key(reordered)
    changed = {**payload, "decoding": {"max_tokens": 9}}
    assert call_key(changed) != call_key(payload)
    assert call_key({**payload, "prompt": {"system": None, "user": "Жалобы: боль. "}}) != call_key(
        payload
    )


def test_key_is_stable_across_processes() -> None:
    """Keys must not depend on PYTHONHASHSEED or process state (the demo cache is committed)."""
    payload = {"b": [1, 2.5, "ж"], "a": {"y": None, "x": True}}
    code = f"from radjudge.llm.cache import call_key; print(call_key({payload!r}))"
    keys = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert keys == {call_key(payload)}


def test_put_get_and_reload(tmp_path: Path) -> None:
    cache = CallCache(tmp_path)
    keys = [call_key({"i": i}) for i in range(50)]
    for i, k in enumerate(keys):
        cache.put(k, {"t": f"текст {i}", "s": 0.5})
    fresh = CallCache(tmp_path)
    assert [fresh.get(k)["t"] for k in keys] == [f"текст {i}" for i in range(50)]
    assert len(fresh) == 50
    # Shards are named by the first two hex digits of the key; lines hold no extra fields
    # but the checksum, which get() does not return.
    for shard in tmp_path.glob("*.jsonl"):
        for line in shard.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            assert entry["k"].startswith(shard.stem)
            assert set(entry) == {"k", "c", "t", "s"}
            assert line.startswith('{"k":"' + entry["k"] + '","c":"')
    assert set(fresh.get(keys[0])) == {"k", "t", "s"}


def test_modes(tmp_path: Path) -> None:
    key = call_key({"x": 1})
    CallCache(tmp_path / "rw").put(key, {"t": "a"})
    readonly = CallCache(tmp_path / "rw", mode="readonly")
    assert readonly.get(key)["t"] == "a"
    readonly.put(call_key({"x": 2}), {"t": "b"})  # never writes
    assert CallCache(tmp_path / "rw").get(call_key({"x": 2})) is None
    off = CallCache(tmp_path / "rw", mode="off")
    assert off.get(key) is None
    off.put(call_key({"x": 3}), {"t": "c"})
    assert len(CallCache(tmp_path / "rw")) == 1
    with pytest.raises(ValueError, match="cache mode must be one of"):
        CallCache(tmp_path, mode="read-only")  # type: ignore[arg-type]


def test_sees_lines_appended_by_another_process(tmp_path: Path) -> None:
    reader = CallCache(tmp_path)
    key = call_key({"late": True})
    assert reader.get(key) is None
    CallCache(tmp_path).put(key, {"t": "appended elsewhere"})
    assert reader.get(key)["t"] == "appended elsewhere"


_WRITER = textwrap.dedent("""
    import sys
    from radjudge.llm.cache import CallCache, call_key
    directory, worker, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    cache = CallCache(directory)
    for i in range(n):
        # every worker also writes the shared keys 0..19 (same content), plus its own
        cache.put(call_key({"shared": i % 20}), {"t": f"shared {i % 20}"})
        cache.put(call_key({"worker": worker, "i": i}), {"t": "x" * (i % 300), "w": worker, "i": i})
""")


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    n_workers, n = 4, 150
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), str(w), str(n)])
        for w in range(n_workers)
    ]
    assert [p.wait(timeout=300) for p in procs] == [0] * n_workers
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)  # no torn or interleaved line
        cache = CallCache(tmp_path)
        assert len(cache) == n_workers * n + 20
    for w in range(n_workers):
        for i in range(n):
            assert cache.get(call_key({"worker": w, "i": i})) == {
                "k": call_key({"worker": w, "i": i}),
                "t": "x" * (i % 300),
                "w": w,
                "i": i,
            }
    assert cache.get(call_key({"shared": 7}))["t"] == "shared 7"


def test_torn_last_line_is_skipped_with_a_warning(tmp_path: Path) -> None:
    cache = CallCache(tmp_path)
    good = call_key({"good": 1})
    cache.put(good, {"t": "kept"})
    torn_key = good[:2] + "f" * 62  # same shard
    CallCache(tmp_path / "other").put(torn_key, {"t": "a line cut in the middle by a crash"})
    line = (tmp_path / "other" / f"{good[:2]}.jsonl").read_bytes()
    shard = tmp_path / f"{good[:2]}.jsonl"
    with shard.open("ab") as f:  # a crash in the middle of a write
        f.write(line[: len(line) // 2])
    # An incomplete last line is not parsed (it may still be being written): no warning yet.
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        assert CallCache(tmp_path).get(good)["t"] == "kept"
        assert CallCache(tmp_path).get(torn_key) is None
    later = good[:2] + "0" * 62
    CallCache(tmp_path).put(later, {"t": "after the crash"})
    assert shard.read_bytes().count(b"\n") == 3  # the torn fragment stays on its own line
    with pytest.warns(CacheWarning, match=r"line 2: corrupt cache line"):
        reloaded = CallCache(tmp_path)
        assert reloaded.get(later)["t"] == "after the crash"
    assert reloaded.get(good)["t"] == "kept"
    assert reloaded.get(torn_key) is None
    assert len(reloaded) == 2
    # The torn call is recomputed and stored again.
    reloaded.put(torn_key, {"t": "recomputed"})
    with pytest.warns(CacheWarning):
        assert CallCache(tmp_path).get(torn_key)["t"] == "recomputed"


_KILLED_WRITER = textwrap.dedent("""
    import sys
    from radjudge.llm.cache import CallCache, call_key
    cache = CallCache(sys.argv[1])
    i = 0
    while True:
        cache.put(call_key({"i": i}), {"t": "y" * 2000, "i": i})
        i += 1
""")


def test_writer_killed_mid_run_leaves_a_readable_cache(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(tmp_path)])
    deadline = time.monotonic() + 120
    while sum(p.stat().st_size for p in tmp_path.glob("*.jsonl")) < 400_000:
        assert time.monotonic() < deadline, "writer made no progress"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    cache = CallCache(tmp_path)
    entries = dict(cache.items())
    indices = sorted(e["i"] for e in entries.values())
    assert len(indices) > 100
    # Entries are written in order: everything before the last one written is there.
    assert indices == list(range(len(indices)))


# ---------------------------------------------- integrity (issue 15): no wrong replay, ever


def _shard_of(directory: Path, key: str) -> Path:
    return directory / f"{key[:2]}.jsonl"


def _three_entries(tmp_path: Path) -> tuple[str, Path]:
    """Three entries in one shard; returns the middle key (line 2) and the shard."""
    base = call_key({"n": 0})
    cache = CallCache(tmp_path)
    keys = [base[:2] + f"{i:x}" * 62 for i in (1, 2, 3)]
    for i, k in enumerate(keys):
        cache.put(
            k, {"ph": "p" * 64, "t": f"Резюме {i}.", "f": "stop", "pt": 10, "ct": 3, "s": 0.1}
        )
    return keys[1], _shard_of(tmp_path, keys[1])


def test_an_in_place_edit_of_the_text_is_an_error_naming_shard_and_line(tmp_path: Path) -> None:
    key, shard = _three_entries(tmp_path)
    shard.write_text(shard.read_text("utf-8").replace("Резюме 1.", "Резюме 9."), "utf-8")
    with pytest.raises(CacheIntegrityError, match=rf"{shard.name}, line 2: .*fails its checksum"):
        CallCache(tmp_path).get(key)


def test_a_second_value_for_a_key_placed_before_the_original_is_an_error(tmp_path: Path) -> None:
    key, shard = _three_entries(tmp_path)
    lines = shard.read_text("utf-8").splitlines(keepends=True)
    other = CallCache(tmp_path / "other")
    other.put(key, {"ph": "p" * 64, "t": "Другой текст.", "f": "stop", "pt": 10, "ct": 2, "s": 0.1})
    forged = _shard_of(tmp_path / "other", key).read_text("utf-8")  # a valid line, checksum too
    shard.write_text(forged + "".join(lines), "utf-8")
    with pytest.raises(CacheIntegrityError, match=rf"{shard.name}, lines 1 and 3: key {key}"):
        CallCache(tmp_path).get(key)
    # the same value twice (e.g. a merge that added a line twice) is no conflict
    shard.write_text("".join(lines) + lines[1], "utf-8")
    assert CallCache(tmp_path).get(key)["t"] == "Резюме 1."


def test_a_wrong_field_type_is_an_error_naming_shard_line_and_field(tmp_path: Path) -> None:
    key, shard = _three_entries(tmp_path)
    lines = shard.read_text("utf-8").splitlines(keepends=True)
    entry = json.loads(lines[1])
    entry["pt"] = "10"  # a string where a token count belongs; checksum recomputed by the forger
    entry["c"] = entry_checksum(key, entry)
    lines[1] = json.dumps(entry, ensure_ascii=False) + "\n"
    shard.write_text("".join(lines), "utf-8")
    with pytest.raises(CacheIntegrityError, match=r"line 2: field 'pt' must be int >= 0, got str"):
        CallCache(tmp_path).get(key)
    with pytest.raises(TypeError, match="field 't' must be str"):
        CallCache(tmp_path).put("ab" * 32, {"t": 5})


def test_a_corrupt_line_is_reported_with_shard_and_line_and_recomputed(tmp_path: Path) -> None:
    key, shard = _three_entries(tmp_path)
    lines = shard.read_text("utf-8").splitlines(keepends=True)
    lines[1] = lines[1][:40] + "\n"  # cut by hand (or torn by a crash, then appended after)
    shard.write_text("".join(lines), "utf-8")
    with pytest.warns(CacheWarning, match=rf"{shard.name}, line 2: corrupt cache line"):
        assert CallCache(tmp_path).get(key) is None


def test_format_1_lines_need_the_migration_which_keeps_every_value(tmp_path: Path) -> None:
    old = {
        call_key({"i": i}): {"ph": "p" * 64, "lp": [-0.5, -1.25], "n": [1, 2], "pt": 9, "s": 0.0}
        for i in range(20)
    }
    for key, body in old.items():  # the format-1 writer: no checksum
        with _shard_of(tmp_path, key).open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"k": key, **body}, separators=(",", ":"), sort_keys=True) + "\n")
    first = next(iter(old))
    with _shard_of(tmp_path, first).open("a", encoding="utf-8") as fh:  # an exact repeat
        fh.write(
            json.dumps({"k": first, **old[first]}, separators=(",", ":"), sort_keys=True) + "\n"
        )
    with pytest.raises(CacheIntegrityError, match="no checksum .*radjudge cache migrate"):
        CallCache(tmp_path).get(first)
    report = migrate_cache(tmp_path)
    assert (report.entries, report.converted, report.dropped_duplicates) == (20, 21, 1)
    cache = CallCache(tmp_path)
    assert {k: {f: v for f, v in cache.get(k).items() if f != "k"} for k in old} == old
    assert migrate_cache(tmp_path).converted == 0  # idempotent
    assert verify_cache(tmp_path).entries == 20


def test_the_committed_demo_cache_verifies() -> None:
    from radjudge import paths

    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        report = verify_cache(paths.ROOT / "data" / "cache" / "llm")
    assert report.entries == report.lines > 5000
