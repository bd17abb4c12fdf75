"""A Markdown summary for a CI job page (GitHub's $GITHUB_STEP_SUMMARY): the verdict per stack,
then what blocks and what input is invalid, each at its file and line."""

from __future__ import annotations

from hardstack.check import CheckReport
from hardstack.report.evidence import checkov_checks, policy_rules, summary
from hardstack.report.gates import Verdict, as_verdict

ICON = {"pass": "✅ pass", "fail": "❌ fail", "invalid": "❌ invalid input", "error": "⚠️ not judged"}
LIMIT = 50  # lines of detail per section; the SARIF and JSON reports have them all


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def to_markdown(report: CheckReport | Verdict) -> str:
    verdict = as_verdict(report)
    check = verdict.check
    code = verdict.exit_code
    lines = [f"## hardstack check: {'passed' if code == 0 else 'failed'} (exit {code}: {verdict.meaning})", "",
             "| stack | verdict | blocking | soft-failed | advisory | exempted | policy rules passed | "
             "checkov checks passed |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for s in check.stacks:
        rules = summary(policy_rules(verdict, s))
        checks = summary(checkov_checks(verdict, s)) if s.checkov is not None else None
        ran = sum(rules.values()) - rules["not_applicable"] - rules["skipped"]
        passed = f"{rules['passed']}/{ran}"
        lines.append(
            f"| `{_cell(s.stack)}` | {ICON[verdict.stack_verdict(s)]} | {len(verdict.blocking(s))} | "
            f"{len(verdict.soft_failed(s))} | {len(verdict.advisories(s))} | {len(verdict.exempted(s))} | "
            f"{passed if s.policy else '–'} | {checks['passed'] if checks else '–'} |")
    blocking = [(s, f) for s in check.stacks for f in verdict.blocking(s)]
    if blocking:
        lines += ["", f"### Blocking findings ({len(blocking)})", ""]
        for s, f in blocking[:LIMIT]:
            lines.append(f"- `{f.file}:{f.line}` **{f.source} {f.rule_id}** ({f.severity}) "
                         f"{_cell(f.resource_name or s.stack)}: {_cell(f.message)}")
    invalid = [(s, i) for s in check.stacks for i in s.issues]
    if invalid:
        lines += ["", f"### Invalid input ({len(invalid)})", ""]
        lines += [f"- `{i.file}:{i.line}` `{i.field or '<spec>'}`: {_cell(i.message)}" for _, i in invalid[:LIMIT]]
    errors = [f"- `{s.stack}`: render failed: {_cell(s.render_error)}" for s in check.stacks if s.render_error]
    if check.checkov_error:
        errors.append(f"- checkov could not run: {_cell(check.checkov_error)}")
    if errors:
        lines += ["", "### Not judged", "", *errors]
    gates = {k: v for k, v in verdict.gates.to_dict().items() if v}
    if gates:
        lines += ["", "Gates: " + "; ".join(f"`--{k.replace('_', '-')}`" + (f" {', '.join(v)}" if isinstance(v, list)
                                                                          else "") for k, v in gates.items())]
    return "\n".join(lines) + "\n"
