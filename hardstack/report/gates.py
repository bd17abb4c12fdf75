"""Gates: which findings count and which of them fail the check, with checkov's semantics.

`--check` / `--skip-check` select what is reported (a rule id, alias or checkov id, with
wildcards; a framework name such as `hipaa`; or a severity: `--check HIGH` keeps high and
critical, `--skip-check LOW` drops low). `--soft-fail`, `--soft-fail-on` and `--hard-fail-on`
decide which failed findings block, exactly as checkov decides its exit code
(checkov/common/output/report.py, `Report.get_exit_code`), with one hardstack rule on top:
an advisory (a low-severity rule, `enforcement: advisory`) blocks only when `--hard-fail-on`
names its id, never through a severity threshold or a framework name.

One exit-code scheme for every hardstack command (see EXIT_STATUS).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from hardstack.check import CheckReport, StackReport
from hardstack.exit_codes import ERROR, FAILED, MEANING, OK
from hardstack.findings import Finding
from hardstack.rules import REGISTRY
from hardstack.rules.controls import FRAMEWORKS

SEVERITIES = ("low", "medium", "high", "critical")
RANK = {name: i for i, name in enumerate(SEVERITIES)}
CHECKOV_PATTERN = re.compile(r"^(CKV2?|HS)_[A-Z0-9_*?\[\]]+$")




def split_values(values: Iterable[str]) -> tuple[str, ...]:
    """Repeatable and comma-separated, as checkov takes them: ('a,b', 'c') -> ('a', 'b', 'c')."""
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


@dataclass(frozen=True)
class Matcher:
    """Ids (fnmatch wildcards), framework names and a severity threshold from one option."""

    ids: tuple[str, ...] = ()
    frameworks: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()

    @classmethod
    def parse(cls, values: Iterable[str]) -> Matcher:
        ids: list[str] = []
        frameworks: list[str] = []
        severities: list[str] = []
        for value in split_values(values):
            if value.lower() in RANK:
                severities.append(value.lower())
            elif value.lower() in FRAMEWORKS:
                frameworks.append(value.lower())
            else:
                ids.append(value)
        return cls(tuple(ids), tuple(frameworks), tuple(severities))

    def unknown_ids(self) -> list[str]:
        """Ids that name no policy rule, alias or checkov-like check id (a typo would select nothing)."""
        known = set(REGISTRY) | {a for r in REGISTRY.values() for a in r.aliases}
        out = []
        for pattern in self.ids:
            if CHECKOV_PATTERN.match(pattern) or any(fnmatch.fnmatchcase(k, pattern) for k in known):
                continue
            out.append(pattern)
        return out

    def __bool__(self) -> bool:
        return bool(self.ids or self.frameworks or self.severities)

    def names(self, rule_id: str, frameworks: Iterable[str] = ()) -> bool:
        """Explicitly named: by id or alias (wildcards allowed) or by a framework it maps to."""
        rule = REGISTRY.get(rule_id)
        ids = {rule_id, *(rule.aliases if rule else ())}
        return any(fnmatch.fnmatchcase(i, p) for p in self.ids for i in ids) or \
            bool(set(self.frameworks) & set(frameworks))

    def lowest(self) -> int | None:
        return min((RANK[s] for s in self.severities), default=None)

    def highest(self) -> int | None:
        return max((RANK[s] for s in self.severities), default=None)


def _frameworks(rule_id: str, given: Iterable[str] = ()) -> tuple[str, ...]:
    rule = REGISTRY.get(rule_id)
    return tuple(rule.controls) if rule else tuple(given)


@dataclass(frozen=True)
class Gates:
    soft_fail: bool = False
    hard_fail_on: Matcher = field(default_factory=Matcher)
    soft_fail_on: Matcher = field(default_factory=Matcher)
    check: Matcher = field(default_factory=Matcher)
    skip_check: Matcher = field(default_factory=Matcher)

    def selects(self, rule_id: str, severity: str, frameworks: Iterable[str] = ()) -> bool:
        """checkov's --check/--skip-check: run if named or at/above the --check severity (or no
        --check at all); skip if named or at/below the --skip-check severity; skip wins."""
        fws = _frameworks(rule_id, frameworks)
        rank = RANK.get(severity, RANK["medium"])
        low = self.check.lowest()
        run = not self.check or self.check.names(rule_id, fws) or (low is not None and rank >= low)
        high = self.skip_check.highest()
        skip = self.skip_check.names(rule_id, fws) or (high is not None and rank <= high)
        return bool(run and not skip)

    def selected(self, f: Finding) -> bool:
        return self.selects(f.rule_id, f.severity, f.controls)

    def blocks(self, f: Finding, *, as_failed: bool = False) -> bool:
        """Whether a failed finding fails the check (`as_failed`: as if it were not exempted)."""
        if f.status != "failed" and not as_failed:
            return False
        fws = _frameworks(f.rule_id, f.controls)
        if f.enforcement != "mandatory":  # an advisory blocks only when --hard-fail-on names its id
            return self.hard_fail_on.names(f.rule_id)
        if self.hard_fail_on.names(f.rule_id, fws):
            return True
        rank = RANK.get(f.severity, RANK["medium"])
        explicit_soft = self.soft_fail_on.names(f.rule_id, fws)
        hard_at, soft_at = self.hard_fail_on.lowest(), self.soft_fail_on.highest()
        if hard_at is not None and rank >= hard_at and not explicit_soft:
            return True
        has_soft, has_hard = bool(self.soft_fail_on), bool(self.hard_fail_on)
        if not has_soft and not has_hard:
            return not self.soft_fail
        implicit_hard = not explicit_soft and not (soft_at is not None and rank <= soft_at)
        implicit_soft = not has_soft
        return implicit_hard and not implicit_soft and not self.soft_fail

    def to_dict(self) -> dict[str, object]:
        def m(x: Matcher) -> list[str]:
            return [*x.ids, *x.frameworks, *(s.upper() for s in x.severities)]
        return {"soft_fail": self.soft_fail, "hard_fail_on": m(self.hard_fail_on),
                "soft_fail_on": m(self.soft_fail_on), "check": m(self.check), "skip_check": m(self.skip_check)}


@dataclass
class Verdict:
    """A check report seen through the gates: what is reported, what blocks, the exit code."""

    check: CheckReport
    gates: Gates = field(default_factory=Gates)
    compact: bool = False

    def findings(self, stack: StackReport) -> list[Finding]:
        return [f for f in stack.findings if self.gates.selected(f)]

    def blocking(self, stack: StackReport) -> list[Finding]:
        return [f for f in self.findings(stack) if self.gates.blocks(f)]

    def soft_failed(self, stack: StackReport) -> list[Finding]:
        """Mandatory failures the gates let through (--soft-fail and friends)."""
        return [f for f in self.findings(stack)
                if f.status == "failed" and f.enforcement == "mandatory" and not self.gates.blocks(f)]

    def advisories(self, stack: StackReport) -> list[Finding]:
        return [f for f in self.findings(stack)
                if f.status == "failed" and f.enforcement != "mandatory" and not self.gates.blocks(f)]

    def exempted(self, stack: StackReport) -> list[Finding]:
        return [f for f in self.findings(stack) if f.status == "exempted"]

    def stack_verdict(self, stack: StackReport) -> str:
        if stack.render_error or (self.check.checkov_error and stack.graph is not None):
            return "error"
        if stack.issues:
            return "invalid"
        return "fail" if self.blocking(stack) else "pass"

    @property
    def exit_code(self) -> int:
        verdicts = {self.stack_verdict(s) for s in self.check.stacks}
        if "error" in verdicts or self.check.checkov_error:
            return ERROR
        return FAILED if verdicts & {"invalid", "fail"} else OK

    @property
    def meaning(self) -> str:
        return MEANING[self.exit_code]


def as_verdict(report: CheckReport | Verdict) -> Verdict:
    return report if isinstance(report, Verdict) else Verdict(report)
