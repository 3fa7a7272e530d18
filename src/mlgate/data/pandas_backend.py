"""The pandas statistics backend: one vectorised pass per chunk fills a suite's `Profile`.

Each chunk is scanned once for every check of the suite (null counts, bounds, sets, patterns,
hashes for keys and duplicates, rule values); only the offending rows' first examples and most
frequent values are kept, so memory is bounded by the chunk, except for what a check must keep
whole: 8-byte hashes for `unique`/`duplicates` and the values of columns with a median,
quantile or numeric drift check.
"""

from __future__ import annotations

import json
import operator
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.api import types as pdt

from mlgate.data.backend import ColumnProfile, Profile, Violation, missing_column
from mlgate.data.bounds import bound_value
from mlgate.data.exact import compare
from mlgate.data.expr import ParsedRule, RuleSyntaxError, evaluate, parse_rule
from mlgate.data.regex import full_matches
from mlgate.data.repeats import Repeats, examples_of
from mlgate.data.widen import Widening

if TYPE_CHECKING:
    from mlgate.data.backend import Source
    from mlgate.data.suite import ColumnRules, Suite

TOP_VALUES = 1000
#: Streamed data keeps at most this many values per column for median, quantiles and drift.
SAMPLE_CAP = 500_000
NUMERIC = ("integer", "float")


class FrameSource:
    """A DataFrame already in memory (one chunk)."""

    streamed = False

    def __init__(self, name: str, frame: pd.DataFrame) -> None:
        self.name = name
        self.frame = frame

    def chunks(self) -> Iterator[pd.DataFrame]:
        yield self.frame

    def rows_at(self, rows: Sequence[int]) -> pd.DataFrame:
        out = self.frame.iloc[list(rows)]
        return out.set_axis(list(rows), axis=0)


class ChunkSource:
    """A dataset streamed in chunks by a factory giving a fresh iterator of frames."""

    streamed = True

    def __init__(self, name: str, factory: Any) -> None:
        self.name = name
        self.factory = factory

    def chunks(self) -> Iterator[pd.DataFrame]:
        return iter(self.factory())

    def rows_at(self, rows: Sequence[int]) -> pd.DataFrame:
        wanted = sorted(set(rows))
        parts, offset = [], 0
        for chunk in self.factory():
            end = offset + len(chunk)
            local = [r - offset for r in wanted if offset <= r < end]
            if local:
                parts.append(chunk.iloc[local].set_axis([r + offset for r in local], axis=0))
            offset = end
            if wanted and offset > wanted[-1]:
                break
        return pd.concat(parts) if parts else pd.DataFrame()


_NESTED = (list, tuple, dict, set, frozenset, np.ndarray)
NESTED_DTYPE = "object (lists/objects)"
_MAYBE_NESTED = ("mixed", "mixed-integer", "unknown-array")


