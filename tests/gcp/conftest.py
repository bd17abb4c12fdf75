"""Fixtures for the GCP blueprint tests: both example stacks rendered once, spec variants, and
graph queries. Graphs come from tests/conftest.py's `rendered`: each distinct spec rendered once.

Helpers are handed out as fixtures (`q`), not imported from this module: several directories
under tests/ have a conftest.py, so `from conftest import ...` would be ambiguous.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from ruamel.yaml import YAML

from hardstack.render import Graph, Resource
from hardstack.spec import CONFIG_KEY, Environment, load

ROOT = Path(__file__).resolve().parents[2]
GCP_STACK = ROOT / "stacks" / "Pulumi.gcp-prod-eu.yaml"
GPU_STACK = ROOT / "stacks" / "Pulumi.gcp-gpu-eu.yaml"

KEY = "gcp:kms/cryptoKey:CryptoKey"
KEY_BINDING = "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding"
BUCKET = "gcp:storage/bucket:Bucket"
INSTANCE = "gcp:compute/instance:Instance"
FIREWALL = "gcp:compute/firewall:Firewall"


@pytest.fixture(scope="session")
def gcp_spec() -> Environment:
    return load(GCP_STACK).environment


@pytest.fixture(scope="session")
def gcp_graph(gcp_spec: Environment, rendered: Callable[[Environment, str], Graph]) -> Graph:
    return rendered(gcp_spec, "gcp-prod-eu")


@pytest.fixture(scope="session")
def gpu_spec() -> Environment:
    return load(GPU_STACK).environment


@pytest.fixture(scope="session")
def gpu_graph(gpu_spec: Environment, rendered: Callable[[Environment, str], Graph]) -> Graph:
    return rendered(gpu_spec, "gcp-gpu-eu")


@pytest.fixture(scope="session")
def raw_gcp_spec() -> Callable[[], dict[str, Any]]:
    """The example stack's spec as plain data, a fresh deep copy on every call."""
    doc = YAML(typ="safe").load(GCP_STACK.read_text(encoding="utf-8"))
    spec = doc["config"][CONFIG_KEY]
    return lambda: copy.deepcopy(spec)


@pytest.fixture(scope="session")
def gcp_variant(gcp_spec: Environment, rendered: Callable[[Environment, str], Graph]) -> Callable[..., Graph]:
    """Render the example with spec fields changed, e.g. gcp_variant(network={"egress": "nat"});
    dict values update the section, anything else replaces it. Renders are cached."""
    cache: dict[str, Graph] = {}

    def render(**changes: Any) -> Graph:
        key = repr(sorted(changes.items()))
        if key not in cache:
            data = copy.deepcopy(gcp_spec.model_dump(mode="python"))
            for field, value in changes.items():
                if isinstance(value, dict) and isinstance(data.get(field), dict):
                    data[field].update(value)
                else:
                    data[field] = value
            cache[key] = rendered(Environment.model_validate(data), "gcp-variant")
        return cache[key]

    return render


def one(graph: Graph, token: str, **inputs: Any) -> Resource:
    """The single resource of `token` whose inputs include `inputs`."""
    found = [r for r in graph.of_type(token) if all(r.inputs.get(k) == v for k, v in inputs.items())]
    assert len(found) == 1, (token, inputs, [r.name for r in found])
    return found[0]


def key(graph: Graph, purpose: str) -> Resource:
    return next(r for r in graph.of_type(KEY) if r.inputs["labels"]["purpose"] == purpose)


def key_id(graph: Graph, purpose: str) -> str:
    k = key(graph, purpose)
    return f"{k.inputs['keyRing']}/cryptoKeys/{k.inputs['name']}"


def key_binding(graph: Graph, purpose: str) -> Resource:
    return one(graph, KEY_BINDING, cryptoKeyId=key_id(graph, purpose))


def bucket(graph: Graph, purpose: str) -> Resource:
    return next(b for b in graph.of_type(BUCKET) if b.inputs["labels"]["purpose"] == purpose)


def siblings(graph: Graph, resource: Resource, token: str) -> list[Resource]:
    return [r for r in graph.of_type(token) if r.parent == resource.parent]


STORAGE_AGENT = "gcp:storage/getProjectServiceAccount:getProjectServiceAccount"
LOGGING_SETTINGS = "gcp:logging/getProjectSettings:getProjectSettings"
GET_PROJECT = "gcp:organizations/getProject:getProject"


def lookup(graph: Graph, token: str) -> dict[str, Any]:
    """The answer of the one lookup (invoke) of `token` the program made."""
    found = [found.result for found in graph.lookups if found.token == token]
    assert len(found) == 1, (token, [found.token for found in graph.lookups])
    return found[0]


def project_number(graph: Graph) -> str:
    """The number in the Pub/Sub agent the ServiceIdentity resource returned."""
    (identity,) = [i for i in graph.of_type("gcp:projects/serviceIdentity:ServiceIdentity")
                   if i.inputs["service"] == "pubsub.googleapis.com"]
    members = key_binding(graph, "logs").inputs["members"]
    pubsub = [m for m in members if "@gcp-sa-pubsub." in m]
    assert identity.inputs["service"] == "pubsub.googleapis.com" and len(pubsub) == 1
    match = re.fullmatch(r"serviceAccount:service-([0-9]{12})@gcp-sa-pubsub\.iam\.gserviceaccount\.com", pubsub[0])
    assert match, pubsub
    return match.group(1)


def agent(graph: Graph, domain: str) -> str:
    """An agent by Google's documented pattern: right for Compute Engine and Pub/Sub only. The
    Cloud Storage and Cloud Logging agents are what their lookups answer (see `lookup`)."""
    return f"serviceAccount:service-{project_number(graph)}@{domain}.iam.gserviceaccount.com"


CONTAINMENT = "hardstack:gcp:Containment$"


def outside_containment(resources: list[Resource]) -> list[Resource]:
    """The resources that are not the containment responder's (tests/gcp/test_gcp_containment.py
    checks those): invariants about the environment's own accounts, grants and rules."""
    return [r for r in resources if CONTAINMENT not in r.urn]


def firewalls(graph: Graph, direction: str) -> list[Resource]:
    return [f for f in graph.of_type(FIREWALL) if f.inputs["direction"] == direction]


def workload_accounts(graph: Graph) -> dict[str, str]:
    """Workload name (from the instance labels) -> its service account email."""
    return {i.inputs["labels"]["workload"]: i.inputs["serviceAccount"]["email"] for i in graph.of_type(INSTANCE)}


@pytest.fixture(scope="session")
def q() -> SimpleNamespace:
    return SimpleNamespace(
        one=one, key=key, key_id=key_id, key_binding=key_binding, bucket=bucket, siblings=siblings,
        project_number=project_number, agent=agent, firewalls=firewalls, workload_accounts=workload_accounts,
        outside_containment=outside_containment,
        lookup=lookup, STORAGE_AGENT=STORAGE_AGENT, LOGGING_SETTINGS=LOGGING_SETTINGS, GET_PROJECT=GET_PROJECT,
        KEY=KEY, KEY_BINDING=KEY_BINDING, BUCKET=BUCKET, INSTANCE=INSTANCE, FIREWALL=FIREWALL,
        GCP_STACK=GCP_STACK, GPU_STACK=GPU_STACK,
    )
