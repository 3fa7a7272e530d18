"""`load_config(path)`: YAML -> schema check -> frozen `Config` -> planned checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlgate.checks import CheckSpec
from mlgate.config.model import (
    Config,
    DatasetSpec,
    Gate,
    ModelSpec,
    PytestSettings,
    ReportSettings,
)
from mlgate.config.schema import build_schema
from mlgate.config.validate import schema_issues
from mlgate.config.yamlload import Document, load_document
from mlgate.data.dataset_schema import source_problems
from mlgate.errors import ConfigError
from mlgate.families import load_families


def load_config(path: str | Path, *, text: str | None = None) -> Config:
    """Read, validate and plan `mlgate.yml`; every problem is a `ConfigError` line."""
    path = Path(path)
    doc = load_document(path, text)
    if not isinstance(doc.data, dict):
        raise ConfigError([doc.error((), "the configuration must be a mapping of keys")])
    issues = schema_issues(doc, build_schema())
    if issues:
        raise ConfigError(issues)
    config = _build(path, doc)
    checks: list[CheckSpec] = []
    problems: list[str] = (
        source_problems(doc) + _missing_test_paths(config, doc) + _missing_template(config, doc)
    )
    for family in load_families():
        if family.section not in doc.data:
            continue
        try:
            checks.extend(family.plan(config, doc))
        except ConfigError as exc:
            problems.extend(exc.issues)
    problems.extend(_duplicate_ids(checks, doc))
    if problems:
        raise ConfigError(problems)
    return Config(
        path=config.path,
        document=doc,
        gate=config.gate,
        report=config.report,
        datasets=config.datasets,
        models=config.models,
        pytest=config.pytest,
        checks=tuple(checks),
    )


def _build(path: Path, doc: Document) -> Config:
    data: dict[str, Any] = doc.data
    gate = Gate(**data.get("gate", {}))
    rep = data.get("report", {})
    template = rep.get("template")
    report = ReportSettings(
        title=rep.get("title", "mlgate"),
        template=(path.parent / template) if template else None,
        max_failures_shown=rep.get("max_failures_shown", 20),
    )
    datasets = {
        name: DatasetSpec(
            name=name,
            path=spec.get("path", ""),
            location=doc.locate(("datasets", name)),
            format=spec.get("format"),
            ref=spec.get("ref"),
            chunk_rows=spec.get("chunk_rows"),
            options=dict(spec.get("options", {})),
            engine=spec.get("engine"),
            connection=spec.get("connection"),
            table=spec.get("table"),
            sql=spec.get("sql"),
            spark=dict(spec.get("spark") or {}),
        )
        for name, spec in data.get("datasets", {}).items()
    }
    models = {
        name: ModelSpec(
            name=name,
            location=doc.locate(("models", name)),
            path=spec.get("path"),
            ref=spec.get("ref"),
            params=dict(spec),
        )
        for name, spec in data.get("models", {}).items()
    }
    pt = data.get("pytest", {})
    pytest_settings = PytestSettings(
        paths=tuple(pt.get("paths", ())), args=tuple(pt.get("args", ()))
    )
    return Config(
        path=path,
        document=doc,
        gate=gate,
        report=report,
        datasets=datasets,
        models=models,
        pytest=pytest_settings,
    )


def _duplicate_ids(checks: list[CheckSpec], doc: Document) -> list[str]:
    seen: dict[str, CheckSpec] = {}
    out = []
    for spec in checks:
        if spec.id in seen:
            loc = spec.location
            first = seen[spec.id].location
            out.append(
                f"{loc.file}:{loc.line}:{loc.column}: {spec.id}: two checks have this id "
                f"(the other is on line {first.line}); give one a distinct `name`"
            )
        else:
            seen[spec.id] = spec
    return out


def _missing_test_paths(config: Config, doc: Document) -> list[str]:
    """`pytest.paths` that do not exist are a configuration error, not a pytest crash."""
    return [
        doc.error(
            ("pytest", "paths", i),
            f"no such file or folder: {p!r} (relative to {config.root.as_posix() or '.'})",
        )
        for i, p in enumerate(config.pytest.paths)
        if not config.resolve(p).exists()
    ]


def _missing_template(config: Config, doc: Document) -> list[str]:
    template = config.report.template
    if template is None or template.is_file():
        return []
    return [doc.error(("report", "template"), f"no such file: {template.as_posix()!r}")]
