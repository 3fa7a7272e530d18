"""A suite's `Profile` computed by a SQL engine, where the data is.

One aggregate scan gives every count of the suite (rows, missing values, bounds, sets,
patterns, distinct keys, rules, moments, quantiles); then, only for the checks that failed, a
query with a `LIMIT` fetches the first offending rows and one groups the most frequent
offending values. Drift takes value counts from the engine (text); numbers and dates stay
where they are (`mlgate.engines.drift_sql`: counts, order statistics and distances only).
Semantics are those of the pandas engine, the reference (NaN is missing, bounds are
inclusive, `pattern` is a full match); what an engine cannot compute the same way raises
`UnsupportedError`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mlgate.data.backend import ColumnProfile, Profile, Violation, missing_column
from mlgate.data.bounds import bound_value
from mlgate.data.expr import RuleSyntaxError, parse_rule
from mlgate.engines.columns import SqlColumn, UnsupportedError
from mlgate.engines.exact_sql import FLOAT_EXACT, double_vs_int, int_bound, int_vs_number
from mlgate.engines.examples_sql import Wanted, fetch
from mlgate.engines.rows import Rows, read_rows
from mlgate.engines.rules_sql import compile_rule, in_list
from mlgate.engines.sql import Aggregates, OutOfRangeError, Relation, steady

if TYPE_CHECKING:
    from mlgate.data.suite import ColumnRules, Suite

_LISTED = 1000  # repeated key values listed in a query, beyond which a subquery finds them
NARROW_CELLS = 5_000_000  # rows x columns of a key's repeated rows copied to search them apart
NUMERIC = ("integer", "float")


class SqlProfiler:
    """Fills a `Profile` of `relation` for `suite` (see the module's docstring)."""

    def __init__(
        self,
        relation: Relation,
        suite: Suite,
        drift_columns: Sequence[str] | None,
        rules_apart: bool = False,
    ) -> None:
        """`rules_apart`: a rule the engine cannot express is that rule's `unsupported` (the
        data is on a server: nothing else can compute it), not an `UnsupportedError`."""
        self.rules_apart = rules_apart
        self.rel = relation
        self.d = relation.dialect
        self.suite = suite
        self.limit = max(suite.max_examples, 0)
        self.drift = set(relation.columns if drift_columns is None else drift_columns)
        self.profile = Profile(dataset=suite.dataset, columns=list(relation.columns))
        self.nulls: dict[str, int] = {}
        self.beyond: dict[str, str] = {}  # integer column -> alias of its count beyond 2**53
        self.repeated: dict[str, str] = {}
        self.groups: dict[str, tuple[int, int, list[Any]]] = {}  # see `_groups`
        self.narrowed: dict[str, str] = {}  # a test -> the copy of its rows (`Relation.narrowed`)
        self.wanted: list[Wanted] = []  # examples of the failed checks, fetched after the scan
        self.by_rank: dict[str, tuple[str, str]] = {}  # quantiles from order statistics

    # -- helpers ------------------------------------------------------------------------------
    def x(self, name: str) -> str:
        return self.d.ident(name)

    def missing(self, name: str) -> str:
        """The SQL test of a missing value (NULL, or NaN in a float column)."""
        x = self.x(name)
        if self.rel.types[name].kind == "float":
            return f"({x} IS NULL OR {self.d.isnan(x)})"
        return f"({x} IS NULL)"

    def present(self, name: str) -> str:
        return f"(NOT {self.missing(name)})"

    def where(self, expr: str, condition: str) -> str:
        """`expr` where `condition` holds, else NULL: what an aggregate skipping NULLs reads to
        see only those rows. Not `FILTER (WHERE …)`: DuckDB copies the scanned columns for each
        such clause (a 400-column suite took 7x the time and 6x the memory)."""
        return f"(CASE WHEN {condition} THEN {expr} END)"

    def key(self, name: str) -> str:
        """A column as a grouping key: NaN and NULL alike (both missing in pandas), and an
        integer column with missing values as the float64 pandas holds it (once known)."""
        x = self.x(name)
        if self.rel.types[name].kind == "integer" and self.nulls.get(name):
            return self.d.double(x)
        if self.rel.types[name].kind == "float":
            return f"(CASE WHEN {self.d.isnan(x)} THEN NULL ELSE {x} END)"
        return x

    def frame(self, sql: str, like: dict[str, str] | None = None) -> Rows:
        """A query's result as pandas holds its values (zoned timestamps in their column's
        zone; `like` names the column a result column shows)."""
        rows = read_rows(self.rel.query(sql))
        for name, source in (like or {}).items():
            sc = self.rel.types.get(source)
            if sc is None or name not in rows.columns:
                continue
            values = rows.columns[name]
            if sc.tz:
                rows.columns[name] = [_in_zone(v, sc.tz) for v in values]
            elif sc.kind == "integer" and self._null_count(source):  # float64 in pandas
                rows.columns[name] = [math.nan if v is None else float(v) for v in values]
        return rows

    def order(self) -> str:
        return f" ORDER BY {self.x(self.rel.row)}" if self.rel.row else ""

    def row_expr(self) -> str:
        return self.x(self.rel.row) if self.rel.row else "NULL"

    # -- the scan -----------------------------------------------------------------------------
    def run(self) -> Profile:
        p, rel = self.profile, self.rel
        names = [c.name for c in self.suite.columns if c.name in rel.columns]
        names += [c for c in rel.columns if c in self.drift and c not in names]
        for name in names:
            if name not in rel.types:
                raise UnsupportedError(
                    f"column `{name}` of a type the engine does not read exactly"
                )
        try:
            row, total, null_alias, todo, keys, rules = self._scan(names)
        except OutOfRangeError:  # PostgreSQL raises where numpy gives inf or 0: compute those
            guarded = self.d.guarded()
            if guarded is None:
                raise
            self.d = guarded
            row, total, null_alias, todo, keys, rules = self._scan(names)
        p.rows = int(row[total])
        self.nulls.update({n: int(row[a]) for n, a in null_alias.items()})
        for name, alias in self.beyond.items():
            if int(row[alias]) and self._null_count(name):
                raise UnsupportedError(  # pandas rounds them to float64 before counting
                    f"distinct values of column `{name}`, with missing values and integers "
                    "beyond 2**53"
                )
        for name in names:
            p.column[name] = self._column_base(name)
        for finish in todo:
            finish(row)
        keys(row)
        rules(row)
        fetch(self, self.wanted)
        self._duplicates()
        return p

    def _scan(self, names: list[str]) -> tuple[Any, str, dict[str, str], list[Any], Any, Any]:
        """The aggregate scan: its result row, the aliases of the row count and of each
        column's missing values, and what reads the columns', keys' and rules' aggregates."""
        self.beyond = {}
        scan = Aggregates()
        total = scan.add("count(*)")
        null_alias = {n: scan.add(self.d.count_where(self.missing(n))) for n in names}
        todo = [self._column_aggregates(name, scan) for name in names]
        keys = self._key_aggregates(scan)
        rules = self._rule_aggregates(scan)
        # column by column: a row of the frame would upcast integers beyond 2**53 to floats
        df = self.frame(f"SELECT {scan.select()} FROM {self.rel.from_sql}")
        return df.first(), total, null_alias, todo, keys, rules

    def _column_base(self, name: str) -> ColumnProfile:
        sc = self.rel.types[name]
        cp = ColumnProfile(name)
        cp.nulls = self.nulls[name]
        cp.count = self.profile.rows - cp.nulls
        if cp.count:
            kind, dtype = sc.with_nulls(cp.nulls)
            cp.kinds.add(kind)
            cp.dtypes.append(dtype)
        return cp

    def _column_aggregates(self, name: str, scan: Aggregates) -> Any:
        """Add a column's aggregates to the scan; return what reads them back (the kind is
        the column's before missing values turn integers into floats: the same predicates)."""
        sc = self.rel.types[name]
        rules = self.suite.column(name)
        kind = sc.kind
        x, ok = self.x(name), self.present(name)
        aliases: dict[str, str] = {}
        checks: dict[str, tuple[str, str]] = {}  # key -> (offending predicate, its count)
        with_nulls: dict[str, tuple[str, str]] = {}  # the same when the column has nulls
        bounded = rules is not None and (rules.min is not None or rules.max is not None)
        if bounded and (kind in NUMERIC or kind == "datetime"):  # what a bound's check shows
            aliases["min"] = scan.add(f"min({self.where(x, ok)})")
            aliases["max"] = scan.add(f"max({self.where(x, ok)})")
        if kind == "float":
            aliases["frac"] = scan.add(self.d.count_where(f"{ok} AND {x} <> {self.d.floor(x)}"))
        stats = rules is not None and bool(rules.stats or rules.quantiles)
        if rules is not None and stats and kind in (*NUMERIC, "boolean"):
            self._moment_aggregates(name, kind, scan, aliases, rules)
        if rules is not None:
            for key, (_, bad, nulled) in self._check_predicates(name, kind, sc, rules).items():
                counts = (bad, scan.add(self.d.count_where(f"{ok} AND {bad}")))
                checks[key] = counts
                if nulled is not None:  # which one applies is known after the scan
                    with_nulls[key] = (nulled, scan.add(self.d.count_where(f"{ok} AND {nulled}")))
            if rules.unique:
                self._beyond_doubles_count(name, scan)
                distinct = self._distinct(name, scan)

        def finish(row: Any) -> None:
            cp = self.profile.column[name]
            if (
                cp.nulls
                and rules is not None
                and (rules.nullable is False or rules.max_missing is not None)
            ):
                self._null_examples(cp)
            if not cp.count:
                return
            if "min" in aliases:
                cp.min = _scalar(row[aliases["min"]], sc)
                cp.max = _scalar(row[aliases["max"]], sc)
                if cp.nulls and sc.kind == "integer":  # pandas holds it as float64
                    cp.min, cp.max = float(cp.min), float(cp.max)
            if "frac" in aliases:
                cp.non_integral = int(row[aliases["frac"]])
            if "n" in aliases:
                self._moments(cp, row, aliases)
            for key, (bad, alias) in checks.items():
                if cp.nulls and key in with_nulls:
                    bad, alias = with_nulls[key]
                v = cp.checks.setdefault(key, Violation())
                v.denominator = cp.count
                v.count = int(row[alias])
                if v.count:
                    self._examples(v, name, bad)
            if rules is not None and rules.unique:
                v = cp.checks.setdefault("unique", Violation())
                v.count, v.denominator = cp.count - distinct(row), cp.count
                if v.count:
                    self._repeat_examples(v, [name], label=True, within=self._repeated(name))
            if rules is not None:
                self._check_problems(cp, rules)
            if name in self.drift and cp.count:
                self._drift_values(cp)

        return finish

    def _moment_aggregates(
        self, name: str, kind: str, scan: Aggregates, aliases: dict[str, str], rules: Any
    ) -> None:
        x, ok = self.x(name), self.present(name)
        num = self.d.double(f"CAST({x} AS INTEGER)" if kind == "boolean" else x)
        finite = f"(CASE WHEN {self.d.isnan(f'({num}) - ({num})')} THEN NULL ELSE {num} END)"
        aliases["n"] = scan.add(self.d.count_where(ok))
        exact = self.d.exact(finite)
        if exact is None:
            aliases["mean"] = scan.add(f"avg({self.where(num, ok)})")
            aliases["var"] = scan.add(f"var_samp({self.where(finite, ok)})")
        else:  # the sum as numpy's (a double, inf beyond the largest), then over n
            aliases["sum"] = scan.add(self.d.as_text(f"sum({self.where(exact, ok)})"))
            aliases["var"] = scan.add(self.d.as_text(f"var_samp({self.where(exact, ok)})"))
        aliases["inf"] = scan.add(self.d.count_where(f"{ok} AND {finite} IS NULL"))
        aliases["pinf"] = scan.add(self.d.count_where(f"{ok} AND {num} > 0 AND {finite} IS NULL"))
        qs = [q for q, _ in rules.quantiles] + (
            [0.5] if any(k == "median" for k, _ in rules.stats) else []
        )
        if qs:
            aliases["qs"] = ",".join(repr(q) for q in qs)
            if self.d.ranged_windows:  # Spark's exact `percentile` merges every distinct value
                self.by_rank[name] = (num, ok)  # on one executor: by rank, range by range
            else:
                aliases["q"] = scan.add(self.d.quantiles(self.where(num, ok), qs))

    def _moments(self, cp: ColumnProfile, row: Any, aliases: dict[str, str]) -> None:
        n = int(row[aliases["n"]])
        infs, pinf = int(row[aliases["inf"]]), int(row[aliases["pinf"]])
        cp.moments = n
        if infs:  # numpy: inf - inf is nan
            cp.mean = float("nan") if 0 < pinf < infs else (float("inf") if pinf else float("-inf"))
            cp.m2 = float("nan")
        else:
            if "sum" in aliases:  # exact decimals (as text), every value finite
                cp.mean = steady(float(row[aliases["sum"]]) / n)
            else:
                cp.mean = steady(float(row[aliases["mean"]]))
            var = row[aliases["var"]]
            ok = n > 1 and var is not None and var == var
            cp.m2 = steady(float(var)) * (n - 1) if ok else 0.0
        if "qs" in aliases and infs:  # numpy interpolates inf - inf to nan: pandas decides
            raise UnsupportedError("quantiles of a column holding infinities")
        if "qs" in aliases:
            qs = [float(q) for q in aliases["qs"].split(",")]
            if "q" in aliases:
                values = [float(v) for v in row[aliases["q"]]]
            else:
                from mlgate.data.drift import quantiles_by_rank
                from mlgate.engines.drift_sql import SqlSample

                num, ok = self.by_rank[cp.name]
                values = quantiles_by_rank(SqlSample(self.rel, num, ok, n), qs)
            cp.quantiles = dict(zip(qs, values, strict=True))

    def _check_predicates(
        self, name: str, kind: str, sc: SqlColumn, rules: ColumnRules
    ) -> dict[str, tuple[str, str, str | None]]:
        """The offending-value predicate of each min/max/allowed/pattern check that applies,
        and (third) another one for an integer column that has missing values, where it
        differs: pandas then holds the column as float64, rounding beyond 2**53."""
        x = self.x(name)
        out: dict[str, tuple[str, str, str | None]] = {}
        for key, bound in (("min", rules.min), ("max", rules.max)):
            if bound is None:
                continue
            value, problem = bound_value(bound, kind, sc.tz)
            if problem:
                continue
            op = "<" if key == "min" else ">"
            if kind == "datetime":
                lit = self.d.timestamp(value, zoned=sc.tz is not None)
                out[key] = ("", f"({x} {op} {lit})", None)
            elif kind == "integer":  # exactly, as `mlgate.data.exact` compares
                lo, hi = int_bound(sc.dtype)
                exact = int_vs_number(self.d, op, x, lo, hi, value)
                out[key] = ("", exact, self._as_float64(op, x, value, exact))
            else:  # float64 (float32 widened to it, exactly, as pandas compares)
                out[key] = ("", self._as_float64(op, x, value, None) or "", None)
        if rules.allowed is not None:
            if kind == "datetime":
                raise UnsupportedError("`allowed` on dates")
            items = list(rules.allowed)
            hit = in_list(self.d, kind, x, items, sc.dtype)
            bad = f"(NOT {hit})" if hit else "TRUE"
            other = None
            if kind == "integer" and _beyond_doubles(items):
                hit = in_list(self.d, kind, x, items, "float64")
                other = f"(NOT {hit})" if hit else "TRUE"
            out["allowed"] = ("", bad, other)
        if rules.pattern is not None and kind in ("string", "category"):
            text = self.d.as_text(x) if kind == "category" else x
            out["pattern"] = ("", f"(NOT {self.d.full_match(text, rules.pattern)})", None)
        return out

    def _as_float64(self, op: str, x: str, value: Any, same: str | None) -> str | None:
        """`x op value` with `x` read as a float64 (exact against an integer `value`); None
        when that is `same` (a bound within 2**53 means the same to both)."""
        if same is not None and not _beyond_doubles([value]):
            return None
        number = self.d.double(x)
        if isinstance(value, float) and math.isnan(value):
            return "FALSE"  # nothing is below or above NaN
        if isinstance(value, int) and not isinstance(value, bool):
            return double_vs_int(self.d, op, number, value)
        return f"({number} {op} {self.d.number(float(value))})"

    def _check_problems(self, cp: ColumnProfile, rules: ColumnRules) -> None:
        sc = self.rel.types[cp.name]
        for key, bound in (("min", rules.min), ("max", rules.max)):
            if bound is not None:
                _, problem = bound_value(bound, cp.kind, sc.tz)
                if problem:
                    cp.checks.setdefault(key, Violation()).problem = problem
        if rules.pattern is not None and cp.kind not in ("string", "category"):
            cp.checks.setdefault(
                "pattern", Violation()
            ).problem = f"`pattern` needs text; the column holds {cp.kind} values"

    def _null_examples(self, cp: ColumnProfile) -> None:
        """A column's first rows with a missing value (fetched with the other examples)."""

        def done(rows: list[int | None], _: list[dict[str, Any]]) -> None:
            cp.null_rows = [r for r in rows if r is not None]

        self.wanted.append(Wanted(self.missing(cp.name), cp.nulls, [], done, ordered_only=True))

    def _examples(self, v: Violation, name: str, bad: str) -> None:
        """First offending rows and most frequent offending values of a column check (fetched
        with the other examples)."""

        def rows_done(rows: list[int | None], values: list[dict[str, Any]]) -> None:
            v.examples = [
                {"row": r, "value": rec[name]} for r, rec in zip(rows, values, strict=True)
            ]

        def top_done(counts: Counter[Any]) -> None:
            v.values = counts

        where = f"{self.present(name)} AND {bad}"
        self.wanted.append(Wanted(where, v.count, [name], rows_done, name, top_done))

    def _repeated(self, name: str) -> str:
        """A test true for every row whose value of `name` repeats (or is missing), and for few
        others: rows repeating one another all pass it, so a search for repeated rows (a costly
        window or grouping over every row) may look only at those (a hash of one column)."""
        if name not in self.repeated:
            self.repeated[name] = self._repeated_test(name)
        return self.repeated[name]

    def _repeated_test(self, name: str) -> str:
        k, src = self.key(name), self.rel.from_sql
        repeats = (
            f"SELECT {k} AS v FROM {src} WHERE {k} IS NOT NULL GROUP BY {k} HAVING count(*) > 1"
        )
        if self.rel.types[name].kind not in ("integer", "string"):
            return f"({k} IS NULL OR {k} IN ({repeats}))"
        # few repeated values (the usual case): listed, so the grouping runs once; read from
        # Arrow as they are (exact integers, not pandas' floats)
        if name in self.groups:
            values, rows = self.groups[name][2], self.groups[name][1] + self._null_count(name)
        else:
            values = self.rel.query(f"{repeats} LIMIT {_LISTED + 1}").column("v").to_pylist()
            rows = None
        if len(values) > _LISTED or any(not isinstance(v, (int, str)) for v in values):
            return f"({k} IS NULL OR {k} IN ({repeats}))"
        if self.rel.types[name].kind == "integer":
            listed = ", ".join(str(int(v)) for v in values)
        else:
            listed = ", ".join(self.d.text(str(v)) for v in values)
        test = f"({k} IS NULL OR {k} IN ({listed}))" if values else f"({k} IS NULL)"
        if rows is not None and rows * len(self.rel.columns) <= NARROW_CELLS:
            narrowed = self.rel.narrowed(test)  # a test on text or integers: no NaN involved
            if narrowed is not None:
                self.narrowed[test] = narrowed
        return test

    def _distinct(self, name: str, scan: Aggregates) -> Any:
        """What reads the number of distinct present values of `name` (a one-column key): an
        aggregate of the scan, or on an engine listing a group's smallest values (DuckDB) one
        grouping after it that also lists the repeated values (`_groups`): the examples of a
        repeated key need them, and a second grouping of every row would cost as much."""
        if self.d.smallest("v", 1) is None:
            ok = self.present(name)
            return _reader(scan.add(self.d.distinct_count([self.where(self.key(name), ok)])))
        return lambda row: self._groups(name)[0]

    def _groups(self, name: str) -> tuple[int, int, list[Any]]:
        """Of a column's present values: how many distinct, how many rows hold a repeated
        one, and the smallest repeated ones (up to `_LISTED` + 1), in one grouping."""
        if name not in self.groups:
            k, listed = self.key(name), self.d.smallest("CASE WHEN n > 1 THEN v END", _LISTED + 1)
            row = self.rel.query(
                f"SELECT count(*) AS g, sum(CASE WHEN n > 1 THEN n ELSE 0 END) AS r, "
                f"{listed} AS l FROM (SELECT {k} AS v, count(*) AS n FROM {self.rel.from_sql} "
                f"WHERE {k} IS NOT NULL GROUP BY {k}) AS q"
            ).to_pylist()[0]
            self.groups[name] = (int(row["g"]), int(row["r"] or 0), list(row["l"] or []))
        return self.groups[name]

    def _among(self, within: str) -> str:
        """The FROM item holding the rows `within` selects (and a few others): the table they
        were copied to (`Relation.narrowed`), else every row."""
        return self.narrowed.get(within, self.rel.rows_sql)

    def _repeat_examples(
        self, v: Violation, cols: list[str], label: bool, within: str = "TRUE"
    ) -> None:
        """Rows repeating an earlier row's `cols` (all present), as `examples_of` gives them;
        `within` may leave out rows that repeat no other row."""
        rel = self.rel
        if not rel.row:
            return
        r = self.x(rel.row)
        keys = ", ".join(self.key(c) for c in cols)
        ok = " AND ".join(self.present(c) for c in cols) if label else "TRUE"
        ok, among = f"{ok} AND {within}", self._among(within)
        valued = cols if label else []  # a duplicated row is shown by its row numbers
        shown = "".join(f", {self.x(c)} AS {self.x('v_' + c)}" for c in valued)
        if self.limit:
            picked = "".join(", " + self.x("v_" + c) for c in valued)
            df = self.frame(
                f"SELECT r, f{picked} FROM ("
                f"SELECT {r} AS r, min({r}) OVER (PARTITION BY {keys}) AS f{shown} "
                f"FROM {among} WHERE {ok}) AS t WHERE r > f ORDER BY r LIMIT {self.limit}",
                like={"v_" + c: c for c in valued},
            )
            for rec in df.records():
                example: dict[str, Any] = {"row": int(rec["r"]), "same as row": int(rec["f"])}
                if label:
                    example.update({c: rec["v_" + c] for c in cols})
                v.examples.append(example)
        if label:
            groups = ", ".join(self.key(c) for c in cols)
            named = ", ".join(f"{self.key(c)} AS {self.x(c)}" for c in cols)
            top = self.frame(
                f"SELECT {named}, count(*) AS n__, min({r}) AS f__ FROM {among} "
                f"WHERE {ok} GROUP BY {groups} "
                f"HAVING count(*) > 1 ORDER BY n__ DESC, f__ LIMIT 5",
                like={c: c for c in cols},
            )
            counts: Counter[Any] = Counter()
            for rec in top.records():
                value = rec[cols[0]] if len(cols) == 1 else tuple(rec[c] for c in cols)
                counts[value] = int(rec["n__"])
            v.values = counts

    def _drift_values(self, cp: ColumnProfile) -> None:
        """A drift column: numbers and dates as a sample the engine computes drift from (no
        value comes back: `mlgate.engines.drift_sql`), text as value counts."""
        import numpy as np

        from mlgate.engines.drift_sql import SqlSample

        x, ok, rel = self.x(cp.name), self.present(cp.name), self.rel
        if cp.kind in NUMERIC:
            cp.drift = SqlSample(rel, self.d.double(x), ok, cp.count)
        elif cp.kind == "datetime":
            cp.drift = SqlSample(rel, self.d.epoch_seconds(x), ok, cp.count)
        else:
            df = self.frame(
                f"SELECT {x} AS v, count(*) AS n FROM {rel.from_sql} WHERE {ok} GROUP BY {x}"
            )
            for value, n in zip(df["v"], df["n"], strict=True):
                cp.counts[value] += int(n)
            if not cp.counts:
                cp.values.append(np.zeros(0))

    # -- keys, duplicates, rules ------------------------------------------------------------
    def _key_aggregates(self, scan: Aggregates) -> Any:
        p, aliases = self.profile, {}
        for key in self.suite.keys:
            v = p.keys[key] = Violation()
            absent = [k for k in key if k not in self.rel.columns]
            if absent:
                v.problem = missing_column(absent[0], p.columns)
                continue
            for k in key:
                if k not in self.rel.types:
                    raise UnsupportedError(f"column `{k}` in a key")
            for k in key:
                self._beyond_doubles_count(k, scan)
            ok = " AND ".join(self.present(k) for k in key)
            n = scan.add(self.d.count_where(ok))
            if len(key) == 1:
                distinct = self._distinct(key[0], scan)
            else:  # a tuple of NULLs is not NULL: these rows are left out as a whole
                alias = scan.add(
                    f"{self.d.distinct_count([self.key(k) for k in key])} FILTER (WHERE {ok})"
                )
                distinct = _reader(alias)
            aliases[key] = (n, distinct)

        def finish(row: Any) -> None:
            for key, (n, distinct) in aliases.items():
                v = p.keys[key]
                v.denominator = int(row[n])
                v.count = v.denominator - distinct(row)
                if v.count:
                    within = self._repeated(key[0]) if len(key) == 1 else "TRUE"
                    self._repeat_examples(v, list(key), label=True, within=within)

        return finish

    def _duplicates(self) -> None:
        p = self.profile
        if not self.suite.duplicates:
            return
        v = p.duplicates = Violation()
        subset = list(self.suite.duplicates_subset or self.rel.columns)
        absent = [k for k in subset if k not in self.rel.columns]
        if absent:
            v.problem = missing_column(absent[0], p.columns)
            return
        for k in subset:
            if k not in self.rel.types:
                raise UnsupportedError(f"column `{k}` in duplicated rows")
        v.denominator = p.rows
        if not p.rows or self._clean_key_within(set(subset)):
            return  # a duplicated row repeats every key: none when a key never repeats
        keys = ", ".join(self.key(c) for c in subset)
        # a duplicated row repeats each of its columns: a declared key narrows the search
        within = next((self._repeated(k) for k in self._single_keys() if k in subset), "TRUE")
        df = self.frame(
            f"SELECT coalesce(sum(n) - count(*), 0) AS d FROM (SELECT count(*) AS n FROM "
            f"{self._among(within)} WHERE {within} GROUP BY {keys}) AS t"
        )
        v.count = int(df["d"][0])
        if v.count:
            self._repeat_examples(v, subset, label=False, within=within)

    def _single_keys(self) -> list[str]:
        """Columns declared unique on their own (a one-column key or `unique: true`)."""
        keys = [k[0] for k, v in self.profile.keys.items() if len(k) == 1 and v.problem is None]
        return keys + [n for n, cp in self.profile.column.items() if "unique" in cp.checks]

    def _clean_key_within(self, subset: set[str]) -> bool:
        """Whether a declared key within `subset` is never missing and never repeated."""
        p = self.profile
        clean = [
            key
            for key, v in p.keys.items()
            if v.problem is None and v.denominator == p.rows and v.count == 0
        ]
        for name, cp in p.column.items():
            u = cp.checks.get("unique")
            if u is not None and cp.nulls == 0 and u.count == 0 and u.denominator == p.rows:
                clean.append((name,))
        return any(set(key) <= subset for key in clean)

    def _rule_aggregates(self, scan: Aggregates) -> Any:
        p, aliases = self.profile, {}
        for i, rule in enumerate(self.suite.rules):
            v = p.rules[i] = Violation()
            try:
                parsed = parse_rule(rule.expr)
            except RuleSyntaxError as exc:
                v.problem = str(exc)
                continue
            absent = [c for c in parsed.columns if c not in self.rel.columns]
            if absent:
                v.problem = missing_column(absent[0], p.columns)
                continue
            try:
                for c in parsed.columns:
                    if c not in self.rel.types:
                        raise UnsupportedError(f"column `{c}` in a rule")
                nulls = {c: self._null_count(c) for c in parsed.columns}
                guards: list[tuple[str, str]] = []
                sql = compile_rule(
                    parsed,
                    self.d,
                    lambda c, n=nulls: (self.rel.types[c], n[c]),  # type: ignore[misc]
                    guards,
                )
            except UnsupportedError as exc:
                if not self.rules_apart:
                    raise
                v.unsupported = (
                    f"rule `{rule.expr}` cannot be computed on {self.d.name} with the meaning it "
                    f"has elsewhere: {exc}"
                )
                continue
            skip = " OR ".join(self.missing(c) for c in parsed.columns) or "FALSE"
            bad = f"(NOT ({skip}) AND NOT coalesce({sql}, FALSE))"
            aliases[i] = (
                scan.add(self.d.count_where(skip)),
                scan.add(self.d.count_where(bad)),
                bad,
                list(parsed.columns),
                [(why, scan.add(self.d.count_where(cond))) for why, cond in guards],
            )

        def finish(row: Any) -> None:
            for i, (_, _, _, _, guarded) in aliases.items():
                for why, alias in guarded:  # the pandas engine computes it otherwise
                    if int(row[alias]):
                        raise UnsupportedError(f"rule {self.suite.rules[i].expr!r}: {why}")
            for i, (skipped, count, bad, cols, _) in aliases.items():
                v = p.rules[i]
                v.skipped_rows = int(row[skipped])
                v.denominator = p.rows - v.skipped_rows
                v.count = int(row[count])
                if v.count:
                    self._rule_examples(v, bad, cols)

        return finish

    def _rule_examples(self, v: Violation, bad: str, cols: list[str]) -> None:
        """A failed rule's first offending rows with its columns (fetched with the others)."""

        def done(rows: list[int | None], values: list[dict[str, Any]]) -> None:
            v.examples = [{"row": r, **rec} for r, rec in zip(rows, values, strict=True)]

        self.wanted.append(Wanted(bad, v.count, cols, done))

    def _beyond_doubles_count(self, name: str, scan: Aggregates) -> None:
        """Count (once) the values of an integer column beyond 2**53: with missing values,
        pandas counts distinct values of their float64 roundings, which the scan does not."""
        if self.rel.types[name].kind != "integer" or name in self.beyond:
            return
        x, limit = self.x(name), self.d.int_literal(FLOAT_EXACT)
        self.beyond[name] = scan.add(self.d.count_where(f"({x} > {limit} OR {x} < -{limit})"))

    def _null_count(self, name: str) -> int:
        if name not in self.nulls:
            df = self.frame(
                f"SELECT count(*) AS n FROM {self.rel.from_sql} WHERE {self.missing(name)}"
            )
            self.nulls[name] = int(df["n"][0])
        return self.nulls[name]


def _reader(alias: str) -> Any:
    """What reads an integer aggregate of the scan from its result row."""
    return lambda row: int(row[alias])


def _beyond_doubles(values: Sequence[Any]) -> bool:
    """Whether a number among `values` is an integer of 2**53 or more (where reading a column
    as float64 changes which values equal it or lie on each side of it)."""
    return any(
        isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) >= FLOAT_EXACT
        for v in values
    )


def _scalar(value: Any, sc: SqlColumn) -> Any:
    """An aggregate's value as pandas gives it (a zoned timestamp in its column's zone)."""
    if sc.tz and getattr(value, "tzinfo", None) is not None:
        return value.tz_convert(sc.tz)
    return value


def _in_zone(value: Any, tz: str) -> Any:
    """A zoned timestamp in zone `tz` (missing values as they are)."""
    return value.tz_convert(tz) if getattr(value, "tzinfo", None) is not None else value
