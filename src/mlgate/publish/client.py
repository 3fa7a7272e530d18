"""A small GitHub REST client: one `requests.Session`, timeouts, retries, pagination."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import requests

from mlgate.publish.retry import RetryPolicy, is_rate_limited, retryable, server_delay

_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')
API_VERSION = "2022-11-28"
SECONDARY_LIMIT_WAIT_S = 60.0


class GitHubError(Exception):
    """A call that failed for good (after retries); `status` is 0 for network failures."""

    def __init__(
        self, method: str, path: str, status: int, message: str, *, rate_limited: bool = False
    ) -> None:
        self.method, self.path, self.status, self.message = method, path, status, message
        self.rate_limited = rate_limited
        where = f"{method} {path}"
        super().__init__(f"{where}: HTTP {status}: {message}" if status else f"{where}: {message}")

    @property
    def forbidden(self) -> bool:
        """A 403 that is not a rate limit: the token may not do this (e.g. a fork's token)."""
        return self.status == 403 and not self.rate_limited


class GitHubClient:
    """Calls `api_url` for one repository with `token`; never logs the token."""

    def __init__(
        self,
        api_url: str,
        repository: str,
        token: str,
        *,
        policy: RetryPolicy | None = None,
        log: Callable[[str], None] = print,
        session: requests.Session | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.repository = repository
        self.policy = policy or RetryPolicy()
        self.log = log
        self.session = session or requests.Session()
        self.session.headers.update(
            {
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": "mlgate",
            }
        )
        self.calls = 0
        self.started = self.policy.clock()  # the time budget covers every call of this client

    def repo_path(self, suffix: str) -> str:
        return f"/repos/{self.repository}/{suffix.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> requests.Response:
        """One call with retries on 5xx, 429, rate limits and network errors.

        Waits honour `Retry-After` / `x-ratelimit-reset`, else back off exponentially; all the
        calls of this client together stay within `policy.max_total_s` (plus one timeout).
        """
        url = path if path.startswith("http") else self.api_url + path
        shown = path if not path.startswith("http") else _path_of(path)
        policy = self.policy
        start = self.started
        attempt = 0
        while True:
            attempt += 1
            self.calls += 1
            try:
                resp = self.session.request(
                    method, url, json=json, params=params, timeout=policy.timeout_s
                )
            except requests.RequestException as exc:
                status, text, headers, why = 0, "", {}, f"network error ({type(exc).__name__})"
            else:
                if resp.status_code < 400:
                    return resp
                status, text, headers = resp.status_code, resp.text, dict(resp.headers)
                headers = {k.lower(): v for k, v in headers.items()}
                why = f"HTTP {status} {_message(resp)}"
                if not retryable(status, headers, text):
                    raise GitHubError(method, shown, status, _message(resp))
            hinted = server_delay(headers, policy.now())
            delay = hinted if hinted is not None else policy.backoff(attempt)
            if hinted is None and status and is_rate_limited(status, headers, text):
                delay = max(delay, SECONDARY_LIMIT_WAIT_S)  # GitHub: wait at least a minute
            elapsed = policy.clock() - start
            if attempt >= policy.max_attempts or elapsed + delay > policy.max_total_s:
                limited = bool(status) and is_rate_limited(status, headers, text)
                what = "rate limited" if limited else why
                raise GitHubError(
                    method,
                    shown,
                    status,
                    f"{what}; gave up after {attempt} attempt(s), {elapsed:.1f} s into publishing "
                    f"(next wait {delay:.0f} s would pass the {policy.max_total_s:.0f} s budget)"
                    if attempt < policy.max_attempts
                    else f"{what}; gave up after {attempt} attempts",
                    rate_limited=limited,
                )
            self.log(f"mlgate: {method} {shown}: {why}; retrying in {delay:.1f} s")
            policy.sleep(delay)

    def paginate(self, path: str, params: dict[str, Any] | None = None) -> Iterator[Any]:
        """Every item of a list endpoint, following `Link: rel="next"` (100 per page)."""
        url: str | None = path
        query: dict[str, Any] | None = {**(params or {}), "per_page": 100}
        while url:
            resp = self.request("GET", url, params=query)
            page = answer(resp, list)
            yield from page
            match = _NEXT.search(resp.headers.get("Link", ""))
            url, query = (match.group(1), None) if match else (None, None)
            if url and not url.startswith(self.api_url + "/"):
                self.log(f"mlgate: not following a next-page link outside {self.api_url}")
                return


_JSON_KINDS = {
    dict: "an object",
    list: "a list",
    str: "text",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}


def answer(resp: requests.Response, shape: type[Any] = dict) -> Any:
    """The JSON body of a GitHub answer, which must be a `shape` (an object, or a list); any
    other answer is a `GitHubError` naming the call, never a crash further on."""
    method = resp.request.method or "GET" if resp.request is not None else "GET"
    path = _path_of(resp.url or "")
    try:
        data = resp.json()
    except ValueError:
        raise GitHubError(method, path, resp.status_code, "answered with no JSON") from None
    if not isinstance(data, shape):
        want = "an object" if shape is dict else "a list"
        got = _JSON_KINDS.get(type(data), type(data).__name__)
        raise GitHubError(
            method, path, resp.status_code, f"answered {got} where {want} was expected"
        )
    return data


def _message(resp: requests.Response) -> str:
    try:
        data = resp.json()
    except ValueError:
        return resp.reason or ""
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"])[:300]
    return resp.reason or ""


def _path_of(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path
