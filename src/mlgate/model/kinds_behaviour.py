"""`invariance:`, `directional:` and `cases:` check kinds (`latency:` is in `kinds_latency`)."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from mlgate.checks import CHECKS, CheckSpec, Outcome
from mlgate.context import RunContext
from mlgate.datasets import dataset_named
from mlgate.errors import CheckError
from mlgate.model.behaviour import Behaviour, directional, invariance
from mlgate.model.scoring import Scorer, scored, scorer
from mlgate.model.stats import bounds_text, fmt, within

if TYPE_CHECKING:
    import pandas as pd


def _limit(ctx: RunContext) -> int:
    return max(1, ctx.config.report.max_failures_shown)


@CHECKS.register("model.invariance")
def check_invariance(spec: CheckSpec, ctx: RunContext) -> Outcome:
    p = dict(spec.params)
    s = scored(ctx, p["model"], p["dataset"])
    result = invariance(
        s.scorer,
        s.frame,
        p["feature"],
        values=p.get("values"),
        noise=p.get("noise"),
        tolerance=float(p.get("tolerance", 0.0)),
        max_fail_rate=float(p.get("max_fail_rate", 0.0)),
        sample=p.get("sample"),
        base_scores=s.score,
        limit=_limit(ctx),
    )
    return _outcome(result)


@CHECKS.register("model.directional")
def check_directional(spec: CheckSpec, ctx: RunContext) -> Outcome:
    p = dict(spec.params)
    s = scored(ctx, p["model"], p["dataset"])
    result = directional(
        s.scorer,
        s.frame,
        p["feature"],
        p["change"],
        p["expect"],
        tolerance=float(p.get("tolerance", 0.0)),
        max_fail_rate=float(p.get("max_fail_rate", 0.0)),
        saturation=float(p.get("saturation", 0.01)),
        sample=p.get("sample"),
        base_scores=s.score,
        limit=_limit(ctx),
    )
    return _outcome(result)


def typical_row(df: pd.DataFrame) -> dict[str, Any]:
    """A typical value per column: the median of numbers and dates, else the most frequent."""
    from pandas.api import types as t

    out: dict[str, Any] = {}
    for col in df.columns:
        s = df[col].dropna()
        if not len(s):
            out[col] = None
        elif t.is_bool_dtype(s):
            out[col] = bool(s.mode().iloc[0])
        elif t.is_integer_dtype(s):
            out[col] = round(float(s.median()))
        elif t.is_numeric_dtype(s) or t.is_datetime64_any_dtype(s):
            out[col] = s.median()
        else:
            out[col] = s.mode().iloc[0]
    return out


def case_frame(cases: list[dict[str, Any]], like: pd.DataFrame | None) -> pd.DataFrame:
    """One row per case: its `input`, the rest from the dataset's typical row, in its dtypes
    (cases that `case_problems` finds nothing wrong with)."""
    import pandas as pd

    if like is None:
        return pd.DataFrame([dict(c["input"]) for c in cases])
    base = typical_row(like)
    frame = pd.DataFrame([{**base, **c["input"]} for c in cases], columns=list(like.columns))
    for col in like.columns:
        with contextlib.suppress(TypeError, ValueError):
            frame[col] = frame[col].astype(like[col].dtype)
    return frame


def case_problems(
    cases: list[dict[str, Any]], like: pd.DataFrame | None, sc: Scorer
) -> dict[int, str]:
    """Per case, what keeps it from being scored: a column the dataset does not have, a value
    that does not fit its column's type, or (without a dataset) a feature it does not give."""
    import pandas as pd

    from mlgate.registry import suggest

    out: dict[int, str] = {}
    for i, c in enumerate(cases):
        bad = []
        if like is None:
            missing = [f for f in sc.features or () if f not in c["input"]]
            if missing:
                bad.append(
                    "cases without `dataset:` must give every feature; missing: "
                    + ", ".join(missing)
                )
        else:
            columns = list(map(str, like.columns))
            for k, v in c["input"].items():
                if k not in like.columns:
                    bad.append(f"column `{k}` is not in the data{suggest(k, columns)}")
                    continue
                if v is None:
                    continue
                try:
                    pd.Series([v]).astype(like[k].dtype)
                except (TypeError, ValueError):
                    bad.append(f"{k}={v!r} does not fit column `{k}` ({like[k].dtype})")
        if bad:
            out[i] = "; ".join(bad)
    return out


