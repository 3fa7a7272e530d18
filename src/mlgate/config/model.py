"""The validated configuration as frozen dataclasses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mlgate.checks import CheckSpec
from mlgate.config.yamlload import Document
from mlgate.results import Location

FailOn = Literal["error", "warning", "never"]


@dataclass(frozen=True)
class Gate:
    fail_on: FailOn = "error"
    timeout: float | None = None  # seconds for the whole run; None: the default
    engine: str | None = None  # the default engine of data checks (None: duckdb if installed)


@dataclass(frozen=True)
class ReportSettings:
    title: str = "mlgate"
    template: Path | None = None
    max_failures_shown: int = 20
    charts: bool = True


@dataclass(frozen=True)
class DatasetSpec:
    """A named input from `datasets:`; `path` is relative to the config file's folder."""

    name: str
    path: str
    location: Location
    format: str | None = None
    ref: str | None = None
    chunk_rows: int | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    engine: str | None = None  # duckdb | pandas; None: `gate.engine`
    connection: str | None = None  # a database URL, `${VAR}` not yet expanded
    table: str | None = None
    sql: str | None = None
    spark: Mapping[str, Any] = field(default_factory=dict)  # `connection: spark`: the session


@dataclass(frozen=True)
class ModelSpec:
    """A named model from `models:`; `params` holds every key as written (see mlgate.model)."""

    name: str
    location: Location
    path: str | None = None
    ref: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PytestSettings:
    paths: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    timeout: float | None = None  # seconds per test; None: the default check budget


@dataclass(frozen=True)
class Config:
    """Everything `mlgate.yml` says, validated, with the checks it declares."""

    path: Path
    document: Document
    gate: Gate = Gate()
    report: ReportSettings = ReportSettings()
    datasets: Mapping[str, DatasetSpec] = field(default_factory=dict)
    models: Mapping[str, ModelSpec] = field(default_factory=dict)
    pytest: PytestSettings = PytestSettings()
    checks: tuple[CheckSpec, ...] = ()
    #: The folder every path must stay in (`mlgate.paths`); None when the run allows any path.
    workspace: Path | None = None

    @property
    def root(self) -> Path:
        """The folder relative paths in the config are resolved against."""
        return self.path.parent

    def resolve(self, relative: str | Path) -> Path:
        p = Path(relative)
        return p if p.is_absolute() else self.root / p
