"""Bad input on the engines is one clear line, never a traceback: a missing engine extra (the
exact `pip install` line), Spark without Java, a Spark `connection` config that mixes its keys.
The gate runs in a child process where the environment or the installed packages must differ."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from mlgate.config.load import load_config
from mlgate.errors import ConfigError
from tests.conftest import REPO


def gate(folder: Path, *, blocked: tuple[str, ...] = (), env: dict[str, str] | None = None
         ) -> tuple[int, dict[str, dict[str, Any]], str]:  # fmt: skip
    """`mlgate run` in a child process with the modules `blocked` not installed (as Python sees
    a package that is absent: `find_spec` gives None, `import` raises ModuleNotFoundError);
    the exit code, the checks of report.json by id, and stdout + stderr."""
    code = (
        "import sys\n"
        f"for name in {list(blocked)!r}:\n"
        "    sys.modules[name] = None\n"
        "from mlgate.cli import main\n"
        "sys.exit(main(['run', '--publish', 'none', '--report-dir', 'out']))\n"
    )
    child_env = dict(os.environ if env is None else env)
    child_env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(REPO)])
    script = folder / "run_gate.py"  # a script, as the `mlgate` command is (pyspark takes a
    script.write_text(code)  # `__main__` without a file for its doctests, and exits)
    done = subprocess.run(
        [sys.executable, str(script)], cwd=folder, env=child_env, capture_output=True, text=True,
        timeout=600, check=False,
    )  # fmt: skip
    report = json.loads((folder / "out" / "report.json").read_text())
    return done.returncode, {c["id"]: c for c in report["checks"]}, done.stdout + done.stderr


def write(folder: Path, datasets: str, data: str) -> None:
    (folder / "mlgate.yml").write_text(f"version: 1\ndatasets:\n{datasets}\ndata:\n{data}")


def small_parquet(folder: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"id": ["a", "b"], "score": [0.1, 0.2]}), folder / "s.parquet")


def test_a_missing_engine_extra_gives_the_exact_pip_install_line(tmp_path: Path) -> None:
    small_parquet(tmp_path)
    write(
        tmp_path,
        "  duck: {path: s.parquet, engine: duckdb}\n"
        "  pg: {connection: 'postgresql://gate@127.0.0.1:9/risk', table: t}\n"
        "  lake: {connection: spark, path: s.parquet}\n"
        "  plain: {path: s.parquet}\n",
        "".join(
            f"  - dataset: {n}\n    rows: {{min: 1}}\n" for n in ("duck", "pg", "lake", "plain")
        ),
    )
    code, checks, output = gate(tmp_path, blocked=("duckdb", "psycopg", "pyspark"))
    assert code == 1
    messages = {cid: (c["status"], c["message"]) for cid, c in checks.items()}
    assert messages == {
        "data/duck/rows": (
            "error", "the duckdb engine is not installed: pip install 'mlgate[duckdb]'"),
        "data/pg/rows": (
            "error", "the postgresql engine is not installed: pip install 'mlgate[postgres]'"),
        "data/lake/rows": (
            "error", "the spark engine is not installed: pip install 'mlgate[spark]'"),
        "data/plain/rows": ("passed", checks["data/plain/rows"]["message"]),  # pandas reads it
    }  # fmt: skip
    assert "Traceback" not in output


def test_each_install_line_names_an_extra_that_exists() -> None:
    from mlgate.engines import EXTRA, install_hint

    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    for engine in ("duckdb", "postgresql", "spark"):
        extra = EXTRA.get(engine, engine)
        assert f"pip install 'mlgate[{extra}]'" in install_hint(engine)
        assert extra in extras
    assert any(dep.startswith("pyspark[connect]") for dep in extras["spark"])


def test_spark_connect_without_its_client_packages_says_what_to_install(tmp_path: Path) -> None:
    pytest.importorskip("pyspark")
    write(tmp_path, "  lake: {connection: 'sc://127.0.0.1:9', table: t}\n",
          "  - dataset: lake\n    rows: {min: 1}\n")  # fmt: skip
    _, checks, output = gate(tmp_path, blocked=("grpc",))
    message = checks["data/lake/rows"]["message"]
    assert message.startswith("the Spark Connect client is not installed (")
    assert message.endswith("): pip install 'mlgate[spark]'")
    assert "Traceback" not in output


@pytest.mark.parametrize(
    ("java_home", "said"),
    [
        ("/nonexistent-jdk", "Spark needs Java 17 or later: JAVA_HOME is /nonexistent-jdk, "
         "which has no bin/java; point JAVA_HOME at a JDK or unset it to use `java` on PATH"),
        (None, "Spark needs Java 17 or later: no `java` on PATH and JAVA_HOME is not set; "
         "install a JDK (e.g. apt-get install -y openjdk-17-jre-headless) or set JAVA_HOME"),
    ],
)  # fmt: skip
def test_spark_without_java_is_one_line(tmp_path: Path, java_home: str | None, said: str) -> None:
    pytest.importorskip("pyspark")
    small_parquet(tmp_path)
    write(tmp_path, "  lake: {connection: spark, path: s.parquet}\n",
          "  - dataset: lake\n    rows: {min: 1}\n    columns: {score: {max: 1}}\n")  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    if java_home is not None:  # JAVA_HOME wins over PATH, as in Spark's launcher
        env["JAVA_HOME"] = java_home
    else:  # a PATH holding python only
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        (bin_dir / "python").symlink_to(sys.executable)
        env["PATH"] = str(bin_dir)
    code, checks, output = gate(tmp_path, env=env)
    assert code == 1
    assert {c["status"] for c in checks.values()} == {"error"}
    assert {c["message"] for c in checks.values()} == {said}
    assert "Traceback" not in output


def test_java_problem_follows_the_launcher(tmp_path: Path) -> None:
    from mlgate.engines.spark import java_problem

    jdk = tmp_path / "jdk"
    (jdk / "bin").mkdir(parents=True)
    java = jdk / "bin" / "java"
    java.write_text("#!/bin/sh\n")
    java.chmod(0o755)
    assert java_problem({"JAVA_HOME": str(jdk), "PATH": ""}) is None
    assert java_problem({"PATH": str(jdk / "bin")}) is None
    assert "no `java` on PATH" in (java_problem({"PATH": str(tmp_path)}) or "")
    assert "has no bin/java" in (java_problem({"JAVA_HOME": str(tmp_path), "PATH": ""}) or "")


@pytest.mark.parametrize(
    ("datasets", "error"),
    [
        ("  d: {connection: spark}\n",
         "3:3: datasets.d: a Spark `connection` needs `path`, `table` or `sql`"),
        ("  d: {connection: spark, table: t, sql: 'select 1'}\n",
         "3:3: datasets.d: give one of `path`, `table` or `sql`, not `sql`, `table`"),
        ("  d: {connection: 'sc://h:15002', path: x.parquet, table: t}\n",
         "3:3: datasets.d: give one of `path`, `table` or `sql`, not `path`, `table`"),
        ("  d: {connection: 'sc://h:15002', table: t, spark: {master: local}}\n",
         "3:45: datasets.d.spark: `spark` goes with `connection: spark`"),
    ],
)  # fmt: skip
def test_a_spark_dataset_is_one_of_path_table_or_sql(
    tmp_path: Path, datasets: str, error: str
) -> None:
    write(tmp_path, datasets, "  - dataset: d\n    rows: {min: 1}\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "mlgate.yml")
    assert f"mlgate.yml:{error}" in str(info.value)


@pytest.mark.parametrize(
    "datasets",
    [
        "  d: {connection: spark, sql: 'select 1 as x'}\n",
        "  d: {connection: 'sc://h:15002', sql: 'select 1 as x'}\n",
        "  d: {connection: 'sc://h:15002', path: x.parquet}\n",
        "  d: {connection: spark, table: t, spark: {master: 'local[1]'}}\n",
    ],
)
def test_spark_takes_sql_and_spark_connect_takes_paths(tmp_path: Path, datasets: str) -> None:
    write(tmp_path, datasets, "  - dataset: d\n    rows: {min: 1}\n")
    assert "d" in load_config(tmp_path / "mlgate.yml").datasets
