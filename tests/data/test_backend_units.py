"""Units of the statistics interface (`mlgate.data.backend`)."""

from __future__ import annotations


def test_most_common_shows_zero_unsigned_whatever_sign_a_group_kept() -> None:
    """-0.0 and 0.0 are one value; engines differ in which sign a group keeps."""
    from collections import Counter

    from mlgate.data.backend import Violation

    v = Violation(values=Counter({(-0.0, "a"): 2, -0.0: 3, 1.5: 3}))
    shown = v.most_common(3)
    assert shown == [(0.0, 3), (1.5, 3), ((0.0, "a"), 2)]
    assert all(str(val).count("-") == 0 for val, _ in shown)
