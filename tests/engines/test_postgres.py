"""The PostgreSQL engine on a real throwaway server: the same verdicts as pandas, and bad
input (unreachable server, missing table, failing query, secrets) as one clear line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from tests.data.helpers import run_gate

pytest.importorskip("psycopg")


def _write(folder: Path, datasets: str, data: str) -> None:
    (folder / "mlgate.yml").write_text(f"version: 1\ndatasets:\n{datasets}\ndata:\n{data}")


SUITE = """  - dataset: {name}
    unique: id
    rows: {{min: 3}}
    rules: [{{expr: "score <= 1 or id == 'c'"}}]
    columns:
      id: {{type: string, nullable: false, pattern: "[a-z]"}}
      score: {{type: float, min: 0, max: 1, mean: {{max: 0.9}}, median: {{max: 0.6}}}}
      n: {{type: integer, allowed: [1, 2]}}
"""


def frame() -> pa.Table:
    return pa.table({
        "id": ["a", "b", "c", "c", None],
        "score": [0.1, 0.5, 1.5, float("nan"), 0.2],
        "n": pa.array([1, 2, 3, None, 1], type=pa.int64()),
    })  # fmt: skip


def test_a_table_gives_the_verdicts_of_the_same_rows_in_a_parquet_file(
    tmp_path: Path, postgres_url: str, pg_load: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow.parquet as pq

    table = frame()
    pg_load("scores", table)
    pq.write_table(table, tmp_path / "scores.parquet")
    monkeypatch.setenv("MLGATE_TEST_PG", postgres_url)
    _write(
        tmp_path,
        "  file: {path: scores.parquet}\n"
        "  db: {connection: '${MLGATE_TEST_PG}', table: scores}\n"
        "  query: {connection: '${MLGATE_TEST_PG}', sql: 'select * from scores'}\n",
        SUITE.format(name="file") + SUITE.format(name="db") + SUITE.format(name="query"),
    )
    code, checks = run_gate(tmp_path)
    assert code == 1
    by_name: dict[str, dict[str, tuple[str, str]]] = {}
    for cid, c in checks.items():
        _, name, *rest = cid.split("/")
        by_name.setdefault(name, {})["/".join(rest)] = (c["status"], c["message"])
    assert by_name["file"] == by_name["db"]
    assert {k: v[0] for k, v in by_name["query"].items()} == {
        k: v[0] for k, v in by_name["file"].items()
    }
    assert by_name["db"]["unique"][0] == "failed"
    assert by_name["db"]["columns/score/max"] == (
        "failed",
        "1 of 4 non-missing values (25%) are above 1 · max seen 1.5; most frequent offending "
        "values: `1.5` ×1",
    )
    examples = checks["data/db/columns/score/max"]["examples"]
    assert examples == [{"row": 2, "value": 1.5}]


def test_an_unreachable_server_names_host_and_port_never_the_password(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _write(
        tmp_path,
        f"  db: {{connection: 'postgresql://gate:s3cr3tpw@127.0.0.1:{port}/risk', table: t}}\n",
        "  - dataset: db\n    rows: {min: 1}\n",
    )
    _, checks = run_gate(tmp_path)
    msg = checks["data/db/rows"]["message"]
    assert checks["data/db/rows"]["status"] == "error"
    assert f"postgresql://127.0.0.1:{port}/risk" in msg
    assert "s3cr3tpw" not in msg
    assert "gate:" not in msg
    report = (tmp_path / "out" / "report.md").read_text() + (
        tmp_path / "out" / "report.json"
    ).read_text()
    assert "s3cr3tpw" not in report


def test_a_missing_table_suggests_the_nearest_one(
    tmp_path: Path, postgres_url: str, pg_load: Any
) -> None:
    pg_load("applications", frame())
    _write(tmp_path, f"  db: {{connection: '{postgres_url}', table: aplications}}\n",
           "  - dataset: db\n    rows: {min: 1}\n")  # fmt: skip
    _, checks = run_gate(tmp_path)
    msg = checks["data/db/rows"]["message"]
    assert "table `aplications` does not exist" in msg
    assert "did you mean `applications`?" in msg


def test_a_failing_query_gives_the_servers_message(tmp_path: Path, postgres_url: str) -> None:
    _write(tmp_path, f"  db: {{connection: '{postgres_url}', sql: 'select nope from pg_class'}}\n",
           "  - dataset: db\n    rows: {min: 1}\n")  # fmt: skip
    _, checks = run_gate(tmp_path)
    msg = checks["data/db/rows"]["message"]
    assert checks["data/db/rows"]["status"] == "error"
    assert 'column "nope" does not exist' in msg


def test_a_query_cannot_write(tmp_path: Path, postgres_url: str, pg_load: Any) -> None:
    pg_load("keep", frame())
    sql = "delete from keep returning *"
    _write(tmp_path, f"  db: {{connection: '{postgres_url}', sql: '{sql}'}}\n",
           "  - dataset: db\n    rows: {min: 1}\n")  # fmt: skip
    _, checks = run_gate(tmp_path)
    assert checks["data/db/rows"]["status"] == "error"
    import psycopg

    with psycopg.connect(postgres_url) as con:
        assert con.execute("select count(*) from keep").fetchone() == (5,)
        con.execute("create sequence if not exists s")
    _write(tmp_path, f"  db: {{connection: '{postgres_url}', sql: \"select nextval('s')\"}}\n",
           "  - dataset: db\n    rows: {min: 1}\n")  # fmt: skip
    _, checks = run_gate(tmp_path)
    assert "read-only transaction" in checks["data/db/rows"]["message"]


def test_a_missing_environment_variable_is_named(tmp_path: Path) -> None:
    _write(tmp_path, "  db: {connection: 'postgresql://h/${MLGATE_NO_SUCH_VAR}', table: t}\n",
           "  - dataset: db\n    rows: {min: 1}\n")  # fmt: skip
    _, checks = run_gate(tmp_path)
    assert "MLGATE_NO_SUCH_VAR" in checks["data/db/rows"]["message"]
