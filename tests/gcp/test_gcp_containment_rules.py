"""The containment rules beyond their one passing and one failing fixture
(tests/policy/gcp_stack_cases.py containment_stack): each way a responder can be weakened."""

from __future__ import annotations

import sys
from pathlib import Path

from hardstack.policy.harness import check_resource, check_stack
from hardstack.render import Resource
from hardstack.rules import REGISTRY

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "policy"))
from gcp_stack_cases import containment_stack

FUNCTION = "gcp:cloudfunctionsv2/function:Function"


def named(resources: list[Resource], name: str) -> Resource:
    return next(r for r in resources if r.name == name)


def messages(rule: str, resources: list[Resource]) -> list[tuple[str, str | None]]:
    return check_stack(REGISTRY[rule], resources)


def test_revocation_granted_on_the_whole_project_fails() -> None:
    found = messages("gcp-responder-least-privilege", containment_stack(project_wide_revoke=True))
    assert [(m, n) for m, n in found if "on the whole project" in m] == [
        ("responder-revoke-everywhere grants iam.serviceAccounts.get, iam.serviceAccounts.disable on the whole "
         "project: grant them on the workloads' service accounts only", "responder-revoke-everywhere")]


def test_a_custom_role_with_more_permissions_fails() -> None:
    resources = containment_stack()
    named(resources, "compute-role").inputs["permissions"].append("compute.instances.delete")
    found = messages("gcp-responder-least-privilege", resources)
    assert found == [("responder-compute grants projects/p/roles/env_containment with permissions containment "
                      "never calls: ['compute.instances.delete']", "responder-compute")]


def test_a_responder_on_the_default_compute_account_fails() -> None:
    resources = containment_stack()
    named(resources, "responder").inputs["serviceConfig"]["serviceAccountEmail"] = (
        "412712535515-compute@developer.gserviceaccount.com")
    found = messages("gcp-responder-least-privilege", resources)
    assert found and all(n == "responder" and "Compute Engine default account" in m for m, n in found)


def test_functions_no_findings_topic_triggers_are_not_judged_as_responders() -> None:
    resources = containment_stack(extra_grant="roles/compute.admin")
    named(resources, "responder").propertyDependencies.pop("eventTrigger")
    assert messages("gcp-responder-least-privilege", resources) == []


def test_quarantine_rules_must_be_logged_top_priority_and_for_the_tag() -> None:
    for change in ({"logConfig": None}, {"priority": 1000}, {"targetTags": ["other"]},
                   {"denies": [{"protocol": "tcp"}]}):
        resources = containment_stack()
        named(resources, "quarantine-ingress").inputs.update(change)
        found = messages("gcp-containment-responder", resources)
        assert [n for m, n in found if "INGRESS" in m] == ["responder"], change


def test_no_responder_for_the_findings_topic_fails() -> None:
    resources = [r for r in containment_stack() if r.type != FUNCTION]
    found = messages("gcp-containment-responder", resources)
    assert found == [("findings topic scc-findings triggers no containment function: nothing responds",
                      "scc-findings")]


def test_logs_routed_to_a_bucket_without_customer_key_fail() -> None:
    resources = containment_stack()
    named(resources, "audit-bucket").inputs.pop("cmekSettings")
    assert messages("gcp-function-logs-encrypted", resources) == [
        ("function responder's logs go only to the _Default bucket, without a customer key", "responder")]


def test_ingress_default_is_public_and_internal_gclb_is_accepted() -> None:
    rule = REGISTRY["gcp-function-internal-ingress"]
    assert check_resource(rule, FUNCTION, {"serviceConfig": {}}) == [
        "ingress ALLOW_ALL: the function's endpoint is reachable from the internet"]
    assert check_resource(rule, FUNCTION, {"serviceConfig": {"ingressSettings": "ALLOW_INTERNAL_AND_GCLB"}}) == []


def test_public_invokers_through_bindings_and_policies_fail() -> None:
    rule = REGISTRY["gcp-function-no-public-invoke"]
    binding = {"role": "roles/run.invoker", "members": ["serviceAccount:t@p.iam.gserviceaccount.com",
                                                        "allAuthenticatedUsers"]}
    assert check_resource(rule, "gcp:cloudfunctionsv2/functionIamBinding:FunctionIamBinding", binding) == [
        "grants roles/run.invoker to allAuthenticatedUsers: anyone can invoke the function"]
    policy = {"policyData": '{"bindings": [{"role": "roles/run.invoker", "members": ["allUsers"]}]}'}
    assert check_resource(rule, "gcp:cloudrunv2/serviceIamPolicy:ServiceIamPolicy", policy) == [
        "grants roles/run.invoker to allUsers: anyone can invoke the function"]


def test_a_primitive_role_on_a_functions_invoker_grant_fails_the_primitive_roles_rule() -> None:
    member = "serviceAccount:trigger@p.iam.gserviceaccount.com"
    rule = REGISTRY["gcp-iam-no-primitive-roles"].policy()
    invoker = "gcp:cloudrunv2/serviceIamMember:ServiceIamMember"
    assert check_resource(rule, invoker, {"role": "roles/run.invoker", "member": member}) == []
    assert check_resource(rule, invoker, {"role": "roles/editor", "member": member}) == [
        f"grants primitive role roles/editor to {member}"]
