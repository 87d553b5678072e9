"""A simulated expert panel for the demo: a documented generative model that fills the real forms.

The demo has no human experts, so notebook 03 simulates them - only when the
profile says ``simulate: true`` (the study profile never does). The simulated
experts fill the exported XLSX forms through openpyxl, so the import path is
exactly the one real forms take.

Generative model
----------------
For summary *s*, criterion *c* (scale 1..N_c), expert *e* of category *k*:

1. **Goodness features** g_f(s) in [0, 1], from :func:`radjudge.summary_features.summary_features`:
   every ``coverage*`` column and ``structure_score`` as they are, plus

   * ``support`` = 1 - ``unsupported_rate``;
   * ``numbers_supported`` = 1 / (1 + ``unsupported_numbers``);
   * ``brevity`` = exp(-(ln(compression / target_compression))^2 / (2 tol^2)),
     tol = ``compression_tolerance`` (0 for an empty summary).

2. **Latent quality** per category and criterion, a weighted mean of the features
   the criterion looks at, with the category's emphasis m_{k,f} (default 1)::

       q_{k,c}(s) = sum_f w_{c,f} m_{k,f} g_f(s) / sum_f w_{c,f} m_{k,f}

   (sums over the features defined for s: a patient without, say, prior imaging
   has no ``coverage_prior_imaging``). w_{c,f} = ``criteria[c][f]``. E.g. the
   demo profile has radiologists weigh contrast contraindications and prior
   imaging up, clinicians the diagnosis, findings and labs.

3. **Rating**::

       y*_{e,s,c} = 1 + (N_c - 1) (q_{k,c}(s) + b_k + delta_e + eps_{e,s,c})
       y_{e,s,c}  = clip(round(y*), 1, N_c)
       delta_e ~ Normal(0, severity_sd^2)            (once per expert: lenient/severe)
       eps     ~ Normal(0, (noise_sd * nu_k)^2)      (per rating)

   b_k = category ``bias`` and nu_k = category ``noise`` multiplier (residents
   noisier). Biases, severities and noise are fractions of the scale's range,
   so one profile fits every scale size.

4. **Missingness**: each rating is left empty with probability ``missing_rate``.

Every parameter lives in the profile (``notebooks.03_expert_ratings.simulation``).
Randomness: expert *e* draws from ``numpy.random.default_rng([seed, crc32(e)])``,
so adding an expert leaves the others' ratings unchanged.

Known truth: with ``noise_sd = severity_sd = 0`` all experts of a category give
identical ratings (Kendall's W = 1 within the category); W falls as
``noise_sd`` grows (``tests/test_ratings_simulate.py``).
"""

from __future__ import annotations

import math
import os
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as _replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from radjudge.ratings.forms import fill_forms
from radjudge.ratings.key import BlindingKey, read_key

__all__ = [
    "SimulationParams",
    "CategoryParams",
    "SimulatedPanel",
    "goodness_features",
    "latent_quality",
    "make_roster",
    "simulate_ratings",
    "simulate_panel",
]

#: Features derived from the summary features (the others are taken as they are).
DERIVED_FEATURES = ("support", "numbers_supported", "brevity")


