"""A file that cannot be read (corrupt, truncated, misnamed, a folder) is a one-line `error` of
every check of its dataset, naming the dataset, the file and the reason, on every engine:
never "the check crashed" with a traceback."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("duckdb")

from tests.data.helpers import run_gate

MAGIC = (
    "Parquet magic bytes not found in footer. Either the file is corrupted or this is not a "
    "parquet file."
)


def _parquet(path: Path, n: int = 3) -> bytes:
    pq.write_table(pa.table({"a": list(range(n))}), path)
    return path.read_bytes()


def _gate(tmp_path: Path, engine: str, path: str) -> dict[str, dict[str, object]]:
    (tmp_path / "mlgate.yml").write_text(
        f"version: 1\ngate: {{engine: {engine}}}\ndatasets:\n  d: {{path: '{path}'}}\n"
        "data:\n  - dataset: d\n    rows: {min: 1}\n    columns:\n      a: {type: integer}\n"
    )
    code, checks = run_gate(tmp_path)
    assert code == 1
    assert set(checks) == {"data/d/rows", "data/d/columns/a/type"}
    assert len({c["message"] for c in checks.values()}) == 1, checks  # every check alike
    for check in checks.values():
        assert check["status"] == "error"
        assert not (check.get("details") or {}).get("traceback"), check
    return checks


def _message(tmp_path: Path, engine: str, path: str) -> str:
    return str(_gate(tmp_path, engine, path)["data/d/rows"]["message"])


@pytest.mark.parametrize(
    ("engine", "reason"),
    [
        ("duckdb", f"ArrowInvalid: {MAGIC}"),
        ("pandas", f"ArrowInvalid: Could not open Parquet input source 'data/d.parquet': {MAGIC}"),
    ],
)
def test_a_truncated_parquet_is_an_error_of_its_dataset(
    tmp_path: Path, engine: str, reason: str
) -> None:
    (tmp_path / "data").mkdir()
    whole = _parquet(tmp_path / "data" / "d.parquet", 1000)
    (tmp_path / "data" / "d.parquet").write_bytes(whole[: len(whole) // 2])
    assert _message(tmp_path, engine, "data/d.parquet") == (
        f"dataset 'd': cannot read 'data/d.parquet' as parquet: {reason}"
    )


@pytest.mark.parametrize(
    ("engine", "reason"),
    [
        ("duckdb", f"ArrowInvalid: {MAGIC}"),
        ("pandas", f"ArrowInvalid: Could not open Parquet input source 'd.parquet': {MAGIC}"),
    ],
)
def test_a_text_file_named_parquet_is_an_error_of_its_dataset(
    tmp_path: Path, engine: str, reason: str
) -> None:
    (tmp_path / "d.parquet").write_text("a,b\n1,2\n3,4\n5,6\n")
    assert _message(tmp_path, engine, "d.parquet") == (
        f"dataset 'd': cannot read 'd.parquet' as parquet: {reason}"
    )


@pytest.mark.parametrize(
    ("engine", "reason"),
    [
        ("duckdb", "ArrowInvalid: Parquet file size is 0 bytes"),
        (
            "pandas",
            "ArrowInvalid: Could not open Parquet input source 'd.parquet': Parquet file size "
            "is 0 bytes",
        ),
    ],
)
def test_an_empty_parquet_is_an_error_of_its_dataset(
    tmp_path: Path, engine: str, reason: str
) -> None:
    (tmp_path / "d.parquet").write_bytes(b"")
    assert _message(tmp_path, engine, "d.parquet") == (
        f"dataset 'd': cannot read 'd.parquet' as parquet: {reason}"
    )


def test_a_glob_matching_a_corrupt_file_names_that_file(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    _parquet(tmp_path / "data" / "p-1.parquet")
    (tmp_path / "data" / "p-2.parquet").write_bytes(b"PAR1 not really")
    assert _message(tmp_path, "duckdb", "data/p-*.parquet") == (
        f"dataset 'd': cannot read 'data/p-2.parquet' as parquet: ArrowInvalid: {MAGIC}"
    )
    assert _message(tmp_path, "pandas", "data/p-*.parquet") == (
        "dataset 'd': cannot read 'data/p-*.parquet' as parquet: ArrowInvalid: Could not open "
        f"Parquet input source 'data/p-2.parquet': {MAGIC}"
    )


def test_corrupt_pages_behind_a_sound_footer_are_an_error_of_its_dataset(
    tmp_path: Path,
) -> None:
    """The footer reads, so DuckDB fails only when it scans the pages."""
    table = pa.table({"a": list(range(1000)), "s": [f"x{i}" for i in range(1000)]})
    pq.write_table(table, tmp_path / "d.parquet", compression="snappy")
    data = bytearray((tmp_path / "d.parquet").read_bytes())
    data[100:2000] = b"\xab" * 1900
    (tmp_path / "d.parquet").write_bytes(bytes(data))
    assert pq.read_schema(tmp_path / "d.parquet").names == ["a", "s"]
    assert _message(tmp_path, "duckdb", "d.parquet") == (
        "dataset 'd': cannot read 'd.parquet' as parquet: Snappy decompression failure"
    )
    assert _message(tmp_path, "pandas", "d.parquet") == (
        "dataset 'd': cannot read 'd.parquet' as parquet: OSError: Corrupt snappy compressed data."
    )


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
@pytest.mark.parametrize("name", ["d.parquet", "d.csv"])
def test_a_folder_is_not_a_dataset_file(tmp_path: Path, engine: str, name: str) -> None:
    (tmp_path / name).mkdir()
    fmt = name.split(".")[1]
    assert _message(tmp_path, engine, name) == (
        f"dataset 'd': '{name}' is a folder, not a file: name its files with a glob "
        f"(`path: {name}/*.{fmt}`)"
    )


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_a_spark_output_folder_is_told_the_glob_of_its_files(tmp_path: Path, engine: str) -> None:
    """`part-*.parquet` files in partition folders beside `_SUCCESS`: the glob that reads them,
    found from the files (the folder's name says no format)."""
    for part in ("year=2023", "year=2024"):
        (tmp_path / "out" / part).mkdir(parents=True)
        pq.write_table(pa.table({"a": [1]}), tmp_path / "out" / part / "part-0.parquet")
    (tmp_path / "out" / "_SUCCESS").write_text("")
    assert _message(tmp_path, engine, "out") == (
        "dataset 'd': 'out' is a folder, not a file: name its files with a glob "
        "(`path: out/**/*.parquet`)"
    )


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_a_csv_gz_that_is_not_gzip_is_an_error_of_its_dataset(tmp_path: Path, engine: str) -> None:
    (tmp_path / "d.csv.gz").write_text("a\n1\n2\n")
    assert _message(tmp_path, engine, "d.csv.gz") == (
        "dataset 'd': cannot read 'd.csv.gz' as csv: OSError: zlib inflate failed: incorrect "
        "header check"
    )
    (tmp_path / "d.csv.gz").write_bytes(gzip.compress(b"a\n1\n2\n"))
    code, checks = run_gate(tmp_path)
    assert code == 0, checks


def test_a_parquet_that_cannot_be_opened_is_an_error_of_its_dataset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Permission denied (simulated: the tests may run as root, who may read anything)."""
    _parquet(tmp_path / "d.parquet")

    def denied(path: object, **_: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(pq, "read_schema", denied)
    assert _message(tmp_path, "duckdb", "d.parquet").startswith(
        "dataset 'd': cannot read 'd.parquet' as parquet: PermissionError: [Errno 13] "
        "Permission denied: '"
    )


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_a_file_named_as_text_that_is_not_text_says_what_it_is(tmp_path: Path, engine: str) -> None:
    (tmp_path / "z.csv").write_bytes(gzip.compress(b"a,b\n1,2\n"))
    assert _message(tmp_path, engine, "z.csv") == (
        "dataset 'd': z.csv is gzip-compressed, not text: name it `z.csv.gz`"
    )
    (tmp_path / "b.csv").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00,\n")
    assert _message(tmp_path, engine, "b.csv") == (
        "dataset 'd': b.csv is not text (it holds NUL bytes): a binary file?"
    )
    pq.write_table(pa.table({"a": [1, 2]}), tmp_path / "p.csv")
    assert _message(tmp_path, engine, "p.csv") == (
        "dataset 'd': p.csv is a parquet file, not text: name it `.parquet` or set "
        "`format: parquet`"
    )
    for text in (b"PAR1,PAR2\n1,2\n", b"BZh_rate\n1\n"):  # text that begins alike
        (tmp_path / "t.csv").write_bytes(text)
        (tmp_path / "mlgate.yml").write_text(
            f"version: 1\ngate: {{engine: {engine}}}\ndatasets:\n  d: {{path: t.csv}}\n"
            "data:\n  - dataset: d\n    rows: {min: 1}\n"
        )
        assert run_gate(tmp_path)[1]["data/d/rows"]["status"] == "passed"
