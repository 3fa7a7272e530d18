"""The model family: `model:` entries test the models declared under `models:`.

Importing this module registers the family (schema + planner) and the report's metrics table,
and stays cheap: the check kinds, which need numpy and scikit-learn, live in
`mlgate.model.kinds` and are imported only to run.
"""

from mlgate.checks import FAMILIES, Family
from mlgate.model import report_section as _report_section
from mlgate.model.plan import plan_model
from mlgate.model.schema import DEFINITIONS, MODEL_SECTION

FAMILIES.add(
    "model",
    Family(
        name="model",
        section="model",
        schema=MODEL_SECTION,
        plan=plan_model,
        kinds_module="mlgate.model.kinds",
        definitions=DEFINITIONS,
    ),
)

__all__ = ["_report_section"]
