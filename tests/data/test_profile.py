"""One pass per suite: the profile is the same whole or chunked, and computed once per run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from mlgate.data import judge
from mlgate.data.pandas_backend import ChunkSource, FrameSource, PandasBackend
from mlgate.data.plan import declare
from mlgate.data.suite import build_suite
from tests.data.helpers import run_gate

ENTRY = {
    "dataset": "d",
    "unique": ["k"],
    "duplicates": {"max": 0},
    "columns": {
        "x": {
            "type": "float",
            "min": -5,
            "max": 5,
            "mean": {"max": 1},
            "std": {"max": 2},
            "median": {"min": -1},
            "quantiles": {"0.9": {"max": 3}},
            "max_missing": 0.1,
        },
        "c": {"allowed": ["a", "b"], "pattern": "[ab]", "unique": True},
        "k": {"nullable": False},
    },
    "rules": [{"expr": "x < 4 or c == 'a'"}],
}


def _outcomes(df: pd.DataFrame, chunk: int | None) -> list[tuple[str, str, object, object]]:
    suite = build_suite(ENTRY, "s", max_examples=50)
    if chunk is None:
        source: FrameSource | ChunkSource = FrameSource("d", df)
    else:

        def parts() -> Iterator[pd.DataFrame]:
            for i in range(0, len(df), chunk):
                yield df.iloc[i : i + chunk].reset_index(drop=True)

        source = ChunkSource("d", parts)
    profile = PandasBackend().profile(source, suite)
    declared, _ = declare(ENTRY, "s")
    out = []
    for d in declared:
        if d.kind.startswith("data.column.") and d.kind != "data.column.stat":
            o = judge.column(d.params, suite, profile, d.kind.rsplit(".", 1)[1])
        elif d.kind == "data.column.stat":
            o = judge.stat(d.params, suite, profile)
        elif d.kind == "data.unique":
            o = judge.unique(d.params, profile)
        elif d.kind == "data.duplicates":
            o = judge.duplicates(d.params, profile)
        else:
            o = judge.rule(d.params, suite, profile)
        observed = round(o.observed, 9) if isinstance(o.observed, float) else o.observed
        out.append((d.kind, o.status, observed, str(o.examples)))
    return out


frames = st.integers(1, 60).flatmap(
    lambda n: st.builds(
        lambda xs, cs, ks: pd.DataFrame({"x": xs, "c": cs, "k": ks}),
        st.lists(st.one_of(st.none(), st.floats(-10, 10, allow_nan=False)), min_size=n, max_size=n),
        st.lists(st.sampled_from(["a", "b", "z", None]), min_size=n, max_size=n),
        st.lists(st.integers(0, 8), min_size=n, max_size=n),
    )
)


@settings(max_examples=60, deadline=None)
@given(df=frames, chunk=st.integers(1, 25))
def test_chunked_and_whole_profiles_judge_the_same(df: pd.DataFrame, chunk: int) -> None:
    df["x"] = df["x"].astype("float64")
    assert _outcomes(df, chunk) == _outcomes(df, None)


def test_the_mean_and_std_merged_over_chunks_match_numpy() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(1e6, 3.0, 10_001)
    df = pd.DataFrame({"x": x, "c": "a", "k": range(len(x))})
    suite = build_suite(ENTRY, "s")

    def parts() -> Iterator[pd.DataFrame]:
        for i in range(0, len(df), 777):
            yield df.iloc[i : i + 777]

    cp = PandasBackend().profile(ChunkSource("d", parts), suite).column["x"]
    assert abs(cp.mean - x.mean()) < 1e-6
    assert abs(cp.std() - x.std(ddof=1)) < 1e-9 * x.std()  # type: ignore[operator]


def test_a_suite_reads_and_profiles_its_dataset_once(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import mlgate.data.kinds as kinds

    calls = []
    real = kinds.pandas_backend().profile

    def counting(*a, **k):  # type: ignore[no-untyped-def]
        calls.append(a[1].dataset)
        return real(*a, **k)

    monkeypatch.setattr(kinds.pandas_backend(), "profile", counting)
    pd.DataFrame({"a": range(10), "b": list("abcdefghij")}).to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "mlgate.yml").write_text(
        "version: 1\ndatasets: {d: {path: d.csv, chunk_rows: 3}}\ndata:\n"
        "  - dataset: d\n    rows: {min: 10}\n    columns:\n"
        "      a: {type: integer, min: 0, max: 9, nullable: false}\n"
        "      b: {allowed: [a, b, c, d, e, f, g, h, i, j], unique: true}\n"
    )
    code, checks = run_gate(tmp_path)
    assert code == 0
    assert len(checks) == 7
    assert calls == ["d"]


def test_streamed_values_beyond_the_cap_are_the_same_sample_for_any_chunking(
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    import mlgate.data.pandas_backend as pb

    monkeypatch.setattr(pb, "SAMPLE_CAP", 100)
    x = np.arange(1000, dtype=float)
    x[::7] = np.nan
    df = pd.DataFrame({"x": x, "c": "a", "k": 1})
    suite = build_suite(ENTRY, "s")

    def sample(chunk: int) -> np.ndarray:
        def parts() -> Iterator[pd.DataFrame]:
            for i in range(0, len(df), chunk):
                yield df.iloc[i : i + chunk]

        cp = PandasBackend().profile(ChunkSource("d", parts), suite).column["x"]
        assert cp.sampled
        assert cp.count == 857
        return np.sort(np.concatenate(cp.values))

    first = sample(33)
    assert len(first) == 100
    assert np.array_equal(first, sample(1000))
    assert np.array_equal(first, sample(250))
