"""Run every benchmark (or those named on the command line) and print/save the results.

Usage::

    python -m benchmarks                 # all
    python -m benchmarks concordance     # bench_concordance only

Results go to ``data/results/benchmarks.json`` (one entry per benchmark, with
the machine it ran on and its load at the start and end), and a summary is
printed: every benchmark's ratios, each against its goal where the benchmark
declares one (a module-level ``GOALS``: result key -> (``">="`` or ``"<="``,
goal)), between the machine's ``uptime`` at the start and at the end. The
machine is usually shared: a ratio measured under load is noisy, so read it
with the load printed next to it.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import traceback
from pathlib import Path

from radjudge import manifest, paths

HERE = Path(__file__).resolve().parent


def discover(names: list[str]) -> list[str]:
    found = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if not names:
        return found
    wanted = [n if n.startswith("bench_") else f"bench_{n}" for n in names]
    unknown = sorted(set(wanted) - set(found))
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {unknown}; available: {[f[6:] for f in found]}")
    return wanted


def uptime() -> str:
    """``uptime``'s line (the load averages), or the load averages alone where it is missing."""
    if shutil.which("uptime"):
        done = subprocess.run(["uptime"], capture_output=True, text=True, check=False)
        if done.returncode == 0 and done.stdout.strip():
            return done.stdout.strip()
    return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def summary_lines(results: dict[str, dict], goals: dict[str, dict]) -> list[str]:
    """One line per ratio: value, and goal with met / NOT met where the benchmark has one."""
    lines = []
    for name, out in results.items():
        bench_goals = goals.get(name, {})
        keys = [k for k in out if k in bench_goals or "ratio" in k and "goal" not in k]
        for key in keys:
            value = out[key]
            line = f"  {name[6:]:12s} {key:52s} {value!s:>10}"
            if key in bench_goals:
                op, goal = bench_goals[key]
                met = value >= goal if op == ">=" else value <= goal
                line += f"   goal {op} {goal:<6} {'met' if met else 'NOT met'}"
            lines.append(line)
    return lines


def main(argv: list[str]) -> int:
    results: dict[str, dict] = {}
    goals: dict[str, dict] = {}
    failed = []
    load_start = uptime()
    print(f"uptime at start: {load_start}", flush=True)
    for name in discover(argv):
        print(f"== {name} ...", flush=True)
        t0 = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            out = module.run()
            goals[name] = getattr(module, "GOALS", {})
        except Exception:  # a broken benchmark must not hide the others' results
            traceback.print_exc()
            failed.append(name)
            continue
        out["wall_seconds"] = round(time.perf_counter() - t0, 2)
        results[name] = out
        for key, value in out.items():
            print(f"   {key:42s} {value}")
    load_end = uptime()
    print("\n== summary (ratios against baselines measured in the same run)")
    print(f"uptime at start: {load_start}")
    for line in summary_lines(results, goals):
        print(line)
    if failed:
        print(f"  FAILED: {', '.join(failed)}")
    print(f"uptime at end:   {load_end}")
    record = {
        "when": manifest.utc_now(),
        "git": manifest.git_state(),
        "machine": {
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "uptime_at_start": load_start,
            "uptime_at_end": load_end,
        },
        "results": results,
        "failed": failed,
    }
    out_path = paths.RESULTS / "benchmarks.json"
    previous = json.loads(out_path.read_text()) if out_path.exists() else {}
    merged = {**previous.get("results", {}), **results} if argv else results
    manifest.write_json(out_path, {**record, "results": merged})
    print(f"saved {paths.relative(out_path)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
