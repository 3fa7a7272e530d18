"""A fresh clone passes alone: no file reads the folder beside the clone, and a run leaves no
temp files behind."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import CONTRACTS, REPO
from tests.model.projects import make_credit_project

SCANNED = ("src", "tests", "benchmarks", "examples", ".ci", "entrypoint.py")
OUTSIDE = re.compile(r"""\.\./shared|parent\s*/\s*["']shared["']""")


def test_no_file_reads_outside_the_repository() -> None:
    hits = []
    for top in SCANNED:
        root = REPO / top
        files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for path in files:
            if path.suffix not in {".py", ".sh", ".yml", ".yaml", ""} or "contracts" in path.parts:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            hits += [f"{path.relative_to(REPO)}" for _ in OUTSIDE.finditer(text)]
    assert hits == []


def test_the_contracts_are_vendored_with_their_licences() -> None:
    assert (CONTRACTS / "github-rest-subset.openapi.json").is_file()
    assert (CONTRACTS / "schemas" / "github-action.json").is_file()
    assert len(list((CONTRACTS / "events").glob("*.json"))) >= 10
    licences = sorted(p.name for p in (CONTRACTS / "LICENSES").iterdir())
    assert licences == [
        "Apache-2.0-SchemaStore.txt",
        "MIT-github-rest-api-description.txt",
        "MIT-octokit-webhooks.txt",
    ]


def test_a_run_with_ref_base_leaves_the_temp_folder_as_it_found_it(tmp_path: Path) -> None:
    project = tmp_path / "project"
    sha = make_credit_project(project, n_train=400, n_holdout=300)
    (project / "mlgate.yml").write_text(
        textwrap.dedent(
            """\
            version: 1
            datasets:
              holdout: {path: data/holdout.parquet}
              holdout_base: {path: data/holdout.parquet, ref: base}
            models:
              credit: {path: models/credit.joblib, target: approved, positive_class: 1}
              baseline: {path: models/credit.joblib, ref: base, target: approved}
            data:
              - dataset: holdout_base
                rows: {min: 1}
            model:
              - model: credit
                dataset: holdout
                baseline: {model: baseline, max_drop: {roc_auc: 0.5}}
            """
        )
    )
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env["TMPDIR"] = str(temp)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mlgate",
            "run",
            "--publish",
            "none",
            "--base-ref",
            sha,
            "--report-dir",
            str(tmp_path / "report"),
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "baseline" in (tmp_path / "report" / "report.json").read_text()
    assert sorted(p.name for p in temp.iterdir()) == []
