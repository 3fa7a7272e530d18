"""Scores and labels: what a model says about a frame, computed in bounded chunks.

The score of a model: for a classifier with `predict_proba`, the probability of
`positive_class` (default: the last class); otherwise `predict`. The label is `predict`.
A model's scores on a dataset are computed once per run and shared (`ctx.memo`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlgate.datasets import dataset_named
from mlgate.errors import CheckError
from mlgate.model.loading import model_named

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from mlgate.context import RunContext

#: A predict call sees at most this many cells (rows x columns) at once.
CHUNK_CELLS = 4_000_000


@dataclass(frozen=True)
class Scorer:
    """A loaded model with how to score it: its features and the positive class's column."""

    name: str
    model: Any
    features: tuple[str, ...] | None
    target: str | None
    positive_class: Any
    proba_column: int | None

    @property
    def is_classifier(self) -> bool:
        """Known to be a classifier: probabilities, `classes_` or scikit-learn says so."""
        return (
            self.proba_column is not None
            or hasattr(self.model, "classes_")
            or getattr(self.model, "_estimator_type", None) == "classifier"
        )

    def frame(self, df: pd.DataFrame) -> pd.DataFrame:
        """The columns the model gets: `features:`, else what it was fitted on, else all
        but the target."""
        if self.features is not None:
            missing = [c for c in self.features if c not in df.columns]
            if missing:
                raise CheckError(
                    f"model {self.name!r} needs columns missing from the data: {', '.join(missing)}"
                )
            return df[list(self.features)]
        if self.target and self.target in df.columns:
            df = df.drop(columns=[self.target])
        fitted = getattr(self.model, "n_features_in_", None)
        if isinstance(fitted, int) and fitted != df.shape[1]:
            shown = ", ".join(map(str, df.columns[:12])) + (", …" if df.shape[1] > 12 else "")
            raise CheckError(
                f"model {self.name!r} was fitted on {fitted} unnamed columns but the data has "
                f"{df.shape[1]} ({shown}); list the model's columns, in the order it was "
                "fitted on, under `features:` on the model"
            )
        return df

    def scores(self, x: pd.DataFrame, framed: bool = False) -> np.ndarray:
        """The score of every row, in chunks that bound memory (one logical call);
        `framed`: `x` already holds just the model's columns."""
        import numpy as np

        if not framed:
            x = self.frame(x)
        step = chunk_rows(x.shape[1])
        parts = [self.score_batch(x.iloc[i : i + step]) for i in range(0, len(x), step)]
        return np.concatenate(parts) if parts else np.empty(0, dtype=float)

    def labels(self, x: pd.DataFrame) -> np.ndarray:
        """`predict` on every row, in chunks."""
        import numpy as np

        x = self.frame(x)
        step = chunk_rows(x.shape[1])
        parts = [self.predict(x.iloc[i : i + step]) for i in range(0, len(x), step)]
        return np.concatenate(parts) if parts else np.empty(0)

    def scores_and_labels(self, x: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Scores and labels of every row; one predict call per chunk when there are no
        probabilities (the score is then derived from the label)."""

        if self.proba_column is not None:
            return self.scores(x), self.labels(x)
        label = self.labels(x).ravel()
        return self.score_of_labels(label), label

    def score_of_labels(self, label: np.ndarray) -> np.ndarray:
        """`predict` as a score: its number, or 1.0 where a non-numeric label is the
        positive class (a classifier without `predict_proba` whose classes are text)."""
        import numpy as np

        arr = np.asarray(label).ravel()
        if arr.dtype.kind in "biuf":
            return arr.astype(float)
        try:
            return arr.astype(float)
        except (TypeError, ValueError):
            return as_binary(arr, self.positive_class).astype(float)

    def score_batch(self, x: pd.DataFrame) -> np.ndarray:
        """One predict call on `x` (the model's columns only), no chunking: for timing."""

        if self.proba_column is not None:
            return self.predict_proba(x)[:, self.proba_column]
        return self.score_of_labels(self.predict(x))

    def predict(self, x: pd.DataFrame) -> np.ndarray:
        """`predict` on `x` (the model's columns), checked: one value per row."""
        import numpy as np

        raw = self.model.predict(self.model_input(x))
        try:
            out = np.asarray(raw)
        except (TypeError, ValueError) as exc:
            raise CheckError(
                f"model {self.name!r}: predict returned {type(raw).__name__} that is not one "
                f"value per row ({_first_line(exc)})"
            ) from exc
        if out.ndim == 2 and out.shape[1] == 1:
            out = out[:, 0]
        if out.ndim != 1 or len(out) != len(x):
            raise CheckError(
                f"model {self.name!r}: predict returned an array of shape {_shape(out)} for "
                f"{len(x):,} rows; expected one value per row, shape ({len(x)},)"
            )
        return out

    def predict_proba(self, x: pd.DataFrame) -> np.ndarray:
        """`predict_proba` on `x`, checked: one row per input row, a column per class."""
        import numpy as np

        raw = self.model.predict_proba(self.model_input(x))
        try:
            out = np.asarray(raw, dtype=float)
        except (TypeError, ValueError) as exc:
            raise CheckError(
                f"model {self.name!r}: predict_proba returned {type(raw).__name__} that is not "
                f"a table of numbers ({_first_line(exc)})"
            ) from exc
        col = self.proba_column if self.proba_column is not None else -1
        if out.ndim != 2 or len(out) != len(x) or not -out.shape[1] <= col < out.shape[1]:
            raise CheckError(
                f"model {self.name!r}: predict_proba returned an array of shape "
                f"{_shape(out)} for {len(x):,} rows; expected ({len(x)}, number of classes), "
                f"the score being column {col} (positive_class {self.positive_class!r})"
            )
        return out

    def require_numbers(self, score: np.ndarray, df: pd.DataFrame, dataset: str = "") -> None:
        """A `CheckError` naming the rows when a score is NaN or infinite: nothing can be
        judged on a score that is not a number."""
        import numpy as np

        bad = np.flatnonzero(~np.isfinite(score))
        if not len(bad):
            return
        method = "predict_proba" if self.proba_column is not None else "predict"
        rows = ", ".join(str(r) for r in df.index[bad[:5]]) + (", …" if len(bad) > 5 else "")
        where = f" of dataset {dataset!r}" if dataset else ""
        raise CheckError(
            f"model {self.name!r} gave a score that is not a finite number (NaN or infinite) "
            f"on {len(bad):,} of {len(score):,} rows{where} (rows {rows}; {method} returned "
            f"{score[bad[0]]}); look at those rows' values (missing or extreme?) and at what "
            "the model does with them"
        )

    def model_input(self, x: pd.DataFrame) -> Any:
        """What the model is given: the frame, or its values for a scikit-learn model
        fitted on an array (a frame would make it warn "X has feature names, but ... was
        fitted without feature names" on every call)."""
        if isinstance(getattr(self.model, "n_features_in_", None), int) and (
            getattr(self.model, "feature_names_in_", None) is None
        ):
            return x.to_numpy()
        return x


def _shape(arr: np.ndarray) -> str:
    return "(" + ", ".join(str(d) for d in arr.shape) + ("," if arr.ndim == 1 else "") + ")"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def chunk_rows(n_columns: int) -> int:
    return max(1_000, CHUNK_CELLS // max(1, n_columns))


def make_scorer(name: str, model: Any, params: dict[str, Any], sample: pd.DataFrame) -> Scorer:
    """A `Scorer` for a loaded model; `sample` (a few rows) finds the probability column."""
    import numpy as np

    features = params.get("features")
    if features is None:
        fitted = getattr(model, "feature_names_in_", None)
        if fitted is not None:
            features = [str(c) for c in fitted]
    target = params.get("target")
    pos = params.get("positive_class")
    column: int | None = None
    has_proba = hasattr(model, "predict_proba")
    classes = getattr(model, "classes_", None)
    if has_proba and classes is None and len(sample):
        probe = Scorer(name, model, tuple(features) if features else None, target, pos, None)
        try:
            model.predict_proba(probe.model_input(probe.frame(sample.head(2))))
        except Exception:  # no usable probabilities: the score is `predict`
            has_proba = False
        classes = getattr(model, "classes_", None)
    if classes is not None:
        classes = list(np.asarray(classes).tolist())
        index = len(classes) - 1 if pos is None else class_index(name, classes, pos)
        column = index if has_proba else None
        pos = classes[index]  # the class itself: "1" given for the integer class 1 is 1
    elif has_proba:  # probabilities without `classes_`: columns are classes 0, 1, …
        column = -1 if pos is None else _column_of(name, pos)
    if pos is None:
        pos = 1
    return Scorer(name, model, tuple(features) if features else None, target, pos, column)


def _column_of(name: str, pos: Any) -> int:
    """The probability column of `positive_class` for a model without `classes_`."""
    if isinstance(pos, int) and not isinstance(pos, bool) and pos >= 0:
        return pos
    raise CheckError(
        f"model {name!r} has predict_proba but no `classes_`, so positive_class {pos!r} "
        "cannot be found among its columns; give positive_class as the column's number "
        "(0, 1, …)"
    )


def class_index(name: str, classes: list[Any], pos: Any) -> int:
    """The position of `positive_class` among the model's classes: the class equal to it,
    else the only class written the same (`"1"` for the integer class 1, and the reverse)."""
    for i, c in enumerate(classes):
        if c == pos:
            return i
    same_text = [i for i, c in enumerate(classes) if str(c) == str(pos)]
    if len(same_text) == 1:
        return same_text[0]
    raise CheckError(
        f"model {name!r}: positive_class {pos!r} is not one of its classes "
        f"({', '.join(repr(c) for c in classes)})"
    )


def scorer(ctx: RunContext, model_name: str, dataset: str | None = None) -> Scorer:
    """The memoised `Scorer` of a declared model."""

    def build() -> Scorer:
        model = model_named(ctx, model_name)
        spec = ctx.config.models[model_name]
        sample = dataset_named(ctx, dataset).head(2) if dataset else _empty()
        return make_scorer(model_name, model, dict(spec.params), sample)

    return ctx.memo(("model-scorer", model_name), build)


def _empty() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame()


@dataclass(frozen=True)
class Scored:
    """A model's view of a dataset: truth (if a target is set), scores and labels."""

    frame: pd.DataFrame
    y: np.ndarray | None
    score: np.ndarray
    label: np.ndarray
    scorer: Scorer
    #: Why `y` is None although the model has a `target:` (the dataset lacks the column).
    no_truth: str = ""

    @property
    def is_classifier(self) -> bool:
        """A known classifier, or a model whose `predict` gives classes (integers, booleans
        or text) rather than numbers on a continuous scale."""
        import numpy as np

        return self.scorer.is_classifier or np.asarray(self.label).dtype.kind in "biuOSUT"

    def known(self) -> np.ndarray:
        """Rows whose truth is known (a missing target is left out of every comparison)."""
        import numpy as np
        import pandas as pd

        if self.y is None:
            return np.zeros(len(self.score), dtype=bool)
        return np.asarray(~pd.isna(self.y), dtype=bool)

    def y_binary(self) -> np.ndarray:
        """The truth as 0/1: 1 where the target equals `positive_class`."""

        if self.y is None:
            raise CheckError(self.no_truth or f"model {self.scorer.name!r} has no `target:` column")
        return as_binary(self.y, self.scorer.positive_class)

    def label_binary(self) -> np.ndarray:
        return as_binary(self.label, self.scorer.positive_class)


def as_binary(values: Any, pos: Any) -> np.ndarray:
    import numpy as np

    arr = np.asarray(values)
    out = arr == pos
    if not out.any() and (arr.dtype.kind in "OUS" or isinstance(pos, str)):
        out = arr.astype(str) == str(pos)  # the text "1" names the integer 1, and the reverse
    return np.asarray(out, dtype=np.int64)


def scored(ctx: RunContext, model_name: str, dataset: str) -> Scored:
    """Scores and labels of `model_name` on `dataset`, computed once per run."""

    def build() -> Scored:
        df = dataset_named(ctx, dataset)
        sc = scorer(ctx, model_name, dataset)
        y = None
        no_truth = ""
        if sc.target:
            if sc.target in df.columns:
                y = df[sc.target].to_numpy()
            else:
                no_truth = (
                    f"dataset {dataset!r} has no column {sc.target!r} (the `target:` of model "
                    f"{model_name!r})"
                )
        try:
            score, label = sc.scores_and_labels(df)
        except CheckError:
            raise
        except Exception as exc:
            raise CheckError(
                f"model {model_name!r} failed to predict on dataset {dataset!r}: "
                + predict_failure(exc, sc, df)
            ) from exc
        sc.require_numbers(score, df, dataset)
        return Scored(df, y, score, label, sc, no_truth)

    return ctx.memo(("model-scored", model_name, dataset), build)


def predict_failure(exc: BaseException, sc: Scorer, df: pd.DataFrame) -> str:
    """Why `predict` failed on `df`, for a message: a model that refuses missing values
    names the columns that have them and how many; else the error's first line."""
    text = str(exc).strip().splitlines()
    error = f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
    if "nan" not in str(exc).lower():
        return error
    try:
        x = sc.frame(df)
    except CheckError:
        return error
    counts = x.isna().sum()
    counts = counts[counts > 0]
    if counts.empty:
        return error
    counts = counts.sort_values(ascending=False, kind="stable")
    parts = [f"`{c}` has {n:,} missing value{'s' if n != 1 else ''}" for c, n in counts.items()]
    if len(parts) > 5:
        parts = [*parts[:5], f"{len(parts) - 5} more columns have some"]
    return (
        "; ".join(parts)
        + "; the model does not accept missing values: impute them in the pipeline "
        f"(e.g. a SimpleImputer step) or drop those rows ({error})"
    )
