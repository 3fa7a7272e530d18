"""Loading the models declared under `models:`: joblib, pickle, skops, onnx or a factory.

`load_model` is what `model_named(ctx, name)` calls (once per run). Every failure is a `CheckError`
naming the model and the reason, so the model's checks are `error` and the rest of the gate runs.
"""

from __future__ import annotations

import importlib
import sys
import warnings
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlgate.errors import CheckError
from mlgate.ghenv import GitHubEnv
from mlgate.gitref import materialize_at_ref, resolve_ref

if TYPE_CHECKING:
    from mlgate.config.model import ModelSpec
    from mlgate.context import RunContext

FORMATS = ("joblib", "pickle", "skops", "onnx", "python")
_SUFFIXES = {
    ".joblib": "joblib",
    ".jbl": "joblib",
    ".pkl": "pickle",
    ".pickle": "pickle",
    ".skops": "skops",
    ".onnx": "onnx",
}


def model_format(spec: ModelSpec) -> str:
    """`format:` as written, else from the file name (`python` when a factory is given)."""
    fmt = spec.params.get("format")
    if fmt:
        return str(fmt)
    if spec.params.get("factory"):
        return "python"
    if spec.path:
        suffix = Path(spec.path).suffix.lower()
        if suffix in _SUFFIXES:
            return _SUFFIXES[suffix]
    raise CheckError(
        f"model {spec.name!r}: cannot tell the format of {spec.path!r} from its name; "
        f"set `format:` to one of {', '.join(FORMATS)}"
    )


def model_named(ctx: RunContext, name: str) -> Any:
    """The named model, loaded once per run."""
    spec = ctx.config.models.get(name)
    if spec is None:
        raise CheckError(f"model {name!r} is not declared under `models:`")
    return ctx.memo(("model", name), lambda: load_model(spec, ctx))


def load_model(spec: ModelSpec, ctx: RunContext) -> Any:
    """The loaded model for `spec` (see the module docstring); raises `CheckError` on failure."""
    fmt = model_format(spec)
    if fmt in ("pickle", "joblib") and not spec.params.get("allow_pickle"):
        reason = GitHubEnv.from_environ().untrusted_code()
        if reason:
            raise CheckError(
                f"model {spec.name!r}: refusing to load a {fmt} file: {reason}, and unpickling "
                "runs any code the file contains. Save the model with skops (format: skops, "
                "the safe format), or set `allow_pickle: true` on the model if you trust "
                "every fork that can open a pull request"
            )
    if fmt == "python":
        return _a_model(spec, _from_factory(spec, ctx), f"factory {spec.params['factory']!r}")
    if not spec.path:
        raise CheckError(f"model {spec.name!r}: `path:` is required for format {fmt}")
    path = ctx.config.resolve(spec.path)
    if spec.ref:
        ref = resolve_ref(spec.ref, ctx.base_ref) or ctx.require_base_ref(f"model {spec.name!r}")
        path = materialize_at_ref(path, ref)
    if not path.exists():
        raise CheckError(f"model {spec.name!r}: file {spec.path!r} does not exist")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            model = _load_file(spec, fmt, path)
        except CheckError:
            raise
        except Exception as exc:
            raise CheckError(
                f"model {spec.name!r}: {_load_failure(spec.path or '', fmt, path, exc, seen)}"
            ) from exc
    for w in seen:  # a model that loads keeps its warnings (e.g. another scikit-learn version)
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return _a_model(spec, model, str(spec.path))


def _a_model(spec: ModelSpec, model: Any, source: str) -> Any:
    """`model` when it can predict; else a `CheckError` saying what `source` holds instead
    (a dict of weights, an array, … saved in the model's place)."""
    if callable(getattr(model, "predict", None)):
        return model
    kind = type(model)
    name = kind.__qualname__
    if kind.__module__ != "builtins":
        name = f"{kind.__module__.split('.')[0]}.{name}"
    article = "an" if name[:1].lower() in "aeiou" else "a"
    verb = "returned" if source.startswith("factory ") else "holds"
    raise CheckError(
        f"models.{spec.name}: {source} {verb} {article} {name}, not a model (no predict method)"
    )


def _load_file(spec: ModelSpec, fmt: str, path: Path) -> Any:
    """The model in the file at `path`, read as `fmt`."""
    if fmt == "joblib":
        import joblib

        return joblib.load(path)
    if fmt == "pickle":
        import pickle

        with path.open("rb") as fh:
            return pickle.load(fh)
    if fmt == "skops":
        return _load_skops(spec, path)
    if fmt == "onnx":
        from mlgate.model.onnx import OnnxModel

        return OnnxModel(path)
    raise CheckError(f"model {spec.name!r}: unknown format {fmt!r}")


