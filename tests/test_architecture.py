"""The package's shape: no import cycles, stages import only downward, vocabulary defined once.

The imports are read from the source with :mod:`ast` (every ``import``, also those
inside functions and under ``TYPE_CHECKING``), so the test sees what Python would
load on any path through the code, not only at import time.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from conftest import ROOT
from radjudge import contracts as C

SRC = ROOT / "src" / "radjudge"

#: Pipeline order of the top-level modules and packages. A module may import
#: modules of its own level or lower ones. Level 0 is the foundation every stage
#: uses; the runner, CLI, kernel and the rehearsal (which drives the CLI) sit on top.
LEVELS: dict[str, int] = {
    "paths": 0,
    "checks": 0,
    "contracts": 0,
    "manifest": 0,
    "profiles": 0,
    "nbclean": 0,
    "tabular": 0,
    "records": 1,
    "cohort": 1,
    "anonymize": 1,
    "llm": 2,
    "summary_features": 2,
    "summarize": 2,
    "rubric": 3,
    "ratings": 3,
    "judge": 4,
    "concordance": 5,
    "figures": 6,
    "paper": 6,
    "explore": 7,
    "external": 7,
    "profile_schema": 8,
    "pipeline": 8,
    "kernel": 8,
    "cli": 9,
    "__main__": 9,
    "rehearsal": 9,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Project modules ``name`` imports (a ``from pkg import mod`` counts as ``pkg.mod``)."""
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "radjudge")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            if module.split(".")[0] != "radjudge":
                continue
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                out.add(sub if sub in known else module)
    out.discard(name)
    return {m for m in out if m in known}


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    return {name: _imports(name, path, set(mods)) for name, path in mods.items()}


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            # a package importing its own submodules (its public front) is not a cycle
            if v == w.rsplit(".", 1)[0]:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_every_top_level_module_has_a_level():
    tops = {_top(m) for m in _modules()} - {"__init__"}
    assert tops == set(LEVELS), "place new modules in LEVELS (pipeline order)"


def test_stages_import_only_downward():
    upward = [
        f"{m} (level {LEVELS[_top(m)]}) imports {d} (level {LEVELS[_top(d)]})"
        for m, deps in _graph().items()
        if _top(m) != "__init__"
        for d in sorted(deps)
        if _top(d) != "__init__" and LEVELS[_top(d)] > LEVELS[_top(m)]
    ]
    assert not upward, "\n".join(upward)


def test_no_import_cycles():
    cycles = _cycles(_graph())
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


# --------------------------------------------------------------------------- vocabulary

#: The sets whose members must be written out together only once: a tuple, list
#: or set literal (also inside ``Literal[...]``) holding all of them is a definition.
VOCABULARY = {
    "criteria": set(C.CRITERIA),
    "granularities": set(C.GRANULARITIES),
    "judge statuses": set(C.JUDGE_STATUSES) - {"ok", "failed"},
    "judge modes": set(C.JUDGE_MODES),
    "judge kinds": set(C.JUDGE_KINDS),
    "validity reasons": set(C.VALIDITY_REASONS),
    "flag reasons": set(C.FLAG_REASONS),
    "expert categories": set(C.EXPERT_CATEGORIES),
    "SummEval criteria": set(C.SUMMEVAL_CRITERIA),
}


def _code_texts() -> list[tuple[str, str]]:
    """(where, Python source) of every source, test, benchmark and notebook code cell.

    A notebook's parameters cell is left out: it holds the profile's literal
    defaults (configuration, which the runner overrides), not a definition.
    """
    out = []
    for folder in ("src", "tests", "benchmarks"):
        for p in sorted((ROOT / folder).rglob("*.py")):
            out.append((p.relative_to(ROOT).as_posix(), p.read_text(encoding="utf-8")))
    for p in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(p.read_text(encoding="utf-8"))
        for k, cell in enumerate(nb["cells"]):
            tags = cell.get("metadata", {}).get("tags", [])
            if cell["cell_type"] == "code" and "parameters" not in tags:
                src = "".join(cell["source"])
                src = "\n".join(
                    line for line in src.splitlines() if not line.startswith(("!", "%"))
                )
                out.append((f"{p.relative_to(ROOT).as_posix()}[cell {k}]", src))
    return out


def _string_collections(source: str) -> list[tuple[int, set[str]]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            strings = {
                e.value
                for e in node.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            }
            if strings:
                found.append((node.lineno, strings))
    return found


@pytest.mark.parametrize("what", sorted(VOCABULARY))
def test_each_vocabulary_set_is_defined_once(what):
    members = VOCABULARY[what]
    where = [
        f"{name}:{line}"
        for name, source in _code_texts()
        for line, strings in _string_collections(source)
        if members <= strings
    ]
    assert len(where) == 1, f"{what} written out {len(where)} times: {where}"
    assert where[0].startswith("src/radjudge/contracts.py:"), where


def test_the_vocabulary_search_finds_a_copy():
    modes = tuple(reversed(C.JUDGE_MODES))
    copy = f"GRAN = {C.GRANULARITIES!r}\nMode = Literal[{', '.join(map(repr, modes))}]\nn = (1, 2)"
    assert [s for _, s in _string_collections(copy)] == [
        set(C.GRANULARITIES),
        set(C.JUDGE_MODES),
    ]


def test_project_imports_sit_at_the_top():
    """An import of radjudge inside a function hides a dependency; none breaks a cycle now."""
    inner = []
    for name, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                module = getattr(node, "module", None) or ""
                if isinstance(node, ast.Import):
                    module = node.names[0].name
                relative = isinstance(node, ast.ImportFrom) and node.level > 0
                if isinstance(node, ast.Import | ast.ImportFrom) and (
                    module.startswith("radjudge") or relative
                ):
                    inner.append(f"{name}:{node.lineno} ({func.name})")
    assert not inner, "\n".join(inner)
