"""The pipeline runner: the numbered notebooks, executed in order by papermill.

``radjudge run --profile demo`` (or ``python -m radjudge run``):

1. reads the profile and applies ``--set`` overrides;
2. checks it against every selected notebook's ``parameters`` cell *before*
   anything runs - a profile key no notebook declares, a declared parameter the
   profile does not set, or a non-literal parameters cell is an error;
3. executes each notebook with papermill on the ``radjudge`` kernel, from
   ``notebooks/``, writing the executed copy to ``data/runs/<run id>/``;
4. after each notebook, scans the executed copy for errors papermill does not
   raise on (an error shown as output, a failing shell command);
5. writes ``data/results/run_manifest.json`` after every notebook, so even a
   failed run leaves a manifest saying where it stopped.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from radjudge import manifest, paths, profile_schema
from radjudge.anonymize.remote import remote_consent_problems
from radjudge.judge.config import JudgeConfigError, check_metric_references
from radjudge.profiles import RUNNER_PARAMETERS, Profile, ProfileError

__all__ = [
    "KERNEL_NAME",
    "PipelineNotebook",
    "NotebookFailed",
    "RunResult",
    "discover_notebooks",
    "declared_parameters",
    "check_profile",
    "check_ready",
    "select_notebooks",
    "run_pipeline",
    "find_output_errors",
]

#: The Jupyter kernel every pipeline notebook runs on (installed by ``make``).
KERNEL_NAME = "radjudge"

_NUMBERED = re.compile(r"^(\d{2})_[a-z0-9_]+\.ipynb$")


@dataclass(frozen=True)
class PipelineNotebook:
    """One numbered notebook of the pipeline.

    Attributes
    ----------
    number : str
        Two-digit prefix, e.g. ``"04"``.
    stem : str
        File stem, e.g. ``"04_judge_sweeps"``; also its profile section name.
    path : pathlib.Path
        The source notebook.
    """

    number: str
    stem: str
    path: Path


@dataclass
class NotebookRecord:
    stem: str
    status: str
    seconds: float
    executed: str
    parameters: dict[str, Any]
    error: str | None = None


@dataclass
class RunResult:
    """Outcome of :func:`run_pipeline`.

    Attributes
    ----------
    run_dir : pathlib.Path
        Folder holding the executed notebooks and stage records.
    manifest_path : pathlib.Path
        The run manifest.
    notebooks : list of NotebookRecord
        One record per executed notebook, in order.
    """

    run_dir: Path
    manifest_path: Path
    notebooks: list[NotebookRecord] = field(default_factory=list)


class NotebookFailed(RuntimeError):
    """A notebook failed; the message names the notebook, the cell and the exception.

    Attributes
    ----------
    notebook : str
        Notebook stem.
    cell : int or None
        0-based index of the failing cell in the *source* notebook (the message
        counts from 1).
    ename, evalue : str
        Exception name and value.
    executed : pathlib.Path
        The executed copy, with outputs up to the failure.
    """

    def __init__(
        self, notebook: str, cell: int | None, source: str, ename: str, evalue: str, executed: Path
    ) -> None:
        self.notebook, self.cell, self.ename, self.evalue, self.executed = (
            notebook,
            cell,
            ename,
            evalue,
            executed,
        )
        first_line = next((ln for ln in source.splitlines() if ln.strip()), "").strip()
        # 1-based, as a reader counts cells in JupyterLab; the parameters cell is usually 1.
        where = f"cell {cell + 1}" if cell is not None else "a cell"
        super().__init__(
            f"notebook {notebook} failed in {where} ({first_line[:80]!r}): {ename}: {evalue}\n"
            f"  executed notebook: {paths.relative(executed)}"
        )


def discover_notebooks(folder: Path | None = None) -> list[PipelineNotebook]:
    """The numbered pipeline notebooks (``NN_name.ipynb``) in ``folder``, in order."""
    folder = folder or paths.NOTEBOOKS
    found = []
    for p in sorted(folder.glob("*.ipynb")):
        m = _NUMBERED.match(p.name)
        if m:
            found.append(PipelineNotebook(number=m.group(1), stem=p.stem, path=p))
    numbers = [nb.number for nb in found]
    dupes = sorted({n for n in numbers if numbers.count(n) > 1})
    if dupes:
        raise ProfileError(f"{folder}: two notebooks share the number(s) {dupes}; renumber them")
    return found


def parameters_cell(nb: nbformat.NotebookNode, *, name: str = "notebook") -> int:
    """Index of the one cell tagged ``parameters``; a ValueError names the problem."""
    tagged = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and "parameters" in c.get("metadata", {}).get("tags", [])
    ]
    if len(tagged) != 1:
        raise ProfileError(
            f"{name}: needs exactly one code cell tagged 'parameters', found {len(tagged)}"
        )
    return tagged[0]


def declared_parameters(path: Path) -> dict[str, Any]:
    """Parameters declared in a notebook's ``parameters`` cell, with their default values.

    The cell must hold only ``name = <literal>`` assignments (and comments);
    anything else is a :class:`~radjudge.profiles.ProfileError` naming the line.
    """
    nb = nbformat.read(path, as_version=4)
    cell = nb.cells[parameters_cell(nb, name=path.name)]
    try:
        tree = ast.parse(cell.source)
    except SyntaxError as exc:
        raise ProfileError(f"{path.name}: parameters cell is not valid Python: {exc}") from exc
    declared: dict[str, Any] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target, value = stmt.target, stmt.value
        else:
            raise ProfileError(
                f"{path.name}, parameters cell line {stmt.lineno}: only 'name = literal' "
                "assignments are allowed there"
            )
        if not isinstance(target, ast.Name):
            raise ProfileError(
                f"{path.name}, parameters cell line {stmt.lineno}: assign to a plain name"
            )
        try:
            declared[target.id] = ast.literal_eval(value)
        except ValueError as exc:
            raise ProfileError(
                f"{path.name}, parameters cell line {stmt.lineno}: {target.id} must be a literal "
                "(number, string, bool, None, list, dict); compute derived values in a later cell"
            ) from exc
    return declared


def select_notebooks(
    notebooks: Sequence[PipelineNotebook],
    *,
    start: str | None = None,
    only: Iterable[str] | None = None,
) -> list[PipelineNotebook]:
    """Apply ``--from NN`` and ``--only NN[,NN]``: an unknown number or no selection is an error."""
    numbers = [nb.number for nb in notebooks]

    def norm(n: str) -> str:
        n = str(n).strip()
        if not n.isdigit() or f"{int(n):02d}" not in numbers:
            raise ProfileError(
                f"no pipeline notebook numbered {n!r}; available: {', '.join(numbers)}"
            )
        return f"{int(n):02d}"

    selected = list(notebooks)
    if start is not None:
        first = norm(start)
        selected = [nb for nb in selected if nb.number >= first]
    if only is not None:
        wanted = {norm(n) for n in only}
        selected = [nb for nb in selected if nb.number in wanted]
    if not selected:
        asked = " and ".join(
            x
            for x in (
                f"--from {start} (notebooks {first} and later)" if start is not None else "",
                f"--only {','.join(str(n) for n in only)}" if only is not None else "",
            )
            if x
        )
        raise ProfileError(
            f"{asked} select no notebook together; available: {', '.join(numbers)}. "
            "Drop one of the options."
        )
    return selected


def _design_problems(params: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Checks across notebooks: every metric judge's reference is a summarizer of the run."""
    judges = params.get("04_judge_sweeps", {}).get("judges")
    summarizers = params.get("02_summarization", {}).get("summarizers")
    if not isinstance(judges, list) or not isinstance(summarizers, list):
        return []
    names = [str(s.get("name")) for s in summarizers if isinstance(s, Mapping)]
    try:
        check_metric_references([j for j in judges if isinstance(j, Mapping)], names)
    except JudgeConfigError as exc:
        return [str(exc)]
    return []


