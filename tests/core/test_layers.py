"""The layers stay apart: data flows config -> plan -> checks -> results -> report -> publish.

Every `from mlgate... import` counts, lazy ones inside functions too: a lazy import still
closes a circle between layers.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
FAMILIES = {"data", "model", "api", "shadow", "engines", "latency", "stats"}


def _imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in (SRC / "mlgate").rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mlgate"):
                found.add(str(node.module))
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("mlgate")}
        graph[name] = found
    return graph


def test_the_run_context_knows_no_loader() -> None:
    assert _imports()["mlgate.context"] <= {
        "mlgate.errors",
        "mlgate.runner.budget",
        "mlgate.config.model",
    }


def test_rendering_and_publishing_never_compute_checks() -> None:
    graph = _imports()
    crossing = {
        (module, target)
        for module, targets in graph.items()
        if module.startswith(("mlgate.report", "mlgate.publish"))
        for target in targets
        if target.split(".")[1] in FAMILIES | {"checks", "context", "datasets", "runner"}
    }
    assert crossing == set()


def test_data_engines_do_not_import_other_families() -> None:
    graph = _imports()
    crossing = {
        (module, target)
        for module, targets in graph.items()
        if module.startswith("mlgate.engines")
        for target in targets
        if target.split(".")[1] in {"model", "api", "shadow", "report", "publish", "runner"}
    }
    assert crossing == set()
