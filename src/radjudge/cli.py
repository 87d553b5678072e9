"""Command line: ``radjudge run``, ``radjudge profiles``, ``radjudge kernel install``.

Exit status: 0 on success, 1 when a notebook fails, 2 for a bad profile,
override or argument (nothing was run).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import yaml

from radjudge import pipeline
from radjudge.kernel import install_kernelspec
from radjudge.profiles import ProfileError, apply_overrides, available_profiles, load_profile

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and documentation)."""
    parser = argparse.ArgumentParser(
        prog="radjudge",
        description="Re-run the radjudge study: numbered notebooks executed in order by papermill.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run",
        help="run the pipeline notebooks with a profile",
        description="Run the numbered notebooks in notebooks/ in order with papermill. "
        "Executed copies go to data/runs/<run id>/, the manifest to "
        "data/results/run_manifest.json.",
    )
    run.add_argument(
        "--profile",
        default="demo",
        help="profile name in params/ (demo, smoke, study) or a path to a YAML file [demo]",
    )
    run.add_argument("--from", dest="start", metavar="NN", help="start at notebook NN")
    run.add_argument(
        "--only", metavar="NN[,NN]", help="run only these notebooks, e.g. --only 05,06"
    )
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a profile value: shared key (seed=7) or SECTION.key "
        "(judge_sweeps.repeats=2); repeatable; values are YAML",
    )
    run.add_argument(
        "--log-output",
        action="store_true",
        help="stream the notebooks' output (progress bars) to this terminal",
    )
    run.add_argument(
        "--check",
        action="store_true",
        help="only check the profile against the notebooks and print the parameters",
    )

    sub.add_parser("profiles", help="list the profiles in params/")

    kernel = sub.add_parser("kernel", help="manage the project's Jupyter kernel")
    kernel_sub = kernel.add_subparsers(dest="kernel_command", required=True)
    install = kernel_sub.add_parser("install", help="install the 'radjudge' kernel spec")
    install.add_argument("--prefix", help="installation prefix [sys.prefix]")
    return parser


def _run(args: argparse.Namespace) -> int:
    try:
        profile = apply_overrides(load_profile(args.profile), args.overrides)
        only = args.only.split(",") if args.only else None
        if args.check:
            nbs = pipeline.discover_notebooks()
            chosen = pipeline.select_notebooks(nbs, start=args.start, only=only)
            params = pipeline.check_profile(profile, nbs, selected=[nb.stem for nb in chosen])
            print(yaml.safe_dump(params, allow_unicode=True, sort_keys=False))
            return 0
        pipeline.run_pipeline(
            profile,
            start=args.start,
            only=only,
            overrides=args.overrides,
            log_output=args.log_output,
        )
    except ProfileError as exc:
        print(f"radjudge: error: {exc}", file=sys.stderr)
        print("radjudge: nothing was run.", file=sys.stderr)
        return 2
    except pipeline.NotebookFailed as exc:
        print(f"radjudge: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``radjudge`` command."""
    args = build_parser().parse_args(argv)
    if args.command == "run":
        return _run(args)
    if args.command == "profiles":
        for name in available_profiles():
            first = load_profile(name).description.splitlines()
            print(f"{name:8s} {first[0] if first else ''}")
        return 0
    if args.command == "kernel":
        print(f"installed kernel spec 'radjudge' in {install_kernelspec(prefix=args.prefix)}")
        return 0
    return 2  # pragma: no cover - argparse enforces the choices


if __name__ == "__main__":
    raise SystemExit(main())
