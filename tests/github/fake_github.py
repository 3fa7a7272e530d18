"""A fake GitHub REST API on loopback, faithful to GitHub's published OpenAPI description.

Every request is validated with openapi-core against
`tests/contracts/github-rest-subset.openapi.json` (vendored, see its README); one
that the description rejects gets a 422 and is recorded in `rejected`. Answers are built from
the description's own examples and are validated as responses too (`response_errors`).
GitHub rules that the description states only in prose are enforced as well: comment bodies
up to 65,536 characters, no NUL, commit status descriptions up to 140 characters.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = REPO_ROOT / "tests" / "contracts"
SPEC_PATH = CONTRACTS / "github-rest-subset.openapi.json"
SPEC_SERVER = "https://api.github.com"
TOKEN = "ghs_fake_token_0123456789"
BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}


@lru_cache(maxsize=1)
def spec() -> dict[str, Any]:
    """The description, minus its unusable discriminators (`_drop_bad_discriminators`)."""
    data: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    _drop_bad_discriminators(data)
    return data


def _drop_bad_discriminators(node: Any) -> None:
    """Drop `discriminator`s that have no `mapping` over inline `oneOf` members.

    GitHub's description of `POST /check-runs` says `discriminator: {propertyName: status}` over
    two inline schemas; OpenAPI 3.0 then reads a status value as a schema name
    (`#/components/schemas/completed`), which does not exist, so openapi-core rejects every
    request. A discriminator is only a hint: the `oneOf` still validates the body, strictly.
    """
    if isinstance(node, dict):
        disc = node.get("discriminator")
        members = node.get("oneOf") or node.get("anyOf") or []
        if (
            isinstance(disc, dict)
            and "mapping" not in disc
            and members
            and not any("$ref" in m for m in members)
        ):
            del node["discriminator"]
        for value in node.values():
            _drop_bad_discriminators(value)
    elif isinstance(node, list):
        for value in node:
            _drop_bad_discriminators(value)


@lru_cache(maxsize=1)
def openapi() -> OpenAPI:
    return OpenAPI.from_dict(spec())


def example(name: str) -> dict[str, Any]:
    """A copy of one of the description's examples, made valid where the upstream one is not."""
    value: dict[str, Any] = copy.deepcopy(spec()["components"]["examples"][name]["value"])
    if name == "pull-request":  # upstream's example team lacks the required `type`
        for team in value.get("requested_teams") or []:
            team.setdefault("type", "organization")
    return value


@dataclass
class _Req:
    """openapi-core's Request protocol; `host_url` is the description's server."""

    method: str
    path: str
    body: bytes | None
    content_type: str
    parameters: RequestParameters
    host_url: str = SPEC_SERVER


@dataclass
class _Resp:
    status_code: int
    data: bytes | None
    headers: Headers
    content_type: str = "application/json"


@dataclass
class Fault:
    """Answer `status` (with `headers`, `message`) to the next `times` matching requests."""

    method: str
    path: str  # a regex searched in the request path
    status: int
    message: str = "fault"
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int


