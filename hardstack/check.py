"""The PR check: validate, render, run the policy packs and checkov, apply exemptions.

checkov runs once for all stacks (its start-up costs seconds; its scan, milliseconds).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hardstack.checkov import runner as checkov_runner
from hardstack.checkov.export import ExportedStack, ExportUnsupportedError, export
from hardstack.checkov.results import CheckovStackResult, map_results
from hardstack.findings import Finding
from hardstack.locate import spec_path_for
from hardstack.policy import PolicyResult, apply_exemptions, evaluate, validate_exemptions
from hardstack.policy.exemptions import stale_exemptions
from hardstack.render import Graph, RenderError, render
from hardstack.spec import LoadedSpec, SpecError, SpecIssue, load
from hardstack.spec.models import Exemption
from hardstack_rules.packs import packs_for

Progress = Callable[[str], None]


@dataclass
class StackReport:
    file: Path
    stack: str
    loaded: LoadedSpec | None = None
    graph: Graph | None = None
    issues: list[SpecIssue] = field(default_factory=list)  # bad input: invalid spec or exemptions
    render_error: str | None = None
    validate_seconds: float = 0.0
    render_seconds: float = 0.0
    policy_seconds: float = 0.0
    policy: PolicyResult | None = None
    checkov: CheckovStackResult | None = None
    checkov_note: str | None = None
    findings: list[Finding] = field(default_factory=list)
    # Exemptions that covered no failure in this run (index in the spec, exemption, its line).
    stale: list[tuple[int, Exemption, int]] = field(default_factory=list)

    @property
    def failed(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def advisories(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "failed" and not f.blocking]

    @property
    def exempted(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "exempted"]


@dataclass
class CheckReport:
    stacks: list[StackReport]
    checkov_runs: int = 0
    checkov_seconds: float = 0.0
    seconds: float = 0.0
    checkov_error: str | None = None

    @property
    def exit_code(self) -> int:
        """The exit code without gates: the same scheme every command uses (report/gates.py)."""
        from hardstack.report.gates import Verdict

        return Verdict(self).exit_code


def _locate(report: StackReport) -> None:
    assert report.loaded is not None and report.graph is not None
    for finding in report.findings:
        path = spec_path_for(finding, report.graph, report.loaded.environment)
        if finding.status == "exempted" and finding.exemption is not None:
            index = report.loaded.environment.exemptions.index(next(
                e for e in report.loaded.environment.exemptions
                if e.rule == finding.exemption["rule"] and e.resource == finding.exemption["resource"]))
            path = ("exemptions", index)
        finding.file = str(report.file)
        finding.line = report.loaded.line_of(path)


def _prepare(file: Path, progress: Progress, checkov_ids: frozenset[str] | None = None) -> StackReport:
    report = StackReport(file=file, stack=file.name)
    started = time.perf_counter()
    try:
        report.loaded = load(file)
    except SpecError as exc:
        report.issues = exc.issues
        progress(f"✗ {file}: invalid spec ({len(exc.issues)} problem(s))")
        return report
    report.stack = report.loaded.stack
    report.validate_seconds = time.perf_counter() - started
    progress(f"  rendering {report.stack} ...")
    try:
        rendered = render(report.loaded)
    except RenderError as exc:
        report.render_error = str(exc)
        return report
    report.graph, report.render_seconds = rendered.graph, rendered.seconds
    env = report.loaded.environment
    for problem in validate_exemptions(env, report.graph, checkov_ids):
        path = ("exemptions", problem.index, problem.field)
        report.issues.append(SpecIssue(file, report.loaded.line_of(path),
                                       f"exemptions[{problem.index}].{problem.field}", problem.message))
    progress(f"  policies on {report.stack} ({len(report.graph)} resources) ...")
    started = time.perf_counter()
    report.policy = evaluate(report.graph, packs_for(env.compliance))
    report.policy_seconds = time.perf_counter() - started
    report.findings = list(report.policy.findings)
    return report


def _judge(reports: list[StackReport], check: CheckReport, progress: Progress) -> None:
    ready = [r for r in reports if r.graph is not None]
    with tempfile.TemporaryDirectory(prefix="hardstack-checkov-") as tmp:
        exported: list[ExportedStack] = []
        for report in ready:
            assert report.graph is not None
            try:
                exported.append(export(report.graph, Path(tmp)))
            except ExportUnsupportedError as exc:
                report.checkov_note = f"not judged by checkov: {exc}"
        if not exported:
            return
        progress(f"  checkov on {len(exported)} stack(s), one run ...")
        started = time.perf_counter()
        try:
            reports_json = checkov_runner.run(Path(tmp), [e.framework for e in exported])
        except (checkov_runner.CheckovMissingError, checkov_runner.CheckovFailedError) as exc:
            check.checkov_error = str(exc)
            return
        finally:
            check.checkov_seconds = time.perf_counter() - started
        check.checkov_runs += 1
        graphs = {r.stack: r.graph for r in ready if r.graph is not None}
        mapped = map_results(reports_json, exported, graphs)
    for report in ready:
        result = mapped.get(report.stack)
        if result is not None:
            report.checkov = result
            report.findings.extend(result.findings)


def _checkov_ids(with_checkov: bool) -> frozenset[str] | None:
    """The installed checkov's check ids (cached), or None when checkov is not used or missing:
    exemptions then have their checkov ids checked by shape only."""
    if not with_checkov:
        return None
    from hardstack.checkov.check_ids import known_check_ids

    try:
        return known_check_ids()
    except checkov_runner.CheckovMissingError:
        return None


def _stale(report: StackReport, judged_checkov: bool, strict: bool) -> None:
    assert report.loaded is not None and report.graph is not None
    env = report.loaded.environment
    for index, e in stale_exemptions(env, report.graph, report.findings, judged_checkov):
        line = report.loaded.line_of(("exemptions", index))
        report.stale.append((index, e, line))
        if strict:  # --strict: an exemption that hides nothing is invalid input
            report.issues.append(SpecIssue(report.file, line, f"exemptions[{index}]", (
                f"{{rule: {e.rule}, resource: {e.resource}}} covered no failure in this run (stale): remove it, "
                "or correct its rule or resource")))


def run_check(files: list[Path], progress: Progress = lambda _: None, with_checkov: bool = True,
              strict: bool = False) -> CheckReport:
    """Validate, render, judge and apply exemptions; with `strict`, stale exemptions are invalid input."""
    started = time.perf_counter()
    checkov_ids = _checkov_ids(with_checkov)
    reports = [_prepare(file, progress, checkov_ids) for file in files]
    check = CheckReport(stacks=reports)
    if with_checkov:
        _judge(reports, check, progress)
    for report in reports:
        if report.loaded is not None and report.graph is not None:
            report.findings = apply_exemptions(report.findings, report.loaded.environment, report.graph)
            _locate(report)
            _stale(report, judged_checkov=report.checkov is not None, strict=strict)
    check.seconds = time.perf_counter() - started
    return check