@dataclass(frozen=True)
class CategoryParams:
    """One expert category: leniency ``bias``, ``noise`` multiplier, feature ``emphasis``."""

    bias: float = 0.0
    noise: float = 1.0
    emphasis: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SimulationParams:
    """Parameters of the simulated panel (see the module docstring for the model).

    Attributes
    ----------
    criteria : dict[str, dict[str, float]]
        Criterion -> {feature: weight w_{c,f} >= 0}.
    categories : dict[str, CategoryParams]
        Expert category -> its parameters.
    noise_sd : float
        Per-rating noise, fraction of the scale range (>= 0).
    severity_sd : float
        Spread of expert severity delta_e, fraction of the scale range (>= 0).
    missing_rate : float
        Probability that a rating is left empty, in [0, 1).
    target_compression : float
        Summary/record length ratio experts find ideal (> 0).
    compression_tolerance : float
        Width of the brevity curve in log units (> 0).
    """

    criteria: dict[str, dict[str, float]]
    categories: dict[str, CategoryParams]
    noise_sd: float = 0.08
    severity_sd: float = 0.05
    missing_rate: float = 0.0
    target_compression: float = 0.25
    compression_tolerance: float = 0.8

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SimulationParams:
        """Build from the profile mapping; a ValueError names an unknown key or bad value."""
        allowed = {
            "criteria",
            "categories",
            "noise_sd",
            "severity_sd",
            "missing_rate",
            "target_compression",
            "compression_tolerance",
        }
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise ValueError(f"simulation: unknown key(s) {unknown}; allowed: {sorted(allowed)}")
        for req in ("criteria", "categories"):
            if req not in data or not isinstance(data[req], Mapping) or not data[req]:
                raise ValueError(f"simulation.{req} must be a non-empty mapping")
        criteria = {}
        for crit, weights in data["criteria"].items():
            if not isinstance(weights, Mapping) or not weights:
                raise ValueError(f"simulation.criteria.{crit} must map feature -> weight")
            for f, w in weights.items():
                if (
                    not isinstance(w, int | float)
                    or isinstance(w, bool)
                    or w < 0
                    or not math.isfinite(w)
                ):
                    raise ValueError(
                        f"simulation.criteria.{crit}.{f}: weight must be a number >= 0, got {w!r}"
                    )
            if sum(weights.values()) <= 0:
                raise ValueError(f"simulation.criteria.{crit}: weights sum to 0")
            criteria[str(crit)] = {str(f): float(w) for f, w in weights.items()}
        categories = {}
        for cat, spec in data["categories"].items():
            spec = dict(spec or {})
            bad = sorted(set(spec) - {"bias", "noise", "emphasis"})
            if bad:
                raise ValueError(
                    f"simulation.categories.{cat}: unknown key(s) {bad}; allowed: bias, noise, "
                    "emphasis"
                )
            emphasis = {str(f): float(v) for f, v in (spec.get("emphasis") or {}).items()}
            if any(v < 0 for v in emphasis.values()):
                raise ValueError(f"simulation.categories.{cat}.emphasis: multipliers must be >= 0")
            noise = float(spec.get("noise", 1.0))
            if noise < 0:
                raise ValueError(f"simulation.categories.{cat}.noise must be >= 0, got {noise}")
            categories[str(cat)] = CategoryParams(float(spec.get("bias", 0.0)), noise, emphasis)
        kw = {k: float(data[k]) for k in allowed - {"criteria", "categories"} if k in data}
        params = cls(criteria=criteria, categories=categories, **kw)
        for name in ("noise_sd", "severity_sd"):
            if getattr(params, name) < 0:
                raise ValueError(f"simulation.{name} must be >= 0, got {getattr(params, name)}")
        if not 0 <= params.missing_rate < 1:
            raise ValueError(
                f"simulation.missing_rate must lie in [0, 1), got {params.missing_rate}"
            )
        if params.target_compression <= 0 or params.compression_tolerance <= 0:
            raise ValueError("simulation.target_compression and compression_tolerance must be > 0")
        return params

    def replace(self, **changes: Any) -> SimulationParams:
        """A copy with some fields changed (e.g. ``noise_sd=0`` for the known-truth check)."""
        return _replace(self, **changes)


