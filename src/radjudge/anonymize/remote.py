"""Consent before anonymized *real* records leave this machine's network.

Anonymization can miss an identifier; a model served on this machine or on the
study's own network (loopback, private or link-local address) keeps such a
miss inside. An HTTP backend anywhere else - a hosted API - does not. So when
the records are real (not the synthetic cohort), every summarizer or judge
model served by a *remote* host needs ``shared.allow_remote_phi: true`` in the
profile: an explicit, recorded decision.

A host counts as local only when it is ``localhost`` or an IP address in the
loopback, private or link-local ranges; a host *name* is remote (names are not
resolved: a check must not depend on DNS), so give a lab server by its address
or consent.

:func:`require_remote_consent` is called when the summarizer and judge clients
are built (notebooks 02 and 04); :func:`profile_endpoints` and
:func:`remote_consent_problems` let ``radjudge run --check`` list every HTTP
endpoint and refuse a profile before anything runs.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from radjudge.anonymize.guard import PHIGuardError

__all__ = [
    "Endpoint",
    "is_local_host",
    "model_endpoints",
    "require_remote_consent",
    "profile_endpoints",
    "remote_consent_problems",
]


@dataclass(frozen=True)
class Endpoint:
    """An HTTP model endpoint and what uses it.

    Attributes
    ----------
    model : str
        Registry name (``shared.models`` key).
    base_url : str
    host : str
    remote : bool
        Not loopback, private or link-local.
    used_by : tuple of str
        E.g. ``("summarizer smollm2_structured", "judge smollm2_lp")``.
    patient_data : bool
        True when a user reads patient records (notebooks 02, 04); False for
        public data only (notebook 07).
    """

    model: str
    base_url: str
    host: str
    remote: bool
    used_by: tuple[str, ...]
    patient_data: bool


def is_local_host(host: str) -> bool:
    """True for ``localhost`` and loopback, private or link-local IP addresses.

    >>> [is_local_host(h) for h in ("127.0.0.1", "localhost", "10.0.0.5", "::1", "192.168.1.2")]
    [True, True, True, True, True]
    >>> [is_local_host(h) for h in ("api.example.com", "8.8.8.8", "gpu-box.lan")]
    [False, False, False]
    """
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name: not resolved, so not known to be local
    return address.is_loopback or address.is_private or address.is_link_local


def model_endpoints(
    models: Mapping[str, Mapping[str, Any]], used: Mapping[str, Iterable[str]]
) -> list[Endpoint]:
    """The HTTP endpoints of the used models (``backend: openai``); in-process models have none.

    Parameters
    ----------
    models : mapping
        ``shared.models``.
    used : mapping of str to iterable of str
        Registry name -> what uses it (``"summarizer X"``, ``"judge Y"``,
        ``"public judge Z"``); a user starting with ``"public "`` reads public
        data only.

    Returns
    -------
    list of Endpoint
        In registry order.
    """
    out = []
    for name, spec in models.items():
        users = tuple(used.get(name, ()))
        if not users or not isinstance(spec, Mapping) or spec.get("backend") != "openai":
            continue
        url = str(spec.get("base_url") or "")
        host = urlsplit(url).hostname or ""
        out.append(
            Endpoint(
                model=name,
                base_url=url,
                host=host,
                remote=not is_local_host(host),
                used_by=users,
                patient_data=any(not u.startswith("public ") for u in users),
            )
        )
    return out


def _refusal(endpoints: Iterable[Endpoint]) -> str:
    shown = "; ".join(
        f"{e.model} at {e.base_url} (used by {', '.join(e.used_by)})" for e in endpoints
    )
    return (
        f"real records would be sent to remote endpoint(s): {shown}. A host that is not "
        "loopback or a private address may receive any identifier the anonymizer missed; set "
        "shared.allow_remote_phi: true in the profile to consent, or serve the model locally."
    )


def require_remote_consent(
    models: Mapping[str, Mapping[str, Any]],
    used: Mapping[str, Iterable[str]],
    *,
    records: Iterable[Any],
    allow_remote_phi: bool,
    where: str,
) -> list[Endpoint]:
    """Refuse to send real records to a remote endpoint without consent.

    Parameters
    ----------
    models, used
        As in :func:`model_endpoints`.
    records : iterable
        The records the clients will read (anything with ``synthetic``);
        real if any is not synthetic.
    allow_remote_phi : bool
        The profile's ``shared.allow_remote_phi``.
    where : str
        The calling stage, for the message.

    Returns
    -------
    list of Endpoint
        The HTTP endpoints (remote or not), for the run manifest.

    Raises
    ------
    PHIGuardError
        Real records, a remote endpoint reading patient data, and no consent.
    """
    if not isinstance(allow_remote_phi, bool):
        raise ValueError(f"allow_remote_phi must be true or false, got {allow_remote_phi!r}")
    endpoints = model_endpoints(models, used)
    real = any(not getattr(r, "synthetic", False) for r in records)
    remote = [e for e in endpoints if e.remote and e.patient_data]
    if real and remote and not allow_remote_phi:
        raise PHIGuardError(f"{where}: {_refusal(remote)}")
    return endpoints


def profile_endpoints(profile: Any) -> list[Endpoint]:
    """Every HTTP endpoint a profile's summarizers and judges use (``radjudge run --check``).

    Parameters
    ----------
    profile : radjudge.profiles.Profile

    Returns
    -------
    list of Endpoint
    """
    used: dict[str, list[str]] = {}
    for s in profile.section("02_summarization").get("summarizers") or []:
        if isinstance(s, Mapping) and s.get("kind", "llm") == "llm" and s.get("model"):
            used.setdefault(str(s["model"]), []).append(f"summarizer {s.get('name')}")
    for j in profile.section("04_judge_sweeps").get("judges") or []:
        if isinstance(j, Mapping) and j.get("model"):
            used.setdefault(str(j["model"]), []).append(f"judge {j.get('name')}")
    for j in profile.section("07_external_validation").get("judges") or []:
        used.setdefault(str(j), []).append(f"public judge {j} (SummEval)")
    return model_endpoints(profile.shared.get("models") or {}, used)


def remote_consent_problems(profile: Any) -> list[str]:
    """Profile-level check: real records + remote endpoint reading them + no consent.

    Records are real when ``notebooks.01_anonymization.records_path`` is set.
    Returns the problems (empty when the profile is fine).
    """
    allow = profile.shared.get("allow_remote_phi", False)
    if not isinstance(allow, bool):
        return [f"shared.allow_remote_phi must be true or false, got {allow!r}"]
    real = profile.section("01_anonymization").get("records_path") is not None
    remote = [e for e in profile_endpoints(profile) if e.remote and e.patient_data]
    if real and remote and not allow:
        return [_refusal(remote)]
    return []
