"""Reading the datasets declared under `datasets:` with pyarrow, whole or in chunks of rows.

Formats: csv, tsv, parquet, jsonl, feather, each optionally compressed (.gz, .zst, .bz2); a
path may be a glob (files are read in sorted order, as one dataset). `ref:` reads the files as
of a git commit. `iter_frames` streams a dataset in chunks of `chunk_rows` rows, holding no more
than about one chunk in memory.
"""

from __future__ import annotations

import fnmatch
import glob
import re
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlgate.errors import CheckError, DatasetError
from mlgate.gitref import list_at_ref, materialize_at_ref, resolve_ref
from mlgate.paths import glob_root, inside_workspace

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from mlgate.config.model import DatasetSpec
    from mlgate.context import RunContext

FORMATS = ("csv", "tsv", "parquet", "jsonl", "feather")
_COMPRESSIONS = (".gz", ".zst", ".bz2", ".xz")
_ARROW_CSV_OPTIONS = {"sep", "delimiter", "encoding", "quotechar"}
_BLOCK_BYTES = 1 << 20
#: A block must hold a whole line: blocks grow 16-fold up to this (a 10 MB line needs 16 MiB).
_MAX_BLOCK_BYTES = 1 << 28
_STRADDLING = "straddling object"
#: The CSV/TSV fields that are missing values, for pyarrow as for pandas (whose default list this
#: is, `pandas._libs.parsers.STR_NA_VALUES`): a dataset counts the same missing values whichever
#: reader its options choose. README.md (Reading datasets) lists them.
NA_TOKENS = (
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
)  # fmt: skip


def detect_format(path: str) -> str:
    name = path.lower()
    for suffix in _COMPRESSIONS:
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


def dataset_paths(spec: DatasetSpec, ctx: RunContext) -> list[Path]:
    """The files of a dataset (a glob expanded, sorted), fetched from git for `ref:` (once per
    run; the copies are removed when the run ends)."""
    return ctx.memo(("dataset-paths", spec.name), lambda: _dataset_paths(spec, ctx))


def _dataset_paths(spec: DatasetSpec, ctx: RunContext) -> list[Path]:
    path = ctx.config.resolve(spec.path)
    is_glob = glob.has_magic(spec.path)
    if spec.ref:
        ref = resolve_ref(spec.ref, ctx.base_ref) or ctx.require_base_ref(f"dataset {spec.name!r}")
        if not is_glob:
            return [_fetched(ctx, path, ref)]
        folder = glob_root(path)
        top_rel = [Path(p) for p in list_at_ref(folder, ref)]
        from mlgate.gitref import git_toplevel

        top = git_toplevel(folder)
        pattern = path.resolve().as_posix()
        hits = sorted(
            p for p in ((top / r) for r in top_rel) if fnmatch.fnmatch(p.as_posix(), pattern)
        )
        if not hits:
            raise DatasetError(f"dataset {spec.name!r}: no file matches {spec.path!r} at {ref}")
        return [_fetched(ctx, p, ref) for p in hits]
    if is_glob:
        hits = sorted(Path(p) for p in glob.glob(str(path), recursive=True))
        hits = [p for p in hits if not p.is_dir()]  # a glob names files: folders it matches aside
        if not hits:
            raise DatasetError(f"dataset {spec.name!r}: no file matches {spec.path!r}")
        _not_text(spec.name, hits)
        return [inside_workspace(ctx.config, p, f"dataset {spec.name!r}") for p in hits]
    if not path.exists():
        raise DatasetError(f"dataset {spec.name!r}: file {spec.path!r} does not exist")
    if path.is_dir():
        raise DatasetError(
            f"dataset {spec.name!r}: {spec.path!r} is a folder, not a file: name its files "
            f"with a glob (`path: {_glob_for(spec, path)}`)"
        )
    _not_text(spec.name, [path])
    return [inside_workspace(ctx.config, path, f"dataset {spec.name!r}")]


#: The first bytes of files that are not text, and what they are.
_MAGIC = {
    b"\x1f\x8b": ("gzip-compressed", ".gz"),
    b"BZh": ("bzip2-compressed", ".bz2"),
    b"\x28\xb5\x2f\xfd": ("zstd-compressed", ".zst"),
    b"PK\x03\x04": ("a zip archive", ".zip"),
    b"PAR1": ("a parquet file", ""),
}
_TEXT_ENDINGS = (".csv", ".tsv", ".tab", ".jsonl", ".ndjson")


