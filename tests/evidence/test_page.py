"""The HTML page from a check with failures, exemptions and hostile text: what it lists, what it
escapes, and the days an exemption has left."""

from __future__ import annotations

import dataclasses
import datetime as dt
from html.parser import HTMLParser

from report_helpers import mixed_report

from hardstack.evidence.model import Edge, Inventory, Node
from hardstack.evidence.page import page
from hardstack.report.evidence import stack_evidence
from hardstack.report.gates import Gates, Verdict

HOSTILE = '<script>alert("x")</script> & "quoted"'


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def _inventory() -> Inventory:
    net = Node("urn:net", "subnet", "private-a", "aws:ec2/subnet:Subnet", "private-a")
    vm = Node("urn:vm", "workload", HOSTILE, "aws:ec2/instance:Instance", HOSTILE,
              {"tee": "SEV-SNP", "machine_type": "m6a.large"}, within="urn:net")
    key = Node("urn:key", "key", "data-key", "aws:kms/key:Key", "data-key", {"rotation": "365 days"})
    return Inventory("aws-prod-eu", "aws", "eu-west-1", [net, vm, key], [Edge("urn:key", "urn:vm", "encrypts")])


def _page(verdict: Verdict, today: dt.date) -> str:
    stack = next(s for s in verdict.check.stacks if s.stack == "aws-prod-eu")
    return page(verdict, stack, _inventory(), "<svg></svg>", stack_evidence(verdict, stack), today=today)


def test_failures_exemptions_and_days_left() -> None:
    verdict = Verdict(mixed_report())
    stack = next(s for s in verdict.check.stacks if s.stack == "aws-prod-eu")
    blocking = verdict.blocking(stack)
    assert blocking
    exempted = verdict.exempted(stack)
    expires = dt.date.fromisoformat(str(exempted[0].exemption["expires"]))  # type: ignore[index]
    html = _page(verdict, today=expires - dt.timedelta(days=12))
    assert html.count('data-gate="blocking"') == len(blocking)
    assert html.count('data-gate="exempted"') == len(exempted)
    assert "<td>12</td>" in html
    assert 'data-verdict="fail"' in html
    soft = _page(Verdict(mixed_report(), gates=Gates(soft_fail=True)), today=expires)
    assert soft.count('data-gate="soft-failed"') == len(blocking) and 'data-gate="blocking"' not in soft


def test_hostile_names_and_messages_are_text_not_markup() -> None:
    report = mixed_report()
    stack = next(s for s in report.stacks if s.stack == "aws-prod-eu")
    hostile = dataclasses.replace(stack, findings=[dataclasses.replace(f, message=HOSTILE) for f in stack.findings])
    checked = dataclasses.replace(report, stacks=[hostile])
    html = _page(Verdict(checked), today=dt.date(2026, 1, 1))
    parser = _Tags()
    parser.feed(html)
    assert "script" not in parser.tags
    assert "&lt;script&gt;" in html
    assert 'data-name="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quoted&quot;"' in html


def test_the_page_is_self_contained() -> None:
    html = _page(Verdict(mixed_report()), today=dt.date(2026, 1, 1))
    for needle in ("<script", "<link", "src=", "http://", "@import"):
        assert needle not in html, needle
