"""The Spark engine: where `connection: spark` runs (the `spark:` mapping, else the environment
as Spark reads it), and, through a real Spark Connect server, a read-only `sql:`, a missing
table's did-you-mean, a failing query's config line, and a rule Spark cannot express."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.data.helpers import line_of, run_gate

pytest.importorskip("pyspark")

from mlgate.engines import spark as spark_engine
from mlgate.engines.spark import DEFAULT_MASTER, spark_master


def defaults(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "spark-defaults.conf").write_text(text)
    return folder


def test_the_mapping_wins_then_spark_remote_then_defaults_then_master(tmp_path: Path) -> None:
    conf_dir = str(defaults(tmp_path / "conf", "# comment\nspark.master   spark://c:7077\n"))
    env = {"SPARK_REMOTE": "sc://r:15002", "SPARK_CONF_DIR": conf_dir, "MASTER": "local[1]"}
    assert spark_master({"master": "local[3]"}, env) == ("local[3]", "spark.master")
    assert spark_master({"conf": {"spark.master": "local[4]"}}, env) == ("local[4]", "spark.conf")
    assert spark_master({}, env) == ("sc://r:15002", "SPARK_REMOTE")
    del env["SPARK_REMOTE"]
    # Spark itself prefers spark-defaults.conf to MASTER (SparkSubmitArguments)
    assert spark_master({}, env) == ("spark://c:7077", "spark-defaults.conf")
    del env["SPARK_CONF_DIR"]
    assert spark_master({}, env) == ("local[1]", "MASTER")
    del env["MASTER"]
    assert spark_master({}, env) == (DEFAULT_MASTER, "default") == ("local[2]", "default")


def test_spark_defaults_are_read_as_java_properties(tmp_path: Path) -> None:
    for line, master in [
        ("spark.master=yarn", "yarn"),
        ("spark.master: local[2]", "local[2]"),
        ("  spark.master \t k8s://https://h:6443  ", "k8s://https://h:6443"),
        ("spark.masterx local", None),
        ("#spark.master local", None),
    ]:
        home = tmp_path / line.replace("/", "_").replace(" ", "_")
        defaults(home / "conf", line + "\n")
        got = spark_master({}, {"SPARK_HOME": str(home)})
        assert got == ((master, "spark-defaults.conf") if master else (DEFAULT_MASTER, "default"))


def test_spark_master_is_not_an_environment_variable_spark_reads() -> None:
    assert spark_master({}, {"SPARK_MASTER": "spark://x:7077"}) == (DEFAULT_MASTER, "default")


def test_the_session_starts_where_spark_master_says(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[tuple[str, str]] = []
    monkeypatch.setattr(spark_engine, "_classic", lambda m, conf: started.append(("classic", m)))
    monkeypatch.setattr(spark_engine, "_connect", lambda r, conf: started.append(("connect", r)))
    monkeypatch.delenv("SPARK_REMOTE", raising=False)
    monkeypatch.delenv("SPARK_CONF_DIR", raising=False)
    monkeypatch.delenv("SPARK_HOME", raising=False)
    monkeypatch.setenv("MASTER", "local[1]")
    spark_engine.session({})
    spark_engine.session({"master": "local[3]"})
    spark_engine.session({"remote": "sc://h:1"})
    monkeypatch.setenv("SPARK_REMOTE", "sc://env:2")
    spark_engine.session({})
    assert started == [
        ("classic", "local[1]"),
        ("classic", "local[3]"),
        ("connect", "sc://h:1"),
        ("connect", "sc://env:2"),
    ]


# -- through a real Spark Connect server ---------------------------------------------------


def scores(folder: Path) -> Path:
    path = folder / "scores.parquet"
    pq.write_table(
        pa.table({"id": ["a", "b", "c"], "score": [0.1, 2.0, 0.3], "n": [1, 2, 3]}), path
    )
    return path


def test_a_query_is_checked_like_the_file_it_reads(tmp_path: Path, spark_connect_url: str) -> None:
    path = scores(tmp_path)
    suite = "    rows: {min: 3}\n    columns: {score: {max: 1}, id: {pattern: '[a-z]'}}\n"
    (tmp_path / "mlgate.yml").write_text(
        "version: 1\ndatasets:\n"
        "  file: {path: scores.parquet}\n"
        f"  lake: {{connection: '{spark_connect_url}', path: scores.parquet}}\n"
        f"  query: {{connection: '{spark_connect_url}', sql: 'select * from parquet.`{path}`;'}}\n"
        f"data:\n  - dataset: file\n{suite}  - dataset: lake\n{suite}  - dataset: query\n{suite}"
    )
    code, checks = run_gate(tmp_path)
    assert code == 1
    by_dataset: dict[str, dict[str, Any]] = {}
    for cid, c in checks.items():
        _, name, *rest = cid.split("/")
        by_dataset.setdefault(name, {})["/".join(rest)] = (c["status"], c["message"], c["examples"])
    assert by_dataset["query"] == by_dataset["file"] == by_dataset["lake"]
    assert by_dataset["query"]["columns/score/max"][0] == "failed"
    assert by_dataset["query"]["columns/score/max"][2] == [{"row": 1, "value": 2.0}]


def test_a_query_cannot_change_anything(tmp_path: Path, spark_connect: Any, spark_connect_url: str
                                        ) -> None:  # fmt: skip
    spark_connect.sql("CREATE TABLE IF NOT EXISTS keep_me (x INT) USING parquet")
    spark_connect.sql("INSERT INTO keep_me VALUES (1)")
    text = (
        "version: 1\ndatasets:\n"
        f"  drop: {{connection: '{spark_connect_url}', sql: 'drop table keep_me'}}\n"
        f"  two: {{connection: '{spark_connect_url}', sql: 'select 1; drop table keep_me'}}\n"
        f"  ins: {{connection: '{spark_connect_url}', sql: 'insert into keep_me values (2)'}}\n"
        "data:\n"
        + "".join(f"  - dataset: {d}\n    rows: {{min: 1}}\n" for d in ("drop", "two", "ins"))
    )  # fmt: skip
    (tmp_path / "mlgate.yml").write_text(text)
    _, checks = run_gate(tmp_path)
    for name in ("drop", "two", "ins"):
        c = checks[f"data/{name}/rows"]
        line = line_of(text, f"  {name}: ")
        assert c["status"] == "error"
        assert c["message"].startswith(
            f"mlgate.yml:{line}:{text.splitlines()[line - 1].index('sql') + 1}: "
            f"datasets.{name}.sql: Spark cannot run the query: [PARSE_SYNTAX_ERROR]"
        ), c["message"]
    assert spark_connect.sql("SELECT * FROM keep_me").toArrow().to_pylist() == [{"x": 1}]


def test_a_failing_query_gives_sparks_message_and_the_sql_line(
    tmp_path: Path, spark_connect_url: str
) -> None:
    path = scores(tmp_path)
    text = (
        "version: 1\ndatasets:\n"
        f"  q:\n    connection: '{spark_connect_url}'\n"
        f"    sql: select nope from parquet.`{path}`\n"
        "data:\n  - dataset: q\n    rows: {min: 1}\n    columns: {id: {nullable: false}}\n"
    )
    (tmp_path / "mlgate.yml").write_text(text)
    code, checks = run_gate(tmp_path)
    assert code == 1
    for c in checks.values():
        assert c["status"] == "error"
        assert c["message"].startswith(
            "mlgate.yml:5:5: datasets.q.sql: Spark cannot run the query: "
            "[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function parameter with "
            "name `nope` cannot be resolved."
        ), c["message"]
        assert c["message"].endswith("; line 1 pos 7;")  # the user's line, not the wrapper's
        assert "\n" not in c["message"]


def test_a_missing_table_suggests_the_nearest_one(
    tmp_path: Path, spark_connect: Any, spark_connect_url: str
) -> None:
    spark_connect.createDataFrame([(1,)], "x INT").write.mode("overwrite").saveAsTable(
        "applications"
    )
    text = (
        "version: 1\ndatasets:\n"
        f"  t: {{connection: '{spark_connect_url}', table: aplications}}\n"
        f"  s: {{connection: '{spark_connect_url}', table: defualt.applications}}\n"
        f"  ok: {{connection: '{spark_connect_url}', table: default.applications}}\n"
        "data:\n" + "".join(f"  - dataset: {d}\n    rows: {{min: 1}}\n" for d in ("t", "s", "ok"))
    )  # fmt: skip
    (tmp_path / "mlgate.yml").write_text(text)
    _, checks = run_gate(tmp_path)
    col = text.splitlines()[2].index("table") + 1  # the same on line 4
    assert checks["data/t/rows"]["message"] == (
        f"mlgate.yml:3:{col}: datasets.t.table: table `aplications` does not exist "
        "(did you mean `applications`?)"
    )
    assert checks["data/s/rows"]["message"] == (
        f"mlgate.yml:4:{col}: datasets.s.table: table `defualt.applications` does not exist: "
        "no schema `defualt` (did you mean `default`?)"
    )
    assert checks["data/ok/rows"]["status"] == "passed"


def test_a_rule_spark_cannot_express_is_that_rules_error_naming_its_line(
    tmp_path: Path, spark_connect_url: str
) -> None:
    scores(tmp_path)
    text = (
        "version: 1\ndatasets:\n"
        f"  lake: {{connection: '{spark_connect_url}', path: scores.parquet}}\n"
        "data:\n  - dataset: lake\n    rows: {min: 1}\n"
        "    rules:\n      - expr: score <= 2\n      - expr: id > 2\n"
    )
    (tmp_path / "mlgate.yml").write_text(text)
    _, checks = run_gate(tmp_path)
    assert checks["data/lake/rows"]["status"] == "passed"
    assert checks["data/lake/rules/0"]["status"] == "passed"
    assert checks["data/lake/rules/1"]["status"] == "error"
    assert checks["data/lake/rules/1"]["message"] == (
        "mlgate.yml:9:9: rule `id > 2` cannot be computed on spark with the meaning it has "
        "elsewhere: comparing str with int"
    )


def test_a_failing_spark_query_prints_no_stack(tmp_path: Path, spark_connect_url: str) -> None:
    from tests.engines.test_bad_input import gate

    (tmp_path / "mlgate.yml").write_text(
        "version: 1\ndatasets:\n"
        f"  q: {{connection: '{spark_connect_url}', sql: 'select nope from nowhere'}}\n"
        f"  t: {{connection: '{spark_connect_url}', table: nowhere}}\n"
        "data:\n  - dataset: q\n    rows: {min: 1}\n  - dataset: t\n    rows: {min: 1}\n"
    )
    code, checks, printed = gate(tmp_path)
    assert code == 1
    assert {c["status"] for c in checks.values()} == {"error"}
    for noise in ("Traceback", "at org.apache.spark", "QueryContextLogger", "JVM stacktrace"):
        assert noise not in printed
