"""`app:` mode: the app runs in-process with its start-up/shutdown hooks, env and mocks, all
undone afterwards."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tests.api.helpers import SERVICES, run_gate


def test_asgi_app_with_mocks_env_and_lifespan(tmp_path: Path) -> None:
    model = tmp_path / "m.bin"
    model.write_text("x", encoding="utf-8")
    assert "MLGATE_TEST_FLAG" not in os.environ
    code, checks = run_gate(
        tmp_path,
        f"""
        version: 1
        api:
          - name: returns
            app: svc.app:app
            cwd: {SERVICES}
            env: {{MODEL_PATH: {model}, MLGATE_TEST_FLAG: 1}}
            mocks:
              - {{target: svc.db.fetch_customer, return: {{id: 1, tier: gold}}}}
            requests:
              - {{name: customer, path: /customers/1, expect: {{json: {{tier: gold}}}}}}
              - {{name: started, path: /health, expect: {{json: {{status: ok, model: m.bin}}}}}}
          - name: raises
            app: svc.app:app
            cwd: {SERVICES}
            env: {{MODEL_PATH: {model}}}
            mocks:
              - {{target: svc.db.fetch_customer, raise: "TimeoutError: db down"}}
            requests:
              - name: customer
                path: /customers/1
                expect: {{status: 503, json: {{detail: "database timeout: db down"}}}}
          - name: raises its own
            app: svc.app:app
            cwd: {SERVICES}
            env: {{MODEL_PATH: {model}}}
            mocks:
              - {{target: svc.db.fetch_customer, raise: "svc.db.DatabaseDownError: gone"}}
            requests:
              - name: customer
                path: /customers/1
                expect: {{status: 503, json: {{detail: "database down: gone"}}}}
          - name: unmocked
            app: svc.app:app
            cwd: {SERVICES}
            env: {{MODEL_PATH: {model}}}
            requests:
              - {{name: customer, path: /customers/1, expect: {{status: 500}}}}
        """,
    )
    assert code == 0, checks
    assert all(c["status"] == "passed" for c in checks.values())
    assert checks["api/returns/requests/customer"]["details"]["service"]["kind"] == "app"
    # everything undone: env, sys.path, the imported service modules (mocks went with them)
    assert "MLGATE_TEST_FLAG" not in os.environ
    assert str(SERVICES) not in sys.path
    assert not any(name == "svc" or name.startswith("svc.") for name in sys.modules)


def test_asgi_app_whose_startup_fails_errors(tmp_path: Path) -> None:
    _code, checks = run_gate(
        tmp_path,
        f"""
        version: 1
        api:
          - name: x
            app: svc.app:app
            cwd: {SERVICES}
            env: {{MODEL_PATH: /nowhere}}
            requests: [{{path: /health}}]
        """,
    )
    [check] = checks.values()
    assert check["id"] == "api/x/requests/0"
    assert check["status"] == "error"
    assert (
        "did not start: RuntimeError: cannot load the model: MODEL_PATH='/nowhere'"
        in (check["message"])
    )


def test_wsgi_app_and_a_missing_mock_target(tmp_path: Path) -> None:
    _code, checks = run_gate(
        tmp_path,
        f"""
        version: 1
        api:
          - name: wsgi
            app: wsgi_app:app
            cwd: {SERVICES}
            requests:
              - path: /echo
                json: {{a: [1, 2]}}
                expect: {{json: {{got: {{a: [1, 2]}}, method: POST}}}}
              - {{path: /nope, expect: {{status: 404}}}}
              - {{path: /echo, json: {{a: 1}}, expect: {{json: {{got: {{a: 2}}}}}}}}
          - name: badmock
            app: wsgi_app:app
            cwd: {SERVICES}
            mocks: [{{target: wsgi_app.nothing_here, return: 1}}]
            requests: [{{path: /echo}}]
        """,
    )
    assert checks["api/wsgi/requests/0"]["status"] == "passed"
    assert checks["api/wsgi/requests/1"]["status"] == "passed"
    wrong = checks["api/wsgi/requests/2"]
    assert wrong["status"] == "failed"
    assert wrong["message"] == "POST /echo: $.got.a: expected 2, got 1"
    bad = checks["api/badmock/requests/0"]
    assert bad["status"] == "error"
    assert "nothing_here" in bad["message"]


def test_answers_are_checked_against_the_openapi_document(tmp_path: Path) -> None:
    model = tmp_path / "m.bin"
    model.write_text("x", encoding="utf-8")
    _, checks = run_gate(
        tmp_path,
        f"""
        version: 1
        api:
          - name: loose
            app: svc.app:app
            cwd: {SERVICES}
            env: {{MODEL_PATH: {model}}}
            robustness: {{path: /loose, example: {{a: 1}}, cases: [missing, extra_field]}}
          - name: unchecked
            app: svc.app:app
            cwd: {SERVICES}
            env: {{MODEL_PATH: {model}}}
            robustness:
              {{path: /loose, example: {{a: 1}}, cases: [missing, extra_field], openapi: false}}
        """,
    )
    rob = checks["api/loose/robustness"]
    assert rob["status"] == "failed"
    assert rob["details"]["openapi"] == "checked"
    [bad] = rob["examples"]
    assert bad["case"] == "an extra field"
    assert bad["problem"] == (
        "the 200 answer does not match its OpenAPI schema: $: 'model' is a required property; "
        "$.score: 'high' is not of type 'number'"
    )
    assert [c["status"] for c in rob["details"]["cases"]] == [422, 200]
    assert checks["api/unchecked/robustness"]["status"] == "passed"
    assert checks["api/unchecked/robustness"]["details"]["openapi"] == "not found"
