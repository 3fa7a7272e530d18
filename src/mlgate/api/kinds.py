"""Api check kinds: requests, replay, robustness, latency (registered on import)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from typing import Any

from mlgate.api.expect import judge, schema_errors, what_came_back
from mlgate.api.http import Answer, HangWatch, Req, cut
from mlgate.api.latency import closed_loop, open_loop
from mlgate.api.robustness import (
    declared_statuses,
    generate,
    required_fields,
    response_schema,
    verdict,
)
from mlgate.api.service import Service, start_service
from mlgate.checks import CHECKS, CheckSpec, Outcome
from mlgate.context import RunContext
from mlgate.datasets import dataset_named
from mlgate.errors import CheckError
from mlgate.latency.measure import Noise
from mlgate.latency.stats import DEFAULT_CONFIDENCE, Status, decide, percentile, verdict_text, worst

REPLAY_TIME_LIMIT = 600.0


def service_for(spec: CheckSpec, ctx: RunContext) -> Service:
    """The entry's service, started once per run and stopped when the run ends."""
    return service_for_params(spec.params, ctx)


def service_for_params(params: Mapping[str, Any], ctx: RunContext) -> Service:
    """The service these params name (see `mlgate.api.plan.service_params`), started once."""

    def start() -> Service:
        service = start_service(params, ctx.config.root)
        ctx.on_close(service.stop)
        return service

    return ctx.memo(("api.service", params["service"]), start)


def _log_details(service: Service) -> dict[str, Any]:
    tail = service.log_tail()
    return {"service_log": tail} if tail else {}


ApiKind = Callable[[CheckSpec, RunContext, Service], Outcome]


def api_kind(name: str) -> Callable[[ApiKind], ApiKind]:
    """Register a kind that gets the entry's started service; its info goes into details."""

    def register(fn: ApiKind) -> ApiKind:
        def run(spec: CheckSpec, ctx: RunContext) -> Outcome:
            service = service_for(spec, ctx)
            outcome = fn(spec, ctx, service)
            outcome.details.setdefault("service", service.info())
            return outcome

        CHECKS.add(name, run)
        return fn

    return register


def _label(req: Req) -> str:
    return f"{req.method} {req.path}"


@api_kind("api.request")
def check_request(spec: CheckSpec, ctx: RunContext, service: Service) -> Outcome:
    given: Mapping[str, Any] = spec.params["request"]
    req = Req.of(given)
    expect: Mapping[str, Any] = given.get("expect") or {}
    sender = service.sender()
    try:
        answer = sender.send(req)
    finally:
        sender.close()
    problems = judge(answer, expect, default_status="2xx")
    wanted = expect.get("status", "2xx")
    example = {"request": req.describe(), "answer": answer.describe()}
    if not problems:
        return Outcome.passed(
            f"{_label(req)}: {answer.summary()}", observed=answer.status, expected=wanted
        )
    return Outcome.failed(
        f"{_label(req)}: {'; '.join(problems)}",
        observed=answer.status,
        expected=wanted,
        examples=[{**example, "problems": problems}],
        details=_log_details(service),
    )


