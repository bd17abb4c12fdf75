"""Vertex AI serving and lineage, private and keyed: online prediction endpoints reachable only
through Private Service Connect, and the region's metadata store, both encrypted with the
environment's data key.

- Endpoints: `private_service_connect_config.enable_private_service_connect` with the project
  as the only allowlisted consumer. "Only one of the fields, network or
  privateServiceConnectConfig, can be set" (pulumi-gcp 10.2 vertex.AiEndpoint.network): PSC is
  the private choice that needs no peered range, and keeps requests on a forwarding rule in the
  environment's network (https://cloud.google.com/vertex-ai/docs/predictions/private-service-connect).
  The forwarding rule cannot exist before a model is deployed (its service attachment is created
  then), so the endpoint asks Vertex AI to create it (`psc_automation_configs`: "PSC config that is
  used to automatically create forwarding rule via ServiceConnectionMap", aiplatform v1
  PSCAutomationConfig). Vertex AI may connect into the network only where a service connection
  policy for its service class allows it
  (https://cloud.google.com/vpc/docs/about-service-connectivity-automation): one policy for
  `gcp-vertexai` on the workload subnet, limited to this project's producers.
- Every endpoint and the metadata store: `encryption_spec.kms_key_name`. "The Cloud KMS key must
  be in the same region as the resource" (https://cloud.google.com/vertex-ai/docs/reference/rest/v1/EncryptionSpec);
  the Vertex AI service agent holds the key first (services.py, blueprints/gcp.py).
- Endpoint names must be numeric, at most 10 digits without a leading zero (pulumi-gcp 10.2
  vertex.AiEndpoint.name): derived from the spec's endpoint name, stable between runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from hardstack.components.gcp.names import resource_name
from hardstack.components.gcp.options import child_options

SERVICE_CLASS = "gcp-vertexai"
# The store Vertex AI uses when none is named: lineage of pipelines and experiments lands here
# (https://cloud.google.com/vertex-ai/docs/ml-metadata/configure).
DEFAULT_STORE = "default"


def endpoint_id(name: str) -> str:
    """A stable numeric endpoint name: 10 digits, no leading zero."""
    digest = int(hashlib.sha256(name.encode()).hexdigest(), 16)
    return str(10**9 + digest % (9 * 10**9))


@dataclass
class VertexAIArgs:
    project: str
    region: str
    network: pulumi.Input[str]  # projects/<project>/global/networks/<name>
    subnetwork: pulumi.Input[str]
    key_id: pulumi.Input[str]  # the data key, after the Vertex AI agent's binding
    endpoints: Sequence[str] = ()
    name_prefix: str = "env"
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        dupes = sorted({e for e in self.endpoints if list(self.endpoints).count(e) > 1})
        if dupes:
            raise ValueError(f"endpoint names must be unique: {', '.join(dupes)}")


class VertexAI(pulumi.ComponentResource):
    endpoints: dict[str, gcp.vertex.AiEndpoint]
    metadata_store: gcp.vertex.AiMetadataStore
    connection_policy: gcp.networkconnectivity.ServiceConnectionPolicy | None

    def __init__(self, name: str, args: VertexAIArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:gcp:VertexAI", name, None, opts)
        child = child_options(self, opts)
        encryption = {"kms_key_name": args.key_id}
        self.metadata_store = gcp.vertex.AiMetadataStore(
            f"{name}-metadata", name=DEFAULT_STORE, project=args.project, region=args.region,
            description=f"{args.name_prefix}: lineage of datasets, runs and models", encryption_spec=encryption,
            opts=child,
        )
        self.connection_policy = None
        if args.endpoints:
            self.connection_policy = gcp.networkconnectivity.ServiceConnectionPolicy(
                f"{name}-psc-policy", name=resource_name(args.name_prefix, "vertex-psc"), project=args.project,
                location=args.region, service_class=SERVICE_CLASS, network=args.network,
                description="Vertex AI may create endpoint forwarding rules in the workload subnet only",
                psc_config={"subnetworks": [args.subnetwork], "limit": str(max(2, 2 * len(args.endpoints)))},
                labels=dict(args.labels), opts=child,
            )
        after_policy = child_options(self, opts, *([self.connection_policy] if self.connection_policy else []))
        self.endpoints = {
            endpoint: gcp.vertex.AiEndpoint(
                f"{name}-{endpoint}", name=endpoint_id(f"{args.project}/{args.name_prefix}/{endpoint}"),
                display_name=resource_name(args.name_prefix, endpoint), project=args.project, location=args.region,
                region=args.region, description=f"{endpoint}: private online prediction (Private Service Connect)",
                private_service_connect_config={
                    "enable_private_service_connect": True,
                    "project_allowlists": [args.project],
                    "psc_automation_configs": [{"project_id": args.project, "network": args.network}],
                },
                encryption_spec=encryption, labels={**args.labels, "endpoint": endpoint}, opts=after_policy,
            )
            for endpoint in args.endpoints
        }
        self.register_outputs({
            "endpoints": {n: e.name for n, e in self.endpoints.items()}, "metadata_store": self.metadata_store.id,
        })
