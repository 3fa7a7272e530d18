"""Replaying traffic through both sides and comparing their answers (computed once per entry)."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlgate.context import RunContext
from mlgate.errors import CheckError

TIMED_ROWS = 200
SIDE_TIME_LIMIT = 600.0


@dataclass
class SideResult:
    """One side's answers: per request a label and a score, or an error."""

    name: str
    labels: list[Any] = field(default_factory=list)
    scores: list[float | None] = field(default_factory=list)
    errors: list[str | None] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    noise: dict[str, Any] | None = None

    def ok(self, i: int) -> bool:
        return self.errors[i] is None

    def error_count(self) -> int:
        return sum(e is not None for e in self.errors)


@dataclass
class Comparison:
    """Both sides' answers on the same requests."""

    requests: list[dict[str, Any]]
    primary: SideResult
    candidate: SideResult

    @property
    def n(self) -> int:
        return len(self.requests)

    def agree(self) -> int:
        p, c = self.primary, self.candidate
        return sum(
            p.ok(i) and c.ok(i) and same_label(p.labels[i], c.labels[i]) for i in range(self.n)
        )

    def score_diffs(self) -> list[float]:
        p, c = self.primary, self.candidate
        out: list[float] = []
        for i in range(self.n):
            a, b = p.scores[i], c.scores[i]
            if p.ok(i) and c.ok(i) and a is not None and b is not None:
                out.append(abs(a - b))
        return out

    def worst(self, k: int) -> list[dict[str, Any]]:
        """The `k` requests where the sides differ most (an error or another label first)."""
        p, c = self.primary, self.candidate
        ranked: list[tuple[tuple[int, float], int]] = []
        for i in range(self.n):
            if not (p.ok(i) and c.ok(i)):
                key = (2, 0.0)
            else:
                diff = abs((p.scores[i] or 0.0) - (c.scores[i] or 0.0))
                key = (int(not same_label(p.labels[i], c.labels[i])), diff)
            if key != (0, 0.0):
                ranked.append((key, i))
        ranked.sort(key=lambda t: t[0], reverse=True)
        return [self.row(i) for _, i in ranked[:k]]

    def row(self, i: int) -> dict[str, Any]:
        def side(s: SideResult) -> dict[str, Any]:
            if not s.ok(i):
                return {"error": s.errors[i]}
            return {"label": s.labels[i], "score": s.scores[i]}

        p, c = side(self.primary), side(self.candidate)
        out: dict[str, Any] = {"request": i + 1, "primary": p, "candidate": c}
        if "score" in p and "score" in c and p["score"] is not None and c["score"] is not None:
            out["score_diff"] = round(abs(p["score"] - c["score"]), 6)
        out["body"] = self.requests[i]
        return out


def same_label(a: Any, b: Any) -> bool:
    return bool(_norm(a) == _norm(b))


def _norm(v: Any) -> Any:
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        try:
            return _norm(float(v))
        except ValueError:
            return v
    return v


def load_traffic(params: Mapping[str, Any], ctx: RunContext) -> list[dict[str, Any]]:
    """The recorded request bodies (JSONL `traffic`, or `dataset` rows), at most `rows`."""
    from mlgate.api.payloads import json_value

    limit = int(params.get("rows", 1000))
    exclude = set(params.get("exclude") or ())
    if "dataset" in params:
        from mlgate.api.payloads import rows_as_payloads

        df = ctx.dataset(str(params["dataset"]))
        return [p for _, p in rows_as_payloads(df, limit, None, exclude)]
    path = ctx.config.resolve(str(params["traffic"]))
    out: list[dict[str, Any]] = []
    try:
        with path.open(encoding="utf-8-sig") as f:
            for number, line in enumerate(f, 1):
                if len(out) >= limit:
                    break
                if not line.strip():
                    continue
                try:
                    body = json.loads(line.rstrip("\r\n"))
                except json.JSONDecodeError as exc:
                    raise CheckError(
                        f"{path.name}:{number}:{exc.colno}: not JSON ({exc.msg}); "
                        "each line must hold one complete JSON object: fix or remove that line"
                    ) from None
                if not isinstance(body, dict):
                    raise CheckError(f"{path.name}:{number}: expected a JSON object per line")
                out.append({k: json_value(v) for k, v in body.items() if k not in exclude})
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckError(f"cannot read traffic {params['traffic']!r}: {exc}") from None
    if not out:
        raise CheckError(f"traffic {params['traffic']!r} holds no requests")
    return out


