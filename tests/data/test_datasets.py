"""Reading datasets: every format, compressed, globbed, streamed in chunks, at a git ref."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import zstandard

import mlgate.datasets as ds
from mlgate.datasets import detect_format, iter_frames, read_paths
from mlgate.errors import DatasetError
from tests.data.helpers import credit_frame, run_gate


def _write(df: pd.DataFrame, path: Path) -> None:
    name = path.name.removesuffix(".gz").removesuffix(".zst")
    fmt = detect_format(name)
    plain = path.with_name(name)
    if fmt == "csv":
        df.to_csv(plain, index=False)
    elif fmt == "tsv":
        df.to_csv(plain, index=False, sep="\t")
    elif fmt == "parquet":
        df.to_parquet(plain)
    elif fmt == "jsonl":
        df.to_json(plain, orient="records", lines=True, date_format="iso")
    else:
        df.to_feather(plain)
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(plain.read_bytes()))
    elif path.name.endswith(".zst"):
        path.write_bytes(zstandard.ZstdCompressor().compress(plain.read_bytes()))


@pytest.mark.parametrize(
    "name",
    [
        "d.csv",
        "d.tsv",
        "d.parquet",
        "d.jsonl",
        "d.feather",
        "d.csv.gz",
        "d.csv.zst",
        "d.jsonl.gz",
        "d.parquet.zst",
        "d.tsv.gz",
    ],
)
def test_every_format_reads_whole_and_in_chunks_alike(tmp_path: Path, name: str) -> None:
    df = credit_frame(1000).drop(columns=["signup"])
    path = tmp_path / name
    _write(df, path)
    fmt = detect_format(name)
    whole = read_paths([path], fmt, {})
    assert whole.shape == df.shape
    assert whole["customer_id"].tolist() == df["customer_id"].tolist()
    assert whole["income"].isna().sum() == df["income"].isna().sum()
    chunks = list(iter_frames([path], fmt, {}, 300))
    assert [len(c) for c in chunks] == [300, 300, 300, 100]
    again = pd.concat(chunks, ignore_index=True)
    assert again["age"].tolist() == whole["age"].tolist()


def test_unknown_extension_asks_for_format() -> None:
    with pytest.raises(DatasetError, match="set `format:`"):
        detect_format("data.txt")


def test_a_glob_reads_every_file_in_order_and_chunks_never_mix_files(tmp_path: Path) -> None:
    df = credit_frame(900)
    for i in range(3):
        df.iloc[i * 300 : (i + 1) * 300].to_parquet(tmp_path / f"part-{i}.parquet")
    (tmp_path / "mlgate.yml").write_text(
        "version: 1\n"
        "datasets:\n"
        "  big: {path: 'part-*.parquet', chunk_rows: 250}\n"
        "  whole: {path: 'part-*.parquet'}\n"
        "data:\n"
        "  - {dataset: big, rows: {min: 900, max: 900}, unique: [customer_id]}\n"
        "  - {dataset: whole, rows: {min: 900, max: 900}, unique: [customer_id]}\n"
    )
    code, checks = run_gate(tmp_path)
    assert code == 0, checks
    assert checks["data/big/rows"]["message"] == "900 rows (expected >= 900 and <= 900)"
    chunks = list(iter_frames(sorted(tmp_path.glob("part-*.parquet")), "parquet", {}, 250))
    assert [len(c) for c in chunks] == [250, 50, 250, 50, 250, 50]


def test_a_later_csv_block_that_does_not_fit_the_first_blocks_type_widens_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ds, "_BLOCK_BYTES", 1 << 12)
    lines = ["a,b"] + [f"{i},x" for i in range(3000)] + ["1.5,y"] + [f"{i},z" for i in range(500)]
    lines += ["oops,w"]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(lines) + "\n")
    chunks = list(iter_frames([path], "csv", {}, 1000))
    assert sum(len(c) for c in chunks) == 3502
    values = pd.concat([c["a"].astype(str) for c in chunks], ignore_index=True)
    assert values.iloc[3000] == "1.5"
    assert values.iloc[-1] == "oops"


def test_reader_options_fall_back_to_pandas(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("# comment\na;b\n1;2\n3;4\n")
    df = read_paths([path], "csv", {"sep": ";", "comment": "#"})
    assert df.to_dict("list") == {"a": [1, 3], "b": [2, 4]}
    chunks = list(iter_frames([path], "csv", {"sep": ";", "comment": "#"}, 1))
    assert [c.to_dict("list") for c in chunks] == [{"a": [1], "b": [2]}, {"a": [3], "b": [4]}]


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_ref_base_reads_the_base_commit_and_is_skipped_outside_a_pr(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "config", "user.email", "t@example.com")
    _git(tmp_path, "config", "user.name", "t")
    credit_frame(400, seed=1).to_csv(tmp_path / "train.csv", index=False)
    (tmp_path / "parts").mkdir()
    for i in range(2):
        credit_frame(100, seed=i).to_parquet(tmp_path / "parts" / f"p-{i}.parquet")
    (tmp_path / "mlgate.yml").write_text(
        "version: 1\n"
        "datasets:\n"
        "  train: {path: train.csv}\n"
        "  before: {path: train.csv, ref: base}\n"
        "  parts: {path: 'parts/p-*.parquet', ref: base, chunk_rows: 64}\n"
        "data:\n"
        "  - dataset: before\n"
        "    rows: {min: 400, max: 400}\n"
        "  - dataset: parts\n"
        "    rows: {min: 200, max: 200}\n"
        "  - dataset: train\n"
        "    rows: {min: 1}\n"
        "    drift: {reference: before, columns: [age], method: psi}\n"
    )
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "base")
    base = _git(tmp_path, "rev-parse", "HEAD")
    shifted = credit_frame(500, seed=1)
    shifted["age"] = shifted["age"] + 30
    shifted.to_csv(tmp_path / "train.csv", index=False)
    credit_frame(100, seed=5).to_parquet(tmp_path / "parts" / "p-2.parquet")  # not at base

    code, checks = run_gate(tmp_path)
    assert code == 0
    assert checks["data/before/rows"]["status"] == "skipped"
    assert "not for a pull request" in checks["data/before/rows"]["message"]
    assert checks["data/train/drift/age"]["status"] == "skipped"
    assert checks["data/train/rows"]["status"] == "passed"

    code, checks = run_gate(tmp_path, "--base-ref", base)
    assert checks["data/before/rows"]["status"] == "passed"
    assert checks["data/parts/rows"]["message"] == "200 rows (expected >= 200 and <= 200)"
    assert checks["data/train/drift/age"]["status"] == "failed"
    assert "reference 400 rows · current 500 rows" in checks["data/train/drift/age"]["message"]
    assert code == 1


@pytest.mark.parametrize("suffix", [".zst", ".gz"])
def test_pandas_reader_options_read_compressed_files(tmp_path: Path, suffix: str) -> None:
    """Options only pandas has (`decimal`) still read .zst/.gz: pyarrow decompresses."""
    import gzip

    from mlgate.datasets import read_file

    plain = b"a;b\n1,5;x\n2,25;y\n"
    path = tmp_path / f"d.csv{suffix}"
    packed = (
        zstandard.ZstdCompressor().compress(plain) if suffix == ".zst" else gzip.compress(plain)
    )
    path.write_bytes(packed)
    frame = read_file(path, "csv", {"sep": ";", "decimal": ","})
    assert frame["a"].tolist() == [1.5, 2.25]
    assert frame["b"].tolist() == ["x", "y"]