class _Flat:
    """A source whose nested values (JSON objects and arrays, parquet lists and structs: dicts,
    lists and arrays in pandas) read as canonical JSON text, so they can be counted, hashed and
    compared; `nested` names the columns that held some."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.name = source.name
        self.streamed = source.streamed
        self.nested: set[str] = set()

    def chunks(self) -> Iterator[pd.DataFrame]:
        for chunk in self.source.chunks():
            yield self.flat(chunk)

    def rows_at(self, rows: Sequence[int]) -> pd.DataFrame:
        return self.flat(self.source.rows_at(rows))

    def flat(self, df: pd.DataFrame) -> pd.DataFrame:
        if not df.columns.is_unique:
            from mlgate.errors import CheckError

            repeated = df.columns[df.columns.duplicated()].unique()
            names = ", ".join(f"`{c}`" for c in repeated)
            raise CheckError(
                f"dataset `{self.name}` has several columns named {names}: rename them"
            )
        if not all(isinstance(c, str) for c in df.columns):  # 0, 1, ...: named "0", "1"
            df = df.set_axis([str(c) for c in df.columns], axis=1)
            if not df.columns.is_unique:
                return self.flat(df)
        out, nested = nested_as_text(df)
        self.nested.update(nested)
        return out


def nested_as_text(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """`df` with its lists, dicts and arrays as canonical JSON text (a shallow copy when there
    are some; `df` is never modified), and the names of the columns that held some."""
    out, nested = df, []
    for i, (name, s) in enumerate(df.items()):
        if s.dtype != object or pdt.infer_dtype(s, skipna=True) not in _MAYBE_NESTED:
            continue  # the fast test: plain text, numbers, dates...
        values = s.to_numpy()
        if not any(isinstance(v, _NESTED) for v in values):
            continue
        text = [_as_json(v) if isinstance(v, _NESTED) else v for v in values]
        if out is df:
            out = df.copy(deep=False)
        out.isetitem(i, pd.Series(text, index=df.index, dtype=object))
        nested.append(str(name))
    return out, nested


def _as_json(value: Any) -> str:
    try:
        return json.dumps(
            _canonical(value), sort_keys=True, default=_json_default, ensure_ascii=False
        )
    except (TypeError, ValueError):
        return str(value)


def _canonical(value: Any) -> Any:
    """A nested value as the same JSON however it was read: pyarrow turns a list of integers
    into floats in a chunk holding a missing element (and not in the others), and a JSON
    object's absent key into null. So integral floats are integers, NaN is null, and a key
    whose value is null is left out."""
    if isinstance(value, dict):
        items = ((str(k), _canonical(v)) for k, v in value.items())
        return {k: v for k, v in items if v is not None}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_canonical(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_canonical(v) for v in value), key=str)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if value != value:
            return None
        if value.is_integer() and abs(value) < 2**63:
            return int(value)
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return str(value)


def kind_of(series: pd.Series) -> str:
    """The observed kind of a column's values."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if pdt.is_bool_dtype(dtype):
        return "boolean"
    if pdt.is_integer_dtype(dtype):
        return "integer"
    if pdt.is_float_dtype(dtype):
        return "float"
    if pdt.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pdt.is_object_dtype(dtype):
        inferred = pd.api.types.infer_dtype(series, skipna=True)
        return {
            "string": "string",
            "boolean": "boolean",
            "integer": "integer",
            "floating": "float",
            "mixed-integer-float": "float",
            "datetime": "datetime",
            "datetime64": "datetime",
        }.get(inferred, "mixed")
    if pdt.is_string_dtype(dtype):
        return "string"
    return "mixed"


def numbers(s: pd.Series, kind: str) -> np.ndarray:
    """A numeric column's values for exact comparisons: integers as int64/uint64 (or Python
    ints when they need more bits), floats as float64; missing values are 0/NaN (callers mask
    them)."""
    if kind == "float":
        return np.asarray(s.to_numpy(dtype="float64", na_value=np.nan))
    dtype = s.dtype
    if pdt.is_integer_dtype(dtype) and not pdt.is_object_dtype(dtype):
        target = "uint64" if pdt.is_unsigned_integer_dtype(dtype) else "int64"
        return np.asarray(s.to_numpy(dtype=target, na_value=0))
    values = [0 if pd.isna(x) else int(x) for x in s.to_numpy(dtype=object)]
    try:
        return np.asarray(values, dtype=np.int64)
    except OverflowError:
        return np.asarray(values, dtype=object)  # Python ints beyond 64 bits


