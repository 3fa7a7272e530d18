"""Group names for `slices:` and `fairness:` on a column used as categories."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlgate.model.groups import MISSING, group_labels


def test_float_categories_are_named_compactly_and_stay_distinct() -> None:
    sex = [0.05068011873981862, -0.044641636506989144, -0.044641636506989144, np.nan]
    df = pd.DataFrame({"sex": [*sex, 1.0, 0.1 + 0.2, 0.3, 0.30001, 1234567.0]})
    names, order = group_labels(df, "sex")
    assert list(names) == [
        "0.05068",
        "-0.04464",
        "-0.04464",
        MISSING,
        "1",
        "0.30000000000000004",  # would read 0.3 like its neighbour: as many digits as needed
        "0.3",
        "0.30001",
        "1234567",
    ]
    assert order[0] == "-0.04464"  # the largest group first
    assert len(set(order)) == len(order) == 8


def test_nullable_float_and_text_categories() -> None:
    df = pd.DataFrame(
        {
            "f": pd.array([0.25, None, 0.25], dtype="Float64"),
            "g": pd.array(["a", None, "b"], dtype="string"),
        }
    )
    assert list(group_labels(df, "f")[0]) == ["0.25", MISSING, "0.25"]
    assert list(group_labels(df, "g")[0]) == ["a", MISSING, "b"]
