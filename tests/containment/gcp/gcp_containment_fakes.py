"""Faked transports for the GCP responder tests: Google's own clients, talking to fakes on the wire.

- Compute Engine: `compute_v1` clients on their REST transport, with the HTTP calls answered by
  `responses` (every call is recorded: URL, method, JSON body).
- IAM: `iam_admin_v1.IAMClient` is gRPC only, so it talks to an in-process gRPC server that
  implements GetServiceAccount and DisableServiceAccount with the API's own protobuf messages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import grpc
import pytest
import responses
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import compute_v1, iam_admin_v1
from google.cloud.iam_admin_v1.services.iam.transports.grpc import IAMGrpcTransport
from google.protobuf import empty_pb2

from hardstack.components.responders.gcp_scc import GcpClients

FIXTURES = Path(__file__).parent / "fixtures"
COMPUTE = "https://compute.googleapis.com/compute/v1"
PROJECT = "ml-prod-eu-4711"
ZONE = "europe-west4-a"
INSTANCE_ID = "5289438569693667937"
INSTANCE = "gcp-prod-eu-trainer-0"
ACCOUNT = f"gcp-prod-eu-trainer@{PROJECT}.iam.gserviceaccount.com"
DISKS_KEY = f"projects/{PROJECT}/locations/europe-west4/keyRings/gcp-prod-eu-keys/cryptoKeys/disks"
TAG = "hardstack-quarantine"


@dataclass
class FakeIam:
    """The IAM API's service-account methods, over gRPC."""

    accounts: dict[str, bool] = field(default_factory=dict)  # email -> disabled
    calls: list[tuple[str, str]] = field(default_factory=list)  # (method, name)

    def _email(self, name: str) -> str:
        return name.rsplit("/", 1)[-1]

    def get(self, request: iam_admin_v1.GetServiceAccountRequest, context: grpc.ServicerContext) -> Any:
        self.calls.append(("GetServiceAccount", request.name))
        email = self._email(request.name)
        if email not in self.accounts:
            context.abort(grpc.StatusCode.NOT_FOUND, f"{request.name} not found")
        return iam_admin_v1.ServiceAccount(name=request.name, email=email, disabled=self.accounts[email])

    def disable(self, request: iam_admin_v1.DisableServiceAccountRequest, context: grpc.ServicerContext) -> Any:
        self.calls.append(("DisableServiceAccount", request.name))
        self.accounts[self._email(request.name)] = True
        return empty_pb2.Empty()


@pytest.fixture
def fake_iam() -> Iterator[tuple[FakeIam, iam_admin_v1.IAMClient]]:
    fake = FakeIam()
    handlers = {
        "GetServiceAccount": grpc.unary_unary_rpc_method_handler(
            fake.get, request_deserializer=iam_admin_v1.GetServiceAccountRequest.deserialize,
            response_serializer=iam_admin_v1.ServiceAccount.serialize),
        "DisableServiceAccount": grpc.unary_unary_rpc_method_handler(
            fake.disable, request_deserializer=iam_admin_v1.DisableServiceAccountRequest.deserialize,
            response_serializer=empty_pb2.Empty.SerializeToString),
    }
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("google.iam.admin.v1.IAM", handlers),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield fake, iam_admin_v1.IAMClient(transport=IAMGrpcTransport(channel=channel))
    finally:
        channel.close()
        server.stop(grace=None)


def compute_clients() -> tuple[Any, Any, Any]:
    options = ClientOptions(api_endpoint="https://compute.googleapis.com")
    kwargs: dict[str, Any] = {"credentials": AnonymousCredentials(), "transport": "rest", "client_options": options}
    return compute_v1.InstancesClient(**kwargs), compute_v1.DisksClient(**kwargs), compute_v1.SnapshotsClient(**kwargs)


def instance_json(tags: list[str] | None = None, environment: str = "gcp-prod-eu") -> dict[str, Any]:
    """An instance as instances.get returns it (the fields the responder reads)."""
    disks = f"https://www.googleapis.com/compute/v1/projects/{PROJECT}/zones/{ZONE}/disks"
    return {
        "kind": "compute#instance", "id": INSTANCE_ID, "name": INSTANCE,
        "zone": f"https://www.googleapis.com/compute/v1/projects/{PROJECT}/zones/{ZONE}",
        "labels": {"hardstack-environment": environment, "workload": "trainer"},
        "tags": {"items": list(tags or []), "fingerprint": "42WmSpB8rSM="},
        "serviceAccounts": [{"email": ACCOUNT, "scopes": ["https://www.googleapis.com/auth/cloud-platform"]}],
        "disks": [{"boot": True, "source": f"{disks}/{INSTANCE}"}, {"source": f"{disks}/{INSTANCE}-data"}],
    }


