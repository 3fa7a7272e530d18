"""An ONNX model behind the scikit-learn interface (`predict`, `predict_proba`, `classes_`).

Needs `onnxruntime` (the `onnx` extra). A model with one input gets the feature matrix as
float32; a model with several inputs gets one `[n, 1]` column per input, by name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlgate.errors import CheckError


class OnnxModel:
    """Wraps an `onnxruntime.InferenceSession`; outputs: label first, probabilities second."""

    def __init__(self, path: Path) -> None:
        try:
            import onnxruntime as ort
        except ImportError:
            raise CheckError(
                "ONNX models need onnxruntime: pip install 'mlgate[onnx]' (or onnxruntime)"
            ) from None
        self.session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        self.inputs = self.session.get_inputs()
        self.outputs = [o.name for o in self.session.get_outputs()]
        shape = list(self.inputs[0].shape or []) if len(self.inputs) == 1 else []
        if len(shape) == 2 and isinstance(shape[1], int):
            #: The width of the single input, as scikit-learn names it: the `Scorer` says so
            #: when the data has another number of columns.
            self.n_features_in_ = shape[1]
        self.classes_: Any = None
        if len(self.outputs) < 2:
            del self.classes_

    def _feed(self, x: Any) -> dict[str, Any]:
        import numpy as np

        if len(self.inputs) == 1:
            arr = np.asarray(x.to_numpy() if hasattr(x, "to_numpy") else x, dtype=np.float32)
            return {self.inputs[0].name: arr}
        feed = {}
        for inp in self.inputs:
            col = x[inp.name].to_numpy()
            kind = "float32" if "float" in inp.type else ("int64" if "int" in inp.type else object)
            feed[inp.name] = col.astype(kind).reshape(-1, 1)
        return feed

    def _run(self, x: Any) -> list[Any]:
        return list(self.session.run(None, self._feed(x)))

    def predict(self, x: Any) -> Any:
        import numpy as np

        return np.asarray(self._run(x)[0]).ravel()

    def predict_proba(self, x: Any) -> Any:
        import numpy as np

        out = self._run(x)
        if len(out) < 2:
            raise AttributeError("this ONNX model has no probability output")
        proba = out[1]
        if isinstance(proba, list) and proba and isinstance(proba[0], dict):
            keys = list(proba[0])
            self.classes_ = np.asarray(keys)
            return np.asarray([[row[k] for k in keys] for row in proba], dtype=float)
        proba = np.asarray(proba, dtype=float)
        if self.classes_ is None:
            self.classes_ = np.arange(proba.shape[1])
        return proba
