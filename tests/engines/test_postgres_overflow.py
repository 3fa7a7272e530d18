"""PostgreSQL raises "value out of range" (SQLSTATE 22003) where IEEE arithmetic gives ±inf or
±0: a dataset's checks then compute as numpy does (the guarded dialect) instead of all failing
with that error."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from tests.data.helpers import run_gate


def test_pandas_std_of_overflowing_squares_is_inf_as_duckdb(tmp_path: Path) -> None:
    """Squares beyond the largest double make the variance inf (numpy's and DuckDB's), not NaN
    (the first chunk's merge multiplied that inf by 0), so `std: {min: 0}` passes."""
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"x": [1e200, -1e200, 1e308, 2.0]}), tmp_path / "big.parquet")
    (tmp_path / "mlgate.yml").write_text(
        "version: 1\ndatasets:\n  file: {path: big.parquet}\n"
        "  pd: {path: big.parquet, engine: pandas}\ndata:\n"
        "  - dataset: file\n    columns: {x: {std: {min: 0}}}\n"
        "  - dataset: pd\n    columns: {x: {std: {min: 0}}}\n"
    )
    _, checks = run_gate(tmp_path)
    for n in ("file", "pd"):
        check = checks[f"data/{n}/columns/x/std"]
        assert check["status"] == "passed", check["message"]
        assert "std of `x` is inf" in check["message"]
