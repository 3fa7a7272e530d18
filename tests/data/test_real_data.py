"""Regressions found trying mlgate on real-shaped, messy data (nested JSON, parquet lists,
repeated CSV headers, globs whose files differ, time zones, `;` files, shallow clones)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mlgate.cli import main
from mlgate.data.drift import numeric_drift
from mlgate.datasets import iter_frames, read_paths
from mlgate.errors import CheckError
from mlgate.gitref import read_at_ref
from mlgate.testing import assert_no_drift, assert_schema
from tests.data.helpers import run_gate


def _gate(folder: Path, config: str) -> dict[str, dict[str, object]]:
    (folder / "mlgate.yml").write_text(config)
    _, checks = run_gate(folder)
    return checks


def test_nested_json_and_parquet_lists_are_checked_not_crashed(tmp_path: Path) -> None:
    with (tmp_path / "events.jsonl").open("w") as f:
        for i in range(40):
            f.write(json.dumps({"id": i, "meta": {"k": i % 2}, "tags": ["a", "b"][: i % 3]}) + "\n")
    pq.write_table(pa.table({"id": list(range(40)), "l": [[1, 2]] * 40}), tmp_path / "l.parquet")
    checks = _gate(
        tmp_path,
        """version: 1
datasets:
  events: {path: events.jsonl}
  lists: {path: l.parquet}
data:
  - dataset: events
    duplicates: {}
    unique: [meta]
    columns: {meta: {type: string}, tags: {allowed: ['[]', '["a"]']}}
    drift: {reference: events, columns: [tags]}
  - dataset: lists
    unique: [l]
""",
    )
    assert all(c["status"] != "error" for c in checks.values()), checks
    assert checks["data/events/duplicates"]["status"] == "passed"
    meta_type = checks["data/events/columns/meta/type"]
    assert meta_type["status"] == "failed"
    assert "lists/objects" in str(meta_type["message"])
    assert checks["data/events/unique"]["observed"] == 38  # {"k": 0} / {"k": 1}
    allowed = checks["data/events/columns/tags/allowed"]
    assert allowed["observed"] == ['["a", "b"]']
    assert checks["data/events/drift/tags"]["status"] == "passed"
    assert checks["data/lists/unique"]["observed"] == 39


def test_a_csv_header_naming_a_column_twice_reads_as_pandas_does(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("a,b,a\n1,2,3\n4,5,6\n")
    df = read_paths([tmp_path / "d.csv"], "csv", {})
    assert list(df.columns) == ["a", "b", "a.1"]
    assert df["a.1"].tolist() == [3, 6]
    chunks = list(iter_frames([tmp_path / "d.csv"], "csv", {}, 1))
    assert [list(c.columns) for c in chunks] == [["a", "b", "a.1"]] * 2
    checks = _gate(
        tmp_path,
        "version: 1\ndatasets: {d: {path: d.csv}}\n"
        "data: [{dataset: d, strict: true, columns: {a: {max: 4}, b: {}}}]\n",
    )
    assert checks["data/d/columns/a/max"]["status"] == "passed"
    assert "`a.1`" in str(checks["data/d/strict"]["message"])


def test_frames_with_repeated_or_non_text_column_names() -> None:
    ints = pd.DataFrame({0: [1, 2], 1: [3, 4]})
    assert_schema(ints, {"0": {"type": "integer", "max": 2}}, strict=False, unique=["0"])
    assert_no_drift(pd.DataFrame({0: range(50)}), pd.DataFrame({0: range(50)}))
    with pytest.raises(CheckError, match="several columns named `a`"):
        assert_schema(pd.DataFrame([[1, 2]], columns=["a", "a"]), {"a": {"max": 5}})


def test_a_streamed_glob_whose_files_differ_has_every_column(tmp_path: Path) -> None:
    pd.DataFrame({"id": range(5), "v": np.arange(5.0)}).to_parquet(tmp_path / "p1.parquet")
    pd.DataFrame({"v": np.arange(5.0), "id": range(5, 10), "extra": ["e"] * 5}).to_parquet(
        tmp_path / "p2.parquet"
    )
    paths = [tmp_path / "p1.parquet", tmp_path / "p2.parquet"]
    whole = read_paths(paths, "parquet", {})
    streamed = pd.concat(list(iter_frames(paths, "parquet", {}, 3)), ignore_index=True)
    assert list(streamed.columns) == ["id", "v", "extra"]
    pd.testing.assert_frame_equal(streamed, whole[["id", "v", "extra"]], check_dtype=False)
    checks = _gate(
        tmp_path,
        """version: 1
