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

   * ``support`` = 1 - max(0, ``unsupported_rate`` - tau) / (1 - tau), tau =
     ``paraphrase_tolerance``: the unsupported-content proxy counts every word
     absent from the record, so a faithful paraphrase (the gold summary: ~0.14)
     is not unsupported; above tau, invented content lowers support;
   * ``numbers_supported`` = 1 / (1 + ``unsupported_numbers``);
   * ``brevity`` = exp(-(ln(compression / target_compression))^2 / (2 tol^2)),
     tol = ``compression_tolerance`` (0 for an empty summary).

2. **Substance** a(s) in [0, 1]: 0 for a summary the clean-up flagged (``flag``
   not ``ok``: empty, too short, a prompt echo, a loop), else
   min(1, coverage / ``substance_coverage``) - a summary must hold a minimal
   share of the key facts to be judged on its merits (NaN coverage, i.e. no
   ground truth: 1). Experts rate a text that says nothing low on *every*
   criterion: unsupported content is penalised, and so is no content.

3. **Latent quality** per expert and criterion. Each expert weighs the features
   his own way: emphasis mu_{e,f} = m_{k,f} exp(sigma_E z_{e,f}), z ~ N(0, 1),
   around his category's m_{k,f} (default 1; sigma_E = ``expert_emphasis_sd``).
   The criterion's merit is the weighted mean of the features it looks at::

       m_{e,c}(s) = sum_f w_{c,f} mu_{e,f} g_f(s) / sum_f w_{c,f} mu_{e,f}

   (sums over the features defined for s: a patient without prior imaging has
   no ``coverage_prior_imaging``), w_{c,f} = ``criteria[c][f]``. An overall
   impression colours every criterion (the halo effect of human raters, h =
   ``halo``), and substance gates it all::

       q_{e,c}(s) = a(s) [ (1 - h) m_{e,c}(s) + h mean_c' m_{e,c'}(s) ]

   E.g. the demo profile has radiologists weigh contrast contraindications and
   prior imaging up, clinicians the diagnosis, findings and labs.

4. **Rating**::

       y*_{e,s,c} = 1 + (N_c - 1) (q_{e,c}(s) + b_k + delta_e + eps_{e,s,c})
       y_{e,s,c}  = clip(round(y*), 1, N_c)
       delta_e ~ Normal(0, severity_sd^2)            (once per expert: lenient/severe)
       eps     ~ Normal(0, (noise_sd * nu_k)^2)      (per rating)

   b_k = category ``bias`` and nu_k = category ``noise`` multiplier (residents
   noisier). Biases, severities and noise are fractions of the scale's range,
   so one profile fits every scale size.

5. **Missingness**: each rating is left empty with probability ``missing_rate``.

Every parameter lives in the profile (``notebooks.03_expert_ratings.simulation``).
Randomness: expert *e* draws from ``numpy.random.default_rng([seed, crc32(e)])``
(severity, then noise, missingness, emphasis), so adding an expert leaves the
others' ratings unchanged, and the same seed gives the same standard-normal
draws whatever the noise level.

Calibration. The noise, the emphasis spread and the halo are set so that the
panel agrees like real ones: Kendall's W among the 10 demo experts per
criterion within [0.40, 0.80] and within a category at most 0.85 (real panels:
the clin-summ reader study of Van Veen et al. 2024, W 0.27-0.43 per attribute,
``tests/test_ratings_simulate.py``; the ReXVal radiologists' error counts of Yu et
al. 2023, W 0.755 as measured by the project on the copy the GREEN repository
redistributes without a licence, so not included). The ratings track the summaries' content,
not their length: padding a summary with text that adds no key fact does not
raise any score (tested). On the demo summaries short outputs are mostly the
degenerate ones, so the expert scores still correlate with length across
summarizers; notebook 03 reports that correlation per criterion.

Known truth: with ``noise_sd = severity_sd = expert_emphasis_sd = 0`` all
experts of a category give identical ratings (Kendall's W = 1 within the
category); W falls as ``noise_sd`` grows; the ordering of a category's emphasis
weights is recovered from its ratings (``tests/test_ratings_simulate.py``).
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
    "substance",
    "make_roster",
    "simulate_ratings",
    "simulate_panel",
]

