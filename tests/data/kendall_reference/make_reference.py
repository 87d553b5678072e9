"""Regenerate ``kendall_w_cf508ea.npz``: inputs and the outputs of the sort-based kendall_w.

The outputs come from ``radjudge.concordance.kendall`` as of commit cf508ea (three
``scipy.stats.rankdata`` passes over the whole batch), before the counting path
existed; ``tests/test_concordance_kendall.py`` checks that the current code gives the
same results to 1e-12. Run from the repository root::

    python tests/data/kendall_reference/make_reference.py
"""

from __future__ import annotations

import subprocess
import sys
import types
import warnings
from pathlib import Path

import numpy as np

COMMIT = "cf508ea4c97bacb0533f12ff66566d9ce153d2ab"
OUT = Path(__file__).with_name("kendall_w_cf508ea.npz")


def _old_module() -> types.ModuleType:
    source = subprocess.run(
        ["git", "show", f"{COMMIT}:src/radjudge/concordance/kendall.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    module = types.ModuleType("kendall_cf508ea")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, "kendall_cf508ea.py", "exec"), module.__dict__)  # noqa: S102
    return module


def _with_missing(rng: np.random.Generator, x: np.ndarray, share: float) -> np.ndarray:
    x = x.astype(float)
    x[rng.random(x.shape) < share] = np.nan
    return x


def inputs() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(20260216)
    int5 = _with_missing(rng, rng.integers(1, 6, size=(3, 4, 30, 4)), 0.04)
    int5[0, 0] = 3.0  # every rating constant: W undefined
    int5[0, 1, 1:] = np.nan  # one complete item left: W undefined
    int5[1, 2, :, 1] = 2.0  # one constant rater
    consensus = rng.integers(1, 6, size=(30, 60, 10)).mean(axis=-1)  # multiples of 0.1
    judge = rng.integers(1, 6, size=(30, 60))
    mixed = rng.integers(1, 11, size=(8, 15, 3)).astype(float)
    mixed[::3] += 0.5  # some matrices fractional, the others integer
    return {
        "int5": int5,  # batch (3, 4), scale 1-5, ties and missing ratings
        "int_wide": _with_missing(rng, rng.integers(0, 21, size=(40, 12, 2)), 0.05),
        "int_offset": 1e6 + rng.integers(-3, 4, size=(10, 25, 3)),
        "fractional": _with_missing(rng, np.stack([consensus, judge], axis=-1), 0.03),
        "continuous": _with_missing(rng, rng.normal(size=(5, 20, 3)), 0.05),
        "mixed": _with_missing(rng, mixed, 0.05),
        "single": rng.integers(1, 8, size=(25, 5)).astype(float),
    }


def main() -> None:
    old = _old_module()
    arrays: dict[str, np.ndarray] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, x in inputs().items():
            arrays[f"{name}/ratings"] = x
            for correct in (True, False):
                tag = f"{name}/ties={int(correct)}"
                res = old.kendall_w(x, correct_ties=correct)
                for field in ("w", "chi2", "pvalue", "n_items", "n_dropped"):
                    arrays[f"{tag}/{field}"] = np.asarray(getattr(res, field))
                arrays[f"{tag}/pvalue_f"] = np.asarray(
                    old.kendall_w(x, correct_ties=correct, method="f").pvalue
                )
            perm = old.kendall_w(x, method="permutation", n_permutations=199, seed=7)
            arrays[f"{name}/pvalue_permutation"] = np.asarray(perm.pvalue)
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {OUT} ({len(arrays)} arrays)")


if __name__ == "__main__":
    main()
