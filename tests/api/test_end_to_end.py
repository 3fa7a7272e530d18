"""The api family end to end: a real FastAPI service with a planted bug (a missing `region`
answers 500) and a slow route, run through `mlgate run`; nothing may be left behind."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.api.helpers import SERVICES, UVICORN, group_gone, port_closed, report_md, run_gate

GOOD = "{age: 30, income: 50000, gender: F, region: north, debt: 1000, loan_amount: 5000}"


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "model.bin"
    path.write_text("model", encoding="utf-8")
    return path


def test_planted_bug_and_slow_route_are_the_only_failures(tmp_path: Path, model_file: Path) -> None:
    rows = [
        {"age": 30, "income": 50000, "gender": "F", "region": "north", "debt": 1, "loan_amount": 5},
        {"age": 41, "income": None, "gender": "M", "region": "south", "debt": 2, "loan_amount": 7},
        {"age": 52, "income": 61000, "gender": "X", "region": None, "debt": 3, "loan_amount": 9},
    ]  # row 2: region missing -> the planted 500
    (tmp_path / "rows.jsonl").write_text("\n".join(json.dumps(r) for r in rows), "utf-8")
    code, checks = run_gate(
        tmp_path,
        f"""
        version: 1
        datasets:
          rows: {{path: rows.jsonl}}
        api:
          - name: svc
            start: "{UVICORN}"
            cwd: {SERVICES}
            ready: {{path: /health, timeout: 30}}
            env: {{MODEL_PATH: {model_file}, SLOW_MS: 250}}
            requests:
              - name: scores a valid applicant
                method: POST
                path: /predict
                json: {GOOD}
                expect:
                  status: 200
                  schema:
                    type: object
                    required: [score]
                    properties: {{score: {{type: number, minimum: 0, maximum: 1}}}}
                  json: {{model: credit}}
                  headers: {{content-type: application/json}}
                  max_ms: 2000
              - name: rejects a bad payload
                path: /predict
                json: {{age: thirty}}
                expect: {{status: 422}}
              - {{name: slow route, path: /slow, expect: {{status: 200, max_ms: 100}}}}
              - name: wrong schema
                path: /health
                expect: {{schema: {{type: object, properties: {{status: {{type: integer}}}}}}}}
            replay: {{dataset: rows, path: /predict, expect: {{status: 200}}}}
            robustness: {{path: /predict, example: {GOOD}, timeout: 5}}
            latency:
              path: /predict
              json: {GOOD}
              requests: 60
              warmup: 5
              concurrency: 3
              p95_ms: 1000
        """,
    )
    assert code == 1
    status = {cid: c["status"] for cid, c in checks.items()}
    assert status == {
        "api/svc/requests/scores a valid applicant": "passed",
        "api/svc/requests/rejects a bad payload": "passed",
        "api/svc/requests/slow route": "failed",
        "api/svc/requests/wrong schema": "failed",
        "api/svc/replay": "failed",
        "api/svc/robustness": "failed",
        "api/svc/latency": "passed",
    }
    slow = checks["api/svc/requests/slow route"]
    assert re.fullmatch(r"GET /slow: took \d+ ms \(expected <= 100 ms\)", slow["message"])
    assert slow["examples"][0]["request"] == {"method": "GET", "path": "/slow"}
    assert slow["location"]["line"] == 29

    schema = checks["api/svc/requests/wrong schema"]
    assert "$.status: 'ok' is not of type 'integer'" in schema["message"]

    replay = checks["api/svc/replay"]
    assert replay["message"].startswith("1 of 3 replayed rows of 'rows' failed (33.3%")
    [bad_row] = replay["examples"]
    assert bad_row["row"] == 2
    assert bad_row["request"]["region"] is None
    assert bad_row["request"]["age"] == 52
    assert bad_row["answer"]["status"] == 500
    assert checks["api/svc/replay"]["details"]["sent"] == 3

    rob = checks["api/svc/robustness"]
    failing = {e["case"]: e["status"] for e in rob["examples"]}
    assert failing == {"`region` missing": 500, "`region` = null": 500}
    assert "region" not in rob["examples"][0]["request"]["json"]
    cases = rob["details"]["cases"]
    assert len(cases) == 35
    assert rob["message"].startswith("33 of 35 bad requests")
    assert all(c["status"] is not None for c in cases)  # no hang, no dropped connection
    assert rob["details"]["openapi"] == "checked"

    lat = checks["api/svc/latency"]["observed"]
    assert lat["requests"] == 60
    assert lat["errors"] == 0
    assert lat["p50_ms"] <= lat["p95_ms"] <= lat["p99_ms"] <= lat["max_ms"]

    table = report_md(tmp_path).split("### Service latency", 1)[1]
    ci = r"[\d.]+ \([\d.]+–(?:[\d.]+|…)\)"  # each percentile with its interval
    assert re.search(
        rf"\n\| svc \| closed \| 60 \| {ci} \| {ci} \| {ci} \| [\d.]+ \| [\d.]+ \| 0 \|", table
    )
    low, high = lat["p50_ms_ci"]
    assert low <= lat["p50_ms"] <= high

    info = checks["api/svc/latency"]["details"]["service"]
    assert port_closed(info["port"])
    assert group_gone(info["pid"])


def test_a_service_that_will_not_start_errors_its_checks_only(
    tmp_path: Path, model_file: Path
) -> None:
    code, checks = run_gate(
        tmp_path,
        f"""
        version: 1
        api:
          - name: broken
            start: "{UVICORN}"
            cwd: {SERVICES}
            ready: {{path: /health, timeout: 30}}
            env: {{MODEL_PATH: {tmp_path}/nowhere.joblib}}
            requests:
              - {{name: health, path: /health}}
            latency: {{path: /health, requests: 5}}
          - name: hangs
            start: "sleep 300 & sleep 301"
            ready: {{timeout: 1}}
            requests:
              - {{name: health, path: /health}}
          - name: working
            app: svc.app:app
            cwd: {SERVICES}
            env: {{MODEL_PATH: {model_file}}}
            requests:
              - {{name: health, path: /health, expect: {{json: {{status: ok}}}}}}
        """,
    )
    assert code == 1
    status = {cid: c["status"] for cid, c in checks.items()}
    assert status == {
        "api/broken/requests/health": "error",
        "api/broken/latency": "error",
        "api/hangs/requests/health": "error",
        "api/working/requests/health": "passed",
    }
    broken = checks["api/broken/requests/health"]["message"]
    assert checks["api/broken/latency"]["message"] == broken
    assert "exited with code 3 before ready; its output ends with:" in broken
    assert "cannot load the model: MODEL_PATH=" in broken  # the tail of its output
    hangs = checks["api/hangs/requests/health"]["message"]
    assert "not ready within 1 s" in hangs
    assert "it printed nothing" in hangs
    for message in (broken, hangs):
        found = re.search(r"on http://127\.0\.0\.1:(\d+), pid (\d+)\)", message)
        assert found, message
        assert port_closed(int(found[1]))
        assert group_gone(int(found[2]))  # `sleep 300 &` went with its group
