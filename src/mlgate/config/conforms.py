"""Whether a document satisfies a JSON Schema, quickly and without importing jsonschema.

Importing jsonschema (with referencing, attrs and its meta-schemas) takes about 35 ms, far more
than validating a configuration; nearly every run loads a valid one. `conforms` answers that
common case for the keywords mlgate's schema uses, with the meaning jsonschema's Draft 2020-12
validator gives them (held to it by `tests/core/test_conforms.py` on generated documents).
Only a `False` needs explaining: jsonschema then runs and says why (`validate.schema_issues`).
A keyword evaluated nowhere here, or a `$ref` it cannot follow, raises `Unsure`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

#: What jsonschema ignores too: annotations, and the keys mlgate adds for its own reference.
IGNORED = frozenset(
    {"$schema", "$defs", "$comment", "title", "description", "default", "examples"}
    | {"deprecated", "readOnly", "writeOnly", "relative_to", "max_ratio"}
)


class Unsure(Exception):  # noqa: N818 - an answer, not an error
    """The schema uses something `conforms` does not evaluate: ask jsonschema."""


def conforms(
    instance: Any, schema: Mapping[str, Any], formats: Mapping[str, Callable[[Any], bool]]
) -> bool:
    """Whether `instance` is valid under `schema`; `formats` check the `format`s they name
    (others pass, as with jsonschema's `FormatChecker`)."""
    return _Check(schema, formats).valid(instance, schema)


class _Check:
    def __init__(
        self, root: Mapping[str, Any], formats: Mapping[str, Callable[[Any], bool]]
    ) -> None:
        self.root = root
        self.formats = formats

    def valid(self, instance: Any, schema: Any) -> bool:
        if schema is True:
            return True
        if schema is False:
            return False
        if not isinstance(schema, Mapping):
            raise Unsure(f"a schema that is a {type(schema).__name__}")
        for keyword, value in schema.items():
            if keyword in IGNORED or (keyword == "$id" and schema is self.root):
                continue
            rule = _KEYWORDS.get(keyword)
            if rule is None:
                raise Unsure(keyword)
            if not rule(self, value, instance, schema):
                return False
        return True

    def ref(self, ref: Any) -> Any:
        if not isinstance(ref, str) or not ref.startswith("#/"):
            raise Unsure(f"$ref {ref!r}")
        target: Any = self.root
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, Mapping) or part not in target:
                raise Unsure(f"$ref {ref!r}")
            target = target[part]
        return target


def _is_type(instance: Any, name: str) -> bool:
    if name == "object":
        return isinstance(instance, dict)
    if name == "array":
        return isinstance(instance, list)
    if name == "string":
        return isinstance(instance, str)
    if name == "boolean":
        return isinstance(instance, bool)
    if name == "null":
        return instance is None
    if isinstance(instance, bool):
        return False
    if name == "integer":
        return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())
    if name == "number":
        return isinstance(instance, (int, float))
    raise Unsure(f"type {name!r}")


def _number(instance: Any) -> bool:
    return isinstance(instance, (int, float)) and not isinstance(instance, bool)


def _unbool(value: Any) -> Any:
    return ("bool", value) if isinstance(value, bool) else value


def equal(one: Any, two: Any) -> bool:
    """jsonschema's equality: `True` is not `1`, also inside lists and mappings."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(k in two and equal(v, two[k]) for k, v in one.items())
    return bool(_unbool(one) == _unbool(two))


Rule = Callable[[_Check, Any, Any, Mapping[str, Any]], bool]


def _type(c: _Check, value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
    names = value if isinstance(value, list) else [value]
    return any(_is_type(instance, str(n)) for n in names)


def _properties(c: _Check, value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
    if not isinstance(instance, dict):
        return True
    return all(c.valid(instance[k], sub) for k, sub in value.items() if k in instance)


def _additional(c: _Check, value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
    if not isinstance(instance, dict):
        return True
    if "patternProperties" in schema:
        raise Unsure("patternProperties")
    known = schema.get("properties", {})
    extras = [k for k in instance if k not in known]
    if isinstance(value, dict):
        return all(c.valid(instance[k], value) for k in extras)
    return bool(value) or not extras


def _property_names(c: _Check, value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
    return not isinstance(instance, dict) or all(c.valid(k, value) for k in instance)


def _required(c: _Check, value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
    return not isinstance(instance, dict) or all(k in instance for k in value)


def _dependent_required(c: _Check, value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
    if not isinstance(instance, dict):
        return True
    return all(d in instance for k, deps in value.items() if k in instance for d in deps)


def _min_properties(c: _Check, value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
    return not isinstance(instance, dict) or not len(instance) < value


def _max_properties(c: _Check, value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
    return not isinstance(instance, dict) or not len(instance) > value


def _items(c: _Check, value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
    if "prefixItems" in schema:
        raise Unsure("prefixItems")
    return not isinstance(instance, list) or all(c.valid(i, value) for i in instance)


def _min_items(c: _Check, value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
    return not isinstance(instance, list) or not len(instance) < value


def _unique_items(c: _Check, value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
    if not value or not isinstance(instance, list):
        return True
    return not any(equal(a, b) for i, a in enumerate(instance) for b in instance[i + 1 :])


def _enum(c: _Check, value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
    return any(equal(each, instance) for each in value)


def _const(c: _Check, value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
    return equal(instance, value)


def _minimum(c: _Check, value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
    return not _number(instance) or not instance < value


def _maximum(c: _Check, value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
    return not _number(instance) or not instance > value


def _exclusive_minimum(c: _Check, value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
    return not _number(instance) or not instance <= value


def _exclusive_maximum(c: _Check, value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
    return not _number(instance) or not instance >= value


def _pattern(c: _Check, value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
    return not isinstance(instance, str) or re.search(value, instance) is not None


def _min_length(c: _Check, value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
    return not isinstance(instance, str) or not len(instance) < value


def _format(c: _Check, value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
    check = c.formats.get(value)
    return check is None or check(instance)


def _one_of(c: _Check, value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
    return sum(1 for sub in value if c.valid(instance, sub)) == 1


def _any_of(c: _Check, value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
    return any(c.valid(instance, sub) for sub in value)


def _ref(c: _Check, value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
    return c.valid(instance, c.ref(value))


_KEYWORDS: dict[str, Rule] = {
    "type": _type,
    "properties": _properties,
    "additionalProperties": _additional,
    "propertyNames": _property_names,
    "required": _required,
    "dependentRequired": _dependent_required,
    "minProperties": _min_properties,
    "maxProperties": _max_properties,
    "items": _items,
    "minItems": _min_items,
    "uniqueItems": _unique_items,
    "enum": _enum,
    "const": _const,
    "minimum": _minimum,
    "maximum": _maximum,
    "exclusiveMinimum": _exclusive_minimum,
    "exclusiveMaximum": _exclusive_maximum,
    "pattern": _pattern,
    "minLength": _min_length,
    "format": _format,
    "oneOf": _one_of,
    "anyOf": _any_of,
    "$ref": _ref,
}
