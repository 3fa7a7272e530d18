"""Loading the models declared under `models:`: joblib, pickle, skops, onnx or a factory.

`load_model` is what `ctx.model(name)` calls (once per run). Every failure is a `CheckError`
naming the model and the reason, so the model's checks are `error` and the rest of the gate runs.
"""

from __future__ import annotations

import importlib
import sys
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
        return _from_factory(spec, ctx)
    if not spec.path:
        raise CheckError(f"model {spec.name!r}: `path:` is required for format {fmt}")
    path = ctx.config.resolve(spec.path)
    if spec.ref:
        ref = resolve_ref(spec.ref, ctx.base_ref) or ctx.require_base_ref(f"model {spec.name!r}")
        path = materialize_at_ref(path, ref)
    if not path.exists():
        raise CheckError(f"model {spec.name!r}: file {spec.path!r} does not exist")
    try:
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
    except CheckError:
        raise
    except Exception as exc:
        if fmt in ("joblib", "pickle"):
            not_pickle = _not_a_pickle(path, exc)
            if not_pickle:
                raise CheckError(
                    f"model {spec.name!r}: {spec.path!r} is not a {fmt} file: {not_pickle}; "
                    f"point `path:` at the saved model, or set `format:` if the name misleads "
                    f"({_one_line(exc)})"
                ) from exc
        raise CheckError(
            f"model {spec.name!r}: cannot load {spec.path!r} as {fmt}: {_one_line(exc)}"
        ) from exc
    raise CheckError(f"model {spec.name!r}: unknown format {fmt!r}")


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


def _not_a_pickle(path: Path, exc: BaseException) -> str:
    """Why the file at `path` is plainly not a pickle/joblib file ("" when it may be one:
    it starts like one, or unpickling got as far as importing the model's classes)."""
    if isinstance(exc, (ImportError, AttributeError)):
        return ""
    try:
        with path.open("rb") as fh:
            head = fh.read(64)
    except OSError:
        return ""
    if not head:
        return "the file is empty"
    if head.startswith(_PICKLE_MAGIC):
        import pickle
        import zlib

        if isinstance(exc, (pickle.UnpicklingError, EOFError, zlib.error)):
            return "it starts like one but is damaged (cut short or corrupted?)"
        return ""
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
    return "it does not start like one (binary data of another kind)"


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