def check_profile(
    profile: Profile,
    notebooks: Sequence[PipelineNotebook],
    *,
    selected: Sequence[str] | None = None,
) -> dict[str, dict[str, Any]]:
    """Check a profile against the notebooks and return each notebook's parameters.

    Rules (each break raises :class:`~radjudge.profiles.ProfileError` naming the key):

    * every value has the type, range and allowed values of its parameter in
      :mod:`radjudge.profile_schema`, and passes its validator (models,
      summarizers, judges, scales and rubric, simulated panel);
    * every section in ``notebooks:`` names an existing notebook;
    * every key of a section is a parameter that notebook declares;
    * every shared key is declared by at least one notebook;
    * every parameter a notebook declares is set by the profile (its section or
      ``shared``), except the runner's own ``profile`` and ``run_dir``;
    * real records are not sent to a remote model host without
      ``shared.allow_remote_phi: true`` (:mod:`radjudge.anonymize.remote`).

    Parameters
    ----------
    profile : Profile
    notebooks : sequence of PipelineNotebook
        All pipeline notebooks (the check covers all of them, so a profile is
        valid or not whatever ``--only`` selects).
    selected : sequence of str, optional
        Stems to return parameters for; all by default.

    Returns
    -------
    dict[str, dict]
        Stem -> parameters to inject (without the runner's own).
    """
    by_stem = {nb.stem: nb for nb in notebooks}
    problems: list[str] = []
    for stem in profile.notebooks:
        if stem not in by_stem:
            problems.append(
                f"section notebooks.{stem} names no notebook; notebooks are: {', '.join(by_stem)}"
            )
    declared = {stem: declared_parameters(nb.path) for stem, nb in by_stem.items()}
    used_shared: set[str] = set()
    params: dict[str, dict[str, Any]] = {}
    for stem, names in declared.items():
        section = profile.section(stem)
        for key in section:
            if key not in names:
                problems.append(
                    f"parameter {key!r} (notebooks.{stem}.{key}) is not declared by notebook "
                    f"{stem}; it declares: {', '.join(sorted(names)) or 'nothing'}"
                )
            if key in profile.shared:
                problems.append(
                    f"parameter {key!r} is set both in shared and in notebooks.{stem}; keep one"
                )
        merged: dict[str, Any] = {}
        for name in names:
            if name in RUNNER_PARAMETERS:
                continue
            if name in section:
                merged[name] = section[name]
            elif name in profile.shared:
                merged[name] = profile.shared[name]
                used_shared.add(name)
            else:
                problems.append(
                    f"notebook {stem} declares parameter {name!r} but profile {profile.name!r} "
                    f"does not set it; add it under notebooks.{stem} or shared"
                )
        params[stem] = merged
    for key in profile.shared:
        if key not in used_shared:
            problems.append(f"shared parameter {key!r} is declared by no notebook; remove it")
    problems.extend(remote_consent_problems(profile))  # real records + remote host + no consent
    problems += _design_problems(params)
    if problems:
        raise ProfileError(
            f"profile {profile.name!r} does not fit the notebooks:\n  - " + "\n  - ".join(problems)
        )
    problems = profile_schema.check_values(
        params, declared, in_section={stem: set(profile.section(stem)) for stem in params}
    )
    if problems:
        raise ProfileError(
            f"profile {profile.name!r} has {len(problems)} invalid value(s):\n  - "
            + "\n  - ".join(problems)
        )
    wanted = selected if selected is not None else list(by_stem)
    return {stem: params[stem] for stem in wanted}


