"""Judging each data check from a suite's `Profile` (no data is read here).

Every function takes the check's params and the profile and returns an `Outcome` with the
figures: observed vs expected, k of n offending (the denominator says whether missing values
count), the first offending rows and the most frequent offending values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from mlgate.checks import Outcome
from mlgate.data.backend import ColumnProfile, Profile, Violation, missing_column
from mlgate.data.suite import Suite

if TYPE_CHECKING:
    from mlgate.data.drift import DriftResult, Sample

_TYPE_OK = {
    "integer": ("integer",),
    "float": ("float", "integer"),
    "number": ("integer", "float"),
    "string": ("string", "category"),
    "category": ("category", "string"),
    "boolean": ("boolean",),
    "datetime": ("datetime",),
}


def pct(k: int, n: int) -> str:
    return f"{100 * k / n:.3g}%" if n else "0%"


def code(text: str) -> str:
    """`text` as a code span; quoted when it holds backticks (“`my col` > 0”): the report
    keeps single-backtick spans only, and the column names inside stay code."""
    return f"“{text}”" if "`" in text else f"`{text}`"


def n_rows(n: int) -> str:
    return f"{n:,} row{'' if n == 1 else 's'}"


def fmt(value: Any) -> str:
    if isinstance(value, (float, np.floating)):  # a float32 as a float64
        return f"{value:,.6g}"
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return f"{int(value):,}"
    if hasattr(value, "isoformat"):
        text = str(value)
        return text.removesuffix(" 00:00:00")
    return str(value)


def top_values(v: Violation, n: int = 5) -> str:
    if not v.values:
        return ""
    items = ", ".join(f"`{fmt(val)}` ×{cnt:,}" for val, cnt in v.most_common(n))
    return f"; most frequent offending values: {items}"


def violation_details(v: Violation, **extra: Any) -> dict[str, Any]:
    return {
        "count": v.count,
        "denominator": v.denominator,
        "fraction": v.fraction,
        "top_values": [[val, cnt] for val, cnt in v.most_common(10)],
        **extra,
    }


def type_matches(cp: ColumnProfile, wanted: str) -> bool:
    """The column's observed kind fits the declared type (a float column of whole numbers
    counts as integer: missing values force integers to float in most formats)."""
    kind = cp.kind
    if kind == "empty":
        return True
    if wanted == "integer" and kind == "float" and cp.non_integral == 0:
        return True
    return kind in _TYPE_OK[wanted]


def empty_outcome(profile: Profile, what: str) -> Outcome:
    return Outcome.failed(
        f"dataset `{profile.dataset}` has no rows: nothing to check for {what}",
        observed=0,
        expected="at least 1 row",
        details={"empty": True},
    )


# -- table checks --------------------------------------------------------------------------


def rows(params: Mapping[str, Any], profile: Profile) -> Outcome:
    n = profile.rows
    lo, hi = params.get("min"), params.get("max")
    expected = " and ".join(
        part
        for part in (f">= {lo}" if lo is not None else "", f"<= {hi}" if hi is not None else "")
        if part
    )
    ok = (lo is None or n >= lo) and (hi is None or n <= hi)
    if n == 0 and lo is None:
        return empty_outcome(profile, "the row count")
    return Outcome.judge(ok, f"{n:,} rows (expected {expected})", observed=n, expected=expected)


def strict(suite: Suite, profile: Profile) -> Outcome:
    declared = {c.name for c in suite.columns}
    extra = [c for c in profile.columns if c not in declared]
    names = ", ".join(f"`{c}`" for c in extra)
    if extra:
        return Outcome.failed(
            f"{len(extra)} column{'s' if len(extra) > 1 else ''} not declared under "
            f"`columns:`: {names}",
            observed=extra,
            expected="only the declared columns",
            examples=[{"column": c} for c in extra],
        )
    return Outcome.passed(
        f"all {len(profile.columns)} columns are declared", observed=[], expected="no others"
    )


def unique(params: Mapping[str, Any], profile: Profile) -> Outcome:
    key = tuple(params["key"])
    v = profile.keys[key]
    label = ", ".join(f"`{k}`" for k in key)
    if v.problem:
        return Outcome.failed(v.problem, observed="missing", expected="present")
    if profile.rows == 0:
        return empty_outcome(profile, f"the key {label}")
    skipped = profile.rows - v.denominator
    note = f" ({n_rows(skipped)} with a missing key part not counted)" if skipped else ""
    if not v.count:
        return Outcome.passed(
            f"all {v.denominator:,} keys {label} are unique{note}", observed=0, expected=0
        )
    return Outcome.failed(
        f"{v.count:,} of {v.denominator:,} rows ({pct(v.count, v.denominator)}) repeat a key "
        f"{label} seen in an earlier row{note}{top_values(v)}",
        observed=v.count,
        expected="0 repeated keys",
        examples=v.examples,
        details=violation_details(v, nulls_counted=False),
    )


def duplicates(params: Mapping[str, Any], profile: Profile) -> Outcome:
    v = profile.duplicates
    assert v is not None
    if v.problem:
        return Outcome.failed(v.problem, observed="missing", expected="present")
    if profile.rows == 0:
        return empty_outcome(profile, "duplicated rows")
    limit = float(params.get("max") or 0.0)
    expected = f"<= {limit:g} of rows"
    frac = v.fraction
    msg = (
        f"{v.count:,} of {v.denominator:,} rows ({pct(v.count, v.denominator)}) are copies of "
        f"an earlier row (allowed {limit:.3g})"
    )
    return Outcome.judge(
        frac <= limit,
        msg,
        observed=round(frac, 6),
        expected=expected,
        examples=v.examples,
        details=violation_details(v),
    )


def rule(params: Mapping[str, Any], suite: Suite, profile: Profile) -> Outcome:
    r = suite.rules[params["index"]]
    v = profile.rules[params["index"]]
    if v.unsupported:
        return Outcome.error(v.unsupported)
    if v.problem:
        return Outcome.failed(v.problem, observed="missing", expected="present")
    if profile.rows == 0:
        return empty_outcome(profile, f"rule {code(r.expr)}")
    note = (
        f"; {n_rows(v.skipped_rows)} with a missing operand not counted" if v.skipped_rows else ""
    )
    if v.denominator == 0:
        return Outcome.skipped(f"no row has every operand of {code(r.expr)}{note}")
    return Outcome.judge(
        v.fraction <= r.max_fail,
        f"{v.count:,} of {v.denominator:,} rows ({pct(v.count, v.denominator)}) break "
        f"{code(r.expr)} (allowed {r.max_fail:.3g}){note}",
        observed=round(v.fraction, 6),
        expected=f"<= {r.max_fail:g} of rows",
        examples=v.examples,
        details=violation_details(v, skipped_rows=v.skipped_rows),
    )


# -- column checks -------------------------------------------------------------------------


def column(params: Mapping[str, Any], suite: Suite, profile: Profile, key: str) -> Outcome:
    """Judge one column key (type, nullable, max_missing, min, max, allowed, pattern, unique)."""
    name = params["column"]
    cp = profile.column.get(name)
    if cp is None:
        return Outcome.failed(
            missing_column(name, profile.columns), observed="missing", expected="present"
        )
    if profile.rows == 0:
        return empty_outcome(profile, f"`{name}`")
    rules = suite.column(name)
    declared = rules.type if rules else None
    if key == "type":
        return _type(cp, params["value"])
    if key == "nullable":
        return _missing_values(cp, 0.0, "0 missing")
    if key == "max_missing":
        limit = float(params["value"])
        return _missing_values(cp, limit, f"<= {limit:g} missing")
    if declared and not type_matches(cp, declared):
        return Outcome.skipped(
            f"`{name}` is not {declared} (dtype {cp.dtype}), so its `{key}` check is skipped"
        )
    if cp.count == 0:
        return Outcome.skipped(f"`{name}` has no values (all {cp.nulls:,} missing)")
    if key in ("min", "max"):
        return _bound(cp, key, params["value"])
    if key == "allowed":
        return _allowed(cp, list(params["value"]))
    if key == "pattern":
        return _pattern(cp, params["value"])
    if key == "unique":
        return _unique_column(cp)
    raise KeyError(key)


def _type(cp: ColumnProfile, wanted: str) -> Outcome:
    ok = type_matches(cp, wanted)
    extra = ""
    if not ok and wanted == "integer" and cp.kind == "float":
        k = cp.non_integral
        which = (
            "value that is not a whole number" if k == 1 else "values that are not whole numbers"
        )
        extra = f" with {k:,} {which}"
    elif not ok and cp.kind == "mixed":
        extra = " holding values of mixed types (e.g. numbers and text)"
    return Outcome.judge(
        ok,
        f"`{cp.name}` has dtype {cp.dtype}{extra} (expected {wanted})",
        observed=cp.dtype,
        expected=wanted,
    )


def _missing_values(cp: ColumnProfile, limit: float, expected: str) -> Outcome:
    k, n = cp.nulls, cp.rows
    frac = k / n if n else 0.0
    msg = f"{k:,} of {n:,} values missing in `{cp.name}`"
    if limit:
        msg += f" ({pct(k, n)}; allowed {limit:.3g})"
    return Outcome.judge(
        frac <= limit if limit else k == 0,
        msg,
        observed=k if not limit else round(frac, 6),
        expected=expected,
        examples=[{"row": r} for r in cp.null_rows],
        details={"count": k, "denominator": n, "fraction": frac},
    )


def _check(cp: ColumnProfile, key: str) -> Violation:
    return cp.checks.get(key) or Violation(denominator=cp.count)


def _bound(cp: ColumnProfile, key: str, bound: Any) -> Outcome:
    v = _check(cp, key)
    if v.problem:
        return Outcome.skipped(f"`{cp.name}`: {v.problem}")
    seen = cp.min if key == "min" else cp.max
    shown = "today" if bound == "today" else bound
    op = ">=" if key == "min" else "<="
    word = "below" if key == "min" else "above"
    base: dict[str, Any] = {
        "observed": seen,
        "expected": f"{op} {shown}",
        "details": violation_details(v),
    }
    if not v.count:
        return Outcome.passed(
            f"all {v.denominator:,} non-missing values are {op} {shown} ({key} {fmt(seen)})", **base
        )
    return Outcome.failed(
        f"{v.count:,} of {v.denominator:,} non-missing values ({pct(v.count, v.denominator)}) are "
        f"{word} {shown} · {key} seen {fmt(seen)}{top_values(v)}",
        examples=v.examples,
        **base,
    )


def _allowed(cp: ColumnProfile, allowed: list[Any]) -> Outcome:
    v = _check(cp, "allowed")
    listed = ", ".join(fmt(a) for a in allowed)
    if not v.count:
        return Outcome.passed(
            f"all {v.denominator:,} non-missing values are in [{listed}]",
            observed=0,
            expected=f"in [{listed}]",
        )
    hint = ""
    if cp.kind in ("string", "category") and any(isinstance(a, bool) for a in allowed):
        hint = (
            " (YAML reads unquoted yes/no, on/off and true/false as booleans: quote them "
            "for text, as in ['yes', 'no'])"
        )
    numeric_text = [a for a in allowed if isinstance(a, str) and _is_number(a)]
    if cp.kind in ("integer", "float") and numeric_text:
        shown = ", ".join(repr(a) for a in numeric_text[:3]) + (
            ", …" if len(numeric_text) > 3 else ""
        )
        hint = (
            f" (the list holds text ({shown}) and `{cp.name}` holds numbers, which never equal "
            "text: write them unquoted, as in [1, 2])"
        )
    return Outcome.failed(
        f"{v.count:,} of {v.denominator:,} non-missing values ({pct(v.count, v.denominator)}) "
        f"are not in [{listed}]{top_values(v)}{hint}",
        observed=[val for val, _ in v.most_common(10)],
        expected=f"in [{listed}]",
        examples=v.examples,
        details=violation_details(v, nulls_counted=False),
    )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _pattern(cp: ColumnProfile, pattern: str) -> Outcome:
    v = _check(cp, "pattern")
    if v.problem:
        return Outcome.skipped(f"`{cp.name}`: {v.problem}")
    if not v.count:
        return Outcome.passed(
            f"all {v.denominator:,} non-missing values match `{pattern}`",
            observed=0,
            expected=f"match {pattern}",
        )
    return Outcome.failed(
        f"{v.count:,} of {v.denominator:,} non-missing values ({pct(v.count, v.denominator)}) "
        f"do not match `{pattern}`{top_values(v)}",
        observed=v.count,
        expected=f"match {pattern}",
        examples=v.examples,
        details=violation_details(v, nulls_counted=False),
    )


def _unique_column(cp: ColumnProfile) -> Outcome:
    v = _check(cp, "unique")
    if not v.count:
        return Outcome.passed(
            f"all {v.denominator:,} non-missing values are unique", observed=0, expected=0
        )
    return Outcome.failed(
        f"{v.count:,} of {v.denominator:,} non-missing values ({pct(v.count, v.denominator)}) "
        f"repeat a value seen in an earlier row{top_values(v)}",
        observed=v.count,
        expected="0 repeated values",
        examples=v.examples,
        details=violation_details(v, nulls_counted=False),
    )


def stat(params: Mapping[str, Any], suite: Suite, profile: Profile) -> Outcome:
    """mean / std / median / quantile q within bounds."""
    name, what = params["column"], params["stat"]
    cp = profile.column.get(name)
    if cp is None:
        return Outcome.failed(
            missing_column(name, profile.columns), observed="missing", expected="present"
        )
    if profile.rows == 0:
        return empty_outcome(profile, f"the {what} of `{name}`")
    rules = suite.column(name)
    if rules and rules.type and not type_matches(cp, rules.type):
        return Outcome.skipped(
            f"`{name}` is not {rules.type} (dtype {cp.dtype}), so its {what} is skipped"
        )
    if cp.kind not in ("integer", "float", "boolean"):  # booleans count as 0/1
        return Outcome.skipped(f"the {what} needs numbers; `{name}` holds {cp.kind} values")
    if cp.moments == 0:
        return Outcome.skipped(f"`{name}` has no values (all {cp.nulls:,} missing)")
    value: float | None
    if what == "mean":
        value = cp.mean
    elif what == "std":
        value = cp.std()
    else:
        value = cp.quantile(0.5 if what == "median" else float(params["q"]))
    bounds = params.get("bounds") or {}
    lo, hi = bounds.get("min"), bounds.get("max")
    expected = " and ".join(
        p for p in (f">= {lo}" if lo is not None else "", f"<= {hi}" if hi is not None else "") if p
    )
    if value is None:
        return Outcome.skipped(f"the {what} of `{name}` needs at least 2 values")
    ok = meets(value, lo, hi, _magnitude(cp, value))
    shown = fmt(value)
    if not ok and shown in (fmt(lo), fmt(hi)):  # "is 59.375 (expected <= 59.375)": more digits
        shown = repr(float(value))
    over = f"{cp.moments:,} non-missing values"
    if cp.sampled and what not in ("mean", "std"):
        over = f"a fixed sample of {sum(len(v) for v in cp.values):,} of {cp.moments:,} values"
    return Outcome.judge(
        ok,
        f"{what} of `{name}` is {shown} over {over} (expected {expected})",
        observed=value,
        expected=expected,
        details={"count": cp.moments, "nulls": cp.nulls},
    )


#: A statistic this close to a bound, relative to the values' magnitude, meets it: engines
#: and summation orders differ in the last digits (a mean of 59.375 may come out as
#: 59.37500000000001; DuckDB keeps 12 significant digits), and such a difference is no evidence.
STAT_TOLERANCE = 1e-11


def meets(value: float, lo: float | None, hi: float | None, magnitude: float) -> bool:
    """Whether `value` is within [lo, hi] up to `STAT_TOLERANCE` x `magnitude` (a NaN never,
    an infinity only exactly)."""
    tol = STAT_TOLERANCE * magnitude if math.isfinite(value) and math.isfinite(magnitude) else 0.0
    return (lo is None or value >= lo - tol) and (hi is None or value <= hi + tol)


def _magnitude(cp: ColumnProfile, value: float) -> float:
    """The scale of a column's statistic: the root mean square of its values (the size of
    the numbers summed or interpolated), or the statistic itself when larger."""
    var = cp.m2 / cp.moments if cp.moments else 0.0
    rms = math.sqrt(cp.mean * cp.mean + var) if math.isfinite(cp.mean + var) else 0.0
    return max(abs(value), rms) if math.isfinite(rms) else abs(value)


# -- drift ---------------------------------------------------------------------------------


def drift(
    column_name: str | None,
    suite: Suite,
    current: Profile,
    reference: Profile,
    columns: Sequence[str] | None = None,
) -> Outcome:
    """Drift of one column (or of every column both datasets have, when `column_name` is None).

    The p-values (ks, chi2) of the columns judged together are adjusted by the suite's
    `correction`: every column both have for the every-column check; `columns` (the suite's
    drift columns) for a column's own check; just the column when `columns` is not given.
    """
    assert suite.drift is not None
    if reference.rows == 0:
        return _empty_reference(reference)
    if column_name is not None:
        family = list(columns) if columns else [column_name]
        if column_name not in family:
            family.append(column_name)
        return drift_family(family, suite, current, reference)[column_name]
    common = [c for c in current.columns if c in reference.column and c in current.column]
    outcomes = {
        c: Outcome.skipped(f"`{c}`: {o.message}") if o.status == "error" else o
        for c, o in drift_family(common, suite, current, reference).items()
    }
    bad = [c for c, o in outcomes.items() if o.status == "failed"]
    skipped = [c for c, o in outcomes.items() if o.status == "skipped"]
    msg = (
        f"{len(bad)} of {len(common)} columns drifted: " + ", ".join(f"`{c}`" for c in bad)
        if bad
        else f"no drift on the {len(common)} columns both datasets have"
    )
    if skipped:
        shown = ", ".join(f"`{c}`" for c in skipped[:10]) + (", ..." if len(skipped) > 10 else "")
        msg += f" ({len(skipped)} not compared: {shown}; see details)"
    return Outcome.judge(
        not bad,
        msg,
        observed=bad,
        expected="no drifted column",
        examples=[{"column": c, "result": outcomes[c].message} for c in bad],
        details={
            "correction": suite.drift.correction,
            "columns": {
                c: {**o.details, "skipped": o.message} if o.status == "skipped" else o.details
                for c, o in outcomes.items()
            },
        },
    )


def drift_family(
    columns: Sequence[str], suite: Suite, current: Profile, reference: Profile
) -> dict[str, Outcome]:
    """The drift outcome of each column, p-values adjusted together by the suite's correction
    (a method that does not apply to a column makes that column `error`, not the others)."""
    from mlgate.data.drift import P_VALUE_METHODS, DriftResult
    from mlgate.errors import CheckError
    from mlgate.stats.multitest import adjust

    assert suite.drift is not None
    raw: dict[str, DriftResult | Outcome] = {}
    for c in columns:
        try:
            raw[c] = _drift_result(c, suite, current, reference)
        except CheckError as exc:
            raw[c] = Outcome.error(str(exc))
    tested = [
        c for c, r in raw.items() if isinstance(r, DriftResult) and r.method in P_VALUE_METHODS
    ]
    correction = suite.drift.correction
    scores = [r.score for c in tested if isinstance(r := raw[c], DriftResult)]
    adjusted = dict(zip(tested, adjust(scores, correction), strict=True))
    return {
        c: r if isinstance(r, Outcome) else _drift_outcome(r, adjusted.get(c), len(tested), suite)
        for c, r in raw.items()
    }


def _empty_reference(reference: Profile) -> Outcome:
    """A broken or emptied reference is no evidence of "no drift": an error, not a skip."""
    return Outcome.error(
        f"the reference `{reference.dataset}` has no rows: there is nothing to compare with"
    )


def _drift_result(
    column_name: str, suite: Suite, current: Profile, reference: Profile
) -> DriftResult | Outcome:
    """One column's raw drift result, or the outcome that says why it cannot be compared."""
    from mlgate.data.drift import categorical_drift, sample_drift

    d = suite.drift
    assert d is not None
    if reference.rows == 0:
        return _empty_reference(reference)
    cur = current.column.get(column_name)
    ref = reference.column.get(column_name)
    if cur is None:
        return Outcome.failed(
            missing_column(column_name, current.columns), observed="missing", expected="present"
        )
    if ref is None:
        return Outcome.failed(
            missing_column(column_name, reference.columns).replace(
                "the dataset", f"the reference `{reference.dataset}`"
            ),
            observed="missing",
            expected="present",
        )
    if min(cur.count, ref.count) < d.min_rows:
        return Outcome.skipped(
            f"insufficient data: {ref.count:,} reference and {cur.count:,} current non-missing "
            f"values of `{column_name}` (at least {d.min_rows:,} needed on each side)",
            details={"reference_rows": ref.count, "current_rows": cur.count},
        )
    numeric = {"integer", "float", "datetime"}
    if cur.kind in numeric and ref.kind in numeric:
        with np.errstate(invalid="ignore"):  # infinities are compared as such (inf - inf)
            result = sample_drift(
                drift_sample(ref),
                drift_sample(cur),
                d.method,
                d.threshold,
                d.bins,
                dates="datetime" in (cur.kind, ref.kind),
            )
    elif (
        cur.kind in numeric
        or ref.kind in numeric
        or "mixed" in (cur.kind, ref.kind)
        or (cur.kind != ref.kind and not {cur.kind, ref.kind} <= {"string", "category"})
    ):
        return Outcome.skipped(
            f"`{column_name}` is {cur.kind} here but {ref.kind} in the reference: not comparable"
        )
    else:
        result = categorical_drift(ref.counts, cur.counts, d.method, d.threshold)
    result.sampled = cur.sampled or ref.sampled
    return result


