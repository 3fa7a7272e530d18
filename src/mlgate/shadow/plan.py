"""Turn the `shadow:` section into check specs (cheap: runs at load time)."""

from __future__ import annotations

from typing import Any

from mlgate.api.plan import service_params
from mlgate.checks import CheckSpec
from mlgate.config.model import Config
from mlgate.config.validate import did_you_mean
from mlgate.config.yamlload import Document
from mlgate.errors import ConfigError
from mlgate.plan_helpers import entry_name, require_name, severity_of, spec

THRESHOLDS = ("min_agreement", "max_score_diff", "max_latency_ratio", "max_error_rate")
NEEDS = {"min_agreement": "label", "max_score_diff": "score"}


def _side(
    config: Config, doc: Document, path: tuple[Any, ...], side: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """The side's params (an `api:` reference carries that entry's service params)."""
    out = dict(side)
    if "model" in side:
        return out, require_name(doc, (*path, "model"), side["model"], config.models, "model")
    if "api" in side:
        entries = doc.data.get("api", []) or []
        names = {entry_name(e, i): (e, i) for i, e in enumerate(entries)}
        if side["api"] not in names:
            hint = did_you_mean(str(side["api"]), list(names))
            known = ", ".join(repr(n) for n in names) or "none"
            return out, [
                doc.error(
                    (*path, "api"),
                    f"no `api:` entry is named {side['api']!r}{hint} (declared: {known})",
                )
            ]
        entry, index = names[side["api"]]
        out["service_params"] = service_params(entry, index)
    return out, []


def plan_shadow(config: Config, doc: Document) -> list[CheckSpec]:
    out: list[CheckSpec] = []
    issues: list[str] = []
    for i, entry in enumerate(doc.data.get("shadow", []) or []):
        base = ("shadow", i)
        name = entry_name(entry, i)
        if "dataset" in entry:
            issues += require_name(
                doc, (*base, "dataset"), entry["dataset"], config.datasets, "dataset"
            )
        primary, p_issues = _side(config, doc, (*base, "primary"), entry["primary"])
        candidate, c_issues = _side(config, doc, (*base, "candidate"), entry["candidate"])
        issues += p_issues + c_issues
        given = [k for k in THRESHOLDS if k in entry]
        if not given:
            issues.append(doc.error(base, f"give at least one of {', '.join(THRESHOLDS)}"))
        common = {
            "shadow": name,
            **{
                k: entry[k]
                for k in ("traffic", "dataset", "rows", "exclude", "show", "decide", "confidence")
                if k in entry
            },
            "primary": primary,
            "candidate": candidate,
            # the answer fields a service must give: only those a declared threshold judges
            "needs": [f for k, f in NEEDS.items() if k in given],
        }
        for key in given:
            out.append(
                spec(
                    doc,
                    (*base, key),
                    ("shadow", name, key),
                    "shadow",
                    f"shadow.{key}",
                    params={**common, "limit": entry[key]},
                    severity=severity_of(entry),
                    group=f"shadow:{i}",
                )
            )
    if issues:
        raise ConfigError(issues)
    return out
