"""Holm and Benjamini-Hochberg against their textbook definitions and worked examples."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlgate.stats.multitest import adjust, bh, holm

P = [0.01, 0.04, 0.03, 0.005]


def holm_reference(p: list[float]) -> list[float]:
    """adj(i) = max over the j ranked at or before i of min(1, (m - rank_j) p_j)."""
    m = len(p)
    ranked = sorted(range(m), key=lambda i: p[i])
    out = [0.0] * m
    for pos, i in enumerate(ranked):
        out[i] = max(min(1.0, (m - r) * p[ranked[r]]) for r in range(pos + 1))
    return out


def bh_reference(p: list[float]) -> list[float]:
    """adj(i) = min over the j ranked at or after i of min(1, m p_j / rank_j)."""
    m = len(p)
    ranked = sorted(range(m), key=lambda i: p[i])
    out = [0.0] * m
    for pos, i in enumerate(ranked):
        out[i] = min(min(1.0, m * p[ranked[r]] / (r + 1)) for r in range(pos, m))
    return out


def test_worked_examples() -> None:
    # by hand: sorted 0.005, 0.01, 0.03, 0.04 -> Holm 4x, 3x, 2x, 1x made monotone
    assert holm(P) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    # BH: 4/1*0.005=0.02, 4/2*0.01=0.02, 4/3*0.03=0.04, 4/4*0.04=0.04
    assert bh(P) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert adjust(P, "none") == P
    assert holm([]) == []
    assert bh([]) == []
    assert holm([0.9, 0.8]) == [1.0, 1.0]


@settings(deadline=None, max_examples=300)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=30))
def test_match_the_definitions_and_keep_their_order(p: list[float]) -> None:
    h, b = holm(p), bh(p)
    assert h == pytest.approx(holm_reference(p))
    assert b == pytest.approx(bh_reference(p))
    for adj in (h, b):
        assert all(x - 1e-12 <= a <= 1.0 for x, a in zip(p, adj, strict=True))
        ranked = sorted(range(len(p)), key=lambda i: (p[i], adj[i]))
        assert [adj[i] for i in ranked] == sorted(adj)
    assert all(bi <= hi + 1e-12 for bi, hi in zip(b, h, strict=True))


def test_unknown_correction() -> None:
    with pytest.raises(ValueError, match="unknown correction"):
        adjust(P, "bonferroni")  # type: ignore[arg-type]
