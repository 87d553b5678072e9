"""``python -m radjudge.rehearsal {prepare,serve,run}``: the rehearsal driver (``make rehearsal``).

prepare
    Write the rehearsal's input files (records XLSX, roster CSV) where the profile says.
serve
    Run the profile's llama.cpp server in the foreground until interrupted.
run
    prepare, start the server, ``radjudge run --profile rehearsal [...]``, stop the
    server - also when the run fails or is interrupted. Exit status: the run's.

``--profile`` and ``--set`` work as for ``radjudge run`` (``--set`` is passed on,
so ``--set models.smollm2-http.base_url=...`` also moves the server's port).
Arguments after ``--`` go to ``radjudge run`` (e.g. ``-- --only 01,02``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence

from radjudge import paths
from radjudge.profile_schema import apply_overrides
from radjudge.profiles import ProfileError, load_profile
from radjudge.rehearsal import LlamaCppServer, prepare_inputs


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    passthrough: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, passthrough = argv[:i], argv[i + 1 :]
    parser = argparse.ArgumentParser(prog="python -m radjudge.rehearsal", description=__doc__)
    parser.add_argument("command", choices=("prepare", "serve", "run"))
    parser.add_argument("--profile", default="rehearsal")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args(argv)

    try:
        profile = apply_overrides(load_profile(args.profile), args.overrides)
    except ProfileError as exc:
        print(f"radjudge.rehearsal: error: {exc}", file=sys.stderr)
        return 2
    if args.command == "prepare":
        for what, path in prepare_inputs(profile).items():
            print(f"{what}: {paths.relative(path)}")
        return 0
    log = paths.ROOT / "data" / "interim" / "llama_server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = LlamaCppServer.for_profile(profile, log=log)
    if args.command == "serve":
        with server:
            if server.process is None:  # start() either sets it or raises
                raise RuntimeError("the llama.cpp server has no process after start()")
            print(
                f"serving {', '.join(m['model_alias'] for m in server.config['models'])} at "
                f"{server.base_url} (log {paths.relative(log)}); Ctrl-C stops it",
                flush=True,
            )
            try:
                server.process.wait()
            except KeyboardInterrupt:
                pass
        return 0
    for what, path in prepare_inputs(profile).items():
        print(f"rehearsal {what}: {paths.relative(path)}", flush=True)
    with server:
        print(f"rehearsal server: {server.base_url} (log {paths.relative(log)})", flush=True)
        cmd = [sys.executable, "-m", "radjudge", "run", "--profile", args.profile]
        for item in args.overrides:
            cmd += ["--set", item]
        return subprocess.run([*cmd, *passthrough], env=os.environ.copy(), check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main())