datasets: {p: {path: "p*.parquet", chunk_rows: 3}}
data:
  - dataset: p
    columns: {id: {unique: true}, extra: {max_missing: 0.5, allowed: [e]}}
""",
    )
    assert checks["data/p/columns/extra/max_missing"]["message"].startswith("5 of 10 values")
    assert checks["data/p/columns/extra/allowed"]["status"] == "passed"


def test_date_bounds_and_rule_dates_read_in_the_columns_time_zone(tmp_path: Path) -> None:
    paris = pd.Series(pd.date_range("2024-01-01", periods=48, freq="h", tz="Europe/Paris"))
    df = pd.DataFrame({"at": paris})
    # midnight in Paris is 23:00 UTC the day before: still on 2024-01-01 for the user
    assert_schema(
        df,
        {"at": {"type": "datetime", "min": "2024-01-01", "max": "2024-01-02T23:00:00"}},
        rules=[{"expr": "at >= '2024-01-01'"}, {"expr": "'2024-01-03' > at"}],
    )
    with pytest.raises(AssertionError, match=r"1 of 48 rows .* break `at > '2024-01-01'`"):
        assert_schema(df, rules=[{"expr": "at > '2024-01-01'"}])
    utc = pd.DataFrame({"at": pd.date_range("2024-01-01", periods=10, freq="D")})
    with pytest.raises(AssertionError, match=r"2 of 10 rows .* break"):
        assert_schema(utc, rules=[{"expr": "at >= '2024-01-03T01:00:00+01:00'"}])
    assert_schema(
        utc.assign(end=utc["at"] + pd.Timedelta(days=1)), rules=[{"expr": "end - at > 0"}]
    )
    # a bound with a zone on a zone-less column: compared as UTC, not a crash
    with pytest.raises(AssertionError, match=r"1 of 10 non-missing values .* are below"):
        assert_schema(utc, {"at": {"min": "2024-01-02T00:30:00+01:00"}})
    # `mlgate init` writes a min its own data passes
    df.to_parquet(tmp_path / "t.parquet")
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert main(["init", "t.parquet", "--output", "mlgate.yml"]) == 0
    finally:
        os.chdir(here)
    assert "min: '2023-12-30'" in (tmp_path / "mlgate.yml").read_text()  # first date - span
    code, checks = run_gate(tmp_path)
    assert code == 0, {k: c["message"] for k, c in checks.items() if c["status"] != "passed"}


def test_categorical_offenders_do_not_list_unused_categories() -> None:
    df = pd.DataFrame({"g": pd.Categorical(["a", "b", "c", "c"])})
    with pytest.raises(AssertionError) as info:
        assert_schema(df, {"g": {"allowed": ["a", "b"]}})
    assert "`c` ×2" in str(info.value)
    assert "×0" not in str(info.value)


def test_drift_of_dates_shows_dates_in_the_bins_that_moved() -> None:
    day = 86_400.0
    ref = 1_704_067_200 + np.arange(100) * day  # 2024-01-01 onwards
    r = numeric_drift(ref, ref + 50 * day, "psi", None, 4, dates=True)
    assert r.drifted
    assert any("2024-" in m["bin"] for m in r.moved)
    assert not any("e+09" in m["bin"] for m in r.moved)
    few = numeric_drift(
        np.repeat(ref[:2], 20), np.repeat(ref[1:3], 20), "chi2", None, 4, dates=True
    )
    assert {m["bin"] for m in few.moved} <= {"2024-01-01", "2024-01-02", "2024-01-03"}


def test_mixed_type_column_says_so() -> None:
    df = pd.DataFrame({"x": pd.Series([1, "a", 2.5] * 5, dtype=object)})
    with pytest.raises(AssertionError, match="mixed types"):
        assert_schema(df, {"x": {"type": "string"}})


def test_rule_with_backticks_is_quoted_so_its_column_names_stay_code() -> None:
    df = pd.DataFrame({"my col": [1, 5]})
    with pytest.raises(AssertionError) as info:
        assert_schema(df, rules=[{"expr": "`my col` < 3"}])
    assert "break “`my col` < 3” (allowed 0)" in str(info.value)
    from mlgate.report.text import message_md

    assert message_md("break “`my col` < 3”") == "break “`my col` &lt; 3”"


def test_init_reads_semicolon_files_and_says_why_a_file_is_unreadable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pd.DataFrame({"a": range(40), "b": ["x", "y"] * 20}).to_csv(
        tmp_path / "eu.csv", sep=";", index=False
    )
    (tmp_path / "junk.csv").write_bytes(bytes(range(256)) * 20)
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert main(["init", "eu.csv", "--output", "mlgate.yml"]) == 0
        assert main(["init", "junk.csv"]) == 2
    finally:
        os.chdir(here)
    err = capsys.readouterr().err
    assert "junk.csv: cannot read it as csv" in err
    assert "Traceback" not in err
    text = (tmp_path / "mlgate.yml").read_text()
    assert "sep: ;" in text or "sep: ';'" in text
    code, checks = run_gate(tmp_path)
    assert code == 0
    assert checks["data/eu/columns/b/allowed"]["status"] == "passed"


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_an_unknown_base_commit_is_named_as_such(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / "d.csv").write_text("a\n1\n")
    _git(tmp_path, "add", "d.csv")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x")
    assert read_at_ref(tmp_path / "d.csv", "HEAD") == b"a\n1\n"
    with pytest.raises(CheckError, match=r"'1234abcd' is not a commit in this clone.*fetch-depth"):
        read_at_ref(tmp_path / "d.csv", "1234abcd")


@pytest.mark.parametrize(
    ("expr", "hint"),
    [
        ("a.b < 9", "a column named 'a.b' goes in backticks: `a.b`"),
        ("class == 1", "goes in backticks: `my col` > 0"),
        ("a[0] > 1", "a subscript ([...]) is not allowed"),
    ],
)
def test_a_rule_naming_a_column_without_backticks_says_how(expr: str, hint: str) -> None:
    from mlgate.data.expr import RuleSyntaxError, parse_rule

    with pytest.raises(RuleSyntaxError) as info:
        parse_rule(expr)
    assert hint in str(info.value)
    assert parse_rule("`class` == 1 and `a.b` < 9").columns == ("class", "a.b")


def test_a_streamed_jsonl_whose_later_lines_add_a_field_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlgate.datasets as ds
    from mlgate.errors import DatasetError

    monkeypatch.setattr(ds, "_BLOCK_BYTES", 1024)
    lines = [{"id": i, **({"extra": "x"} if i > 200 else {})} for i in range(300)]
    (tmp_path / "late.jsonl").write_text("".join(json.dumps(d) + "\n" for d in lines))
    assert read_paths([tmp_path / "late.jsonl"], "jsonl", {})["extra"].notna().sum() == 99
    with pytest.raises(DatasetError, match="drop `chunk_rows` to read the file whole"):
        list(iter_frames([tmp_path / "late.jsonl"], "jsonl", {}, 50))


def test_a_binary_file_named_csv_is_an_error_without_its_garbage(tmp_path: Path) -> None:
    (tmp_path / "junk.csv").write_bytes(bytes(range(256)) * 20)
    checks = _gate(
        tmp_path,
        "version: 1\ndatasets: {j: {path: junk.csv}}\ndata: [{dataset: j, rows: {min: 1}}]\n",
    )
    (check,) = checks.values()
    assert check["status"] == "error"
    message = str(check["message"])
    assert message == "dataset 'j': junk.csv is not text (it holds NUL bytes): a binary file?"
    (tmp_path / "junk.csv").write_bytes(bytes(range(1, 256)) * 20)  # no NUL: the reader's error
    (check,) = _gate(
        tmp_path,
        "version: 1\ndatasets: {j: {path: junk.csv}}\ndata: [{dataset: j, rows: {min: 1}}]\n",
    ).values()
    message = str(check["message"])
    assert check["status"] == "error"
    assert message.startswith("dataset 'j': cannot read 'junk.csv' as csv:"), message
    assert all(c.isprintable() and c != "\ufffd" for c in message)


def test_drift_over_every_column_skips_those_the_method_does_not_fit(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    ref = pd.DataFrame({"x": rng.normal(size=200), "g": rng.choice(["a", "b"], 200)})
    ref.to_parquet(tmp_path / "ref.parquet")
    ref.assign(x=ref["x"] + 3).to_parquet(tmp_path / "cur.parquet")
    checks = _gate(
        tmp_path,
        """version: 1
