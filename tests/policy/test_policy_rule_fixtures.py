"""Every rule of every cloud holds on its passing fixture and fires, with its message (and, for
stack rules, on its resource), on its failing one. The fixtures live per cloud in
<cloud>_resource_cases.py and <cloud>_stack_cases.py; rules without both fail here."""

from __future__ import annotations

from typing import Any

import aws_resource_cases
import aws_stack_cases
import azure_resource_cases
import azure_stack_cases
import gcp_resource_cases
import gcp_stack_cases
import pytest

from hardstack.policy.harness import check_resource, check_stack
from hardstack.rules import REGISTRY, rules

RESOURCE_CASES = {"aws": aws_resource_cases, "gcp": gcp_resource_cases, "azure": azure_resource_cases}
STACK_CASES = {"aws": aws_stack_cases, "gcp": gcp_stack_cases, "azure": azure_stack_cases}


def _config(cloud: str, rule_id: str) -> dict[str, Any] | None:
    # Some fixtures are judged under a non-default config (e.g. a stricter threshold).
    return getattr(RESOURCE_CASES[cloud], "CONFIG", {}).get(rule_id)


def _params(cases: dict[str, Any]) -> list[Any]:
    return [pytest.param(cloud, rule_id, id=f"{cloud}:{rule_id}")
            for cloud, module in cases.items() for rule_id in sorted(module.CASES)]


@pytest.mark.parametrize("cloud", sorted(RESOURCE_CASES))
def test_every_rule_has_fixtures(cloud: str) -> None:
    covered = set(RESOURCE_CASES[cloud].CASES) | set(STACK_CASES[cloud].CASES)
    ids = {r.id for r in rules(cloud=cloud)}  # with the cloud-independent ones, run on this cloud's resources
    assert ids - covered == set(), "rules without a passing and a failing fixture"
    assert covered - ids == set(), "fixtures for rules that do not exist"


@pytest.mark.parametrize("cloud", sorted(RESOURCE_CASES))
def test_fixtures_match_rule_kinds(cloud: str) -> None:
    # A resource fixture for a stack rule (or the reverse) would test nothing.
    for rule_id, (token, *_rest) in RESOURCE_CASES[cloud].CASES.items():
        assert REGISTRY[rule_id].kind == "resource" and token in REGISTRY[rule_id].resource_types, rule_id
    assert all(REGISTRY[rule_id].kind == "stack" for rule_id in STACK_CASES[cloud].CASES)


@pytest.mark.parametrize(("cloud", "rule_id"), _params(RESOURCE_CASES))
def test_resource_rule_holds_on_good_fixture(cloud: str, rule_id: str) -> None:
    token, good, _bad, _message = RESOURCE_CASES[cloud].CASES[rule_id]
    assert check_resource(REGISTRY[rule_id], token, good, _config(cloud, rule_id)) == []


@pytest.mark.parametrize(("cloud", "rule_id"), _params(RESOURCE_CASES))
def test_resource_rule_fires_on_bad_fixture(cloud: str, rule_id: str) -> None:
    token, _good, bad, message = RESOURCE_CASES[cloud].CASES[rule_id]
    found = check_resource(REGISTRY[rule_id], token, bad, _config(cloud, rule_id))
    assert any(message in m for m in found), found


@pytest.mark.parametrize(("cloud", "rule_id"), _params(STACK_CASES))
def test_stack_rule_holds_on_good_stack(cloud: str, rule_id: str) -> None:
    good, _bad, _message, _resource = STACK_CASES[cloud].CASES[rule_id]
    assert check_stack(REGISTRY[rule_id], good()) == []


@pytest.mark.parametrize(("cloud", "rule_id"), _params(STACK_CASES))
def test_stack_rule_fires_on_bad_stack(cloud: str, rule_id: str) -> None:
    _good, bad, message, resource = STACK_CASES[cloud].CASES[rule_id]
    found = check_stack(REGISTRY[rule_id], bad())
    assert any(message in m and name == resource for m, name in found), found


def test_every_rule_is_fully_described() -> None:
    for rule in rules():
        assert rule.title and rule.remediation and rule.severity in ("low", "medium", "high", "critical")
        assert rule.controls and all(rule.controls.values()), rule.id
        policy = rule.policy()
        assert policy.name == rule.id and policy.description == rule.title
