"""Benchmark the data checks: mlgate vs pandera (lazy) vs Great Expectations, one run.

    python benchmarks/data.py          # 2M rows x 20 columns, 50M-row parquet, 10M-row CSV
    python benchmarks/data.py --rows 20000 --csv-rows 0 --big-rows 0 --width-rows 20000 \
        --repeat 1                     # smoke run

The 2M-row parquet (`--rows`) holds a known handful of planted faults (`plant_faults`): ages
above the range, tenures below it, codes not matching the regex, a repeated id, a missing
value in a not-null column, values outside a set and one fully duplicated row.

1. In-process tools (`--tools`): each tool in its own process on the same frame (read from
   parquet and the tool imported before timing; the fastest of `--repeat` runs, the largest
   memory over the frame).
2. Whole process (`--engines pandera,ge,duckdb,pandas`): `mlgate run` per engine as a user runs
   it, next to pandera and Great Expectations reading the file and validating it, imports and
   reading included: seconds, peak RSS, ratios, and per engine the planted faults against what
   it found (check ids and counts; any difference is flagged).
3. The statistics step alone (`--stats`): `SqlProfiler.run` on the DuckDB relation, next to one
   hand-written DuckDB query computing the same counts over the same file, in one process.
4. Width (`--widths 20,100,400`, `--width-rows`): the same suite on the column families repeated
   with suffixes, `mlgate run` on DuckDB, seconds and peak RSS per width.
5. A `--big-rows` parquet (written in chunks with pyarrow's ParquetWriter), `mlgate run` on DuckDB.
6. A CSV of `--csv-rows` rows validated with `chunk_rows` (the pandas engine's streaming).
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


def plant_faults(df: pd.DataFrame) -> dict[str, int]:
    """Plant a known handful of faults in `df` (in place); the check ids they fail, with counts
    (`unique` and `duplicates` count the rows repeating an earlier row)."""
    n = len(df)

    def at(*fractions: float) -> list[int]:
        return [int(f * n) for f in fractions]

    df.loc[at(0.10, 0.25, 0.75), "age"] = 150  # above max 120
    df.loc[at(0.11, 0.60), "tenure_days"] = -5  # below min 0
    df.loc[at(0.12, 0.35, 0.55, 0.95), "code"] = "AB-12345"  # not ^[A-Z]{2}-[0-9]{4}$
    df.loc[at(0.45), "debt"] = np.nan  # a missing value in a not-null column
    df.loc[at(0.13, 0.65), "channel"] = "fax"  # outside the allowed set
    first, again = at(0.20, 0.40)
    df.loc[again, "id"] = df.loc[first, "id"]  # a repeated id (the rest of the row differs)
    row = int(0.80 * n)  # one fully duplicated row
    for j in range(df.shape[1]):
        df.iloc[row + 1, j] = df.iloc[row, j]
    return {
        "columns/age/max": 3,
        "columns/tenure_days/min": 2,
        "columns/code/pattern": 4,
        "columns/debt/nullable": 1,
        "columns/channel/allowed": 2,
        "unique": 2,  # the repeated id and the duplicated row's id
        "duplicates": 1,
    }


#: Great Expectations counts every row of a repeated group, not the repeats after the first.
GE_COUNTS_GROUPS = {"unique": 4, "duplicates": 2}


def mlgate_entry(drift: bool, copies: int = 1) -> dict[str, Any]:
    """The suite; `copies` > 1 adds every column family again with the suffixes of `widen`."""
    columns: dict[str, Any] = {}
    for copy in range(copies):
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
            if col == "code":
                entry["pattern"] = CODE
            columns[col + suffix(copy)] = entry
    suite: dict[str, Any] = {
        "dataset": "current",
        "unique": ["id"],
        "duplicates": {"max": 0},
        "columns": columns,
    }
    if drift:
        suite["drift"] = {"reference": "reference", "columns": DRIFT}
    return suite


def suffix(copy: int) -> str:
    return f"_{copy + 1}" if copy else ""


def widen(df: pd.DataFrame, copies: int) -> pd.DataFrame:
    """The 20 columns and `copies - 1` more copies of them, suffixed `_2`, `_3`, ..."""
    parts = [df] + [df.add_suffix(suffix(c)) for c in range(1, copies)]
    return pd.concat(parts, axis=1)


# -- the tools ----------------------------------------------------------------------------
# Each returns what failed: {mlgate check id (without `data/<dataset>/`): count}.


def run_mlgate(df: pd.DataFrame, ref: pd.DataFrame | None) -> dict[str, int]:
    from mlgate.testing.data import _judge_suite

    return _mlgate_found(_judge_suite(mlgate_entry(ref is not None), df, ref))


def _mlgate_found(results: list[tuple[str, Any]]) -> dict[str, int]:
    return {cid: int(o.details.get("count", 1)) for cid, o in results if o.status == "failed"}


def run_pandera(df: pd.DataFrame, ref: pd.DataFrame | None) -> dict[str, int]:
    import pandera.pandas as pa
    from pandera.errors import SchemaErrors

    def dtype_check(kind: str) -> Any:
        t = pd.api.types
        test = {
            "string": t.is_string_dtype, "category": t.is_string_dtype,
            "integer": t.is_integer_dtype, "float": t.is_float_dtype,
            "datetime": t.is_datetime64_any_dtype, "boolean": t.is_bool_dtype,
        }[kind]  # fmt: skip
        return pa.Check(lambda s: test(s), element_wise=False, name="type")

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
            checks.append(
                pa.Check(
                    lambda s, m=limit: s.isna().mean() <= m, ignore_na=False, name="max_missing"
                )
            )
        columns[col] = pa.Column(
            None, checks, nullable=col in MISSING, unique=col == "id", coerce=False,
            report_duplicates="exclude_first",
        )  # fmt: skip
    schema = pa.DataFrameSchema(
        columns, checks=[pa.Check(lambda d: ~d.duplicated(), name="duplicates")]
    )
    try:
        schema.validate(df, lazy=True)
    except SchemaErrors as exc:
        return _pandera_found(exc.failure_cases)
    return {}


def _pandera_found(cases: pd.DataFrame) -> dict[str, int]:
    found: dict[str, set[Any]] = {}
    for rec in cases.to_dict("records"):
        col, check, value = rec["column"], str(rec["check"]), rec["failure_case"]
        if check == "duplicates":
            key = "duplicates"
        elif check == "field_uniqueness":
            key = "unique"
        elif check.startswith("in_range"):
            key = f"columns/{col}/{'min' if value < RANGES[col][0] else 'max'}"
        else:
            kind = {"isin": "allowed", "str_matches": "pattern", "not_nullable": "nullable"}
            key = f"columns/{col}/{kind.get(check.split('(')[0], check)}"
        found.setdefault(key, set()).add(rec["index"])  # a row-wise check names each column
    return {k: len(v) for k, v in found.items()}


def run_ge(df: pd.DataFrame, ref: pd.DataFrame | None) -> dict[str, int]:
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
    found: dict[str, int] = {}
    for r in result.results:
        if r.success:
            continue
        cfg = r.expectation_config
        col, name, res = cfg.kwargs.get("column"), cfg.type, r.result or {}
        count = int(res.get("unexpected_count") or 1)
        if name == "expect_column_values_to_be_between":
            for v in res.get("partial_unexpected_list") or []:  # up to 20 values: min or max
                key = f"columns/{col}/{'min' if v < RANGES[col][0] else 'max'}"
                found[key] = found.get(key, 0) + 1
            continue
        key = {
            "expect_column_values_to_be_of_type": f"columns/{col}/type",
            "expect_column_values_to_not_be_null": f"columns/{col}/"
            + ("nullable" if col not in MISSING else "max_missing"),
            "expect_column_values_to_be_in_set": f"columns/{col}/allowed",
            "expect_column_values_to_match_regex": f"columns/{col}/pattern",
            "expect_column_values_to_be_unique": "unique",
            "expect_compound_columns_to_be_unique": "duplicates",
        }.get(name, name)
        found[key] = count
    return found


def run_mlgate_no_key(df: pd.DataFrame, ref: pd.DataFrame | None) -> dict[str, int]:
    """The suite without `unique: [id]`: duplicated rows found by hashing every row."""
    from mlgate.testing.data import _judge_suite

    entry = mlgate_entry(False)
    del entry["unique"]
    return _mlgate_found(_judge_suite(entry, df, None))


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
    best, extra, found = float("inf"), 0, {}
    for _ in range(repeat):  # the fastest run; the largest memory
        gc.collect()
        before = _status("VmRSS")
        Path("/proc/self/clear_refs").write_text("5")  # reset the high-water mark
        start = time.perf_counter()
        found = TOOLS[tool](df, reference)
        best = min(best, time.perf_counter() - start)
        extra = max(extra, _status("VmHWM") - before)
    print(json.dumps({"tool": tool, "seconds": best, "extra": extra,
                      "frame": frame_bytes, "found": found}))  # fmt: skip


def measure(tool: str, data: Path, ref: Path, repeat: int) -> dict[str, Any]:
    cmd = [sys.executable, str(HERE), "--worker", tool, "--data", str(data), "--ref", str(ref),
           "--repeat", str(repeat)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"tool": tool, "error": tail}
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def write_parquet(path: Path, chunks: Any) -> int:
    """Frames written one after the other (one row group each) with pyarrow's ParquetWriter."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer, rows = None, 0
    for frame in chunks:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if writer is None:
            writer = pq.ParquetWriter(str(path), table.schema)
        writer.write_table(table)
        rows += table.num_rows
    assert writer is not None
    writer.close()
    return rows


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
    csv = folder / "big.csv"
    write_csv(csv, rows, min(chunk_rows, 1_000_000))
    entry = mlgate_entry(drift=True)
    entry["dataset"] = "big"
    entry["rows"] = {"min": rows}
    datasets = {
        "big": {"path": str(csv), "chunk_rows": chunk_rows},
        "reference": {"path": str(ref), "chunk_rows": chunk_rows},
    }
    out = mlgate_run(folder / "csv", datasets, entry, None)
    return {"rows": rows, "bytes": csv.stat().st_size, **out}