class _Builder:
    def __init__(self, source: Source, suite: Suite, drift_columns: Sequence[str] | None) -> None:
        self.source = _Flat(source)
        self.suite = suite
        self.limit = max(suite.max_examples, 0)
        self.cap = SAMPLE_CAP if source.streamed else None
        self.drift_all = drift_columns is None
        self.drift = set(drift_columns or ())
        self.profile = Profile(dataset=suite.dataset)
        self.rules: list[ParsedRule | RuleSyntaxError] = []
        for rule in suite.rules:
            try:
                self.rules.append(parse_rule(rule.expr))
            except RuleSyntaxError as exc:  # planned configs were vetted; helpers may not be
                self.rules.append(exc)
        self.repeats: dict[Any, Repeats] = {}
        # a key covering `duplicates`: duplicated rows are looked for among its repeats only
        self.dup_key: Any = None
        self.widening = Widening() if source.streamed else None
        self.watched: list[str] = []  # columns whose values examples show

    # -- the pass -------------------------------------------------------------------------
    def run(self) -> Profile:
        offset = 0
        for chunk in self.source.chunks():
            if self.profile.chunks == 0:
                self.profile.columns = [str(c) for c in chunk.columns]
                self._start()
            self._chunk(chunk, offset)
            offset += len(chunk)
            self.profile.chunks += 1
        self.profile.rows = offset
        self._finish()
        return self.profile

    def _start(self) -> None:
        p = self.profile
        if self.drift_all:
            self.drift = set(p.columns)
        names = {c.name for c in self.suite.columns} | self.drift
        for name in names:
            if name in p.columns:
                p.column[name] = ColumnProfile(name)
        for key in self.suite.keys:
            p.keys[key] = Violation()
            missing = [k for k in key if k not in p.columns]
            if missing:
                p.keys[key].problem = _missing(missing[0], p.columns)
        if self.suite.duplicates:
            p.duplicates = Violation()
            subset = self.suite.duplicates_subset or ()
            missing = [k for k in subset if k not in p.columns]
            if missing:
                p.duplicates.problem = _missing(missing[0], p.columns)
        self._plan_repeats()
        watched = set(p.column) | {c for key in p.keys for c in key}
        watched |= {c for r in self.rules if isinstance(r, ParsedRule) for c in r.columns}
        self.watched = [c for c in p.columns if c in watched]
        for i, rule in enumerate(self.rules):
            v = p.rules[i] = Violation()
            if isinstance(rule, RuleSyntaxError):
                v.problem = str(rule)
                continue
            missing = [c for c in rule.columns if c not in p.columns]
            if missing:
                v.problem = _missing(missing[0], p.columns)

    def _plan_repeats(self) -> None:
        p, streamed = self.profile, self.source.streamed
        covering: list[tuple[tuple[str, ...], Any]] = []  # (columns, repeats id), no missing
        for key, v in p.keys.items():
            if v.problem is None:
                self.repeats[("key", key)] = Repeats(list(key), True, streamed)
                covering.append((key, ("key", key)))
        for col in self.suite.columns:
            if col.unique and col.name in p.column:
                self.repeats[("col", col.name)] = Repeats([col.name], True, streamed)
                covering.append(((col.name,), ("col", col.name)))
        if p.duplicates is None or p.duplicates.problem is not None:
            return
        subset = set(self.suite.duplicates_subset or p.columns)
        usable = [(cols, rid) for cols, rid in covering if set(cols) <= subset]
        if usable:
            self.dup_key = min(usable, key=lambda u: len(u[0]))[1]
        else:
            self.repeats[("dup",)] = Repeats(self._dup_columns(), False, streamed)

    def _dup_columns(self) -> list[str] | None:
        return list(self.suite.duplicates_subset) if self.suite.duplicates_subset else None

    def _chunk(self, df: pd.DataFrame, offset: int) -> None:
        p = self.profile
        if self.widening is not None:
            self.widening.see(df, self.watched)
        for name, cp in p.column.items():
            rules = self.suite.column(name)
            self._column(cp, df[name], offset, rules)
        for rep in self.repeats.values():
            rep.add(df, offset)
        for i, rule in enumerate(self.rules):
            v = p.rules[i]
            if v.problem is None and not isinstance(rule, RuleSyntaxError):
                self._rule(v, rule, df, offset)

    def _column(
        self, cp: ColumnProfile, s: pd.Series, offset: int, rules: ColumnRules | None
    ) -> None:
        na = s.isna().to_numpy()
        nulls = int(na.sum())
        cp.nulls += nulls
        if nulls and len(cp.null_rows) < self.limit:
            cp.null_rows += (np.flatnonzero(na)[: self.limit - len(cp.null_rows)] + offset).tolist()
        valid = ~na if nulls else None  # masks run on the whole chunk, and-ed with `valid`
        n = len(s) - nulls
        cp.count += n
        if n == 0:
            return
        nested = cp.name in self.source.nested
        kind = "nested" if nested else kind_of(s)
        cp.kinds.add(kind)
        cp.dtypes.append(NESTED_DTYPE if nested else str(s.dtype))
        if kind in NUMERIC or kind == "datetime":
            lo, hi = s.min(), s.max()
            cp.min = lo if cp.min is None or _lt(lo, cp.min) else cp.min
            cp.max = hi if cp.max is None or _lt(cp.max, hi) else cp.max
        if kind in NUMERIC:
            arr = s.to_numpy(dtype="float64", na_value=np.nan)
            arr = arr[valid] if valid is not None else arr
            if kind == "float":
                cp.non_integral += int(np.count_nonzero(arr != np.floor(arr)))
            self._moments(cp, arr)
            if (rules is not None and rules.keeps_values) or cp.name in self.drift:
                self._keep(cp, arr, valid, offset)
        elif kind == "datetime" and cp.name in self.drift:
            stamps = s.to_numpy(dtype="datetime64[ns]")
            stamps = stamps[valid] if valid is not None else stamps
            self._keep(cp, stamps.astype("int64") / 1e9, valid, offset)
        elif cp.name in self.drift:
            _merge_counts(cp.counts, s.value_counts(sort=False, dropna=True))
        if kind == "boolean" and rules is not None and (rules.stats or rules.quantiles):
            arr = s.to_numpy(dtype="float64", na_value=np.nan)  # the mean: the share of True
            arr = arr[valid] if valid is not None else arr
            self._moments(cp, arr)
            if rules.keeps_values:
                self._keep(cp, arr, valid, offset)
        if rules is not None:
            self._column_checks(cp, s, valid, n, offset, kind, rules)

    def _keep(
        self, cp: ColumnProfile, arr: np.ndarray, valid: np.ndarray | None, offset: int
    ) -> None:
        """Keep a column's values; streamed, at most `SAMPLE_CAP` of them: those whose row
        number hashes lowest, the same rows however the data is cut into chunks."""
        cp.values.append(arr)
        if self.cap is None:
            return
        rows = (
            np.flatnonzero(valid) + offset
            if valid is not None
            else np.arange(offset, offset + len(arr))
        )
        cp.value_keys.append(_mix(rows.astype(np.uint64)))
        if sum(len(v) for v in cp.values) > self.cap + self.cap // 4:
            self._compact(cp)

    def _compact(self, cp: ColumnProfile) -> None:
        if self.cap is None or not cp.value_keys:
            return
        values, keys = np.concatenate(cp.values), np.concatenate(cp.value_keys)
        if len(values) > self.cap:
            idx = np.sort(np.argpartition(keys, self.cap - 1)[: self.cap])
            values, keys = values[idx], keys[idx]
            cp.sampled = True
        cp.values, cp.value_keys = [values], [keys]

    def _moments(self, cp: ColumnProfile, arr: np.ndarray) -> None:
        n_b = len(arr)
        # infinities give NaN moments, and squares beyond the largest double inf, as numpy's own
        with np.errstate(invalid="ignore", over="ignore"):
            mean_b = float(arr.mean())
            m2_b = float(((arr - mean_b) ** 2).sum())
        n_a = cp.moments
        n = n_a + n_b
        delta = mean_b - cp.mean
        cp.mean += delta * n_b / n
        # nothing to merge into on the first chunk (where an infinite delta**2 * 0 is NaN)
        cp.m2 += m2_b + (delta * delta * n_a * n_b / n if n_a else 0.0)
        cp.moments = n

    def _column_checks(
        self,
        cp: ColumnProfile,
        s: pd.Series,
        valid: np.ndarray | None,
        n: int,
        offset: int,
        kind: str,
        rules: ColumnRules,
    ) -> None:
        def offend(v: Violation, bad: np.ndarray) -> None:
            self._offend(v, s, bad & valid if valid is not None else bad, n, offset)

        for key, bound in (("min", rules.min), ("max", rules.max)):
            if bound is None:
                continue
            v = cp.checks.setdefault(key, Violation())
            value, problem = bound_value(bound, kind, getattr(s.dtype, "tz", None))
            if problem:
                v.problem = v.problem or problem
                continue
            if kind in NUMERIC:  # exact: an int64 column against 2**63 + 1 or 0.5
                op = operator.lt if key == "min" else operator.gt
                mask = np.asarray(compare(op, numbers(s, kind), value), dtype=bool)
            else:
                cmp = (s < value) if key == "min" else (s > value)
                mask = cmp.to_numpy(dtype=bool, na_value=False)
            offend(v, mask)
        if rules.allowed is not None:
            v = cp.checks.setdefault("allowed", Violation())
            values = s.astype(object) if kind == "category" else s
            offend(v, ~values.isin(list(rules.allowed)).to_numpy(dtype=bool, na_value=False))
        if rules.pattern is not None:
            v = cp.checks.setdefault("pattern", Violation())
            if kind not in ("string", "category"):
                v.problem = v.problem or f"`pattern` needs text; the column holds {kind} values"
            else:
                text = s.astype("str") if kind == "category" else s
                offend(v, ~full_matches(text, rules.pattern))

    def _offend(
        self, v: Violation, values: pd.Series, mask: np.ndarray, n: int, offset: int
    ) -> None:
        """Count the offending values of a chunk (`n` non-missing), keep the first rows."""
        v.denominator += n
        k = int(mask.sum())
        if not k:
            return
        v.count += k
        idx = np.flatnonzero(mask)
        bad = values.iloc[idx]
        if len(v.examples) < self.limit:
            take = idx[: self.limit - len(v.examples)]
            vals = values.iloc[take].tolist()
            v.examples += [
                {"row": int(r) + offset, "value": x} for r, x in zip(take, vals, strict=True)
            ]
        top = bad.value_counts(sort=True).head(TOP_VALUES)
        _merge_counts(v.values, top)
        if len(v.values) > TOP_VALUES:
            v.values = Counter(dict(v.values.most_common(TOP_VALUES)))

    def _rule(self, v: Violation, rule: Any, df: pd.DataFrame, offset: int) -> None:
        cols = list(rule.columns)
        nulls = df[cols].isna().any(axis=1).to_numpy() if cols else np.zeros(len(df), bool)

        def column(name: str) -> Any:
            s = df[name]
            kind = kind_of(s)
            if kind in NUMERIC:
                return numbers(s, kind)
            if getattr(s.dtype, "tz", None) is not None:
                return s.array  # keeps its zone: compares with text read in that zone
            return s.to_numpy()

        try:
            result = np.asarray(evaluate(rule, column), dtype=bool)
        except Exception as exc:
            v.problem = f"rule {rule.text!r} cannot be computed: {type(exc).__name__}: {exc}"
            return
        if result.ndim == 0:
            result = np.full(len(df), bool(result))
        mask = ~result & ~nulls
        v.skipped_rows += int(nulls.sum())
        v.denominator += int((~nulls).sum())
        k = int(mask.sum())
        v.count += k
        if k and len(v.examples) < self.limit:
            idx = np.flatnonzero(mask)[: self.limit - len(v.examples)]
            part = df.iloc[idx][cols]  # records keep each column's type (rows would upcast)
            for i, rec in zip(idx, part.to_dict("records"), strict=True):
                v.examples.append({"row": int(i + offset), **rec})

    # -- after the pass ---------------------------------------------------------------------
    def _finish(self) -> None:
        p = self.profile
        for cp in p.column.values():
            self._compact(cp)
        for rep in self.repeats.values():
            rep.resolve()
        for (kind, *rest), rep in self.repeats.items():
            if kind == "col":
                v = p.column[rest[0]].checks.setdefault("unique", Violation())
                rep.judge_into(v, self.source, self.limit, label_columns=True)
            elif kind == "key" and tuple(rest[0]) in p.keys:
                rep.judge_into(p.keys[rest[0]], self.source, self.limit, label_columns=True)
            elif kind == "dup" and p.duplicates is not None:
                rep.judge_into(p.duplicates, self.source, self.limit, label_columns=False)
        if self.dup_key is not None and p.duplicates is not None:
            self._duplicates_via_key(p.duplicates, self.repeats[self.dup_key])
        if self.widening is not None:
            self.widening.apply(p)

    def _duplicates_via_key(self, v: Violation, key: Repeats) -> None:
        """Duplicated rows repeat every key too: look for them among the key's repeats only."""
        p = self.profile
        if key.n != p.rows:  # a key part is missing somewhere: compare every row
            rep = Repeats(self._dup_columns(), False, self.source.streamed)
            offset = 0
            for chunk in self.source.chunks():
                rep.add(chunk, offset)
                offset += len(chunk)
            rep.resolve()
            rep.judge_into(v, self.source, self.limit, label_columns=False)
            return
        v.denominator = p.rows
        if not key.count or key.members is None:
            return
        frame = self.source.rows_at(key.members.tolist())
        cols = self._dup_columns() or [str(c) for c in frame.columns]
        v.count = int(frame[cols].duplicated(keep="first").sum())
        if v.count:
            examples_of(v, frame, cols, self.limit, label=False)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64: a fixed, well-spread hash of row numbers (uint64)."""
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _lt(a: Any, b: Any) -> bool:
    try:
        return bool(a < b)
    except TypeError:
        return False


def _merge_counts(counter: Counter[Any], counts: pd.Series) -> None:
    for value, n in counts.items():
        if n:  # a categorical's unused categories count 0
            counter[value] += int(n)


def _missing(name: str, columns: list[str]) -> str:
    return missing_column(name, columns)


class PandasBackend:
    """`StatsBackend` computing with pandas/numpy, chunk by chunk."""

    def profile(
        self, source: Source, suite: Suite, *, drift_columns: Sequence[str] | None = ()
    ) -> Profile:
        """One pass over `source`; `drift_columns=None` keeps every column for drift."""
        builder = _Builder(source, suite, drift_columns)
        return builder.run()
