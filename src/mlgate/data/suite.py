"""What one `data:` suite needs, as frozen data (no pandas: built at load time).

The planner attaches the same `Suite` to every check of a suite; the first check to run asks
the statistics backend for one `Profile` of the whole suite (see `mlgate.data.backend`), and
every check judges from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlgate.stats.multitest import Correction

#: Column keys whose check needs the column to have its declared type (skipped otherwise).
TYPED_KEYS = ("min", "max", "allowed", "pattern", "mean", "std", "median", "quantiles")
STAT_KEYS = ("mean", "std", "median")
DRIFT_METHODS = ("auto", "psi", "ks", "chi2", "jensen_shannon", "wasserstein")


@dataclass(frozen=True)
class Bounds:
    """Inclusive bounds; either may be absent."""

    min: Any = None
    max: Any = None

    def describe(self) -> str:
        parts = []
        if self.min is not None:
            parts.append(f">= {self.min}")
        if self.max is not None:
            parts.append(f"<= {self.max}")
        return " and ".join(parts)


@dataclass(frozen=True)
class ColumnRules:
    """The declared checks of one column."""

    name: str
    type: str | None = None
    nullable: bool | None = None
    max_missing: float | None = None
    min: Any = None
    max: Any = None
    allowed: tuple[Any, ...] | None = None
    pattern: str | None = None
    unique: bool = False
    stats: tuple[tuple[str, Bounds], ...] = ()  # ("mean", Bounds), ("quantile 0.95", ...)
    quantiles: tuple[tuple[float, Bounds], ...] = ()

    @property
    def keeps_values(self) -> bool:
        """Whether judging needs every non-missing value (median, quantiles)."""
        return self.quantiles != () or any(k == "median" for k, _ in self.stats)


@dataclass(frozen=True)
class Rule:
    name: str
    expr: str
    max_fail: float = 0.0


@dataclass(frozen=True)
class Drift:
    reference: str
    columns: tuple[str, ...] | None = None
    method: str = "auto"
    threshold: float | None = None
    min_rows: int = 30
    bins: int = 10
    correction: Correction = "holm"


@dataclass(frozen=True)
class Suite:
    """Everything one suite needs computed over its dataset, in one pass."""

    name: str
    dataset: str
    columns: tuple[ColumnRules, ...] = ()
    keys: tuple[tuple[str, ...], ...] = ()  # `unique:` keys (one or several columns each)
    duplicates: bool = False
    duplicates_subset: tuple[str, ...] | None = None
    rules: tuple[Rule, ...] = ()
    drift: Drift | None = None
    max_examples: int = 20
    extra: Mapping[str, Any] = field(default_factory=dict)

    def column(self, name: str) -> ColumnRules | None:
        for col in self.columns:
            if col.name == name:
                return col
        return None


def bounds(value: Mapping[str, Any] | None) -> Bounds:
    value = value or {}
    return Bounds(value.get("min"), value.get("max"))


def column_rules(name: str, entry: Mapping[str, Any]) -> ColumnRules:
    """A column entry of the YAML as `ColumnRules`."""
    return ColumnRules(
        name=name,
        type=entry.get("type"),
        nullable=entry.get("nullable"),
        max_missing=entry.get("max_missing"),
        min=entry.get("min"),
        max=entry.get("max"),
        allowed=tuple(entry["allowed"]) if "allowed" in entry else None,
        pattern=entry.get("pattern"),
        unique=bool(entry.get("unique", False)),
        stats=tuple((k, bounds(entry[k])) for k in STAT_KEYS if k in entry),
        quantiles=tuple(
            (float(q), bounds(b)) for q, b in sorted((entry.get("quantiles") or {}).items())
        ),
    )


def unique_keys(value: Any) -> tuple[tuple[str, ...], ...]:
    """`unique: [a, b]` is one key of two columns; `unique: [[a], [b, c]]` is two keys."""
    if not value:
        return ()
    if isinstance(value, str):
        return ((value,),)
    if all(isinstance(v, str) for v in value):
        return (tuple(value),)
    return tuple((v,) if isinstance(v, str) else tuple(v) for v in value)


def build_suite(entry: Mapping[str, Any], name: str, max_examples: int = 20) -> Suite:
    """A validated `data:` entry as a `Suite`."""
    dup = entry.get("duplicates")
    drift = entry.get("drift")
    return Suite(
        name=name,
        dataset=entry.get("dataset", ""),
        columns=tuple(column_rules(c, r or {}) for c, r in (entry.get("columns") or {}).items()),
        keys=unique_keys(entry.get("unique")),
        duplicates=dup is not None,
        duplicates_subset=tuple(dup["columns"]) if dup and dup.get("columns") else None,
        rules=tuple(
            Rule(r.get("name") or str(i), r["expr"], float(r.get("max_fail", 0.0)))
            for i, r in enumerate(entry.get("rules") or [])
        ),
        drift=Drift(
            reference=drift["reference"],
            columns=tuple(drift["columns"]) if drift.get("columns") else None,
            method=drift.get("method", "auto"),
            threshold=drift.get("threshold"),
            min_rows=int(drift.get("min_rows", 30)),
            bins=int(drift.get("bins", 10)),
            correction=drift.get("correction", "holm"),
        )
        if drift
        else None,
        max_examples=max_examples,
    )


def key_label(key: tuple[str, ...]) -> str:
    return "+".join(key)
