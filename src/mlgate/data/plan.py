"""Turn the `data:` section into check specs (no pandas here: this runs at load time)."""

from __future__ import annotations

from typing import Any

from mlgate.checks import CheckSpec
from mlgate.config.model import Config
from mlgate.config.yamlload import Document
from mlgate.errors import ConfigError
from mlgate.plan_helpers import entry_name, require_name, severity_of, spec


def plan_data(config: Config, doc: Document) -> list[CheckSpec]:
    out: list[CheckSpec] = []
    issues: list[str] = []
    for i, suite in enumerate(doc.data.get("data", [])):
        base = ("data", i)
        issues += require_name(
            doc, (*base, "dataset"), suite["dataset"], config.datasets, "dataset"
        )
        name = entry_name(suite, i)
        group = f"data:{i}"
        common: dict[str, Any] = {"dataset": suite["dataset"]}
        if "rows" in suite:
            out.append(
                spec(
                    doc,
                    (*base, "rows"),
                    ("data", name, "rows"),
                    "data",
                    "data.rows",
                    params={**common, **suite["rows"]},
                    severity=severity_of(suite),
                    group=group,
                )
            )
        for column, rules in suite.get("columns", {}).items():
            cpath = (*base, "columns", column)
            sev = severity_of(suite, rules)
            col = {**common, "column": column, "type": rules.get("type")}
            if "type" in rules:
                out.append(
                    spec(
                        doc,
                        (*cpath, "type"),
                        ("data", name, "columns", column, "type"),
                        "data",
                        "data.column.type",
                        params=col,
                        severity=sev,
                        group=group,
                    )
                )
            if rules.get("nullable") is False:
                out.append(
                    spec(
                        doc,
                        (*cpath, "nullable"),
                        ("data", name, "columns", column, "nullable"),
                        "data",
                        "data.column.nullable",
                        params=col,
                        severity=sev,
                        group=group,
                    )
                )
    if issues:
        raise ConfigError(issues)
    return out
