"""Run one check spec to a `CheckResult`; nothing a check raises escapes, and none runs forever.

The boundary catches everything but an interrupt: `SystemExit` from a model's `predict`, a
factory or an app module, `pytest.exit`, a `CheckTimeout` of the check's budget. Each becomes
an `error` result naming what happened; the run goes on with the next check.
"""

from __future__ import annotations

import importlib
import time
import traceback

from mlgate.checks import CHECKS, FAMILIES, CheckKind, CheckSpec, Outcome
from mlgate.context import RunContext, SkipCheck
from mlgate.errors import MlgateError
from mlgate.results import CheckResult, json_safe
from mlgate.runner.budget import Budget, CheckTimeout, check_budget, deadline
from mlgate.runner.guard import raised_by_code


def budget_of(spec: CheckSpec, ctx: RunContext) -> Budget:
    """The check's own budget, cut short by what is left of the whole run's."""
    return check_budget(spec.timeout, ctx.gate_deadline, ctx.gate_timeout)


def execute(spec: CheckSpec, ctx: RunContext) -> CheckResult:
    """Compute `spec` within its budget; user errors become `error` with their message, crashes
    with their type, a spent budget with the budget's name."""
    start = time.perf_counter()
    budget = budget_of(spec, ctx)
    try:
        with deadline(budget):
            kind = _kind(spec)
            outcome = kind(spec, ctx)
    except SkipCheck as exc:
        outcome = Outcome.skipped(str(exc))
    except CheckTimeout as exc:
        outcome = Outcome.error(str(exc), details={"budget_s": exc.budget.seconds})
    except MlgateError as exc:
        outcome = Outcome.error(str(exc))
    except KeyboardInterrupt as exc:
        if not raised_by_code():
            raise  # the run is being stopped (Ctrl-C, SIGTERM): the runner reports it
        outcome = Outcome.error(
            "the code this check runs raised KeyboardInterrupt (no one pressed Ctrl-C or "
            "stopped the run); a check cannot end the run, so it is an error",
            details={"traceback": _trace(exc)},
        )
    except SystemExit as exc:
        outcome = Outcome.error(
            f"the code this check runs called sys.exit({exc.code!r}) (in a model's predict, a "
            "factory or an app module?); a check cannot end the run, so it is an error",
            details={"traceback": _trace(exc)},
        )
    except BaseException as exc:
        outcome = Outcome.error(
            f"the check crashed: {type(exc).__name__}: {exc}", details={"traceback": _trace(exc)}
        )
    return to_result(spec, outcome, time.perf_counter() - start, ctx)


def _trace(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)[-6:])


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