def goodness_features(features: pd.DataFrame, params: SimulationParams) -> pd.DataFrame:
    """The features g_f in [0, 1] the model uses, one row per summary.

    Parameters
    ----------
    features : DataFrame
        Output of :func:`radjudge.summary_features.summary_features`.
    params : SimulationParams

    Returns
    -------
    DataFrame
        ``patient_id, summarizer`` and every feature named in ``params.criteria``
        (NaN where a feature is undefined for a summary).

    Raises
    ------
    ValueError
        A feature that is neither derived nor a column of ``features``, or a
        direct feature with values outside [0, 1].
    """
    out: dict[str, np.ndarray] = {
        "patient_id": features["patient_id"].to_numpy(),
        "summarizer": features["summarizer"].to_numpy(),
    }

    def brevity() -> np.ndarray:
        comp = features["compression"].to_numpy(dtype=float)
        with np.errstate(divide="ignore"):
            z = np.log(comp / params.target_compression) / params.compression_tolerance
        return np.where(comp > 0, np.exp(-0.5 * z**2), 0.0)

    derived = {
        "support": lambda: 1.0 - features["unsupported_rate"].to_numpy(dtype=float),
        "numbers_supported": lambda: (
            1.0 / (1.0 + features["unsupported_numbers"].to_numpy(dtype=float))
        ),
        "brevity": brevity,
    }
    names = sorted({f for w in params.criteria.values() for f in w})
    for f in names:
        if f in derived:
            out[f] = derived[f]()
        elif f in features.columns:
            vals = pd.to_numeric(features[f], errors="raise").to_numpy(dtype=float)
            if ((vals < 0) | (vals > 1)).any():
                raise ValueError(
                    f"feature {f!r} has values outside [0, 1]; use a derived feature instead"
                )
            out[f] = vals
        else:
            raise ValueError(
                f"simulation feature {f!r} is neither derived ({', '.join(DERIVED_FEATURES)}) nor "
                "a column of the summary features"
            )
    return pd.DataFrame(out, index=features.index)


def _quality_array(
    g: pd.DataFrame, params: SimulationParams, cats: Sequence[str], crits: Sequence[str]
) -> np.ndarray:
    """q_{k,c}(s) as an array of shape (n_categories, n_criteria, n_summaries)."""
    out = np.empty((len(cats), len(crits), len(g)))
    columns = {
        f: g[f].to_numpy(dtype=float) for f in {f for c in crits for f in params.criteria[c]}
    }
    for i, cat in enumerate(cats):
        emph = params.categories[cat].emphasis
        for j, crit in enumerate(crits):
            weights = params.criteria[crit]
            fs = list(weights)
            w = np.array([weights[f] * emph.get(f, 1.0) for f in fs])
            vals = np.column_stack([columns[f] for f in fs])
            defined = ~np.isnan(vals)
            denom = (defined * w).sum(axis=1)
            if (denom <= 0).any():
                bad = int(np.argmax(denom <= 0))
                raise ValueError(
                    f"criterion {crit!r}: no feature of {fs} is defined for summary "
                    f"({g['patient_id'].iloc[bad]}, {g['summarizer'].iloc[bad]}) in category "
                    f"{cat!r}"
                )
            out[i, j] = (np.where(defined, vals, 0.0) * w).sum(axis=1) / denom
    return out


def latent_quality(
    features: pd.DataFrame, params: SimulationParams, *, categories: Sequence[str] | None = None
) -> pd.DataFrame:
    """Latent quality q_{k,c}(s) in [0, 1] of every summary, per category and criterion.

    Returns
    -------
    DataFrame
        Columns ``patient_id, summarizer, expert_category, criterion, quality``,
        ordered by category, criterion, then the rows of ``features``.

    Raises
    ------
    ValueError
        A summary on which every feature of a criterion is undefined.
    """
    g = goodness_features(features, params)
    cats = list(categories) if categories is not None else list(params.categories)
    crits = list(params.criteria)
    q = _quality_array(g, params, cats, crits)
    n = len(g)
    return pd.DataFrame(
        {
            "patient_id": np.tile(g["patient_id"].to_numpy(), len(cats) * len(crits)),
            "summarizer": np.tile(g["summarizer"].to_numpy(), len(cats) * len(crits)),
            "expert_category": np.repeat(cats, len(crits) * n),
            "criterion": np.tile(np.repeat(crits, n), len(cats)),
            "quality": q.reshape(-1),
        }
    )