def check_ready(
    params: dict[str, dict[str, Any]], *, endpoints: bool = False, profile: str = "profile"
) -> None:
    """Check that the selected notebooks can run: their input files exist, and (``endpoints``)
    the servers of the models they call answer.

    Parameters
    ----------
    params : dict
        :func:`check_profile`'s result for the selected notebooks.
    endpoints : bool, default False
        Also query every called OpenAI-compatible server (``--check``; a run
        that replays from the cache needs none).
    profile : str
        Profile name, for the message.

    Raises
    ------
    ProfileError
        Listing every missing input and unreachable server, and where it is set.
    """
    problems = profile_schema.check_inputs(params)
    if endpoints:
        problems += profile_schema.check_endpoints(params)
    if problems:
        raise ProfileError(
            f"profile {profile!r} is not ready to run - {len(problems)} problem(s):\n  - "
            + "\n  - ".join(problems)
        )


def find_output_errors(nb: nbformat.NotebookNode) -> list[tuple[int, str, str]]:
    """Errors recorded in a notebook's outputs: ``(cell index, ename, evalue)``.

    Papermill raises only when a cell's execution reply is an error. A cell can
    still *show* an error - a traceback displayed by ``showtraceback`` inside a
    ``try``, an extension that failed to load, an IPython magic that printed
    its failure - and carry on. Those are failures too.
    """
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append((i, out.get("ename", "Error"), out.get("evalue", "")))
            elif out.get("output_type") == "stream" and out.get("name") == "stderr":
                text = out.get("text", "")
                if "Traceback (most recent call last)" in text or "UsageError:" in text:
                    last = [ln for ln in text.strip().splitlines() if ln.strip()][-1]
                    ename, _, evalue = last.partition(":")
                    found.append((i, ename.strip(), evalue.strip()))
    return found


def _source_index(
    executed: nbformat.NotebookNode, source: nbformat.NotebookNode, idx: int
) -> int | None:
    """Map a cell of the executed copy back to the source notebook by cell id."""
    ids = [c.get("id") for c in source.cells]
    cid = executed.cells[idx].get("id") if 0 <= idx < len(executed.cells) else None
    return ids.index(cid) if cid in ids else None


#: Longest line of the parameters papermill injects into an executed notebook.
_PARAMETER_LINE = 96


