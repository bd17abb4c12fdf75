"""Gates with checkov's semantics (checkov/common/output/report.py get_exit_code and
runner_filter.py should_run_check, read at checkov 3.3), on findings made here."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardstack.check import CheckReport, StackReport
from hardstack.findings import Finding
from hardstack.report.gates import ERROR, FAILED, OK, Gates, Matcher, Verdict, split_values
from hardstack.spec import SpecIssue


def finding(rule: str, severity: str, *, source: str = "policy", enforcement: str = "mandatory",
            status: str = "failed", controls: dict[str, list[str]] | None = None) -> Finding:
    return Finding(source=source, rule_id=rule, title=rule, severity=severity, enforcement=enforcement,  # type: ignore[arg-type]
                   stack="s", message="m", status=status, controls=controls or {})  # type: ignore[arg-type]


LOW = finding("CKV_AWS_1", "low", source="checkov")
MEDIUM = finding("CKV_AWS_2", "medium", source="checkov")
HIGH = finding("aws-kms-key-rotation", "high", controls={"hipaa": ["164.312(a)(2)(iv)"]})
CRITICAL = finding("CKV2_AWS_9", "critical", source="checkov")
ADVISORY = finding("internet-egress-advisory", "low", enforcement="advisory")


def gates(**options: object) -> Gates:
    return Gates(**{k: Matcher.parse(v) if isinstance(v, list) else v for k, v in options.items()})  # type: ignore[arg-type]


def blocked(g: Gates) -> set[str]:
    return {f.severity if f is not ADVISORY else "advisory"
            for f in (LOW, MEDIUM, HIGH, CRITICAL, ADVISORY) if g.blocks(f)}


@pytest.mark.parametrize(("options", "expected"), [
    ({}, {"low", "medium", "high", "critical"}),  # every mandatory failure blocks, advisories never
    ({"soft_fail": True}, set()),
    ({"hard_fail_on": ["HIGH"]}, {"high", "critical"}),  # at or above; the rest soft
    ({"hard_fail_on": ["critical,medium"]}, {"medium", "high", "critical"}),  # the lowest threshold
    ({"soft_fail_on": ["MEDIUM"]}, {"high", "critical"}),  # at or below is soft; the rest hard
    ({"soft_fail_on": ["LOW", "high"]}, {"critical"}),  # the highest threshold
    ({"soft_fail": True, "hard_fail_on": ["HIGH"]}, {"high", "critical"}),
    ({"soft_fail_on": ["CKV_AWS_*"]}, {"high", "critical"}),  # named ids are soft, the rest hard
    ({"hard_fail_on": ["CKV_AWS_2"]}, {"medium"}),  # only what is named
    # named soft beats a severity; with a soft list, what it does not name is hard (as in checkov)
    ({"hard_fail_on": ["HIGH"], "soft_fail_on": ["aws-kms-*"]}, {"low", "medium", "critical"}),
    ({"soft_fail_on": ["HIGH"], "hard_fail_on": ["aws-kms-key-rotation"]}, {"high", "critical"}),
    ({"hard_fail_on": ["hipaa"]}, {"high"}),  # a framework names its mandatory rules, not advisories
    ({"hard_fail_on": ["internet-egress-advisory"]}, {"advisory"}),  # named, an advisory blocks
    ({"hard_fail_on": ["LOW"]}, {"low", "medium", "high", "critical"}),  # a threshold never reaches advisories
])
def test_blocking_follows_checkov(options: dict[str, object], expected: set[str]) -> None:
    assert blocked(gates(**options)) == expected


@pytest.mark.parametrize(("options", "expected"), [
    ({}, {"low", "medium", "high", "critical", "advisory"}),
    ({"check": ["HIGH"]}, {"high", "critical"}),
    ({"check": ["CKV_AWS_1,CKV_AWS_2"]}, {"low", "medium"}),
    ({"check": ["hipaa"]}, {"high", "advisory"}),  # both map to HIPAA controls
    ({"check": ["MEDIUM", "CKV_AWS_1"]}, {"low", "medium", "high", "critical"}),
    ({"skip_check": ["MEDIUM"]}, {"high", "critical"}),
    ({"skip_check": ["CKV*"]}, {"high", "advisory"}),
    ({"check": ["CKV_AWS_*"], "skip_check": ["CKV_AWS_2"]}, {"low"}),  # skip wins
    ({"skip_check": ["internet-egress-advisory"]}, {"low", "medium", "high", "critical"}),
])
def test_selection_follows_checkov(options: dict[str, object], expected: set[str]) -> None:
    g = gates(**options)
    picked = {f.severity if f is not ADVISORY else "advisory"
              for f in (LOW, MEDIUM, HIGH, CRITICAL, ADVISORY) if g.selected(f)}
    assert picked == expected


def test_values_split_and_classify() -> None:
    assert split_values(["a,b", " c ", ""]) == ("a", "b", "c")
    m = Matcher.parse(["HIGH,hipaa", "CKV_AWS_1", "aws-kms-*"])
    assert (m.severities, m.frameworks, m.ids) == (("high",), ("hipaa",), ("CKV_AWS_1", "aws-kms-*"))
    assert Matcher.parse(["aws-kms-key-rotaton", "aws-no-*", "CKV_AWS_99", "HS_GCP_*"]).unknown_ids() == [
        "aws-kms-key-rotaton", "aws-no-*"]


def _report(*findings: Finding, issues: bool = False, render_error: str | None = None,
            checkov_error: str | None = None) -> CheckReport:
    stack = StackReport(file=Path("Pulumi.s.yaml"), stack="s", findings=list(findings), render_error=render_error)
    if issues:
        stack.issues = [SpecIssue(Path("Pulumi.s.yaml"), 3, "network.cidr", "bad")]
    else:
        stack.graph = object()  # type: ignore[assignment]  # rendered
    return CheckReport(stacks=[stack], checkov_error=checkov_error)


@pytest.mark.parametrize(("report", "g", "code"), [
    (_report(), Gates(), OK),
    (_report(ADVISORY, finding("x", "high", status="exempted")), Gates(), OK),
    (_report(MEDIUM), Gates(), FAILED),
    (_report(MEDIUM), gates(soft_fail=True), OK),
    (_report(issues=True), gates(soft_fail=True), FAILED),  # --soft-fail never hides invalid input
    (_report(MEDIUM, checkov_error="gone"), gates(soft_fail=True), ERROR),
    (_report(render_error="boom"), Gates(), ERROR),
    (_report(MEDIUM), gates(skip_check=["CKV_AWS_2"]), OK),
])
def test_exit_codes(report: CheckReport, g: Gates, code: int) -> None:
    assert Verdict(report, g).exit_code == code
