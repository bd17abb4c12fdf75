"""`hardstack schema`: a JSON Schema that describes (and accepts) real stack specs; help everywhere."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from hardstack.cli import main
from hardstack.spec import Environment

COMMANDS = ("new", "validate", "plan", "schema")


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    result = CliRunner().invoke(main, ["schema"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _jsonable(value: Any) -> Any:
    """A spec as it would look in JSON (dates become ISO strings)."""
    return json.loads(json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, dt.date) else str(v)))


# --- a small validator for the JSON Schema keywords pydantic emits ---------------------------------
# (the `jsonschema` package is not part of the environment; when it is, it is used as well)

_TYPES = {
    "object": dict, "array": list, "string": str, "boolean": bool, "null": type(None),
}


def _type_ok(value: Any, wanted: str) -> bool:
    if wanted == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if wanted == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, _TYPES[wanted])


def schema_errors(value: Any, node: dict[str, Any], root: dict[str, Any], at: str = "$") -> list[str]:
    if "$ref" in node:
        name = node["$ref"].removeprefix("#/$defs/")
        return schema_errors(value, root["$defs"][name], root, at)
    if "anyOf" in node:
        options = [schema_errors(value, option, root, at) for option in node["anyOf"]]
        return [] if any(not o for o in options) else [f"{at}: matches no anyOf branch: {options}"]
    errors: list[str] = []
    known = {"$ref", "anyOf", "type", "properties", "required", "additionalProperties", "items", "enum",
             "pattern", "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "format",
             "title", "description", "default", "$defs", "$schema", "examples", "const"}
    unknown = set(node) - known
    assert not unknown, f"validator does not understand {unknown} at {at}"
    if "type" in node and not _type_ok(value, node["type"]):
        return [f"{at}: {value!r} is not of type {node['type']}"]
    if "enum" in node and value not in node["enum"]:
        errors.append(f"{at}: {value!r} not in {node['enum']}")
    if "const" in node and value != node["const"]:
        errors.append(f"{at}: {value!r} != {node['const']!r}")
    if isinstance(value, str):
        if "pattern" in node and re.search(node["pattern"], value) is None:
            errors.append(f"{at}: {value!r} does not match {node['pattern']}")
        if len(value) < node.get("minLength", 0) or len(value) > node.get("maxLength", len(value)):
            errors.append(f"{at}: length of {value!r} out of bounds")
        if node.get("format") == "date":
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                errors.append(f"{at}: {value!r} is not a date")
    if _type_ok(value, "number"):
        if "minimum" in node and value < node["minimum"]:
            errors.append(f"{at}: {value} < {node['minimum']}")
        if "maximum" in node and value > node["maximum"]:
            errors.append(f"{at}: {value} > {node['maximum']}")
    if isinstance(value, list):
        if len(value) < node.get("minItems", 0) or len(value) > node.get("maxItems", len(value)):
            errors.append(f"{at}: {len(value)} items out of bounds")
        for i, item in enumerate(value):
            errors.extend(schema_errors(item, node.get("items", {}), root, f"{at}[{i}]"))
    if isinstance(value, dict):
        properties = node.get("properties", {})
        errors.extend(f"{at}: missing {key}" for key in node.get("required", []) if key not in value)
        for key, item in value.items():
            if key in properties:
                errors.extend(schema_errors(item, properties[key], root, f"{at}.{key}"))
            elif node.get("additionalProperties") is False:
                errors.append(f"{at}: unknown property {key}")
    return errors


# --- the schema ----------------------------------------------------------------------------------------


def test_schema_is_a_json_schema_of_the_environment(schema: dict[str, Any]) -> None:
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert "hardstack:environment" in schema["title"]
    assert schema["type"] == "object"
    assert list(schema["properties"]) == list(Environment.model_fields)
    for key in ("name", "cloud", "region", "account", "owner", "workloads", "network", "keys",
                "compliance", "exemptions", "monitoring"):
        assert key in schema["properties"]
    assert {"name", "cloud", "region", "account", "owner", "monitoring"} <= set(schema["required"])
    assert schema["additionalProperties"] is False
    assert sorted(schema["properties"]["cloud"]["enum"]) == ["aws", "azure", "gcp"]


def test_schema_describes_nested_models(schema: dict[str, Any]) -> None:
    defs = schema["$defs"]
    workload = defs["Workload"]
    assert workload["additionalProperties"] is False
    assert {"name", "machine_type", "confidential", "gpu"} <= set(workload["properties"])
    confidential = json.dumps(workload["properties"]["confidential"])
    for kind in ("tdx", "sev-snp", "none"):
        assert f'"{kind}"' in confidential
    assert defs["Network"]["properties"]["cidr"]["default"] == "10.20.0.0/16"
    assert all(d.get("additionalProperties") is False for d in defs.values() if d.get("type") == "object")


@pytest.mark.parametrize("cloud", ["aws", "gcp", "azure"])
def test_example_specs_validate_against_the_schema(cloud: str, schema, example_spec) -> None:
    instance = _jsonable(example_spec(cloud))
    assert schema_errors(instance, schema, schema) == []
    if importlib.util.find_spec("jsonschema") is not None:  # pragma: no cover - not installed today
        import jsonschema

        jsonschema.validate(instance, schema)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda s: s.update(colour="blue"),
        lambda s: s.update(cloud="oracle"),
        lambda s: s.pop("monitoring"),
        lambda s: s["network"].update(zones="three"),
        lambda s: s["workloads"][0].update(confidential="sgx"),
        lambda s: s["workloads"][0].update(cores=8),
        lambda s: s.update(name="Not_A_Name"),
    ],
)
def test_schema_rejects_broken_specs(mutate, schema, example_spec) -> None:
    # proves the check above is not vacuous
    instance = _jsonable(example_spec("aws"))
    mutate(instance)
    assert schema_errors(instance, schema, schema) != []


def test_schema_out_writes_the_same_schema(tmp_path: Path, schema) -> None:
    out = tmp_path / "sub" / "hardstack.schema.json"
    result = CliRunner().invoke(main, ["schema", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0
    assert json.loads(out.read_text()) == schema
    assert result.stdout == ""


# --- help ------------------------------------------------------------------------------------------------


def _leaf_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    ctx = click.Context(group)
    # list_commands/get_command, not group.commands: the top-level group loads commands lazily.
    for name in sorted(group.list_commands(ctx)):
        command = group.get_command(ctx, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            out.extend(_leaf_commands(command, (*prefix, name)))
        else:
            out.append((*prefix, name))
    return out


LEAF_COMMANDS = _leaf_commands(main)
assert len(LEAF_COMMANDS) >= 7, LEAF_COMMANDS  # never an empty parametrization that skips silently


def test_foundation_commands_are_registered() -> None:
    assert {(c,) for c in COMMANDS} <= set(LEAF_COMMANDS)


@pytest.mark.parametrize("command", LEAF_COMMANDS, ids=" ".join)
def test_every_command_help_shows_examples(command: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output
    examples = result.output.split("Examples:", 1)[1]
    assert f"hardstack {' '.join(command)}" in examples


def test_main_help_lists_every_command_and_a_typical_flow() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output
    assert "hardstack new prod-eu" in result.output


# --- the stack file schema (`--stack-file`): what editors check stacks/Pulumi.<stack>.yaml with ------------

STACK_SCHEMA_FILE = Path(__file__).resolve().parent.parent / "hardstack.stack.schema.json"


@pytest.fixture(scope="module")
def stack_schema() -> dict[str, Any]:
    result = CliRunner().invoke(main, ["schema", "--stack-file"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_committed_stack_file_schema_is_current() -> None:
    # hardstack new's modeline points editors at this file: it must follow the spec's models.
    result = CliRunner().invoke(main, ["schema", "--stack-file"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert STACK_SCHEMA_FILE.read_text() == result.stdout, (
        "hardstack.stack.schema.json is stale: run `.venv/bin/hardstack schema --stack-file "
        "--out hardstack.stack.schema.json`")


def test_stack_file_schema_describes_the_pulumi_stack_settings_file(stack_schema: dict[str, Any], schema) -> None:
    assert stack_schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    # The reference's five attributes, nothing else (Pulumi ignores unknown ones silently).
    assert set(stack_schema["properties"]) == {"config", "secretsprovider", "encryptedkey", "encryptionsalt",
                                               "environment"}
    assert stack_schema["additionalProperties"] is False
    assert stack_schema["required"] == ["config"]
    config = stack_schema["properties"]["config"]
    assert config["properties"]["hardstack:environment"] == {"$ref": "#/$defs/Environment"}
    assert config["required"] == ["hardstack:environment"]
    assert config["properties"]["hardstack:exemptions"]["items"] == {"$ref": "#/$defs/Exemption"}
    assert config["properties"]["hardstack:compliance"]["items"] == schema["properties"]["compliance"]["items"]
    assert config["properties"]["hardstack:stackReferences"]["type"] == "object"
    assert config["additionalProperties"] is False
    # The spec within is the spec schema itself, its models beside it.
    defs = stack_schema["$defs"]
    environment = {k: v for k, v in schema.items() if k not in ("$defs", "$schema", "title")}
    assert {k: v for k, v in defs["Environment"].items() if k != "title"} == environment
    assert {k: v for k, v in defs.items() if k != "Environment"} == schema["$defs"]


@pytest.mark.parametrize(("key", "allowed"), [
    ("aws:region", True), ("gcp:project", True), ("azure-native:location", True), ("my-app:db.password", True),
    ("aws:config:region", True),  # the old form the Pulumi CLI still parses
    ("hardstack:enviroment", False), ("hardstack:exemption", False),  # hardstack's keys are listed one by one
    ("region", False), ("a:b:c", False), ("aws:", False),  # Pulumi's config.ParseKey refuses these
])
def test_stack_file_schema_config_keys(stack_schema: dict[str, Any], key: str, allowed: bool) -> None:
    config = stack_schema["properties"]["config"]
    listed = key in config["properties"]
    matched = any(re.search(p, key) for p in config["patternProperties"])
    assert (listed or matched) is allowed