#: Features derived from the summary features (the others are taken as they are).
DERIVED_FEATURES = ("support", "numbers_supported", "brevity")
#: Parameters of :class:`SimulationParams` that are numbers (all but criteria and categories).
_NUMBERS = (
    "noise_sd",
    "severity_sd",
    "missing_rate",
    "target_compression",
    "compression_tolerance",
    "expert_emphasis_sd",
    "halo",
    "substance_coverage",
    "paraphrase_tolerance",
)


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
    expert_emphasis_sd : float
        Log-scale spread of each expert's feature emphasis around his
        category's (>= 0; 0 = every expert weighs like his category).
    halo : float
        Share of the overall impression in every criterion's quality, in [0, 1].
    substance_coverage : float or None
        Key-fact coverage at which a summary is judged fully on its merits
        (in (0, 1]); None = no substance gate (flags ignored too).
    paraphrase_tolerance : float
        Unsupported-content rate still counted as faithful paraphrase, in [0, 1).
    """

    criteria: dict[str, dict[str, float]]
    categories: dict[str, CategoryParams]
    noise_sd: float = 0.08
    severity_sd: float = 0.05
    missing_rate: float = 0.0
    target_compression: float = 0.25
    compression_tolerance: float = 0.8
    expert_emphasis_sd: float = 0.0
    halo: float = 0.0
    substance_coverage: float | None = None
    paraphrase_tolerance: float = 0.0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SimulationParams:
        """Build from the profile mapping; a ValueError names an unknown key or bad value."""
        allowed = {"criteria", "categories", *_NUMBERS}
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
        kw: dict[str, float | None] = {}
        for k in _NUMBERS:
            if k not in data:
                continue
            v = data[k]
            if v is None and k == "substance_coverage":
                kw[k] = None
            elif isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise ValueError(f"simulation.{k} must be a number, got {v!r}")
            else:
                kw[k] = float(v)
        params = cls(criteria=criteria, categories=categories, **kw)  # type: ignore[arg-type]
        for name in ("noise_sd", "severity_sd", "expert_emphasis_sd"):
            if getattr(params, name) < 0:
                raise ValueError(f"simulation.{name} must be >= 0, got {getattr(params, name)}")
        if not 0 <= params.missing_rate < 1:
            raise ValueError(
                f"simulation.missing_rate must lie in [0, 1), got {params.missing_rate}"
            )
        if params.target_compression <= 0 or params.compression_tolerance <= 0:
            raise ValueError("simulation.target_compression and compression_tolerance must be > 0")
        if not 0 <= params.halo <= 1:
            raise ValueError(f"simulation.halo must lie in [0, 1], got {params.halo}")
        if not 0 <= params.paraphrase_tolerance < 1:
            raise ValueError(
                f"simulation.paraphrase_tolerance must lie in [0, 1), got {params.paraphrase_tolerance}"
            )
        sc = params.substance_coverage
        if sc is not None and not 0 < sc <= 1:
            raise ValueError(
                f"simulation.substance_coverage must lie in (0, 1] or be null, got {sc}"
            )
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

    def support() -> np.ndarray:
        tau = params.paraphrase_tolerance
        rate = features["unsupported_rate"].to_numpy(dtype=float)
        return 1.0 - np.clip((rate - tau) / (1.0 - tau), 0.0, 1.0)

    derived = {
        "support": support,
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


def substance(features: pd.DataFrame, params: SimulationParams) -> np.ndarray:
    """a(s) in [0, 1] of every summary (model step 2): 0 if flagged, else coverage-limited.

    ``features`` may carry the summaries' ``flag`` (stage 02); without it no
    summary counts as flagged. With ``substance_coverage`` None every summary is 1.

    >>> f = pd.DataFrame({"coverage": [0.0, 0.1, 0.5, np.nan, 0.5],
    ...                   "flag": ["ok", "ok", "ok", "ok", "degenerate"]})
    >>> p = SimulationParams(criteria={"c": {"coverage": 1}}, categories={},
    ...                      substance_coverage=0.2)
    >>> substance(f, p).tolist()
    [0.0, 0.5, 1.0, 1.0, 0.0]
    """
    n = len(features)
    if params.substance_coverage is None:
        return np.ones(n)
    cov = (
        features["coverage"].to_numpy(dtype=float)
        if "coverage" in features.columns
        else np.full(n, np.nan)
    )
    a = np.where(np.isnan(cov), 1.0, np.clip(cov / params.substance_coverage, 0.0, 1.0))
    if "flag" in features.columns:
        a = np.where(features["flag"].astype(str).to_numpy() == "ok", a, 0.0)
    return a


def _quality_array(
    g: pd.DataFrame,
    params: SimulationParams,
    emphases: Sequence[Mapping[str, float]],
    crits: Sequence[str],
    gate: np.ndarray,
    who: Sequence[str],
) -> np.ndarray:
    """q_{e,c}(s) (model step 3) for each emphasis (a category or an expert): (U, C, S).

    The halo averages the merits over every criterion of the model, whatever the form asks.
    """
    every = list(params.criteria)
    columns = {
        f: g[f].to_numpy(dtype=float) for f in {f for c in every for f in params.criteria[c]}
    }
    out = np.empty((len(emphases), len(crits), len(g)))
    for i, emph in enumerate(emphases):
        merit = {}
        for crit in every:
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
                    f"({g['patient_id'].iloc[bad]}, {g['summarizer'].iloc[bad]}) "
                    f"for {who[i]!r}"
                )
            merit[crit] = (np.where(defined, vals, 0.0) * w).sum(axis=1) / denom
        overall = np.mean([merit[c] for c in every], axis=0)
        for j, crit in enumerate(crits):
            out[i, j] = gate * ((1 - params.halo) * merit[crit] + params.halo * overall)
    return out


def latent_quality(
    features: pd.DataFrame, params: SimulationParams, *, categories: Sequence[str] | None = None
) -> pd.DataFrame:
    """Latent quality q_{k,c}(s) in [0, 1] of every summary, per category and criterion.

    The quality of the category's typical expert (emphasis m_{k,f}, no spread).

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
    emph = [params.categories[c].emphasis for c in cats]
    q = _quality_array(g, params, emph, crits, substance(features, params), cats)
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
        Output of :func:`radjudge.summary_features.summary_features`, plus the
        summaries' ``flag`` (stage 02) for the substance gate (optional).
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
    gate = substance(feats, params)
    crits = list(scales)
    used = sorted({f for c in params.criteria.values() for f in c})
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
        z = rng.standard_normal(len(used))  # the expert's own emphasis (step 3)
        emphasis = {
            f: cp.emphasis.get(f, 1.0) * math.exp(params.expert_emphasis_sd * zf)
            for f, zf in zip(used, z, strict=True)
        }
        q = _quality_array(g, params, [emphasis], crits, gate, [str(eid)])[0].T  # (S, C)
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
