"""The shadow family end to end: models and real services on recorded traffic."""

from __future__ import annotations

import http.server
import json
import math
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from mlgate.config import load_config
from mlgate.errors import ConfigError
from mlgate.stats.intervals import wilson
from tests.api.helpers import SERVICES, report_md, run_gate


class Scores(http.server.BaseHTTPRequestHandler):
    """/a: score x/100, label x >= 50; /b: score x/100 + 0.02, label x >= 48, 500 for x == 7."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        x = body["x"]
        if self.path == "/b" and x == 7:
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        shift, cut = (0.02, 48) if self.path == "/b" else (0.0, 50)
        out = json.dumps({"result": {"p": x / 100 + shift}, "label": int(x >= cut)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Scores)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_two_services_on_recorded_traffic(tmp_path: Path, server: str) -> None:
    traffic = tmp_path / "traffic.jsonl"
    traffic.write_text("\n".join(json.dumps({"x": x}) for x in range(100)) + "\n", "utf-8")
    side = "score_field: result.p"
    _code, checks = run_gate(
        tmp_path,
        f"""
        version: 1
        shadow:
          - name: a vs b
            traffic: traffic.jsonl
            primary: {{url: "{server}", path: /a, {side}}}
            candidate: {{url: "{server}", path: /b, {side}}}
            min_agreement: 0.97
            max_score_diff: {{p50: 0.03, p95: 0.01}}
            max_latency_ratio: 20
            max_error_rate: 0
            show: 3
        """,
    )
    agree = checks["shadow/a vs b/min_agreement"]
    lo, hi = wilson(97, 100)
    assert agree["status"] == "passed"
    assert agree["message"] == (
        f"97 of 100 requests got the same label (97.0%, 95% CI {lo:.1%}–{hi:.1%}; "
        "expected >= 97.0%); 1 answers were errors (counted as disagreements)"
    )
    assert agree["observed"] == 0.97
    summary = agree["details"]["shadow"]
    assert summary["candidate"]["errors"] == 1
    assert summary["primary"]["errors"] == 0
    assert "noise" not in summary["primary"]  # a service primary is not run twice

    diff = checks["shadow/a vs b/max_score_diff"]
    assert diff["status"] == "failed"
    assert diff["observed"] == {"p50": 0.02, "p95": 0.02}
    assert diff["message"].endswith("— p95 0.02 > 0.01")
    # the worst first: the error, then the two label flips
    shown = diff["examples"]
    assert [e["request"] for e in shown] == [8, 49, 50]
    assert shown[0]["candidate"] == {"error": "status 500"}
    assert shown[0]["body"] == {"x": 7}
    assert shown[1]["primary"]["label"] == 0
    assert shown[1]["candidate"]["label"] == 1

    assert checks["shadow/a vs b/max_latency_ratio"]["status"] == "passed"
    table = report_md(tmp_path).split("### Shadow comparison", 1)[1]
    assert f"| a vs b | 97 of 100 ({lo:.3f}–{hi:.3f}) | 0.0200 / 0.0200 / 0.0200 | 0 / 1 |" in table
    errors = checks["shadow/a vs b/max_error_rate"]
    assert errors["status"] == "failed"
    assert errors["message"] == (
        "the candidate failed 1 of 100 requests (1.0%, 95% CI 0.2%–5.4%; expected <= 0.0%) — "
        "fails: the whole interval is above the limit (decide: evidence); the primary failed 0; "
        "first: status 500"
    )


def _fit(seed: int, tmp_path: Path, name: str, df: pd.DataFrame) -> LogisticRegression:
    rng = np.random.default_rng(seed)
    y = (df["a"] + df["b"] + rng.normal(0, 1.0, len(df)) > 0).astype(int)
    model = LogisticRegression(C=0.05 if seed else 1.0).fit(df[["a", "b"]], y)
    joblib.dump(model, tmp_path / f"{name}.joblib")
    return model


def test_models_on_a_dataset_with_the_primary_run_twice(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=400), "b": rng.normal(size=400)})
    base = _fit(0, tmp_path, "base", df)
    cand = _fit(1, tmp_path, "cand", df)
    data = df.assign(target=(df["a"] > 0).astype(int), id=[f"C{i}" for i in range(400)])
    data.to_csv(tmp_path / "traffic.csv", index=False)
    _code, checks = run_gate(
        tmp_path,
        """
        version: 1
        datasets:
          traffic: {path: traffic.csv}
        models:
          base: {path: base.joblib, target: target}
          cand: {path: cand.joblib, target: target, positive_class: 1}
        shadow:
          - name: models
            dataset: traffic
            rows: 300
            exclude: [id]
            primary: {model: base}
            candidate: {model: cand}
            min_agreement: 0.5
            max_score_diff: {max: 0.0001}
            max_latency_ratio: 100
        """,
    )
    x = df[["a", "b"]].head(300)
    k = int((base.predict(x) == cand.predict(x)).sum())
    diffs = np.abs(base.predict_proba(x)[:, 1] - cand.predict_proba(x)[:, 1])
    agree = checks["shadow/models/min_agreement"]
    assert agree["status"] == "passed"
    assert agree["message"].startswith(f"{k} of 300 requests got the same label")
    assert agree["message"].endswith("the primary run twice gave identical answers (no noise)")
    assert agree["details"]["shadow"]["primary"]["noise"] == {
        "label_flips": 0,
        "max_score_diff": 0.0,
        "n": 300,
    }
    diff = checks["shadow/models/max_score_diff"]
    assert diff["status"] == "failed"
    assert math.isclose(diff["observed"]["max"], float(diffs.max()), abs_tol=1e-6)
    worst = diff["examples"][0]
    assert worst["body"]["a"] == pytest.approx(float(x["a"].iloc[worst["request"] - 1]))
    ratio = checks["shadow/models/max_latency_ratio"]
    assert ratio["status"] == "passed"
    assert ratio["observed"] > 0


def test_a_side_can_be_an_api_entry(tmp_path: Path) -> None:
    model = tmp_path / "m.bin"
    model.write_text("x", encoding="utf-8")
    body = {
        "age": 30,
        "income": 50000,
        "gender": "F",
        "region": "north",
        "debt": 1,
        "loan_amount": 1,
    }
    lines = [json.dumps({**body, "income": 20000 + 1000 * i}) for i in range(40)]
    (tmp_path / "t.jsonl").write_text("\n".join(lines), encoding="utf-8")
    code, checks = run_gate(
        tmp_path,
        f"""
        version: 1
        api:
          - name: svc
            app: svc.app:app
            cwd: {SERVICES}
            env: {{MODEL_PATH: {model}}}
        shadow:
          - name: same
            traffic: t.jsonl
            primary: {{api: svc}}
            candidate: {{api: svc, path: /predict}}
            min_agreement: 1
            max_score_diff: {{max: 0}}
        """,
    )
    assert code == 0, checks
    assert checks["shadow/same/min_agreement"]["observed"] == 1.0


def test_plan_errors(tmp_path: Path) -> None:
    path = tmp_path / "mlgate.yml"
    path.write_text(
        textwrap.dedent(
            """\
            version: 1
            models:
              credit: {path: m.joblib}
            shadow:
              - name: x
                traffic: t.jsonl
                primary: {model: credti}
                candidate: {api: nope}
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    issues = [i.split("mlgate.yml:", 1)[1] for i in info.value.issues]
    assert issues == [
        "7:15: shadow[0].primary.model: unknown model 'credti' -> did you mean 'credit'?",
        "8:17: shadow[0].candidate.api: no `api:` entry is named 'nope' (declared: none)",
        "5:5: shadow[0]: give at least one of min_agreement, max_score_diff, "
        "max_latency_ratio, max_error_rate",
    ]


