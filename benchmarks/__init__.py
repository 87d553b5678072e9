"""Speed benchmarks, run by ``make bench`` (``python -m benchmarks``).

Each ``bench_<topic>.py`` module exposes ``run() -> dict``. A benchmark reports
its speed as a RATIO against a baseline measured in the same run on the same
machine (machines here are noisy; absolute seconds are printed for context
only). Timings never appear in tests.
"""
