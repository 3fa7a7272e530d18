"""`assert_schema` and `assert_no_drift`: the gate's data checks inside the team's own tests.

They plan and judge exactly like `mlgate run` (same keys, same messages) and raise an
`AssertionError` listing every failed check as the gate would show it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mlgate.checks import Outcome
from mlgate.errors import CheckError

if TYPE_CHECKING:
    import pandas as pd

    from mlgate.data.backend import Profile
    from mlgate.data.suite import Suite


def _judge_suite(
    entry: dict[str, Any],
    frame: pd.DataFrame,
    reference: pd.DataFrame | None = None,
    max_examples: int = 5,
) -> list[tuple[str, Outcome]]:
    import jsonschema

    from mlgate.config.validate import _explain  # the gate's messages, did-you-mean included
    from mlgate.config.yamlload import format_path
    from mlgate.data.kinds import drift_columns, pandas_backend
    from mlgate.data.pandas_backend import FrameSource
    from mlgate.data.plan import declare
    from mlgate.data.schema import SUITE
    from mlgate.data.suite import Suite, build_suite

    errors = jsonschema.Draft202012Validator(SUITE).iter_errors(entry)
    found = [f"{format_path(p)}: {m}" for e in errors for p, m in _explain(e, SUITE)]
    if not found:
        declared, problems = declare(entry, "frame")
        found = [f"{format_path(p)}: {m}" for p, m in problems]
    if found:
        raise ValueError("invalid data checks: " + "; ".join(dict.fromkeys(found)))
    suite = build_suite(entry, "frame", max_examples)
    cols = drift_columns(suite)
    backend = pandas_backend()
    profile = backend.profile(FrameSource("frame", frame), suite, drift_columns=cols)
    ref_profile = None
    if reference is not None:
        ref_suite = Suite(name="reference", dataset="reference")
        ref_profile = backend.profile(
            FrameSource("reference", reference), ref_suite, drift_columns=cols
        )
    out: list[tuple[str, Outcome]] = []
    drifts: dict[str, Outcome] = {}  # per-column drift: p-values adjusted together, as the gate
    for d in declared:
        column = d.params.get("column")
        if d.kind == "data.drift" and column is not None and ref_profile is not None:
            if not drifts:
                from mlgate.data.judge import drift_family

                drifts = drift_family(cols or (column,), suite, profile, ref_profile)
            if column in drifts:
                out.append(("/".join(d.id_parts), drifts[column]))
                continue
        try:
            outcome = _judge(d.kind, d.params, suite, profile, ref_profile)
        except CheckError as exc:  # as the gate reports it: this check could not run
            outcome = Outcome.error(str(exc))
        out.append(("/".join(d.id_parts), outcome))
    return out


def _judge(
    kind: str,
    p: dict[str, Any],
    suite: Suite,
    profile: Profile,
    ref_profile: Profile | None,
) -> Outcome:
    from mlgate.data import judge

    if kind == "data.drift":
        assert ref_profile is not None
        return judge.drift(p.get("column"), suite, profile, ref_profile)
    if kind == "data.rows":
        return judge.rows(p, profile)
    if kind == "data.strict":
        return judge.strict(suite, profile)
    if kind == "data.unique":
        return judge.unique(p, profile)
    if kind == "data.duplicates":
        return judge.duplicates(p, profile)
    if kind == "data.rule":
        return judge.rule(p, suite, profile)
    if kind == "data.column.stat":
        return judge.stat(p, suite, profile)
    return judge.column(p, suite, profile, kind.rsplit(".", 1)[1])


def _raise(results: list[tuple[str, Outcome]]) -> None:
    failed = [(i, o) for i, o in results if o.status in ("failed", "error")]
    if not failed:
        return
    lines = [f"{len(failed)} data check{'s' if len(failed) > 1 else ''} failed:"]
    for ident, outcome in failed:
        lines.append(f"  {ident}: {outcome.message}")
        for ex in outcome.examples[:5]:
            lines.append(f"      {ex}")
    raise AssertionError("\n".join(lines))


def assert_schema(
    df: pd.DataFrame,
    columns: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    rows: Mapping[str, int] | None = None,
    strict: bool = False,
    unique: Sequence[Any] | str | None = None,
    duplicates: Mapping[str, Any] | None = None,
    rules: Sequence[Mapping[str, Any]] | None = None,
) -> None:
    """Check `df` against the keys of a `data:` suite (columns, rows, strict, unique, ...).

    Raises `AssertionError` naming every failed check with the gate's message, e.g.
    ``columns/age/max: 2 of 1,000 non-missing values (0.2%) are above 120 · max seen 150``.
    """
    entry: dict[str, Any] = {"dataset": "frame", "columns": dict(columns or {})}
    if rows:
        entry["rows"] = dict(rows)
    if strict:
        entry["strict"] = True
    if unique:
        entry["unique"] = unique if isinstance(unique, str) else list(unique)
    if duplicates is not None:
        entry["duplicates"] = dict(duplicates)
    if rules:
        entry["rules"] = [dict(r) for r in rules]
    _raise(_judge_suite(entry, df))


def assert_no_drift(
    current: pd.DataFrame,
    reference: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    method: str = "auto",
    threshold: float | None = None,
    min_rows: int = 30,
    bins: int = 10,
    correction: str = "holm",
) -> None:
    """Fail when a column of `current` drifted from `reference` (the gate's `drift:` block;
    p-values adjusted across the columns by `correction`, as in the gate).

    `columns` default to every column both frames have. A column with too little data is not
    a failure (the gate reports it as skipped).
    """
    cols = list(columns) if columns else [c for c in current.columns if c in reference.columns]
    drift: dict[str, Any] = {"reference": "reference", "columns": [str(c) for c in cols]}
    drift.update(method=method, min_rows=min_rows, bins=bins, correction=correction)
    if threshold is not None:
        drift["threshold"] = threshold
    entry = {"dataset": "frame", "drift": drift}
    _raise(_judge_suite(entry, current, reference))
