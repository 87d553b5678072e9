"""``python -m radjudge.paper [--lang ru|en] [--stats PATH] [--out PATH]``: build the manuscript."""

from __future__ import annotations

import argparse
import sys

from radjudge import paths
from radjudge.paper import PaperError, build_paper


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m radjudge.paper",
        description="Build the manuscript (paper/main.typ) from data/results/stats.json, "
        "the result tables and figures/ - offline, with typst.",
    )
    parser.add_argument(
        "--lang",
        choices=("ru", "en"),
        default=None,
        help="manuscript language (default: the profile's shared.language)",
    )
    parser.add_argument(
        "--stats", default=None, help="stats file (default: data/results/stats.json)"
    )
    parser.add_argument(
        "--out", default=None, help="output PDF (default: paper/build/radjudge_<lang>.pdf)"
    )
    parser.add_argument(
        "--profile", default=None, help="profile for the Methods facts (default: the last run's)"
    )
    parser.add_argument(
        "--png", default=None, metavar="DIR", help="also render the pages to DIR/page-NN.png"
    )
    args = parser.parse_args(argv)
    try:
        built = build_paper(
            language=args.lang,
            stats=args.stats,
            out=args.out,
            profile=args.profile,
            png_dir=args.png,
        )
    except PaperError as exc:
        print(f"radjudge.paper: {exc}", file=sys.stderr)
        return 1
    print(
        f"radjudge.paper: {paths.relative(built.pdf)} ({built.language}) "
        f"from {paths.relative(built.stats)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
