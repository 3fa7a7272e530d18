"""Errors on database datasets name their config line, and a connection string never shows:
not in report.json, report.md, the JUnit XML, stdout or stderr of a failing run."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.data.helpers import line_of, run_gate
from tests.engines.test_bad_input import gate

pytest.importorskip("psycopg")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def outputs(folder: Path, printed: str) -> dict[str, str]:
    out = folder / "out"
    return {
        "report.json": (out / "report.json").read_text(),
        "report.md": (out / "report.md").read_text(),
        "junit.xml": (out / "junit.xml").read_text(),
        "stdout+stderr": printed,
    }


def assert_nowhere(secrets: list[str], texts: dict[str, str]) -> None:
    for where, text in texts.items():
        for secret in secrets:
            assert secret not in text, f"{secret!r} shown in {where}"


def test_unreachable_servers_never_show_a_password_or_token(tmp_path: Path) -> None:
    pg, sc = free_port(), free_port()
    (tmp_path / "mlgate.yml").write_text(
        "version: 1\ndatasets:\n"
        f"  pg: {{connection: 'postgresql://gate:Pw-s3cr3t-1@127.0.0.1:{pg}/risk"
        "?sslpassword=Q-s3cr3t-2&application_name=gate', table: t}\n"
        f"  sc: {{connection: 'sc://127.0.0.1:{sc}/;user_id=U-s3cr3t-3;token=T-s3cr3t-4', "
        "table: t}\n"
        "data:\n  - dataset: pg\n    rows: {min: 1}\n  - dataset: sc\n    rows: {min: 1}\n"
    )
    code, checks, printed = gate(tmp_path)
    assert code == 1
    assert checks["data/pg/rows"]["status"] == "error"
    assert checks["data/pg/rows"]["message"].startswith(
        f"dataset 'pg': cannot connect to the database (postgresql://127.0.0.1:{pg}/risk): "
    )
    if "spark engine is not installed" not in checks["data/sc/rows"]["message"]:
        assert checks["data/sc/rows"]["message"].startswith(
            f"cannot reach Spark Connect at sc://127.0.0.1:{sc}/: "
        )
    assert "Traceback" not in printed
    assert_nowhere(
        ["s3cr3t", "gate:", "sslpassword", "application_name", "user_id", "token="],
        outputs(tmp_path, printed),
    )


def test_a_failing_run_on_a_server_never_shows_the_connection_string(
    tmp_path: Path, postgres_url: str, pg_load: object
) -> None:
    import pyarrow as pa

    assert callable(pg_load)
    pg_load("scores", pa.table({"id": ["a", "b"], "score": [0.5, 3.0]}))
    url = postgres_url.replace("postgres@", "postgres:Pw-s3cr3t-1@") + "?sslpassword=Q-s3cr3t-2"
    (tmp_path / "mlgate.yml").write_text(
        "version: 1\ndatasets:\n"
        f"  t: {{connection: '{url}', table: scores}}\n"
        f"  q: {{connection: '{url}', sql: 'select nope from scores'}}\n"
        f"  m: {{connection: '{url}', table: scorez}}\n"
        "data:\n"
        "  - dataset: t\n    columns: {score: {max: 1}}\n"
        "  - dataset: q\n    rows: {min: 1}\n"
        "  - dataset: m\n    rows: {min: 1}\n"
    )
    code, checks, printed = gate(tmp_path)
    assert code == 1
    assert checks["data/t/columns/score/max"]["status"] == "failed"
    assert checks["data/q/rows"]["status"] == "error"
    assert "did you mean `scores`?" in checks["data/m/rows"]["message"]
    assert_nowhere(["s3cr3t", "postgres:", "sslpassword", url], outputs(tmp_path, printed))


def test_a_failing_query_names_its_sql_line(tmp_path: Path, postgres_url: str) -> None:
    text = (
        "version: 1\ndatasets:\n"
        f"  db:\n    connection: '{postgres_url}'\n    sql: select nope from pg_class\n"
        "data:\n  - dataset: db\n    rows: {min: 1}\n"
    )
    (tmp_path / "mlgate.yml").write_text(text)
    _, checks = run_gate(tmp_path)
    port = postgres_url.rsplit(":", 1)[1].split("/")[0]
    assert checks["data/db/rows"]["message"] == (
        "mlgate.yml:5:5: datasets.db.sql: the query failed "
        f'(postgresql://127.0.0.1:{port}/postgres): column "nope" does not exist'
    )


def test_a_rule_postgresql_cannot_express_is_that_rules_error_naming_its_line(
    tmp_path: Path, postgres_url: str, pg_load: object
) -> None:
    import pyarrow as pa

    assert callable(pg_load)
    pg_load("scores", pa.table({"id": ["a", "b"], "score": [0.5, 3.0]}))
    text = (
        "version: 1\ndatasets:\n"
        f"  db: {{connection: '{postgres_url}', table: scores}}\n"
        "data:\n  - dataset: db\n    rows: {min: 1}\n    columns: {score: {max: 1}}\n"
        "    rules:\n      - expr: score >= 0\n      - expr: score ** 2 < 4\n"
    )
    (tmp_path / "mlgate.yml").write_text(text)
    _, checks = run_gate(tmp_path)
    assert checks["data/db/rows"]["status"] == "passed"
    assert checks["data/db/rules/0"]["status"] == "passed"
    assert checks["data/db/columns/score/max"]["status"] == "failed"
    line = line_of(text, "score ** 2")
    assert checks["data/db/rules/1"]["status"] == "error"
    assert checks["data/db/rules/1"]["message"] == (
        f"mlgate.yml:{line}:9: rule `score ** 2 < 4` cannot be computed on postgresql with the "
        "meaning it has elsewhere: `**` (PostgreSQL raises where numpy gives inf or NaN)"
    )