datasets: {ref: {path: ref.parquet}, cur: {path: cur.parquet}}
data: [{dataset: cur, drift: {reference: ref, method: ks}}]
""",
    )
    check = checks["data/cur/drift"]
    assert check["status"] == "failed"
    assert check["message"] == "1 of 2 columns drifted: `x` (1 not compared: `g`; see details)"
    # the testing helper, one check per column, reports the misfit like the gate: an error
    with pytest.raises(AssertionError, match=r"drift/g: `ks` needs a numeric column"):
        assert_no_drift(ref, ref, method="ks")


def test_allowed_yes_no_stay_text_in_mlgate_yml(tmp_path: Path) -> None:
    pd.DataFrame({"ok": ["yes", "no"] * 20}).to_csv(tmp_path / "a.csv", index=False)
    checks = _gate(
        tmp_path,
        "version: 1\ndatasets: {a: {path: a.csv}}\n"
        "data: [{dataset: a, columns: {ok: {allowed: [yes, no]}}}]\n",
    )
    check = checks["data/a/columns/ok/allowed"]
    assert check["status"] == "passed"  # YAML 1.2: yes/no are text, not booleans
    assert check["message"] == "all 40 non-missing values are in [yes, no]"


def test_booleans_against_text_are_not_compared_as_categories() -> None:
    ref = pd.DataFrame({"flag": [True, False] * 30})
    cur = pd.DataFrame({"flag": ["True", "False"] * 30})
    assert_no_drift(cur, ref)  # skipped (not comparable), not a 100% drift
    from mlgate.testing.data import _judge_suite

    ((_, outcome),) = _judge_suite(
        {"dataset": "frame", "drift": {"reference": "reference", "columns": ["flag"]}}, cur, ref
    )
    assert outcome.status == "skipped"
    assert "`flag` is string here but boolean in the reference" in outcome.message


def test_the_mean_of_a_boolean_label_is_its_share_of_true() -> None:
    ref = pd.DataFrame({"approved": [True, False, True, True] * 20})
    df = pd.DataFrame({"approved": pd.array([True, False, False, None] * 20, dtype="boolean")})
    assert_schema(ref, {"approved": {"type": "boolean", "mean": {"min": 0.7, "max": 0.8}}})
    with pytest.raises(AssertionError, match=r"mean of `approved` is 0.333333 over 60 non-missing"):
        assert_schema(df, {"approved": {"mean": {"min": 0.5}, "median": {"max": 0}}})
    with pytest.raises(AssertionError, match=r"drift/approved: chi2 p-value"):
        assert_no_drift(df, ref)


def test_a_rule_cannot_hang_or_exhaust_memory() -> None:
    from mlgate.data.expr import RuleSyntaxError, parse_rule

    with pytest.raises(RuleSyntaxError, match=r"9 \*\* 387420489 is too large"):
        parse_rule("x > 9**9**9")  # refused before it is computed
    with pytest.raises(RuleSyntaxError, match="text cannot take part in arithmetic"):
        parse_rule("'a' * 10**10 == x")
    with pytest.raises(RuleSyntaxError, match="too deeply nested"):
        parse_rule("-" * 100_000 + "x > 1")
    with pytest.raises(RuleSyntaxError) as info:
        parse_rule("(" * 100_000 + "x" + ")" * 100_000 + " > 1")
    assert len(str(info.value)) < 400


def test_ref_base_outside_a_git_repository_says_how_to_check_out(tmp_path: Path) -> None:
    from mlgate.errors import CheckError
    from mlgate.gitref import read_at_ref

    (tmp_path / "a.csv").write_text("x\n1\n")
    with pytest.raises(CheckError, match=r"not in a git repository .*fetch-depth: 0"):
        read_at_ref(tmp_path / "a.csv", "HEAD")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to hand the repository to another user")
def test_ref_base_reads_a_repository_owned_by_another_user(tmp_path: Path) -> None:
    """A container action runs as root on a workspace the runner's user owns."""
    import subprocess

    from mlgate.gitref import read_at_ref

    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.csv").write_text("x\n1\n")
    git = ["git", "-c", "user.email=a@b", "-c", "user.name=a"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "a.csv"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "x"], cwd=repo, check=True)
    subprocess.run(["chown", "-R", "65534:65534", str(repo)], check=True)
    assert read_at_ref(repo / "a.csv", "HEAD") == b"x\n1\n"