def make_roster(panel: Mapping[str, Mapping[str, Any]], *, seed: int) -> pd.DataFrame:
    """A pseudonymous roster for a simulated panel.

    Parameters
    ----------
    panel : mapping
        Category -> ``{"n": experts, "years": [min, max]}``, in roster order.
    seed : int

    Returns
    -------
    DataFrame
        ``expert_id`` (E01, E02, ... across categories), ``category``,
        ``years_experience`` (uniform whole years in [min, max]).

    >>> panel = {"radiologist": {"n": 2, "years": [5, 5]}, "resident": {"n": 1, "years": [1, 1]}}
    >>> make_roster(panel, seed=0)
      expert_id     category  years_experience
    0       E01  radiologist                 5
    1       E02  radiologist                 5
    2       E03     resident                 1
    """
    rng = np.random.default_rng([int(seed), 0x5057])
    rows: list[tuple[str, str, int]] = []
    total = sum(int(spec["n"]) for spec in panel.values())
    width = max(2, len(str(total)))
    for cat, spec in panel.items():
        n = spec.get("n")
        lo, hi = spec.get("years", (0, 0))
        if not isinstance(n, int) or n < 1:
            raise ValueError(f"panel.{cat}.n must be a whole number >= 1, got {n!r}")
        if not (isinstance(lo, int) and isinstance(hi, int) and 0 <= lo <= hi):
            raise ValueError(
                f"panel.{cat}.years must be [min, max] whole years, got {spec.get('years')!r}"
            )
        for _ in range(n):
            rows.append((f"E{len(rows) + 1:0{width}d}", str(cat), int(rng.integers(lo, hi + 1))))
    return pd.DataFrame(rows, columns=["expert_id", "category", "years_experience"])


def simulate_ratings(
    features: pd.DataFrame,
    roster: pd.DataFrame,
    *,
    scales: Mapping[str, int],
    params: SimulationParams,
    seed: int,
) -> pd.DataFrame:
    """Draw every expert's rating of every summary on every criterion.

    Parameters
    ----------
    features : DataFrame, shape (n_summaries, ...)
        Output of :func:`radjudge.summary_features.summary_features`.
    roster : DataFrame
        ``expert_id, category`` (+ years); every category must be in ``params.categories``.
    scales : mapping
        Criterion -> scale max; every criterion must be in ``params.criteria``.
    params : SimulationParams
    seed : int

    Returns
    -------
    DataFrame, shape (n_experts * n_summaries * n_criteria, 10)
        ``expert_id, expert_category, patient_id, summarizer, criterion,
        scale_max, quality, severity, latent, score`` - ``latent`` is y* before
        rounding, ``score`` the rating (Int64, NA when left empty). Rows are
        ordered by expert (roster order), patient, summarizer and criterion
        (``scales`` order).
    """
    unknown_c = [c for c in scales if c not in params.criteria]
    if unknown_c:
        raise ValueError(f"simulation.criteria defines no latent quality for {unknown_c}")
    cats = list(dict.fromkeys(roster["category"]))
    unknown_k = [k for k in cats if k not in params.categories]
    if unknown_k:
        raise ValueError(
            f"simulation.categories has no parameters for roster categories {unknown_k}"
        )
    feats = features.sort_values(["patient_id", "summarizer"], kind="stable").reset_index(drop=True)
    g = goodness_features(feats, params)
    crits = list(scales)
    quality = _quality_array(g, params, cats, crits)  # (K, C, S)
    n = np.array([scales[c] for c in crits], dtype=np.int64)  # (C,)
    n_s, n_c = len(g), len(crits)
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("q", "sev", "latent", "score", "missing")}
    for eid, cat in zip(roster["expert_id"], roster["category"], strict=True):
        cp = params.categories[cat]
        rng = np.random.default_rng([int(seed), zlib.crc32(str(eid).encode("utf-8"))])
        # Standard normals scaled afterwards: the same seed gives the same draws
        # whatever the noise level (common random numbers across noise levels).
        severity = params.severity_sd * rng.standard_normal()
        eps = params.noise_sd * cp.noise * rng.standard_normal((n_s, n_c))
        missing = rng.random((n_s, n_c)) < params.missing_rate
        q = quality[cats.index(cat)].T  # (S, C)
        latent = 1 + (n - 1) * (q + cp.bias + severity + eps)
        cols["q"].append(q.reshape(-1))
        cols["sev"].append(np.full(n_s * n_c, severity))
        cols["latent"].append(latent.reshape(-1))
        cols["score"].append(np.clip(np.rint(latent), 1, n).astype(np.int64).reshape(-1))
        cols["missing"].append(missing.reshape(-1))
    n_e = len(roster)
    score = pd.array(np.concatenate(cols["score"]), dtype="Int64")
    score[np.concatenate(cols["missing"])] = pd.NA
    return pd.DataFrame(
        {
            "expert_id": np.repeat(roster["expert_id"].astype(str).to_numpy(), n_s * n_c),
            "expert_category": np.repeat(roster["category"].astype(str).to_numpy(), n_s * n_c),
            "patient_id": np.tile(np.repeat(g["patient_id"].to_numpy(), n_c), n_e),
            "summarizer": np.tile(np.repeat(g["summarizer"].to_numpy(), n_c), n_e),
            "criterion": np.tile(np.array(crits, dtype=object), n_s * n_e),
            "scale_max": np.tile(n, n_s * n_e),
            "quality": np.concatenate(cols["q"]),
            "severity": np.concatenate(cols["sev"]),
            "latent": np.concatenate(cols["latent"]),
            "score": score,
        }
    )


