"""Benchmark the data checks: mlgate vs pandera (lazy) vs Great Expectations, one run.

    python benchmarks/data.py                      # 2,000,000 rows x 20 columns + 10M-row CSV
    python benchmarks/data.py --rows 20000 --csv-rows 50000 --chunk-rows 10000   # smoke run

Each tool runs in its own process on the same frame (read from parquet and the tool imported
before timing; the fastest of `--repeat` runs and the largest memory are shown), with
the same suite: types, nulls, ranges, sets, one regex, uniqueness of a key, duplicated rows;
mlgate also runs the suite with drift on 10 columns (the others have no drift check). Peak
memory is the process's high-water mark during validation minus its size before (the frame
loaded), so it is what validating costs on top of the frame. Then `mlgate run` of the same
suite on the parquet file with each engine (`--engines duckdb,pandas,pandera`; pandera reads
the file and validates it), timed and measured as whole processes. Then a CSV of `--csv-rows`
rows is validated with `mlgate run` and `chunk_rows`, and its peak RSS is measured as a whole.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve()
CODE = r"^[A-Z]{2}-[0-9]{4}$"
RANGES = {
    "age": (18, 120),
    "n_items": (0, 100),
    "tenure_days": (0, 20000),
    "income": (0, 2_000_000),
    "debt": (0, 1_000_000),
    "loan_amount": (0, 5_000_000),
    "ratio": (0, 1),
    "f1": (-10, 10),
    "f2": (-20, 20),
    "f3": (-10, 10),
}
SETS = {
    "gender": ["F", "M", "X"],
    "region": ["north", "south", "east", "west"],
    "channel": ["web", "app", "branch", "phone", "partner", "mail"],
    "product": [f"p{i}" for i in range(10)],
}
MISSING = {"income": 0.05, "f1": 0.08, "region": 0.03, "last_seen": 0.05}
DRIFT = ["age", "income", "debt", "loan_amount", "ratio", "f1", "f2", "gender", "region", "channel"]
TYPES = {
    "id": "string", "age": "integer", "n_items": "integer", "tenure_days": "integer",
    "income": "float", "debt": "float", "loan_amount": "float", "ratio": "float",
    "f1": "float", "f2": "float", "f3": "float", "f4": "float",
    "gender": "category", "region": "category", "channel": "category", "product": "category",
    "code": "string", "signup": "datetime", "last_seen": "datetime", "active": "boolean",
}  # fmt: skip


def make_frame(n: int, seed: int, start: int = 0) -> pd.DataFrame:
    """`n` rows x 20 columns: numeric, categorical, text, datetime, with missing values."""
    rng = np.random.default_rng(seed)

    def holes(x: np.ndarray, frac: float) -> np.ndarray:
        x = x.astype(float) if x.dtype.kind in "iu" else x
        x[rng.random(n) < frac] = np.nan if x.dtype.kind == "f" else None
        return x

    income = np.round(np.exp(rng.normal(np.log(52_000), 0.45, n)), 2)
    loan = np.round(income * rng.uniform(0.1, 3, n), 2)
    letters = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    code = (
        pd.Series(letters[rng.integers(0, 26, n)], dtype=object)
        + pd.Series(letters[rng.integers(0, 26, n)], dtype=object)
        + "-"
        + pd.Series(rng.integers(0, 10_000, n), dtype=object).map("{:04d}".format)
    )
    signup = np.datetime64("2016-01-01") + rng.integers(0, 3000, n).astype("timedelta64[D]")
    last_seen = signup + rng.integers(0, 86400 * 300, n).astype("timedelta64[s]")
    region = np.array(SETS["region"], dtype=object)[rng.integers(0, 4, n)]
    df = pd.DataFrame(
        {
            "id": pd.Series(np.arange(start, start + n)).map("C{:09d}".format).astype("str"),
            "age": rng.integers(18, 91, n),
            "n_items": rng.integers(0, 51, n),
            "tenure_days": rng.integers(0, 5000, n),
            "income": holes(income, MISSING["income"]),
            "debt": np.round(rng.gamma(2.0, 5000.0, n), 2),
            "loan_amount": loan,
            "ratio": rng.random(n),
            "f1": holes(rng.normal(0, 1, n), MISSING["f1"]),
            "f2": rng.normal(0, 2, n),
            "f3": rng.normal(1, 1, n),
            "f4": rng.normal(0, 5, n),
            "gender": rng.choice(SETS["gender"], n, p=[0.46, 0.46, 0.08]),
            "region": holes(region, MISSING["region"]),
            "channel": rng.choice(SETS["channel"], n),
            "product": rng.choice(SETS["product"], n),
            "code": code.astype("str"),
            "signup": signup.astype("datetime64[s]"),
            "last_seen": pd.Series(last_seen.astype("datetime64[s]")).where(
                rng.random(n) >= MISSING["last_seen"]
            ),
            "active": rng.random(n) < 0.7,
        }
    )
    for col in ("gender", "region", "channel", "product"):
        df[col] = df[col].astype("str").where(df[col].notna())
    return df


def mlgate_entry(drift: bool) -> dict[str, Any]:
    columns: dict[str, Any] = {}
    for col, kind in TYPES.items():
        entry: dict[str, Any] = {"type": kind}
        if col in MISSING:
            entry["max_missing"] = MISSING[col] * 1.2
        else:
            entry["nullable"] = False
        if col in RANGES:
            entry["min"], entry["max"] = RANGES[col]
        if col in SETS:
            entry["allowed"] = SETS[col]
        columns[col] = entry
    columns["code"]["pattern"] = CODE
    suite: dict[str, Any] = {
        "dataset": "current",
        "unique": ["id"],
        "duplicates": {"max": 0},
        "columns": columns,
    }
    if drift:
        suite["drift"] = {"reference": "reference", "columns": DRIFT}
    return suite


# -- the tools ----------------------------------------------------------------------------


def run_mlgate(df: pd.DataFrame, ref: pd.DataFrame | None) -> int:
    from mlgate.testing.data import _judge_suite

    results = _judge_suite(mlgate_entry(ref is not None), df, ref)
    return sum(o.status == "failed" for _, o in results)


def run_pandera(df: pd.DataFrame, ref: pd.DataFrame | None) -> int:
    import pandera.pandas as pa
    from pandera.errors import SchemaErrors

    def dtype_check(kind: str) -> Any:
        t = pd.api.types
        test = {
            "string": t.is_string_dtype, "category": t.is_string_dtype,
            "integer": t.is_integer_dtype, "float": t.is_float_dtype,
            "datetime": t.is_datetime64_any_dtype, "boolean": t.is_bool_dtype,
        }[kind]  # fmt: skip
        return pa.Check(lambda s: test(s), element_wise=False, name=f"dtype {kind}")

    columns = {}
    for col, kind in TYPES.items():
        checks = [dtype_check(kind)]
        if col in RANGES:
            checks.append(pa.Check.in_range(*RANGES[col]))
        if col in SETS:
            checks.append(pa.Check.isin(SETS[col]))
        if col == "code":
            checks.append(pa.Check.str_matches(CODE))
        if col in MISSING:
            limit = MISSING[col] * 1.2
            checks.append(pa.Check(lambda s, m=limit: s.isna().mean() <= m, ignore_na=False))
        columns[col] = pa.Column(
            None, checks, nullable=col in MISSING, unique=col == "id", coerce=False
        )
    schema = pa.DataFrameSchema(
        columns, checks=[pa.Check(lambda d: ~d.duplicated(), name="no duplicated rows")]
    )
    try:
        schema.validate(df, lazy=True)
    except SchemaErrors as exc:
        return len(exc.failure_cases)
    return 0


def run_ge(df: pd.DataFrame, ref: pd.DataFrame | None) -> int:
    import logging

    import great_expectations as gx
    import great_expectations.expectations as gxe

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    ctx = gx.get_context(mode="ephemeral")
    batch = (
        ctx.data_sources.add_pandas("p")
        .add_dataframe_asset("a")
        .add_batch_definition_whole_dataframe("b")
        .get_batch(batch_parameters={"dataframe": df})
    )
    suite = gx.ExpectationSuite("s")
    for col in TYPES:
        suite.add_expectation(
            gxe.ExpectColumnValuesToBeOfType(column=col, type_=str(df[col].dtype))
        )
        mostly = 1 - MISSING[col] * 1.2 if col in MISSING else 1.0
        suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=col, mostly=mostly))
        if col in RANGES:
            lo, hi = RANGES[col]
            suite.add_expectation(
                gxe.ExpectColumnValuesToBeBetween(column=col, min_value=lo, max_value=hi)
            )
        if col in SETS:
            suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column=col, value_set=SETS[col]))
    suite.add_expectation(gxe.ExpectColumnValuesToMatchRegex(column="code", regex=CODE))
    suite.add_expectation(gxe.ExpectColumnValuesToBeUnique(column="id"))
    suite.add_expectation(gxe.ExpectCompoundColumnsToBeUnique(column_list=list(TYPES)))
    suite = ctx.suites.add(suite)
    result = batch.validate(suite)
    return sum(not r.success for r in result.results)


def run_mlgate_no_key(df: pd.DataFrame, ref: pd.DataFrame | None) -> int:
    """The suite without `unique: [id]`: duplicated rows found by hashing every row."""
    from mlgate.testing.data import _judge_suite

    entry = mlgate_entry(False)
    del entry["unique"]
    return sum(o.status == "failed" for _, o in _judge_suite(entry, df, None))


TOOLS = {
    "mlgate": run_mlgate,
    "mlgate+drift": run_mlgate,
    "mlgate-nokey": run_mlgate_no_key,
    "pandera": run_pandera,
    "ge": run_ge,
}


# -- measuring ----------------------------------------------------------------------------


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def worker(tool: str, data: Path, ref: Path, repeat: int) -> None:
    """Run one tool in this process and print its figures as JSON."""
    import gc

    df = pd.read_parquet(data)
    reference = pd.read_parquet(ref) if tool == "mlgate+drift" else None
    frame_bytes = int(df.memory_usage(deep=True).sum())
    if tool == "ge":  # imports happen before the timing, for every tool
        import great_expectations  # noqa: F401
    elif tool == "pandera":
        import pandera.pandas  # noqa: F401
    else:
        import mlgate.testing.data  # noqa: F401
    best, extra, failures = float("inf"), 0, 0
    for _ in range(repeat):  # the fastest run; the largest memory
        gc.collect()
        before = _status("VmRSS")
        Path("/proc/self/clear_refs").write_text("5")  # reset the high-water mark
        start = time.perf_counter()
        failures = TOOLS[tool](df, reference)
        best = min(best, time.perf_counter() - start)
        extra = max(extra, _status("VmHWM") - before)
    print(json.dumps({"tool": tool, "seconds": best, "extra": extra,
                      "frame": frame_bytes, "failures": failures}))  # fmt: skip


def measure(tool: str, data: Path, ref: Path, repeat: int) -> dict[str, Any]:
    cmd = [sys.executable, str(HERE), "--worker", tool, "--data", str(data), "--ref", str(ref),
           "--repeat", str(repeat)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"tool": tool, "error": tail}
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def write_csv(path: Path, rows: int, chunk: int) -> None:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    writer = None
    for i, start in enumerate(range(0, rows, chunk)):
        table = pa.Table.from_pandas(make_frame(min(chunk, rows - start), 100 + i, start),
                                     preserve_index=False)  # fmt: skip
        if writer is None:
            writer = pcsv.CSVWriter(str(path), table.schema)
        writer.write_table(table)
    assert writer is not None
    writer.close()


def csv_run(folder: Path, rows: int, chunk_rows: int, ref: Path) -> dict[str, Any]:
    import yaml

    csv = folder / "big.csv"
    write_csv(csv, rows, min(chunk_rows, 1_000_000))
    entry = mlgate_entry(drift=True)
    entry["dataset"] = "big"
    entry["rows"] = {"min": rows}
    config = {
        "version": 1,
        "datasets": {
            "big": {"path": str(csv), "chunk_rows": chunk_rows},
            "reference": {"path": str(ref), "chunk_rows": chunk_rows},
        },
        "data": [entry],
    }
    (folder / "mlgate.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    cmd = [sys.executable, "-m", "mlgate", "run", "--publish", "none", "--report-dir", "out"]
    cmd += ["--allow-outside-workspace"]  # the data lies in a temp folder
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, _, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    report = json.loads((folder / "out" / "report.json").read_text())
    failed = [c["id"] for c in report["checks"] if c["status"] != "passed"]
    return {"rows": rows, "bytes": csv.stat().st_size, "seconds": seconds,
            "peak_rss": usage.ru_maxrss * 1024, "checks": len(report["checks"]),
            "not_passed": failed}  # fmt: skip


def whole_process(cmd: list[str], cwd: Path) -> tuple[float, int]:
    """Seconds and peak RSS of a command, as a whole process (imports and reading included)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise RuntimeError(
            f"{cmd[:4]} failed: {proc.stderr.read().decode()[-300:] if proc.stderr else ''}"
        )
    return seconds, usage.ru_maxrss * 1024


