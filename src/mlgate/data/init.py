"""`mlgate init DATASET...`: a starting `mlgate.yml` inferred from the data.

Per column: its type, `nullable: false` or a `max_missing` with a margin, `min`/`max` widened by
10% of the range (never below 0 when the data is not), `allowed` for low-cardinality text or
integer columns, `pattern`-free. A column whose values are all distinct and whose name ends in
`id` becomes the suite's `unique` key. With two or more datasets, every dataset after the first
gets a `drift:` block against the first (columns that already drift are left out, with a
comment). Paths are written relative to the current directory, where the config is meant to go.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any

import yaml

MAX_ALLOWED = 20


def init_config(paths: list[Path]) -> str:
    """The YAML text of a starting configuration for these dataset files."""
    from mlgate.datasets import detect_format, printable, read_paths
    from mlgate.errors import UsageError

    if not paths:
        raise UsageError("give at least one dataset file")
    names: list[str] = []
    frames = []
    datasets: dict[str, Any] = {}
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file")
        name = _unique_name(_stem(path), names)
        names.append(name)
        fmt = detect_format(path.name)
        options = _csv_options(path) if fmt == "csv" else {}
        try:
            frames.append(read_paths([path], fmt, options))
        except Exception as exc:
            text = str(exc).strip().splitlines()
            reason = printable(text[0] if text else type(exc).__name__)
            raise UsageError(f"{path}: cannot read it as {fmt}: {reason}") from None
        datasets[name] = {"path": _relative(path)}
        if options:
            datasets[name]["options"] = options
    suites: list[dict[str, Any]] = []
    comments: list[str] = []
    for i, (name, df) in enumerate(zip(names, frames, strict=True)):
        suite = _suite(name, df)
        if i > 0:
            drift, dropped = _drift(names[0], frames[0], df)
            if drift:
                suite["drift"] = drift
            if dropped:
                comments.append(
                    f"# {name}: left out of drift (already drifting from {names[0]}): "
                    + ", ".join(dropped)
                )
        suites.append(suite)
    doc = {"version": 1, "datasets": datasets, "data": suites}
    header = [
        "# A starting mlgate.yml inferred from the data by `mlgate init`: review every bound.",
        "# Paths are relative to the folder of this file (written for the current directory).",
        *comments,
    ]
    body = yaml.safe_dump(
        doc, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )
    return "\n".join(header) + "\n" + body


def _csv_options(path: Path) -> dict[str, Any]:
    """`{sep: ';'}` (or tab, `|`) when the file's first lines use that separator, not commas."""
    import csv

    from mlgate.datasets import _stream

    try:
        with _stream(path) as f:
            head = f.read(65536).decode("utf-8-sig", errors="replace")
        dialect = csv.Sniffer().sniff(head.rsplit("\n", 1)[0] or head, delimiters=",;\t|")
    except Exception:  # unreadable or undecidable: the reader says what is wrong
        return {}
    return {"sep": dialect.delimiter} if dialect.delimiter != "," else {}


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".zst", ".bz2"):
        name = name.removesuffix(suffix)
    stem = Path(name).stem
    return re.sub(r"[^A-Za-z0-9_.\-]+", "_", stem) or "data"


def _unique_name(name: str, taken: list[str]) -> str:
    out, n = name, 2
    while out in taken:
        out, n = f"{name}_{n}", n + 1
    return out


def _relative(path: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), Path.cwd())).as_posix()
    except ValueError:  # another drive
        return path.resolve().as_posix()


def _suite(name: str, df: Any) -> dict[str, Any]:
    from mlgate.data.pandas_backend import kind_of, nested_as_text

    columns: dict[str, Any] = {}
    key: str | None = None
    n = len(df)
    df, nested = nested_as_text(df)  # lists and objects: no type, compared as JSON text
    for col in df.columns:
        s = df[col]
        values = s.dropna()
        kind = "nested" if col in nested else kind_of(values) if len(values) else "empty"
        entry: dict[str, Any] = {}
        if kind in ("integer", "float"):
            whole = kind == "integer" or bool((values == values.round()).all())
            entry["type"] = "integer" if whole and kind == "integer" else "float"
            if kind == "float" and whole and s.isna().any():
                entry["type"] = "integer"
        elif kind in ("string", "category", "boolean", "datetime"):
            entry["type"] = kind if kind != "category" else "category"
        missing = int(s.isna().sum())
        if missing == 0:
            entry["nullable"] = False
        else:
            frac = missing / n
            entry["max_missing"] = min(1.0, _ceil(frac * 1.5 + 0.01, 2))
        if kind in ("integer", "float"):
            lo, hi = float(values.min()), float(values.max())
            margin = (hi - lo) * 0.1
            is_int = entry.get("type") == "integer"
            low = lo - margin if lo - margin >= 0 or lo < 0 else 0.0
            entry["min"] = _num(math.floor(low) if is_int else _round_down(low))
            entry["max"] = _num(math.ceil(hi + margin) if is_int else _round_up(hi + margin))
        if kind == "datetime":
            entry["min"] = str(values.min().date())  # in the column's zone, as bounds are
            entry["max"] = "today"
        distinct = values.nunique()
        low_card = 0 < distinct <= MAX_ALLOWED and distinct < max(n, 1) * 0.5
        if kind in ("string", "category", "integer", "boolean") and low_card:
            entry["allowed"] = sorted(_plain(v) for v in values.unique())
            entry.pop("min", None)
            entry.pop("max", None)
        if key is None and distinct == n and str(col).lower().endswith("id") and not missing:
            key = str(col)
        columns[str(col)] = entry
    suite: dict[str, Any] = {"dataset": name, "rows": {"min": max(1, n // 2)}, "strict": True}
    if key:
        suite["unique"] = [key]
    suite["columns"] = columns
    return suite


def _drift(ref_name: str, reference: Any, current: Any) -> tuple[dict[str, Any], list[str]]:
    """A drift block on the common columns, leaving out those that drift already."""
    from mlgate.data import judge
    from mlgate.data.pandas_backend import FrameSource, PandasBackend
    from mlgate.data.suite import Drift, Suite

    common = [str(c) for c in current.columns if c in reference.columns]
    suite = Suite(name="init", dataset="current", drift=Drift(reference=ref_name))
    backend = PandasBackend()
    cur = backend.profile(FrameSource("current", current), suite, drift_columns=common)
    ref = backend.profile(FrameSource(ref_name, reference), suite, drift_columns=common)
    keep: list[str] = []
    dropped: list[str] = []
    for col in common:
        if col in cur.column and _is_id(cur, col):
            continue
        outcome = judge.drift(col, suite, cur, ref)
        (dropped if outcome.status == "failed" else keep).append(col)
    if not keep:
        return {}, dropped
    return {"reference": ref_name, "columns": keep, "method": "auto"}, dropped


def _is_id(profile: Any, col: str) -> bool:
    cp = profile.column[col]
    distinct = sum(1 for _ in cp.counts) if cp.counts else 0
    return cp.kind in ("string", "category") and distinct == cp.count


def _ceil(x: float, digits: int) -> float:
    f = 10.0**digits
    return math.ceil(x * f) / f


def _round_down(x: float) -> float:
    return _sig(x, math.floor)


def _round_up(x: float) -> float:
    return _sig(x, math.ceil)


def _sig(x: float, how: Any) -> float:
    if x == 0:
        return 0.0
    scale = 10.0 ** (math.floor(math.log10(abs(x))) - 2)
    return float(how(x / scale)) * scale


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else round(x, 6)


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    return value
