"""Plain `pytest` in a folder with mlgate.yml runs the gate's checks through the plugin."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

CONFIG = """
version: 1
datasets:
  train: {path: train.csv}
data:
  - dataset: train
    rows: {min: 2}
    columns:
      age: {type: integer, nullable: false}
"""


@pytest.fixture
def folder(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".csv", train="age\n31\n42\n")
    pytester.makefile(".yml", mlgate=CONFIG)
    pytester.makepyfile(
        test_team="""
        def test_uses_fixture(mlgate_dataset):
            assert list(mlgate_dataset("train")["age"]) == [31, 42]
        """
    )
    return pytester


def test_plain_pytest_runs_the_checks_and_the_teams_tests(folder: pytest.Pytester) -> None:
    result = folder.runpytest_subprocess("-v")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["*mlgate.yml::data/train/rows PASSED*"])


def test_a_failing_check_fails_pytest_with_its_message_and_line(folder: pytest.Pytester) -> None:
    folder.makefile(".yml", mlgate=CONFIG.replace("{min: 2}", "{min: 5}"))
    result = folder.runpytest_subprocess()
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*failed: 2 rows (expected >= 5)*", "*declared at mlgate.yml:6*"])


def test_k_selects_checks_under_plain_pytest(folder: pytest.Pytester) -> None:
    result = folder.runpytest_subprocess("-k", "nullable")
    result.assert_outcomes(passed=1)


def test_mlgate_config_names_another_file(folder: pytest.Pytester) -> None:
    folder.makefile(".yml", other=CONFIG.replace("{min: 2}", "{min: 1}"))
    (folder.path / "mlgate.yml").unlink()
    result = folder.runpytest_subprocess("--mlgate-config", "other.yml", "other.yml")
    result.assert_outcomes(passed=3)


def test_an_invalid_config_is_a_usage_error_with_its_line(folder: pytest.Pytester) -> None:
    folder.makefile(".yml", mlgate=CONFIG.replace("rows:", "rowz:"))
    result = folder.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*mlgate.yml:6:5: data[[]0[]].rowz: unknown key 'rowz'*"])


def test_without_mlgate_yml_the_plugin_stays_out_of_the_way(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_a="def test_a():\n    assert True\n")
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)
