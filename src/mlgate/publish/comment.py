"""The sticky pull-request comment: one per PR and config, found by marker and author."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mlgate.publish.client import GitHubClient, GitHubError, answer
from mlgate.publish.limits import COMMENT_MAX_CHARS, fit
from mlgate.report.text import clean_api_text

#: The login of `GITHUB_TOKEN`; another token's login can be set in MLGATE_COMMENT_AUTHOR.
ACTIONS_BOT = "github-actions[bot]"


def marker(config_file: str) -> str:
    """The hidden first line that identifies our comment (one per configuration file)."""
    safe = re.sub(r"[^A-Za-z0-9._/ -]", "_", config_file).replace("--", "__").strip() or "_"
    return f"<!-- mlgate:v1 config={safe} -->"


def comment_body(config_file: str, markdown: str, note: str, digest: str = "") -> str:
    """Marker, the digest line (if any), blank line, report: fitted into GitHub's
    65,536-character limit."""
    head = marker(config_file) + "\n" + (digest + "\n" if digest else "") + "\n"
    return head + fit(clean_api_text(markdown), COMMENT_MAX_CHARS - len(head), note)


@dataclass(frozen=True)
class CommentResult:
    action: str  # created | updated | unchanged | skipped
    comment_id: int | None = None
    deleted: int = 0


def _ours(comment: dict[str, Any], mark: str, authors: set[str]) -> bool:
    body = comment.get("body") or ""
    user = comment.get("user") or {}
    if not body.startswith(mark + "\n") and body != mark:
        return False
    return bool(user.get("login") in authors or (user.get("type") == "Bot" and not _strict()))


def _strict() -> bool:
    return bool(os.environ.get("MLGATE_COMMENT_AUTHOR"))


def _authors() -> set[str]:
    extra = os.environ.get("MLGATE_COMMENT_AUTHOR", "")
    return {ACTIONS_BOT, *(a.strip() for a in extra.split(",") if a.strip())}


def find_ours(client: GitHubClient, number: int, mark: str) -> list[dict[str, Any]]:
    """Our comments on the PR (all pages), oldest first."""
    path = client.repo_path(f"issues/{number}/comments")
    authors = _authors()
    found = [c for c in client.paginate(path) if isinstance(c, dict) and _ours(c, mark, authors)]
    return sorted(found, key=lambda c: int(c["id"]))


def upsert(
    client: GitHubClient,
    number: int,
    body: str,
    *,
    create: bool,
    log: Callable[[str], None] = print,
    found: list[dict[str, Any]] | None = None,
) -> CommentResult:
    """Update our comment in place (or create it when `create`); delete racing duplicates.

    `found`: our comments, already listed by the caller (not listed again)."""
    mark = body.split("\n", 1)[0]
    ours = found if found is not None else find_ours(client, number, mark)
    created = False
    if not ours:
        if not create:
            return CommentResult("skipped")
        resp = client.request(
            "POST", client.repo_path(f"issues/{number}/comments"), json={"body": body}
        )
        created = True
        ours = find_ours(client, number, mark)  # did a concurrent run create one too?
        if not ours:
            return CommentResult("created", int(answer(resp)["id"]))
    keep, extra = ours[0], ours[1:]
    deleted = 0
    for dup in extra:
        try:
            client.request("DELETE", client.repo_path(f"issues/comments/{dup['id']}"))
            deleted += 1
        except GitHubError as exc:
            if exc.status != 404:  # 404: the other run deleted it already
                raise
    if deleted:
        log(f"mlgate: deleted {deleted} duplicate mlgate comment(s) left by a concurrent run")
    if keep.get("body") == body:
        return CommentResult("created" if created else "unchanged", int(keep["id"]), deleted)
    client.request("PATCH", client.repo_path(f"issues/comments/{keep['id']}"), json={"body": body})
    return CommentResult("created" if created else "updated", int(keep["id"]), deleted)
