"""`hardstack plan`: render offline, show the tree, write the graph without clobbering other files."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from hardstack.cli import main
from hardstack.render import Graph

REPO = Path(__file__).resolve().parents[1]
HARDSTACK = REPO / ".venv" / "bin" / "hardstack"
KEY = "aws:kms/key:Key"


def _plan(runner: CliRunner, *args: str):
    return runner.invoke(main, ["plan", *args], catch_exceptions=False)


def _assert_sound_graph(path: Path, stack: str) -> Graph:
    data = json.loads(path.read_text())
    graph = Graph.from_dict(data)
    assert graph.stack == stack
    assert graph.root
    urns = {r.urn for r in graph}
    assert graph.resources
    for resource in graph:
        assert resource.parent, f"{resource.urn} has no parent"
        assert resource.parent == graph.root or resource.parent in urns
    return graph


def test_plan_writes_a_graph(runner: CliRunner, tmp_path: Path, example_paths, example_spec) -> None:
    out = tmp_path / "g.json"
    result = _plan(runner, str(example_paths["aws"]), "--out", str(out))
    assert result.exit_code == 0, result.output
    graph = _assert_sound_graph(out, "aws-prod-eu")
    keys = graph.of_type(KEY)
    assert keys
    rotation = example_spec("aws")["keys"]["rotation_days"]
    for key in keys:
        assert key.inputs["enableKeyRotation"] is True
        assert key.inputs["rotationPeriodInDays"] == rotation
    assert f"✓ aws-prod-eu: {len(graph)} resources" in result.stdout
    assert str(out) in result.stdout


def test_plan_prints_the_resource_tree(runner: CliRunner, example_paths) -> None:
    result = _plan(runner, str(example_paths["aws"]))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "hardstack:aws:Environment  aws-prod-eu" in lines
    assert any(line.strip() == f"{KEY}  aws-prod-eu-data-key" and line.startswith("    ") for line in lines)
    quiet = _plan(runner, str(example_paths["aws"]), "-q")
    assert quiet.exit_code == 0
    assert "hardstack:aws:Environment" not in quiet.stdout
    assert "✓ aws-prod-eu:" in quiet.stdout


@pytest.mark.parametrize("cloud", ["gcp", "azure"])
def test_plan_other_clouds(cloud: str, runner: CliRunner, tmp_path: Path, example_paths) -> None:
    out = tmp_path / f"{cloud}.json"
    result = _plan(runner, str(example_paths[cloud]), "--out", str(out), "-q")
    assert result.exit_code == 0, result.output
    graph = _assert_sound_graph(out, f"{cloud}-prod-eu")
    assert graph.cloud == cloud


def test_plan_refuses_to_overwrite_a_non_graph_file(runner: CliRunner, tmp_path: Path, example_paths) -> None:
    out = tmp_path / "precious.json"
    out.write_text('{"my": "settings"}\n')
    before = out.read_bytes()
    result = _plan(runner, str(example_paths["aws"]), "--out", str(out))
    assert result.exit_code == 2
    assert out.read_bytes() == before
    assert "--force" in result.stderr
    notes = tmp_path / "notes.txt"
    notes.write_text("not json at all")
    assert _plan(runner, str(example_paths["aws"]), "--out", str(notes)).exit_code == 2
    assert notes.read_text() == "not json at all"


def test_plan_force_overwrites_a_non_graph_file(runner: CliRunner, tmp_path: Path, example_paths) -> None:
    out = tmp_path / "precious.json"
    out.write_text('{"my": "settings"}\n')
    result = _plan(runner, str(example_paths["aws"]), "--out", str(out), "--force", "-q")
    assert result.exit_code == 0, result.output
    _assert_sound_graph(out, "aws-prod-eu")


def test_plan_replaces_an_older_graph_without_force(runner: CliRunner, tmp_path: Path, example_paths) -> None:
    out = tmp_path / "g.json"
    assert _plan(runner, str(example_paths["gcp"]), "--out", str(out), "-q").exit_code == 0
    assert Graph.read(out).stack == "gcp-prod-eu"
    result = _plan(runner, str(example_paths["aws"]), "--out", str(out), "-q")
    assert result.exit_code == 0, result.output
    assert Graph.read(out).stack == "aws-prod-eu"


def test_plan_of_an_invalid_spec_exits_1_and_writes_nothing(runner: CliRunner, tmp_path: Path,
                                                              example_text) -> None:
    stack = tmp_path / "Pulumi.bad.yaml"
    text = example_text("aws").replace("confidential: sev-snp", "confidential: tdx", 1)
    stack.write_text(text)
    out = tmp_path / "g.json"
    result = _plan(runner, str(stack), "--out", str(out))
    assert result.exit_code == 1
    assert "workloads[0].confidential" in result.stderr
    assert not out.exists()


def test_plan_of_a_missing_file_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = _plan(runner, str(tmp_path / "Pulumi.missing.yaml"))
    assert result.exit_code == 2


def test_help_shows_examples(runner: CliRunner) -> None:
    result = runner.invoke(main, ["plan", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert "hardstack plan stacks/" in result.output


def test_real_executable_plan(tmp_path: Path, example_paths) -> None:
    out = tmp_path / "aws.graph.json"
    done = subprocess.run(
        [str(HARDSTACK), "plan", str(example_paths["aws"]), "--out", str(out), "-q"],
        cwd=tmp_path, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=180, check=False,
    )
    assert done.returncode == 0, done.stderr
    graph = _assert_sound_graph(out, "aws-prod-eu")
    assert all(k.inputs["enableKeyRotation"] is True for k in graph.of_type(KEY))
