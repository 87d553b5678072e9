"""``python -m radjudge`` is the ``radjudge`` command."""

from radjudge.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
