"""The data family: `data:` suites validate the datasets declared under `datasets:`.

Importing this module registers the family (schema + planner) and stays cheap; the check
kinds, which need pandas, live in `mlgate.data.kinds` and are imported only to run.
"""

from mlgate.checks import FAMILIES, Family
from mlgate.data.plan import plan_data
from mlgate.data.schema import DATA_SCHEMA

FAMILIES.add(
    "data",
    Family(
        name="data",
        section="data",
        schema=DATA_SCHEMA,
        plan=plan_data,
        kinds_module="mlgate.data.kinds",
    ),
)
