"""JSON Schema validation with errors a person can act on: file, line, key, did-you-mean."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mlgate.config.conforms import Unsure, conforms
from mlgate.config.schema_parts import NAME
from mlgate.config.yamlload import Document, KeyPath, format_path
from mlgate.paths import OutsideWorkspaceError

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError


def schema_issues(
    doc: Document, schema: dict[str, Any], *, path_format: Callable[[Any], bool] | None = None
) -> list[str]:
    """Every schema violation as ``file:line:col: key.path: message``, in file order.

    `path_format` checks the values of `format: path` keys (inside the workspace): True, or it
    raises `OutsideWorkspaceError`. A valid document is recognised without jsonschema."""
    return [line for _, line in schema_problems(doc, schema, path_format=path_format)]


def schema_problems(
    doc: Document, schema: dict[str, Any], *, path_format: Callable[[Any], bool] | None = None
) -> list[tuple[KeyPath, str]]:
    """`schema_issues` with the key path of each."""
    try:
        formats = {"path": _refused_as_false(path_format)} if path_format else {}
        if conforms(doc.data, schema, formats):
            return []
    except Unsure:
        pass
    from jsonschema import Draft202012Validator, FormatChecker

    checker = FormatChecker(formats=())
    if path_format is not None:
        checker.checks("path", raises=OutsideWorkspaceError)(path_format)
    validator = Draft202012Validator(schema, format_checker=checker)
    found: dict[str, tuple[int, int, KeyPath]] = {}
    for error in validator.iter_errors(doc.data):
        for path, message in _explain(error, schema):
            loc = doc.locate(path)
            line = f"{loc.file}:{loc.line}:{loc.column}: {format_path(path)}: {message}"
            found.setdefault(line, (loc.line, loc.column, path))
    order = sorted(found.items(), key=lambda item: item[1][:2])
    return [(path, line) for line, (_, _, path) in order]


def _refused_as_false(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    def passes(value: Any) -> bool:
        try:
            return check(value)
        except OutsideWorkspaceError:
            return False

    return passes


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
    if error.validator in ("anyOf", "oneOf"):
        keys = _required_choices(schema[str(error.validator)])
        if keys is not None:
            return _explain_choice(path, error.instance, keys, schema)
        types = [e.validator_value for e in error.context or () if e.validator == "type"]
        if types and len(types) == len(error.context or ()):  # no branch takes its kind
            words = [_YAML_WORDS.get(str(t), str(t)) for t in types if isinstance(t, str)]
            want_text = " or ".join(_article(w) for w in dict.fromkeys(words))
            return [(path, f"expected {want_text}, got {_describe(error.instance)}")]
        best = _best_context(error)
        if best is not None:
            return _explain(best, root)
        return [(path, f"{_describe(error.instance)} is not allowed here")]
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
        described = str(schema.get("description", "")).strip().rstrip(".")
        if described:  # the key's own words, not a regular expression
            described = described[:1].lower() + described[1:]
            return [(path, f"{error.instance!r} is not of the form expected here: {described}")]
        return [(path, f"{error.instance!r} does not match {value!r}")]
    if error.validator == "propertyNames" and error.context:
        bad: Any = error.context[0].instance
        return [((*path, bad), f"name {bad!r} may only use letters, digits, '_', '-' and '.'")]
    if error.validator == "minProperties":
        return [(path, "must not be empty")]
    if error.validator == "minItems":
        return [(path, f"needs at least {value} item(s)")]
    if error.validator == "minLength" and value == 1:
        return [(path, "must not be empty")]
    if error.validator in ("minLength", "maxLength"):
        least = "at least" if error.validator == "minLength" else "at most"
        return [(path, f"must be {least} {value} character(s) long, got {error.instance!r}")]
    if error.validator == "maxItems":
        return [(path, f"takes at most {value} item(s)")]
    if error.validator == "uniqueItems":
        return [(path, "lists an item twice")]
    if error.validator == "maxProperties":
        return [(path, f"takes at most {value} key(s)")]
    if error.validator == "multipleOf":
        return [(path, f"must be a multiple of {value}, got {error.instance!r}")]
    if error.validator == "format" and error.cause is not None:
        return [(path, str(error.cause))]
    if error.validator == "not":
        return [(path, f"{_describe(error.instance)} is not allowed here")]
    return [(path, f"{_describe(error.instance)} is not allowed here ({error.validator})")]


def _required_choices(branches: Any) -> list[str] | None:
    """`oneOf: [{required: [a]}, {required: [b]}]` (exactly one of keys a, b) as [a, b]."""
    if not isinstance(branches, list):
        return None
    keys = []
    for branch in branches:
        if not (isinstance(branch, dict) and set(branch) == {"required"}):
            return None
        if len(branch["required"]) != 1:
            return None
        keys.append(str(branch["required"][0]))
    return keys


def _explain_choice(
    path: KeyPath, instance: Any, keys: list[str], schema: dict[str, Any]
) -> list[tuple[KeyPath, str]]:
    """`exactly one of these keys`, in words: none given, several given, or not a mapping."""
    options = ", ".join(f"`{k}`" for k in keys)
    if not isinstance(instance, dict):
        if schema.get("type") == "object":
            return []  # the `type` error says it: expected a mapping
        return [(path, f"expected a mapping with one of {options}, got {_describe(instance)}")]
    given = [k for k in keys if k in instance]
    if not given:
        return [(path, f"needs one of {options}")]
    both = " and ".join(f"`{k}`" for k in given)
    return [(path, f"give only one of {options}, not {both}")]


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