def operation(kind: str, status: str = "DONE") -> dict[str, Any]:
    return {"kind": "compute#operation", "name": f"operation-{kind}", "operationType": kind, "status": status,
            "zone": f"https://www.googleapis.com/compute/v1/projects/{PROJECT}/zones/{ZONE}"}


class FakeCompute:
    """Compute Engine's REST API for one instance, with state: tags and snapshots change when
    the responder calls setTags and createSnapshot, so a second delivery sees them."""

    def __init__(self, mock: responses.RequestsMock, instance: dict[str, Any] | None) -> None:
        self.instance, self.snapshots = instance, set[str]()
        base = f"{COMPUTE}/projects/{PROJECT}"
        mock.add_callback(responses.GET, f"{base}/zones/{ZONE}/instances", callback=self._list)
        mock.add_callback(responses.GET, f"{base}/zones/{ZONE}/instances/{INSTANCE}", callback=self._get)
        mock.add_callback(responses.POST, f"{base}/zones/{ZONE}/instances/{INSTANCE}/setTags", callback=self._tags)
        for disk in (INSTANCE, f"{INSTANCE}-data"):
            mock.add_callback(responses.POST, f"{base}/zones/{ZONE}/disks/{disk}/createSnapshot", callback=self._snap)
        self.mock = mock
        mock.add_callback(responses.GET, re.compile(rf"{base}/global/snapshots/[a-z0-9-]+"), callback=self._snapshot)

    def _list(self, request: Any) -> tuple[int, dict[str, str], str]:
        items = [self.instance] if self.instance is not None else []
        return 200, {}, json.dumps({"kind": "compute#instanceList", "items": items})

    def _get(self, request: Any) -> tuple[int, dict[str, str], str]:
        if self.instance is None:
            return 404, {}, json.dumps({"error": {"code": 404, "message": "not found"}})
        return 200, {}, json.dumps(self.instance)

    def _tags(self, request: Any) -> tuple[int, dict[str, str], str]:
        assert self.instance is not None
        self.instance["tags"] = {"items": json.loads(request.body)["items"], "fingerprint": "changed="}
        return 200, {}, json.dumps(operation("setTags"))

    def _snap(self, request: Any) -> tuple[int, dict[str, str], str]:
        self.snapshots.add(json.loads(request.body)["name"])
        return 200, {}, json.dumps(operation("createSnapshot", "RUNNING"))

    def _snapshot(self, request: Any) -> tuple[int, dict[str, str], str]:
        name = request.url.rsplit("/", 1)[-1].split("?")[0]
        if name not in self.snapshots:
            return 404, {}, json.dumps({"error": {"code": 404, "message": f"snapshot {name} not found"}})
        return 200, {}, json.dumps({"kind": "compute#snapshot", "name": name, "status": "CREATING"})

    def calls(self, method: str | None = None) -> list[tuple[str, str, Any]]:
        """(method, path, JSON body) of every call made, in order."""
        found = []
        for call in self.mock.calls:
            path = call.request.url.split("/compute/v1", 1)[-1]
            body = json.loads(call.request.body) if call.request.body else None
            if method is None or call.request.method == method:
                found.append((call.request.method, path, body))
        return found


@pytest.fixture
def gcp_world(fake_iam: tuple[FakeIam, iam_admin_v1.IAMClient]) -> Iterator[SimpleNamespace]:
    """The environment's project as the responder sees it: one trainer instance, its enabled
    service account, no snapshots. `world.instance = None` makes the instance disappear."""
    iam, iam_client = fake_iam
    iam.accounts[ACCOUNT] = False
    instances, disks, snapshots = compute_clients()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        compute = FakeCompute(mock, instance_json())
        yield SimpleNamespace(
            compute=compute, iam=iam, clients=GcpClients(instances, disks, snapshots, iam_client),
            notification=json.loads((FIXTURES / "scc_threat_notification.json").read_text(encoding="utf-8")),
        )
