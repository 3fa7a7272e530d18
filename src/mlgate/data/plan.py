"""Turn the `data:` section into check specs (no pandas here: this runs at load time).

`declare` lists the checks of one suite entry independently of the YAML document, so the
testing helpers (`mlgate.testing.data`) plan exactly like the gate does.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlgate.checks import CheckSpec
from mlgate.config.model import Config
from mlgate.config.yamlload import Document, KeyPath
from mlgate.data.expr import RuleSyntaxError, parse_rule
from mlgate.data.suite import STAT_KEYS, Suite, build_suite, key_label
from mlgate.errors import ConfigError
from mlgate.plan_helpers import entry_name, require_name, severity_of, spec
from mlgate.results import Severity

_COLUMN_KEYS = ("type", "nullable", "max_missing", "min", "max", "allowed", "pattern", "unique")
_NUMERIC = ("integer", "float", "number")


@dataclass(frozen=True)
class Declared:
    """One check of a suite before it is located in the YAML: path, id, kind, params."""

    path: KeyPath  # relative to the suite entry
    id_parts: tuple[str, ...]
    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    severity: Severity = "error"


def declare(
    entry: Mapping[str, Any], name: str
) -> tuple[list[Declared], list[tuple[KeyPath, str]]]:
    """The checks of one suite entry, and the problems found in it (key path, message)."""
    out: list[Declared] = []
    problems: list[tuple[KeyPath, str]] = list(non_finite(entry))
    common = {"dataset": entry.get("dataset", "")}

    def add(path: KeyPath, kind: str, sev: Severity, **params: Any) -> None:
        ident = tuple(str(p) for p in path)
        out.append(Declared(path, ident, kind, {**common, **params}, sev))

    if "rows" in entry:
        rows = entry["rows"]
        add(
            ("rows",),
            "data.rows",
            severity_of(entry, rows),
            min=rows.get("min"),
            max=rows.get("max"),
        )
        if (
            rows.get("min") is not None
            and rows.get("max") is not None
            and rows["min"] > rows["max"]
        ):
            problems.append((("rows",), "min is greater than max"))
    if entry.get("strict"):
        add(("strict",), "data.strict", severity_of(entry))
    if entry.get("unique"):
        keys = build_suite(entry, name).keys
        if len(keys) == 1:
            add(("unique",), "data.unique", severity_of(entry), key=list(keys[0]))
        else:
            for cols in keys:
                add(("unique", key_label(cols)), "data.unique", severity_of(entry), key=list(cols))
    if "duplicates" in entry:
        dup = entry["duplicates"] or {}
        add(
            ("duplicates",),
            "data.duplicates",
            severity_of(entry, dup),
            max=dup.get("max", 0.0),
            columns=dup.get("columns"),
        )
    for column, rules in (entry.get("columns") or {}).items():
        rules = rules or {}
        sev = severity_of(entry, rules)
        base: KeyPath = ("columns", column)
        problems += [((*base, k), m) for k, m in _column_problems(rules)]
        for key in _COLUMN_KEYS:
            if key not in rules or (key == "nullable" and rules[key] is not False):
                continue
            if key == "unique" and not rules[key]:
                continue
            add((*base, key), f"data.column.{key}", sev, column=column, value=rules[key])
        for key in STAT_KEYS:
            if key in rules:
                add(
                    (*base, key),
                    "data.column.stat",
                    sev,
                    column=column,
                    stat=key,
                    bounds=rules[key],
                )
        for q, qb in (rules.get("quantiles") or {}).items():
            add(
                (*base, "quantiles", str(q)),
                "data.column.stat",
                sev,
                column=column,
                stat=f"quantile {q}",
                q=float(q),
                bounds=qb,
            )
    for i, rule in enumerate(entry.get("rules") or []):
        rname = entry_name(rule, i)
        try:
            parse_rule(rule["expr"])
        except RuleSyntaxError as exc:
            problems.append((("rules", i, "expr"), str(exc)))
        params = {**common, "index": i, "name": rname}
        out.append(
            Declared(("rules", i), ("rules", rname), "data.rule", params, severity_of(entry, rule))
        )
    drift = entry.get("drift")
    if drift:
        problems += _drift_problems(drift)
        sev = severity_of(entry, drift)
        drift_cols: list[str] = drift.get("columns") or list(entry.get("columns") or {})
        if drift_cols:
            for i, col in enumerate(drift_cols):
                path = ("drift", "columns", i) if drift.get("columns") else ("drift",)
                out.append(
                    Declared(
                        path, ("drift", str(col)), "data.drift", {**common, "column": col}, sev
                    )
                )
        else:
            add(("drift",), "data.drift", sev, column=None)
    return out, problems


#: Drift methods whose score is a p-value or a distance in [0, 1] (auto uses both).
_UNIT_SCORES = ("auto", "ks", "chi2", "jensen_shannon")


def _drift_problems(drift: Mapping[str, Any]) -> list[tuple[KeyPath, str]]:
    threshold, method = drift.get("threshold"), drift.get("method", "auto")
    if isinstance(threshold, (int, float)) and threshold > 1 and method in _UNIT_SCORES:
        return [
            (
                ("drift", "threshold"),
                f"{threshold} is above 1, which no score of method `{method}` can reach "
                "(p-values and these distances lie in [0, 1])",
            )
        ]
    return []


def non_finite(value: Any, path: KeyPath = ()) -> list[tuple[KeyPath, str]]:
    """Every NaN or infinite number (YAML `.nan`, `.inf`) under `value`: no bound, threshold
    or allowed value can mean anything with one."""
    if isinstance(value, float) and not math.isfinite(value):
        shown = ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
        hint = "give a number" if math.isnan(value) else "leave the key out for no limit"
        return [(path, f"{shown} is not a finite number: {hint}")]
    if isinstance(value, Mapping):
        return [p for k, v in value.items() for p in non_finite(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in non_finite(v, (*path, i))]
    return []


def _column_problems(rules: Mapping[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    ctype = rules.get("type")
    if isinstance(rules.get("pattern"), str):
        from mlgate.data.regex import pattern_problem  # pyarrow: only when there is a pattern

        problem = pattern_problem(rules["pattern"])
        if problem:
            out.append(("pattern", problem))
    for key in ("min", "max"):
        value = rules.get(key)
        if isinstance(value, str):
            if ctype in _NUMERIC:
                out.append((key, f"{value!r} is not a number (the column's type is {ctype})"))
            elif value != "today" and not _is_date(value):
                out.append((key, f"{value!r} is neither a number, a date/time nor `today`"))
        elif value is not None and ctype == "datetime":
            out.append((key, f"{value!r}: give a date such as '2015-01-01' or `today`"))
    lo, hi = rules.get("min"), rules.get("max")
    if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and lo > hi:
        out.append(("min", f"min {lo} is greater than max {hi}"))
    if rules.get("nullable") is False and rules.get("max_missing"):
        out.append(("max_missing", "contradicts `nullable: false` (which is max_missing: 0)"))
    return out


def _is_date(text: str) -> bool:
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def plan_data(config: Config, doc: Document) -> list[CheckSpec]:
    """CheckSpecs of every suite; each carries the frozen `Suite` of its group."""
    out: list[CheckSpec] = []
    issues: list[str] = []
    for i, entry in enumerate(doc.data.get("data", []) or []):
        base: KeyPath = ("data", i)
        issues += require_name(
            doc, (*base, "dataset"), entry["dataset"], config.datasets, "dataset"
        )
        drift = entry.get("drift")
        if drift:
            issues += require_name(
                doc, (*base, "drift", "reference"), drift["reference"], config.datasets, "dataset"
            )
        name = entry_name(entry, i)
        declared, problems = declare(entry, name)
        issues += [doc.error((*base, *path), msg) for path, msg in problems]
        suite = build_suite(entry, name, config.report.max_failures_shown)
        for d in declared:
            out.append(
                spec(
                    doc,
                    (*base, *d.path),
                    ("data", name, *d.id_parts),
                    "data",
                    d.kind,
                    params=d.params,
                    severity=d.severity,
                    group=f"data:{i}",
                    suite=suite,
                )
            )
    if issues:
        raise ConfigError(issues)
    return out


__all__ = ["Declared", "Suite", "declare", "plan_data"]
