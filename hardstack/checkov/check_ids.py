"""The check ids the installed checkov has, with hardstack's custom checks: an exemption naming a
checkov check that does not exist would hide nothing today and anything tomorrow.

checkov runs in its own environment, so its registries are read there, once: the answer is
cached next to that environment, keyed by checkov's version and the custom checks' content.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
from pathlib import Path

from hardstack.checkov.runner import CUSTOM_CHECKS, CheckovMissingError, executable

# Run by checkov's own interpreter: built-in checks from the registries of the frameworks
# hardstack exports (Terraform plan uses the Terraform checks), custom checks by importing each
# module under a dotted name (checkov's ARM registry splits the module name on '.').
_LIST_IDS = r"""
import importlib.util, json, pathlib, sys
from checkov.common.checks.base_check import BaseCheck
from checkov.terraform.checks.resource.registry import resource_registry
from checkov.terraform.checks.data.registry import data_registry
from checkov.terraform.checks.provider.registry import provider_registry
from checkov.arm.registry import arm_resource_registry, arm_parameter_registry
from checkov.common.checks_infra.registry import get_graph_checks_registry
ids = set()
for registry in (resource_registry, data_registry, provider_registry, arm_resource_registry, arm_parameter_registry):
    for checks in registry.checks.values():
        ids |= {c.id for c in checks}
graph = get_graph_checks_registry("terraform")
graph.load_checks()
ids |= {c.id for c in graph.checks}
sys.path.insert(0, sys.argv[1])  # custom checks import their helpers as checkov loads them
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.py")):
    if path.name.startswith("_"):
        continue
    spec = importlib.util.spec_from_file_location(f"hardstack_custom.{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    ids |= {v.id for v in vars(module).values() if isinstance(v, BaseCheck)}
print(json.dumps(sorted(ids)))
"""


def fingerprint(checkov: Path) -> str:
    """checkov's installed version (its dist-info, no process start) and the custom checks."""
    env_root = checkov.parent.parent
    installed = env_root.glob("lib/python*/site-packages/checkov-*.dist-info")
    parts = [str(checkov.resolve()), *sorted(p.name for p in installed)]
    for path in sorted(CUSTOM_CHECKS.glob("*.py")):
        parts.append(hashlib.sha256(path.read_bytes()).hexdigest())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def known_check_ids() -> frozenset[str]:
    """Every check id the installed checkov runs, custom checks included; raises
    CheckovMissingError when there is no checkov to ask."""
    checkov = executable()
    python = checkov.parent / "python"
    if not python.exists():
        raise CheckovMissingError(f"no Python beside {checkov} to read its check registries")
    cache = checkov.parent.parent / f".hardstack-check-ids-{fingerprint(checkov)}.json"
    try:
        return frozenset(json.loads(cache.read_text()))
    except (OSError, ValueError):
        pass
    env = {**os.environ, "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "BC_SKIP_MAPPING": "TRUE", "LOG_LEVEL": "ERROR"}
    proc = subprocess.run([str(python), "-c", _LIST_IDS, str(CUSTOM_CHECKS)], capture_output=True, text=True,
                          timeout=300, check=False, env=env)
    if proc.returncode != 0:
        raise CheckovMissingError(f"could not read checkov's check ids: {proc.stderr.strip()[-500:]}")
    ids = json.loads(proc.stdout.strip().splitlines()[-1])
    with contextlib.suppress(OSError):  # a read-only environment: ask again next time
        cache.write_text(json.dumps(ids))
    return frozenset(ids)
