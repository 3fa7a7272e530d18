"""The JSON Schema of `mlgate.yml`: the core keys here, each family's section from its `Family`."""

from __future__ import annotations

from typing import Any

from mlgate.config.schema_parts import ENGINE, GATE_TIMEOUT, NAME, TIMEOUT
from mlgate.data.dataset_schema import DATASET
from mlgate.families import load_families
from mlgate.model.model_schema import MODEL


def build_schema() -> dict[str, Any]:
    """The whole schema, with every family's section; `mlgate schema` prints it."""
    families = load_families()
    properties: dict[str, Any] = {
        "version": {"const": 1, "description": "The configuration format version."},
        "gate": {
            "type": "object",
            "description": "How the outcome of the checks decides the run.",
            "additionalProperties": False,
            "properties": {
                "fail_on": {
                    "enum": ["error", "warning", "never"],
                    "default": "error",
                    "description": "Which outcome fails the run (exit 1).",
                },
                "timeout": GATE_TIMEOUT,
                "engine": ENGINE,
            },
        },
        "report": {
            "type": "object",
            "description": "How the report looks.",
            "additionalProperties": False,
            "properties": {
                "title": {
                    "type": "string",
                    "default": "mlgate",
                    "description": "The report's heading.",
                },
                "template": {
                    "type": "string",
                    "format": "path",
                    "description": "A Jinja2 template replacing the built-in report.md one.",
                },
                "max_failures_shown": {
                    "type": "integer",
                    "minimum": 0,
                    "default": 20,
                    "description": "Per check: how many failing rows/examples to show.",
                },
                "charts": {
                    "type": "boolean",
                    "default": True,
                    "description": (
                        "Mermaid charts in the report and PR comment: the drifted columns' "
                        "distributions, this PR's metrics against the base commit's."
                    ),
                },
            },
        },
        "datasets": {
            "type": "object",
            "description": "Named inputs (csv, tsv, parquet, jsonl, feather; .gz/.zst too).",
            "propertyNames": NAME,
            "additionalProperties": {"$ref": "#/$defs/dataset"},
        },
        "models": {
            "type": "object",
            "description": "Named models (joblib, pickle, skops, onnx, or a Python factory).",
            "propertyNames": NAME,
            "additionalProperties": {"$ref": "#/$defs/model"},
        },
        "pytest": {
            "type": "object",
            "description": "The team's own pytest tests, run in the same session and report.",
            "additionalProperties": False,
            "properties": {
                "paths": {
                    "type": "array",
                    "items": {"type": "string", "format": "path"},
                    "description": "Test files or folders, relative to mlgate.yml's folder.",
                },
                "args": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": 'Extra pytest arguments, e.g. ["-x"].',
                },
                "timeout": {
                    **TIMEOUT,
                    "description": "Wall-clock budget of each test, in seconds; the tests run in "
                    "a child process, so a test that hangs, exits or kills it is an `error` and "
                    "the other tests still run.",
                },
            },
        },
    }
    defs: dict[str, Any] = {"dataset": DATASET, "model": MODEL}
    for family in families:
        properties[family.section] = dict(family.schema)
        defs.update(family.definitions)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/mlgate/mlgate/schema/mlgate.json",
        "title": "mlgate.yml",
        "type": "object",
        "additionalProperties": False,
        "required": ["version"],
        "properties": properties,
        "$defs": defs,
    }
