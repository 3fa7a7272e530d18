"""Run one check spec to a `CheckResult`; nothing a check raises escapes."""

from __future__ import annotations

import importlib
import time
import traceback

from mlgate.checks import CHECKS, FAMILIES, CheckKind, CheckSpec, Outcome
from mlgate.context import RunContext, SkipCheck
from mlgate.errors import MlgateError
from mlgate.results import CheckResult, json_safe


def execute(spec: CheckSpec, ctx: RunContext) -> CheckResult:
    """Compute `spec`; user errors become `error` with their message, crashes with their type."""
    start = time.perf_counter()
    try:
        kind = _kind(spec)
        outcome = kind(spec, ctx)
    except SkipCheck as exc:
        outcome = Outcome.skipped(str(exc))
    except MlgateError as exc:
        outcome = Outcome.error(str(exc))
    except Exception as exc:
        tb = traceback.format_exception(exc)
        outcome = Outcome.error(
            f"the check crashed: {type(exc).__name__}: {exc}",
            details={"traceback": "".join(tb[-6:])},
        )
    return to_result(spec, outcome, time.perf_counter() - start, ctx)


def to_result(spec: CheckSpec, outcome: Outcome, duration: float, ctx: RunContext) -> CheckResult:
    status = outcome.status
    final = "warning" if status == "failed" and spec.severity == "warning" else status
    limit = ctx.config.report.max_failures_shown
    return CheckResult(
        id=spec.id,
        family=spec.family,
        status=final,
        severity=spec.severity,
        message=outcome.message,
        location=spec.location,
        observed=json_safe(outcome.observed),
        expected=json_safe(outcome.expected),
        examples=json_safe(outcome.examples[:limit]) if final != "passed" else [],
        duration_s=round(duration, 6),
        details=json_safe(outcome.details),
    )


def _kind(spec: CheckSpec) -> CheckKind:
    family = FAMILIES.get(spec.family)
    if family.kinds_module:
        importlib.import_module(family.kinds_module)  # registers the family's kinds once
    return CHECKS.get(spec.kind)
