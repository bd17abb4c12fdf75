"""The GCP policy rules hold on the blueprint in every mode the spec offers, not only on the two
examples: egress modes, SEV-SNP, a GDPR-only stack, and an exempted non-confidential workload."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from hardstack.findings import Finding
from hardstack.policy import apply_exemptions, evaluate
from hardstack.render import render_environment
from hardstack.rules.packs import packs_for
from hardstack.spec import Environment


def findings(spec: Environment, **changes: Any) -> list[Finding]:
    data = copy.deepcopy(spec.model_dump(mode="python"))
    for field, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(field), dict):
            data[field].update(value)
        else:
            data[field] = value
    env = Environment.model_validate(data)
    graph = render_environment(env, "gcp-policy-variant").graph
    return apply_exemptions(evaluate(graph, packs_for(env.compliance)).findings, env, graph)


@pytest.mark.parametrize("changes", [
    {"network": {"egress": "nat"}},
    {"network": {"egress": "proxy"}},
    {"compliance": ["gdpr"]},  # no HIPAA pack: retention unlocked, and no rule asks for a lock
    {"workloads": [{"name": "snp", "machine_type": "n2d-standard-8", "confidential": "sev-snp"}]},
], ids=["nat", "proxy", "gdpr-only", "sev-snp"])
def test_blueprint_variants_pass_every_rule(gcp_spec: Environment, changes: dict[str, Any]) -> None:
    found = findings(gcp_spec, **changes)
    assert [(f.rule_id, f.resource_name, f.message) for f in found if f.blocking] == []
    # Internet egress under HIPAA/GDPR is allowed, and shown to reviewers as an advisory: only then.
    advisories = {(f.rule_id, f.resource_name) for f in found if not f.blocking}
    egress = changes.get("network", {}).get("egress", "none") != "none"
    assert advisories == ({("internet-egress-advisory", "gcp-prod-eu-net-nat")} if egress else set())


def test_software_keys_for_restricted_data_fail_the_hsm_rule(gcp_spec: Environment) -> None:
    assert gcp_spec.data_classification == "restricted"
    found = findings(gcp_spec, keys={"protection": "software"})
    assert {f.rule_id for f in found if f.blocking} == {"gcp-kms-hsm-protection"}
    assert {f.rule_id for f in found if not f.blocking} == {"gcp-kms-software-key-advisory"}
    relaxed = findings(gcp_spec, keys={"protection": "software"}, data_classification="confidential")
    assert [f.rule_id for f in relaxed if f.blocking] == []
    assert {f.rule_id for f in relaxed} == {"gcp-kms-software-key-advisory"}  # still shown, never blocking


def test_an_exempted_non_confidential_workload_is_reported_as_exempted(gcp_spec: Environment) -> None:
    exemption = {"rule": "confidential-computing", "resource": "legacy",
                 "reason": "Vendor image without TDX support until its 2027 release",
                 "approved_by": "security-board@example.com",
                 "expires": dt.date.today() + dt.timedelta(days=60)}
    found = findings(gcp_spec, workloads=[{"name": "legacy", "machine_type": "n2-standard-8", "confidential": "none"}],
                     exemptions=[exemption])
    # The alias exempts the rule on the workload's instance; nothing else fails (the org policy
    # for confidential-only VMs is rightly not demanded, TERMINATE is not required).
    assert [(f.rule_id, f.status) for f in found] == [("gcp-compute-confidential-computing", "exempted")]
    assert found[0].exemption is not None and found[0].exemption["rule"] == "confidential-computing"
