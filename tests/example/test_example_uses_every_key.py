"""examples/credit/mlgate.yml shows every key of the configuration (but a few it cannot use)."""

from __future__ import annotations

from typing import Any

import yaml

from mlgate.config import load_config
from mlgate.config.reference import reference_rows
from mlgate.config.schema import build_schema
from tests.conftest import REPO

EXAMPLE = REPO / "examples" / "credit" / "mlgate.yml"

# Keys the example cannot use, each for a reason.
NOT_USED = {
    "datasets.<name>.format": "every file's name tells its format",
    "datasets.<name>.options": "the example's files need no reader options",
    "datasets.<name>.connection": "a database needs a server (tests/engines/test_postgres.py)",
    "datasets.<name>.table": "a database needs a server (tests/engines/test_postgres.py)",
    "datasets.<name>.sql": "a database needs a server (tests/engines/test_postgres.py)",
    "datasets.<name>.spark": "a Spark session needs Java (tests/engines/test_differential.py)",
    "datasets.<name>.spark.master": "a Spark session needs Java",
    "datasets.<name>.spark.conf": "a Spark session needs Java",
    "models.<name>.format": "every model file's name tells its format",
    "models.<name>.factory": "the example's models are files, not Python factories",
    "models.<name>.ref": "a base commit's model needs a pull request; see the comment in the file",
    "models.<name>.allow_pickle": "only meaningful in a fork's run with a write token",
    "models.<name>.features": "the models know the columns they were fitted on",
    "api[].url": "the started service's URL is the default",
    "shadow[].<side>.url": "nothing runs at a fixed URL in the example",
}


def side(path: str) -> str:
    """A shadow test's two sides share one schema: a key used on either side counts for both."""
    return path.replace("shadow[].primary", "shadow[].<side>").replace(
        "shadow[].candidate", "shadow[].<side>"
    )


def used_paths(schema: dict[str, Any], defs: dict[str, Any], value: Any, path: str) -> set[str]:
    if "$ref" in schema:
        schema = defs[schema["$ref"].removeprefix("#/$defs/")]
    out: set[str] = set()
    for key in ("oneOf", "anyOf"):
        for branch in schema.get(key, []):
            out |= used_paths(branch, defs, value, path)
    if isinstance(value, dict):
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for name, child in value.items():
            if name in props:
                sub = f"{path}.{name}" if path else name
                out.add(sub)
                out |= used_paths(props[name], defs, child, sub)
            elif isinstance(extra, dict):
                out.add(f"{path}.<name>")
                out |= used_paths(extra, defs, child, f"{path}.<name>")
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for item in value:
            out |= used_paths(schema["items"], defs, item, f"{path}[]")
    return out


def test_the_example_is_valid() -> None:
    config = load_config(EXAMPLE)
    assert {c.family for c in config.checks} == {"data", "model", "api", "shadow"}


def test_the_example_uses_every_key() -> None:
    schema = build_schema()
    used = {
        side(p)
        for p in used_paths(schema, schema["$defs"], yaml.safe_load(EXAMPLE.read_text()), "")
    }
    declared = {side(path) for path, _, _ in reference_rows(schema)}

    def covered(key: str) -> bool:
        if key in used or key in NOT_USED:
            return True
        parent, _, leaf = key.rpartition(".")
        # one of a bound's min/max (or a severity) is enough when the bound itself is used
        return leaf in ("min", "max", "severity") and parent in used

    assert sorted(k for k in declared if not covered(k)) == []
