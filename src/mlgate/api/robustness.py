"""Bad requests generated from one valid example, and how an answer to each is judged.

Every case must be answered in time without a 5xx; "invalid" cases (a field missing or of the
wrong type, an empty body, not JSON, not an object) must answer 4xx. The "doubtful" ones (a null,
an extra field, a huge number, a long string, a 1 MB body, a wrong content type) may also be
accepted (2xx) unless `strict: true`, as a service may legitimately take them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlgate.api.http import NO_JSON, Answer, Req

LENIENT = {"null", "extra_field", "huge_number", "long_string", "large_body", "wrong_content_type"}
LONG = 100_000
ONE_MB = 1024 * 1024


@dataclass(frozen=True)
class Case:
    """One generated request: `kind` is one of the `cases:` names, `name` says what it does."""

    kind: str
    name: str
    req: Req
    field: str | None = None


def _wrong(value: Any) -> Any:
    """A value of another JSON type than `value`."""
    if isinstance(value, bool):
        return "not-a-boolean"
    if isinstance(value, (int, float)):
        return "not-a-number"
    if isinstance(value, str):
        return 12345
    if isinstance(value, list):
        return "not-a-list"
    if isinstance(value, dict):
        return "not-an-object"
    return {"unexpected": "object"}


def generate(spec: Mapping[str, Any]) -> list[Case]:
    """The cases for a `robustness:` mapping, in a stable order."""
    example: dict[str, Any] = dict(spec["example"])
    method = str(spec.get("method", "POST")).upper()
    path = str(spec["path"])
    headers = {str(k): str(v) for k, v in (spec.get("headers") or {}).items()}
    timeout = float(spec.get("timeout", 5))
    kinds = set(spec.get("cases") or [])

    def req(body: Any = NO_JSON, raw: bytes | None = None, ctype: str | None = None) -> Req:
        h = dict(headers)
        if ctype is not None:
            h["Content-Type"] = ctype
        return Req(method, path, json=body, body=raw, headers=h or None, timeout=timeout)

    out: list[Case] = []

    def add(kind: str, name: str, r: Req, field: str | None = None) -> None:
        if not kinds or kind in kinds:
            out.append(Case(kind, name, r, field))

    for field in example:
        rest = {k: v for k, v in example.items() if k != field}
        add("missing", f"`{field}` missing", req(rest), field)
    for field, value in example.items():
        bad = _wrong(value)
        add("wrong_type", f"`{field}` = {json.dumps(bad)}", req({**example, field: bad}))
    for field, value in example.items():
        if value is not None:
            add("null", f"`{field}` = null", req({**example, field: None}))
    add("empty_body", "empty body", req(raw=b"", ctype="application/json"))
    add("not_json", "body is not JSON", req(raw=b"{not json", ctype="application/json"))
    add("not_object", "body is a JSON list", req([example]))
    add("not_object", "body is a JSON string", req("example"))
    add(
        "wrong_content_type",
        "text/plain content type",
        req(raw=json.dumps(example).encode(), ctype="text/plain"),
    )
    add("extra_field", "an extra field", req({**example, "mlgate_unexpected_field": "x"}))
    for field, value in example.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            add("huge_number", f"`{field}` = 1e308", req({**example, field: 1e308}))
            add("huge_number", f"`{field}` = 10**30", req({**example, field: 10**30}))
    for field, value in example.items():
        if isinstance(value, str):
            long = req({**example, field: "x" * LONG})
            add("long_string", f"`{field}` 100,000 characters long", long)
    big = {**example, "mlgate_padding": "x" * ONE_MB}
    add("large_body", "a 1 MB body", req(big))
    return out


def verdict(
    case: Case, answer: Answer, strict: bool, optional: frozenset[str] = frozenset()
) -> str | None:
    """Why the answer to `case` is wrong, or None (`optional` fields may be left out)."""
    if answer.status is None:
        return answer.error or "no answer"
    if answer.error:
        return answer.error
    status = answer.status
    if status >= 500:
        return f"server error {status}"
    if 400 <= status < 500:
        return None
    if 200 <= status < 300 and not strict and case.kind in LENIENT:
        return None
    if 200 <= status < 300 and case.kind == "missing" and case.field in optional:
        return None
    return f"status {status} (expected 4xx: the request is invalid)"


# -- OpenAPI --------------------------------------------------------------------------------


def response_schema(doc: Mapping[str, Any], method: str, path: str, status: int) -> Any:
    """The declared JSON schema of that answer (with the document's components), or None."""
    op = (doc.get("paths") or {}).get(path, {}).get(method.lower())
    if not isinstance(op, Mapping):
        return None
    responses = op.get("responses") or {}
    declared = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
    declared = declared or responses.get("default")
    if not isinstance(declared, Mapping):
        return None
    content = declared.get("content") or {}
    media = content.get("application/json")
    if not isinstance(media, Mapping) or "schema" not in media:
        return None
    schema = dict(media["schema"])
    schema.setdefault("components", doc.get("components", {}))
    return schema


def required_fields(doc: Mapping[str, Any], method: str, path: str) -> set[str] | None:
    """The `required` list of the declared JSON request body, or None if not declared."""
    op = (doc.get("paths") or {}).get(path, {}).get(method.lower())
    if not isinstance(op, Mapping):
        return None
    content = ((op.get("requestBody") or {}).get("content") or {}).get("application/json")
    schema = content.get("schema") if isinstance(content, Mapping) else None
    for _ in range(10):  # follow local $refs, bounded
        if not isinstance(schema, Mapping) or "$ref" not in schema:
            break
        node: Any = doc
        for part in str(schema["$ref"]).lstrip("#/").split("/"):
            node = node.get(part) if isinstance(node, Mapping) else None
        schema = node
    if not isinstance(schema, Mapping) or schema.get("type") != "object":
        return None
    return {str(f) for f in schema.get("required", [])}


def declared_statuses(doc: Mapping[str, Any], method: str, path: str) -> list[str] | None:
    op = (doc.get("paths") or {}).get(path, {}).get(method.lower())
    if not isinstance(op, Mapping):
        return None
    return list((op.get("responses") or {}).keys())
