from __future__ import annotations
from pathlib import Path
from typing import Any
import pyarrow as pa
import pytest
from tests.data.helpers import run_gate

def test_overflow(tmp_path: Path, postgres_url: str, pg_load: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow.parquet as pq
    table = pa.table({"x": [1e200, -1e200, 1e308, 2.0], "y": [1.0, 2.0, 3.0, 4.0]})
    pg_load("big", table)
    pq.write_table(table, tmp_path / "big.parquet")
    monkeypatch.setenv("MLGATE_TEST_PG", postgres_url)
    suite = """  - dataset: {name}
    rows: {{min: 3}}
    rules: [{{expr: "x * 10 > y"}}, {{expr: "y > 0"}}]
    columns:
      x: {{type: float, mean: {{max: 1.0e+307}}, std: {{min: 0}}}}
      y: {{type: float, max: 5}}
"""
    (tmp_path / "mlgate.yml").write_text("version: 1\ndatasets:\n  file: {path: big.parquet}\n  pd: {path: big.parquet, engine: pandas}\n  db: {connection: '${MLGATE_TEST_PG}', table: big}\ndata:\n" + suite.format(name="file") + suite.format(name="db") + "  - dataset: pd\n    columns: {x: {mean: {max: 1.0e+307}, std: {min: 0}}}\n    rules: [{expr: 'x * 10 > y'}]\n")
    code, checks = run_gate(tmp_path)
    for cid, c in sorted(checks.items()):
        print(cid, c["status"], c["message"][:150])
    assert 0
