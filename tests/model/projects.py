"""A small credit project on disk: data, a PR model, a weaker base-commit model, in git."""

from __future__ import annotations

import subprocess
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

FEATURES = ["age", "income", "gender", "region", "debt", "loan_amount"]
NUMERIC = ["age", "income", "debt", "loan_amount"]


def applicants(n: int, seed: int) -> pd.DataFrame:
    """Approval rises with income, falls with debt, favours M, and rises with loan_amount."""
    rng = np.random.default_rng(seed)
    income = np.round(np.exp(rng.normal(np.log(52_000), 0.45, n)), 2)
    debt = np.round(income * rng.gamma(2.0, 0.15, n) + rng.uniform(50, 500, n), 2)
    loan = np.round(income * rng.uniform(0.1, 3.0, n), 2)
    gender = rng.choice(["F", "M", "X"], n, p=[0.45, 0.45, 0.10])
    region = rng.choice(["north", "south", "east"], n)
    age = rng.integers(18, 80, n)
    logit = (
        0.3
        + 3.0 * (income - 55_000) / 25_000
        - 2.5 * (debt - 17_000) / 12_000
        + 0.8 * (loan - 80_000) / 50_000
        + np.where(gender == "M", 1.2, np.where(gender == "F", -0.6, 0.0))
    )
    approved = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    return pd.DataFrame(
        {
            "customer_id": [f"C{i:06d}" for i in range(n)],
            "age": age.astype(np.int64),
            "income": income,
            "gender": gender,
            "region": region,
            "debt": debt,
            "loan_amount": loan,
            "approved": approved,
        }
    )


def pr_model(train: pd.DataFrame) -> Pipeline:
    """Uses gender (a protected attribute) and is increasing in loan_amount."""
    pre = ColumnTransformer(
        [
            ("num", StandardScaler(), NUMERIC),
            ("cat", OneHotEncoder(handle_unknown="ignore"), ["gender", "region"]),
        ]
    )
    model = Pipeline([("pre", pre), ("clf", LogisticRegression(max_iter=1000))])
    return model.fit(train[FEATURES], train["approved"])


def base_model(train: pd.DataFrame) -> Pipeline:
    """Weaker: income only."""
    pre = ColumnTransformer([("num", StandardScaler(), ["income"])])
    model = Pipeline([("pre", pre), ("clf", LogisticRegression(max_iter=1000))])
    return model.fit(train[["income"]], train["approved"])


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def make_credit_project(root: Path, n_train: int = 3000, n_holdout: int = 2000) -> str:
    """Write data/ and models/ under `root`, the base model committed first; returns its sha."""
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "models").mkdir(exist_ok=True)
    train = applicants(n_train, seed=1)
    applicants(n_holdout, seed=2).to_parquet(root / "data" / "holdout.parquet", index=False)
    git(root, "init", "-q")
    joblib.dump(base_model(train), root / "models" / "credit.joblib")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    sha = git(root, "rev-parse", "HEAD")
    joblib.dump(pr_model(train), root / "models" / "credit.joblib")
    return sha
