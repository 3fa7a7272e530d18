"""`pattern:` with a linear-time engine: RE2 (through pyarrow), matched against the whole value.

Python's `re` backtracks: `^(?=(a+)+$)a*` on a long value never ends. RE2 runs in time linear
in the text and refuses what it cannot run that way (lookarounds, backreferences), which is
then a config error at load time. A value matches when the pattern matches all of it:
`\\A(?:pattern)\\z` in RE2 syntax; every engine must use the same semantics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

_HINT = {
    "invalid perl operator: (?=": "lookahead",
    "invalid perl operator: (?!": "negative lookahead",
    "invalid perl operator: (?<": "lookbehind",
    "invalid escape sequence: \\1": "a backreference",
}


def full_match_form(pattern: str) -> str:
    """The RE2 pattern matching a whole value."""
    return f"\\A(?:{pattern})\\z"


def pattern_problem(pattern: str) -> str | None:
    """Why RE2 cannot run `pattern` (a config error), or None."""
    import pyarrow as pa

    try:  # pyarrow.compute itself spends 30 ms writing the docstrings of every function
        from pyarrow._compute import MatchSubstringOptions, call_function
    except ImportError:  # pragma: no cover - pyarrow moved them
        from pyarrow.compute import MatchSubstringOptions, call_function

    # RE2 compiles the pattern on a missing value too; pa.array([...]) would import pandas
    probe = pa.nulls(1, pa.string())
    for form in (pattern, full_match_form(pattern)):
        try:
            call_function("match_substring_regex", [probe], MatchSubstringOptions(form))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            reason = str(exc).removeprefix("Invalid regular expression: ").strip()
            what = next((v for k, v in _HINT.items() if reason.startswith(k)), None)
            unsupported = f" ({what} is not supported)" if what else ""
            return (
                f"invalid regular expression {pattern!r}: {reason}{unsupported}; patterns use "
                "RE2 syntax, which runs in linear time (no lookarounds or backreferences)"
            )
    return None


def full_matches(values: pd.Series, pattern: str) -> np.ndarray:
    """Whether each text value matches `pattern` in full (missing values: False)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.array(values, from_pandas=True)  # pandas' own arrow strings: no copy
    if not (pa.types.is_string(text.type) or pa.types.is_large_string(text.type)):
        text = pa.array(values.astype(object).to_numpy(), type=pa.string(), from_pandas=True)
    matched = pc.match_substring_regex(text, full_match_form(pattern))
    return np.asarray(matched.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
