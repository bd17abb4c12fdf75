"""The PR check: validate, render, run the policy packs and checkov, apply exemptions.

Stacks render in worker processes (pipeline/pool.py) while checkov starts up; checkov then runs
once for all stacks (its start-up costs seconds). With a cache, an unchanged stack is neither
rendered nor scanned again (pipeline/work.py, pipeline/judge.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hardstack.cache import Store, render_key
from hardstack.cache.keys import blueprint_digest
from hardstack.checkov import runner as checkov_runner
from hardstack.checkov.export import ExportText
from hardstack.checkov.prestart import PrestartedCheckov
from hardstack.checkov.results import CheckovStackResult
from hardstack.findings import Finding
from hardstack.locate import spec_path_for
from hardstack.pipeline import pool
from hardstack.pipeline.judge import checkov_processes, judge
from hardstack.pipeline.subject import Subject
from hardstack.pipeline.work import StackWork, judge_graph
from hardstack.policy.exemptions import ExemptionScope, apply_exemptions, stale_exemptions, validate_exemptions
from hardstack.policy.result import PolicyResult
from hardstack.render.graph import Graph
from hardstack.spec import LoadedSpec, SpecError, SpecIssue, load
from hardstack.spec.models import Exemption

Progress = Callable[[str], None]
RENDER_KIND = "render"


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
    export: ExportText | None = None
    render_cached: bool = False  # the render, policies and export came from the cache
    subject: Subject | None = None  # a program, state export or preview, judged without a spec

    @property
    def scope(self) -> ExemptionScope | None:
        """Whose exemptions apply: the spec's environment, or the subject."""
        return self.loaded.environment if self.loaded is not None else self.subject

    @property
    def compliance(self) -> list[str]:
        scope = self.loaded.environment if self.loaded is not None else self.subject
        return list(scope.compliance) if scope is not None else []

    @property
    def region(self) -> str:
        return self.loaded.environment.region if self.loaded is not None else (self.subject.region if self.subject
                                                                                 else "")

    def where(self, path: tuple[str | int, ...]) -> tuple[Path, int]:
        """(file, line) of a spec path: the stack file, or Pulumi.yaml for an organisation default."""
        if self.loaded is not None:
            return self.loaded.where(path)
        return self.file, self.line_of(path)

    def line_of(self, path: tuple[str | int, ...]) -> int:
        if self.loaded is not None:
            return self.loaded.line_of(path)
        return self.subject.line_of(path) if self.subject is not None else 0

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
    checkov_reused: int = 0  # exports whose checkov verdict came from the cache
    rendered: int = 0
    reused_renders: int = 0

    @property
    def exit_code(self) -> int:
        """The exit code without gates: the same scheme every command uses (report/gates.py)."""
        from hardstack.report.gates import Verdict

        return Verdict(self).exit_code


def _locate(report: StackReport) -> None:
    """Point each finding at the line that asked for it: the spec section, or the exemption that
    exempts it. A subject has no spec: its findings point at its file (their URN says where)."""
    scope = report.scope
    assert scope is not None and report.graph is not None
    for finding in report.findings:
        path: tuple[str | int, ...] = ()
        if report.loaded is not None:
            path = spec_path_for(finding, report.graph, report.loaded.environment)
        if finding.status == "exempted" and finding.exemption is not None:
            index = scope.exemptions.index(next(
                e for e in scope.exemptions
                if e.rule == finding.exemption["rule"] and e.resource == finding.exemption["resource"]))
            path = ("exemptions", index)
        where = report.where(path)
        finding.file, finding.line = str(where[0]), where[1]
        if not finding.line and report.subject is not None:
            finding.line = report.subject.line_of_urn(finding.resource_urn)


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
    scope = report.scope
    assert scope is not None and report.graph is not None
    for index, e in stale_exemptions(scope, report.graph, report.findings, judged_checkov):
        line = report.line_of(("exemptions", index))
        report.stale.append((index, e, line))
        if strict:  # --strict: an exemption that hides nothing is invalid input
            report.issues.append(SpecIssue(report.file, line, f"exemptions[{index}]", (
                f"{{rule: {e.rule}, resource: {e.resource}}} covered no failure in this run (stale): remove it, "
                "or correct its rule or resource")))


