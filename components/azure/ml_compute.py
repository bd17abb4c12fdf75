"""What people and pipelines use inside the Azure Machine Learning workspace: compute instances
(notebooks) and managed online endpoints, both private and keyless.

Compute instances: no public IP (they run in the workspace's managed network), local
authentication off (Entra ID only), SSH off, shut down after an idle hour, and the workspace's
high-business-impact mode encrypts their scratch disks. Without personal_compute_instance_settings
a compute instance is assigned to whoever creates it (the deployment's principal); the spec
names no people yet, so hardstack creates them unassigned and the README says how to assign.

Online endpoints: public network access disabled (reached through the workspace's private
endpoint), Entra tokens only (auth mode AADToken: no keys), a system-assigned identity for what
the deployment reads, logs to the audit workspace. Models are deployed from a pipeline.

Sources (pinned by tests/azure/test_azure_platform*.py):
- https://learn.microsoft.com/azure/machine-learning/how-to-create-compute-instance: idle shutdown
  (idle_time_before_shutdown, an ISO 8601 duration; the CLI's idle_time_before_shutdown_minutes
  examples use 15), SSH access "disabled by default", no public IP in a managed network. The bounds
  MIN/MAX_IDLE_MINUTES (15 minutes, 3 days) are the studio's choices as remembered, not found in the
  stored docs: only a deployment confirms them.
- https://learn.microsoft.com/azure/machine-learning/how-to-authenticate-online-endpoint: auth
  mode aad_token authenticates callers with Microsoft Entra tokens; key and aml_token are the others.
- https://learn.microsoft.com/azure/machine-learning/how-to-secure-online-endpoint: an endpoint's
  public_network_access disabled makes it reachable only through the workspace's private endpoint.
- PSRule for Azure, Azure.ML.ComputeIdleShutdown and Azure.ML.DisableLocalAuth
  (https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.ML.ComputeIdleShutdown/).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import machinelearningservices

from hardstack.components.azure.diagnostics import send_to_workspace

IDLE_SHUTDOWN = "PT60M"
MIN_IDLE_MINUTES, MAX_IDLE_MINUTES = 15, 3 * 24 * 60


def idle_minutes(duration: str) -> int:
    match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?", duration)
    if not match or not any(match.groups()):
        raise ValueError(f"{duration!r} is not an ISO 8601 duration in hours and minutes")
    return int(match.group(1) or 0) * 60 + int(match.group(2) or 0)


@dataclass
class MlComputeArgs:
    resource_group_name: pulumi.Input[str]
    location: str
    workspace_name: pulumi.Input[str]
    workspace_id: pulumi.Input[str]  # Log Analytics
    notebooks: int = 0
    notebook_size: str = "Standard_DS3_v2"
    # The Entra object id of each notebook's person, one per notebook: a compute instance opens only to
    # its assigned user, who is otherwise whoever creates it (the deploying principal).
    owners: Sequence[str] = ()
    tenant_id: pulumi.Input[str] = ""
    # spec name -> the endpoint's Azure name, unique in the region across all subscriptions
    # ("there can be only one endpoint with the name my-endpoint in westus2":
    # https://learn.microsoft.com/azure/machine-learning/how-to-deploy-online-endpoints)
    endpoints: Mapping[str, str] = field(default_factory=dict)
    idle_shutdown: str = IDLE_SHUTDOWN
    # Compute instance names: <prefix>-<n>, 3-24 characters, unique in the region like endpoints.
    prefix: str = "ci"
    after: Sequence[pulumi.Resource] = ()  # the workspace's private endpoint: compute needs it to exist
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.owners) != self.notebooks:
            raise ValueError(f"{self.notebooks} notebooks need {self.notebooks} owners, one each; "
                             f"got {len(self.owners)}")
        if self.owners and not self.tenant_id:
            raise ValueError("owners need the tenant_id their object ids belong to")
        if not MIN_IDLE_MINUTES <= idle_minutes(self.idle_shutdown) <= MAX_IDLE_MINUTES:
            raise ValueError(f"idle shutdown must be 15 minutes to 3 days, got {self.idle_shutdown}")
        for n in range(1, self.notebooks + 1):
            name = f"{self.prefix}-{n}"
            if not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9-]{2,23}", name):
                raise ValueError(f"compute instance name {name!r}: 3-24 letters, digits and hyphens")
        for endpoint in self.endpoints.values():
            if not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9-]{1,30}[a-zA-Z0-9]", endpoint):
                raise ValueError(f"online endpoint name {endpoint!r}: 3-32 letters, digits and hyphens")


class MlCompute(pulumi.ComponentResource):
    instances: list[machinelearningservices.Compute]
    endpoints: dict[str, machinelearningservices.OnlineEndpoint]

    def __init__(self, name: str, args: MlComputeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:azure:MlCompute", name, None, opts)
        after = pulumi.ResourceOptions(parent=self, depends_on=list(args.after))
        tags = {**args.tags, "purpose": "ml-platform"}
        self.instances = [
            machinelearningservices.Compute(
                f"{name}-ci-{n}", compute_name=f"{args.prefix}-{n}", workspace_name=args.workspace_name,
                resource_group_name=args.resource_group_name, location=args.location,
                properties={
                    "compute_type": "ComputeInstance",
                    "compute_location": args.location,
                    "disable_local_auth": True,
                    "properties": {
                        "vm_size": args.notebook_size,
                        "enable_node_public_ip": False,
                        "ssh_settings": {"ssh_public_access": "Disabled"},
                        "idle_time_before_shutdown": args.idle_shutdown,
                        "compute_instance_authorization_type": "personal",
                        "application_sharing_policy": "Personal",
                        "personal_compute_instance_settings": {
                            "assigned_user": {"object_id": owner, "tenant_id": args.tenant_id},
                        },
                    },
                },
                tags=tags, opts=after,
            )
            for n, owner in enumerate(args.owners, start=1)
        ]
        self.endpoints = {}
        for endpoint, azure_name in args.endpoints.items():
            online = machinelearningservices.OnlineEndpoint(
                f"{name}-{endpoint}", endpoint_name=azure_name, workspace_name=args.workspace_name,
                resource_group_name=args.resource_group_name, location=args.location, kind="Managed",
                identity={"type": "SystemAssigned"},
                properties={"auth_mode": "AADToken", "public_network_access": "Disabled"},
                tags=tags, opts=after,
            )
            self.endpoints[endpoint] = online
            send_to_workspace(f"{name}-{endpoint}-diag", online.id, args.workspace_id, parent=self)
        self.register_outputs({"endpoint_ids": {n: e.id for n, e in self.endpoints.items()}})

    def principal_ids(self) -> list[pulumi.Output[str]]:
        """The endpoints' system identities: what their deployments call other services as."""
        return [e.identity.apply(lambda i: i.principal_id if i else "") for e in self.endpoints.values()]