@api_kind("api.replay")
def check_replay(spec: CheckSpec, ctx: RunContext, service: Service) -> Outcome:
    from mlgate.api.payloads import rows_as_payloads

    cfg: Mapping[str, Any] = spec.params["replay"]
    df = dataset_named(ctx, cfg["dataset"])
    payloads = rows_as_payloads(
        df, int(cfg.get("rows", 1000)), cfg.get("columns"), cfg.get("exclude") or ()
    )
    if not payloads:
        raise CheckError(f"dataset {cfg['dataset']!r} has no rows to replay")
    base = Req.of(
        {k: v for k, v in cfg.items() if k in ("method", "path", "params", "headers", "timeout")}
    )
    method = str(cfg.get("method", "POST")).upper()
    expect: Mapping[str, Any] = cfg.get("expect") or {}
    limit = float(cfg.get("max_fail_rate", 0))
    total = len(payloads)
    allowed = math.floor(limit * total + 1e-9)
    failures: list[dict[str, Any]] = []
    latencies: list[float] = []
    deadline = time.monotonic() + REPLAY_TIME_LIMIT
    watch = HangWatch()
    stop = ""
    sender = service.sender()
    sent = 0
    try:
        for index, payload in payloads:
            if time.monotonic() > deadline:
                stop = f"stopped after {REPLAY_TIME_LIMIT:g} s"
                break
            req = Req(method, base.path, payload, base.params, base.headers, None, base.timeout)
            answer = sender.send(req)
            sent += 1
            latencies.append(answer.elapsed_ms)
            problems = judge(answer, expect, default_status="2xx")
            if problems:
                failures.append(
                    {
                        "row": index,
                        "request": payload,
                        "answer": answer.describe(),
                        "problems": problems,
                    }
                )
            if watch.saw(answer):
                stop = watch.reason()
                break
            if len(failures) > allowed and sent < total:
                stop = f"{len(failures):,} failures already exceed the {allowed:,} allowed"
                break
    finally:
        sender.close()
    k = len(failures)
    rate = k / sent if sent else 1.0
    latencies.sort()
    details: dict[str, Any] = {
        "sent": sent,
        "not_sent": total - sent,
        "failed": k,
        "p50_ms": round(latencies[len(latencies) // 2], 2) if latencies else None,
        **(_log_details(service) if k else {}),
    }
    tail = f"; {stop}: {total - sent:,} of {total:,} rows not sent" if sent < total else ""
    first = f"; first: row {failures[0]['row']}: {'; '.join(failures[0]['problems'])}" if k else ""
    return Outcome.judge(
        rate <= limit and sent == total,
        f"{k} of {sent} replayed rows of {cfg['dataset']!r} failed ({rate:.1%}, expected "
        f"<= {limit:.1%}){tail}{first}",
        observed=round(rate, 6),
        expected=f"<= {limit}",
        examples=failures,
        details=details,
    )


def _fetch_openapi(service: Service, where: Any) -> Mapping[str, Any] | None:
    if where is False:
        return None
    path = "/openapi.json" if where in (None, True) else str(where)
    sender = service.sender()
    try:
        answer = sender.send(Req("GET", path, timeout=5.0))
    finally:
        sender.close()
    ok, doc = answer.parsed
    if answer.status == 200 and ok and isinstance(doc, dict) and "paths" in doc:
        return doc
    return None


@api_kind("api.robustness")
def check_robustness(spec: CheckSpec, ctx: RunContext, service: Service) -> Outcome:
    cfg: Mapping[str, Any] = spec.params["robustness"]
    strict = bool(cfg.get("strict", False))
    cases = generate(cfg)
    openapi = _fetch_openapi(service, cfg.get("openapi"))
    method, path = str(cfg.get("method", "POST")).upper(), str(cfg["path"])
    optional = set(cfg.get("optional") or ())
    required = required_fields(openapi, method, path) if openapi is not None else None
    if required is not None:
        optional |= {f for f in cfg["example"] if f not in required}
    rows: list[dict[str, Any]] = []
    failing: list[dict[str, Any]] = []
    watch = HangWatch()
    for case in cases:
        if watch.hung:
            break
        sender = service.sender()  # a fresh connection: a drop is never blamed on the next case
        try:
            answer = sender.send(case.req)
        finally:
            sender.close()
        watch.saw(answer)
        problem = verdict(case, answer, strict, frozenset(optional))
        if problem is None and openapi is not None and answer.status is not None:
            problem = _openapi_problem(openapi, method, path, answer)
        row = {"case": case.name, "kind": case.kind, **answer.describe()}
        row.pop("json", None)
        if "body" in row:
            row["body"] = cut(row["body"], 200)
        if problem:
            row["problem"] = problem
            failing.append({**row, "request": case.req.describe()})
        rows.append(row)
    n, k = len(rows), len(failing)
    statuses: dict[str, int] = {}
    for row in rows:
        key = str(row["status"]) if row["status"] is not None else "no answer"
        statuses[key] = statuses.get(key, 0) + 1
    spread = ", ".join(f"{s}: {c}" for s, c in sorted(statuses.items()))
    first = f"; first: {failing[0]['case']}: {failing[0]['problem']}" if k else ""
    if n < len(cases):
        first += f"; {watch.reason()}: {len(cases) - n} of {len(cases)} cases not sent"
    details: dict[str, Any] = {
        "cases": rows,
        "openapi": "checked" if openapi is not None else "not found",
        "not_sent": len(cases) - n,
        "optional_fields": sorted(optional),
        **(_log_details(service) if k else {}),
    }
    return Outcome.judge(
        k == 0 and n == len(cases),
        f"{n - k} of {n} bad requests answered properly ({spread}){first}",
        observed=f"{k} of {n} failed",
        expected="4xx in time, never 5xx, a hang or a dropped connection",
        examples=failing,
        details=details,
    )


def _openapi_problem(doc: Mapping[str, Any], method: str, path: str, answer: Answer) -> str | None:
    assert answer.status is not None
    declared = declared_statuses(doc, method, path)
    if declared is None:
        return None
    schema = response_schema(doc, method, path, answer.status)
    if schema is None:
        return None
    ok, body = answer.parsed
    if not ok:
        return (
            f"the {answer.status} answer is not JSON ({what_came_back(answer)}), but the "
            "OpenAPI document declares JSON"
        )
    errors = schema_errors(schema, body, limit=3)
    if errors:
        return f"the {answer.status} answer does not match its OpenAPI schema: {'; '.join(errors)}"
    return None


PERCENTILES = (("p50_ms", "p50", 0.5), ("p95_ms", "p95", 0.95), ("p99_ms", "p99", 0.99))


@api_kind("api.latency")
def check_latency(spec: CheckSpec, ctx: RunContext, service: Service) -> Outcome:
    cfg: Mapping[str, Any] = spec.params["latency"]
    req = Req.of(cfg)
    n, warmup = int(cfg.get("requests", 200)), int(cfg.get("warmup", 10))
    concurrency = int(cfg.get("concurrency", 1))
    limit = float(cfg.get("duration_limit", 300))
    want_status = int(cfg.get("status", 200))
    max_err = float(cfg.get("max_error_rate", 0))
    mode = str(cfg.get("decide", "evidence"))
    confidence = float(cfg.get("confidence", DEFAULT_CONFIDENCE))

    def is_error(answer: Answer) -> bool:
        return answer.status != want_status or bool(answer.error)

    max_errors = math.floor(max_err * n + 1e-9)
    noise = Noise.start()
    if "rate" in cfg:
        result = open_loop(
            service.sender,
            req,
            requests=n,
            warmup=warmup,
            rate=float(cfg["rate"]),
            concurrency=concurrency,
            time_limit=limit,
            is_error=is_error,
            max_errors=max_errors,
        )
    else:
        result = closed_loop(
            service.sender,
            req,
            requests=n,
            warmup=warmup,
            concurrency=concurrency,
            time_limit=limit,
            is_error=is_error,
            max_errors=max_errors,
        )
    noise.finish()
    errors = [s for s in result.samples if is_error(s.answer)]
    stats = result.stats()
    sent = stats["requests"]
    error_rate = len(errors) / sent if sent else 1.0
    stats["errors"] = len(errors)
    stats["error_rate"] = round(error_rate, 6)
    stats["concurrency"] = concurrency
    stats["confidence"] = confidence
    stats["decide"] = mode
    stats["machine_noise"] = noise.as_dict()
    problems: list[str] = []
    notes: list[str] = []
    expected: list[str] = []
    statuses: list[Status] = []
    figures: list[str] = []
    timings = result.latencies()
    for key, label, q in PERCENTILES:
        est = percentile(timings, q, confidence) if timings else None
        stats[f"{key}_ci"] = [_round(est.low), _round(est.high)] if est else None
        figures.append(
            f"{label} {_ms(est.point)} ({est.interval_text(' ms')})" if est else f"{label} n/a"
        )
        if key not in cfg:
            continue
        budget = float(cfg[key])
        expected.append(f"{label} <= {budget:g} ms")
        if est is None:
            problems.append(f"{label} not measured")
            continue
        status = decide(est, budget, mode)
        statuses.append(status)
        if status != "passed":
            why = verdict_text(est, budget, mode, status, unit=" ms", per="requests")
            (notes if status == "warning" else problems).append(f"{label} {_ms(est.point)}: {why}")
    if "max_ms" in cfg:
        expected.append(f"max <= {cfg['max_ms']:g} ms")
        if stats["max_ms"] is None or stats["max_ms"] > cfg["max_ms"]:
            problems.append(f"max {stats['max_ms']} ms > {cfg['max_ms']:g} ms")
    if "min_throughput" in cfg:
        expected.append(f"throughput >= {cfg['min_throughput']:g}/s")
        if (stats["throughput_rps"] or 0) < cfg["min_throughput"]:
            problems.append(f"throughput {stats['throughput_rps']}/s < {cfg['min_throughput']:g}/s")
    expected.append(f"error rate <= {max_err:g}")
    if error_rate > max_err:
        problems.append(f"error rate {error_rate:.1%} > {max_err:.1%}")
    if result.stop_reason:
        problems.append(f"stopped after {sent:,} of {n:,} requests: {result.stop_reason}")
    elif result.stopped_early:
        problems.append(f"only {sent} of {n} requests done within {limit:g} s")
    summary = (
        f"{_label(req)} x{sent} ({result.mode}, concurrency {concurrency}): "
        f"{', '.join(figures)}, max {_ms(stats['max_ms'])}, {stats['throughput_rps']} req/s, "
        f"{len(errors)} errors"
    )
    tail = (f" — {'; '.join(problems)}" if problems else "") + "".join(f"; {x}" for x in notes)
    examples = [{"request": req.describe(), "answer": s.answer.describe()} for s in errors[:50]]
    final = worst([*statuses, "failed" if problems else "passed"])
    return Outcome(
        final,
        f"{summary}{tail}; {noise.text()}",
        observed=stats,
        expected=", ".join(expected) + f" (decide: {mode})",
        examples=examples,
        details={"latency": stats, **(_log_details(service) if problems else {})},
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} ms"
