"""The credit example project: reproducible data and models, sound data, a working service."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import skops.io as sio
from sklearn.metrics import roc_auc_score

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "credit"
DATA_FILES = ["data/train.csv", "data/holdout.parquet", "data/traffic.jsonl"]
MODEL_FILES = ["models/credit.joblib", "models/credit_base.joblib", "models/credit.skops"]
FEATURES = ["age", "income", "gender", "region", "debt", "loan_amount"]
COLUMNS = [
    "customer_id",
    "age",
    "income",
    "gender",
    "region",
    "signup",
    "debt",
    "loan_amount",
    "approved",
]
APPLICANT = {"age": 30, "income": 50000, "gender": "F", "debt": 1000}


def load(path: Path):
    if path.suffix == ".skops":
        return sio.load(path, trusted=sio.get_untrusted_types(file=path))
    return joblib.load(path)


def writer(parquet: Path) -> str:
    return pq.ParquetFile(parquet).metadata.created_by


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("credit")
    subprocess.run(
        [sys.executable, str(EXAMPLE / "make_example.py"), "--out", str(out)],
        check=True,
        capture_output=True,
        text=True,
        cwd=out,
        timeout=120,
    )
    return out


@pytest.fixture(scope="module")
def train() -> pd.DataFrame:
    return pd.read_csv(EXAMPLE / "data" / "train.csv")


@pytest.fixture(scope="module")
def holdout() -> pd.DataFrame:
    return pd.read_parquet(EXAMPLE / "data" / "holdout.parquet")


@pytest.fixture(scope="module")
def model():
    return joblib.load(EXAMPLE / "models" / "credit.joblib")


# --- (1) regeneration -------------------------------------------------------------------------


@pytest.mark.parametrize("name", DATA_FILES)
def test_data_files_regenerate_byte_identical(regenerated: Path, name: str) -> None:
    committed, fresh = EXAMPLE / name, regenerated / name
    # A parquet footer names the pyarrow version that wrote it: with another version installed,
    # compare the content and schema instead of the bytes.
    if name.endswith(".parquet") and writer(committed) != writer(fresh):
        assert pq.read_table(fresh).equals(pq.read_table(committed), check_metadata=True)
        return
    assert fresh.read_bytes() == committed.read_bytes()


@pytest.mark.parametrize("name", MODEL_FILES)
def test_models_regenerate_with_the_same_predictions(
    regenerated: Path, holdout: pd.DataFrame, name: str
) -> None:
    committed, fresh = load(EXAMPLE / name), load(regenerated / name)
    np.testing.assert_allclose(
        fresh.predict_proba(holdout[FEATURES]),
        committed.predict_proba(holdout[FEATURES]),
        rtol=1e-9,
    )


# --- (2) the data and the models --------------------------------------------------------------


@pytest.mark.parametrize("which", ["train", "holdout"])
def test_data_has_the_documented_shape(which: str, request: pytest.FixtureRequest) -> None:
    df: pd.DataFrame = request.getfixturevalue(which)
    assert list(df.columns) == COLUMNS
    assert len(df) == {"train": 4000, "holdout": 1500}[which]
    assert df["customer_id"].is_unique
    assert df["customer_id"].str.fullmatch(r"C[0-9]{6}").all()
    assert df["age"].dtype == np.int64
    assert df["age"].between(18, 90).all()
    assert set(df["gender"]) == {"F", "M", "X"}
    assert set(df["approved"]) == {0, 1}
    assert (df["debt"] >= 0).all()
    assert (df["income"].dropna() >= 0).all()
    assert 0.005 <= df["income"].isna().mean() <= 0.03
    signup = pd.to_datetime(df["signup"])
    assert signup.min() >= pd.Timestamp("2016-01-01")
    assert signup.max() <= pd.Timestamp("2024-12-31")
    has_income = df["income"].notna()
    assert (df.loc[has_income, "loan_amount"] <= df.loc[has_income, "income"] * 10).all()


def test_approval_rises_with_income_and_falls_with_debt(train: pd.DataFrame) -> None:
    by_income = train.groupby(pd.qcut(train["income"], 4), observed=True)["approved"].mean()
    assert by_income.iloc[-1] > by_income.iloc[0] + 0.2
    assert by_income.is_monotonic_increasing
    by_debt = train.groupby(pd.qcut(train["debt"], 4), observed=True)["approved"].mean()
    assert by_debt.iloc[-1] < by_debt.iloc[0]


def test_no_customer_in_two_datasets(train: pd.DataFrame, holdout: pd.DataFrame) -> None:
    assert not set(train["customer_id"]) & set(holdout["customer_id"])


def test_traffic_is_request_bodies() -> None:
    lines = (EXAMPLE / "data" / "traffic.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 300
    bodies = [json.loads(line) for line in lines]
    assert all(list(body) == FEATURES for body in bodies)
    assert any(body["income"] is None for body in bodies)


def test_models_are_good_gender_blind_and_monotone(holdout: pd.DataFrame, model) -> None:
    x, y = holdout[FEATURES], holdout["approved"]
    score = model.predict_proba(x)[:, 1]
    assert 0.85 <= roc_auc_score(y, score) <= 0.92
    base = joblib.load(EXAMPLE / "models" / "credit_base.joblib")
    base_auc = roc_auc_score(y, base.predict_proba(x)[:, 1])
    assert 0.85 <= base_auc < roc_auc_score(y, score)

    for gender in ["F", "M", "X"]:
        np.testing.assert_array_equal(model.predict_proba(x.assign(gender=gender))[:, 1], score)
    has_income = x["income"].notna().to_numpy()
    richer = model.predict_proba(x.assign(income=x["income"] + 10_000))[:, 1]
    assert (richer[has_income] > score[has_income]).all()
    indebted = model.predict_proba(x.assign(debt=x["debt"] * 2))[:, 1]
    assert (indebted < score).all()


# --- (3) the service --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def service_app():
    """Import examples/credit/service as the top-level package `service`, as uvicorn would."""
    sys.path.insert(0, str(EXAMPLE))
    try:
        from service import app as app_module
        from service import db

        yield app_module, db
    finally:
        sys.path.remove(str(EXAMPLE))
        for name in [m for m in sys.modules if m == "service" or m.startswith("service.")]:
            del sys.modules[name]


@pytest.fixture
def client(service_app, monkeypatch: pytest.MonkeyPatch):
    from fastapi.testclient import TestClient

    monkeypatch.delenv("MODEL_PATH", raising=False)
    monkeypatch.chdir(EXAMPLE.parent)  # the default model path must not depend on the cwd
    with TestClient(service_app[0].app) as test_client:
        yield test_client


def test_service_health(client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_service_predicts_like_the_model(client, model) -> None:
    response = client.post("/predict", json=APPLICANT)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"score", "label", "model"}
    assert body["model"] == "credit"
    frame = pd.DataFrame([{**APPLICANT, "region": "north", "loan_amount": 0.0}])
    assert body["score"] == pytest.approx(model.predict_proba(frame)[0, 1], rel=1e-12)
    assert body["label"] == int(model.predict(frame)[0])
    assert 0 <= body["score"] <= 1


def test_service_accepts_missing_income_and_extra_fields(client) -> None:
    body = {**APPLICANT, "income": None, "customer_id": "C000001", "approved": 1}
    response = client.post("/predict", json=body)
    assert response.status_code == 200
    assert 0 <= response.json()["score"] <= 1


@pytest.mark.parametrize(
    "payload",
    [
        {"age": "thirty"},
        {**APPLICANT, "age": "30"},
        {**APPLICANT, "age": 30.5},
        {**APPLICANT, "income": True},
        {},
        [],
        "not an object",
        {**APPLICANT, "age": 17},
        {**APPLICANT, "gender": "Q"},
        {**APPLICANT, "income": -1},
        {**APPLICANT, "debt": None},
        {k: v for k, v in APPLICANT.items() if k != "debt"},
        {k: v for k, v in APPLICANT.items() if k != "income"},  # null is fine, absent is not
    ],
)
def test_service_rejects_bad_payloads(client, payload: dict) -> None:
    assert client.post("/predict", json=payload).status_code == 422


@pytest.mark.parametrize("field", ["income", "debt", "loan_amount"])
@pytest.mark.parametrize("value", [float("inf"), float("nan"), 1e308])
def test_service_rejects_non_finite_and_huge_numbers(client, field: str, value: float) -> None:
    content = json.dumps({**APPLICANT, field: value})  # Infinity, NaN: Python's json reads them
    response = client.post(
        "/predict", content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"]


def test_service_scores_the_recorded_traffic(client, model) -> None:
    lines = (EXAMPLE / "data" / "traffic.jsonl").read_text(encoding="utf-8").splitlines()
    bodies = [json.loads(line) for line in lines[:100]]
    scores = []
    for body in bodies:
        response = client.post("/predict", json=body)
        assert response.status_code == 200, response.text
        scores.append(response.json()["score"])
    expected = model.predict_proba(pd.DataFrame(bodies).astype({"income": "float64"}))[:, 1]
    np.testing.assert_allclose(scores, expected, rtol=1e-12)


def test_service_customer_lookup_uses_the_db_module(client, service_app, monkeypatch) -> None:
    assert client.get("/customers/C000001").status_code == 503  # no real database
    monkeypatch.setattr(service_app[1], "fetch_customer", lambda cid: {"id": cid, "tier": "gold"})
    response = client.get("/customers/C000001")
    assert response.status_code == 200
    assert response.json() == {"id": "C000001", "tier": "gold"}


def test_service_model_path_from_env(service_app, monkeypatch, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    monkeypatch.chdir(tmp_path)
    scores = {}
    for path in ["models/credit.skops", "models/credit_base.joblib"]:  # relative: example dir
        monkeypatch.setenv("MODEL_PATH", path)
        with TestClient(service_app[0].app) as test_client:
            scores[path] = test_client.post("/predict", json=APPLICANT).json()["score"]
    base = joblib.load(EXAMPLE / "models" / "credit_base.joblib")
    frame = pd.DataFrame([{**APPLICANT, "region": "north", "loan_amount": 0.0}])
    assert scores["models/credit_base.joblib"] == pytest.approx(base.predict_proba(frame)[0, 1])


def test_service_runs_under_uvicorn() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "MODEL_PATH"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "service.app:app", "--port", str(port)],
        cwd=EXAMPLE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        import httpx

        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                assert time.monotonic() < deadline, "uvicorn did not start"
                time.sleep(0.1)
        assert response.json() == {"status": "ok"}
        scored = httpx.post(f"http://127.0.0.1:{port}/predict", json=APPLICANT, timeout=5)
        assert scored.status_code == 200
        assert scored.json()["model"] == "credit"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
