"""`conforms` (the quick yes of config validation) agrees with jsonschema on every document.

The reference is jsonschema's Draft 2020-12 validator itself, on mlgate's whole schema: the
example configuration (which uses every key), the bad-config corpus, and random edits of the
example (values replaced by other types, numbers at and beyond bounds, unknown and missing
keys), with a `format: path` check refusing some values.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from mlgate.config.conforms import IGNORED, Unsure, conforms, equal
from mlgate.config.schema import build_schema
from mlgate.config.yamlload import load_document
from tests.conftest import REPO

SCHEMA = build_schema()
EXAMPLE = load_document(REPO / "examples" / "credit" / "mlgate.yml").data
CORPUS = sorted((REPO / "tests" / "corpus" / "invalid").glob("*.yml"))


def refused(value: Any) -> bool:
    """A `format: path` check that refuses some values (as one outside the workspace is)."""
    return not (isinstance(value, str) and "zz" in value)


def jsonschema_says(doc: Any, path_check: Any = None) -> bool:
    checker = FormatChecker(formats=())
    if path_check is not None:
        checker.checks("path")(path_check)
    return bool(Draft202012Validator(SCHEMA, format_checker=checker).is_valid(doc))


def _strings(node: Any, out: set[str]) -> set[str]:
    """Every key and text value of the schema: the words a config is made of."""
    if isinstance(node, dict):
        for key, value in node.items():
            out.add(str(key))
            _strings(value, out)
    elif isinstance(node, list):
        for value in node:
            _strings(value, out)
    elif isinstance(node, str) and len(node) < 30:
        out.add(node)
    return out


WORDS = sorted(_strings(SCHEMA, set()) | {"", "x", "zz/data.csv", "bogus", "1"})
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.sampled_from([0, 1, 2**70, 0.0, 0.5, 1.0, 2.0, -1.5, 1e9, math.nan, math.inf, -math.inf])
    | st.sampled_from(WORDS)
)
VALUES = st.recursive(
    SCALARS,
    lambda kids: (
        st.lists(kids, max_size=3) | st.dictionaries(st.sampled_from(WORDS), kids, max_size=3)
    ),
    max_leaves=6,
)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*path, i))
    return out


def _at(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


@st.composite
def edited_examples(draw: st.DrawFn) -> Any:
    doc = copy.deepcopy(EXAMPLE)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(doc)))
        node = _at(doc, path)
        action = draw(st.sampled_from(["replace", "drop", "add", "repeat"]))
        if action == "replace" and path:
            _at(doc, path[:-1])[path[-1]] = draw(VALUES)
        elif action == "drop" and path and isinstance(_at(doc, path[:-1]), dict):
            del _at(doc, path[:-1])[path[-1]]
        elif action == "add" and isinstance(node, dict):
            node[draw(st.sampled_from(WORDS))] = draw(VALUES)
        elif action == "repeat" and isinstance(node, list) and node:
            node.append(copy.deepcopy(node[draw(st.integers(0, len(node) - 1))]))
    return doc


def test_the_example_conforms_without_jsonschema() -> None:
    """Every keyword mlgate's schema uses is evaluated (or an annotation): no `Unsure`."""
    assert conforms(EXAMPLE, SCHEMA, {}) is True
    assert jsonschema_says(EXAMPLE)


def test_nothing_jsonschema_checks_is_ignored() -> None:
    assert not IGNORED & set(Draft202012Validator.VALIDATORS)


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_each_config_of_the_corpus_is_judged_as_jsonschema_does(path: Path) -> None:
    try:
        doc = load_document(path).data
    except Exception:  # broken YAML: never validated
        return
    assert conforms(doc, SCHEMA, {"path": refused}) == jsonschema_says(doc, refused)


@settings(max_examples=1500, deadline=None)
@given(doc=edited_examples())
def test_an_edited_config_is_judged_as_jsonschema_does(doc: Any) -> None:
    try:
        fast = conforms(doc, SCHEMA, {"path": refused})
    except Unsure as exc:  # pragma: no cover - mlgate's schema is all evaluated
        pytest.fail(f"conforms could not decide: {exc}")
    assert fast == jsonschema_says(doc, refused)


@settings(max_examples=300, deadline=None)
@given(one=VALUES, two=VALUES)
def test_equality_is_jsonschemas(one: Any, two: Any) -> None:
    from jsonschema._utils import equal as reference

    assert equal(one, two) == reference(one, two)
    assert equal(one, one) == reference(one, one)


def test_a_keyword_it_does_not_evaluate_leaves_the_answer_to_jsonschema() -> None:
    with pytest.raises(Unsure):
        conforms({"a": 1}, {"patternProperties": {"^a": {"type": "string"}}}, {})
    with pytest.raises(Unsure):
        conforms(1, {"not": {"type": "string"}}, {})
    with pytest.raises(Unsure):
        conforms(1, {"$ref": "other.json#/x"}, {})


EDGES = [
    ({"type": "integer"}, 2.0),
    ({"type": "integer"}, 2.5),
    ({"type": "integer"}, True),
    ({"type": "number"}, False),
    ({"type": ["string", "null"]}, None),
    ({"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}, {"a": 1, "b": 2}),
    ({"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}, {"a": 1}),
    ({"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}, {}),
    ({"anyOf": [{"type": "string"}, {"minimum": 3}]}, 2),
    ({"enum": [1, "a"]}, True),
    ({"enum": [[1, 2]]}, [1.0, 2]),
    ({"const": False}, 0),
    ({"uniqueItems": True}, [1, True]),
    ({"uniqueItems": True}, [1, 1.0]),
    ({"minimum": 1}, math.nan),
    ({"exclusiveMaximum": 1}, 1),
    ({"maximum": 1}, "2"),
    ({"pattern": "b"}, "abc"),
    ({"minLength": 1}, ""),
    ({"minItems": 1}, []),
    ({"items": False}, []),
    ({"items": {"type": "string"}}, ["a", 1]),
    ({"propertyNames": {"pattern": "^[a-z]+$"}}, {"A": 1}),
    ({"additionalProperties": {"type": "string"}, "properties": {"a": {}}}, {"a": 1, "b": 2}),
    ({"dependentRequired": {"a": ["b"]}}, {"a": 1}),
    ({"maxProperties": 1, "minProperties": 1}, {"a": 1, "b": 2}),
]


@pytest.mark.parametrize(("schema", "instance"), EDGES, ids=[str(i) for i in range(len(EDGES))])
def test_each_keyword_at_its_edges_as_jsonschema(schema: dict[str, Any], instance: Any) -> None:
    want = Draft202012Validator(schema).is_valid(instance)
    assert conforms(instance, schema, {}) == want