class FakeGitHub:
    """In-memory comments, check runs and statuses behind a real HTTP server."""

    def __init__(self, owner: str = "Codertocat", repo: str = "Hello-World") -> None:
        self.repository = f"{owner}/{repo}"
        self.comments: dict[int, dict[str, Any]] = {}
        self.check_runs: dict[int, dict[str, Any]] = {}
        self.annotations: dict[int, list[dict[str, Any]]] = {}
        self.statuses: list[dict[str, Any]] = []
        self.pulls: dict[int, dict[str, Any]] = {}
        self.faults: list[Fault] = []
        self.calls: list[Call] = []
        self.rejected: list[str] = []
        self.response_errors: list[str] = []
        self.read_only = False  # a fork's token: every write is a 403
        self.checks_forbidden = False  # a token without `checks: write`
        self.user = dict(BOT)
        self._next_id = 1000
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeGitHub:
        openapi()
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- state helpers for tests --------------------------------------------------------------
    def new_id(self) -> int:
        with self._lock:
            self._next_id += 1
            return self._next_id

    def add_comment(self, issue: int, body: str, user: dict[str, Any] | None = None) -> int:
        cid = self.new_id()
        c = example("issue-comment")
        base = f"{self.url}/repos/{self.repository}"
        c.update(
            id=cid,
            body=body,
            user={**c["user"], **(user or self.user)},
            url=f"{base}/issues/comments/{cid}",
            issue_url=f"{base}/issues/{issue}",
            html_url=f"https://github.com/{self.repository}/pull/{issue}#issuecomment-{cid}",
        )
        c["_issue"] = issue
        self.comments[cid] = c
        return cid

    def comments_on(self, issue: int) -> list[dict[str, Any]]:
        return [c for c in self.comments.values() if c["_issue"] == issue]

    def writes(self) -> list[Call]:
        return [c for c in self.calls if c.method != "GET"]

    # -- HTTP -------------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else None
                status, payload, headers = fake.handle(self.command, self.path, raw, self.headers)
                data = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                if payload is not None:
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = _serve  # noqa: N815

        return Handler

    def handle(
        self, method: str, target: str, raw: bytes | None, headers: Any
    ) -> tuple[int, Any, dict[str, str]]:
        split = urlsplit(target)
        path, query = split.path, dict(parse_qsl(split.query))
        body = None
        status, payload, out_headers = self._dispatch(method, path, query, raw, headers)
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
        self.calls.append(Call(method, path, query, body, status))
        return status, payload, out_headers

    def _validate(
        self, method: str, path: str, query: dict[str, str], raw: bytes | None, headers: Any
    ) -> tuple[_Req, str | None]:
        req = _Req(
            method=method.lower(),
            path=path,
            body=raw,
            content_type=(headers.get("Content-Type") or "application/json").lower(),
            parameters=RequestParameters(
                query=ImmutableMultiDict(list(query.items())),
                header=Headers(list(headers.items())),
                cookie=ImmutableMultiDict(),
            ),
        )
        try:
            openapi().validate_request(req)
        except Exception as exc:  # openapi-core raises several error types
            detail = "; ".join(str(e) for e in getattr(exc, "schema_errors", []) or [])
            return req, f"{type(exc).__name__}: {exc} {detail}".strip()
        return req, None

    def _check_response(
        self, req: _Req, status: int, payload: Any, headers: dict[str, str]
    ) -> None:
        if status >= 300 or status == 204:
            return
        resp = _Resp(status, json.dumps(payload).encode(), Headers(list(headers.items())))
        try:
            openapi().validate_response(req, resp)
        except Exception as exc:
            self.response_errors.append(f"{req.method} {req.path}: {type(exc).__name__}: {exc}")

    def _dispatch(
        self, method: str, path: str, query: dict[str, str], raw: bytes | None, headers: Any
    ) -> tuple[int, Any, dict[str, str]]:
        if headers.get("Authorization") != f"Bearer {TOKEN}":
            return 401, _error("Bad credentials"), {}
        req, problem = self._validate(method, path, query, raw, headers)
        if problem:
            self.rejected.append(f"{method} {path}: {problem}")
            return 422, _error(f"Invalid request: {problem}"), {}
        for fault in self.faults:
            if fault.times > 0 and fault.method == method and re.search(fault.path, path):
                fault.times -= 1
                return fault.status, _error(fault.message), dict(fault.headers)
        body = json.loads(raw) if raw else None
        status, payload, out = self._route(method, path, query, body)
        self._check_response(req, status, payload, out)
        return status, payload, out

    def _route(
        self, method: str, path: str, query: dict[str, str], body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        prefix = f"/repos/{self.repository}/"
        if not path.startswith(prefix):
            return 404, _error("Not Found"), {}
        rest = path[len(prefix) :]
        write = method != "GET"
        if write and self.read_only:
            return 403, _error("Resource not accessible by integration"), {}
        if m := re.fullmatch(r"issues/(\d+)/comments", rest):
            issue = int(m.group(1))
            if method == "GET":
                return self._list_comments(path, issue, query)
            problem = _comment_problem(body["body"])
            if problem:
                return 422, _validation(problem), {}
            cid = self.add_comment(issue, body["body"])
            return 201, _public(self.comments[cid]), {}
        if m := re.fullmatch(r"issues/comments/(\d+)", rest):
            cid = int(m.group(1))
            if cid not in self.comments:
                return 404, _error("Not Found"), {}
            if method == "DELETE":
                del self.comments[cid]
                return 204, None, {}
            problem = _comment_problem(body["body"])
            if problem:
                return 422, _validation(problem), {}
            self.comments[cid].update(body=body["body"], updated_at="2026-01-01T00:00:00Z")
            return 200, _public(self.comments[cid]), {}
        if rest == "check-runs" or rest.startswith("check-runs/"):
            if self.checks_forbidden:
                return 403, _error("Resource not accessible by integration"), {}
            return self._check_run(method, rest, body)
        if m := re.fullmatch(r"statuses/([0-9a-f]{40})", rest):
            if len(body.get("description") or "") > 140:
                return 422, _validation("description is too long (maximum is 140 characters)"), {}
            s = example("status")
            s.update(
                id=self.new_id(),
                state=body["state"],
                context=body.get("context", "default"),
                description=body.get("description"),
                target_url=body.get("target_url"),
            )
            s["_sha"] = m.group(1)
            self.statuses.append(s)
            return 201, _public(s), {}
        if m := re.fullmatch(r"pulls/(\d+)", rest):
            pull = self.pulls.get(int(m.group(1)))
            return (200, pull, {}) if pull else (404, _error("Not Found"), {})
        return 404, _error("Not Found"), {}

    def _list_comments(
        self, path: str, issue: int, query: dict[str, str]
    ) -> tuple[int, Any, dict[str, str]]:
        per_page = min(100, int(query.get("per_page", 30)))
        page = int(query.get("page", 1))
        items = sorted(self.comments_on(issue), key=lambda c: c["id"])
        chunk = items[(page - 1) * per_page : page * per_page]
        last = max(1, -(-len(items) // per_page))
        links = []
        if page < last:
            links.append(f'<{self.url}{path}?per_page={per_page}&page={page + 1}>; rel="next"')
            links.append(f'<{self.url}{path}?per_page={per_page}&page={last}>; rel="last"')
        return 200, [_public(c) for c in chunk], ({"Link": ", ".join(links)} if links else {})

    def _check_run(
        self, method: str, rest: str, body: dict[str, Any]
    ) -> tuple[int, Any, dict[str, str]]:
        output = body.get("output") or {}
        if method == "POST":
            rid = self.new_id()
            run = example("check-run")
            run.update(
                id=rid,
                name=body["name"],
                head_sha=body["head_sha"],
                status=body.get("status", "queued"),
                conclusion=body.get("conclusion"),
                completed_at=body.get("completed_at"),
                details_url=body.get("details_url"),
            )
            self.check_runs[rid] = run
            self.annotations[rid] = []
        else:
            rid = int(rest.split("/")[1])
            if rid not in self.check_runs:
                return 404, _error("Not Found"), {}
            run = self.check_runs[rid]
        if output:
            self.annotations[rid].extend(output.get("annotations") or [])
            run["output"].update(
                title=output.get("title"),
                summary=output.get("summary"),
                text=output.get("text"),
                annotations_count=len(self.annotations[rid]),
            )
        return (201 if method == "POST" else 200), run, {}


def _comment_problem(text: str) -> str | None:
    if len(text) > 65536:
        return f"body is too long (maximum is 65536 characters, got {len(text)})"
    if "\x00" in text:
        return "body contains a NUL character"
    return None


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not k.startswith("_")}


def _error(message: str) -> dict[str, Any]:
    return {"message": message, "documentation_url": "https://docs.github.com/rest"}


def _validation(message: str) -> dict[str, Any]:
    return {
        "message": "Validation Failed",
        "errors": [message],
        "documentation_url": "https://docs.github.com/rest",
    }
