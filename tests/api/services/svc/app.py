"""Credit scoring service with two planted faults: a missing `region` answers 500, and
GET /slow takes SLOW_MS milliseconds (default 300).

MODEL_PATH must name an existing file (start-up fails otherwise); FAIL_ON_START=1 also fails.
"""

from __future__ import annotations

import math
import os
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from svc import db

STATE: dict[str, Any] = {}


@asynccontextmanager
async def lifespan(app: FastAPI) -> Any:
    path = os.environ.get("MODEL_PATH", "")
    if os.environ.get("FAIL_ON_START") == "1" or not Path(path).is_file():
        raise RuntimeError(f"cannot load the model: MODEL_PATH={path!r} is not a file")
    STATE["model"] = Path(path).name
    STATE["started"] = True
    yield
    STATE.clear()


app = FastAPI(lifespan=lifespan)


class Applicant(BaseModel):
    age: int
    income: float | None
    gender: Literal["F", "M", "X"]
    region: str | None = None  # planted bug: optional here, used unconditionally below
    debt: float
    loan_amount: float


class Score(BaseModel):
    score: float
    label: int
    model: str


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok", "model": STATE.get("model", "")}


@app.post("/predict", response_model=Score)
def predict(a: Applicant) -> Score:
    region_bonus = 0.1 if a.region.lower() == "north" else 0.0  # type: ignore[union-attr]
    income = a.income if a.income is not None else 40000.0
    z = (income - 50000) / 25000 - (a.debt - 15000) / 12000 + region_bonus
    z = max(-50.0, min(50.0, z))
    score = 1 / (1 + math.exp(-z))
    return Score(score=round(score, 6), label=int(score >= 0.5), model="credit")


class Loose(BaseModel):
    a: int


@app.post("/loose", response_model=Score)
def loose(body: Loose) -> Any:
    """Declares `Score` but answers something else (FastAPI does not check a JSONResponse)."""
    return JSONResponse({"score": "high", "label": body.a})


@app.get("/slow")
def slow() -> dict[str, str]:
    time.sleep(float(os.environ.get("SLOW_MS", "300")) / 1000)
    return {"status": "slow"}


@app.get("/customers/{customer_id}")
def customer(customer_id: int) -> dict[str, Any]:
    try:
        return db.fetch_customer(customer_id)
    except TimeoutError as exc:
        raise HTTPException(status_code=503, detail=f"database timeout: {exc}") from None
    except db.DatabaseDownError as exc:
        raise HTTPException(status_code=503, detail=f"database down: {exc}") from None
