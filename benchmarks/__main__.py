"""Run every benchmark (or those named on the command line) and print/save the results.

Usage::

    python -m benchmarks                 # all
    python -m benchmarks concordance     # bench_concordance only

Results go to ``data/results/benchmarks.json`` (one entry per benchmark, with
the machine it ran on), and a summary table is printed.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
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


def main(argv: list[str]) -> int:
    results: dict[str, dict] = {}
    failed = []
    for name in discover(argv):
        print(f"== {name} ...", flush=True)
        t0 = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            out = module.run()
        except Exception:  # a broken benchmark must not hide the others' results
            traceback.print_exc()
            failed.append(name)
            continue
        out["wall_seconds"] = round(time.perf_counter() - t0, 2)
        results[name] = out
        for key, value in out.items():
            print(f"   {key:42s} {value}")
    record = {
        "when": manifest.utc_now(),
        "git": manifest.git_state(),
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count()},
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
