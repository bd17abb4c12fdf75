"""Spec exemptions at the engine gate: a served pack applies the stack's exemptions to its own
findings, exactly as `hardstack check` does (hardstack_rules.exemptions), so `pulumi preview/up
--policy-pack` and the PR check give one verdict.

What a pack process can see of the stack (pulumi 3.27x, pulumi-policy 1.21):
- the engine's ConfigureStack request carries the stack's config (`hardstack:environment` as a
  JSON string), but pulumi_policy's servicer keeps only its tags: `listen_for_stack_config`
  wraps that handler to keep the config too;
- the Python language host starts the pack with PULUMI_CONFIG (the same map as JSON),
  PULUMI_STACK and PULUMI_PROJECT in its environment, which `pulumi.Config` reads: used when no
  ConfigureStack config arrived.
Without a spec (a stack hardstack did not build) nothing is exempted.

A covered finding is not reported by its rule. It is held and reported, with its reason and
expiry, by the pack's advisory stack policy `hardstack-exemptions` (CrossGuard sets a
diagnostic's level per policy, not per violation), so `pulumi preview` shows it without
blocking. An expired exemption exempts nothing: the rule reports the finding at its own level,
saying when the exemption expired.

Names: `hardstack check` matches a resource, or any component above it. Analyze (resource
policies) sees only the parent's URN, so the gate learns each resource's name and parent as the
engine analyzes it (every resource, components included, parents before children: a child
cannot register before its parent's registration, analysis included, has returned).
AnalyzeStack resources carry their parents. The root `pulumi:pulumi:Stack` is no candidate:
`hardstack check` knows no such resource either.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .exemptions import Exemption, decide, describe
from .relations import ROOT_STACK

# pulumi_policy is imported where the policy is built (as in hardstack_rules.rule).
if TYPE_CHECKING:
    from pulumi_policy import StackValidationArgs, StackValidationPolicy

    from .rule import Rule

CONFIG_KEY = "hardstack:environment"
EXEMPTIONS_POLICY = "hardstack-exemptions"


def _env_spec() -> Any:
    """The spec from the pack process's environment (PULUMI_CONFIG, via pulumi.Config)."""
    import pulumi

    return pulumi.Config(CONFIG_KEY.split(":")[0]).get(CONFIG_KEY.split(":")[1])


def _urn_parts(urn: str) -> tuple[str, str]:
    """(type, name) of a URN: urn:pulumi:<stack>::<project>::<parent types$type>::<name>."""
    parts = urn.split("::", 3)
    return (parts[2].rsplit("$", 1)[-1], parts[3]) if len(parts) == 4 else ("", urn)


class Gate:
    def __init__(self, today: Callable[[], dt.date] = dt.date.today,
                 env_spec: Callable[[], Any] = _env_spec) -> None:
        self._today, self._env_spec = today, env_spec
        self._lock = threading.Lock()
        self.configure_stack({})

    def configure_stack(self, config: Mapping[str, str]) -> None:
        """A new stack (the engine's ConfigureStack): forget what the last one taught."""
        with self._lock:
            self._config = dict(config)
            self._environment: tuple[str, list[Exemption]] | None = None
            self._lineage: dict[str, tuple[str, str]] = {}
            self._held: dict[tuple[str, str, str], tuple[str, str | None]] = {}

    def environment(self) -> tuple[str, list[Exemption]]:
        """The environment's name and its exemptions, read once per stack."""
        if self._environment is None:
            raw = self._config.get(CONFIG_KEY) if self._config else self._env_spec()
            try:
                spec = json.loads(raw) if isinstance(raw, str) else raw
            except ValueError:
                spec = None
            spec = spec if isinstance(spec, Mapping) else {}
            name = spec.get("name") if isinstance(spec.get("name"), str) else ""
            found = [Exemption.from_spec(e) for e in spec.get("exemptions") or []]
            self._environment = (name, [e for e in found if e is not None])
        return self._environment

    def see(self, urn: str, name: str, parent: str | None) -> None:
        """Remember a resource the engine analyzes (its name and parent), for its children."""
        self._lineage[urn] = (name, parent or "")

    def ancestry(self, urn: str, name: str, parent: str | None) -> list[str]:
        """Names of an analyzed resource and of the components above it."""
        names, seen = [name], {urn}
        while parent and parent not in seen and _urn_parts(parent)[0] != ROOT_STACK:
            seen.add(parent)
            known = self._lineage.get(parent)
            if known is None:  # never analyzed: its name is in its URN, its parent unknown
                names.append(_urn_parts(parent)[1])
                break
            names.append(known[0])
            parent = known[1]
        return names

    def judge(self, rule: Rule, message: str, urn: str | None, names: list[str]) -> str | None:
        """The message `rule` reports at its level, or None when a live exemption covers it
        (then it is held for `hardstack-exemptions`)."""
        environment, exemptions = self.environment()
        decision = decide(exemptions, rule.id, names, environment, self._today())
        if decision.exemption is None:
            return message + decision.note
        with self._lock:
            self._held[(rule.id, urn or "", message)] = (
                f"{rule.id} ({rule.severity}): {message}; {describe(decision.exemption)}", urn)
        return None

    def release(self) -> list[tuple[str, str | None]]:
        with self._lock:
            held, self._held = list(self._held.values()), {}
        return held

    def policy(self) -> StackValidationPolicy:
        """The advisory policy that reports every exempted finding, with its reason and expiry.
        Serve it after every rule: AnalyzeStack runs a pack's policies in order."""
        from pulumi_policy import EnforcementLevel, StackValidationPolicy

        def report_exempted(args: StackValidationArgs, report: Callable[..., None]) -> None:
            for message, urn in self.release():
                report(message, urn)

        return StackValidationPolicy(
            name=EXEMPTIONS_POLICY, enforcement_level=EnforcementLevel.ADVISORY, validate=report_exempted,
            description="Findings exempted by the stack's spec (exemptions: rule, resource, reason, expires): "
            "shown with their reason and expiry, never blocking; an expired exemption exempts nothing.",
            tags=["exemptions"],
        )


def listen_for_stack_config(gate: Gate) -> bool:
    """Make pulumi_policy's ConfigureStack handler hand the request's config to `gate`. False
    when the SDK has no such handler (then PULUMI_CONFIG alone tells the pack its stack)."""
    from pulumi_policy import policy as sdk

    servicer = getattr(sdk, "_PolicyAnalyzerServicer", None)
    original = getattr(servicer, "ConfigureStack", None)
    if servicer is None or original is None:
        return False

    def configure_stack(self: Any, request: Any, context: Any) -> Any:
        gate.configure_stack(dict(request.config))
        return original(self, request, context)

    servicer.ConfigureStack = configure_stack
    return True
