"""JUnit: counts that match the test cases on every suite and the root, times, and one verdict:
failures are what blocks, invalid input is an error, exempted is skipped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from report_helpers import examples_report, mixed_report

from hardstack.report.gates import Gates, Matcher, Verdict
from hardstack.report.junit import to_junit

COUNTS = ("tests", "failures", "errors", "skipped")


def _counted(element: ET.Element) -> dict[str, int]:
    cases = list(element.iter("testcase"))
    return {"tests": len(cases), "failures": sum(c.find("failure") is not None for c in cases),
            "errors": sum(c.find("error") is not None for c in cases),
            "skipped": sum(c.find("skipped") is not None for c in cases)}


def _declared(element: ET.Element) -> dict[str, int]:
    return {k: int(element.attrib[k]) for k in COUNTS}


SCENARIOS = {
    "examples": lambda: Verdict(examples_report()),
    "mixed": lambda: Verdict(mixed_report()),
    "mixed-soft-fail": lambda: Verdict(mixed_report(), Gates(soft_fail=True)),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_counts_match_the_cases_everywhere(scenario: str) -> None:
    verdict = SCENARIOS[scenario]()
    root = ET.fromstring(to_junit(verdict))
    assert root.tag == "testsuites"
    for suite in root.findall("testsuite"):
        assert _declared(suite) == _counted(suite), suite.get("name")
        assert float(suite.attrib["time"]) >= 0
        assert all(float(c.attrib["time"]) >= 0 for c in suite.iter("testcase"))
    assert _declared(root) == _counted(root)
    assert float(root.attrib["time"]) == pytest.approx(verdict.check.seconds, abs=0.001)


def test_examples_skip_exempted_and_fail_nothing() -> None:
    root = ET.fromstring(to_junit(examples_report()))
    assert _declared(root)["failures"] == _declared(root)["errors"] == 0
    assert _declared(root)["skipped"] == sum(len(s.exempted) for s in examples_report().stacks) > 0
    skipped = [c.find("skipped") for c in root.iter("testcase") if c.find("skipped") is not None]
    assert all((s.get("message") or "").startswith("exempted until 2027-11-30: ") for s in skipped if s is not None)
    stacks = {s.get("name"): float(s.attrib["time"]) for s in root.findall("testsuite")}
    assert set(stacks) == {s.stack for s in examples_report().stacks} and all(t > 0 for t in stacks.values())


def test_blocking_findings_fail_and_invalid_specs_are_errors() -> None:
    root = ET.fromstring(to_junit(mixed_report()))
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    aws = suites["aws-prod-eu"]
    failures = sorted(c.get("name") or "" for c in aws.iter("testcase") if c.find("failure") is not None)
    assert failures == ["CKV_AWS_252 aws-prod-eu-audit-trail",
                        "aws-s3-sse-customer-key aws-prod-eu-access-logs-encryption"]
    gcp = next(s for name, s in suites.items() if name != "aws-prod-eu")
    errors = [c for c in gcp.iter("testcase") if c.find("error") is not None]
    assert [c.get("name") for c in errors] == ["spec network.cidr"]
    assert errors[0].find("error").get("type") == "invalid-input"  # type: ignore[union-attr]


def test_soft_failed_findings_pass_with_system_out() -> None:
    verdict = Verdict(mixed_report(), Gates(hard_fail_on=Matcher.parse(["HIGH"])))
    root = ET.fromstring(to_junit(verdict))
    trail = next(c for c in root.iter("testcase") if (c.get("name") or "").startswith("CKV_AWS_252"))
    assert trail.find("failure") is None and "soft-failed (medium)" in (trail.findtext("system-out") or "")
    assert _declared(root)["failures"] == 1  # the high-severity policy failure still blocks
