"""Helpers every family's planner uses: ids from key paths, entry names, severities."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlgate.checks import CheckSpec
from mlgate.config.validate import did_you_mean
from mlgate.config.yamlload import Document, KeyPath
from mlgate.results import Severity

NAME_KEYS = ("name", "dataset", "model", "feature", "by", "protected")


def entry_name(entry: Any, index: int) -> str:
    """A list entry's name in a check id: its `name`, else dataset/model/feature/by, else index."""
    if isinstance(entry, Mapping):
        for key in NAME_KEYS:
            value = entry.get(key)
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                return str(value)
    return str(index)


def check_id(*parts: Any) -> str:
    return "/".join(str(p) for p in parts)


def severity_of(*entries: Any, default: Severity = "error") -> Severity:
    """The innermost `severity:` given among nested entries (outermost first)."""
    found: Severity = default
    for entry in entries:
        if isinstance(entry, Mapping) and entry.get("severity") in ("error", "warning"):
            found = entry["severity"]
    return found


def spec(
    doc: Document,
    path: KeyPath,
    id_parts: tuple[Any, ...],
    family: str,
    kind: str,
    *,
    params: Mapping[str, Any] | None = None,
    severity: Severity = "error",
    group: str = "",
    suite: Any = None,
) -> CheckSpec:
    """A `CheckSpec` located at the YAML key `path`, with the `timeout:` of its entry."""
    return CheckSpec(
        id=check_id(*id_parts),
        family=family,
        kind=kind,
        location=doc.locate(path),
        params=dict(params or {}),
        severity=severity,
        group=group,
        suite=suite,
        timeout=entry_timeout(doc, path),
    )


def entry_timeout(doc: Document, path: KeyPath) -> float | None:
    """The `timeout:` of the section entry (`data[0]`, `model[1]`, ...) that `path` is in."""
    if len(path) < 2 or not isinstance(doc.data, Mapping):
        return None
    entries = doc.data.get(path[0])
    index = path[1]
    if not isinstance(entries, list) or not isinstance(index, int) or index >= len(entries):
        return None
    entry = entries[index]
    value = entry.get("timeout") if isinstance(entry, Mapping) else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def require_name(
    doc: Document, path: tuple[str | int, ...], name: str, known: dict[str, Any] | Any, what: str
) -> list[str]:
    """Issues for a reference to an undeclared dataset/model name (with a did-you-mean)."""
    if name in known:
        return []
    names = list(known)
    declared = f"declared {what}s: {', '.join(names)}" if names else f"no {what}s are declared"
    hint = did_you_mean(name, names)
    if hint.startswith(" ->"):
        return [doc.error(path, f"unknown {what} {name!r}{hint}")]
    return [doc.error(path, f"unknown {what} {name!r} ({declared} under `{what}s:`)")]
