"""Replaying traffic through both sides and comparing their answers (computed once per entry)."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from mlgate.context import RunContext
from mlgate.datasets import dataset_named
from mlgate.errors import CheckError
from mlgate.latency.measure import Noise, Pairs, interleaved, pairs
from mlgate.latency.stats import DEFAULT_CONFIDENCE, Estimate, paired_ratio
from mlgate.model.loading import model_named

TIMED_ROWS = 200
SIDE_TIME_LIMIT = 600.0


@dataclass
class SideResult:
    """One side's answers: per request a label and a score, or an error; `latencies_ms[i]` is
    request i's time when it was timed and answered properly, else None."""

    name: str
    labels: list[Any] = field(default_factory=list)
    scores: list[float | None] = field(default_factory=list)
    errors: list[str | None] = field(default_factory=list)
    latencies_ms: list[float | None] = field(default_factory=list)
    noise: dict[str, Any] | None = None
    #: Why the side stopped before the last request ("" when it did not), and how many were left.
    stopped: str = ""
    not_sent: int = 0

    def ok(self, i: int) -> bool:
        return self.errors[i] is None

    def error_count(self) -> int:
        return sum(e is not None for e in self.errors)

    def timed(self) -> list[float]:
        return [ms for ms in self.latencies_ms if ms is not None]


@dataclass
class Comparison:
    """Both sides' answers on the same requests, timed interleaved (see `mlgate.latency`)."""

    requests: list[dict[str, Any]]
    primary: SideResult
    candidate: SideResult
    noise: Noise | None = None
    confidence: float = DEFAULT_CONFIDENCE

    @property
    def n(self) -> int:
        return len(self.requests)

    def latency_pairs(self) -> Pairs:
        """Primary and candidate ms on the requests both answered properly, timed back to back."""
        return pairs(self.primary.latencies_ms, self.candidate.latencies_ms)

    @cached_property
    def latency_ratio(self) -> Estimate | None:
        """Candidate / primary from the interleaved pairs, with its paired interval."""
        p = self.latency_pairs()
        return paired_ratio(p.a, p.b, self.confidence, a_first=p.a_first) if p.a else None

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

        df = dataset_named(ctx, str(params["dataset"]))
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


class _ModelSide:
    """A model: labels and scores from batch predictions; `step(i)` times a single-row call
    on request i (the first `TIMED_ROWS`)."""

    def __init__(
        self, side: Mapping[str, Any], ctx: RunContext, requests: list[dict[str, Any]], twice: bool
    ) -> None:
        from mlgate.model.scoring import make_scorer
        from mlgate.shadow.scoring import records_frame

        name = str(side["model"])
        model = model_named(ctx, name)
        self.frame = records_frame(requests)
        self.scorer = make_scorer(
            name, model, dict(ctx.config.models[name].params), self.frame.head(2)
        )
        try:
            labels, scores = self._both()
        except CheckError:
            raise
        except Exception as exc:
            raise CheckError(
                f"model {name!r} cannot predict the traffic: {type(exc).__name__}: {exc}"
            ) from None
        n = len(labels)
        self.result = SideResult(f"model {name}", labels, list(scores), [None] * n, [None] * n)
        if twice:
            labels2, scores2 = self._both()
            flips = sum(not same_label(a, b) for a, b in zip(labels, labels2, strict=True))
            drift = max((abs(a - b) for a, b in zip(scores, scores2, strict=True)), default=0.0)
            self.result.noise = {"label_flips": flips, "max_score_diff": drift, "n": n}

    def _both(self) -> tuple[list[Any], list[float]]:
        return self.scorer.labels(self.frame).tolist(), [
            float(v) for v in self.scorer.scores(self.frame)
        ]

    def step(self, i: int) -> float | None:
        if i >= TIMED_ROWS:
            return None
        row = self.frame.iloc[i : i + 1]
        start = time.perf_counter()
        self.scorer.scores(row)
        ms = (time.perf_counter() - start) * 1000
        self.result.latencies_ms[i] = ms
        return ms

    def close(self) -> None:
        pass


