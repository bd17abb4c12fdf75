"""Workload identities: one role per workload, EC2-only trust bound to the account, a
permissions boundary, inline grants scoped to the environment's keys and buckets."""

from __future__ import annotations

import json

from aws_helpers import as_list, key_arn, statements

from hardstack.render import Graph, Resource
from hardstack.spec import Environment

ROLE = "aws:iam/role:Role"
# installing-gdu-security-agent-ec2-manually.html: eu-west-1's agent artifact bucket.
AGENT_OBJECTS = "arn:aws:s3:::694911143906-eu-west-1-guardduty-agent-rpm-artifacts/*"


def workload_roles(graph: Graph, spec: Environment) -> dict[str, Resource]:
    roles = {r.inputs.get("name"): r for r in graph.of_type(ROLE)}
    return {w.name: roles[f"{spec.name}-{w.name}"] for w in spec.workloads}


def grants_of(graph: Graph, role: Resource) -> list[dict]:
    (inline,) = [p for p in graph.of_type("aws:iam/rolePolicy:RolePolicy") if role.urn in p.dependencies]
    return statements(inline)


def test_one_role_and_profile_per_workload(aws_graph: Graph, aws_spec: Environment) -> None:
    roles = workload_roles(aws_graph, aws_spec)
    assert len(roles) == len(aws_spec.workloads)
    profiles = {p.inputs["role"] for p in aws_graph.of_type("aws:iam/instanceProfile:InstanceProfile")}
    assert profiles == {r.inputs["name"] for r in roles.values()}


def test_trust_only_ec2_of_this_account(aws_graph: Graph, aws_spec: Environment) -> None:
    for role in workload_roles(aws_graph, aws_spec).values():
        (st,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
        assert st["Principal"] == {"Service": "ec2.amazonaws.com"}
        assert st["Condition"]["StringEquals"]["aws:SourceAccount"] == aws_spec.account


def test_permissions_boundary_attached(aws_graph: Graph, aws_spec: Environment) -> None:
    boundaries = {p.urn for p in aws_graph.of_type("aws:iam/policy:Policy")}
    for role in workload_roles(aws_graph, aws_spec).values():
        assert role.inputs["permissionsBoundary"].startswith("arn:aws:iam::")
        assert set(role.propertyDependencies["permissionsBoundary"]) <= boundaries


def test_boundary_denies_tampering_with_controls(aws_graph: Graph) -> None:
    for boundary in aws_graph.of_type("aws:iam/policy:Policy"):
        denies = [a for s in statements(boundary) if s["Effect"] == "Deny" for a in as_list(s["Action"])]
        assert {"cloudtrail:StopLogging", "kms:ScheduleKeyDeletion", "iam:CreateAccessKey"} <= set(denies)


def test_no_wildcard_actions(aws_graph: Graph, aws_spec: Environment) -> None:
    for role in workload_roles(aws_graph, aws_spec).values():
        for st in grants_of(aws_graph, role):
            assert all("*" not in a for a in as_list(st["Action"])), (role.name, st["Sid"])


def test_resources_scoped_to_this_environment(aws_graph: Graph, aws_spec: Environment) -> None:
    data_key = key_arn(aws_graph, "data")
    buckets = {b.inputs["bucket"] for b in aws_graph.of_type("aws:s3/bucket:Bucket")}
    for role in workload_roles(aws_graph, aws_spec).values():
        for st in grants_of(aws_graph, role):
            resources = as_list(st["Resource"])
            if st["Sid"] == "InvokeFoundationModels":
                assert resources == [f"arn:aws:bedrock:{aws_spec.region}::foundation-model/*"]
                continue
            assert "*" not in resources, (role.name, st["Sid"])
            if st["Sid"] == "ReadGuardDutyAgent":
                # AWS's artifact bucket, not this environment's: exactly its objects, read only.
                assert resources == [AGENT_OBJECTS] and st["Action"] == ["s3:GetObject"]
                continue
            for arn in resources:
                if arn.startswith("arn:aws:s3:::"):
                    assert arn.removeprefix("arn:aws:s3:::").split("/")[0] in buckets
                elif arn.startswith("arn:aws:kms:"):
                    assert arn == data_key
                else:
                    assert arn.startswith(f"arn:aws:logs:{aws_spec.region}:{aws_spec.account}:log-group:/hardstack/")


def test_no_allow_on_every_resource(aws_graph: Graph, aws_spec: Environment) -> None:
    documents = [grants_of(aws_graph, r) for r in workload_roles(aws_graph, aws_spec).values()]
    documents += [statements(b) for b in aws_graph.of_type("aws:iam/policy:Policy")]
    for sts in documents:
        for st in sts:
            if st["Effect"] == "Allow":
                assert "*" not in as_list(st["Resource"]), st["Sid"]


def test_no_interactive_access(aws_graph: Graph, aws_spec: Environment) -> None:
    actions = {a for r in workload_roles(aws_graph, aws_spec).values()
               for st in grants_of(aws_graph, r) for a in as_list(st["Action"])}
    assert not {a for a in actions if a.startswith(("ssmmessages:", "ec2messages:", "ec2-instance-connect:"))}
    for group in aws_graph.of_type("aws:ec2/securityGroup:SecurityGroup"):
        for rule in group.inputs.get("ingress", []):
            assert rule.get("fromPort") != 22 and rule.get("toPort") != 22


def test_inference_cannot_write_or_read_datasets(aws_graph: Graph, aws_spec: Environment) -> None:
    role = workload_roles(aws_graph, aws_spec)["inference"]
    actions = {a for st in grants_of(aws_graph, role) for a in as_list(st["Action"])}
    assert "s3:PutObject" not in actions and "kms:Encrypt" not in actions
    resources = [r for st in grants_of(aws_graph, role) for r in as_list(st["Resource"])]
    assert not any("-datasets-" in r for r in resources)


def test_training_writes_models(aws_graph: Graph, aws_spec: Environment) -> None:
    role = workload_roles(aws_graph, aws_spec)["trainer"]
    writes = [st for st in grants_of(aws_graph, role) if "s3:PutObject" in as_list(st["Action"])]
    assert writes and all("-models-" in r for st in writes for r in as_list(st["Resource"]))


def test_short_lived_sessions(aws_graph: Graph, aws_spec: Environment) -> None:
    for role in workload_roles(aws_graph, aws_spec).values():
        assert role.inputs["maxSessionDuration"] <= 3600
    assert aws_graph.of_type("aws:iam/accessKey:AccessKey") == []


def test_roles_and_boundaries_let_instances_download_the_guardduty_agent(aws_graph: Graph,
                                                                        aws_spec: Environment) -> None:
    boundaries = {b.urn: b for b in aws_graph.of_type("aws:iam/policy:Policy")}
    for role in workload_roles(aws_graph, aws_spec).values():
        grant = next(st for st in grants_of(aws_graph, role) if st["Sid"] == "ReadGuardDutyAgent")
        assert grant == {"Sid": "ReadGuardDutyAgent", "Effect": "Allow", "Action": ["s3:GetObject"],
                         "Resource": [AGENT_OBJECTS]}
        (boundary_urn,) = role.propertyDependencies["permissionsBoundary"]
        ceiling = next(st for st in statements(boundaries[boundary_urn]) if st["Sid"] == "CeilingGuardDutyAgent")
        assert ceiling == {"Sid": "CeilingGuardDutyAgent", "Effect": "Allow", "Action": ["s3:GetObject"],
                           "Resource": [AGENT_OBJECTS]}
