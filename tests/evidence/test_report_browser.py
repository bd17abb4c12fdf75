"""The HTML evidence opened in a real browser: Chromium from the OS (make os-packages installs it),
driven by Playwright. Every example's page loads without console errors and without a network
request; its DOM shows every workload, key and bucket of the rendered graph in the diagram and
the same control matrix as `hardstack check --format json`."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, sync_playwright
from report_helpers import examples_report

from hardstack.evidence.reports import PAGE, write_reports
from hardstack.report.gates import Verdict
from hardstack.report.json_report import to_dict
from hardstack.rules import REGISTRY

# What the diagram must show, by the graph's own resource types (not the inventory's tables).
SHOWN = {
    "workload": ("aws:ec2/instance:Instance", "azure-native:compute:VirtualMachine", "gcp:compute/instance:Instance"),
    "key": ("aws:kms/key:Key", "azure-native:keyvault:Key", "gcp:kms/cryptoKey:CryptoKey"),
    "store": ("aws:s3/bucket:Bucket", "azure-native:storage:StorageAccount", "gcp:storage/bucket:Bucket"),
}
# As the environment's machine-facts page says Chromium must start here: no sandbox as root, and
# no background networking (this machine's network is closed).
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("google-chrome") or shutil.which("chromium-browser")
    assert found, "no Chromium: install it (make os-packages, or apt install chromium)"
    return found


@pytest.fixture(scope="module")
def verdict() -> Verdict:
    return Verdict(examples_report())


@pytest.fixture(scope="module")
def evidence(verdict: Verdict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("evidence")
    write_reports(verdict, out)
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=_chromium(), args=FLAGS, headless=True)
        yield launched
        launched.close()


def _open(browser: Browser, page_file: Path) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page_file.as_uri(), wait_until="load")
    return page, errors, requests


def _stacks(verdict: Verdict) -> list[str]:
    return [s.stack for s in verdict.check.stacks]


def test_every_example_page_loads_cleanly_and_shows_its_graph(verdict: Verdict, evidence: Path,
                                                            browser: Browser) -> None:
    # every example stack gets its page, whichever examples stacks/ holds
    examples = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml")
                      for p in (Path(__file__).resolve().parents[2] / "stacks").glob("Pulumi.*.yaml"))
    assert sorted(_stacks(verdict)) == examples and len(examples) >= 5
    for stack in verdict.check.stacks:
        assert stack.graph is not None
        page, errors, requests = _open(browser, evidence / stack.stack / PAGE)
        try:
            assert errors == [], (stack.stack, errors)
            assert requests == [(evidence / stack.stack / PAGE).as_uri()], requests  # nothing fetched
            assert page.get_attribute("body", "data-verdict") == verdict.stack_verdict(stack)
            drawn = set(page.eval_on_selector_all("svg g.node", "els => els.map(e => e.id)"))
            expected = {f"{kind}:{r.name}" for kind, types in SHOWN.items() for r in stack.graph if r.type in types}
            assert expected, stack.stack
            assert expected <= drawn, (stack.stack, sorted(expected - drawn))
            for kind in SHOWN:
                rows = set(page.eval_on_selector_all(f"tr[data-kind='{kind}']", "els => els.map(e => e.dataset.name)"))
                assert {n.split(":", 1)[1] for n in expected if n.startswith(kind + ":")} <= rows, (stack.stack, kind)
        finally:
            page.close()


def test_control_rows_match_the_json_report(verdict: Verdict, evidence: Path, browser: Browser) -> None:
    report = {s["stack"]: s for s in to_dict(verdict)["stacks"]}
    for name in _stacks(verdict):
        expected = {(fw, c["id"], c["status"]) for fw, framework in report[name]["evidence"]["controls"].items()
                    for c in framework["controls"]}
        page, _, _ = _open(browser, evidence / name / PAGE)
        try:
            rows = page.eval_on_selector_all(
                "tr[data-control]", "els => els.map(e => [e.dataset.framework, e.dataset.control, e.dataset.status])")
        finally:
            page.close()
        assert len(rows) == len(expected), name  # no control twice
        assert {tuple(r) for r in rows} == expected, name


def test_aws_prod_eu_matrix_covers_every_hipaa_and_gdpr_control_its_rules_cite(
        verdict: Verdict, evidence: Path, browser: Browser) -> None:
    stack = next(s for s in verdict.check.stacks if s.stack == "aws-prod-eu")
    assert stack.policy is not None
    cited = {(fw, c) for rule_id, n in stack.policy.evaluated.items() if n
             for fw in ("hipaa", "gdpr") for c in REGISTRY[rule_id].controls.get(fw, ())}
    assert {fw for fw, _ in cited} == {"hipaa", "gdpr"}
    page, _, _ = _open(browser, evidence / "aws-prod-eu" / PAGE)
    try:
        rows = page.eval_on_selector_all(
            "tr[data-control]",
            "els => els.map(e => [e.dataset.framework, e.dataset.control, e.dataset.status, e.cells[3].textContent])")
    finally:
        page.close()
    shown = {(fw, c): (status, rules) for fw, c, status, rules in rows if fw in ("hipaa", "gdpr")}
    assert set(shown) == cited
    for key, (status, rules) in shown.items():
        assert status in ("passed", "exempted"), key
        assert "(passed)" in rules or "(exempted)" in rules, key