def _not_text(name: str, paths: list[Path]) -> None:
    """A file named as text (`.csv`, `.jsonl`) that is compressed, an archive or binary is told
    so, not parsed into a misleading error ("Empty CSV file", "not UTF-8")."""
    for path in paths[:100]:
        if not path.name.lower().endswith(_TEXT_ENDINGS):
            continue
        try:
            with path.open("rb") as f:
                head = f.read(4096)
        except OSError:
            return  # the reader says why
        for magic, (what, suffix) in _MAGIC.items():
            if head.startswith(magic) and _binary_after(magic, head):
                fix = (
                    f": name it `{path.name}{suffix}`" if suffix in (".gz", ".bz2", ".zst") else ""
                )
                if what == "a parquet file":
                    fix = ": name it `.parquet` or set `format: parquet`"
                raise DatasetError(f"dataset {name!r}: {path.name} is {what}, not text{fix}")
        if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16
            raise DatasetError(
                f"dataset {name!r}: {path.name} is not text (it holds NUL bytes): a binary file?"
            )


def _binary_after(magic: bytes, head: bytes) -> bool:
    """Whether a file starting with `magic` is that kind, not text that begins alike (a CSV
    whose first column is named `BZh…` or `PAR1`)."""
    if magic == b"BZh":
        return head[3:4].isdigit() and head[4:10] == b"1AY&SY"
    if magic == b"PAR1":
        return b"\x00" in head
    return True


def _glob_for(spec: DatasetSpec, folder: Path) -> str:
    """The glob naming a folder's data files (as Spark writes them: `part-*.parquet` beside
    `_SUCCESS`, in partition folders), from the first thousand files it holds."""
    import itertools

    files = [
        p
        for p in itertools.islice(folder.rglob("*"), 1000)
        if p.is_file() and not p.name.startswith(("_", "."))
    ]
    fmt = spec.format or next((f for f in FORMATS if f in folder.name.lower()), "")
    endings = Counter(p.name.rsplit(".", 1)[-1] for p in files if "." in p.name)
    ending = fmt if fmt and fmt in endings else (endings.most_common(1)[0][0] if endings else fmt)
    nested = any(p.parent != folder for p in files)
    return spec.path.rstrip("/") + ("/**/*" if nested else "/*") + (f".{ending}" if ending else "")


def _fetched(ctx: RunContext, path: Path, ref: str) -> Path:
    import shutil

    out = materialize_at_ref(path, ref)
    ctx.on_close(lambda: shutil.rmtree(out.parent, ignore_errors=True))
    return out


def dataset_named(ctx: RunContext, name: str) -> pd.DataFrame:
    """The named dataset as a DataFrame, read once per run."""
    spec = ctx.config.datasets.get(name)
    if spec is None:
        raise CheckError(f"dataset {name!r} is not declared under `datasets:`")
    return ctx.memo(("dataset", name), lambda: read_dataset(spec, ctx))


def read_dataset(spec: DatasetSpec, ctx: RunContext) -> pd.DataFrame:
    """Read one whole dataset; any failure is a `DatasetError` naming the file and the reason."""
    paths = dataset_paths(spec, ctx)
    fmt = spec.format or detect_format(spec.path)
    try:
        return read_paths(paths, fmt, dict(spec.options))
    except DatasetError:
        raise
    except Exception as exc:
        raise cannot_read(spec.name, spec.path, fmt, exc) from exc


