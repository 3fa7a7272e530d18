"""Real servers for the engine tests, started by the tests and always stopped.

`postgres_url`: a throwaway PostgreSQL cluster (Debian's `postgresql` package: `initdb` and
`pg_ctl` from /usr/lib/postgresql/*/bin) in a temporary folder, run as the `postgres` user when
the tests run as root, on a free loopback port, with trust authentication and the C collation
(so text compares by code point, as in pandas). Skipped, with the reason, when the binaries are
absent (`.ci/run` installs them).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    pytest.importorskip(
        "psycopg", reason="psycopg is not installed (pip install 'mlgate[postgres]')"
    )
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries absent (apt-get install -y postgresql)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("no `postgres` user to run the server as (root may not)")
    folder = Path(tempfile.mkdtemp(prefix="mlgate-pg-"))
    data, sock = folder / "data", folder / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(sock, "postgres")
    port = _free_port()
    log = folder / "server.log"
    started = False
    try:
        subprocess.run(
            _as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U",
                             "postgres", "-E", "UTF8", "--locale=C", "--no-sync"]),
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        if os.geteuid() == 0:
            log.touch()
            shutil.chown(log, "postgres")
        subprocess.run(
            _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w",
                             "-t", "60", "-o", f"-p {port} -k {sock} -h 127.0.0.1 -F",
                             "start"]),
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        started = True
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        if started:
            subprocess.run(
                _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                 "-w", "stop"]),
                check=False, capture_output=True, timeout=120,
            )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_load(postgres_url: str) -> Iterator[object]:
    """Load an Arrow table into a fresh PostgreSQL table; returns a loader(name, table)."""
    import psycopg

    con = psycopg.connect(postgres_url, autocommit=True)
    made: list[str] = []

    def load(name: str, table: object) -> None:
        import pyarrow as pa

        assert isinstance(table, pa.Table)
        types = {
            "int64": "BIGINT", "double": "DOUBLE PRECISION", "string": "TEXT", "bool": "BOOLEAN",
            "large_string": "TEXT",
        }  # fmt: skip
        cols = []
        for field in table.schema:
            t = field.type
            if pa.types.is_timestamp(t):
                sql_type = "TIMESTAMPTZ" if t.tz else "TIMESTAMP"
            elif pa.types.is_dictionary(t):
                sql_type = "TEXT"
            else:
                sql_type = types[str(t)]
            cols.append(f'"{field.name}" {sql_type}')
        con.execute(f'DROP TABLE IF EXISTS "{name}"')
        con.execute(f'CREATE TABLE "{name}" ({", ".join(cols)})')
        made.append(name)
        rows = table.to_pylist()
        if rows:
            names = ", ".join(f'"{c}"' for c in table.schema.names)
            marks = ", ".join(["%s"] * len(table.schema.names))
            with con.cursor() as cur:
                cur.executemany(
                    f'INSERT INTO "{name}" ({names}) VALUES ({marks})',
                    [tuple(r.values()) for r in rows],
                )

    yield load
    for name in made:
        con.execute(f'DROP TABLE IF EXISTS "{name}"')
    con.close()


@pytest.fixture(scope="session")
def spark_session() -> Iterator[object]:
    """One local[2] Spark session for the test session (pyspark from PyPI, Java 17+)."""
    pytest.importorskip("pyspark", reason="not installed: pip install 'mlgate[spark]'")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark needs Java (17 or later)")
    from mlgate.engines.spark import session

    spark = session({"master": "local[2]", "conf": {"spark.sql.shuffle.partitions": "2"}})
    try:
        yield spark
    finally:
        spark.stop()
