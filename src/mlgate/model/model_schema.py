"""JSON Schema of one entry of `models:` (owned by the model family)."""

from __future__ import annotations

from typing import Any

MODEL: dict[str, Any] = {
    "type": "object",
    "description": "A named model.",
    "additionalProperties": False,
    "properties": {
        "path": {
            "type": "string",
            "format": "path",
            "minLength": 1,
            "description": "The model file, relative to mlgate.yml (python: given to the factory).",
        },
        "format": {
            "enum": ["joblib", "pickle", "skops", "onnx", "python"],
            "description": "Default: from the file name (.joblib, .pkl, .skops, .onnx).",
        },
        "factory": {
            "type": "string",
            "pattern": r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$",
            "description": "`pkg.module:function` returning the model (format: python).",
        },
        "ref": {
            "type": "string",
            "description": "`base`: the file as of the PR's base commit; or any git ref.",
        },
        "target": {"type": "string", "description": "The label column of the datasets."},
        "positive_class": {
            "type": ["string", "integer", "number", "boolean"],
            "description": "Whose probability is the score (default: the last class).",
        },
        "features": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Columns passed to the model (default: all but the target).",
        },
        "trusted": {
            "type": "array",
            "items": {"type": "string"},
            "description": "skops: types trusted beyond skops' defaults.",
        },
        "allow_pickle": {
            "type": "boolean",
            "description": "Allow pickle/joblib in a fork's run that holds a write token.",
        },
    },
}
