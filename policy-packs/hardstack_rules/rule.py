"""A rule is one function plus its metadata; it becomes a CrossGuard policy on demand.

Rules are plain functions that yield violation messages, so they can be imported, listed and
tested anywhere. `Rule.policy()` wraps one in a `ResourceValidationPolicy` or
`StackValidationPolicy`: the same code runs under `pulumi preview --policy-pack` and in
`hardstack check`. Constructing a `PolicyPack` is left to each pack's `__main__.py`, because
outside the Pulumi engine that constructor starts a server and blocks.

Rules receive properties as the engine sends them (lists and dicts as pulumi_policy's proxies,
numbers as floats): see hardstack_rules.values. Served by a pack, a policy also consults the
pack's exemption gate (hardstack_rules.gate); offline, `hardstack check` applies the same
exemptions to every finding afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .controls import FRAMEWORKS
from .relations import stack_ancestry

# pulumi_policy (with the Pulumi runtime, grpc and protobuf under it) is imported only where a
# policy is built: listing rules and their metadata (`hardstack check`, `hardstack policies`)
# must not pay for it. tests/policy/test_rules_import_light.py keeps it so.
if TYPE_CHECKING:
    from pulumi_policy import (
        EnforcementLevel,
        PolicyResource,
        ResourceValidationArgs,
        ResourceValidationPolicy,
        StackValidationArgs,
        StackValidationPolicy,
    )

    from .gate import Gate

Cloud = Literal["aws", "gcp", "azure", "any"]
SeverityName = Literal["low", "medium", "high", "critical"]
# Resource rules get the resource's inputs and the rule's config; they yield messages.
ResourceCheck = Callable[[Mapping[str, Any], Mapping[str, Any]], Iterable[str]]
# Stack rules get every resource and the config; they yield (message, urn or None).
StackCheck = Callable[[Sequence["PolicyResource"], Mapping[str, Any]], Iterable[tuple[str, str | None]]]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: SeverityName
    cloud: Cloud
    practice: str  # encryption | access | models | monitoring | compliance
    controls: Mapping[str, tuple[str, ...]]  # framework -> control ids
    remediation: str
    resource_types: tuple[str, ...] = ()  # empty for stack rules
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # JSON schema props
    # Spec-level exemption ids that also exempt this rule (e.g. "confidential-computing").
    aliases: tuple[str, ...] = ()
    check: ResourceCheck | None = None
    stack_check: StackCheck | None = None

    @property
    def kind(self) -> str:
        return "stack" if self.stack_check else "resource"

    @property
    def frameworks(self) -> tuple[str, ...]:
        return tuple(self.controls)

    def control_tags(self) -> list[str]:
        return [f"{fw}:{c}" for fw, ids in self.controls.items() for c in ids]

    def defaults(self) -> dict[str, Any]:
        return {k: v["default"] for k, v in self.config.items() if "default" in v}

    def policy(
        self, enforcement: EnforcementLevel | None = None, gate: Gate | None = None,
    ) -> ResourceValidationPolicy | StackValidationPolicy:
        """The CrossGuard policy of this rule, at `enforcement` (mandatory if not given). With a
        `gate` (a served pack) findings a spec exemption covers are held back for the gate's
        advisory policy instead of reported."""
        from pulumi_policy import (
            EnforcementLevel,
            PolicyComplianceFramework,
            PolicyConfigSchema,
            ResourceValidationPolicy,
            Severity,
            StackValidationPolicy,
        )

        if enforcement is None:
            enforcement = EnforcementLevel.MANDATORY
        primary = next(iter(self.controls), "nist-800-53")
        fw = FRAMEWORKS[primary]
        common: dict[str, Any] = {
            "name": self.id,
            "description": self.title,
            "enforcement_level": enforcement,
            "severity": Severity(self.severity),
            "framework": PolicyComplianceFramework(
                name=fw.name, version=fw.version, reference=fw.reference,
                specification=", ".join(self.controls[primary]),
            ),
            "tags": [self.cloud, self.practice, *self.control_tags()],
            "remediation_steps": self.remediation,
        }
        if self.config:
            common["config_schema"] = PolicyConfigSchema(properties={k: dict(v) for k, v in self.config.items()})
        if self.stack_check is not None:
            return StackValidationPolicy(validate=lambda args, report: self._validate_stack(args, report, gate),
                                         **common)
        return ResourceValidationPolicy(validate=lambda args, report: self._validate_resource(args, report, gate),
                                        **common)

    def _config(self, given: Mapping[str, Any]) -> dict[str, Any]:
        # The Pulumi CLI fills in schema defaults, the SDK does not: do it here for both paths.
        return {**self.defaults(), **{k: v for k, v in given.items() if k != "enforcementLevel"}}

    def _validate_resource(self, args: ResourceValidationArgs, report: Callable[..., None],
                           gate: Gate | None = None) -> None:
        if gate is not None:
            gate.see(args.urn, args.name, args.opts.parent)
        if args.resource_type not in self.resource_types or self.check is None:
            return
        for message in self.check(args.props, self._config(args.get_config())):
            if gate is not None:
                message = gate.judge(self, message, args.urn, gate.ancestry(args.urn, args.name, args.opts.parent))
            if message is not None:
                report(message)

    def _validate_stack(self, args: StackValidationArgs, report: Callable[..., None],
                        gate: Gate | None = None) -> None:
        assert self.stack_check is not None
        prefix = PACKAGE_PREFIX.get(self.cloud)
        if prefix and not any(r.resource_type.startswith(prefix) for r in args.resources):
            return
        by_urn = {r.urn: r for r in args.resources} if gate is not None else {}
        for message, urn in self.stack_check(args.resources, self._config(args.get_config())):
            if gate is not None:
                message = gate.judge(self, message, urn, stack_ancestry(by_urn.get(urn or "")))
            if message is not None:
                report(message, urn)


REGISTRY: dict[str, Rule] = {}
# A stack rule of one cloud judges only stacks holding that cloud's resources: "no CloudTrail
# trail" means nothing for a GCP program the same pack is applied to.
PACKAGE_PREFIX = {"aws": "aws:", "gcp": "gcp:", "azure": "azure-native:"}


def _register(rule: Rule) -> Rule:
    if rule.id in REGISTRY:
        raise ValueError(f"duplicate rule id {rule.id}")
    unknown = set(rule.controls) - set(FRAMEWORKS)
    if unknown:
        raise ValueError(f"{rule.id}: unknown frameworks {sorted(unknown)}")
    # A control id that the catalog does not know would show up in reports unexplained.
    undescribed = [f"{fw} {c}" for fw, ids in rule.controls.items() for c in ids if c not in FRAMEWORKS[fw].controls]
    if undescribed:
        raise ValueError(f"{rule.id}: control ids missing from controls.py: {', '.join(undescribed)}")
    REGISTRY[rule.id] = rule
    return rule


def resource_rule(*, id: str, title: str, severity: SeverityName, cloud: Cloud, practice: str,
                  types: Sequence[str], controls: Mapping[str, Sequence[str]], remediation: str,
                  config: Mapping[str, Mapping[str, Any]] | None = None,
                  aliases: Sequence[str] = ()) -> Callable[[ResourceCheck], Rule]:
    def wrap(fn: ResourceCheck) -> Rule:
        return _register(Rule(
            id=id, title=title, severity=severity, cloud=cloud, practice=practice,
            controls={k: tuple(v) for k, v in controls.items()}, remediation=remediation,
            resource_types=tuple(types), config=config or {}, aliases=tuple(aliases), check=fn,
        ))
    return wrap


def stack_rule(*, id: str, title: str, severity: SeverityName, cloud: Cloud, practice: str,
               controls: Mapping[str, Sequence[str]], remediation: str,
               config: Mapping[str, Mapping[str, Any]] | None = None,
               aliases: Sequence[str] = ()) -> Callable[[StackCheck], Rule]:
    def wrap(fn: StackCheck) -> Rule:
        return _register(Rule(
            id=id, title=title, severity=severity, cloud=cloud, practice=practice,
            controls={k: tuple(v) for k, v in controls.items()}, remediation=remediation,
            config=config or {}, aliases=tuple(aliases), stack_check=fn,
        ))
    return wrap