def _case_results(
    ctx: RunContext, p: dict[str, Any], group: str
) -> tuple[Any, Any, dict[int, str]]:
    """Scores, labels and, per case that could not be scored, why (one bad case does not
    stop the others: the rest are scored together)."""

    def build() -> tuple[Any, Any, dict[int, str]]:
        import numpy as np

        like = dataset_named(ctx, p["dataset"]) if p.get("dataset") else None
        sc = scorer(ctx, p["model"], p.get("dataset"))
        cases = p["cases"]
        problems = case_problems(cases, like, sc)
        score = np.full(len(cases), np.nan)
        label = np.empty(len(cases), dtype=object)
        good = [i for i in range(len(cases)) if i not in problems]
        if not good:
            return score, label, problems
        frame = case_frame([cases[i] for i in good], like)
        try:
            score[good], label[good] = sc.scores_and_labels(frame)
        except CheckError:
            raise
        except Exception:
            for j, i in enumerate(good):  # find the cases the model cannot score
                try:
                    one_score, one_label = sc.scores_and_labels(frame.iloc[[j]])
                    score[i], label[i] = one_score[0], one_label[0]
                except CheckError:
                    raise
                except Exception as exc:
                    text = str(exc).strip().splitlines()
                    problems[i] = (
                        f"model {p['model']!r} failed to predict it: {type(exc).__name__}"
                        + (f": {text[0]}" if text else "")
                    )
        return score, label, problems

    key = ("model-cases", group, p["model"], p.get("dataset"))
    return ctx.memo(key, build)


@CHECKS.register("model.case")
def check_case(spec: CheckSpec, ctx: RunContext) -> Outcome:
    p = dict(spec.params)
    score, label, unscored = _case_results(ctx, p, spec.group)
    i = p["index"]
    case = p["cases"][i]
    if i in unscored:
        inputs = ", ".join(f"{k}={v!r}" for k, v in case["input"].items())
        raise CheckError(f"case ({inputs}) cannot be scored: {unscored[i]}")
    expect = case["expect"]
    got_score, got_label = float(score[i]), label[i]
    got_label = got_label.item() if hasattr(got_label, "item") else got_label
    problems, said = [], []
    if "label" in expect:
        want = expect["label"]
        same = got_label == want or str(got_label) == str(want)
        if isinstance(got_label, float) and isinstance(want, (int, float)):
            same = got_label == float(want)
        said.append(f"label {got_label!r}")
        if not same:
            problems.append(f"label {got_label!r}, expected {want!r}")
    if "score" in expect:
        lo, hi = expect["score"].get("min"), expect["score"].get("max")
        said.append(f"score {fmt(got_score)}")
        if not within(got_score, lo, hi):
            problems.append(f"score {fmt(got_score)}, expected {bounds_text(lo, hi)}")
    inputs = ", ".join(f"{k}={v!r}" for k, v in case["input"].items())
    example = {
        **{k: v for k, v in case["input"].items()},
        "score": round(got_score, 6),
        "label": got_label,
    }
    expected = {
        k: (bounds_text(v.get("min"), v.get("max")) if k == "score" else v)
        for k, v in expect.items()
        if k in ("label", "score")
    }
    if problems:
        return Outcome.failed(
            f"case ({inputs}): " + "; ".join(problems),
            observed={"score": got_score, "label": got_label},
            expected=expected,
            examples=[example],
            details={"score": got_score, "label": got_label},
        )
    return Outcome.passed(
        f"case ({inputs}): " + ", ".join(said) + " as expected",
        observed={"score": got_score, "label": got_label},
        expected=expected,
        details={"score": got_score, "label": got_label},
    )


def _outcome(result: Behaviour) -> Outcome:
    """A behavioural test's verdict: its fail rate against the allowed rate."""
    return Outcome.judge(
        result.ok,
        result.message,
        observed=result.details["rate"],
        expected=f"<= {fmt(result.details['max_fail_rate'])}",
        examples=result.examples,
        details=result.details,
    )
