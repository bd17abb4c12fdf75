"""Rule metadata imports light: `hardstack check` with a warm cache only needs ids, severities,
clouds, controls and packs, and must answer well under a second. pulumi_policy brings the Pulumi
runtime, grpc and protobuf (a few tenths of a second), so hardstack_rules imports it only where a policy is built
(Rule.policy, Gate.policy, packs.serve). A top-level `from pulumi_policy import ...` in any rule
module makes this test fail: put such imports under `if TYPE_CHECKING:` or inside the function.

Checked in a fresh interpreter: this test process has most likely imported pulumi_policy already.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

from hardstack import rules as hardstack_rules
from hardstack.rules import REGISTRY
from hardstack.rules.packs import packs_for

HEAVY = ("pulumi", "pulumi_policy", "grpc", "google.protobuf")
FRAMEWORKS = ["hipaa", "gdpr", "nist-800-53"]

# Every module of the package, rule modules included: found by walking it, so a new one is
# covered too. (gate is on no metadata path, but light as well: its pulumi_policy use is lazy.)
MODULES = sorted(m.name for m in pkgutil.walk_packages(hardstack_rules.__path__, "hardstack.rules."))

PROBE = """
import json, sys
import hardstack.rules.packs, hardstack.rules.exemptions, hardstack.rules.controls, hardstack.rules.rule
from hardstack import rules as hardstack_rules
from hardstack.rules.packs import packs_for
import importlib
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)
picked = packs_for(json.loads(sys.argv[3]))
heavy = json.loads(sys.argv[2])
print(json.dumps({
    "loaded": [m for m in heavy if m in sys.modules],
    "registry": len(hardstack_rules.REGISTRY),
    "packs": [p.name for p in picked],
    "rules": {p.name: len(p.rules()) for p in picked},
}))
"""


def _probe() -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(MODULES), json.dumps(HEAVY), json.dumps(FRAMEWORKS)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_rule_modules_are_found():
    # The walk must see the rule modules, or the probe would prove nothing about them.
    assert {"hardstack.rules.aws.storage", "hardstack.rules.gcp.network", "hardstack.rules.azure.logging",
            "hardstack.rules.common.residency", "hardstack.rules.relations"} <= set(MODULES)


def test_metadata_imports_neither_pulumi_nor_grpc():
    got = _probe()
    assert got["loaded"] == [], (
        f"importing rule metadata loaded {got['loaded']}: a module of hardstack_rules imports pulumi_policy "
        "at its top (find it with `python -X importtime -c 'import hardstack.rules'`)")
    # Nothing was skipped to get there: every rule registered, the packs select the same rules.
    assert got["registry"] == len(REGISTRY) > 0
    picked = packs_for(FRAMEWORKS)
    assert got["packs"] == [p.name for p in picked] == ["baseline", "hipaa", "gdpr"]
    assert got["rules"] == {p.name: len(p.rules()) for p in picked}
