"""The shadow family: `shadow:` entries replay recorded traffic through a primary and a
candidate (models or services) and compare their answers before the candidate takes traffic.

Importing this module registers the family and stays cheap; the comparison lives in
`mlgate.shadow.kinds`, imported only to run.
"""

from mlgate.checks import FAMILIES, Family
from mlgate.shadow import report_section as _report_section
from mlgate.shadow.plan import plan_shadow
from mlgate.shadow.schema import SHADOW_SCHEMA

FAMILIES.add(
    "shadow",
    Family(
        name="shadow",
        section="shadow",
        schema=SHADOW_SCHEMA,
        plan=plan_shadow,
        kinds_module="mlgate.shadow.kinds",
    ),
)

__all__ = ["_report_section"]