def iter_dataset(spec: DatasetSpec, ctx: RunContext, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Stream one dataset in chunks of `chunk_rows` rows (the last may be shorter)."""
    paths = dataset_paths(spec, ctx)
    fmt = spec.format or detect_format(spec.path)
    try:
        yield from iter_frames(paths, fmt, dict(spec.options), chunk_rows)
    except DatasetError:
        raise
    except Exception as exc:
        raise cannot_read(spec.name, spec.path, fmt, exc) from exc


def cannot_read(name: str, shown: str, fmt: str, exc: BaseException) -> DatasetError:
    """ "dataset 'd': cannot read 'data/d.parquet' as parquet: ArrowInvalid: …": one line, on
    every engine, whatever the reader raised."""
    return DatasetError(f"dataset {name!r}: cannot read {shown!r} as {fmt}: {_one_line(exc)}")


def read_paths(paths: Sequence[Path], fmt: str, options: dict[str, Any]) -> pd.DataFrame:
    """Every file read whole and concatenated, with a fresh 0..n-1 index."""
    import pandas as pd

    frames = [read_file(p, fmt, options) for p in paths]
    if len(frames) == 1:
        return frames[0]
    return pd.concat(frames, ignore_index=True)


def read_file(path: Path, fmt: str, options: dict[str, Any]) -> pd.DataFrame:
    """One file as a DataFrame (pyarrow reads; pandas for reader options pyarrow lacks)."""
    import pandas as pd

    if fmt in ("csv", "tsv") and set(options) - _ARROW_CSV_OPTIONS:
        opts: dict[str, Any] = {"sep": "\t" if fmt == "tsv" else ","}
        opts.update(options)
        with _stream(path) as f:  # pyarrow decompresses (.gz, .zst, .bz2) for pandas too
            return pd.read_csv(f, **opts)
    if fmt == "jsonl" and options:
        with _stream(path) as f:
            return pd.read_json(f, lines=True, **options)
    return to_pandas(_read_table(path, fmt, options))


def _growing_blocks(path: Path, read: Callable[[int], Any]) -> Any:
    """`read(block_size)` with larger blocks while a line does not fit in one."""
    import pyarrow as pa

    for size in _block_sizes():
        try:
            return read(size)
        except pa.ArrowInvalid as exc:
            if _STRADDLING not in str(exc):
                raise
    raise _line_too_long(path)


def _block_sizes() -> list[int]:
    sizes = [min(_BLOCK_BYTES, _MAX_BLOCK_BYTES)]
    while sizes[-1] < _MAX_BLOCK_BYTES:
        sizes.append(min(sizes[-1] * 16, _MAX_BLOCK_BYTES))
    return sizes


def _larger_block(path: Path, size: int) -> int:
    bigger = [s for s in _block_sizes() if s > size]
    if not bigger:
        raise _line_too_long(path)
    return bigger[0]


def _line_too_long(path: Path) -> DatasetError:
    size = _MAX_BLOCK_BYTES
    most = f"{size >> 20} MiB" if size >= 1 << 20 else f"{size >> 10} KiB"
    return DatasetError(
        f"{path.name}: a line is longer than {most}, more than mlgate reads at once: "
        "split that record, or store the data as parquet"
    )


def _not_utf8(path: Path, column: str | int, row: int | None) -> DatasetError:
    """`column`: a name, or a 1-based position."""
    where = f"column {column}" if isinstance(column, int) else f"column `{column}`"
    where += f", line {row + 2}" if row is not None else ""
    example = "options: {encoding: latin-1}"
    return DatasetError(
        f"{path.name} is not UTF-8 text ({where}): if it was written as Latin-1 (ISO-8859-1), "
        f"add `{example}` to the dataset (cp1252 for Windows files), or save it as UTF-8"
    )


def _check_text(batch: pa.Table | pa.RecordBatch, path: Path, offset: int = 0) -> None:
    """A CSV column pyarrow read as bytes holds text that is not UTF-8: say how to read it."""
    import pyarrow as pa

    for i, field in enumerate(batch.schema):
        if not (pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type)):
            continue
        row = None
        for j, value in enumerate(batch.column(i).to_pylist()):
            if value is not None and not _decodes(value):
                row = offset + j
                break
        raise _not_utf8(path, field.name, row)


def _decodes(value: bytes) -> bool:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def to_pandas(table: pa.Table | pa.RecordBatch) -> pd.DataFrame:
    names = table.schema.names
    if len(set(names)) != len(names):  # a CSV header naming a column twice: as pandas reads it
        table = table.rename_columns(_dedupe(names))
    return table.to_pandas(date_as_object=False)


def _dedupe(names: Sequence[str]) -> list[str]:
    """Repeated column names made unique the way `pandas.read_csv` does: a, a.1, a.2."""
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        new, n = name, 0
        while new in seen:
            n += 1
            new = f"{name}.{n}"
        seen.add(new)
        out.append(new)
    return out


def _read_table(path: Path, fmt: str, options: dict[str, Any]) -> pa.Table:
    import pyarrow as pa

    if fmt in ("csv", "tsv"):
        import pyarrow.csv as pcsv

        read, parse, convert = _csv_options(fmt, options)

        def read_csv(block: int) -> pa.Table:
            read.block_size = block
            try:
                return pcsv.read_csv(
                    _stream(path), read_options=read, parse_options=parse, convert_options=convert
                )
            except pa.ArrowInvalid as exc:
                m = _CONVERSION.search(str(exc))
                if m and "UTF8" in str(exc):
                    raise _not_utf8(path, int(m.group(1)) + 1, None) from None
                raise

        table = _growing_blocks(path, read_csv)
        _check_text(table, path)
        return table
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.read_table(_seekable(path), **options)
    if fmt == "jsonl":
        import pyarrow.json as pj

        def read_json(block: int, schema: pa.Schema | None = None) -> pa.Table:
            parse = pj.ParseOptions(explicit_schema=schema)
            return pj.read_json(_stream(path), pj.ReadOptions(block_size=block), parse)

        table = _growing_blocks(path, read_json)
        if not _json_valid(table, path):  # read again with the types it inferred
            schema = _typed(table.schema)
            table = _growing_blocks(path, lambda block: read_json(block, schema))
            if not _json_valid(table, path):
                raise _json_misread(path)
        return table
    if fmt == "feather":
        import pyarrow.feather as pf

        return pf.read_table(_seekable(path), **options)
    raise DatasetError(f"unknown format {fmt!r}")


def _compression(path: Path) -> str | None:
    name = path.name.lower()
    for suffix, codec in ((".gz", "gzip"), (".zst", "zstd"), (".bz2", "bz2")):
        if name.endswith(suffix):
            return codec
    if name.endswith(".xz"):
        raise DatasetError(f"{path.name}: .xz is not supported; use .gz or .zst")
    return None


def _stream(path: Path) -> Any:
    import pyarrow as pa

    return pa.input_stream(str(path), compression=_compression(path))


def _seekable(path: Path) -> Any:
    import pyarrow as pa

    if _compression(path) is None:
        return str(path)
    with _stream(path) as f:
        return pa.BufferReader(f.read())


def _csv_options(fmt: str, options: dict[str, Any]) -> tuple[Any, Any, Any]:
    import pyarrow.csv as pcsv

    sep = options.get("sep", options.get("delimiter", "\t" if fmt == "tsv" else ","))
    read = pcsv.ReadOptions(encoding=options.get("encoding", "utf8"), block_size=_BLOCK_BYTES)
    parse = pcsv.ParseOptions(delimiter=sep, quote_char=options.get("quotechar", '"'))
    return read, parse, _convert_options({})


def _convert_options(types: dict[str, Any]) -> Any:
    """Missing values as pandas reads them (`NA_TOKENS`), in text columns too."""
    import pyarrow.csv as pcsv

    return pcsv.ConvertOptions(
        column_types=types, null_values=list(NA_TOKENS), strings_can_be_null=True
    )


def iter_frames(
    paths: Sequence[Path], fmt: str, options: dict[str, Any], chunk_rows: int
) -> Iterator[pd.DataFrame]:
    """Every file streamed and re-cut into chunks of exactly `chunk_rows` rows (last shorter).

    Files whose columns differ (a glob) give every chunk the union of their columns, in order
    of first appearance, missing ones empty: as the files read whole and concatenated."""
    if len(paths) > 1:
        names = _union_columns(paths, fmt, options, chunk_rows)
        for frame in _iter_frames(paths, fmt, options, chunk_rows):
            same = len(frame.columns) == len(names) and all(frame.columns == names)
            yield frame if same else frame.reindex(columns=names)
    else:
        yield from _iter_frames(paths, fmt, options, chunk_rows)


def _union_columns(
    paths: Sequence[Path], fmt: str, options: dict[str, Any], chunk_rows: int
) -> list[str]:
    names: dict[str, None] = {}
    for path in paths:
        batches = _batches(path, fmt, options, chunk_rows)
        try:
            first = next(batches, None)
        finally:
            batches.close()
        if first is not None:
            names.update(dict.fromkeys(_dedupe(first.schema.names)))
    return list(names)


def _iter_frames(
    paths: Sequence[Path], fmt: str, options: dict[str, Any], chunk_rows: int
) -> Iterator[pd.DataFrame]:
    pending: list[pa.RecordBatch] = []
    held = 0
    empty: pa.RecordBatch | None = None  # the columns, should the data have no row at all
    given = False
    for path in paths:
        for batch in _batches(path, fmt, options, chunk_rows):
            if empty is None:
                empty = batch.slice(0, 0)
            while batch.num_rows:
                take = min(batch.num_rows, chunk_rows - held)
                pending.append(batch.slice(0, take))
                held += take
                batch = batch.slice(take)
                if held == chunk_rows:
                    yield _frame(pending)
                    pending, held, given = [], 0, True
        if pending:  # files may differ in schema: never mix two files in a chunk
            yield _frame(pending)
            pending, held, given = [], 0, True
    if not given and empty is not None:
        yield _frame([empty])


def _frame(batches: list[pa.RecordBatch]) -> pd.DataFrame:
    import pandas as pd
    import pyarrow as pa

    if all(b.schema == batches[0].schema for b in batches):
        return to_pandas(pa.Table.from_batches(batches))
    return pd.concat([to_pandas(b) for b in batches], ignore_index=True)


def _batches(
    path: Path, fmt: str, options: dict[str, Any], chunk_rows: int
) -> Generator[Any, None, None]:
    import pyarrow as pa

    if (fmt in ("csv", "tsv") and set(options) - _ARROW_CSV_OPTIONS) or (
        fmt == "jsonl" and options
    ):
        yield from _pandas_batches(path, fmt, options, chunk_rows)
    elif fmt in ("csv", "tsv"):
        yield from _csv_batches(path, fmt, options)
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(_seekable(path))
        yield pa.RecordBatch.from_pylist([], schema=parquet.schema_arrow)
        yield from parquet.iter_batches(batch_size=chunk_rows)
    elif fmt == "jsonl":
        try:
            yield from _json_batches(path)
        except pa.ArrowInvalid as exc:
            if "unexpected field" not in str(exc):
                raise
            raise DatasetError(
                f"{path.name}: a field first appears after the first MiB of lines, which a "
                "streamed read (`chunk_rows`) cannot take: drop `chunk_rows` to read the file "
                "whole, or write every field on the first lines (null where it has no value)"
            ) from None
    elif fmt == "feather":
        import pyarrow.ipc as ipc

        source = _seekable(path)
        try:
            reader = ipc.open_file(source)
            for i in range(reader.num_record_batches):
                yield reader.get_batch(i)
        except pa.ArrowInvalid:  # feather v1
            yield from _read_table(path, fmt, options).to_batches(max_chunksize=chunk_rows)
    else:
        raise DatasetError(f"unknown format {fmt!r}")


def _json_batches(path: Path) -> Iterator[Any]:
    """JSON lines record batches; reopened with a larger block (after the rows already given)
    when a line does not fit in one."""
    import pyarrow as pa
    import pyarrow.json as pj

    block, done = _BLOCK_BYTES, 0
    schema: pa.Schema | None = None
    while True:
        skip, given = done, 0
        try:
            reader = pj.open_json(
                _stream(path),
                read_options=pj.ReadOptions(block_size=block),
                parse_options=pj.ParseOptions(explicit_schema=schema),
            )
            for batch in reader:
                if not _json_valid(batch, path):
                    if schema is not None:
                        raise _json_misread(path)
                    schema = _typed(batch.schema)  # read again with the types it inferred
                    break
                if skip >= batch.num_rows:
                    skip -= batch.num_rows
                    continue
                batch, skip = batch.slice(skip), 0
                given += batch.num_rows
                yield batch
            else:
                return
            done += given
        except pa.ArrowInvalid as exc:
            if _STRADDLING not in str(exc):
                raise
            block, done = _larger_block(path, block), done + given


def _json_valid(data: pa.Table | pa.RecordBatch, path: Path) -> bool:
    """Whether pyarrow read the JSON right. It takes text as it comes (text that is not UTF-8
    fails only later), and, widening a type inferred from the first lines (a list of nulls
    meeting a list of numbers), can build lists that point past their values; a read with the
    types given from the start is right."""
    import pyarrow as pa

    for column in data.columns:
        try:
            column.validate(full=True)
        except pa.ArrowInvalid as exc:
            if "UTF8" in str(exc):
                raise _not_utf8_json(path) from None
            return False
    return True


def _typed(schema: pa.Schema) -> pa.Schema:
    """`schema` with text for the values of lists and fields seen only null (pyarrow's JSON
    reader miscounts those)."""
    import pyarrow as pa

    def fix(t: pa.DataType) -> pa.DataType:
        if pa.types.is_null(t):
            return pa.string()
        if pa.types.is_list(t) or pa.types.is_large_list(t):
            return pa.list_(fix(t.value_type))
        if pa.types.is_struct(t):
            return pa.struct([f.with_type(fix(f.type)) for f in t])
        return t

    return pa.schema([f.with_type(fix(f.type)) for f in schema])


def _json_misread(path: Path) -> DatasetError:
    return DatasetError(
        f"{path.name}: pyarrow could not read these JSON lines consistently; add "
        "`options: {dtype: false}` to the dataset to read them with pandas"
    )


def _not_utf8_json(path: Path) -> DatasetError:
    return DatasetError(
        f"{path.name} is not UTF-8 text: if it was written as Latin-1 (ISO-8859-1), add "
        "`options: {encoding: latin-1}` to the dataset (cp1252 for Windows files), or save "
        "it as UTF-8"
    )


_CONVERSION = re.compile(r"In CSV column #(\d+): CSV conversion error to (\w+)")


def _csv_batches(path: Path, fmt: str, options: dict[str, Any]) -> Iterator[Any]:
    """CSV record batches; when a later block does not fit the type inferred from the first
    (an integer column holding 1.5 further down), reopen after the rows already given with that
    column widened (integer -> float -> string), as a whole-file read would have typed it."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    read, parse, convert = _csv_options(fmt, options)
    done = 0
    types: dict[str, Any] = {}
    schema = None  # of the first block: the file's columns
    while True:
        read.skip_rows_after_names = done
        convert = _convert_options(types)
        try:  # opening reads the first block after the rows given: it may not fit either
            reader = pcsv.open_csv(
                _stream(path), read_options=read, parse_options=parse, convert_options=convert
            )
            if schema is None:
                schema = reader.schema
                yield pa.RecordBatch.from_pylist([], schema=schema)  # the columns, if no row
            for batch in reader:
                _check_text(batch, path, done)
                done += batch.num_rows
                yield batch
            return
        except pa.ArrowInvalid as exc:
            if _STRADDLING in str(exc):
                read.block_size = _larger_block(path, read.block_size)
                continue
            m = _CONVERSION.search(str(exc))
            if not m or schema is None:
                raise
            name = schema.field(int(m.group(1))).name
            if "UTF8" in str(exc):
                raise _not_utf8(path, name, None) from None
            was = types.get(name, schema.field(name).type)
            if pa.types.is_string(was):
                raise
            widen = pa.float64() if pa.types.is_integer(was) else pa.string()
            types[name] = widen


def _pandas_batches(path: Path, fmt: str, options: dict[str, Any], chunk_rows: int) -> Any:
    import pandas as pd
    import pyarrow as pa

    if fmt == "jsonl":
        reader = pd.read_json(path, lines=True, chunksize=chunk_rows, **options)
    else:
        opts: dict[str, Any] = {"sep": "\t" if fmt == "tsv" else ","}
        opts.update(options)
        reader = pd.read_csv(path, chunksize=chunk_rows, **opts)
    with reader:
        for frame in reader:
            yield pa.RecordBatch.from_pandas(frame, preserve_index=False)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return printable(f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": "))


def printable(text: str, limit: int = 200) -> str:
    """An error message without the binary garbage a parser may quote from the file."""
    clean = "".join(c if c.isprintable() and c != "\ufffd" else "?" for c in text)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"
