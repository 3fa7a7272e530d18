"""A small FastAPI scoring service for the credit model.

    cd examples/credit && uvicorn service.app:app --port 8000

The model comes from the environment variable MODEL_PATH (a .joblib or .skops file); a relative
path is tried against the working directory, then against the example folder. The default is
models/credit.joblib in the example folder, so the service starts from any working directory.
"""

from __future__ import annotations

import math
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

import joblib
import pandas as pd
from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from service import db

EXAMPLE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "models/credit.joblib"
POSITIVE_CLASS = 1


def model_path() -> Path:
    path = Path(os.environ.get("MODEL_PATH") or DEFAULT_MODEL)
    if path.is_absolute() or path.exists():
        return path
    return EXAMPLE_DIR / path


def load_model(path: Path) -> Any:
    if path.suffix == ".skops":
        import skops.io as sio

        return sio.load(path, trusted=sio.get_untrusted_types(file=path))
    return joblib.load(path)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.model = load_model(model_path())
    yield


app = FastAPI(title="credit scoring", lifespan=lifespan)


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    return value


@app.exception_handler(RequestValidationError)
async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    # FastAPI's own handler echoes the rejected input, and a body such as {"income": Infinity}
    # (Python's json accepts it) would then fail to serialise: a 500 instead of a 422.
    return JSONResponse(
        status_code=422, content={"detail": _json_safe(jsonable_encoder(exc.errors()))}
    )


class Applicant(BaseModel):
    """The model's features. Unknown fields (e.g. customer_id) are ignored.

    `income` must be sent but may be null (not reported): the model imputes it.

    Strict types: "30" or 30.5 is not an age and true is not an income (422); integers are
    accepted where a float is expected.
    """

    model_config = ConfigDict(strict=True)

    age: int = Field(ge=18, le=120)
    income: float | None = Field(ge=0, le=1e9, allow_inf_nan=False)  # required; may be null
    gender: Literal["F", "M", "X"]
    region: str = Field(default="north", max_length=50)
    debt: float = Field(ge=0, le=1e9, allow_inf_nan=False)
    loan_amount: float = Field(default=0.0, ge=0, le=1e10, allow_inf_nan=False)


class Score(BaseModel):
    score: float
    label: int
    model: str = "credit"


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/predict")
def predict(applicant: Applicant, request: Request) -> Score:
    model = request.app.state.model
    frame = pd.DataFrame([applicant.model_dump()]).astype(
        {"income": "float64", "debt": "float64", "loan_amount": "float64"}
    )
    proba = model.predict_proba(frame)[0]
    classes = list(model.classes_)
    score = float(proba[classes.index(POSITIVE_CLASS)])
    label = int(classes[int(proba.argmax())])  # what predict() answers, without a second pass
    return Score(score=score, label=label)


@app.get("/customers/{customer_id}")
def customer(customer_id: str) -> dict[str, Any]:
    try:
        return db.fetch_customer(customer_id)
    except db.DatabaseUnavailableError as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from exc