def _load_failure(
    shown: str, fmt: str, path: Path, exc: BaseException, seen: list[warnings.WarningMessage]
) -> str:
    """What went wrong loading `path` as `fmt`, and what to do about it."""
    raw = f"({_one_line(exc)})"
    head = _head(path)
    other = _not_a_model_file(head)
    pickled = fmt in ("joblib", "pickle")
    if other and not (pickled and isinstance(exc, (ImportError, AttributeError))):
        return (  # what the reader said of text or an empty file is noise ("KeyError: 110")
            f"{shown!r} is not a {fmt} file: {other}; point `path:` at the saved model, "
            "or set `format:` if the name misleads"
        )
    saved_with = _version_note(seen)
    if pickled and isinstance(exc, (ImportError, AttributeError)):
        return (
            f"cannot load {shown!r} as {fmt}: {_one_line(exc)}; it needs a package or a class "
            "that this environment does not have: install what the model was built with "
            f"(the action's `requirements` input){saved_with}"
        )
    if pickled and not head.startswith(_PICKLE_MAGIC):
        return f"{shown!r} is not a {fmt} file: it does not start like one {raw}"
    cut = isinstance(exc, EOFError) or "truncated" in str(exc).lower()
    if cut or (not pickled and isinstance(exc, (zipfile.BadZipFile, EOFError))):
        return (
            f"{shown!r} is damaged: it ends too early or its bytes are corrupted (cut short "
            f"while copying or downloading?); save or fetch the model again {raw}"
        )
    if pickled and isinstance(exc, _CORRUPT):
        return (
            f"{shown!r} is damaged: it starts like a {fmt} file but its bytes are corrupted; "
            f"save or fetch the model again {raw}"
        )
    return (
        f"cannot load {shown!r} as {fmt}: it is damaged, or it was saved with other versions "
        f"of its libraries than this run has ({_versions(fmt)}){saved_with}; save it again with "
        f"these versions, or install the ones it was saved with {raw}"
    )


def _corrupt_errors() -> tuple[type[BaseException], ...]:
    import pickle
    import struct
    import zlib

    return (
        pickle.UnpicklingError,
        KeyError,
        IndexError,
        zlib.error,
        struct.error,
        MemoryError,
        OverflowError,
        UnicodeDecodeError,
    )


_CORRUPT = _corrupt_errors()


def _version_note(seen: list[warnings.WarningMessage]) -> str:
    """scikit-learn's own word on a model saved with another version, if it gave one."""
    for w in seen:
        if type(w.message).__name__ == "InconsistentVersionWarning":
            msg = w.message
            old = getattr(msg, "original_sklearn_version", None)
            new = getattr(msg, "current_sklearn_version", None)
            if old and new:
                return f"; it was saved with scikit-learn {old}, this run has {new}"
    return ""


_LIBRARIES = {
    "onnx": ("onnxruntime",),
    "skops": ("skops", "scikit-learn", "numpy"),
}


def _versions(fmt: str) -> str:
    """The versions of the libraries that read `fmt` in this run."""
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for name in _LIBRARIES.get(fmt, ("scikit-learn", "numpy", "joblib")):
        try:
            out.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            continue
    return ", ".join(out) or "unknown"


#: How a pickle (protocol 2+) or a compressed joblib file starts.
_PICKLE_MAGIC = (
    b"\x80",  # pickle protocol 2 and later (what pickle and joblib write)
    b"\x1f\x8b",  # gzip
    b"BZh",  # bz2
    b"\xfd7zXZ\x00",  # xz
    b"]\x00\x00",  # lzma
    b'\x04"M\x18',  # lz4
    b"ZF",  # joblib's old zlib container
    b"\x78\x01",  # zlib
    b"\x78\x5e",
    b"\x78\x9c",
    b"\x78\xda",
)


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(64)
    except OSError:
        return b""


def _not_a_model_file(head: bytes) -> str:
    """Why a file starting with `head` is plainly no saved model of any format ("" when it
    may be one): empty, a Git LFS pointer, or text."""
    if not head:
        return "the file is empty"
    if head.startswith(b"version https://git-lfs"):
        return (
            "it is a Git LFS pointer, not the model; fetch the LFS files "
            "(actions/checkout with `lfs: true`, or `git lfs pull`)"
        )
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as err:  # a character cut at the end of the 64 bytes is fine
        text = head[: err.start].decode("utf-8") if err.start >= len(head) - 3 else ""
    if text and all(c.isprintable() or c in "\r\n\t" for c in text):
        first = text.splitlines()[0] if text.strip() else text
        shown = first[:40] + ("…" if len(first) > 40 else "")
        return f"it holds text (it starts {shown!r}), not a saved model"
    return ""


def _load_skops(spec: ModelSpec, path: Path) -> Any:
    import skops.io as sio

    trusted = [str(t) for t in spec.params.get("trusted", [])]
    untrusted = [t for t in sio.get_untrusted_types(file=path) if t not in trusted]
    if untrusted:
        listed = ", ".join(untrusted)
        raise CheckError(
            f"model {spec.name!r}: skops refuses {spec.path!r}: it contains types that are not "
            f"trusted: {listed}. If you trust them, list them under `trusted:` on the model"
        )
    return sio.load(path, trusted=trusted or None)


def _from_factory(spec: ModelSpec, ctx: RunContext) -> Any:
    target = spec.params.get("factory")
    if not target:
        raise CheckError(f"model {spec.name!r}: format python needs `factory: pkg.module:function`")
    module_name, _, func_name = str(target).partition(":")
    root = str(ctx.config.root.resolve())
    added = root not in sys.path
    if added:
        sys.path.insert(0, root)
    try:
        module = importlib.import_module(module_name)
        factory = getattr(module, func_name)
        if spec.path:
            path = ctx.config.resolve(spec.path)
            if spec.ref:
                ref = resolve_ref(spec.ref, ctx.base_ref) or ctx.require_base_ref(
                    f"model {spec.name!r}"
                )
                path = materialize_at_ref(path, ref)
            return factory(str(path))
        return factory()
    except CheckError:
        raise
    except Exception as exc:
        from mlgate.context import SkipCheck

        if isinstance(exc, SkipCheck):
            raise
        raise CheckError(
            f"model {spec.name!r}: factory {target!r} failed: {_one_line(exc)}"
        ) from exc
    finally:
        if added and root in sys.path:
            sys.path.remove(root)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")