def parameter_source(parameters: Mapping[str, Any], *, width: int = _PARAMETER_LINE) -> str:
    """The injected-parameters cell: one assignment per parameter, lines of at most ``width``.

    Papermill writes each value on one line (a profile's judge list is ~900 characters);
    here a list or mapping too long for its line is broken into one element per line,
    recursively, so an executed notebook stays readable. Every value reads back as
    itself (``ast.literal_eval``).

    >>> print(parameter_source({"seed": 1, "judges": [{"name": "a" * 30, "mode": "logprobs"},
    ...                                               {"name": "b" * 30, "mode": "sample"}]},
    ...                        width=80), end="")
    # Parameters
    seed = 1
    judges = [{"name": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "mode": "logprobs"},
              {"name": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "mode": "sample"}]
    """
    from papermill.translators import PythonTranslator

    def fmt(value: Any, column: int) -> str:
        flat = PythonTranslator.translate(value)
        if column + len(flat) <= width or not (isinstance(value, dict | list) and value):
            return flat
        if isinstance(value, list) and not any(isinstance(v, dict | list) for v in value):
            out, line = [], ""  # a list of scalars fills its lines
            for v in value:
                part = PythonTranslator.translate(v)
                if line and column + 1 + len(line) + len(part) + 2 > width:
                    out.append(line + ",")
                    line = ""
                line = f"{line}, {part}" if line else part
            return "[" + ("\n" + " " * (column + 1)).join([*out, line]) + "]"
        if isinstance(value, list):
            items = [fmt(v, column + 1) for v in value]
            return "[" + (",\n" + " " * (column + 1)).join(items) + "]"
        items = []
        for k, v in value.items():
            key = PythonTranslator.translate(k) + ": "
            items.append(key + fmt(v, column + 1 + len(key)))
        return "{" + (",\n" + " " * (column + 1)).join(items) + "}"

    lines = ["# Parameters"]
    for name, value in parameters.items():
        text = fmt(value, len(name) + 3)
        if ast.literal_eval(text) != value:  # never inject anything but the value itself
            text = PythonTranslator.translate(value)
        lines.append(f"{name} = {text}")
    return "\n".join(lines) + "\n"


def _register_parameter_formatter() -> None:
    """Make papermill inject parameters through :func:`parameter_source`."""
    from papermill.translators import PythonTranslator, papermill_translators

    class _ShortLines(PythonTranslator):
        @classmethod
        def codify(cls, parameters: dict[str, Any], comment: str = "Parameters") -> str:
            return parameter_source(parameters)

    papermill_translators.register("python", _ShortLines)


def _new_run_dir(profile: Profile) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    run_dir = paths.RUNS / f"{stamp}-{profile.name}"
    suffix = 1
    while run_dir.exists():
        suffix += 1
        run_dir = paths.RUNS / f"{stamp}-{profile.name}-{suffix}"
    run_dir.mkdir(parents=True)
    return run_dir


def _write_manifest(
    result: RunResult,
    profile: Profile,
    overrides: Sequence[str],
    started: str,
    status: str,
) -> None:
    stages = manifest.read_stage_records(result.run_dir)
    inputs: dict[str, str] = {}
    models: dict[str, str] = {}
    for rec in stages.values():
        inputs.update(rec.get("inputs_sha256", {}))
        models.update(rec.get("models_sha256", {}))
    data = {
        "radjudge_manifest_version": 1,
        "run_id": result.run_dir.name,
        "run_dir": paths.relative(result.run_dir),
        "status": status,
        "started": started,
        "finished": manifest.utc_now(),
        "git": manifest.git_state(),
        "environment": manifest.environment(),
        "profile": {**profile.to_dict(), "overrides": list(overrides)},
        "notebooks": [vars(r) for r in result.notebooks],
        "total_seconds": round(sum(r.seconds for r in result.notebooks), 3),
        "stages": stages,
        "inputs_sha256": dict(sorted(inputs.items())),
        "models_sha256": dict(sorted(models.items())),
        "cache": {stem: rec.get("cache", {}) for stem, rec in stages.items() if rec.get("cache")},
    }
    manifest.write_json(result.manifest_path, data)


