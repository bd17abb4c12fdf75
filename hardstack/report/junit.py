"""JUnit XML for CI test views: one test suite per stack; one test case per invalid-input problem
(<error>), per reported finding (blocking: <failure>; exempted: <skipped> with the reason;
soft-failed and advisory: passing, with <system-out>) and one for the stack itself (rendered and
judged, or <error> when it did not render or checkov failed). Failures are exactly what blocks,
so a CI that fails on JUnit failures agrees with the exit code. Every suite and the root carry
tests, failures, errors, skipped and time."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hardstack.check import CheckReport, StackReport
from hardstack.report.gates import Verdict, as_verdict

COUNTS = ("tests", "failures", "errors", "skipped")


def _case(suite: ET.Element, classname: str, name: str, seconds: float = 0.0, **attrs: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", classname=classname, name=name, time=f"{seconds:.3f}", **attrs)


def _suite(root: ET.Element, verdict: Verdict, s: StackReport) -> ET.Element:
    seconds = s.validate_seconds + s.render_seconds + s.policy_seconds
    suite = ET.SubElement(root, "testsuite", name=s.stack, file=str(s.file), time=f"{seconds:.3f}")
    for issue in s.issues:
        case = _case(suite, f"{s.stack}.spec", f"spec {issue.field or '<spec>'}", file=str(issue.file),
                     line=str(issue.line))
        ET.SubElement(case, "error", message=issue.message, type="invalid-input").text = issue.format()
    for f in verdict.findings(s):
        case = _case(suite, f"{s.stack}.{f.source}", f"{f.rule_id} {f.resource_name or ''}".strip(),
                     file=f.file or str(s.file), line=str(f.line or 0))
        if f.status == "exempted":
            e = f.exemption or {}
            ET.SubElement(case, "skipped", message=f"exempted until {e.get('expires')}: {e.get('reason', '')}")
        elif verdict.gates.blocks(f):
            ET.SubElement(case, "failure", message=f.message, type=f.severity).text = f.remediation
        elif f.enforcement == "mandatory":  # let through by --soft-fail and friends: shown, not failing
            ET.SubElement(case, "system-out").text = f"soft-failed ({f.severity}): {f.message}\n{f.remediation}"
        else:  # an advisory: shown, never a failure
            ET.SubElement(case, "system-out").text = f"advisory: {f.message}\n{f.remediation}"
    judged = _case(suite, s.stack, "stack renders and is judged", s.render_seconds + s.policy_seconds)
    if s.render_error:
        ET.SubElement(judged, "error", message=s.render_error, type="render-failed")
    elif s.graph is not None and verdict.check.checkov_error:
        ET.SubElement(judged, "error", message=verdict.check.checkov_error, type="checkov-failed")
    elif s.graph is None:
        ET.SubElement(judged, "skipped", message="not rendered: the spec is invalid")
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(c.find("failure") is not None for c in cases)))
    suite.set("errors", str(sum(c.find("error") is not None for c in cases)))
    suite.set("skipped", str(sum(c.find("skipped") is not None for c in cases)))
    return suite


def to_junit(report: CheckReport | Verdict) -> str:
    verdict = as_verdict(report)
    root = ET.Element("testsuites", name="hardstack check", time=f"{verdict.check.seconds:.3f}")
    suites = [_suite(root, verdict, s) for s in verdict.check.stacks]
    for count in COUNTS:
        root.set(count, str(sum(int(s.get(count, "0")) for s in suites)))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
