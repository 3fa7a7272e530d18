"""Turn the `api:` section into check specs (cheap: runs at load time)."""

from __future__ import annotations

from typing import Any

from mlgate.checks import CheckSpec
from mlgate.config.model import Config
from mlgate.config.yamlload import Document
from mlgate.errors import ConfigError
from mlgate.plan_helpers import entry_name, require_name, severity_of, spec


def service_params(entry: dict[str, Any], index: int) -> dict[str, Any]:
    """What every check of an entry needs to reach its service (the memo key is `service`)."""
    keys = ("start", "app", "url", "cwd", "ready", "env", "mocks")
    return {"service": entry_name(entry, index), **{k: entry[k] for k in keys if k in entry}}


def _entry_issues(doc: Document, base: tuple[Any, ...], entry: dict[str, Any]) -> list[str]:
    issues: list[str] = []
    ways = [k for k in ("start", "app") if k in entry]
    if len(ways) > 1:
        issues.append(doc.error((*base, "app"), "give either `start` or `app`, not both"))
    if not ways and "url" not in entry:
        issues.append(doc.error(base, "give `start` (a command), `app` (in-process) or `url`"))
    if "url" in entry and "{port}" in entry["url"] and "start" not in entry:
        issues.append(doc.error((*base, "url"), "`{port}` is only known with `start`"))
    if "mocks" in entry and "app" not in entry:
        issues.append(
            doc.error((*base, "mocks"), "mocks work only in-process: use `app:`, not a command")
        )
    if "app" in entry and "url" in entry:
        issues.append(doc.error((*base, "url"), "`app` runs in-process: it takes no `url`"))
    for i, mock in enumerate(entry.get("mocks", [])):
        if ("return" in mock) == ("raise" in mock):
            issues.append(doc.error((*base, "mocks", i), "give exactly one of `return`, `raise`"))
    latency = entry.get("latency")
    if latency is not None and "path" not in latency and not entry.get("requests"):
        issues.append(
            doc.error((*base, "latency"), "give `path` (and `json`), or declare `requests:`")
        )
    return issues


def plan_api(config: Config, doc: Document) -> list[CheckSpec]:
    out: list[CheckSpec] = []
    issues: list[str] = []
    entries = doc.data.get("api", []) or []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        base = ("api", i)
        name = entry_name(entry, i)
        if name in seen:
            issues.append(doc.error((*base, "name"), f"the name {name!r} is used twice"))
        seen[name] = i
        issues += _entry_issues(doc, base, entry)
        svc = service_params(entry, i)
        group = f"api:{i}"
        for j, request in enumerate(entry.get("requests", [])):
            rname = entry_name(request, j)
            out.append(
                spec(
                    doc,
                    (*base, "requests", j),
                    ("api", name, "requests", rname),
                    "api",
                    "api.request",
                    params={**svc, "request": request},
                    severity=severity_of(entry, request),
                    group=group,
                )
            )
        if "replay" in entry:
            replay = entry["replay"]
            issues += require_name(
                doc, (*base, "replay", "dataset"), replay["dataset"], config.datasets, "dataset"
            )
            out.append(
                spec(
                    doc,
                    (*base, "replay"),
                    ("api", name, "replay"),
                    "api",
                    "api.replay",
                    params={**svc, "replay": replay},
                    severity=severity_of(entry, replay),
                    group=group,
                )
            )
        if "robustness" in entry:
            rob = entry["robustness"]
            out.append(
                spec(
                    doc,
                    (*base, "robustness"),
                    ("api", name, "robustness"),
                    "api",
                    "api.robustness",
                    params={**svc, "robustness": rob},
                    severity=severity_of(entry, rob),
                    group=group,
                )
            )
        if "latency" in entry:
            lat = dict(entry["latency"])
            if "path" not in lat and entry.get("requests"):
                first = entry["requests"][0]
                lat.update({k: first[k] for k in ("method", "path", "json") if k in first})
                lat.setdefault("params", first.get("params"))
                lat.setdefault("headers", first.get("headers"))
                lat = {k: v for k, v in lat.items() if v is not None}
            out.append(
                spec(
                    doc,
                    (*base, "latency"),
                    ("api", name, "latency"),
                    "api",
                    "api.latency",
                    params={**svc, "latency": lat},
                    severity=severity_of(entry, entry["latency"]),
                    group=group,
                )
            )
    if issues:
        raise ConfigError(issues)
    return out
