"""What must not load the Pulumi runtime: the graph, the spec, the check's orchestration, and a
check answered entirely from the cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("pulumi", "pulumi_policy", "grpc", "google.protobuf", "pulumi_aws", "pulumi_gcp", "pulumi_azure_native")


def _loaded_after(code: str, env: dict[str, str] | None = None) -> list[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, check=False,
                          env={**os.environ, **(env or {})}, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_graph_spec_and_check_import_no_pulumi() -> None:
    assert _loaded_after(
        "import hardstack.render, hardstack.render.graph, hardstack.spec, hardstack.check, hardstack.policy, "
        "hardstack.cache, hardstack.checkov.results, hardstack.report, hardstack.cli.check") == []


def test_the_renderer_still_loads_on_use() -> None:
    assert "pulumi" in _loaded_after("from hardstack.render import render")


def test_a_check_answered_from_the_cache_loads_no_pulumi(tmp_path: Path) -> None:
    env = {"HARDSTACK_CACHE_DIR": str(tmp_path)}
    check = ("from pathlib import Path\nfrom hardstack.cache import Store\nfrom hardstack.check import run_check\n"
             "r = run_check([Path('stacks/Pulumi.gcp-prod-eu.yaml')], with_checkov=False, cache=Store())\n"
             "assert r.reused_renders == {reused}, (r.reused_renders, r.rendered)")
    assert "pulumi" in _loaded_after(check.format(reused=0), env)
    assert _loaded_after(check.format(reused=1), env) == []
