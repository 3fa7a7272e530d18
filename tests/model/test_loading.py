"""Loading models: formats, skops trust, the fork-with-write-token pickle refusal, factories."""

from __future__ import annotations

import pickle
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from mlgate.config import load_config
from mlgate.context import RunContext, SkipCheck
from mlgate.errors import CheckError
from mlgate.model.loading import pickle_refusal

FORK_PRT = {
    "pull_request": {
        "head": {"repo": {"full_name": "mallory/x", "fork": True}},
        "base": {"repo": {"full_name": "acme/x", "fork": False}},
    }
}


def ctx_for(root: Path, models: str, **kw: Any) -> RunContext:
    (root / "mlgate.yml").write_text(
        "version: 1\nmodels:\n" + textwrap.indent(textwrap.dedent(models).strip(), "  ") + "\n",
        encoding="utf-8",
    )
    return RunContext(load_config(root / "mlgate.yml"), **kw)


def small_model() -> LogisticRegression:
    x = np.arange(40, dtype=float).reshape(-1, 1)
    return LogisticRegression().fit(x, (x[:, 0] > 20).astype(int))


def test_joblib_pickle_and_skops_load_the_same_model(tmp_path: Path) -> None:
    m = small_model()
    joblib.dump(m, tmp_path / "m.joblib")
    (tmp_path / "m.pkl").write_bytes(pickle.dumps(m))
    sio.dump(m, tmp_path / "m.skops")
    ctx = ctx_for(
        tmp_path,
        """
        a: {path: m.joblib}
        b: {path: m.pkl}
        c: {path: m.skops}
    """,
    )
    x = np.array([[3.0], [30.0]])
    for name in "abc":
        np.testing.assert_allclose(ctx.model(name).predict_proba(x), m.predict_proba(x))


def test_skops_lists_the_untrusted_types_until_they_are_trusted(tmp_path: Path) -> None:
    x = np.random.default_rng(0).random((60, 2))
    h = HistGradientBoostingClassifier(max_iter=3).fit(x, np.arange(60) % 2)
    sio.dump(h, tmp_path / "h.skops")
    ctx = ctx_for(tmp_path, "h: {path: h.skops}")
    with pytest.raises(CheckError) as err:
        ctx.model("h")
    msg = str(err.value)
    assert "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor" in msg
    assert "`trusted:`" in msg
    ctx = ctx_for(
        tmp_path,
        """
        h:
          path: h.skops
          trusted: [sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor]
    """,
    )
    np.testing.assert_allclose(ctx.model("h").predict_proba(x), h.predict_proba(x))


@pytest.mark.parametrize(
    ("event_name", "event", "refused"),
    [
        ("pull_request_target", FORK_PRT, True),
        (
            "pull_request_target",
            {
                "pull_request": {
                    "head": {"repo": {"full_name": "acme/x", "fork": False}},
                    "base": {"repo": {"full_name": "acme/x"}},
                }
            },
            False,
        ),
        ("pull_request", FORK_PRT, False),  # no write token in a fork's pull_request run
        (
            "workflow_run",
            {
                "workflow_run": {"head_repository": {"full_name": "mallory/x"}},
                "repository": {"full_name": "acme/x"},
            },
            True,
        ),
        (
            "workflow_run",
            {
                "workflow_run": {"head_repository": {"full_name": "acme/x"}},
                "repository": {"full_name": "acme/x"},
            },
            False,
        ),
        ("push", {}, False),
        ("pull_request_target", {"pull_request": {"head": {"repo": None}}}, True),  # fork gone
    ],
)
def test_pickle_refusal_detects_a_forks_run_with_a_write_token(
    event_name: str, event: dict[str, Any], refused: bool
) -> None:
    assert (pickle_refusal(event_name, event) is not None) is refused


def test_refused_pickle_says_why_and_allow_pickle_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    joblib.dump(small_model(), tmp_path / "m.joblib")
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request_target")
    ctx = ctx_for(tmp_path, "m: {path: m.joblib}", event=FORK_PRT)
    with pytest.raises(CheckError, match=r"fork mallory/x .*skops.*the safe format"):
        ctx.model("m")
    ctx = ctx_for(tmp_path, "m: {path: m.joblib, allow_pickle: true}", event=FORK_PRT)
    assert ctx.model("m").predict([[30.0]])[0] == 1


