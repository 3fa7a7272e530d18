"""The located YAML loader: data as PyYAML gives it, plus the line of every key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from mlgate.config.yamlload import format_path, load_document
from mlgate.errors import ConfigError

TEXT = """\
version: 1
datasets:
  train: {path: data/train.csv}
data:
  - dataset: train
    columns:
      age:
        min: 18
        max: 120
      signup: {max: 2024-01-01}
"""


def test_every_key_has_its_line_and_column() -> None:
    doc = load_document(Path("mlgate.yml"), TEXT)
    assert doc.locate(("datasets", "train")).line == 3
    assert doc.locate(("data", 0)).line == 5
    loc = doc.locate(("data", 0, "columns", "age", "max"))
    assert (loc.file, loc.line, loc.column) == ("mlgate.yml", 9, 9)
    # a path below a scalar falls back to the nearest declared node
    assert doc.locate(("data", 0, "columns", "age", "max", "deeper")).line == 9


def test_dates_stay_text_so_the_schema_sees_what_was_written() -> None:
    doc = load_document(Path("mlgate.yml"), TEXT)
    assert doc.get(("data", 0, "columns", "signup", "max")) == "2024-01-01"


def test_duplicate_keys_are_rejected_with_both_lines() -> None:
    with pytest.raises(ConfigError) as info:
        load_document(Path("c.yml"), "a: 1\nb:\n  x: 1\n  x: 2\n")
    assert info.value.issues == ["c.yml:4:3: b.x: duplicate key 'x' (first given on line 3)"]


def test_anchors_and_merge_keys_work() -> None:
    doc = load_document(Path("c.yml"), "base: &b {min: 1}\nage: {<<: *b, max: 2}\n")
    assert doc.data["age"] == {"min": 1, "max": 2}


def test_format_path() -> None:
    assert format_path(("data", 0, "columns", "age")) == "data[0].columns.age"
    assert format_path(()) == "(top level)"


keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
scalars = st.one_of(
    st.integers(-(10**9), 10**9), st.booleans(), st.text(alphabet="abc xyz-_.", max_size=10)
)
trees = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=20,
)


@given(st.dictionaries(keys, trees, min_size=1, max_size=5))
def test_loaded_data_equals_pyyaml_and_every_key_is_located(tree: dict[str, object]) -> None:
    text = yaml.safe_dump(tree, sort_keys=False)
    doc = load_document(Path("p.yml"), text)
    assert doc.data == yaml.safe_load(text)
    lines = text.splitlines()
    for key in tree:
        loc = doc.locate((key,))
        assert lines[loc.line - 1][loc.column - 1 :].startswith(key) or key in lines[loc.line - 1]


def test_exponents_are_numbers_as_in_yaml_1_2() -> None:
    text = (
        "a: [1e-3, 1E6, 2.5e10, -1e+2, .5e1, 1.e2, 1_000e1]\n"
        "b: [12, 1.5, 0x1F, e5, 1e, 1e5x, '1e3']\n"
    )
    doc = load_document(Path("c.yml"), text)
    assert doc.data["a"] == [0.001, 1e6, 2.5e10, -100.0, 5.0, 100.0, 10000.0]
    assert all(type(v) is float for v in doc.data["a"])
    assert doc.data["b"] == [12, 1.5, 31, "e5", "1e", "1e5x", "1e3"]
    assert type(doc.data["b"][0]) is int


def test_only_true_and_false_are_booleans_as_in_yaml_1_2() -> None:
    doc = load_document(Path("c.yml"), "a: [yes, no, Y, N, on, off]\nb: [true, False]\n")
    assert doc.data == {"a": ["yes", "no", "Y", "N", "on", "off"], "b": [True, False]}
