"""Loading models: formats, skops trust, the fork-with-write-token pickle refusal, factories."""

from __future__ import annotations

import json
import pickle
import random
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
from mlgate.ghenv import GitHubEnv
from mlgate.model.loading import model_named

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
        np.testing.assert_allclose(model_named(ctx, name).predict_proba(x), m.predict_proba(x))


def test_skops_lists_the_untrusted_types_until_they_are_trusted(tmp_path: Path) -> None:
    x = np.random.default_rng(0).random((60, 2))
    h = HistGradientBoostingClassifier(max_iter=3).fit(x, np.arange(60) % 2)
    sio.dump(h, tmp_path / "h.skops")
    ctx = ctx_for(tmp_path, "h: {path: h.skops}")
    with pytest.raises(CheckError) as err:
        model_named(ctx, "h")
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
    np.testing.assert_allclose(model_named(ctx, "h").predict_proba(x), h.predict_proba(x))


SAME_PRT = {
    "pull_request": {
        "head": {"repo": {"full_name": "acme/x", "fork": False}},
        "base": {"repo": {"full_name": "acme/x"}},
    }
}
FORK_RUN = {
    "workflow_run": {"head_repository": {"full_name": "mallory/x"}},
    "repository": {"full_name": "acme/x"},
}
SAME_RUN = {
    "workflow_run": {"head_repository": {"full_name": "acme/x"}},
    "repository": {"full_name": "acme/x"},
}
UNREADABLE = object()  # an event file that exists but cannot be read
MISSING = object()  # GITHUB_EVENT_PATH names no file


def doubt(tmp_path: Path, event_name: str, event: Any, **env: str) -> str | None:
    """`untrusted_code()` in an Actions run of `event_name` with `event` as its payload file
    (None: no GITHUB_EVENT_PATH)."""
    environ = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event_name, **env}
    path = tmp_path / "event.json"
    if event is MISSING:
        environ["GITHUB_EVENT_PATH"] = str(tmp_path / "nowhere.json")
    elif event is UNREADABLE:
        path.mkdir()  # reading a folder fails
        environ["GITHUB_EVENT_PATH"] = str(path)
    elif event is not None:
        path.write_text(event if isinstance(event, str) else json.dumps(event), "utf-8")
        environ["GITHUB_EVENT_PATH"] = str(path)
    return GitHubEnv.from_environ(environ).untrusted_code()


@pytest.mark.parametrize(
    ("event_name", "event", "refused"),
    [
        ("pull_request_target", FORK_PRT, "for a pull request from the fork mallory/x"),
        ("pull_request_target", SAME_PRT, None),
        ("pull_request", FORK_PRT, None),  # no write token in a fork's pull_request run
        ("workflow_run", FORK_RUN, "for a run from the fork mallory/x"),
        ("workflow_run", SAME_RUN, None),
        ("push", {}, None),
        ("push", None, None),  # the event does not matter for a push
        ("pull_request_target", {"pull_request": {"head": {"repo": None}}}, "deleted fork"),
        # fail closed: whatever cannot show the code is the repository's own is refused
        (
            "workflow_run",
            {"workflow_run": {"head_repository": None}, "repository": {"full_name": "acme/x"}},
            "head repository is not given",
        ),
        ("workflow_run", {"repository": {"full_name": "acme/x"}}, "has no `workflow_run`"),
        ("workflow_run", {"workflow_run": {"head_repository": {"name": "x"}}}, "not given"),
        ("pull_request_target", None, "GITHUB_EVENT_PATH is not set"),
        ("pull_request_target", MISSING, "cannot be read"),
        ("pull_request_target", UNREADABLE, "cannot be read"),
        ("pull_request_target", "{not json", "is not valid JSON"),
        ("pull_request_target", "[1, 2]", "is not a JSON object"),
        ("workflow_run", MISSING, "cannot be read"),
        ("pull_request_target", {}, "names no pull request"),
        (
            "pull_request_target",
            {"pull_request": {"head": {"repo": {"fork": False}}, "base": {"repo": {}}}},
            "does not name both repositories",
        ),
        (
            "pull_request_target",
            {
                "pull_request": {
                    "head": {"repo": {"full_name": "acme/x", "fork": True}},
                    "base": {"repo": {"full_name": "acme/x"}},
                }
            },
            "from the fork acme/x",
        ),
        ("", None, "GITHUB_EVENT_NAME is not set"),
    ],
)
def test_the_pickle_guard_refuses_unless_the_code_is_shown_to_be_trusted(
    tmp_path: Path, event_name: str, event: Any, refused: str | None
) -> None:
    reason = doubt(tmp_path, event_name, event)
    if refused is None:
        assert reason is None
    else:
        assert reason is not None
        assert refused in reason