def _field(body: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(body, Mapping) or part not in body:
            raise KeyError(dotted)
        body = body[part]
    return body


class _ServiceSide:
    """A service: `step(i)` sends request i; an answer without a 2xx status or the fields is an
    error. Once the service is hung (or past `SIDE_TIME_LIMIT`) the rest is not sent."""

    def __init__(
        self,
        side: Mapping[str, Any],
        ctx: RunContext,
        requests: list[dict[str, Any]],
        needs: Sequence[str] = ("label", "score"),
    ) -> None:
        from mlgate.api.http import HangWatch, HttpSender, Sender

        if "api" in side:
            from mlgate.api.kinds import service_for_params

            service = service_for_params(side["service_params"], ctx)
            self.sender: Sender = service.sender()
            label = f"api {side['api']}"
        else:
            self.sender, label = HttpSender(str(side["url"])), str(side["url"])
        self.requests = requests
        self.path = str(side.get("path", "/predict"))
        self.method = str(side.get("method", "POST")).upper()
        self.headers = {str(k): str(v) for k, v in (side.get("headers") or {}).items()} or None
        self.timeout = float(side.get("timeout", 10))
        self.score_field = str(side.get("score_field", "score"))
        self.label_field = str(side.get("label_field", "label"))
        self.needs = set(needs)
        n = len(requests)
        self.result = SideResult(f"{label}{self.path}", [None] * n, [None] * n, [None] * n)
        self.result.latencies_ms = [None] * n
        self.watch = HangWatch()
        self.deadline = time.monotonic() + SIDE_TIME_LIMIT

    def step(self, i: int) -> float | None:
        from mlgate.api.http import Req

        r = self.result
        if not r.stopped and time.monotonic() > self.deadline:
            r.stopped = f"over {SIDE_TIME_LIMIT:g} s"
        if r.stopped:
            r.errors[i] = f"not sent: {r.stopped}"
            r.not_sent += 1
            return None
        body = self.requests[i]
        answer = self.sender.send(
            Req(self.method, self.path, body, None, self.headers, None, self.timeout)
        )
        if self.watch.saw(answer):
            r.stopped = self.watch.reason()
        error = None
        if answer.status is None or answer.error:
            error = answer.error or "no answer"
        elif not 200 <= answer.status < 300:
            error = f"status {answer.status}"
        else:
            ok, value = answer.parsed
            error = "the answer is not JSON" if not ok else self._read(i, value)
        r.errors[i] = error
        if error is not None:
            return None
        r.latencies_ms[i] = answer.elapsed_ms
        return answer.elapsed_ms

    def _read(self, i: int, value: Any) -> str | None:
        """Request i's label and score from its answer; a field the entry's thresholds need
        that is absent (or a score that is not a number) makes the answer an error."""
        r = self.result
        for need, dotted in (("label", self.label_field), ("score", self.score_field)):
            try:
                got = _field(value, dotted)
                if need == "score" and got is not None:
                    got = float(got)
            except (KeyError, TypeError, ValueError):
                if need in self.needs:
                    what = "a numeric" if need == "score" else "a"
                    return f"the answer lacks {what} `{dotted}`"
                got = None
            if need == "label":
                r.labels[i] = got
            else:
                r.scores[i] = got
        return None

    def close(self) -> None:
        self.sender.close()


def compare(params: Mapping[str, Any], ctx: RunContext) -> Comparison:
    """Both sides on the same traffic, request by request interleaved (A B, B A, ...) so both
    see the same load; the primary model runs twice to measure its own noise."""
    requests = load_traffic(params, ctx)

    def side(given: Mapping[str, Any], twice: bool) -> _ModelSide | _ServiceSide:
        if "model" in given:
            return _ModelSide(given, ctx, requests, twice)
        return _ServiceSide(given, ctx, requests, params.get("needs", ("label", "score")))

    primary = side(params["primary"], True)
    candidate = side(params["candidate"], False)
    noise = Noise.start()
    try:
        interleaved(primary.step, candidate.step, len(requests))
    finally:
        primary.close()
        candidate.close()
    confidence = float(params.get("confidence", DEFAULT_CONFIDENCE))
    return Comparison(requests, primary.result, candidate.result, noise.finish(), confidence)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (an observed value); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]
