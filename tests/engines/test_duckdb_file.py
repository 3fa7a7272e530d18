"""`connection: duckdb:///file.db`: a table or a read-only query of a DuckDB database file
gives the pandas engine's verdicts on the same rows; a missing file or table, a failing query
and a write are one clear line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mlgate.data.suite import Suite
from tests.data.helpers import run_gate

duckdb = pytest.importorskip("duckdb")

from mlgate.engines.columns import UnsupportedError  # noqa: E402
from mlgate.engines.duckdb_engine import connect  # noqa: E402
from mlgate.engines.duckdb_file import database_path, file_relation  # noqa: E402
from tests.engines.test_differential import (  # noqa: E402
    KNOWN_FALLBACKS,
    assert_same,
    magnitude,
    outcomes,
    server_case,
)


def make_db(path: Path, **tables: pa.Table) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("CREATE SCHEMA risk")
        for name, table in tables.items():
            con.register("src", table)
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM src')
            con.execute(f'CREATE TABLE risk."{name}" AS SELECT * FROM src')
            con.unregister("src")
    finally:
        con.close()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_database_table_matches_pandas_on_random_data(data: Any, tmp_path: Path) -> None:
    case = server_case(data)
    table, ref_table, entry, suite = case.table, case.ref_table, case.entry, case.suite
    ref_suite, drift_cols, want = case.ref_suite, case.drift_cols, case.want
    db = tmp_path / "w.db"
    db.unlink(missing_ok=True)
    make_db(db, data=table, ref=ref_table)
    con = connect()
    try:
        which = data.draw(st.sampled_from(["data", "risk.data", "sql"]))
        rel = file_relation("data", con, db, "w.db", None if which == "sql" else which,
                            "select * from data" if which == "sql" else None)  # fmt: skip
        ref_rel = file_relation("ref", con, db, "w.db", "ref", None)
        try:
            got_p = sql_profile(rel, suite, drift_cols)
        except UnsupportedError as exc:
            if not any(k in str(exc) for k in KNOWN_FALLBACKS):
                raise
            event(f"not on the engine: {exc}")
            return
        event("compared")
        got_r = sql_profile(ref_rel, ref_suite, drift_cols)
        got = outcomes(suite, entry, got_p, got_r)
        if which == "sql":  # a query's rows: numbered in the order DuckDB returns them
            assert {k: o.status for k, o in got.items()} == {k: o.status for k, o in want.items()}
        else:
            assert_same(want, got, entry, magnitude(table))
    finally:
        con.close()


def sql_profile(rel: Any, suite: Suite, drift_cols: tuple[str, ...]) -> Any:
    from mlgate.engines.profile_sql import SqlProfiler

    return SqlProfiler(rel, suite, drift_cols).run()


def test_the_url_names_a_relative_or_an_absolute_file() -> None:
    assert database_path("duckdb:///data/w.db") == "data/w.db"
    assert database_path("duckdb:////srv/w.db") == "/srv/w.db"
    with pytest.raises(ValueError, match="three slashes"):
        database_path("duckdb://w.db")


SUITE = """  - dataset: {name}
    rows: {{min: 3}}
    rules: [{{expr: "big == other"}}]
    columns:
      id: {{type: string, nullable: false}}
      big: {{type: integer, max: 9007199254740992}}
"""


def scores() -> pa.Table:
    return pa.table({
        "id": ["a", "b", "c"],
        "big": pa.array([1, 9007199254740993, 3], pa.int64()),
        "other": pa.array([1, 9007199254740992, 3], pa.int64()),
    })  # fmt: skip


def test_mlgate_run_on_a_database_file_gives_the_verdicts_of_a_parquet_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "data").mkdir()
    make_db(tmp_path / "data" / "w.db", scores=scores())
    pq.write_table(scores(), tmp_path / "data" / "scores.parquet")
    monkeypatch.setenv("MLGATE_TEST_DB", "data/w.db")
    (tmp_path / "mlgate.yml").write_text(
        "version: 1\ndatasets:\n"
        "  file: {path: data/scores.parquet}\n"
        "  db: {connection: 'duckdb:///${MLGATE_TEST_DB}', table: scores}\n"
        "  schema: {connection: 'duckdb:///data/w.db', table: risk.scores}\n"
        "  query: {connection: 'duckdb:///data/w.db', sql: 'select * from scores'}\n"
        "data:\n" + "".join(SUITE.format(name=n) for n in ("file", "db", "schema", "query"))
    )
    code, checks = run_gate(tmp_path)
    assert code == 1
    by_name: dict[str, dict[str, tuple[str, str]]] = {}
    for cid, c in checks.items():
        _, name, *rest = cid.split("/")
        by_name.setdefault(name, {})["/".join(rest)] = (c["status"], c["message"])
    assert by_name["file"] == by_name["db"] == by_name["schema"] == by_name["query"]
    assert by_name["db"]["columns/big/max"][0] == "failed"  # 2**53 + 1 > 2**53, exactly
    assert by_name["db"]["rules/0"][0] == "failed"
    assert checks["data/db/columns/big/max"]["examples"] == [{"row": 1, "value": 9007199254740993}]


@pytest.mark.parametrize(
    ("connection", "extra", "message"),
    [
        ("duckdb:///data/nope.db", "table: scores",
         "dataset 'db': the DuckDB database data/nope.db does not exist"),
        ("duckdb:///data/w.db", "table: score",
         "dataset 'db': table `score` does not exist in the DuckDB database data/w.db "
         "(did you mean `scores`?); its tables: risk.scores, scores"),
        ("duckdb:///data/w.db", "sql: 'select nope from scores'",
         "dataset 'db': the query failed (data/w.db): Binder Error: Referenced column "),
        ("duckdb:///data/w.db", "sql: 'delete from scores returning *'",
         "dataset 'db': the query failed (data/w.db): "),
    ],
)  # fmt: skip
def test_a_bad_database_is_one_clear_line(
    tmp_path: Path, connection: str, extra: str, message: str
) -> None:
    (tmp_path / "data").mkdir()
    make_db(tmp_path / "data" / "w.db", scores=scores())
    (tmp_path / "mlgate.yml").write_text(
        "version: 1\ndatasets:\n"
        f"  db: {{connection: '{connection}', {extra}}}\n"
        "data:\n  - dataset: db\n    rows: {min: 1}\n"
    )
    code, checks = run_gate(tmp_path)
    assert code == 1
    (check,) = checks.values()
    assert check["status"] == "error"
    assert check["message"].startswith(message), check["message"]
    assert "\n" not in check["message"]
    con = duckdb.connect(str(tmp_path / "data" / "w.db"), read_only=True)
    assert con.execute("SELECT count(*) FROM scores").fetchone() == (3,)  # never written
    con.close()


def test_a_database_outside_the_workspace_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    make_db(outside / "w.db", scores=scores())
    project = tmp_path / "project"
    project.mkdir()
    (project / ".git").mkdir()
    (project / "mlgate.yml").write_text(
        "version: 1\ndatasets:\n"
        "  db: {connection: 'duckdb:///../elsewhere/w.db', table: scores}\n"
        "data:\n  - dataset: db\n    rows: {min: 1}\n"
    )
    code, checks = run_gate(project)
    assert code == 1
    (check,) = checks.values()
    assert check["status"] == "error"
    assert "outside the workspace" in check["message"]
