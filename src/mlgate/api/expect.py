"""Judging one answer against an `expect:` mapping: status, schema, json subset, headers, time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlgate.api.http import Answer


def status_ok(expected: Any, status: int) -> bool:
    """`200`, `[200, 201]` or `"4xx"`."""
    if isinstance(expected, list):
        return status in expected
    if isinstance(expected, str):
        return str(status)[0] == expected[0]
    return bool(status == expected)


def schema_errors(schema: Mapping[str, Any], value: Any, limit: int = 5) -> list[str]:
    """JSON Schema violations, each naming its JSON path (`$.score: 1.5 is greater than ...`)."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        validator = Draft202012Validator(schema)
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    except SchemaError as exc:
        return [f"the expected schema is invalid: {exc.message}"]
    return [f"{e.json_path}: {e.message}" for e in errors[:limit]]


def subset_errors(expected: Any, actual: Any, path: str = "$", limit: int = 5) -> list[str]:
    """Where `actual` does not contain `expected` (objects: a subset; lists: same length)."""
    out: list[str] = []
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return [f"{path}: expected an object, got {_show(actual)}"]
        for key, want in expected.items():
            if key not in actual:
                out.append(f"{path}.{key}: missing (expected {_show(want)})")
            else:
                out += subset_errors(want, actual[key], f"{path}.{key}", limit)
            if len(out) >= limit:
                break
        return out[:limit]
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {_show(expected)}, got {_show(actual)}"]
        for i, (want, got) in enumerate(zip(expected, actual, strict=True)):
            out += subset_errors(want, got, f"{path}[{i}]", limit)
        return out[:limit]
    same = expected == actual and isinstance(expected, bool) == isinstance(actual, bool)
    return [] if same else [f"{path}: expected {_show(expected)}, got {_show(actual)}"]


def _show(value: Any) -> str:
    import json

    text = json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:80] + "…"


def what_came_back(answer: Answer, limit: int = 80) -> str:
    """The content type and the start of the body, for a message:
    `content type text/html; it starts '<html><body>Internal Server Error…'`."""
    ctype = answer.headers.get("content-type")
    kind = f"content type {ctype}" if ctype else "no content type"
    if not answer.body:
        return f"{kind}; the body is empty"
    text = answer.body.decode("utf-8", "replace")
    flat = " ".join(text.split())  # newlines and runs of spaces read as one space
    if not flat:
        return f"{kind}; the body is {len(answer.body):,} bytes of white space"
    shown = flat[:limit] + ("…" if len(flat) > limit else "")
    return f"{kind}; it starts {shown!r}"


def judge(answer: Answer, expect: Mapping[str, Any], *, default_status: Any = None) -> list[str]:
    """Every way `answer` misses `expect` ([] if it meets it); no answer is one problem."""
    if answer.status is None:
        return [answer.error or "no answer"]
    problems: list[str] = []
    if answer.error:
        problems.append(answer.error)
    want = expect.get("status", default_status)
    if want is not None and not status_ok(want, answer.status):
        problems.append(f"status {answer.status} (expected {want})")
    if "schema" in expect or "json" in expect:
        ok, body = answer.parsed
        if not ok:
            problems.append(f"the body is not JSON ({what_came_back(answer)})")
        else:
            if "schema" in expect:
                problems += schema_errors(expect["schema"], body)
            if "json" in expect:
                problems += subset_errors(expect["json"], body)
    for name, value in (expect.get("headers") or {}).items():
        got = answer.headers.get(str(name).lower())
        if got is None:
            problems.append(f"header {name} missing")
        elif value != "*" and got != value:
            problems.append(f"header {name}: {got!r} (expected {value!r})")
    max_ms = expect.get("max_ms")
    if max_ms is not None and answer.elapsed_ms > max_ms:
        problems.append(f"took {answer.elapsed_ms:.0f} ms (expected <= {max_ms:g} ms)")
    return problems