def _load(report: StackReport, progress: Progress) -> None:
    started = time.perf_counter()
    try:
        report.loaded = load(report.file)
    except SpecError as exc:
        report.issues = exc.issues
        progress(f"✗ {report.file}: invalid spec ({len(exc.issues)} problem(s))")
        return
    report.stack = report.loaded.stack
    report.validate_seconds = time.perf_counter() - started


def _take(report: StackReport, work: StackWork, checkov_ids: frozenset[str] | None) -> None:
    """A stack's rendered, policy-checked work, and its exemptions validated against the graph."""
    report.render_error = work.render_error
    if work.graph is None:
        return
    scope = report.scope
    assert scope is not None
    report.graph, report.render_seconds, report.policy_seconds = work.graph, work.render_seconds, work.policy_seconds
    report.render_cached, report.checkov_note, report.export = work.cached, work.export_note, work.export
    report.policy = PolicyResult(list(work.findings), dict(work.evaluated))
    report.findings = list(work.findings)
    for problem in validate_exemptions(scope, report.graph, checkov_ids):
        path = ("exemptions", problem.index, problem.field)
        report.issues.append(SpecIssue(report.file, report.line_of(path),
                                       f"exemptions[{problem.index}].{problem.field}", problem.message))


def _work(reports: list[StackReport], cache: Store | None, workers: int, progress: Progress,
          on_render: Callable[[int], None]) -> dict[int, StackWork]:
    """Every valid stack's work: from the cache, else rendered (in `workers` processes)."""
    done: dict[int, StackWork] = {}
    keys: dict[int, str] = {}
    jobs: list[pool.Job] = []
    for index, report in enumerate(reports):
        if report.loaded is None:
            continue
        if cache is not None:
            # The stack file and the project's defaults merged under it (Pulumi.yaml) decide the render.
            env = report.loaded.environment
            merged = env.model_dump_json().encode()
            # A team's own blueprint is source the render runs too.
            own = blueprint_digest(env.blueprint).encode() if env.blueprint else b""
            keys[index] = render_key(report.file.read_bytes() + b"\0" + merged + b"\0" + own, report.stack)
            hit = cache.get(RENDER_KIND, keys[index])
            if hit is not None:
                done[index] = StackWork.from_dict(hit)
                progress(f"  {report.stack}: rendered and policy-checked before, reused from the cache")
                continue
        jobs.append(pool.Job(index, report.loaded.environment, report.stack))
    if not jobs:
        return done
    on_render(len(jobs))
    where = f" in {min(workers, len(jobs))} worker processes" if workers > 1 and len(jobs) > 1 else ""
    progress(f"  rendering {len(jobs)} stack(s){where} ...")
    for count, (index, work) in enumerate(pool.run(jobs, workers), start=1):
        done[index] = work
        if work.render_error is None:
            progress(f"  [{count}/{len(jobs)}] {work.stack}: rendered ({len(work.graph or [])} resources) "
                     f"in {work.render_seconds:.1f} s, policies in {work.policy_seconds:.1f} s")
            if cache is not None:
                cache.put(RENDER_KIND, keys[index], work.to_dict())
        else:
            progress(f"  [{count}/{len(jobs)}] {work.stack}: render failed")
    return done


def _judge(reports: list[StackReport], check: CheckReport, checkovs: list[PrestartedCheckov],
           cache: Store | None, progress: Progress) -> None:
    ready = [r for r in reports if r.graph is not None and r.export is not None]
    if not ready:
        for checkov in checkovs:
            checkov.close()
        return
    started = time.perf_counter()
    progress(f"  checkov on {len(ready)} stack(s) ...")
    try:
        judgement = judge([r.export for r in ready if r.export is not None],
                          {r.stack: r.graph for r in ready if r.graph is not None}, checkovs, cache)
    except (checkov_runner.CheckovMissingError, checkov_runner.CheckovFailedError) as exc:
        check.checkov_error = str(exc)
        return
    finally:
        check.checkov_seconds = time.perf_counter() - started
    check.checkov_runs, check.checkov_reused = judgement.runs, judgement.reused
    for report in ready:
        result = judgement.results.get(report.stack)
        if result is not None:
            report.checkov = result
            report.findings.extend(result.findings)


