"""Generate the credit example: synthetic applicants, recorded traffic and two trained models.

Deterministic: the same seed gives byte-identical data files (train.csv, holdout.parquet,
traffic.jsonl) and models with identical predictions.

    python make_example.py              # writes data/ and models/ next to this script
    python make_example.py --out DIR    # writes DIR/data and DIR/models instead
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import skops.io as sio
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

SEED = 20240611
N_TRAIN = 4000
N_HOLDOUT = 1500
N_TRAFFIC = 300
HERE = Path(__file__).resolve().parent

NUMERIC = ["age", "income", "debt", "loan_amount"]
CATEGORICAL = ["region"]
FEATURES = ["age", "income", "gender", "region", "debt", "loan_amount"]
REGIONS = ["north", "south", "east", "west"]
REGION_EFFECT = {"north": 0.15, "south": -0.15, "east": 0.05, "west": -0.05}
SIGNUP_START = np.datetime64("2016-01-01")
SIGNUP_DAYS = int((np.datetime64("2024-12-31") - SIGNUP_START).astype(int)) + 1


def generate(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Draw `n` applicants. Approval rises with income, falls with debt, ignores gender."""
    ids = rng.choice(1_000_000, size=n, replace=False)
    age = rng.integers(18, 91, size=n)
    income = np.round(np.exp(rng.normal(np.log(52_000), 0.45, size=n)), 2)
    gender = rng.choice(["F", "M", "X"], size=n, p=[0.46, 0.46, 0.08])
    region = rng.choice(REGIONS, size=n, p=[0.3, 0.3, 0.2, 0.2])
    signup = SIGNUP_START + rng.integers(0, SIGNUP_DAYS, size=n).astype("timedelta64[D]")
    debt = np.round(income * rng.gamma(2.0, 0.15, size=n) + rng.uniform(50, 500, size=n), 2)
    loan = np.round(income * rng.uniform(0.1, 3.0, size=n), 2)

    z_income = (income - 55_000) / 25_000
    z_debt = (debt - 17_000) / 12_000
    logit = (
        0.6
        + 3.6 * z_income
        - 2.9 * z_debt
        - 0.5 * (loan / income - 1.5)
        + 0.02 * (age - 50)
        + np.vectorize(REGION_EFFECT.get)(region)
    )
    approved = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)

    missing = rng.random(n) < 0.018  # income not reported; the label used the true income
    income = np.where(missing, np.nan, income)

    return pd.DataFrame(
        {
            "customer_id": [f"C{i:06d}" for i in ids],
            "age": age.astype(np.int64),
            "income": income,
            "gender": gender,
            "region": region,
            "signup": signup.astype("datetime64[ms]"),
            "debt": debt,
            "loan_amount": loan,
            "approved": approved,
        }
    )


def make_pipeline(numeric: list[str], c: float = 1.0) -> Pipeline:
    """Gender-blind: gender, customer_id and signup fall to remainder="drop"."""
    pre = ColumnTransformer(
        [
            (
                "num",
                Pipeline(
                    [("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]
                ),
                numeric,
            ),
            ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
        ],
        remainder="drop",
    )
    return Pipeline([("pre", pre), ("clf", LogisticRegression(C=c, max_iter=1000))])


def write_csv(df: pd.DataFrame, path: Path) -> None:
    out = df.copy()
    out["signup"] = out["signup"].dt.strftime("%Y-%m-%d")
    out.to_csv(path, index=False, lineterminator="\n")


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    # Built column by column (no pandas metadata in the schema) so the bytes never change.
    arrays = {
        "customer_id": pa.array(df["customer_id"].tolist(), pa.string()),
        "age": pa.array(df["age"].to_numpy(), pa.int64()),
        "income": pa.array(df["income"].to_numpy(), pa.float64(), from_pandas=True),
        "gender": pa.array(df["gender"].tolist(), pa.string()),
        "region": pa.array(df["region"].tolist(), pa.string()),
        "signup": pa.array(df["signup"].to_numpy().astype("datetime64[ms]"), pa.timestamp("ms")),
        "debt": pa.array(df["debt"].to_numpy(), pa.float64()),
        "loan_amount": pa.array(df["loan_amount"].to_numpy(), pa.float64()),
        "approved": pa.array(df["approved"].to_numpy(), pa.int64()),
    }
    pq.write_table(pa.table(arrays), path, compression="zstd", store_schema=False)


def write_traffic(df: pd.DataFrame, path: Path) -> None:
    lines = []
    for row in df[FEATURES].itertuples(index=False):
        body = {
            "age": int(row.age),
            "income": None if pd.isna(row.income) else float(row.income),
            "gender": str(row.gender),
            "region": str(row.region),
            "debt": float(row.debt),
            "loan_amount": float(row.loan_amount),
        }
        lines.append(json.dumps(body, separators=(", ", ": ")) + "\n")
    path.write_text("".join(lines), encoding="utf-8", newline="\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: here)")
    out = parser.parse_args(argv).out
    data_dir, model_dir = out / "data", out / "models"
    data_dir.mkdir(parents=True, exist_ok=True)
    model_dir.mkdir(parents=True, exist_ok=True)

    rng = np.random.default_rng(SEED)
    everyone = generate(rng, N_TRAIN + N_HOLDOUT + N_TRAFFIC)
    train = everyone.iloc[:N_TRAIN].reset_index(drop=True)
    holdout = everyone.iloc[N_TRAIN : N_TRAIN + N_HOLDOUT].reset_index(drop=True)
    traffic = everyone.iloc[N_TRAIN + N_HOLDOUT :].reset_index(drop=True)

    write_csv(train, data_dir / "train.csv")
    write_parquet(holdout, data_dir / "holdout.parquet")
    write_traffic(traffic, data_dir / "traffic.jsonl")

    x_train, y_train = train[FEATURES], train["approved"]
    x_hold, y_hold = holdout[FEATURES], holdout["approved"]

    model = make_pipeline(NUMERIC).fit(x_train, y_train)
    joblib.dump(model, model_dir / "credit.joblib")
    sio.dump(model, model_dir / "credit.skops")

    # The slightly weaker "base" model for baseline demos: the same recipe without loan_amount.
    base = make_pipeline(["age", "income", "debt"]).fit(x_train, y_train)
    joblib.dump(base, model_dir / "credit_base.joblib")

    auc = roc_auc_score(y_hold, model.predict_proba(x_hold)[:, 1])
    base_auc = roc_auc_score(y_hold, base.predict_proba(x_hold)[:, 1])
    print(
        f"rows: train={len(train)} holdout={len(holdout)} traffic={len(traffic)}; "
        f"holdout ROC AUC: credit={auc:.4f} base={base_auc:.4f}"
    )


if __name__ == "__main__":
    main()
