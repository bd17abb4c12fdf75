"""Rules see what the Pulumi engine sends: every list and dict of a resource's properties wrapped
in pulumi_policy's proxies, every number a float (hardstack_rules/values.py). The offline runner
and the harness hand rules the same values (hardstack/policy/adapter.py); here every fixture is
judged both ways and must get the same verdict, and rule code is kept from the constructs that
break on proxies."""

from __future__ import annotations

import ast
import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aws_resource_cases
import aws_stack_cases
import azure_resource_cases
import azure_stack_cases
import gcp_resource_cases
import gcp_stack_cases
import pytest
from pulumi_policy.proxy import _DictProxy, _ListProxy

from hardstack.policy import adapter
from hardstack.policy.harness import check_resource, check_stack
from hardstack.rules import REGISTRY
from hardstack.rules.values import is_list, is_map, number, plain

RULES_DIR = Path(__file__).resolve().parents[2] / "policy-packs" / "hardstack_rules"
RESOURCE_CASES = {"aws": aws_resource_cases, "gcp": gcp_resource_cases, "azure": azure_resource_cases}
STACK_CASES = {"aws": aws_stack_cases, "gcp": gcp_stack_cases, "azure": azure_stack_cases}


def _plain_values(monkeypatch: pytest.MonkeyPatch) -> None:
    """The adapter as it was: plain dicts and lists, numbers as written."""
    monkeypatch.setattr(adapter, "engine_props", lambda props: copy.deepcopy(dict(props)))
    monkeypatch.setattr(adapter, "engine_config", lambda config: copy.deepcopy(dict(config)))


def _config(cloud: str, rule_id: str) -> dict[str, Any] | None:
    return getattr(RESOURCE_CASES[cloud], "CONFIG", {}).get(rule_id)


RESOURCE_PARAMS = [pytest.param(cloud, rule_id, side, id=f"{cloud}:{rule_id}:{side}")
                   for cloud, module in RESOURCE_CASES.items() for rule_id in sorted(module.CASES)
                   for side in ("good", "bad")]
STACK_PARAMS = [pytest.param(cloud, rule_id, side, id=f"{cloud}:{rule_id}:{side}")
                for cloud, module in STACK_CASES.items() for rule_id in sorted(module.CASES)
                for side in ("good", "bad")]


def test_adapter_hands_rules_the_engines_proxies() -> None:
    props = adapter.engine_props({"rules": [{"days": 90}], "tags": {"a": "b"}, "on": True})
    assert isinstance(props, _DictProxy) and isinstance(props["rules"], _ListProxy)
    assert isinstance(props["rules"][0], _DictProxy) and props["rules"][0]["days"] == 90.0
    assert isinstance(props["rules"][0]["days"], float) and props["on"] is True
    assert adapter.engine_config({"maximumDays": 90}) == {"maximumDays": 90.0}


def test_values_helpers_turn_proxies_into_plain_data() -> None:
    props = adapter.engine_props({"a": [1, {"b": [2]}], "s": "x"})
    assert plain(props) == {"a": [1.0, {"b": [2.0]}], "s": "x"}
    assert type(plain(props)) is dict and type(plain(props)["a"]) is list
    assert is_map(props) and is_list(props["a"]) and not is_list("text") and not is_map([])
    assert (number(90.0), number(0.5), number("x")) == ("90", "0.5", "x")


@pytest.mark.parametrize(("cloud", "rule_id", "side"), RESOURCE_PARAMS)
def test_resource_rules_judge_proxies_as_plain_values(cloud: str, rule_id: str, side: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    token, good, bad, _message = RESOURCE_CASES[cloud].CASES[rule_id]
    props = good if side == "good" else bad
    as_engine = check_resource(REGISTRY[rule_id], token, props, _config(cloud, rule_id))
    _plain_values(monkeypatch)
    assert as_engine == check_resource(REGISTRY[rule_id], token, props, _config(cloud, rule_id))


@pytest.mark.parametrize(("cloud", "rule_id", "side"), STACK_PARAMS)
def test_stack_rules_judge_proxies_as_plain_values(cloud: str, rule_id: str, side: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    good, bad, _message, _blamed = STACK_CASES[cloud].CASES[rule_id]
    build = good if side == "good" else bad
    as_engine = check_stack(REGISTRY[rule_id], build())
    _plain_values(monkeypatch)
    assert as_engine == check_stack(REGISTRY[rule_id], build())


def _calls(tree: ast.AST, name: str) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)
            and (getattr(n.func, "id", None) == name or getattr(n.func, "attr", None) == name)]


@pytest.mark.parametrize("path", sorted(RULES_DIR.rglob("*.py")), ids=lambda p: str(p.relative_to(RULES_DIR)))
def test_rule_code_avoids_what_breaks_on_proxies(path: Path) -> None:
    if path.name == "values.py":
        return
    tree = ast.parse(path.read_text())
    problems = []
    for call in _calls(tree, "isinstance"):
        kinds = call.args[1]
        names = {getattr(n, "id", None) for n in (kinds.elts if isinstance(kinds, ast.Tuple) else [kinds])}
        names |= {getattr(n, "id", None) for n in ast.walk(kinds) if isinstance(n, ast.Name)}
        if names & {"dict", "list", "tuple"}:
            problems.append(f"line {call.lineno}: isinstance(..., dict/list/tuple) is False for proxies; "
                            "use values.is_map / is_list")
    for call in _calls(tree, "dumps"):
        arg = call.args[0] if call.args else None
        if not (isinstance(arg, ast.Call) and getattr(arg.func, "id", None) == "plain"):
            problems.append(f"line {call.lineno}: json.dumps of a proxy raises; pass plain(...)")
    assert problems == []


def test_proxy_breakage_is_real() -> None:
    """What the rules used to do, on what the engine sends: each of these breaks or lies."""
    import json

    props: Mapping[str, Any] = adapter.engine_props({"sel": [{"t": "AWS::S3::Object"}], "rules": [{"a": "AES256"}]})
    with pytest.raises(TypeError):
        json.dumps(props["sel"])
    with pytest.raises(TypeError):
        props["sel"] + []
    assert "AES256" not in str(props["rules"]) and not isinstance(props, dict)


def test_policy_documents_read_as_objects_arrive_as_proxies() -> None:
    from hardstack.rules.documents import as_list, parse, statements

    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*"], "Principal": "*"}]}
    props = adapter.engine_props({"policy": document})
    assert parse(props["policy"]) == document and type(parse(props["policy"])) is dict
    assert [st["Action"] for st in statements(props["policy"])] == [["s3:*"]]
    assert as_list(props["policy"]["Statement"][0]["Action"]) == ["s3:*"]
    assert check_resource(REGISTRY["aws-iam-no-wildcard-actions"], "aws:iam/policy:Policy", {"policy": document}) == [
        "statement ? allows s3:*"]