def engine_runs(folder: Path, data: Path, engines: list[str]) -> None:
    """`mlgate run` of the suite (no drift) on the parquet file per engine, whole process, next
    to pandera reading the same file and validating it (lazy), whole process too."""
    import yaml

    out: dict[str, tuple[float, int, Any]] = {}
    for engine in engines:
        if engine == "pandera":
            cmd = [sys.executable, str(HERE), "--worker", "pandera", "--data", str(data),
                   "--ref", str(data), "--repeat", "1"]  # fmt: skip
            seconds, peak = whole_process(cmd, folder)
            out[engine] = (seconds, peak, "")
            continue
        run = folder / f"engine-{engine}"
        run.mkdir(exist_ok=True)
        config = {
            "version": 1,
            "gate": {"engine": engine},
            "datasets": {"current": {"path": str(data)}},
            "data": [mlgate_entry(False)],
        }
        (run / "mlgate.yml").write_text(yaml.safe_dump(config, sort_keys=False))
        cmd = [sys.executable, "-m", "mlgate", "run", "--publish", "none", "--report-dir", "out"]
        cmd += ["--allow-outside-workspace"]  # the data lies in a temp folder
        seconds, peak = whole_process(cmd, run)
        report = json.loads((run / "out" / "report.json").read_text())
        failed = sorted(c["id"] for c in report["checks"] if c["status"] != "passed")
        out[engine] = (seconds, peak, failed)
    base = out.get("pandera")
    print("\nWhole process on the parquet file (suite without drift):\n")
    print("| engine | seconds | peak RSS | time / pandera's | not passed |")
    print("|---|---:|---:|---:|---|")
    for engine, (seconds, peak, failed) in out.items():
        ratio = f"{seconds / base[0]:.2f}x" if base else ""
        shown = "" if engine == "pandera" else (", ".join(failed) or "none")
        name = engine if engine == "pandera" else f"mlgate ({engine})"
        print(f"| {name} | {seconds:.2f} | {mib(peak)} | {ratio} | {shown} |")
    verdicts = {tuple(f) for e, (_, _, f) in out.items() if e != "pandera"}
    if len(verdicts) > 1:
        print("\nThe engines disagree: this is a bug.")


def mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--csv-rows", type=int, default=10_000_000, help="0: skip the CSV run")
    ap.add_argument("--chunk-rows", type=int, default=250_000)
    ap.add_argument("--tools", default="mlgate,mlgate+drift,mlgate-nokey,pandera,ge")
    ap.add_argument("--repeat", type=int, default=3, help="runs per tool (fastest is shown)")
    ap.add_argument("--engines", default="duckdb,pandas,pandera",
                    help="whole-process runs per engine ('' to skip)")  # fmt: skip
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--ref", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.data, args.ref, args.repeat)
        return
    with tempfile.TemporaryDirectory(prefix="mlgate-bench-") as tmp:
        folder = Path(tmp)
        data, ref = folder / "current.parquet", folder / "reference.parquet"
        make_frame(args.rows, 1).to_parquet(data)
        make_frame(args.rows, 2, start=args.rows).to_parquet(ref)
        tools = [t for t in args.tools.split(",") if t]
        if tools:
            report(args, {t: measure(t, data, ref, args.repeat) for t in tools})
        engines = [e for e in args.engines.split(",") if e]
        if engines:
            engine_runs(folder, data, engines)
        if args.csv_rows:
            big = csv_run(folder, args.csv_rows, args.chunk_rows, ref)
            print(
                f"\nCSV, {big['rows']:,} rows ({mib(big['bytes'])}), chunk_rows "
                f"{args.chunk_rows:,}: {big['seconds']:.1f} s, peak RSS {mib(big['peak_rss'])} "
                f"(whole process), {big['checks']} checks, "
                f"not passed: {big['not_passed'] or 'none'}"
            )


def report(args: argparse.Namespace, results: dict[str, dict[str, Any]]) -> None:
    base = results.get("mlgate", {})
    print(f"{args.rows:,} rows x 20 columns; frame {mib(base.get('frame', 0))} in memory\n")
    print("| tool | seconds | peak memory over the frame | (frame + peak) / frame | "
          "mlgate faster by | failed checks |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|")
    for tool, r in results.items():
        if "error" in r:
            print(f"| {tool} | could not run: {r['error']} | | | | |")
            continue
        ratio = (r["frame"] + r["extra"]) / r["frame"]
        faster = r["seconds"] / base["seconds"] if "seconds" in base else None
        shown = f"{faster:.1f}x" if faster and not tool.startswith("mlgate") else ""
        print(
            f"| {tool} | {r['seconds']:.2f} | {mib(r['extra'])} | {ratio:.2f}x | {shown} | "
            f"{r['failures']} |"
        )


if __name__ == "__main__":
    main()