def _start_checkovs(with_checkov: bool, count: int) -> list[PrestartedCheckov]:
    started: list[PrestartedCheckov] = []
    try:
        while with_checkov and len(started) < count:
            started.append(PrestartedCheckov())
    except checkov_runner.CheckovMissingError:
        pass  # reported when the exports are judged
    return started


def default_workers() -> int:
    """One render worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def reuse_summary(check: CheckReport, cache: Store) -> str:
    """What came from the cache, for the user who wonders why a check was fast (or not)."""
    judged = sum(1 for s in check.stacks if s.checkov is not None)
    line = (f"cache {cache.directory}: reused {check.reused_renders} of {check.reused_renders + check.rendered} "
            f"render(s) and {check.checkov_reused} of {judged} checkov verdict(s); --no-cache to bypass")
    if cache.write_errors:
        line += f"\ncache not written ({len(cache.write_errors)} entr(ies)): {cache.write_errors[0]}"
    return line


def _unique(subject: Subject, used: set[str]) -> None:
    """Stacks are told apart by name (exports, checkov results, reports): two files of stack `dev`
    become `dev` and `dev~<file name>`."""
    name, n = subject.stack, 1
    while name in used:
        name = f"{subject.stack}~{subject.file.stem}" if n == 1 else f"{subject.stack}~{subject.file.stem}~{n}"
        n += 1
    used.add(name)
    subject.stack = name
    if subject.graph is not None:
        subject.graph.stack = name


def _subject_work(subject: Subject, progress: Progress) -> StackWork:
    """A subject's graph is given: only its policies and export are left to do."""
    assert subject.graph is not None
    work = judge_graph(subject.graph, subject.compliance, subject.stack)
    progress(f"  {subject.stack} ({subject.kind} {subject.file}): {len(subject.graph)} resources, "
             f"policies in {work.policy_seconds:.1f} s")
    return work


def run_check(files: list[Path], progress: Progress = lambda _: None, with_checkov: bool = True,
              strict: bool = False, workers: int = 1, cache: Store | None = None,
              subjects: list[Subject] | None = None) -> CheckReport:
    """Validate, render, judge and apply exemptions; with `strict`, stale exemptions are invalid input.

    `workers` > 1 renders in that many spawned processes; with a `cache`, unchanged stacks and
    exports are not rendered or scanned again (the report says how many were reused).
    `subjects` are graphs judged without a spec (programs, state exports, previews), after the
    spec stacks."""
    started = time.perf_counter()
    checkov_ids = _checkov_ids(with_checkov)
    reports = [StackReport(file=file, stack=file.name) for file in files]
    for report in reports:
        _load(report, progress)
    given = []
    used = {r.stack for r in reports}
    for subject in subjects or []:
        _unique(subject, used)
        report = StackReport(file=subject.file, stack=subject.stack, subject=subject, issues=list(subject.issues),
                             render_error=subject.error)
        reports.append(report)
        if subject.graph is not None and not subject.issues:
            given.append(report)
        elif subject.error:
            progress(f"✗ {subject.file}: {subject.kind} not judged: {subject.error}")
        else:
            progress(f"✗ {subject.file}: invalid hardstack config ({len(subject.issues)} problem(s))")
    check = CheckReport(stacks=reports)
    checkovs: list[PrestartedCheckov] = []

    def start_checkovs(stacks: int) -> None:  # their start-up overlaps the renders
        checkovs.extend(_start_checkovs(with_checkov, checkov_processes(stacks, workers)))

    try:
        works = _work(reports, cache, workers, progress, on_render=start_checkovs)
        if given and not checkovs:
            start_checkovs(len(given))
        for report in given:
            assert report.subject is not None
            _take(report, _subject_work(report.subject, progress), checkov_ids)
        for index, work in works.items():
            _take(reports[index], work, checkov_ids)
        check.reused_renders = sum(1 for w in works.values() if w.cached)
        check.rendered = sum(1 for w in works.values() if not w.cached)  # subjects are given, not rendered
        if with_checkov:
            _judge(reports, check, checkovs, cache, progress)
    finally:
        for checkov in checkovs:
            checkov.close()
    for report in reports:
        scope = report.scope
        if scope is not None and report.graph is not None:
            report.findings = apply_exemptions(report.findings, scope, report.graph)
            _locate(report)
            _stale(report, judged_checkov=report.checkov is not None, strict=strict)
    check.seconds = time.perf_counter() - started
    return check
