"""Examples of a suite's failed checks, fetched together where the data lives.

The aggregate scan counts each check's offending rows; a failed check then shows its first
offending rows and, for a column check, its most frequent offending values. When the failed
checks hold few rows in all (`BATCH_ROWS`), one query fetches all of them, with a flag per
check, and each check takes its examples and value counts from that result: one scan for the
whole suite instead of one or two per failed check. A check with more offending rows gets its
own queries, with a `LIMIT` and a grouping in the engine. Both give the same examples.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlgate.engines.profile_sql import SqlProfiler
    from mlgate.engines.rows import Rows

#: Offending rows (all failed checks together) fetched in one query; beyond, a check by itself.
BATCH_ROWS = 20_000
#: The most frequent offending values kept per check.
TOP_VALUES = 1000


@dataclass
class Wanted:
    """What a failed check shows: its first rows `where` holds (`count` of them, from the
    scan) with the values of `shown`, and (`top`) the value counts of one column there."""

    where: str
    count: int
    shown: list[str]
    rows_done: Callable[[list[int | None], list[dict[str, Any]]], None]
    top: str | None = None
    top_done: Callable[[Counter[Any]], None] | None = None
    ordered_only: bool = False  # rows are shown only where the engine has a row order


def fetch(prof: SqlProfiler, wanted: list[Wanted]) -> None:
    """Give each wanted check its examples: the small ones in one query, the others alone."""
    together = [w for w in wanted if w.count <= BATCH_ROWS]
    if sum(w.count for w in together) > BATCH_ROWS:  # the smallest first, up to the bound
        together.sort(key=lambda w: w.count)
        total = 0
        for i, w in enumerate(together):
            total += w.count
            if total > BATCH_ROWS:
                together = together[:i]
                break
    alone = [w for w in wanted if not any(w is t for t in together)]
    if len(together) == 1:
        alone += together
        together = []
    if together:
        _batch(prof, together)
    for w in alone:
        _single(prof, w)


def _needs_rows(prof: SqlProfiler, w: Wanted) -> bool:
    """Whether `w` shows rows at all (not when no examples are asked for)."""
    return bool(prof.limit) and (prof.rel.row is not None or not w.ordered_only)


def _single(prof: SqlProfiler, w: Wanted) -> None:
    rel, x = prof.rel, prof.x
    if _needs_rows(prof, w):
        shown = "".join(f", {x(c)} AS {x('c' + str(i))}" for i, c in enumerate(w.shown))
        df = prof.frame(
            f"SELECT {prof.row_expr()} AS r__{shown} FROM {rel.rows_sql} WHERE {w.where}"
            f"{prof.order()} LIMIT {prof.limit}",
            like={f"c{i}": c for i, c in enumerate(w.shown)},
        )
        shown_as = {f"c{i}": c for i, c in enumerate(w.shown)}
        picked = range(len(df))
        w.rows_done(_row_numbers(df["r__"]), _records(df, picked, shown_as))
    if w.top is not None and w.top_done is not None:
        first = f"min({x(rel.row)})" if rel.row else "0"
        key = prof.key(w.top)
        top = prof.frame(
            f"SELECT {key} AS v, count(*) AS n, {first} AS f FROM {rel.rows_sql} "
            f"WHERE {w.where} GROUP BY {key} ORDER BY n DESC, f LIMIT {TOP_VALUES}",
            like={"v": w.top},
        )
        w.top_done(Counter(dict(zip(top["v"], (int(n) for n in top["n"]), strict=True))))


def _batch(prof: SqlProfiler, wanted: list[Wanted]) -> None:
    """Every row of `wanted` in one query, in row order; each check's share by its flag."""
    rel, x = prof.rel, prof.x
    columns = list(
        dict.fromkeys(c for w in wanted for c in [*w.shown, *([w.top] if w.top else [])])
    )
    alias = {c: f"c{i}" for i, c in enumerate(columns)}
    shown = "".join(f", {x(c)} AS {alias[c]}" for c in columns)
    flags = "".join(f", coalesce({w.where}, FALSE) AS b{i}" for i, w in enumerate(wanted))
    anywhere = " OR ".join(f"({w.where})" for w in wanted)
    df = prof.frame(
        f"SELECT {prof.row_expr()} AS r__{shown}{flags} FROM {rel.rows_sql} "
        f"WHERE {anywhere}{prof.order()}",
        like={a: c for c, a in alias.items()},
    )
    for i, w in enumerate(wanted):
        part = [j for j, flag in enumerate(df[f"b{i}"]) if flag]
        if _needs_rows(prof, w):
            first = part[: prof.limit]
            rows = [df["r__"][j] for j in first]
            w.rows_done(_row_numbers(rows), _records(df, first, {alias[c]: c for c in w.shown}))
        if w.top is not None and w.top_done is not None:
            values = df[alias[w.top]]
            w.top_done(_top_values([values[j] for j in part]))


def _top_values(values: list[Any]) -> Counter[Any]:
    """The most frequent values, as the engine's grouping orders them: by count, then by the
    first row holding them (`values` are in row order)."""
    counts: Counter[Any] = Counter()
    for value in values:
        counts[value] += 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])  # stable: first seen first
    return Counter(dict(ranked[:TOP_VALUES]))


def _row_numbers(rows: list[Any]) -> list[int | None]:
    return [int(r) if r is not None and r == r else None for r in rows]


def _records(df: Rows, picked: Sequence[int], shown_as: dict[str, str]) -> list[dict[str, Any]]:
    """The shown columns of the `picked` rows (`shown_as`: their aliases in `df` -> names)."""
    return [{name: df[alias][j] for alias, name in shown_as.items()} for j in picked]
