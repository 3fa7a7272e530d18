"""Whole-file and chunked reads judge the same for every column type (nested ones included);
reading problems say what to do (long lines, text that is not UTF-8); `pattern` runs on RE2."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlgate.data.pandas_backend import ChunkSource, FrameSource, PandasBackend
from mlgate.data.regex import full_matches
from mlgate.data.suite import build_suite
from mlgate.datasets import iter_frames, read_paths
from mlgate.errors import DatasetError
from tests.data.helpers import run_gate

ENTRY: dict[str, Any] = {
    "dataset": "d",
    "columns": {"l": {"unique": True}, "s": {"unique": True}, "k": {"unique": True}},
    "duplicates": {},
}

small = st.integers(0, 2)
lists = st.none() | st.lists(st.none() | small, max_size=3)
structs = st.none() | st.fixed_dictionaries(
    {"a": st.none() | small}, optional={"b": st.none() | st.lists(small, max_size=2)}
)
rows = st.lists(
    st.fixed_dictionaries({"k": st.none() | small, "l": lists, "s": structs}),
    min_size=1,
    max_size=14,
)


def _plain(value: Any) -> Any:
    """The reference's notion of equal nested values: JSON data where an absent key and a null
    one are the same (as a table with a fixed set of fields reads them)."""
    if isinstance(value, dict):
        return tuple(sorted((k, _plain(v)) for k, v in value.items() if v is not None))
    if isinstance(value, list):
        return tuple(_plain(v) for v in value)
    return value


def reference(records: list[dict[str, Any]]) -> dict[str, int]:
    """Repeats counted row by row: per column (missing values aside), and of whole rows."""
    out: dict[str, int] = {}
    for col in ("l", "s", "k"):
        values = [_plain(r[col]) for r in records if r[col] is not None]
        out[col] = len(values) - len(set(values))
    whole = [tuple(_plain(r[c]) for c in ("k", "l", "s")) for r in records]
    out["rows"] = len(whole) - len(set(whole))
    return out


def repeats(path: Path, fmt: str, chunk: int | None) -> dict[str, int]:
    suite = build_suite(ENTRY, "s")
    if chunk is None:
        source: FrameSource | ChunkSource = FrameSource("d", read_paths([path], fmt, {}))
    else:

        def parts() -> Iterator[pd.DataFrame]:
            return iter_frames([path], fmt, {}, chunk)

        source = ChunkSource("d", parts)
    profile = PandasBackend().profile(source, suite)
    out = {c: profile.column[c].checks["unique"].count for c in ("l", "s", "k")}
    assert profile.duplicates is not None
    out["rows"] = profile.duplicates.count
    return out


def _write(records: list[dict[str, Any]], folder: Path, fmt: str) -> Path:
    if fmt == "jsonl":
        path = folder / "d.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records))
    else:
        path = folder / "d.parquet"
        pq.write_table(pa.Table.from_pylist(records), path, row_group_size=3)
    return path


@settings(max_examples=80, deadline=None)
@given(records=rows, chunk=st.integers(1, 6), fmt=st.sampled_from(["parquet", "jsonl"]))
def test_unique_and_duplicates_of_nested_columns_do_not_depend_on_chunks(
    tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, Any]], chunk: int, fmt: str
) -> None:
    folder = tmp_path_factory.mktemp("nested")
    try:
        path = _write(records, folder, fmt)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a column pyarrow cannot type (all empty)
        return
    whole = repeats(path, fmt, None)
    assert repeats(path, fmt, chunk) == whole
    assert whole == reference(records)


def test_a_list_of_integers_with_a_missing_element_repeats_across_chunks(tmp_path: Path) -> None:
    """Issue 9 item 3: pyarrow gives [1.0, 2.0] in a chunk holding a null element and [1, 2]
    elsewhere, so the chunked read missed the repeat."""
    records = [{"k": 1, "l": [1, 2], "s": None}, {"k": 2, "l": [3], "s": None}]
    records += [{"k": 3, "l": [1, 2], "s": None}, {"k": 4, "l": [None, 4], "s": None}]
    path = _write(records, tmp_path, "parquet")
    assert repeats(path, "parquet", 2)["l"] == repeats(path, "parquet", None)["l"] == 1


PATTERNS = ["[a-c]+", "a|ab", "(ab)*c?", r"\d{2,3}", "[^b]*", "", ".", "a.c", "(?i)AB"]


@settings(max_examples=200, deadline=None)
@given(pattern=st.sampled_from(PATTERNS), values=st.lists(st.text("abc19\n", max_size=5)))
def test_re2_full_match_agrees_with_python_on_plain_patterns(
    pattern: str, values: list[str]
) -> None:
    got = full_matches(pd.Series(values, dtype=object), pattern).tolist()
    assert got == [re.fullmatch(pattern, v) is not None for v in values]


def _refusal_on_a_value(pattern: str) -> str | None:
    """The slow reference: RE2 compiling `pattern` as it matches a real value."""
    import pyarrow.compute as pc

    for form in (pattern, f"\\A(?:{pattern})\\z"):
        try:
            pc.match_substring_regex(pa.array(["abc"], pa.string()), form)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            return str(exc)
    return None


@settings(max_examples=300, deadline=None)
@given(pattern=st.text(alphabet="ab(){}[]|*+?^$\\-=!<:PQ1,.", max_size=8))
def test_a_pattern_is_refused_exactly_when_re2_cannot_compile_it(pattern: str) -> None:
    """`pattern_problem` probes RE2 without a value (no pandas at load time): the same verdict
    and reason as compiling it against a real value."""
    from mlgate.data.regex import pattern_problem

    reference = _refusal_on_a_value(pattern)
    problem = pattern_problem(pattern)
    assert (problem is None) == (reference is None)
    if reference is not None:
        reason = reference.removeprefix("Invalid regular expression: ").strip()
        assert f": {reason}" in (problem or "")


def test_a_catastrophic_pattern_runs_in_linear_time_or_is_refused(tmp_path: Path) -> None:
    """Issue 9 item 6: `^(?=(a+)+$)a*` hung the data check; RE2 cannot run it: config error."""
    from mlgate.data.regex import pattern_problem

    assert "lookahead is not supported" in (pattern_problem("^(?=(a+)+$)a*") or "")
    assert pattern_problem("(a+)+$") is None  # fine on RE2: no backtracking
    values = pd.Series(["a" * 50_000 + "!", "aaa"], dtype=object)
    assert full_matches(values, "(a+)+").tolist() == [False, True]


@pytest.mark.parametrize("chunk_rows", ["", ", chunk_rows: 2"])
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_line_longer_than_a_block_is_read(tmp_path: Path, fmt: str, chunk_rows: str) -> None:
    """Issue 9 item 9: a 10 MB CSV line gave "straddling object ... increase block size"."""
    long = "x" * (3 << 20)
    if fmt == "csv":
        text = f"a,b\n1,{long}\n2,y\n3,z\n"
    else:
        text = "".join(json.dumps({"a": i, "b": b}) + "\n" for i, b in enumerate([long, "y", "z"]))
    (tmp_path / f"t.{fmt}").write_text(text)
    (tmp_path / "mlgate.yml").write_text(
        f"version: 1\ndatasets:\n  t: {{path: t.{fmt}{chunk_rows}}}\n"
        "data:\n  - dataset: t\n    rows: {min: 3, max: 3}\n    columns:\n"
        "      b: {unique: true}\n"
    )
    code, checks = run_gate(tmp_path)
    assert checks["data/t/rows"]["status"] == "passed", checks["data/t/rows"]
    assert checks["data/t/columns/b/unique"]["status"] == "passed"
    assert code == 0


@pytest.mark.parametrize("chunk_rows", ["", ", chunk_rows: 1"])
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_latin1_text_says_which_option_reads_it(tmp_path: Path, fmt: str, chunk_rows: str) -> None:
    """Issue 9 item 9: Latin-1 text gave "mixed types"; say `options: {encoding: latin-1}`."""
    if fmt == "csv":
        data = "name,city\nAna,Lyon\nJosé,Málaga\n"
    else:
        data = json.dumps({"name": "Ana"}) + "\n" + '{"name": "José"}\n'
    (tmp_path / f"t.{fmt}").write_bytes(data.encode("latin-1"))
    config = (
        "version: 1\ndatasets:\n  t: {{path: t.{fmt}{extra}}}\n"
        "data:\n  - dataset: t\n    columns:\n      name: {{type: string, allowed: [Ana, José]}}\n"
    )
    (tmp_path / "mlgate.yml").write_text(config.format(fmt=fmt, extra=chunk_rows))
    code, checks = run_gate(tmp_path)
    check = checks["data/t/columns/name/type"]
    assert check["status"] == "error"
    assert f"t.{fmt} is not UTF-8 text" in check["message"]
    assert "add `options: {encoding: latin-1}` to the dataset" in check["message"]
    if fmt == "csv":
        assert "column `name`, line 3" in check["message"]
    assert code == 1
    (tmp_path / "mlgate.yml").write_text(
        config.format(fmt=fmt, extra=chunk_rows + ", options: {encoding: latin-1}")
    )
    code, checks = run_gate(tmp_path)
    assert checks["data/t/columns/name/allowed"]["status"] == "passed"
    assert code == 0


def test_a_line_beyond_the_largest_block_is_a_plain_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlgate.datasets as datasets

    monkeypatch.setattr(datasets, "_BLOCK_BYTES", 1 << 10)
    monkeypatch.setattr(datasets, "_MAX_BLOCK_BYTES", 1 << 12)
    path = tmp_path / "t.csv"
    path.write_text("a\n" + "x" * 20_000 + "\n")
    for read in (
        lambda: read_paths([path], "csv", {}),
        lambda: list(iter_frames([path], "csv", {}, 5)),
    ):
        with pytest.raises(DatasetError, match=r"t.csv: a line is longer than 4 KiB.*parquet"):
            read()


FLAT_ENTRY: dict[str, Any] = {
    "dataset": "d",
    "unique": [["k", "t"]],
    "duplicates": {},
    "columns": {
        "k": {"min": 0, "max": 1, "unique": True, "max_missing": 0.5},
        "f": {"min": -1.5, "max": 2**53 + 1, "unique": True},
        "b": {"unique": True, "allowed": [True]},
        "t": {"allowed": ["a", "ab"], "pattern": "a+b?", "unique": True},
    },
    "rules": [{"expr": "k < f or k >= 1"}, {"expr": "k != 2 ** 64 + 1"}],
}

flat_rows = st.lists(
    st.fixed_dictionaries(
        {
            "k": st.none() | st.integers(-1, 3),
            "f": st.none() | st.sampled_from([-2.0, 0.5, 1.0, 3.0]),
            "b": st.none() | st.booleans(),
            "t": st.none() | st.sampled_from(["a", "ab", "b", "aab"]),
        }
    ),
    min_size=1,
    max_size=14,
)


def judged(path: Path, fmt: str, chunk: int | None) -> list[tuple[str, str, Any, str]]:
    """Every check of FLAT_ENTRY as (id, status, observed, examples)."""
    from mlgate.data.plan import declare
    from mlgate.testing.data import _judge

    suite = build_suite(FLAT_ENTRY, "s", max_examples=50)
    if chunk is None:
        source: FrameSource | ChunkSource = FrameSource("d", read_paths([path], fmt, {}))
    else:
        source = ChunkSource("d", lambda: iter_frames([path], fmt, {}, chunk))
    profile = PandasBackend().profile(source, suite)
    declared, problems = declare(FLAT_ENTRY, "s")
    assert not problems
    out = []
    for d in declared:
        o = _judge(d.kind, d.params, suite, profile, None)
        observed = round(o.observed, 9) if isinstance(o.observed, float) else o.observed
        out.append(("/".join(d.id_parts), o.status, observed, str(o.examples)))
    return out


@settings(max_examples=60, deadline=None)
@given(
    records=flat_rows,
    chunk=st.integers(1, 6),
    fmt=st.sampled_from(["csv", "parquet", "jsonl"]),
)
def test_every_check_judges_the_same_whole_or_chunked(
    tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, Any]], chunk: int, fmt: str
) -> None:
    """Integers with a gap read as floats, booleans with a gap as objects, in some chunks only."""
    folder = tmp_path_factory.mktemp("flat")
    if fmt == "csv":
        path = folder / "d.csv"
        cell = {None: ""}
        lines = [",".join(cell.get(r[c], str(r[c])) for c in "kfbt") for r in records]
        path.write_text("k,f,b,t\n" + "".join(line + "\n" for line in lines))
    elif fmt == "jsonl":
        path = folder / "d.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records))
    else:
        path = folder / "d.parquet"
        schema = pa.schema(
            [("k", pa.int64()), ("f", pa.float64()), ("b", pa.bool_()), ("t", pa.string())]
        )
        pq.write_table(pa.Table.from_pylist(records, schema=schema), path, row_group_size=2)
    assert judged(path, fmt, chunk) == judged(path, fmt, None)


def test_a_late_value_widening_a_column_in_the_first_block_after_a_reopen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The widened read restarts after the rows given; its first block may hold the next
    surprise (a float, then text), which must widen again rather than fail."""
    import mlgate.datasets as datasets

    monkeypatch.setattr(datasets, "_BLOCK_BYTES", 1 << 12)
    path = tmp_path / "t.csv"
    rows = [str(i) for i in range(3000)] + ["1.5", "Z"] + [str(i) for i in range(10)]
    path.write_text("a\n" + "".join(r + "\n" for r in rows))
    whole = read_paths([path], "csv", {})
    streamed = pd.concat(list(iter_frames([path], "csv", {}, 700)), ignore_index=True)
    assert streamed["a"].astype(str).tolist() == whole["a"].astype(str).tolist()
    assert whole["a"].tolist()[3000:3002] == ["1.5", "Z"]
