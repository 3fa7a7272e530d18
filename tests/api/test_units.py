"""The api family's pure parts: judging answers, generating bad requests, percentiles, payloads."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from mlgate.api.expect import judge, schema_errors, status_ok, subset_errors
from mlgate.api.http import Answer
from mlgate.api.latency import percentile
from mlgate.api.payloads import json_value, rows_as_payloads
from mlgate.api.robustness import LENIENT, generate, verdict

scalars = st.one_of(
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=5),
)
examples = st.dictionaries(st.text(min_size=1, max_size=6), scalars, min_size=1, max_size=6)


def _type(v: object) -> str:
    if isinstance(v, bool):
        return "bool"
    return "number" if isinstance(v, (int, float)) else type(v).__name__


@given(examples)
def test_generated_cases_break_exactly_one_thing(example: dict[str, object]) -> None:
    cases = generate({"path": "/p", "example": example})
    missing = [c for c in cases if c.kind == "missing"]
    assert [c.field for c in missing] == list(example)
    for case in missing:
        assert set(case.req.json) == set(example) - {case.field}
    wrong = [c for c in cases if c.kind == "wrong_type"]
    assert len(wrong) == len(example)
    for case, (field, value) in zip(wrong, example.items(), strict=True):
        changed = {k for k in example if case.req.json[k] != example[k]}
        assert changed == {field}
        assert _type(case.req.json[field]) != _type(value)
    numbers = sum(_type(v) == "number" for v in example.values())
    assert sum(c.kind == "huge_number" for c in cases) == 2 * numbers
    big = next(c for c in cases if c.kind == "large_body")
    assert len(json.dumps(big.req.json)) > 1024 * 1024
    assert {c.kind for c in cases} >= {"empty_body", "not_json", "not_object", "extra_field"}


def test_only_the_chosen_cases() -> None:
    cases = generate({"path": "/p", "example": {"a": 1, "b": "x"}, "cases": ["missing"]})
    assert [c.name for c in cases] == ["`a` missing", "`b` missing"]


def test_verdicts() -> None:
    [miss_a, *_] = generate({"path": "/p", "example": {"a": 1}, "cases": ["missing"]})
    [extra] = generate({"path": "/p", "example": {"a": 1}, "cases": ["extra_field"]})
    assert verdict(miss_a, Answer(422, 1.0), strict=False) is None
    assert verdict(miss_a, Answer(500, 1.0), strict=False) == "server error 500"
    assert verdict(miss_a, Answer(200, 1.0), strict=False) == (
        "status 200 (expected 4xx: the request is invalid)"
    )
    assert verdict(miss_a, Answer(200, 1.0), False, frozenset({"a"})) is None
    assert verdict(miss_a, Answer(None, 5000, error="no answer within 5 s (a hang)"), False) == (
        "no answer within 5 s (a hang)"
    )
    assert extra.kind in LENIENT
    assert verdict(extra, Answer(200, 1.0), strict=False) is None
    assert verdict(extra, Answer(200, 1.0), strict=True) is not None


def test_status_forms() -> None:
    assert status_ok(200, 200)
    assert not status_ok(200, 201)
    assert status_ok([200, 201], 201)
    assert not status_ok([200], 422)
    assert status_ok("4xx", 422)
    assert not status_ok("4xx", 500)


def test_schema_errors_name_the_json_path() -> None:
    schema = {
        "type": "object",
        "required": ["score"],
        "properties": {
            "score": {"type": "number", "maximum": 1},
            "items": {"type": "array", "items": {"type": "integer"}},
        },
    }
    assert schema_errors(schema, {"score": 0.5, "items": [1]}) == []
    assert schema_errors(schema, {"score": 1.5, "items": [1, "x"]}) == [
        "$.items[1]: 'x' is not of type 'integer'",
        "$.score: 1.5 is greater than the maximum of 1",
    ]
    assert schema_errors(schema, {}) == ["$: 'score' is a required property"]


def test_subset() -> None:
    body = {"model": "credit", "meta": {"v": 2, "tags": ["a"]}, "ok": True}
    assert subset_errors({"model": "credit", "meta": {"v": 2}}, body) == []
    assert subset_errors({"meta": {"v": 3}}, body) == ["$.meta.v: expected 3, got 2"]
    assert subset_errors({"nope": 1}, body) == ["$.nope: missing (expected 1)"]
    assert subset_errors({"ok": 1}, body) == ["$.ok: expected 1, got true"]
    assert subset_errors({"meta": {"tags": ["a", "b"]}}, body) == [
        '$.meta.tags: expected ["a", "b"], got ["a"]'
    ]


def test_judge_collects_every_problem() -> None:
    answer = Answer(201, 350.0, b'{"score": 2}', {"content-type": "application/json"})
    problems = judge(
        answer,
        {
            "status": 200,
            "schema": {"properties": {"score": {"maximum": 1}}},
            "json": {"model": "credit"},
            "headers": {"Content-Type": "text/plain", "X-Id": "*"},
            "max_ms": 200,
        },
    )
    assert problems == [
        "status 201 (expected 200)",
        "$.score: 2 is greater than the maximum of 1",
        '$.model: missing (expected "credit")',
        "header Content-Type: 'application/json' (expected 'text/plain')",
        "header X-Id missing",
        "took 350 ms (expected <= 200 ms)",
    ]
    assert judge(Answer(200, 1.0, b"not json"), {"json": {}}) == [
        "the body is not JSON (no content type; it starts 'not json')"
    ]


def test_a_body_that_is_not_json_shows_its_content_type_and_start() -> None:
    page = b"<html>\n  <body>Internal Server Error</body>\n</html>" + b" " * 40 + b"x" * 100
    answer = Answer(200, 1.0, page, {"content-type": "text/html; charset=utf-8"})
    (problem,) = judge(answer, {"schema": {"type": "object"}})
    shown = "<html> <body>Internal Server Error</body> </html> "
    shown += "x" * (80 - len(shown))
    assert problem == (
        f"the body is not JSON (content type text/html; charset=utf-8; it starts '{shown}…')"
    )
    assert judge(Answer(204, 1.0, b""), {"json": {}}) == [
        "the body is not JSON (no content type; the body is empty)"
    ]
    binary = judge(Answer(200, 1.0, b"\x00\x01'q", {"content-type": "x/y"}), {"json": {}})
    assert binary == ['the body is not JSON (content type x/y; it starts "\\x00\\x01\'q")']


@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=300), st.integers(1, 100))
def test_percentile_is_nearest_rank(values: list[float], q: int) -> None:
    ordered = sorted(values)
    p = percentile(ordered, q)
    assert p in values
    at_most = sum(v <= p for v in values)
    assert at_most / len(values) >= q / 100
    assert sum(v < p for v in values) / len(values) < q / 100


def test_percentile_examples() -> None:
    data = [float(i) for i in range(1, 101)]
    assert [percentile(data, q) for q in (50, 95, 99, 100)] == [50.0, 95.0, 99.0, 100.0]
    assert math.isnan(percentile([], 50))


def test_payloads_are_json_safe() -> None:
    df = pd.DataFrame(
        {
            "i": pd.array([1, None], dtype="Int64"),
            "f": [np.float32(1.5), np.nan],
            "s": ["a", None],
            "t": pd.to_datetime(["2024-01-02", None]),
            "b": [np.bool_(True), np.bool_(False)],
            "target": [0, 1],
        }
    )
    rows = rows_as_payloads(df, 5, exclude=["target"])
    assert rows == [
        (0, {"i": 1, "f": 1.5, "s": "a", "t": "2024-01-02T00:00:00", "b": True}),
        (1, {"i": None, "f": None, "s": None, "t": None, "b": False}),
    ]
    json.dumps(rows, allow_nan=False)
    assert json_value(np.int64(3)) == 3
    assert type(json_value(np.int64(3))) is int
    assert json_value(float("inf")) is None


def test_float32_cells_are_sent_as_written() -> None:
    """A float32 0.1 is sent as 0.1, not as 0.10000000149011612 (its float64 widening)."""
    df = pd.DataFrame({"x": np.array([0.1, 2.5, np.nan], dtype="float32")})
    payloads = [p for _, p in rows_as_payloads(df, 3)]
    assert payloads == [{"x": 0.1}, {"x": 2.5}, {"x": None}]
    assert json_value(np.float16(0.1)) == 0.1
    assert json_value(np.float32("inf")) is None


def test_integer_column_labels_become_text_keys() -> None:
    df = pd.DataFrame(
        np.array([[0.5, 1.0, 2.0], [1.5, 3.0, np.nan]], dtype=np.float32), columns=[0, 1, 2]
    )
    df[3] = ["a", "b"]
    rows = rows_as_payloads(df, 5, exclude=["2"])
    assert rows == [(0, {"0": 0.5, "1": 1.0, "3": "a"}), (1, {"0": 1.5, "1": 3.0, "3": "b"})]
    assert rows_as_payloads(df, 1, columns=["3", "2"]) == [(0, {"3": "a", "2": 2.0})]