def test_a_broken_traffic_line_is_named_by_line_and_column(tmp_path: Path) -> None:
    """Blank lines are skipped, a UTF-8 BOM is fine, a broken line is named (line:column)."""
    lines = ['{"x": 1}', "", '{"x": 2, "y": ', '{"x": 3}']
    (tmp_path / "t.jsonl").write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "ok.jsonl").write_text("\ufeff" + '{"x": 1}\n\n', encoding="utf-8")
    _, checks = run_gate(
        tmp_path,
        """
        version: 1
        shadow:
          - name: broken
            traffic: t.jsonl
            primary: {url: "http://127.0.0.1:9"}
            candidate: {url: "http://127.0.0.1:9"}
            max_error_rate: 1
          - name: bom
            traffic: ok.jsonl
            primary: {url: "http://127.0.0.1:9"}
            candidate: {url: "http://127.0.0.1:9"}
            max_error_rate: 1
        """,
    )
    broken = checks["shadow/broken/max_error_rate"]
    assert broken["status"] == "error"
    assert broken["message"] == (
        "t.jsonl:3:15: not JSON (Expecting value); each line must hold one complete JSON "
        "object: fix or remove that line"
    )
    bom = checks["shadow/bom/max_error_rate"]
    assert bom["status"] == "passed", bom["message"]
    assert "connection refused by 127.0.0.1:9" in bom["message"]


def test_a_service_answering_labels_only_is_compared_on_labels(tmp_path: Path, server: str) -> None:
    """Only the fields a declared threshold judges are required: `min_agreement` needs the
    label, not a score; `max_score_diff` names the missing score."""
    traffic = tmp_path / "traffic.jsonl"
    traffic.write_text("\n".join(json.dumps({"x": x}) for x in range(100)) + "\n", "utf-8")
    entry = """
        version: 1
        shadow:
          - name: labels
            traffic: traffic.jsonl
            primary: {{url: "{server}", path: /a}}
            candidate: {{url: "{server}", path: /a}}
            {threshold}
        """
    _code, checks = run_gate(tmp_path, entry.format(server=server, threshold="min_agreement: 0.99"))
    agree = checks["shadow/labels/min_agreement"]
    assert agree["status"] == "passed", agree["message"]
    assert agree["message"].startswith("100 of 100 requests got the same label (100.0%")
    _code, checks = run_gate(
        tmp_path, entry.format(server=server, threshold="max_score_diff: {p95: 0.1}")
    )
    diff = checks["shadow/labels/max_score_diff"]
    assert diff["status"] == "failed"
    assert "|score difference| over 0 of 100 requests" in diff["message"]
    shown = report_md(tmp_path)
    assert "the answer lacks a numeric `score`" in shown