def run_model(
    side: Mapping[str, Any], ctx: RunContext, requests: list[dict[str, Any]], twice: bool
) -> SideResult:
    """Batch predictions; per-request latency from single-row calls on the first rows."""
    from mlgate.model.scoring import make_scorer
    from mlgate.shadow.scoring import records_frame

    name = str(side["model"])
    model = ctx.model(name)
    df = records_frame(requests)
    scorer = make_scorer(name, model, dict(ctx.config.models[name].params), df.head(2))

    def both(x: Any) -> tuple[list[Any], list[float]]:
        return scorer.labels(x).tolist(), [float(v) for v in scorer.scores(x)]

    try:
        labels, scores = both(df)
    except CheckError:
        raise
    except Exception as exc:
        raise CheckError(
            f"model {name!r} cannot predict the traffic: {type(exc).__name__}: {exc}"
        ) from None
    result = SideResult(f"model {name}", labels, list(scores), [None] * len(labels))
    for i in range(min(TIMED_ROWS, len(df))):
        start = time.perf_counter()
        scorer.scores(df.iloc[i : i + 1])
        result.latencies_ms.append((time.perf_counter() - start) * 1000)
    if twice:
        labels2, scores2 = both(df)
        flips = sum(not same_label(a, b) for a, b in zip(labels, labels2, strict=True))
        drift = max((abs(a - b) for a, b in zip(scores, scores2, strict=True)), default=0.0)
        result.noise = {"label_flips": flips, "max_score_diff": drift, "n": len(labels)}
    return result


def _field(body: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(body, Mapping) or part not in body:
            raise KeyError(dotted)
        body = body[part]
    return body


def run_service(
    side: Mapping[str, Any], ctx: RunContext, requests: list[dict[str, Any]]
) -> SideResult:
    """Send every request; an answer without a 2xx status or the fields is an error."""
    from mlgate.api.http import HttpSender, Req, Sender

    sender: Sender
    if "api" in side:
        from mlgate.api.kinds import service_for_params

        service = service_for_params(side["service_params"], ctx)
        sender, label = service.sender(), f"api {side['api']}"
    else:
        sender, label = HttpSender(str(side["url"])), str(side["url"])
    path = str(side.get("path", "/predict"))
    method = str(side.get("method", "POST")).upper()
    headers = {str(k): str(v) for k, v in (side.get("headers") or {}).items()} or None
    timeout = float(side.get("timeout", 10))
    score_field = str(side.get("score_field", "score"))
    label_field = str(side.get("label_field", "label"))
    result = SideResult(f"{label}{path}")
    deadline = time.monotonic() + SIDE_TIME_LIMIT
    try:
        for body in requests:
            if time.monotonic() > deadline:
                result.labels.append(None)
                result.scores.append(None)
                result.errors.append(f"not sent: over {SIDE_TIME_LIMIT:g} s")
                continue
            answer = sender.send(Req(method, path, body, None, headers, None, timeout))
            result.latencies_ms.append(answer.elapsed_ms)
            label_value, score, error = None, None, None
            if answer.status is None or answer.error:
                error = answer.error or "no answer"
            elif not 200 <= answer.status < 300:
                error = f"status {answer.status}"
            else:
                ok, value = answer.parsed
                try:
                    label_value = _field(value, label_field) if ok else None
                    raw = _field(value, score_field) if ok else None
                    score = float(raw) if raw is not None else None
                    if not ok:
                        error = "the answer is not JSON"
                except (KeyError, TypeError, ValueError):
                    error = f"the answer lacks `{label_field}` or a numeric `{score_field}`"
            result.labels.append(label_value)
            result.scores.append(score)
            result.errors.append(error)
    finally:
        sender.close()
    return result


def compare(params: Mapping[str, Any], ctx: RunContext) -> Comparison:
    """Both sides on the same traffic; the primary model runs twice to measure its own noise."""
    requests = load_traffic(params, ctx)

    def run(side: Mapping[str, Any], twice: bool) -> SideResult:
        if "model" in side:
            return run_model(side, ctx, requests, twice)
        return run_service(side, ctx, requests)

    return Comparison(requests, run(params["primary"], True), run(params["candidate"], False))


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The 95% Wilson score interval of k successes in n trials."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half))


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (an observed value); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]
