"""Spec exemptions have one implementation (hardstack_rules.exemptions): `hardstack check`
(hardstack/policy/exemptions.py) and the served packs (hardstack_rules.gate) both use it. Here
its matching and expiry rules, and what the gate does with them inside a pack process."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from pulumi_policy import PolicyResource

from hardstack.findings import Finding
from hardstack.policy import exemptions as check_exemptions
from hardstack.policy.harness import resource
from hardstack.render import Graph
from hardstack.rules import REGISTRY
from hardstack.rules.exemptions import Exemption, covers, decide, describe, rule_ids
from hardstack.rules.gate import CONFIG_KEY, Gate, listen_for_stack_config
from hardstack.rules.relations import stack_ancestry
from hardstack.spec.models import Exemption as SpecExemption

TODAY = dt.date(2026, 9, 1)
REASON = "the log bucket is encrypted with SSE-S3 because S3 access logging requires it"
SSE = "aws-s3-sse-customer-key"
CONFIDENTIAL = "aws-ec2-confidential-computing"


def exemption(rule: str = SSE, resource: str = "access-logs", days: int = 30) -> Exemption:
    return Exemption(rule, resource, REASON, TODAY + dt.timedelta(days=days), "dpo@example.com")


def test_an_exemption_covers_its_rule_or_an_alias_of_it_on_the_resource_or_above() -> None:
    chain = ["prod-access-logs-encryption", "prod-access-logs", "prod"]
    assert covers(exemption(), SSE, chain, "prod")  # a spec name qualified by the environment
    assert covers(exemption(resource="prod-access-logs"), SSE, chain, "prod")  # a component above
    assert covers(exemption(resource="prod-access-logs-encryption"), SSE, chain, "prod")  # the resource
    assert covers(exemption(resource="prod"), SSE, [], "prod")  # the environment: stack-wide findings too
    assert not covers(exemption(resource="datasets"), SSE, chain, "prod")
    assert not covers(exemption(rule="aws-s3-bucket-key"), SSE, chain, "prod")
    assert "confidential-computing" in rule_ids(CONFIDENTIAL) == {CONFIDENTIAL, *REGISTRY[CONFIDENTIAL].aliases}
    assert covers(exemption(rule="confidential-computing", resource="trainer"), CONFIDENTIAL,
                  ["prod-trainer-0", "prod-trainer"], "prod")
    assert rule_ids("CKV_AWS_145") == {"CKV_AWS_145"}


def test_an_exemption_holds_through_its_expiry_day_and_then_says_when_it_lapsed() -> None:
    chain = ["prod-access-logs"]
    assert decide([exemption(days=0)], SSE, chain, "prod", TODAY).exempted
    lapsed = decide([exemption(days=-3), exemption(days=-1)], SSE, chain, "prod", TODAY)
    assert not lapsed.exempted and lapsed.note == f" (its exemption expired on {TODAY - dt.timedelta(days=1)})"
    live = decide([exemption(days=-1), exemption(days=9)], SSE, chain, "prod", TODAY)
    assert live.exemption == exemption(days=9) and live.note == ""
    assert decide([], SSE, chain, "prod", TODAY) == decide([exemption(rule="x")], SSE, chain, "prod", TODAY)
    assert describe(exemption()) == f"exempted until 2026-10-01, approved by dpo@example.com: {REASON}"


def test_hardstack_check_matches_through_the_shared_implementation() -> None:
    graph = Graph(stack="prod", project="p", cloud="aws", root="", resources=[
        resource("hardstack:aws:SecureBucket", {}, name="prod-access-logs"),
        resource("aws:s3/x:X", {}, name="prod-access-logs-encryption",
                 parent="urn:pulumi:test::test::hardstack:aws:SecureBucket::prod-access-logs"),
    ])
    env: Any = type("Env", (), {"name": "prod", "exemptions": [
        SpecExemption(rule=SSE, resource="access-logs", reason=REASON, expires=TODAY)]})()
    finding = Finding("policy", SSE, "t", "high", "mandatory", "prod", "encrypts with AES256",
                      resource_urn=graph.resources[1].urn)
    assert check_exemptions.matches(env.exemptions[0], finding, graph, env)
    (judged,) = check_exemptions.apply_exemptions([finding], env, graph, today=TODAY)
    assert judged.status == "exempted" and judged.exemption is not None
    (lapsed,) = check_exemptions.apply_exemptions(
        [Finding("policy", SSE, "t", "high", "mandatory", "prod", "m", resource_urn=graph.resources[1].urn)],
        env, graph, today=TODAY + dt.timedelta(days=1))
    assert lapsed.status == "failed" and lapsed.message == f"m (its exemption expired on {TODAY})"


@pytest.mark.parametrize(("raw", "parsed"), [
    ({"rule": SSE, "resource": "access-logs", "reason": REASON, "expires": "2026-10-01", "approved_by": "a@b"},
     Exemption(SSE, "access-logs", REASON, dt.date(2026, 10, 1), "a@b")),
    ({"rule": SSE, "resource": "access-logs", "reason": REASON, "expires": "2026-10-01"},
     Exemption(SSE, "access-logs", REASON, dt.date(2026, 10, 1))),
    ({"rule": SSE, "resource": "access-logs", "reason": REASON, "expires": "someday"}, None),
    ({"rule": SSE, "resource": "", "reason": REASON, "expires": "2026-10-01"}, None),
    ({"rule": SSE, "resource": "access-logs", "expires": "2026-10-01"}, None),
    ("not an exemption", None),
])
def test_exemptions_read_from_stack_config(raw: Any, parsed: Exemption | None) -> None:
    assert Exemption.from_spec(raw) == parsed


def spec(*exemptions: dict[str, Any], name: str = "prod") -> str:
    return json.dumps({"name": name, "exemptions": list(exemptions)})


GRANT = {"rule": SSE, "resource": "access-logs", "reason": REASON, "expires": "2026-10-01"}
BUCKET = "urn:pulumi:prod::p::hardstack:aws:SecureBucket::prod-access-logs"
SSE_URN = "urn:pulumi:prod::p::hardstack:aws:SecureBucket$aws:s3/x:X::prod-access-logs-encryption"
ROOT = "urn:pulumi:prod::p::pulumi:pulumi:Stack::p-prod"


def gate(env: Any = None, today: dt.date = TODAY) -> Gate:
    return Gate(today=lambda: today, env_spec=lambda: env)


def test_the_gate_holds_covered_findings_for_its_advisory_policy() -> None:
    g = gate()
    g.configure_stack({CONFIG_KEY: spec(GRANT)})
    rule = REGISTRY[SSE]
    g.see(ROOT, "p-prod", None)
    g.see(BUCKET, "prod-access-logs", ROOT)
    names = g.ancestry(SSE_URN, "prod-access-logs-encryption", BUCKET)
    assert names == ["prod-access-logs-encryption", "prod-access-logs"]  # never the root stack
    assert g.judge(rule, "encrypts with AES256", SSE_URN, names) is None
    assert g.judge(rule, "other", "urn:x", ["prod-datasets"]) == "other"
    reported: list[tuple[str, str | None]] = []
    g.policy().validate(type("Args", (), {"resources": []})(), lambda m, u=None: reported.append((m, u)))
    assert reported == [(f"{SSE} (high): encrypts with AES256; exempted until 2026-10-01: {REASON}", SSE_URN)]
    assert g.release() == []


def test_the_gate_reports_a_lapsed_exemption_with_the_finding() -> None:
    g = gate(today=dt.date(2026, 10, 2))
    g.configure_stack({CONFIG_KEY: spec(GRANT)})
    assert g.judge(REGISTRY[SSE], "m", SSE_URN, ["prod-access-logs"]) == "m (its exemption expired on 2026-10-01)"


def test_the_gate_reads_configure_stack_first_then_pulumi_config_and_forgets_on_a_new_stack() -> None:
    g = gate(env=spec(GRANT, name="from-env"))
    assert g.environment()[0] == "from-env"  # no ConfigureStack config: PULUMI_CONFIG (pulumi.Config)
    g.configure_stack({CONFIG_KEY: spec(name="from-request"), "aws:region": "eu-west-1"})
    assert g.environment() == ("from-request", [])
    g.see(BUCKET, "prod-access-logs", ROOT)
    g.configure_stack({"aws:region": "eu-west-1"})  # a stack without a spec: nothing is exempted
    assert g.environment() == ("", [])
    assert g.ancestry(SSE_URN, "x", BUCKET) == ["x", "prod-access-logs"]  # from the URN: lineage forgotten
    g.configure_stack({CONFIG_KEY: "{not json"})
    assert g.environment() == ("", [])


def test_stack_policies_name_resources_by_their_parents() -> None:
    root = PolicyResource("pulumi:pulumi:Stack", {}, ROOT, "p-prod", None, None, None, [], {})  # type: ignore[arg-type]
    bucket = PolicyResource("hardstack:aws:SecureBucket", {}, BUCKET, "prod-access-logs", None, None,  # type: ignore[arg-type]
                            root, [], {})
    sse = PolicyResource("aws:s3/x:X", {}, SSE_URN, "prod-access-logs-encryption", None, None, bucket, [], {})  # type: ignore[arg-type]
    assert stack_ancestry(sse) == ["prod-access-logs-encryption", "prod-access-logs"]
    assert stack_ancestry(None) == []


def test_the_pack_listens_to_configure_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    from pulumi.runtime.proto import analyzer_pb2 as proto
    from pulumi_policy import EnforcementLevel
    from pulumi_policy import policy as sdk

    monkeypatch.setattr(sdk._PolicyAnalyzerServicer, "ConfigureStack", sdk._PolicyAnalyzerServicer.ConfigureStack)
    g = gate()
    assert listen_for_stack_config(g)
    servicer = sdk._PolicyAnalyzerServicer("p", "1", [g.policy()], EnforcementLevel.ADVISORY)
    servicer.ConfigureStack(proto.AnalyzerStackConfigureRequest(config={CONFIG_KEY: spec(GRANT)}, tags={"t": "v"}),
                            None)
    assert g.environment() == ("prod", [Exemption(SSE, "access-logs", REASON, dt.date(2026, 10, 1))])
