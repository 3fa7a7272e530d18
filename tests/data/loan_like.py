"""A seeded generator of a wide, loan-like table (as public loan data looks), for `mlgate init`.

`loan_frame(n, seed, start)` draws `n` loans issued in the 12 months from `start` (a year-month):
heavy-tailed counts (delinquencies, public records), amounts with long tails and zeros, rates as
fractions and as percents, month-like text (`Jan-2015`), ISO dates, real categoricals with a few
levels (some rare), an ID that grows with time, free text, codes like `B3` and `123xx`, constant
columns and missing values at several rates. A later window of the same process is the same
function with another seed and a later `start`; it drifts a little (rates and amounts rise).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
STATES = [
    "CA", "NY", "TX", "FL", "IL", "NJ", "PA", "OH", "GA", "VA", "NC", "MI", "MD", "MA", "AZ",
    "WA", "CO", "MN", "MO", "IN", "CT", "TN", "NV", "WI", "AL", "OR", "SC", "LA", "KY", "OK",
]  # fmt: skip
PURPOSES = {
    "debt_consolidation": 0.58, "credit_card": 0.22, "home_improvement": 0.065, "other": 0.061,
    "major_purchase": 0.022, "medical": 0.012, "small_business": 0.011, "car": 0.01,
    "moving": 0.007, "vacation": 0.006, "house": 0.005, "renewable_energy": 0.001,
}  # fmt: skip
EMP_LENGTH = ["< 1 year", "1 year", *(f"{k} years" for k in range(2, 10)), "10+ years"]
_TITLES = ("Senior", "Lead", "Junior", "Chief", "Staff", "Area", "Head", "Regional", "Principal")
_ROLES = ("Manager", "Teacher", "Nurse", "Driver", "Engineer", "Analyst", "Clerk", "Officer")
JOBS = [f"{a} {b}" for a in _TITLES for b in _ROLES]


def _month_text(months: np.ndarray) -> list[str]:
    """Months counted from year 0 as `Mon-YYYY`."""
    return [f"{MONTHS[m % 12]}-{m // 12}" for m in months]


def loan_frame(n: int, seed: int, start: str = "2015-01") -> pd.DataFrame:
    """`n` loans issued in the 12 months from `start`."""
    rng = np.random.default_rng(seed)
    year, month = (int(x) for x in start.split("-"))
    first = year * 12 + month - 1
    issue_m = first + rng.integers(0, 12, size=n)
    years_on = (first - 2015 * 12) / 12  # the drift of a later window
    grade_i = rng.choice(7, size=n, p=[0.17, 0.29, 0.28, 0.15, 0.07, 0.03, 0.01])
    sub = rng.integers(1, 6, size=n)
    int_rate = np.round(0.055 + grade_i * 0.035 + sub * 0.004 + 0.005 * years_on, 4)
    loan = np.clip(np.round(np.exp(rng.normal(np.log(12_000 * (1 + 0.04 * years_on)), 0.6, n))
                            / 25) * 25, 1000, 40_000)  # fmt: skip
    term = np.where(rng.random(n) < 0.72, " 36 months", " 60 months")
    months = np.where(term == " 36 months", 36, 60)
    r = int_rate / 12
    installment = np.round(loan * r / (1 - (1 + r) ** -months), 2)
    income = np.round(np.exp(rng.normal(np.log(65_000), 0.55, n)), -2)
    rich = rng.random(n) < 0.003
    income[rich] = np.round(income[rich] * (1 + rng.pareto(3.0, rich.sum()) * 3), -2)
    delinq = rng.negative_binomial(0.35, 0.55, size=n)  # ~80% zero, a long tail
    pub_rec = rng.negative_binomial(0.2, 0.7, size=n)
    open_acc = 1 + rng.negative_binomial(6, 0.35, size=n)
    total_acc = open_acc + rng.negative_binomial(4, 0.2, size=n)
    revol_bal = np.where(rng.random(n) < 0.02, 0.0, np.round(np.exp(rng.normal(9.3, 1.0, n))))
    revol_util = np.round(np.clip(rng.beta(2.2, 2.0, n) * 110, 0, None), 1)
    revol_util[rng.random(n) < 0.001] = np.nan
    dti = np.round(rng.gamma(4.0, 4.5, n), 2)
    dti[rng.random(n) < 0.002] = np.nan
    fico = 660 + 5 * np.minimum(rng.negative_binomial(3, 0.17, n), 37)
    since_delinq = np.where(rng.random(n) < 0.5, np.nan, rng.integers(0, 120, n)).astype(float)
    since_record = np.where(rng.random(n) < 0.84, np.nan, rng.integers(0, 125, n)).astype(float)
    paid = np.round(np.clip(rng.beta(3, 1.5, n), 0, 1), 4)
    out_prncp = np.round(np.where(rng.random(n) < 0.6, 0.0, loan * (1 - paid)), 2)
    emp_length = np.array(EMP_LENGTH, dtype=object)[
        rng.choice(11, size=n, p=[0.08, 0.07, 0.09, 0.08, 0.06, 0.06, 0.05, 0.05, 0.04, 0.04, 0.38])
    ]
    emp_length[rng.random(n) < 0.06] = None
    job = np.array(JOBS, dtype=object)[rng.integers(0, len(JOBS), n)]
    job[rng.random(n) < 0.07] = None
    last_pymnt = _month_text(issue_m + 1 + rng.integers(0, 30, n))
    last = np.array(last_pymnt, dtype=object)
    last[rng.random(n) < 0.01] = None
    credit_line = _month_text(issue_m - 12 * 3 - rng.negative_binomial(3, 0.02, n))
    tot_coll = np.where(rng.random(n) < 0.85, 0.0, np.round(np.exp(rng.normal(6, 1.3, n))))
    tot_coll[rng.random(n) < 0.05] = np.nan
    issue_day = pd.to_datetime(
        [f"{m // 12}-{m % 12 + 1:02d}-01" for m in issue_m]
    ) + pd.to_timedelta(rng.integers(0, 28, n), unit="D")
    ids = 1_000_000 + (first - 2015 * 12) * 50_000 + rng.choice(40_000 * 12, n, replace=False)
    frame = {
        "id": ids,
        "member_id": ids * 3 + 17,
        "loan_amnt": loan,
        "funded_amnt": loan - np.where(rng.random(n) < 0.03, 25 * rng.integers(1, 40, n), 0),
        "term": term,
        "int_rate": int_rate,
        "installment": installment,
        "grade": np.array(list("ABCDEFG"))[grade_i],
        "sub_grade": [f"{'ABCDEFG'[g]}{s}" for g, s in zip(grade_i, sub, strict=True)],
        "emp_title": job,
        "emp_length": emp_length,
        "home_ownership": rng.choice(["MORTGAGE", "RENT", "OWN"], n, p=[0.49, 0.40, 0.11]),
        "annual_inc": income,
        "verification_status": rng.choice(
            ["Not Verified", "Source Verified", "Verified"], n, p=[0.3, 0.38, 0.32]
        ),
        "issue_d": _month_text(issue_m),
        "issue_date": issue_day,
        "loan_status": rng.choice(["Fully Paid", "Charged Off", "Current"], n, p=[0.6, 0.15, 0.25]),
        "purpose": rng.choice(list(PURPOSES), n, p=list(PURPOSES.values())),
        "zip_code": [f"{z:03d}xx" for z in rng.integers(10, 999, n)],
        "addr_state": rng.choice(STATES, n),
        "dti": dti,
        "delinq_2yrs": delinq,
        "earliest_cr_line": credit_line,
        "fico_range_low": fico,
        "fico_range_high": fico + 4,
        "inq_last_6mths": rng.poisson(0.7, n),
        "mths_since_last_delinq": since_delinq,
        "mths_since_last_record": since_record,
        "open_acc": open_acc,
        "pub_rec": pub_rec,
        "revol_bal": revol_bal,
        "revol_util": revol_util,
        "total_acc": total_acc,
        "initial_list_status": rng.choice(["w", "f"], n, p=[0.55, 0.45]),
        "out_prncp": out_prncp,
        "frac_paid": paid,
        "total_pymnt": np.round(loan * paid * (1 + int_rate), 2),
        "last_pymnt_d": last,
        "collections_12_mths_ex_med": (rng.random(n) < 0.015).astype(int),
        "policy_code": np.ones(n, dtype=int),
        "application_type": rng.choice(["Individual", "Joint App"], n, p=[0.97, 0.03]),
        "acc_now_delinq": (rng.random(n) < 0.005).astype(int),
        "tot_coll_amt": tot_coll,
        "pct_tl_nvr_dlq": np.round(100 - np.minimum(rng.exponential(6, n), 100), 1),
        "hardship_flag": rng.random(n) < 0.01,
    }
    return pd.DataFrame(frame)
