"""Planning the `api:` section: ids, locations, and config errors naming file, line and key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mlgate.config import load_config
from mlgate.errors import ConfigError


def _load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "mlgate.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_config(path)


def _issues(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, text)
    return [i.split("mlgate.yml:", 1)[1] for i in info.value.issues]


def test_ids_locations_and_latency_request(tmp_path: Path) -> None:
    config = _load(
        tmp_path,
        """
        version: 1
        datasets:
          d: {path: d.csv}
        api:
          - name: scoring service
            start: "run {port}"
            requests:
              - name: scores a valid applicant
                path: /predict
                json: {a: 1}
              - {path: /health}
            replay: {dataset: d, path: /predict}
            robustness: {path: /predict, example: {a: 1}}
            latency: {requests: 10, severity: warning}
        """,
    )
    checks = {c.id: c for c in config.checks}
    assert list(checks) == [
        "api/scoring service/requests/scores a valid applicant",
        "api/scoring service/requests/1",
        "api/scoring service/replay",
        "api/scoring service/robustness",
        "api/scoring service/latency",
    ]
    assert checks["api/scoring service/requests/1"].location.line == 12
    latency = checks["api/scoring service/latency"]
    assert latency.severity == "warning"
    assert latency.location.line == 15
    assert latency.params["latency"]["path"] == "/predict"  # the first request's
    assert latency.params["latency"]["json"] == {"a": 1}
    assert latency.params["service"] == "scoring service"


def test_config_errors(tmp_path: Path) -> None:
    issues = _issues(
        tmp_path,
        """
        version: 1
        datasets:
          holdout: {path: d.csv}
        api:
          - name: a
            start: "x"
            app: m:app
            mocks: [{target: m.f, return: 1, raise: boom}]
          - name: a
            url: "http://127.0.0.1:{port}"
            mocks: [{target: m.f, return: 1}]
            replay: {dataset: holdot, path: /p}
            latency: {requests: 3}
          - name: c
        """,
    )
    assert issues == [
        "8:5: api[0].app: give either `start` or `app`, not both",
        "9:13: api[0].mocks[0]: give exactly one of `return`, `raise`",
        "10:5: api[1].name: the name 'a' is used twice",
        "11:5: api[1].url: `{port}` is only known with `start`",
        "12:5: api[1].mocks: mocks work only in-process: use `app:`, not a command",
        "14:5: api[1].latency: give `path` (and `json`), or declare `requests:`",
        "13:14: api[1].replay.dataset: unknown dataset 'holdot' -> did you mean 'holdout'?",
        "15:5: api[2]: give `start` (a command), `app` (in-process) or `url`",
    ]


def test_schema_rejects_unknown_keys(tmp_path: Path) -> None:
    issues = _issues(
        tmp_path,
        """
        version: 1
        api:
          - name: a
            url: http://127.0.0.1:1
            latency: {p95: 10}
        """,
    )
    # the schema's error, and (every problem at once) what the entry lacks even so
    assert issues == [
        "6:15: api[0].latency.p95: unknown key 'p95' -> did you mean 'p95_ms'?",
        "6:5: api[0].latency: give `path` (and `json`), or declare `requests:`",
    ]
