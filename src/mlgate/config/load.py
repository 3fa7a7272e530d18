"""`load_config(path)`: YAML -> schema check -> frozen `Config` -> planned checks."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
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
from mlgate.config.validate import schema_problems
from mlgate.config.yamlload import Document, KeyPath, load_document
from mlgate.data.dataset_schema import source_problems
from mlgate.errors import ConfigError
from mlgate.families import load_families
from mlgate.paths import allowed_outside, check_inside, workspace_of
from mlgate.runner.budget import timeout_problem


def load_config(path: str | Path, *, text: str | None = None) -> Config:
    """Read, validate and plan `mlgate.yml`; every problem is a `ConfigError` line.

    Every path key must stay inside the workspace (see `mlgate.paths`) unless the run allows
    otherwise (`--allow-outside-workspace`)."""
    path = Path(path)
    doc = load_document(path, text)
    if not isinstance(doc.data, dict):
        raise ConfigError([doc.error((), "the configuration must be a mapping of keys")])
    workspace = None if allowed_outside() else workspace_of(path)
    flagged = schema_problems(doc, build_schema(), path_format=_path_format(path, workspace))
    if flagged:
        issues = [line for _, line in flagged]
        raise ConfigError(issues + _also_wrong(path, doc, workspace, flagged))
    config, checks, problems = _plan(path, doc, workspace)
    if problems:
        raise ConfigError(problems)
    return replace(config, checks=tuple(checks))


def _plan(
    path: Path, doc: Document, workspace: Path | None, tolerant: bool = False
) -> tuple[Config, list[CheckSpec], list[str]]:
    """The config, its planned checks and the problems the schema cannot see (`tolerant`: a
    section that cannot be planned, as with schema errors, gives no checks and no problem)."""
    config = replace(_build(path, doc), workspace=workspace)
    checks: list[CheckSpec] = []
    problems: list[str] = (
        source_problems(doc) + _missing_test_paths(config, doc) + _missing_template(config, doc)
    )
    problems += timeout_issues(doc)
    for family in load_families():
        if family.section not in doc.data:
            continue
        try:
            checks.extend(family.plan(config, doc))
        except ConfigError as exc:
            problems.extend(exc.issues)
        except Exception:
            if not tolerant:
                raise
    problems.extend(_duplicate_ids(checks, doc))
    return config, checks, problems


def _also_wrong(
    path: Path, doc: Document, workspace: Path | None, flagged: list[tuple[KeyPath, str]]
) -> list[str]:
    """The problems the schema cannot see (an unknown dataset, a bad regex or rule) in a
    configuration with schema errors, so that every problem is reported at once: planned
    without the values the schema flagged (none is told twice), leaving out a section that
    cannot be planned even so. A wrong top-level key (`datasetz:`) would make every entry's
    names unknown: then the schema errors alone are told."""
    if any(len(key_path) <= 1 for key_path, _ in flagged):
        return []
    data = copy.deepcopy(doc.data)
    for key_path, _ in flagged:
        parent = _node(data, key_path[:-1])
        if key_path and isinstance(parent, dict) and not isinstance(parent.get(key_path[-1]), dict):
            parent.pop(key_path[-1], None)  # a wrong value or an unknown key
    pruned = replace(doc, data=data)
    try:
        problems = _plan(path, pruned, workspace, tolerant=True)[2]
    except Exception:  # the schema errors say enough
        return []
    told = {line for _, line in flagged}
    return [p for p in dict.fromkeys(problems) if p not in told]


def _node(data: Any, key_path: KeyPath) -> Any:
    for part in key_path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _path_format(path: Path, workspace: Path | None) -> Callable[[Any], bool]:
    """Checks `format: path` values: inside `workspace` (any path when it is None)."""
    root = path.parent

    def inside(value: Any) -> bool:
        if workspace is not None and isinstance(value, str):
            check_inside(value, root, workspace)
        return True

    return inside


def _build(path: Path, doc: Document) -> Config:
    data: dict[str, Any] = doc.data
    gate = Gate(**data.get("gate", {}))
    rep = data.get("report", {})
    template = rep.get("template")
    report = ReportSettings(
        title=rep.get("title", "mlgate"),
        template=(path.parent / template) if template else None,
        max_failures_shown=rep.get("max_failures_shown", 20),
        charts=rep.get("charts", True),
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
        paths=tuple(pt.get("paths", ())), args=tuple(pt.get("args", ())), timeout=pt.get("timeout")
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


#: A report template is a page of Markdown; a bigger file is not one.
MAX_TEMPLATE_BYTES = 1 << 20


def _missing_template(config: Config, doc: Document) -> list[str]:
    """`report.template` must exist and parse as Jinja2 (its errors at its own line)."""
    template = config.report.template
    if template is None:
        return []
    key = ("report", "template")
    if not template.is_file():
        return [doc.error(key, f"no such file: {template.as_posix()!r}")]
    if template.stat().st_size > MAX_TEMPLATE_BYTES:
        return [doc.error(key, f"{template.as_posix()!r} is larger than 1 MiB")]
    import jinja2

    try:
        jinja2.Environment().parse(template.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return [doc.error(key, f"{template.as_posix()!r} is not UTF-8 text")]
    except jinja2.TemplateSyntaxError as exc:
        where = f"{template.as_posix()}:{exc.lineno}"
        return [doc.error(key, f"{where}: not a valid Jinja2 template: {exc.message}")]
    return []


def timeout_issues(doc: Document) -> list[str]:
    """`timeout`s the schema lets through but no one can mean: NaN (`.nan`) and the like."""
    data: dict[str, Any] = doc.data
    places: list[tuple[Any, ...]] = [("gate",), ("pytest",)]
    for section in ("data", "model", "api", "shadow"):
        entries = data.get(section)
        if isinstance(entries, list):
            places += [(section, i) for i in range(len(entries))]
    out = []
    for place in places:
        node: Any = data.get(place[0])
        if len(place) == 2:
            node = node[place[1]]
        if isinstance(node, dict) and "timeout" in node:
            problem = timeout_problem(node["timeout"])
            if problem:
                out.append(doc.error((*place, "timeout"), problem))
    return out