def test_the_pickle_guard_trusts_a_local_run_and_a_workflow_run_of_this_repository(
    tmp_path: Path,
) -> None:
    assert GitHubEnv.from_environ({}).untrusted_code() is None  # not in GitHub Actions
    run = {"workflow_run": {"head_repository": {"full_name": "acme/x"}}}
    assert doubt(tmp_path, "workflow_run", run, GITHUB_REPOSITORY="acme/x") is None
    assert "fork acme/x" in (doubt(tmp_path, "workflow_run", run, GITHUB_REPOSITORY="o/y") or "")


def test_refused_pickle_says_why_and_allow_pickle_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    joblib.dump(small_model(), tmp_path / "m.joblib")
    (tmp_path / "event.json").write_text(json.dumps(FORK_PRT), encoding="utf-8")
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request_target")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(tmp_path / "event.json"))
    ctx = ctx_for(tmp_path, "m: {path: m.joblib}")
    with pytest.raises(CheckError, match=r"fork mallory/x, .*skops.*the safe format"):
        model_named(ctx, "m")
    ctx = ctx_for(tmp_path, "m: {path: m.joblib, allow_pickle: true}")
    assert model_named(ctx, "m").predict([[30.0]])[0] == 1


@pytest.mark.parametrize("event_name", ["pull_request_target", "workflow_run"])
def test_a_pickle_is_refused_when_the_event_payload_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, event_name: str
) -> None:
    """The issue's cases: a payload that is gone used to let the pickle load."""
    (tmp_path / "m.pkl").write_bytes(pickle.dumps(small_model()))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_EVENT_NAME", event_name)
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(tmp_path / "gone.json"))
    ctx = ctx_for(tmp_path, "m: {path: m.pkl}")
    with pytest.raises(CheckError) as err:
        model_named(ctx, "m")
    message = str(err.value)
    assert message.startswith(
        f"model 'm': refusing to load a pickle file: this `{event_name}` run holds a write "
        f"token and the event payload {tmp_path / 'gone.json'} cannot be read"
    )
    assert "set `allow_pickle: true` on the model" in message


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
    assert model_named(ctx, "f").predict([1, 2]) == [0.5, 0.5]
    bad = ctx_for(tmp_path, "f: {factory: 'factory_pkg.build:nope'}")
    with pytest.raises(
        CheckError,
        match=r"factory .factory_pkg.build:nope. failed: AttributeError",
    ):
        model_named(bad, "f")


def test_ref_base_outside_a_pull_request_is_a_skip(tmp_path: Path) -> None:
    joblib.dump(small_model(), tmp_path / "m.joblib")
    ctx = ctx_for(tmp_path, "m: {path: m.joblib, ref: base}")
    with pytest.raises(SkipCheck, match="not for a pull request"):
        model_named(ctx, "m")


def test_unknown_suffix_and_unreadable_file_name_the_problem(tmp_path: Path) -> None:
    (tmp_path / "m.bin").write_bytes(b"junk")
    (tmp_path / "m.joblib").write_bytes(b"junk")
    ctx = ctx_for(tmp_path, "a: {path: m.bin}\nb: {path: m.joblib}")
    with pytest.raises(CheckError, match=r"cannot tell the format of 'm.bin'.*`format:`"):
        model_named(ctx, "a")
    with pytest.raises(
        CheckError, match=r"model 'b': 'm.joblib' is not a joblib file: it holds text"
    ):
        model_named(ctx, "b")


def test_onnx_without_onnxruntime_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if it were not installed
    (tmp_path / "m.onnx").write_bytes(b"junk")
    ctx = ctx_for(tmp_path, "m: {path: m.onnx}")
    with pytest.raises(CheckError, match="onnxruntime"):
        model_named(ctx, "m")


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
    sc = make_scorer("m", model_named(ctx, "m"), {}, df.head(2))
    np.testing.assert_allclose(sc.scores(df), m.predict_proba(x)[:, 1], atol=1e-5)
    assert (sc.labels(df) == m.predict(x)).all()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"age,income\n31,52000\n45,61000\n", r"it holds text \(it starts 'age,income'\)"),
        (bytes(range(1, 200)) * 3, "does not start like one"),
        (b"", "the file is empty"),
        (b"version https://git-lfs.github.com/spec/v1\noid sha256:ab\n", "Git LFS pointer"),
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
        model_named(ctx, "m")
    message = str(info.value)
    assert message.startswith(f"model 'm': 'm{suffix}' is not a {fmt} file: "), message
    assert re.search(reason, message), message
    if "start like" in reason:  # the underlying reason, last
        assert message.endswith(")")
        assert "Error" in message.rsplit("(", 1)[1]
    else:  # plainly no model: what the reader said ("KeyError: 110") is noise
        assert message.endswith(
            "; point `path:` at the saved model, or set `format:` if the name misleads"
        ), message


def test_a_real_pickle_whose_class_is_missing_keeps_the_import_error(tmp_path: Path) -> None:
    data = pickle.dumps(small_model()).replace(b"sklearn.linear_model", b"sklearn.nolinearzzzz")
    (tmp_path / "m.pkl").write_bytes(data)
    ctx = ctx_for(tmp_path, "m: {path: m.pkl}")
    with pytest.raises(CheckError, match=r"cannot load 'm.pkl' as pickle: ModuleNotFoundError"):
        model_named(ctx, "m")