@dataclass(frozen=True)
class SimulatedPanel:
    """Result of :func:`simulate_panel`: the drawn ratings and the filled forms."""

    ratings: pd.DataFrame
    forms: dict[str, Path]


def simulate_panel(
    features: pd.DataFrame,
    roster: pd.DataFrame,
    *,
    key: Any,
    forms_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    params: SimulationParams | Mapping[str, Any],
    seed: int,
    fill: Callable[..., dict[str, Path]] | None = None,
) -> SimulatedPanel:
    """Simulate the panel and fill its exported XLSX forms (a real openpyxl round trip).

    Parameters
    ----------
    features : DataFrame
        Summary features of the summaries in the forms.
    roster : DataFrame
        The roster the forms were exported for.
    key : radjudge.ratings.BlindingKey or path-like
        The forms' blinding key (the simulated experts see codes; the simulator
        needs the key only to know which summary a code shows).
    forms_dir, out_dir : path-like
        Blank forms, and where the filled forms go. Workbooks already in
        ``out_dir`` are deleted first: a simulated panel replaces the previous one.
    params : SimulationParams or mapping
    seed : int
    fill : callable, optional
        ``fill(ratings, key=, forms_dir=, out_dir=) -> {expert: path}`` that
        writes the forms; :func:`radjudge.ratings.fill_forms` (openpyxl) by
        default, :func:`radjudge.rehearsal.fill_forms_libreoffice` in the rehearsal.

    Returns
    -------
    SimulatedPanel
    """
    key = key if isinstance(key, BlindingKey) else read_key(key)
    params = params if isinstance(params, SimulationParams) else SimulationParams.from_dict(params)
    ratings = simulate_ratings(features, roster, scales=key.scales, params=params, seed=seed)
    out_dir = Path(out_dir)
    for old in sorted(out_dir.glob("*.xlsx")) if out_dir.is_dir() else []:
        old.unlink()  # the simulated panel replaces the previous one, experts who left included
    forms = (fill or fill_forms)(ratings, key=key, forms_dir=forms_dir, out_dir=out_dir)
    return SimulatedPanel(ratings=ratings, forms=forms)
