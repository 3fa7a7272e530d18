"""Real servers for the engine tests, started by the tests and always stopped.

`postgres_url`: a throwaway PostgreSQL cluster (Debian's `postgresql` package: `initdb` and
`pg_ctl` from /usr/lib/postgresql/*/bin) in a temporary folder, run as the `postgres` user when
the tests run as root, on a free loopback port, with trust authentication and the C collation
(so text compares by code point, as in pandas). Skipped, with the reason, when the binaries are
absent (`.ci/run` installs them).

`spark_session`: a local[2] Spark session; `spark_connect_url` / `spark_connect`: a Spark Connect
server started from the pyspark wheel (`spark-submit --class …SparkConnectServer`) on a free
loopback port, and a client session of it. Tests using these fixtures are marked `postgres` or
`spark` (pyproject's markers).
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


def _spark_or_skip() -> None:
    pytest.importorskip("pyspark", reason="not installed: pip install 'mlgate[spark]'")
    from mlgate.engines.spark import java_problem

    problem = java_problem(os.environ)
    if problem:
        pytest.skip(problem)


@pytest.fixture(scope="session")
def spark_session() -> Iterator[object]:
    """One local[2] Spark session for the test session (pyspark from PyPI, Java 17+)."""
    _spark_or_skip()
    from mlgate.engines.spark import session

    spark = session({"master": "local[2]", "conf": {"spark.sql.shuffle.partitions": "2"}})
    try:
        yield spark
    finally:
        spark.stop()


CONNECT_SERVER = "org.apache.spark.sql.connect.service.SparkConnectServer"


@pytest.fixture(scope="session")
def spark_connect_url() -> Iterator[str]:
    """`sc://127.0.0.1:PORT`: a real Spark Connect server (the pyspark wheel's own, local[2],
    one per test session) in its own process group, always stopped with its whole tree.
    Skipped, with the reason, without Java, the Connect client's packages or the server jar."""
    _spark_or_skip()
    try:
        import pyspark.sql.connect.session  # the client needs grpcio, grpcio-status, …
    except ImportError as exc:
        pytest.skip(
            f"the Spark Connect client is not installed ({exc}): pip install 'mlgate[spark]'"
        )
    import pyspark

    home = Path(pyspark.__file__).parent
    if not list((home / "jars").glob("spark-connect_*.jar")):
        pytest.skip("this pyspark has no Spark Connect server jar")
    folder = Path(tempfile.mkdtemp(prefix="mlgate-sc-"))
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SPARK_REMOTE", "MASTER", "SPARK_CONF_DIR", "PYSPARK_SUBMIT_ARGS")
    }
    env["SPARK_HOME"] = str(home)
    settings = {
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.connect.grpc.binding.port": str(port),
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.sql.shuffle.partitions": "2",
        "spark.sql.warehouse.dir": str(folder / "warehouse"),
    }
    conf = [arg for k, v in settings.items() for arg in ("--conf", f"{k}={v}")]
    log_path = folder / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [str(home / "bin" / "spark-submit"), "--class", CONNECT_SERVER, "--master", "local[2]",
             *conf],
            cwd=folder, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        if not _serving(server, port):
            tail = log_path.read_text(errors="replace").strip().splitlines()[-3:]
            pytest.skip(f"the Spark Connect server did not start: {' | '.join(tail)}")
        yield f"sc://127.0.0.1:{port}"
    finally:
        _stop_group(server)
        shutil.rmtree(folder, ignore_errors=True)


def _serving(server: subprocess.Popen[bytes], port: int) -> bool:
    """Wait (at most 5 minutes: a loaded machine) until the server listens or exits."""
    import time

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and server.poll() is None:
        with socket.socket() as s:
            s.settimeout(1)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.5)
    return False


def _stop_group(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group, SIGKILL what is left after 30 s."""
    import signal

    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            break
        try:
            server.wait(timeout=wait)
            os.killpg(server.pid, 0)  # any child left in the group?
        except ProcessLookupError:
            break
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="session")
def spark_connect(spark_connect_url: str) -> Iterator[object]:
    """A Spark Connect client session of the test server."""
    from mlgate.engines.spark import session

    spark = session({"remote": spark_connect_url})
    try:
        yield spark
    finally:
        spark.stop()


_SERVERS = {"postgres_url": "postgres", "spark_session": "spark", "spark_connect_url": "spark"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that need a server carry its marker (`postgres`, `spark`): `-m "not spark"`."""
    for item in items:
        for fixture, marker in _SERVERS.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(getattr(pytest.mark, marker))
