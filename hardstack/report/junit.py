"""JUnit XML: one test suite per stack, one test case per failed or exempted finding, plus one
passing case per stack so CI test views show every stack that was checked."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hardstack.check import CheckReport


def to_junit(check: CheckReport) -> str:
    suites = ET.Element("testsuites", name="hardstack check", time=f"{check.seconds:.3f}")
    for s in check.stacks:
        suite = ET.SubElement(suites, "testsuite", name=s.stack, file=str(s.file))
        cases = 0
        failures = 0
        for issue in s.issues:
            case = ET.SubElement(suite, "testcase", classname=s.stack, name=f"spec {issue.field}")
            ET.SubElement(case, "error", message=issue.message).text = issue.format()
            cases += 1
            failures += 1
        for f in s.findings:
            if f.status not in ("failed", "exempted"):
                continue
            case = ET.SubElement(suite, "testcase", classname=f"{s.stack}.{f.source}",
                                 name=f"{f.rule_id} {f.resource_name or ''}".strip(), file=f.file or "",
                                 line=str(f.line or 0))
            cases += 1
            if f.status == "exempted":
                ET.SubElement(case, "skipped", message=f"exempted: {(f.exemption or {}).get('reason', '')}")
            elif f.blocking:
                ET.SubElement(case, "failure", message=f.message, type=f.severity).text = f.remediation
                failures += 1
            else:  # an advisory: shown, never a failure
                ET.SubElement(case, "system-out").text = f"advisory: {f.message}\n{f.remediation}"
        ok = ET.SubElement(suite, "testcase", classname=s.stack, name="stack renders and is judged")
        if s.render_error:
            ET.SubElement(ok, "error", message=s.render_error)
            failures += 1
        cases += 1
        suite.set("tests", str(cases))
        suite.set("failures", str(failures))
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
