"""`pulumi up` runs __main__.py: with the stack file's config it must build exactly the graph
that `hardstack plan` renders offline (one code path), and refuse an invalid spec."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pytest
from pulumi.runtime import config as pulumi_config
from ruamel.yaml import YAML

from hardstack.render import RenderError, Target, render_program
from hardstack.spec import load

ROOT = Path(__file__).resolve().parents[1]
STACKS = sorted((ROOT / "stacks").glob("Pulumi.*.yaml"))


def stack_config(file: Path) -> dict[str, str]:
    """Config as the Pulumi CLI hands it to a program: structured values as JSON strings."""
    config = YAML(typ="safe").load(file.read_text())["config"]
    return {key: json.dumps(value, default=str) for key, value in config.items()}


def run_program(file: Path, config: dict[str, str]):
    loaded = load(file)
    env = loaded.environment
    pulumi_config.set_all_config(config)
    try:
        return render_program(lambda: runpy.run_path(str(ROOT / "__main__.py")), loaded.stack,
                              Target(cloud=env.cloud, region=env.region, account=env.account)).graph
    finally:
        pulumi_config.set_all_config({})


@pytest.mark.parametrize("file", STACKS, ids=lambda f: f.name)
def test_program_builds_what_plan_renders(file: Path, monkeypatch: pytest.MonkeyPatch, example_graph) -> None:
    monkeypatch.chdir(ROOT)
    program = run_program(file, stack_config(file))
    offline = example_graph(file)  # render(load(file)).graph, rendered once per session
    assert [(r.urn, r.inputs) for r in program] == [(r.urn, r.inputs) for r in offline]


def test_program_refuses_an_invalid_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    file = ROOT / "stacks" / "Pulumi.aws-prod-eu.yaml"
    config = stack_config(file)
    spec = json.loads(config["hardstack:environment"])
    spec["network"]["cidr"] = "8.8.0.0/16"
    config["hardstack:environment"] = json.dumps(spec)
    with pytest.raises(RenderError, match=r"network\.cidr"):
        run_program(file, config)
