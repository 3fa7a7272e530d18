"""JSON Schema validation with errors a person can act on: file, line, key, did-you-mean."""

from __future__ import annotations

import difflib
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from mlgate.config.schema_parts import NAME
from mlgate.config.yamlload import Document, KeyPath, format_path


def schema_issues(doc: Document, schema: dict[str, Any]) -> list[str]:
    """Every schema violation as ``file:line:col: key.path: message``, in file order."""
    validator = Draft202012Validator(schema)
    found: list[tuple[int, int, str]] = []
    seen: set[str] = set()
    for error in validator.iter_errors(doc.data):
        for path, message in _explain(error, schema):
            loc = doc.locate(path)
            line = f"{loc.file}:{loc.line}:{loc.column}: {format_path(path)}: {message}"
            if line not in seen:
                seen.add(line)
                found.append((loc.line, loc.column, line))
    return [line for _, _, line in sorted(found)]


def _explain(error: ValidationError, root: dict[str, Any]) -> list[tuple[KeyPath, str]]:
    path: KeyPath = tuple(error.absolute_path)
    schema: Any = error.schema
    value: Any = error.validator_value
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list(_properties(schema, root))
        out = []
        for key in error.instance:
            if key in allowed or _matches_pattern(key, schema):
                continue
            out.append(((*path, key), f"unknown key {key!r}{did_you_mean(key, allowed)}"))
        return out or [(path, error.message)]
    if error.validator in ("anyOf", "oneOf") and error.context:
        best = _best_context(error)
        if best is not None:
            return _explain(best, root)
    if error.validator == "enum":
        options = ", ".join(repr(o) for o in value)
        hint = ""
        if isinstance(error.instance, str):
            hint = did_you_mean(error.instance, [str(o) for o in value])
            hint = hint if hint.startswith(" ->") else ""
        return [(path, f"{error.instance!r} is not one of {options}{hint}")]
    if error.validator == "type":
        wanted = value if isinstance(value, list) else [value]
        want_text = " or ".join(_YAML_WORDS.get(str(w), str(w)) for w in wanted)
        return [(path, f"expected {_article(want_text)}, got {_describe(error.instance)}")]
    if error.validator == "required":
        return [(path, error.message.replace("is a required property", "is required"))]
    if error.validator == "const":
        return [(path, f"must be {value!r}, got {error.instance!r}")]
    if error.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        word = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}
        bound = f"{word[str(error.validator)]} {value}"
        return [(path, f"must be {bound}, got {error.instance!r}")]
    if error.validator == "pattern" and value == NAME["pattern"]:
        bad_name = str(error.instance)
        name_path: KeyPath = path if path and path[-1] == bad_name else (*path, bad_name)
        return [(name_path, f"name {error.instance!r} may only use letters, digits, '_', '-', '.'")]
    if error.validator == "pattern":
        return [(path, f"{error.instance!r} does not match {value!r}")]
    if error.validator == "propertyNames" and error.context:
        bad: Any = error.context[0].instance
        return [((*path, bad), f"name {bad!r} may only use letters, digits, '_', '-' and '.'")]
    if error.validator == "minProperties":
        return [(path, "must not be empty")]
    if error.validator == "minItems":
        return [(path, f"needs at least {value} item(s)")]
    return [(path, error.message)]


def _best_context(error: ValidationError) -> ValidationError | None:
    """Among anyOf/oneOf branches, the error of the branch that matched the value's type best."""
    ctx = list(error.context or [])
    if not ctx:
        return None
    non_type = [e for e in ctx if e.validator != "type"]
    pool = non_type or ctx
    return max(pool, key=lambda e: len(e.absolute_path))


def _properties(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = dict(schema.get("properties", {}))
    return props


def _matches_pattern(key: str, schema: dict[str, Any]) -> bool:
    import re

    return any(re.search(p, key) for p in schema.get("patternProperties", {}))


def did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f" -> did you mean {close[0]!r}?"
    if choices and len(choices) <= 12:
        return " (expected one of: " + ", ".join(sorted(choices)) + ")"
    return ""


_YAML_WORDS = {"array": "list", "object": "mapping", "string": "text", "null": "null"}


def _article(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _describe(value: Any) -> str:
    names = {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a mapping",
        type(None): "nothing (null)",
    }
    shown = repr(value) if not isinstance(value, (dict, list)) else ""
    return names.get(type(value), type(value).__name__) + (f" {shown}" if shown else "")
