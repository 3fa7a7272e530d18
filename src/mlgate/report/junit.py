"""JUnit XML: one testsuite per family, one testcase per check."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from mlgate.report.text import clean_xml_text, value_text
from mlgate.results import Report


def render_junit(report: Report) -> str:
    root = ET.Element("testsuites", name=report.title, time=f"{report.duration_s:.3f}")
    for family, counts in report.by_family().items():
        suite = ET.SubElement(
            root,
            "testsuite",
            name=family,
            tests=str(counts.total),
            failures=str(counts.failed),
            errors=str(counts.errors),
            skipped=str(counts.skipped),
        )
        for check in (c for c in report.checks if c.family == family):
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"mlgate.{family}",
                name=check.id,
                time=f"{check.duration_s:.6f}",
            )
            if check.location:
                case.set("file", check.location.file)
                case.set("line", str(check.location.line))
            text = clean_xml_text(_body(check.message, check.observed, check.expected))
            if check.status == "failed":
                ET.SubElement(case, "failure", message=clean_xml_text(check.message)).text = text
            elif check.status == "error":
                ET.SubElement(case, "error", message=clean_xml_text(check.message)).text = text
            elif check.status == "skipped":
                ET.SubElement(case, "skipped", message=clean_xml_text(check.message))
            elif check.status == "warning":
                ET.SubElement(case, "system-out").text = "warning: " + text
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _body(message: str, observed: object, expected: object) -> str:
    parts = [message]
    if observed is not None:
        parts.append(f"observed: {value_text(observed)}")
    if expected is not None:
        parts.append(f"expected: {value_text(expected)}")
    return "\n".join(parts)