def _child_peak() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


def run_whole(cmd: list[str], cwd: Path) -> tuple[float, int, str]:
    """As `whole_process`, with the peak RSS of this command alone (a fresh waiting process:
    RUSAGE_CHILDREN keeps the largest child ever waited for)."""
    probe = [sys.executable, str(HERE), "--time-child", json.dumps(cmd)]
    done = subprocess.run(probe, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{cmd[:4]} failed: {done.stderr[-400:]}")
    res = json.loads(done.stdout.strip().splitlines()[-1])
    return float(res["seconds"]), int(res["peak"]), str(res["out"])


def time_child(cmd: list[str]) -> None:
    """Run `cmd` and print its seconds, peak RSS and output as JSON (see `run_whole`)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"exit {proc.returncode}: {err.decode()[-400:]}")
    print(json.dumps({"seconds": seconds, "peak": _child_peak(), "out": out.decode()}))


def mlgate_run(
    run: Path, datasets: dict[str, Any], entry: dict[str, Any], engine: str | None
) -> dict[str, Any]:
    """`mlgate run` of one suite in `run/`, whole process: seconds, peak RSS, what failed."""
    import yaml

    run.mkdir(exist_ok=True)
    config: dict[str, Any] = {"version": 1}
    if engine:
        config["gate"] = {"engine": engine}
    config.update({"datasets": datasets, "data": [entry]})
    (run / "mlgate.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    cmd = [sys.executable, "-m", "mlgate", "run", "--publish", "none", "--report-dir", "out"]
    cmd += ["--allow-outside-workspace"]  # the data lies in a temp folder
    seconds, peak, _ = run_whole(cmd, run)
    report = json.loads((run / "out" / "report.json").read_text())
    found: dict[str, int] = {}
    for c in report["checks"]:
        if c["status"] != "passed":
            found["/".join(c["id"].split("/")[2:])] = int(c.get("details", {}).get("count", 1))
    return {"seconds": seconds, "peak_rss": peak, "checks": len(report["checks"]), "found": found,
            "not_passed": sorted(found)}  # fmt: skip


def engine_runs(folder: Path, data: Path, engines: list[str], planted: dict[str, int]) -> None:
    """The suite (no drift) on the parquet file as whole processes: `mlgate run` per engine,
    pandera and Great Expectations reading the file and validating it."""
    out: dict[str, dict[str, Any]] = {}
    for engine in engines:
        if engine in ("pandera", "ge"):
            cmd = [sys.executable, str(HERE), "--worker", engine, "--data", str(data),
                   "--ref", str(data), "--repeat", "1"]  # fmt: skip
            seconds, peak, text = run_whole(cmd, folder)
            found = json.loads(text.strip().splitlines()[-1])["found"]
            out[engine] = {"seconds": seconds, "peak_rss": peak, "found": found}
            continue
        datasets = {"current": {"path": str(data)}}
        out[engine] = mlgate_run(folder / f"engine-{engine}", datasets, mlgate_entry(False),
                                 engine)  # fmt: skip
    names = {
        "pandera": "pandera (read + lazy validate)",
        "ge": "Great Expectations (read + validate)",
        "duckdb": "mlgate run (duckdb)",
        "pandas": "mlgate run (pandas)",
    }
    pandera, ge = out.get("pandera"), out.get("ge")
    print("\nWhole process on the parquet file (suite without drift):\n")
    print("| run | seconds | peak RSS | time / pandera's | time / GE's | planted faults found |")
    print("|---|---:|---:|---:|---:|---|")
    verdicts = {}
    for engine, r in out.items():
        expected = {**planted, **GE_COUNTS_GROUPS} if engine == "ge" else planted
        diff = fault_diff(expected, r["found"])
        verdicts[engine] = diff
        vs_pa = f"{r['seconds'] / pandera['seconds']:.2f}x" if pandera else ""
        vs_ge = f"{r['seconds'] / ge['seconds']:.2f}x" if ge else ""
        shown = "exactly" if not diff else f"**differs**: {'; '.join(diff)}"
        print(f"| {names.get(engine, engine)} | {r['seconds']:.2f} | {mib(r['peak_rss'])} | "
              f"{vs_pa} | {vs_ge} | {shown} |")  # fmt: skip
    print("\nPlanted vs found (check id: count; GE counts every row of a repeated group):\n")
    ids = sorted({*planted, *(k for r in out.values() for k in r["found"])})
    print("| check | planted | " + " | ".join(out) + " |")
    print("|---|---:|" + "---:|" * len(out))
    for cid in ids:
        cells = []
        for engine, r in out.items():
            expected = {**planted, **GE_COUNTS_GROUPS} if engine == "ge" else planted
            got, want = r["found"].get(cid, 0), expected.get(cid, 0)
            cells.append(f"{got}" if got == want else f"**{got}** (expected {want})")
        print(f"| {cid} | {planted.get(cid, 0)} | " + " | ".join(cells) + " |")
    mlgate_found = {e: tuple(sorted(r["found"].items())) for e, r in out.items()
                    if e not in ("pandera", "ge")}  # fmt: skip
    if len(set(mlgate_found.values())) > 1:
        print("\nThe mlgate engines disagree: this is a bug.")
    if any(verdicts.values()):
        print("\nFLAG: some tool did not find exactly the planted faults (see above).")


def fault_diff(expected: dict[str, int], found: dict[str, int]) -> list[str]:
    """What differs between the planted faults and those found (empty: exactly them)."""
    out = []
    for cid in sorted({*expected, *found}):
        want, got = expected.get(cid, 0), found.get(cid, 0)
        if want != got:
            out.append(f"{cid} {got} (planted {want})" if want else f"{cid} {got} (none planted)")
    return out


# -- the statistics step alone ------------------------------------------------------------


def hand_sql(path: Path) -> str:
    """One DuckDB query computing the suite's counts (the pandas engine's meaning: NaN is
    missing, bounds inclusive, `pattern` a full match, duplicated rows over every column)."""
    t = f"read_parquet('{path}')"

    def missing(c: str) -> str:
        return f"({c} IS NULL OR isnan({c}))" if TYPES[c] == "float" else f"({c} IS NULL)"

    parts = ["count(*)"]
    for col, kind in TYPES.items():
        parts.append(f"count_if({missing(col)})")
        ok = f"NOT {missing(col)}"
        if kind in ("integer", "float", "datetime"):
            kept = f"CASE WHEN {ok} THEN {col} END"  # DuckDB: cheaper than FILTER (WHERE ...)
            parts += [f"min({kept})", f"max({kept})"]
        if kind == "float":
            parts.append(f"count_if({ok} AND {col} <> floor({col}))")
        if col in RANGES:
            lo, hi = RANGES[col]
            parts += [f"count_if({ok} AND {col} < {lo})", f"count_if({ok} AND {col} > {hi})"]
        if col in SETS:
            listed = ", ".join(f"'{v}'" for v in SETS[col])
            parts.append(f"count_if({ok} AND {col} NOT IN ({listed}))")
    parts.append(f"count_if(code IS NOT NULL AND NOT regexp_full_match(code, '{CODE}'))")
    parts.append("count(DISTINCT id)")  # NULLs are not counted
    keys = ", ".join(f"CASE WHEN isnan({c}) THEN NULL ELSE {c} END" if kind == "float" else c
                     for c, kind in TYPES.items())  # fmt: skip
    return (
        f"SELECT * FROM (SELECT {', '.join(parts)} FROM {t}), "
        f"(SELECT count(*) AS distinct_rows FROM (SELECT DISTINCT {keys} FROM {t}))"
    )


def stats_worker(data: Path, repeat: int) -> None:
    """`SqlProfiler.run` on the DuckDB relation vs the hand-written query, in this process."""
    from mlgate.data.suite import build_suite
    from mlgate.engines import duckdb_engine as duck
    from mlgate.engines.profile_sql import SqlProfiler

    suite = build_suite(mlgate_entry(False), "current", 5)
    con = duck.connect()
    rel = duck.parquet_relation("current", con, [data])
    assert rel is not None
    query, spent = rel.query, []

    def timed(sql: str) -> Any:
        start = time.perf_counter()
        try:
            return query(sql)
        finally:
            spent.append(time.perf_counter() - start)

    rel.query = timed  # type: ignore[method-assign]
    sql = hand_sql(data)
    best = {"profiler": float("inf"), "scan": 0.0, "queries": 0, "hand": float("inf")}
    for _ in range(repeat):
        spent.clear()
        start = time.perf_counter()
        SqlProfiler(rel, suite, ()).run()
        took = time.perf_counter() - start
        if took < best["profiler"]:
            best.update(profiler=took, scan=spent[0], queries=len(spent))
        start = time.perf_counter()
        con.sql(sql).fetchall()
        best["hand"] = min(best["hand"], time.perf_counter() - start)
    print(json.dumps(best))


def stats_step(data: Path, repeat: int) -> None:
    cmd = [sys.executable, str(HERE), "--worker", "stats", "--data", str(data), "--ref",
           str(data), "--repeat", str(repeat)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    r = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\nThe statistics step alone (DuckDB, one process, best of {repeat}):\n")
    print("| computed by | seconds |")
    print("|---|---:|")
    what = f"{r['queries']} queries: the aggregate scan {r['scan']:.2f} s, then the examples"
    print(f"| `SqlProfiler.run` ({what}) | {r['profiler']:.2f} |")
    print(f"| one hand-written DuckDB query of the same counts | {r['hand']:.2f} |")
    print(f"\nprofiler / hand-written: {r['profiler'] / r['hand']:.2f}x "
          f"(the aggregate scan alone: {r['scan'] / r['hand']:.2f}x)")  # fmt: skip


# -- width and length ---------------------------------------------------------------------


def width_runs(folder: Path, rows: int, widths: list[int]) -> None:
    """The same suite on wider files (the 20 columns repeated), `mlgate run` on DuckDB."""
    base = make_frame(rows, 1)
    planted = plant_faults(base)
    print(f"\nWidth: {rows:,} rows, `mlgate run` (duckdb), whole process:\n")
    print("| columns | file | seconds | peak RSS | checks | planted faults found |")
    print("|---:|---:|---:|---:|---:|---|")
    for width in widths:
        copies = max(1, width // len(TYPES))
        path = folder / f"wide-{width}.parquet"
        step = 250_000
        write_parquet(path, (widen(base.iloc[i : i + step], copies)
                             for i in range(0, rows, step)))  # fmt: skip
        datasets = {"current": {"path": str(path)}}
        r = mlgate_run(folder / f"wide-{width}", datasets, mlgate_entry(False, copies), "duckdb")
        expected = {
            (k.replace(f"/{k.split('/')[1]}/", f"/{k.split('/')[1]}{suffix(c)}/") if c else k): n
            for k, n in planted.items()
            for c in (range(copies) if k.startswith("columns/") else [0])
        }  # the copies hold the same faults
        diff = fault_diff(expected, r["found"])
        shown = "exactly" if not diff else f"**differs**: {'; '.join(diff)}"
        print(f"| {copies * len(TYPES)} | {mib(path.stat().st_size)} | {r['seconds']:.2f} | "
              f"{mib(r['peak_rss'])} | {r['checks']} | {shown} |")  # fmt: skip
        path.unlink()


def big_run(folder: Path, rows: int) -> None:
    """A `rows`-row parquet written in chunks of 1M rows, `mlgate run` on DuckDB."""
    path = folder / "big.parquet"
    chunk = 1_000_000
    start = time.perf_counter()
    write_parquet(path, (make_frame(min(chunk, rows - s), 1000 + i, s)
                         for i, s in enumerate(range(0, rows, chunk))))  # fmt: skip
    made = time.perf_counter() - start
    entry = mlgate_entry(False)
    entry["rows"] = {"min": rows}
    r = mlgate_run(folder / "big", {"current": {"path": str(path)}}, entry, "duckdb")
    print(
        f"\nParquet, {rows:,} rows x 20 columns ({mib(path.stat().st_size)} on disk, written in "
        f"{made:.0f} s), `mlgate run` (duckdb): {r['seconds']:.1f} s, peak RSS "
        f"{mib(r['peak_rss'])} (whole process), {r['checks']} checks, "
        f"not passed: {r['not_passed'] or 'none'}"
    )
    path.unlink()


def mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--csv-rows", type=int, default=10_000_000, help="0: skip the CSV run")
    ap.add_argument("--chunk-rows", type=int, default=250_000)
    ap.add_argument("--tools", default="mlgate,mlgate+drift,mlgate-nokey,pandera,ge")
    ap.add_argument("--repeat", type=int, default=3, help="runs per tool (fastest is shown)")
    ap.add_argument("--engines", default="pandera,ge,duckdb,pandas",
                    help="whole-process runs ('' to skip)")  # fmt: skip
    ap.add_argument("--stats", type=int, default=1, help="0: skip the statistics step")
    ap.add_argument("--widths", default="20,100,400", help="columns ('' to skip)")
    ap.add_argument("--width-rows", type=int, default=500_000)
    ap.add_argument("--big-rows", type=int, default=50_000_000, help="0: skip the big parquet")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--time-child", help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--ref", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.time_child:
        time_child(json.loads(args.time_child))
        return
    if args.worker == "stats":
        stats_worker(args.data, args.repeat)
        return
    if args.worker:
        worker(args.worker, args.data, args.ref, args.repeat)
        return
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average "
          f"{os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs\n")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="mlgate-bench-") as tmp:
        folder = Path(tmp)
        data, ref = folder / "current.parquet", folder / "reference.parquet"
        frame = make_frame(args.rows, 1)
        planted = plant_faults(frame)
        frame.to_parquet(data)
        del frame
        make_frame(args.rows, 2, start=args.rows).to_parquet(ref)
        tools = [t for t in args.tools.split(",") if t]
        if tools:
            report(args, {t: measure(t, data, ref, args.repeat) for t in tools}, planted)
        engines = [e for e in args.engines.split(",") if e]
        if engines:
            engine_runs(folder, data, engines, planted)
        if args.stats:
            stats_step(data, args.repeat)
        widths = [int(w) for w in args.widths.split(",") if w]
        if widths:
            width_runs(folder, args.width_rows, widths)
        if args.big_rows:
            big_run(folder, args.big_rows)
        if args.csv_rows:
            big = csv_run(folder, args.csv_rows, args.chunk_rows, ref)
            print(
                f"\nCSV, {big['rows']:,} rows ({mib(big['bytes'])}), chunk_rows "
                f"{args.chunk_rows:,}: {big['seconds']:.1f} s, peak RSS {mib(big['peak_rss'])} "
                f"(whole process), {big['checks']} checks, "
                f"not passed: {big['not_passed'] or 'none'}"
            )


def report(
    args: argparse.Namespace, results: dict[str, dict[str, Any]], planted: dict[str, int]
) -> None:
    base = results.get("mlgate", {})
    print(f"{args.rows:,} rows x 20 columns; frame {mib(base.get('frame', 0))} in memory\n")
    print("| tool | seconds | peak memory over the frame | (frame + peak) / frame | "
          "mlgate faster by | failed checks | planted faults found |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---|")
    for tool, r in results.items():
        if "error" in r:
            print(f"| {tool} | could not run: {r['error']} | | | | | |")
            continue
        ratio = (r["frame"] + r["extra"]) / r["frame"]
        faster = r["seconds"] / base["seconds"] if "seconds" in base else None
        shown = f"{faster:.1f}x" if faster and not tool.startswith("mlgate") else ""
        expected = {**planted, **GE_COUNTS_GROUPS} if tool == "ge" else planted
        diff = fault_diff(expected, r["found"])
        print(
            f"| {tool} | {r['seconds']:.2f} | {mib(r['extra'])} | {ratio:.2f}x | {shown} | "
            f"{len(r['found'])} | {'exactly' if not diff else '; '.join(diff)} |"
        )


if __name__ == "__main__":
    main()
