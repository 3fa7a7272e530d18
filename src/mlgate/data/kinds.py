"""Data check kinds: each judges from the suite's one `Profile` (computed once per run)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from mlgate.checks import CHECKS, CheckSpec, Outcome
from mlgate.context import RunContext
from mlgate.data import judge
from mlgate.data.backend import Profile, Source, StatsBackend
from mlgate.data.suite import Suite
from mlgate.datasets import dataset_named
from mlgate.errors import CheckError


@cache
def pandas_backend() -> StatsBackend:
    """The reference backend, for what no engine computes (pandas is imported only then)."""
    from mlgate.data.pandas_backend import PandasBackend

    return PandasBackend()


def source_for(name: str, ctx: RunContext) -> Source:
    """The named dataset: streamed when it sets `chunk_rows`, else read whole (and shared)."""
    from mlgate.data.pandas_backend import ChunkSource, FrameSource

    spec = ctx.config.datasets.get(name)
    if spec is None:
        raise CheckError(f"dataset {name!r} is not declared under `datasets:`")
    if spec.chunk_rows:
        from mlgate.datasets import dataset_paths, iter_dataset

        dataset_paths(spec, ctx)  # fail (or skip, for `ref: base`) before streaming
        rows = spec.chunk_rows
        return ChunkSource(name, lambda: iter_dataset(spec, ctx, rows))
    return FrameSource(name, dataset_named(ctx, name))


def drift_columns(suite: Suite) -> tuple[str, ...] | None:
    """Columns a suite keeps for drift; None: every column."""
    if suite.drift is None:
        return ()
    if suite.drift.columns:
        return suite.drift.columns
    declared = tuple(c.name for c in suite.columns)
    return declared or None


def suite_profile(spec: CheckSpec, ctx: RunContext) -> Profile:
    suite: Suite = spec.suite

    def compute() -> Profile:
        from mlgate.engines import profile_suite

        columns = drift_columns(suite)
        pushed = profile_suite(suite, suite.dataset, ctx, columns)
        if pushed is not None:
            return pushed
        return pandas_backend().profile(
            source_for(suite.dataset, ctx), suite, drift_columns=columns
        )

    return ctx.memo(("data-profile", spec.group), compute)


def reference_profile(spec: CheckSpec, ctx: RunContext, columns: tuple[str, ...] | None) -> Profile:
    suite: Suite = spec.suite
    assert suite.drift is not None
    name = suite.drift.reference
    ref_suite = Suite(name=f"{suite.name} reference", dataset=name)

    def compute() -> Profile:
        from mlgate.engines import profile_suite

        pushed = profile_suite(ref_suite, name, ctx, columns)
        if pushed is not None:
            return pushed
        return pandas_backend().profile(source_for(name, ctx), ref_suite, drift_columns=columns)

    return ctx.memo(("data-drift-reference", name, columns), compute)


def _on_profile(
    fn: Callable[[CheckSpec, Profile], Outcome],
) -> Callable[[CheckSpec, RunContext], Outcome]:
    def run(spec: CheckSpec, ctx: RunContext) -> Outcome:
        return fn(spec, suite_profile(spec, ctx))

    return run


CHECKS.add("data.rows", _on_profile(lambda s, p: judge.rows(s.params, p)))
CHECKS.add("data.strict", _on_profile(lambda s, p: judge.strict(s.suite, p)))
CHECKS.add("data.unique", _on_profile(lambda s, p: judge.unique(s.params, p)))
CHECKS.add("data.duplicates", _on_profile(lambda s, p: judge.duplicates(s.params, p)))
CHECKS.add("data.rule", _on_profile(lambda s, p: judge.rule(s.params, s.suite, p)))
CHECKS.add("data.column.stat", _on_profile(lambda s, p: judge.stat(s.params, s.suite, p)))
for _key in ("type", "nullable", "max_missing", "min", "max", "allowed", "pattern", "unique"):
    CHECKS.add(
        f"data.column.{_key}",
        _on_profile(lambda s, p, k=_key: judge.column(s.params, s.suite, p, k)),  # type: ignore[misc]
    )


@CHECKS.register("data.drift")
def check_drift(spec: CheckSpec, ctx: RunContext) -> Outcome:
    current = suite_profile(spec, ctx)
    cols = drift_columns(spec.suite)
    reference = reference_profile(spec, ctx, cols)
    column = spec.params.get("column")
    if column is None:
        return judge.drift(None, spec.suite, current, reference)
    family = cols or (column,)
    outcomes = ctx.memo(
        ("data-drift", spec.group, family),
        lambda: judge.drift_family(family, spec.suite, current, reference),
    )
    if column not in outcomes:
        return judge.drift(column, spec.suite, current, reference)
    return outcomes[column]