def _damaged(data: bytes, how: str, rnd: random.Random) -> bytes:
    out = bytearray(data)
    if how == "cut":
        return bytes(out[: rnd.randrange(1, len(out) - 1)])
    if how == "flipped":
        for _ in range(5):
            out[rnd.randrange(2, len(out))] ^= 0xFF
    else:
        i = rnd.randrange(2, len(out) - 50)
        out[i : i + 50] = bytes(50)
    return bytes(out)


@pytest.mark.parametrize("compress", [0, 3])
@pytest.mark.parametrize("how", ["cut", "flipped", "zeroed"])
def test_a_damaged_joblib_or_pickle_says_it_is_damaged_and_what_to_do(
    tmp_path: Path, how: str, compress: int
) -> None:
    """Every damage is named as such, with the next step, whatever error unpickling hit
    (KeyError: 0, ValueError, zlib.error, ... used to be shown raw)."""
    model = LogisticRegression().fit(np.arange(40.0).reshape(-1, 2), np.arange(20) % 2)
    joblib.dump(model, tmp_path / "good.joblib", compress=compress)
    data = (tmp_path / "good.joblib").read_bytes()
    rnd = random.Random(f"{how}{compress}")
    errors = 0
    for i in range(12):
        (tmp_path / f"m{i}.joblib").write_bytes(_damaged(data, how, rnd))
        ctx = ctx_for(tmp_path, f"m: {{path: m{i}.joblib}}")
        try:
            model_named(ctx, "m")
        except CheckError as err:
            errors += 1
            message = str(err)
            assert re.search(
                r"^model 'm': ('m\d+.joblib' is damaged: .*save or fetch the model again"
                r"|cannot load 'm\d+.joblib' as joblib: it is damaged, or it was saved with "
                r"other versions of its libraries than this run has \(scikit-learn )",
                message,
            ), message
            assert message.endswith(")"), message
    assert errors >= 6  # some damage leaves a loadable file


def test_a_pickle_cut_short_says_so(tmp_path: Path) -> None:
    (tmp_path / "m.pkl").write_bytes(pickle.dumps(small_model())[:200])
    ctx = ctx_for(tmp_path, "m: {path: m.pkl}")
    with pytest.raises(CheckError) as err:
        model_named(ctx, "m")
    assert str(err.value) == (
        "model 'm': 'm.pkl' is damaged: it ends too early or its bytes are corrupted (cut short "
        "while copying or downloading?); save or fetch the model again (UnpicklingError: pickle "
        "data was truncated)"
    )


def test_a_damaged_skops_file_says_so(tmp_path: Path) -> None:
    sio.dump(small_model(), tmp_path / "good.skops")
    (tmp_path / "m.skops").write_bytes((tmp_path / "good.skops").read_bytes()[:300])
    ctx = ctx_for(tmp_path, "m: {path: m.skops}")
    with pytest.raises(CheckError, match=r"^model 'm': 'm.skops' is damaged: it ends too early"):
        model_named(ctx, "m")


def test_a_damaged_onnx_file_names_the_runtime_version(tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    (tmp_path / "m.onnx").write_bytes(b"\x08\x07\x12\x04junkjunkjunk")
    ctx = ctx_for(tmp_path, "m: {path: m.onnx}")
    with pytest.raises(
        CheckError,
        match=r"^model 'm': cannot load 'm.onnx' as onnx: it is damaged, or it was saved with "
        r"other versions of its libraries than this run has \(onnxruntime \d",
    ):
        model_named(ctx, "m")


NOT_MODELS = """
def weights():
    return {"coef": [1, 2]}
"""


def test_a_file_or_factory_holding_no_model_says_what_it_holds(tmp_path: Path) -> None:
    """A dict saved in the model's place used to load, then fail every check with
    "AttributeError: 'dict' object has no attribute 'predict'" (latency: "the check crashed")."""
    joblib.dump({"coef": [1, 2]}, tmp_path / "d.joblib")
    joblib.dump(np.arange(3), tmp_path / "a.joblib")
    (tmp_path / "not_models.py").write_text(NOT_MODELS, encoding="utf-8")
    ctx = ctx_for(
        tmp_path,
        """
        d: {path: d.joblib}
        a: {path: a.joblib}
        f: {factory: "not_models:weights"}
        """,
    )
    said = {}
    for name in ("d", "a", "f"):
        with pytest.raises(CheckError) as info:
            model_named(ctx, name)
        said[name] = str(info.value)
    assert said == {
        "d": "models.d: d.joblib holds a dict, not a model (no predict method)",
        "a": "models.a: a.joblib holds a numpy.ndarray, not a model (no predict method)",
        "f": "models.f: factory 'not_models:weights' returned a dict, not a model "
        "(no predict method)",
    }