def run_pipeline(
    profile: Profile,
    *,
    start: str | None = None,
    only: Iterable[str] | None = None,
    overrides: Sequence[str] = (),
    notebooks_dir: Path | None = None,
    manifest_path: Path | None = None,
    log_output: bool = False,
    echo: Callable[[str], None] = print,
) -> RunResult:
    """Run the selected notebooks in order and write the run manifest.

    Parameters
    ----------
    profile : Profile
        Merged profile with overrides already applied.
    start, only : optional
        ``--from NN`` and ``--only NN[,NN]``.
    overrides : sequence of str, default ()
        The ``--set`` strings, recorded in the manifest.
    notebooks_dir : pathlib.Path, optional
        Folder of numbered notebooks; ``notebooks/`` by default (tests use others).
    manifest_path : pathlib.Path, optional
        Where the manifest goes; ``data/results/run_manifest.json`` by default.
    log_output : bool, default False
        Stream the notebooks' output (progress bars) to this terminal.
    echo : callable, default print
        Receives one progress line per notebook.

    Returns
    -------
    RunResult

    Raises
    ------
    ProfileError
        Before anything runs, if the profile does not fit the notebooks.
    NotebookFailed
        When a notebook fails; the manifest is written first.
    """
    import papermill  # heavy import; only when running
    from papermill.exceptions import PapermillExecutionError

    _register_parameter_formatter()

    notebooks_dir = notebooks_dir or paths.NOTEBOOKS
    all_nbs = discover_notebooks(notebooks_dir)
    if not all_nbs:
        raise ProfileError(f"no numbered notebooks (NN_name.ipynb) in {notebooks_dir}")
    chosen = select_notebooks(all_nbs, start=start, only=only)
    params = check_profile(profile, all_nbs, selected=[nb.stem for nb in chosen])
    check_ready(params, profile=profile.name)

    run_dir = _new_run_dir(profile)
    result = RunResult(run_dir=run_dir, manifest_path=manifest_path or paths.RUN_MANIFEST)
    started = manifest.utc_now()
    # The kernel inherits this environment: same root and hashing whatever the caller's cwd.
    os.environ["RADJUDGE_ROOT"] = str(paths.ROOT)
    os.environ["PYTHONHASHSEED"] = "0"
    echo(
        f"radjudge run: profile {profile.name!r}, {len(chosen)} notebook(s) -> "
        f"{paths.relative(run_dir)}"
    )
    for k, nb in enumerate(chosen, 1):
        declared = declared_parameters(nb.path)
        injected = dict(params[nb.stem])
        if "profile" in declared:
            injected["profile"] = profile.name
        if "run_dir" in declared:
            injected["run_dir"] = str(run_dir)
        executed = run_dir / nb.path.name
        echo(f"[{k}/{len(chosen)}] {nb.stem} ...")
        t0 = time.perf_counter()
        failure: NotebookFailed | None = None
        source_nb = nbformat.read(nb.path, as_version=4)
        try:
            papermill.execute_notebook(
                str(nb.path),
                str(executed),
                parameters=injected,
                kernel_name=KERNEL_NAME,
                cwd=str(notebooks_dir),
                progress_bar=False,
                log_output=log_output,
                stdout_file=sys.stdout if log_output else None,
                stderr_file=sys.stderr if log_output else None,
            )
        except PapermillExecutionError as exc:
            # papermill adds marker cells to the executed copy, so locate the
            # failing cell by its error output and map it back by cell id.
            manifest.scrub_notebook(executed)
            out_nb = nbformat.read(executed, as_version=4)
            shown = find_output_errors(out_nb)
            failure = NotebookFailed(
                nb.stem,
                _source_index(out_nb, source_nb, shown[0][0]) if shown else None,
                exc.source,
                exc.ename,
                exc.evalue,
                executed,
            )
        if executed.is_file():
            manifest.scrub_notebook(executed)  # secrets a cell printed never stay on disk
        if failure is None:
            out_nb = nbformat.read(executed, as_version=4)
            errors = find_output_errors(out_nb)
            if errors:
                idx, ename, evalue = errors[0]
                failure = NotebookFailed(
                    nb.stem,
                    _source_index(out_nb, source_nb, idx),
                    out_nb.cells[idx].source,
                    ename,
                    evalue or "error shown in the cell's output",
                    executed,
                )
        seconds = time.perf_counter() - t0
        result.notebooks.append(
            NotebookRecord(
                stem=nb.stem,
                status="failed" if failure else "ok",
                seconds=round(seconds, 3),
                executed=paths.relative(executed),
                parameters=injected,
                error=str(failure) if failure else None,
            )
        )
        echo(f"[{k}/{len(chosen)}] {nb.stem} {'FAILED' if failure else 'ok'} in {seconds:.1f} s")
        _write_manifest(result, profile, overrides, started, "failed" if failure else "running")
        if failure:
            raise failure
    _write_manifest(result, profile, overrides, started, "ok")
    echo(
        f"radjudge run: done in {sum(r.seconds for r in result.notebooks):.1f} s; "
        f"manifest {paths.relative(result.manifest_path)}"
    )
    return result