def drift_sample(cp: ColumnProfile) -> Sample:
    """A numeric column's drift sample: its engine's (SQL), else its kept values."""
    from mlgate.data.drift import ArraySample

    if cp.drift is not None:
        return cp.drift  # type: ignore[no-any-return]
    return ArraySample(np.concatenate(cp.values))


def _drift_outcome(
    result: DriftResult, adjusted: float | None, tests: int, suite: Suite
) -> Outcome:
    """The outcome of one column's drift; a p-value method judges the adjusted p-value."""
    from mlgate.stats.multitest import CORRECTION_TEXT

    assert suite.drift is not None
    correction = suite.drift.correction
    judged = result.score if adjusted is None else adjusted
    if math.isnan(judged):
        why = (
            "both datasets hold the same infinity, and a distance between infinities has no "
            "value (inf - inf); drop the infinite values or use `method: psi` or `ks`"
            if result.method == "wasserstein"
            else "the values give no number (NaN)"
        )
        return Outcome.error(
            f"the {result.method} {result.direction} is undefined: {why}",
            details={"method": result.method, "score": None, "threshold": result.threshold},
        )
    p_method = result.direction == "p-value"
    drifted = judged < result.threshold if p_method else judged > result.threshold
    direction = "below" if p_method else "above"
    figure = f"{result.method} {result.direction} {result.score:.4g}"
    if adjusted is not None and correction != "none" and tests > 1:
        figure += f", {CORRECTION_TEXT[correction]}-adjusted over {tests} columns {adjusted:.4g}"
    moved = "; ".join(
        f"{m['bin']} {100 * m['reference']:.1f}% → {100 * m['current']:.1f}%" for m in result.moved
    )
    msg = (
        f"{figure} (drift if {direction} {result.threshold:g}) · reference "
        f"{result.reference_rows:,} rows · current {result.current_rows:,} rows"
        + (f" · moved most: {moved}" if moved else "")
        + (f" · {result.approximate}" if result.approximate else "")
    )
    details: dict[str, Any] = {
        "method": result.method,
        "score": result.score,
        "threshold": result.threshold,
        "reference_rows": result.reference_rows,
        "current_rows": result.current_rows,
        "moved": result.moved,
        "histogram": result.histogram,
        "sampled": result.sampled,
    }
    if result.approximate:
        details["approximate"] = result.approximate
    if p_method:
        details.update(p_value=result.score, p_adjusted=judged, correction=correction, tests=tests)
    return Outcome.judge(
        not drifted,
        msg,
        observed=round(judged, 6),
        expected=f"{'>=' if p_method else '<='} {result.threshold:g}",
        examples=list(result.moved) if drifted else [],
        details=details,
    )
