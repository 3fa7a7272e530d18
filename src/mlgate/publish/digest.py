"""Since the last push: a compact digest of a run, kept in the sticky comment, and the diff.

The comment carries one hidden line `<!-- mlgate:digest <base64> -->`: zlib-compressed JSON
`{"v": 1, "commit", "checks": {id: status letter}, "metrics": {name: [value, base]}}`, at most
`MAX_DIGEST_CHARS` characters (past that, check ids are hashed, then only checks that did not
pass are kept, then only the metrics). The next run reads it back and opens its report with
what changed. A digest that cannot be read (edited by a person, another version) is ignored
with a log line.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from mlgate.report.charts import metrics_of
from mlgate.report.text import escape_md
from mlgate.results import Report

DIGEST_VERSION = 1
MAX_DIGEST_CHARS = 16_000
#: How many checks each line of "Since the last push" names.
MAX_NAMED = 10
_MAX_RAW = 1 << 20  # what a digest may inflate to (a hand-made one cannot exhaust memory)
_LINE = re.compile(r"^<!-- mlgate:digest ([A-Za-z0-9+/=]*) -->$", re.MULTILINE)
_LETTER = {"passed": "p", "failed": "f", "warning": "w", "error": "e", "skipped": "s"}
_STATUS = {v: k for k, v in _LETTER.items()}
_BAD = {"failed", "error"}


class DigestError(ValueError):
    """The digest in a comment cannot be read."""


@dataclass(frozen=True)
class Digest:
    commit: str
    checks: dict[str, str]  # check id (or its hash, when `hashed`) -> status
    metrics: dict[str, tuple[float, float | None]] = field(default_factory=dict)
    hashed: bool = False
    partial: bool = False  # only the checks that did not pass are listed
    unknown: bool = False  # too many to keep: no check is listed (metrics only)
    #: The run this one was compared with (a re-run on the same commit compares with it too).
    since: Digest | None = None


def baseline(previous: Digest, commit: str) -> Digest:
    """What a run on `commit` compares with: the last push's run. A re-run on the same commit
    keeps the comparison its predecessor made (so its comment says the same)."""
    if previous.since is not None and previous.commit and previous.commit == commit:
        return previous.since
    return replace(previous, since=None)


def _hash(check_id: str) -> str:
    return hashlib.sha256(check_id.encode("utf-8")).hexdigest()[:16]


def _number(value: Any) -> float | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    return float(value) if ok and math.isfinite(value) else None


def digest_of(report: Report, since: Digest | None = None, commit: str = "") -> Digest:
    """The digest of `report`, run on `commit` (the PR's head; default: the report's commit)."""
    return Digest(
        commit=commit or report.commit,
        checks={c.id: c.status for c in report.checks},
        metrics=metrics_of(report),
        since=since,
    )


def _pack(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.b64encode(zlib.compress(raw, 9)).decode("ascii")


def _payload(digest: Digest, level: int) -> dict[str, Any]:
    """0: ids as they are; 1: ids hashed; 2: hashed, only checks that did not pass; 3: none."""
    letters = {k: _LETTER[s] for k, s in digest.checks.items()}
    hashed = digest.hashed or level >= 1
    if level >= 1 and not digest.hashed:
        letters = {_hash(k): s for k, s in letters.items()}
    if level >= 2:
        letters = {k: s for k, s in letters.items() if s != "p"} if level == 2 else {}
    out: dict[str, Any] = {
        "v": DIGEST_VERSION,
        "commit": digest.commit[:40],
        "checks": letters,
        "metrics": {k: [v, b] for k, (v, b) in list(digest.metrics.items())[:50]},
    }
    if hashed:
        out["hashed"] = True
    if digest.partial or level >= 2:
        out["partial"] = True
    if digest.unknown or level >= 3:
        out["unknown"] = True
    return out


def encode(digest: Digest) -> str:
    """The hidden comment line holding `digest`, at most `MAX_DIGEST_CHARS` characters."""
    for level in range(4):
        payload = _payload(digest, level)
        if digest.since is not None:
            payload["since"] = _payload(digest.since, level)
        packed = _pack(payload)
        if len(packed) + 30 <= MAX_DIGEST_CHARS or level == 3:
            return f"<!-- mlgate:digest {packed} -->"
    raise AssertionError("unreachable")


def decode(body: str) -> Digest | None:
    """The digest in a comment's body; None when it has none; `DigestError` when unreadable."""
    match = _LINE.search(body)
    if match is None:
        if "mlgate:digest" in body:
            raise DigestError("the digest line is not as mlgate writes it")
        return None
    try:
        inflate = zlib.decompressobj()
        raw = inflate.decompress(base64.b64decode(match.group(1), validate=True), _MAX_RAW)
        if inflate.unconsumed_tail:
            raise DigestError("the digest is too large")
        data = json.loads(raw.decode("utf-8"))
    except (binascii.Error, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DigestError(f"cannot decode it ({type(exc).__name__})") from None
    digest = _parse(data)
    since = data.get("since")
    return replace(digest, since=_parse(since) if since is not None else None)


def _parse(data: Any) -> Digest:
    if not isinstance(data, dict) or data.get("v") != DIGEST_VERSION:
        version = data.get("v") if isinstance(data, dict) else None
        raise DigestError(f"version {version!r}, this mlgate reads version {DIGEST_VERSION}")
    checks, metrics = data.get("checks"), data.get("metrics", {})
    if not isinstance(checks, dict) or not isinstance(metrics, dict):
        raise DigestError("checks or metrics are not mappings")
    if not all(isinstance(k, str) and v in _STATUS for k, v in checks.items()):
        raise DigestError("a check's status is not one mlgate writes")
    parsed: dict[str, tuple[float, float | None]] = {}
    for name, pair in metrics.items():
        if not (isinstance(pair, list) and len(pair) == 2) or _number(pair[0]) is None:
            raise DigestError(f"metric {name!r} is not [value, base]")
        parsed[str(name)] = (float(pair[0]), _number(pair[1]))
    return Digest(
        commit=str(data.get("commit", ""))[:40],
        checks={k: _STATUS[v] for k, v in checks.items()},
        metrics=parsed,
        hashed=bool(data.get("hashed")),
        partial=bool(data.get("partial")),
        unknown=bool(data.get("unknown")),
    )


def _names(ids: list[str]) -> str:
    shown = ", ".join(escape_md(" / ".join(i.split("/"))) for i in ids[:MAX_NAMED])
    more = len(ids) - MAX_NAMED
    return shown + (f", … and {more} more" if more > 0 else "")


def _signed(x: float) -> str:
    if x == 0:
        return "±0"
    mag = abs(x)
    text = f"{mag:.3f}" if 0.0005 <= mag < 10 else f"{mag:.3g}"
    return ("+" if x > 0 else "−") + text


def _metrics_moved(previous: Digest, report: Report) -> bool:
    now = metrics_of(report)
    return any(k in now and now[k][0] != v for k, (v, _) in previous.metrics.items())


@dataclass(frozen=True)
class Changes:
    """Check ids (of this run; `removed`: as the digest holds them) by what happened to them."""

    newly_failing: list[str]
    fixed: list[str]
    added: list[str]
    removed: list[str]


def compare(previous: Digest, now: Mapping[str, str]) -> Changes:
    """What changed between the digest and this run's statuses (`now`: id -> status).

    Failing is `failed` or `error`. A partial digest (only the checks that did not pass) cannot
    tell a new check from one that passed: no new or removed checks then; an `unknown` one
    (too many checks to keep) tells nothing of the checks."""
    if previous.unknown:
        return Changes([], [], [], [])
    key = _hash if previous.hashed else (lambda i: i)
    before = {k: previous.checks.get(key(k)) for k in now}
    newly = [k for k, s in now.items() if s in _BAD and before[k] not in _BAD]
    fixed = [k for k, s in now.items() if s not in _BAD and before[k] in _BAD]
    if previous.partial:
        return Changes(newly, fixed, [], [])
    known = {key(k) for k in now}
    added = [k for k in now if before[k] is None]
    removed = [k for k in previous.checks if k not in known]
    return Changes(newly, fixed, added, removed)


def since_lines(previous: Digest, report: Report, commit: str = "") -> list[str]:
    """What changed since the run that wrote `previous`: Markdown lines (escaped). `commit`:
    the PR's head this run is on (default: the report's commit)."""
    head = commit or report.commit
    changes = compare(previous, {c.id: c.status for c in report.checks})
    newly, fixed = changes.newly_failing, changes.fixed
    added, removed = changes.added, changes.removed
    same = bool(previous.commit) and previous.commit == head
    since = "Since the previous run" if same else "Since the last push"
    short = previous.commit[:7]
    where = f" (`{short}`)" if re.fullmatch(r"[0-9a-f]{7,40}", previous.commit) else ""
    counts = []
    for n, what in (
        (len(newly), "newly failing"),
        (len(fixed), "fixed"),
        (len(added), "new"),
        (len(removed), "removed"),
    ):
        if n:
            counts.append(f"{n} {what}")
    if same and not counts and not _metrics_moved(previous, report):
        return []  # a re-run that changed nothing says nothing
    first = f"**{since}**{where}: " + (" · ".join(counts) or "no check changed its status")
    lines = [first]
    if newly:
        lines.append(f"- ❌ newly failing: {_names(newly)}")
    if fixed:
        lines.append(f"- ✅ fixed: {_names(fixed)}")
    if added:
        lines.append(f"- ➕ new checks: {_names(added)}")
    if removed:
        names = f"{len(removed)} checks" if previous.hashed else _names(removed)
        lines.append(f"- ➖ removed checks: {names}")
    moved = []
    for name, (value, base) in metrics_of(report).items():
        if name not in previous.metrics:
            continue
        parts = [f"{_signed(value - previous.metrics[name][0])} since the last push"]
        if base is not None:
            parts.append(f"{_signed(value - base)} against the base commit")
        moved.append(f"{escape_md(name)} {value:.4g} ({', '.join(parts)})")
    if moved:
        lines.append("- metrics: " + " · ".join(moved[:MAX_NAMED]))
    return lines
