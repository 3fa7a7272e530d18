"""The api family: `api:` entries test the model's HTTP service end to end.

Importing this module registers the family (schema + planner) and stays cheap; the check
kinds, which need pandas and friends, live in `mlgate.api.kinds` and are imported only to run.
"""

from mlgate.api import report_section as _report_section
from mlgate.api.plan import plan_api
from mlgate.api.schema import API_SCHEMA
from mlgate.checks import FAMILIES, Family

FAMILIES.add(
    "api",
    Family(
        name="api",
        section="api",
        schema=API_SCHEMA,
        plan=plan_api,
        kinds_module="mlgate.api.kinds",
    ),
)

__all__ = ["_report_section"]
