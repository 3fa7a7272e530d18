"""Results as plain data: what `report.json` holds. Rendering and publishing read only these."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

Status = Literal["passed", "failed", "warning", "error", "skipped"]
Severity = Literal["error", "warning"]
Family = Literal["config", "data", "model", "api", "shadow", "pytest"]

STATUSES: tuple[Status, ...] = ("passed", "failed", "warning", "error", "skipped")
FAMILIES: tuple[str, ...] = ("config", "data", "model", "api", "shadow", "pytest")
REPORT_VERSION = 1


@dataclass(frozen=True)
class Location:
    """Where a check was declared: a YAML node, or a test function."""

    file: str
    line: int
    column: int = 1


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check, as written to `report.json`."""

    id: str
    family: str
    status: Status
    severity: Severity
    message: str
    location: Location | None
    observed: Any = None
    expected: Any = None
    examples: list[dict[str, Any]] = field(default_factory=list)
    duration_s: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Counts:
    passed: int = 0
    failed: int = 0
    warnings: int = 0
    errors: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.warnings + self.errors + self.skipped

    @classmethod
    def of(cls, checks: list[CheckResult]) -> Counts:
        by = {s: 0 for s in STATUSES}
        for c in checks:
            by[c.status] += 1
        return cls(by["passed"], by["failed"], by["warning"], by["error"], by["skipped"])


@dataclass(frozen=True)
class Report:
    """The whole gate's outcome."""

    conclusion: Literal["success", "failure"]
    counts: Counts
    checks: list[CheckResult]
    title: str = "mlgate"
    config_file: str = "mlgate.yml"
    fail_on: str = "error"
    mlgate_version: str = ""
    commit: str = ""
    base_ref: str = ""
    duration_s: float = 0.0
    version: int = REPORT_VERSION
    #: How the report is drawn (`report:` in the config): charts on/off, example rows per check.
    charts: bool = True
    max_failures_shown: int = 20

    def by_family(self) -> dict[str, Counts]:
        """Counts per family, in the order of `FAMILIES`, only families that have checks."""
        out: dict[str, Counts] = {}
        for fam in FAMILIES:
            mine = [c for c in self.checks if c.family == fam]
            if mine:
                out[fam] = Counts.of(mine)
        return out

    def with_status(self, *statuses: Status) -> list[CheckResult]:
        return [c for c in self.checks if c.status in statuses]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, default=_json_default, allow_nan=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """Read a report (possibly from an untrusted run); a malformed one is a `ValueError`."""
        if data.get("conclusion") not in ("success", "failure"):
            raise ValueError(
                f"conclusion must be success or failure, not {data.get('conclusion')!r}"
            )
        checks = []
        for c in data.get("checks", []):
            if c.get("status") not in STATUSES:
                raise ValueError(f"check {c.get('id')!r} has an unknown status {c.get('status')!r}")
            loc = c.get("location")
            checks.append(
                CheckResult(
                    id=c["id"],
                    family=c["family"],
                    status=c["status"],
                    severity=c.get("severity", "error"),
                    message=c.get("message", ""),
                    location=Location(**loc) if loc else None,
                    observed=c.get("observed"),
                    expected=c.get("expected"),
                    examples=list(c.get("examples") or []),
                    duration_s=float(c.get("duration_s") or 0.0),
                    details=dict(c.get("details") or {}),
                )
            )
        counts = Counts(**data["counts"]) if "counts" in data else Counts.of(checks)
        known = {"title", "config_file", "fail_on", "mlgate_version", "commit", "base_ref"}
        extra = {k: data[k] for k in known if k in data}
        if "charts" in data:
            extra["charts"] = data["charts"] is not False
        if "max_failures_shown" in data:
            shown = data["max_failures_shown"]
            if not isinstance(shown, int) or isinstance(shown, bool) or shown < 0:
                raise ValueError(f"max_failures_shown must be a count, not {shown!r}")
            extra["max_failures_shown"] = shown
        return cls(
            conclusion=data["conclusion"],
            counts=counts,
            checks=checks,
            duration_s=float(data.get("duration_s") or 0.0),
            version=int(data.get("version", REPORT_VERSION)),
            **extra,
        )

    @classmethod
    def load(cls, path: str | Path) -> Report:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def _json_default(value: Any) -> Any:
    """Make numpy scalars, timestamps and other odd values JSON-safe."""
    item = getattr(value, "item", None)
    if callable(item):
        try:
            return _finite(item())
        except (TypeError, ValueError):
            pass
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return str(value)
    return value


def json_safe(value: Any) -> Any:
    """Round-trip a value through JSON so it holds only JSON types (NaN/inf become strings)."""
    return json.loads(json.dumps(_replace_nonfinite(value), default=_json_default))


def _replace_nonfinite(value: Any) -> Any:
    if isinstance(value, float):
        return _finite(value)
    if isinstance(value, dict):
        return {str(k): _replace_nonfinite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_replace_nonfinite(v) for v in value]
    return value
