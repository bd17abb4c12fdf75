"""Shell completion: click's own, switched on by `_HARDSTACK_COMPLETE` (the README tells how)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from hardstack.cli import main

# The installed console script: click completes only a program run by its name, not `python -m`.
HARDSTACK = shutil.which("hardstack", path=str(Path(sys.executable).parent)) or shutil.which("hardstack")


def _run(instruction: str, **env: str) -> subprocess.CompletedProcess[str]:
    assert HARDSTACK is not None, "the hardstack console script is not installed (pip install -e .)"
    return subprocess.run([HARDSTACK], env={**os.environ, "_HARDSTACK_COMPLETE": instruction, **env},
                          capture_output=True, text=True, timeout=60, check=False)


def _subcommands() -> list[str]:
    return sorted(main.list_commands(click.Context(main)))


def test_bash_source_prints_a_completion_function_for_hardstack() -> None:
    result = _run("bash_source")
    assert result.returncode == 0, result.stderr
    script = result.stdout
    assert "_hardstack_completion() {" in script
    assert "_HARDSTACK_COMPLETE=bash_complete" in script
    assert "complete -o nosort -F _hardstack_completion hardstack" in script


def test_completion_offers_every_subcommand() -> None:
    result = _run("bash_complete", COMP_WORDS="hardstack ", COMP_CWORD="1")
    assert result.returncode == 0, result.stderr
    offered = [line.split(",", 1)[1] for line in result.stdout.splitlines() if line.startswith("plain,")]
    assert offered == _subcommands()
    assert {"new", "validate", "plan", "schema", "check"} <= set(offered)


def test_completion_offers_a_subcommands_options() -> None:
    result = _run("bash_complete", COMP_WORDS="hardstack schema --", COMP_CWORD="2")
    assert result.returncode == 0, result.stderr
    assert {"plain,--stack-file", "plain,--out", "plain,--help"} <= set(result.stdout.splitlines())


@pytest.mark.parametrize(("shell", "marker"), [
    ("zsh", "#compdef hardstack"),
    ("fish", "function _hardstack_completion"),
])
def test_zsh_and_fish_sources(shell: str, marker: str) -> None:
    result = _run(f"{shell}_source")
    assert result.returncode == 0, result.stderr
    assert marker in result.stdout


def test_bash_completes_through_the_sourced_script(tmp_path: Path) -> None:
    # What a user's shell does after `. ~/.hardstack-complete.bash`: the function asks hardstack.
    script = tmp_path / "hardstack-complete.bash"
    script.write_text(_run("bash_source").stdout)
    bin_dir = str(Path(HARDSTACK or "hardstack").parent)
    probe = (f'. "{script}"; COMP_WORDS=(hardstack sch); COMP_CWORD=1; _hardstack_completion hardstack; '
             'echo "${COMPREPLY[@]}"; COMPREPLY=(); COMP_WORDS=(hardstack ""); _hardstack_completion hardstack; '
             'echo "${COMPREPLY[@]}"')
    result = subprocess.run(["bash", "-c", probe], env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"},
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["schema", " ".join(_subcommands())]
