"""JUnit XML for CI systems: one testsuite per station, one testcase per case.

``failed`` cases carry ``<failure>``; script errors and station errors ``<error>``
(the type says which), so a CI system never reads a station fault as a failing image.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from pathlib import Path

from robotest.results.statuses import ERROR, FAILED, INTERRUPTED, SKIPPED, STATION_ERROR
from robotest.runtime.results import CaseResult, RunInfo
from robotest.runtime.steps import FRAME

_ELEMENT = {
    FAILED: "failure",
    ERROR: "error",
    STATION_ERROR: "error",
    INTERRUPTED: "error",
    SKIPPED: "skipped",
}
_TYPE = {
    FAILED: "failed",
    ERROR: "ScriptError",
    STATION_ERROR: "StationError",
    INTERRUPTED: "Interrupted",
}


def _steps_text(case: CaseResult) -> str:
    return "\n".join(
        f"{s.status:>8} {s.duration * 1000:8.1f} ms  {Path(s.file).name}:{s.line}  "
        f"{(s.group + ' ') if s.group else ''}{s.name} {s.args}"
        for s in case.steps
        if s.name != FRAME
    )


def render_junit(run: RunInfo) -> bytes:
    """The JUnit XML document of *run*."""
    root = ET.Element("testsuites", name=f"robotest run {run.id}")
    for station in sorted({case.station for case in run.cases}) or [run.station]:
        cases = [case for case in run.cases if case.station == station]
        counts = {
            kind: sum(case.status in kinds for case in cases)
            for kind, kinds in {
                "failures": {FAILED},
                "errors": {ERROR, STATION_ERROR, INTERRUPTED},
                "skipped": {SKIPPED},
            }.items()
        }
        attributes = {key: str(value) for key, value in counts.items()}
        attributes.update(
            name=station,
            tests=str(len(cases)),
            time=f"{sum(c.duration for c in cases):.3f}",
            timestamp=datetime.datetime.fromtimestamp(run.started).isoformat(timespec="seconds"),
        )
        suite = ET.SubElement(root, "testsuite", attributes)
        properties = ET.SubElement(suite, "properties")
        for name, value in (
            ("image", run.image),
            ("image_version", run.image_version),
            ("serial", run.serial),
            ("suite_version", run.suite_version),
            ("station", station),
            ("run", str(run.id)),
        ):
            ET.SubElement(properties, "property", name=name, value=value)
        for case in cases:
            element = ET.SubElement(
                suite,
                "testcase",
                classname=Path(case.file).stem,
                name=case.title,
                file=case.file,
                time=f"{case.duration:.3f}",
            )
            kind = _ELEMENT.get(case.status)
            if kind:
                detail = ET.SubElement(element, kind, message=case.message or case.status)
                if case.status in _TYPE:
                    detail.set("type", _TYPE[case.status])
                detail.text = case.message
            if case.steps:
                ET.SubElement(element, "system-out").text = _steps_text(case)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
