"""`mlgate init DATA [REFERENCE]`: a starting `mlgate.yml` that can be adopted as is.

The checks are learnt from REFERENCE when it is given (else from DATA) by the rules of
`mlgate.data.infer`, so that later data of the same source passes them while a change of unit, a
new category, new missing values, a renamed column or duplicated rows fail. With REFERENCE, DATA
also gets a `drift:` block against it (columns that already drift are left out, with a comment),
and the checks DATA fails already are named in a comment. Paths are written relative to the
folder of the config file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml


def init_config(paths: list[Path], config_dir: Path | None = None) -> str:
    """The YAML text of a starting configuration for DATA (`paths[0]`), learnt from REFERENCE
    (`paths[1]`) when given; dataset paths relative to `config_dir` (default: here)."""
    from mlgate.data.infer.suite import infer_suite
    from mlgate.errors import UsageError

    if not paths or len(paths) > 2:
        raise UsageError("give DATA and at most one REFERENCE to learn the checks from")
    base = (config_dir or Path.cwd()).resolve()
    names: list[str] = []
    frames = []
    datasets: dict[str, Any] = {}
    for path in paths:
        name = _unique_name(_stem(path), names)
        names.append(name)
        frame, options = _read(path)
        frames.append(frame)
        datasets[name] = {"path": _relative(path, base)}
        if options:
            datasets[name]["options"] = options
    learn_from = frames[-1]
    suite, notes = infer_suite(names[0], learn_from)
    comments = [f"# {note}" for note in notes]
    if len(paths) == 2:
        comments.extend(_differences(names, frames))
        comments.extend(_failing_now(names, suite, frames[0]))
        drift, dropped = _drift(names[1], frames[1], frames[0])
        if drift:
            suite["drift"] = drift
        if dropped:
            comments.append(
                f"# {names[0]}: left out of drift (already drifting from {names[1]}): "
                + ", ".join(dropped)
            )
    doc = {"version": 1, "datasets": datasets, "data": [suite]}
    learnt = f" learnt from {names[-1]}" if len(paths) == 2 else ""
    header = [
        f"# A starting mlgate.yml inferred by `mlgate init`{learnt}: review every bound.",
        "# Paths are relative to the folder of this file.",
        *comments,
    ]
    body = yaml.safe_dump(
        doc, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )
    return "\n".join(header) + "\n" + body


def _read(path: Path) -> tuple[Any, dict[str, Any]]:
    """The file as a frame, and the reader options it needs (a CSV separator)."""
    from mlgate.datasets import detect_format, printable, read_paths
    from mlgate.errors import UsageError

    if not path.exists():
        raise UsageError(f"{path}: no such file")
    if path.is_dir():
        raise UsageError(f"{path}: is a folder; give a data file")
    fmt = detect_format(path.name)
    options = _csv_options(path) if fmt == "csv" else {}
    try:
        return read_paths([path], fmt, options), options
    except Exception as exc:
        text = str(exc).strip().splitlines()
        reason = printable(text[0] if text else type(exc).__name__)
        raise UsageError(f"{path}: cannot read it as {fmt}: {reason}") from None


def _differences(names: list[str], frames: list[Any]) -> list[str]:
    data, ref = ([str(c) for c in f.columns] for f in frames)
    out = []
    if only := [c for c in ref if c not in data]:
        out.append(f"# {names[0]} lacks columns of {names[1]}: " + ", ".join(only))
    if only := [c for c in data if c not in ref]:
        out.append(
            f"# {names[0]} has columns {names[1]} lacks (strict fails them): " + ", ".join(only)
        )
    return out


def _failing_now(names: list[str], suite: dict[str, Any], frame: Any) -> list[str]:
    """A comment naming the checks DATA already fails (review them before adopting)."""
    from mlgate.testing.data import _judge_suite

    entry = {k: v for k, v in suite.items() if k != "drift"}
    try:
        results = _judge_suite(entry, frame, max_examples=1)
    except Exception:  # the gate will say what is wrong
        return []
    failing = [ident for ident, outcome in results if outcome.status in ("failed", "error")]
    if not failing:
        return []
    return [f"# {names[0]} fails these checks already: " + ", ".join(failing)]


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


def _relative(path: Path, base: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), base)).as_posix()
    except ValueError:  # another drive
        return path.resolve().as_posix()


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
        if _is_id(reference[col]):
            continue
        outcome = judge.drift(col, suite, cur, ref)
        (dropped if outcome.status == "failed" else keep).append(col)
    if not keep:
        return {}, dropped
    return {"reference": ref_name, "columns": keep, "method": "auto"}, dropped


def _is_id(column: Any) -> bool:
    """Every value distinct, and whole numbers or text: an ID, which cannot drift meaningfully."""
    from mlgate.data.pandas_backend import kind_of

    values = column.dropna()
    return (
        len(values) > 0
        and kind_of(values) in ("integer", "string", "category")
        and bool(values.nunique() == len(column))
    )
