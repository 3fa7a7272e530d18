"""Limits and escaping on wide inputs (hypothesis), and the fake server's own strictness."""

from __future__ import annotations

import re

import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from mlgate.publish.limits import chars, fit, safe_cuts, utf8_bytes
from mlgate.publish.workflow import command, escape_data
from mlgate.report.text import code_md, escape_md

from .fake_github import TOKEN, FakeGitHub

BLOCKS = st.sampled_from(
    [
        "## title\n\n",
        "plain text with ü and 🙂\n\n",
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n",
        "```\ncode\n\nmore code\n```\n\n",
        "~~~~\n```\nnested\n```\n~~~~\n\n",
        "<details><summary>5 passed</summary>\n\n- a\n- b\n\n</details>\n\n",
        "<details><summary>x</summary>\n\n```\n</details>\n```\n\n</details>\n\n",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(BLOCKS, min_size=1, max_size=60), st.integers(40, 3000), st.booleans())
def test_fit_stays_within_the_limit_and_never_cuts_a_block(
    blocks: list[str], limit: int, in_bytes: bool
) -> None:
    text = "".join(blocks)
    measure = utf8_bytes if in_bytes else chars
    out = fit(text, limit, "**see the full report**", measure)
    assert measure(out) <= limit
    if out == text:
        return
    if "see the full report" in out:
        body = out[: out.rindex("**see the full report**")].rstrip("\n") + "\n"
        assert len(body) in safe_cuts(body) or body.strip() == ""  # outside fences/details


@given(st.text())
def test_escape_md_is_inert(text: str) -> None:
    out = escape_md(text)
    assert "<" not in out.replace("<br>", "")
    assert not re.search(r"@[A-Za-z0-9]", out)
    assert not re.search(r"#\d", out)
    assert "\n" not in out
    assert "\x00" not in out
    out.encode("utf-8")  # no lone surrogates


@given(st.text())
def test_code_md_is_one_code_span(text: str) -> None:
    out = code_md(text)
    ticks = re.match("`+", out)
    assert ticks is not None
    assert out.endswith(ticks.group(0))
    inner = out[len(ticks.group(0)) : -len(ticks.group(0))]
    assert ticks.group(0) not in inner
    assert "\n" not in out


@given(st.text())
def test_workflow_commands_stay_one_line(text: str) -> None:
    line = command("error", text, file=text, line=3, title=text)
    assert "\n" not in line
    assert "\r" not in line
    assert line.startswith("::error ")
    assert line.count("::") == 2
    assert escape_data(text).count("%") >= text.count("%")


def test_fake_rejects_what_the_description_rejects() -> None:
    with FakeGitHub("Codertocat", "Hello-World") as fake:
        url = f"{fake.url}/repos/Codertocat/Hello-World"
        auth = {"Authorization": f"Bearer {TOKEN}"}
        bad = [
            ("POST", "/check-runs", {"name": "x"}),  # no head_sha
            ("POST", "/check-runs", {"name": "x", "head_sha": "a", "status": "completed"}),
            ("POST", f"/statuses/{'a' * 40}", {"state": "green"}),
            ("POST", "/issues/1/comments", {"text": "no body"}),
            ("PATCH", "/issues/comments/abc", {"body": "x"}),
            (
                "POST",
                "/check-runs",
                {
                    "name": "x",
                    "head_sha": "a",
                    "conclusion": "success",
                    "status": "completed",
                    "output": {"title": "t", "summary": "s", "annotations": [{"path": "a"}] * 51},
                },
            ),
        ]
        for method, path, body in bad:
            resp = requests.request(method, url + path, json=body, headers=auth, timeout=5)
            assert resp.status_code == 422, (method, path, resp.text)
        assert len(fake.rejected) == len(bad)
        assert requests.get(url + "/issues/1/comments", timeout=5).status_code == 401
        too_long = {"body": "x" * 65537}
        resp = requests.post(url + "/issues/1/comments", json=too_long, headers=auth, timeout=5)
        assert resp.status_code == 422
        assert fake.comments == {}
