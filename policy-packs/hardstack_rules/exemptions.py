"""Which findings a spec exemption covers, and whether it still holds: the ONE implementation,
used by `hardstack check` (hardstack/policy/exemptions.py) and by the policy packs under the
Pulumi engine (hardstack_rules/gate.py), so a decided exception means the same at every gate.

An exemption names a rule (a rule id, or an alias such as `confidential-computing` that every
rule listing it answers to; checkov ids match only themselves) and a resource: the resource's
own name, the name of a component above it, a spec name qualified by the environment (`trainer`
for `<env>-trainer`), or the environment itself (every finding of the stack, including those
that name no resource). Unexpired (`expires` is today or later) it exempts; expired, the finding
stands and says since when.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .rule import REGISTRY


class ExemptionLike(Protocol):
    """What matching reads: the spec model (hardstack.spec.models.Exemption) and `Exemption`."""

    @property
    def rule(self) -> str: ...
    @property
    def resource(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def expires(self) -> dt.date: ...
    @property
    def approved_by(self) -> str | None: ...


@dataclass(frozen=True)
class Exemption:
    rule: str
    resource: str
    reason: str
    expires: dt.date
    approved_by: str | None = None

    @classmethod
    def from_spec(cls, raw: Any) -> Exemption | None:
        """One entry of the spec's `exemptions` as stack config carries it (JSON: `expires` an ISO
        date string); None for an entry that cannot exempt anything (missing field, bad date).
        The program validates the whole spec before any resource reaches a policy pack."""
        if not isinstance(raw, Mapping):
            return None
        fields = [raw.get(k) for k in ("rule", "resource", "reason")]
        if not all(isinstance(f, str) and f.strip() for f in fields):
            return None
        try:
            expires = dt.date.fromisoformat(str(raw.get("expires"))[:10])
        except ValueError:
            return None
        approver = raw.get("approved_by")
        return cls(*fields, expires=expires, approved_by=approver if isinstance(approver, str) else None)


def rule_ids(rule_id: str) -> set[str]:
    """The ids an exemption may use for a finding of `rule_id`: the id and the rule's aliases."""
    rule = REGISTRY.get(rule_id)
    return {rule_id, *(rule.aliases if rule else ())}


def covers(e: ExemptionLike, rule_id: str, names: Iterable[str], environment: str) -> bool:
    """Whether `e` covers a finding of `rule_id` on the resource whose own and ancestors' names
    are `names` (none for a finding on the stack as a whole) in environment `environment`."""
    if e.rule not in rule_ids(rule_id):
        return False
    candidates = {environment, *names}
    return e.resource in candidates or f"{environment}-{e.resource}" in candidates


@dataclass(frozen=True)
class Decision:
    exemption: ExemptionLike | None = None  # the live exemption covering the finding
    expired_on: dt.date | None = None  # else the latest expiry of those that covered it

    @property
    def exempted(self) -> bool:
        return self.exemption is not None

    @property
    def note(self) -> str:
        """What a finding that stands says about a lapsed exemption ('' when there was none)."""
        return f" (its exemption expired on {self.expired_on.isoformat()})" if self.expired_on else ""


def decide(exemptions: Sequence[ExemptionLike], rule_id: str, names: Iterable[str], environment: str,
           today: dt.date) -> Decision:
    names = list(names)
    found = [e for e in exemptions if covers(e, rule_id, names, environment)]
    live = [e for e in found if e.expires >= today]
    if live:
        return Decision(exemption=live[0])
    return Decision(expired_on=max(e.expires for e in found)) if found else Decision()


def describe(e: ExemptionLike) -> str:
    """How an exempted finding is explained wherever it is shown."""
    approved = f", approved by {e.approved_by}" if e.approved_by else ""
    return f"exempted until {e.expires.isoformat()}{approved}: {e.reason}"
