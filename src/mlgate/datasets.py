"""Reading the datasets declared under `datasets:` into pandas DataFrames."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mlgate.errors import DatasetError
from mlgate.gitref import materialize_at_ref, resolve_ref

if TYPE_CHECKING:
    import pandas as pd

    from mlgate.config.model import DatasetSpec
    from mlgate.context import RunContext

FORMATS = ("csv", "tsv", "parquet", "jsonl", "feather")


def detect_format(path: str) -> str:
    name = path.lower()
    for suffix in (".gz", ".zst", ".bz2", ".xz"):
        name = name.removesuffix(suffix)
    for fmt, endings in {
        "csv": (".csv",),
        "tsv": (".tsv", ".tab"),
        "parquet": (".parquet", ".pq"),
        "jsonl": (".jsonl", ".ndjson"),
        "feather": (".feather", ".arrow"),
    }.items():
        if name.endswith(endings):
            return fmt
    raise DatasetError(
        f"cannot tell the format of {path!r} from its name; set `format:` to one of "
        + ", ".join(FORMATS)
    )


def read_dataset(spec: DatasetSpec, ctx: RunContext) -> pd.DataFrame:
    """Read one dataset; any failure is a `DatasetError` naming the file and the reason."""
    path = ctx.config.resolve(spec.path)
    if spec.ref:
        ref = resolve_ref(spec.ref, ctx.base_ref) or ctx.require_base_ref(f"dataset {spec.name!r}")
        path = materialize_at_ref(path, ref)
    fmt = spec.format or detect_format(spec.path)
    if not path.exists():
        raise DatasetError(f"dataset {spec.name!r}: file {spec.path!r} does not exist")
    try:
        return read_file(path, fmt, dict(spec.options))
    except DatasetError:
        raise
    except Exception as exc:
        raise DatasetError(
            f"dataset {spec.name!r}: cannot read {spec.path!r} as {fmt}: {_one_line(exc)}"
        ) from exc


def read_file(path: Path, fmt: str, options: dict[str, object]) -> pd.DataFrame:
    import pandas as pd

    if fmt in ("csv", "tsv"):
        opts: dict[str, object] = {"sep": "\t" if fmt == "tsv" else ","}
        opts.update(options)
        return pd.read_csv(path, **opts)  # type: ignore[call-overload]
    if fmt == "parquet":
        return pd.read_parquet(path, **options)  # type: ignore[arg-type]
    if fmt == "jsonl":
        return pd.read_json(path, lines=True, **options)  # type: ignore[call-overload]
    if fmt == "feather":
        return pd.read_feather(path, **options)  # type: ignore[arg-type]
    raise DatasetError(f"unknown format {fmt!r}")


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")