def test_a_factory_builds_the_model(tmp_path: Path) -> None:
    (tmp_path / "factory_pkg").mkdir()
    (tmp_path / "factory_pkg" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "factory_pkg" / "build.py").write_text(
        "class Const:\n"
        "    def predict(self, x):\n"
        "        return [0.5] * len(x)\n"
        "def make():\n"
        "    return Const()\n",
        encoding="utf-8",
    )
    ctx = ctx_for(tmp_path, "f: {factory: 'factory_pkg.build:make'}")
    assert ctx.model("f").predict([1, 2]) == [0.5, 0.5]
    bad = ctx_for(tmp_path, "f: {factory: 'factory_pkg.build:nope'}")
    with pytest.raises(
        CheckError,
        match=r"factory .factory_pkg.build:nope. failed: AttributeError",
    ):
        bad.model("f")


def test_ref_base_outside_a_pull_request_is_a_skip(tmp_path: Path) -> None:
    joblib.dump(small_model(), tmp_path / "m.joblib")
    ctx = ctx_for(tmp_path, "m: {path: m.joblib, ref: base}")
    with pytest.raises(SkipCheck, match="not for a pull request"):
        ctx.model("m")


def test_unknown_suffix_and_unreadable_file_name_the_problem(tmp_path: Path) -> None:
    (tmp_path / "m.bin").write_bytes(b"junk")
    (tmp_path / "m.joblib").write_bytes(b"junk")
    ctx = ctx_for(tmp_path, "a: {path: m.bin}\nb: {path: m.joblib}")
    with pytest.raises(CheckError, match=r"cannot tell the format of 'm.bin'.*`format:`"):
        ctx.model("a")
    with pytest.raises(
        CheckError, match=r"model 'b': 'm.joblib' is not a joblib file: it holds text"
    ):
        ctx.model("b")


def test_onnx_without_onnxruntime_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if it were not installed
    (tmp_path / "m.onnx").write_bytes(b"junk")
    ctx = ctx_for(tmp_path, "m: {path: m.onnx}")
    with pytest.raises(CheckError, match="onnxruntime"):
        ctx.model("m")


@pytest.mark.parametrize("zipmap", [True, False])
def test_an_onnx_classifier_scores_like_the_original(tmp_path: Path, zipmap: bool) -> None:
    pytest.importorskip("onnxruntime")
    skl2onnx = pytest.importorskip("skl2onnx")
    x = np.random.default_rng(0).normal(size=(200, 3)).astype(np.float32)
    m = LogisticRegression().fit(x, (x[:, 0] > 0).astype(int))
    onx = skl2onnx.to_onnx(m, x[:1], options={id(m): {"zipmap": zipmap}})
    (tmp_path / "m.onnx").write_bytes(onx.SerializeToString())
    ctx = ctx_for(tmp_path, "m: {path: m.onnx}")
    from mlgate.model.scoring import make_scorer

    df = pd.DataFrame(x, columns=["a", "b", "c"])
    sc = make_scorer("m", ctx.model("m"), {}, df.head(2))
    np.testing.assert_allclose(sc.scores(df), m.predict_proba(x)[:, 1], atol=1e-5)
    assert (sc.labels(df) == m.predict(x)).all()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"age,income\n31,52000\n45,61000\n", r"it holds text \(it starts 'age,income'\)"),
        (bytes(range(1, 200)) * 3, "does not start like one"),
        (b"", "the file is empty"),
        (b"version https://git-lfs.github.com/spec/v1\noid sha256:ab\n", "Git LFS pointer"),
        (pickle.dumps(list(range(100)))[:40], "damaged"),
    ],
)
@pytest.mark.parametrize("suffix", [".joblib", ".pkl"])
def test_a_file_that_is_not_a_pickle_says_so_plainly(
    tmp_path: Path, content: bytes, reason: str, suffix: str
) -> None:
    (tmp_path / f"m{suffix}").write_bytes(content)
    ctx = ctx_for(tmp_path, f"m: {{path: m{suffix}}}")
    fmt = "joblib" if suffix == ".joblib" else "pickle"
    with pytest.raises(CheckError) as info:
        ctx.model("m")
    message = str(info.value)
    assert message.startswith(f"model 'm': 'm{suffix}' is not a {fmt} file: "), message
    assert re.search(reason, message), message
    assert message.endswith(")")  # the underlying reason, last
    assert "Error" in message.rsplit("(", 1)[1]


def test_a_real_pickle_whose_class_is_missing_keeps_the_import_error(tmp_path: Path) -> None:
    data = pickle.dumps(small_model()).replace(b"sklearn.linear_model", b"sklearn.nolinearzzzz")
    (tmp_path / "m.pkl").write_bytes(data)
    ctx = ctx_for(tmp_path, "m: {path: m.pkl}")
    with pytest.raises(CheckError, match=r"cannot load 'm.pkl' as pickle: ModuleNotFoundError"):
        ctx.model("m")
