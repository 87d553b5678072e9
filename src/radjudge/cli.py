"""Command line: ``radjudge run``, ``radjudge profiles``, ``radjudge cache``, ``radjudge kernel``.

Exit status: 0 on success, 1 when a notebook fails, 2 for a bad profile,
override or argument (nothing was run).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import yaml

from radjudge import paths, pipeline
from radjudge.anonymize.remote import profile_endpoints
from radjudge.kernel import install_kernelspec
from radjudge.llm.cache import CacheIntegrityError, migrate_cache, verify_cache
from radjudge.manifest import scrub_secrets
from radjudge.profile_schema import apply_overrides
from radjudge.profiles import ProfileError, available_profiles, load_profile

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
        help="override a profile value: shared key (seed=7), SECTION.key (05.n_boot=200) or a "
        "nested key (models.smollm2.batch_size=4); repeatable; the value is read by the "
        "parameter's type (cache_mode=off stays 'off'; lists and mappings are YAML)",
    )
    run.add_argument(
        "--log-output",
        action="store_true",
        help="stream the notebooks' output (progress bars) to this terminal",
    )
    run.add_argument(
        "--check",
        action="store_true",
        help="check the profile (types, ranges, choices, input files, model servers) against "
        "the selected notebooks and print their parameters; run nothing",
    )

    sub.add_parser("profiles", help="list the profiles in params/")

    cache = sub.add_parser("cache", help="check or convert an LLM call cache folder")
    cache_sub = cache.add_subparsers(dest="cache_command", required=True)
    for name, text in (
        ("verify", "read every line: checksums, field types, one value per key"),
        ("migrate", "give every line of a format-1 cache its checksum, in place"),
    ):
        cmd = cache_sub.add_parser(name, help=text)
        cmd.add_argument("directory", help="the cache folder, e.g. data/cache/llm")

    kernel = sub.add_parser("kernel", help="manage the project's Jupyter kernel")
    kernel_sub = kernel.add_subparsers(dest="kernel_command", required=True)
    install = kernel_sub.add_parser("install", help="install the 'radjudge' kernel spec")
    install.add_argument("--prefix", help="installation prefix [sys.prefix]")
    return parser


def _endpoints_report(profile: object) -> str:
    """``--check``: every HTTP model endpoint, local or remote, and what uses it (YAML comments)."""
    endpoints = profile_endpoints(profile)
    consent = profile.shared.get("allow_remote_phi", False)  # type: ignore[attr-defined]
    lines = [f"# HTTP model endpoints (allow_remote_phi: {str(consent).lower()}):"]
    for e in endpoints:
        where = "REMOTE" if e.remote else "local"
        lines.append(f"#   {where:6s} {e.model}: {e.base_url} - {', '.join(e.used_by)}")
    if not endpoints:
        lines.append("#   none (every model runs in-process)")
    return "\n".join(lines)


def _run(args: argparse.Namespace) -> int:
    try:
        profile = apply_overrides(load_profile(args.profile), args.overrides)
        only = args.only.split(",") if args.only else None
        if args.check:
            nbs = pipeline.discover_notebooks()
            chosen = pipeline.select_notebooks(nbs, start=args.start, only=only)
            params = pipeline.check_profile(profile, nbs, selected=[nb.stem for nb in chosen])
            # Where the records would go is shown even when an input is still missing.
            print(_endpoints_report(profile))
            pipeline.check_ready(params, endpoints=True, profile=profile.name)
            print(yaml.safe_dump(scrub_secrets(params), allow_unicode=True, sort_keys=False))
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
        print(f"radjudge: {scrub_secrets(str(exc))}", file=sys.stderr)
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
    if args.command == "cache":
        directory = paths.resolve(args.directory)
        if not directory.is_dir():
            print(f"radjudge: error: {directory} is not a folder", file=sys.stderr)
            return 2
        try:
            if args.cache_command == "migrate":
                r = migrate_cache(directory)
                print(
                    f"{paths.relative(directory)}: {r.entries} entries in {r.shards} shards; "
                    f"{r.converted} lines given a checksum, {r.dropped_duplicates} repeated "
                    "lines dropped"
                )
            else:
                r = verify_cache(directory)
                print(f"{paths.relative(directory)}: {r.entries} entries in {r.shards} shards: ok")
        except CacheIntegrityError as exc:
            print(f"radjudge: error: {exc}", file=sys.stderr)
            return 1
        return 0
    if args.command == "kernel":
        print(f"installed kernel spec 'radjudge' in {install_kernelspec(prefix=args.prefix)}")
        return 0
    return 2  # pragma: no cover - argparse enforces the choices


if __name__ == "__main__":
    raise SystemExit(main())
