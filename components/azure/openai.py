"""An Azure OpenAI account that only the environment's identities can call, from inside its
network, with only the allowed models deployed.

Always: local (key) authentication off, public network access off with network rules default
Deny and no bypass, a private endpoint (group "account", zone privatelink.openai.azure.com),
outbound restricted to an allow-list (data loss prevention: the service fetches no URL outside
it), a custom subdomain (Entra ID tokens and private endpoints need one), the platform's
customer-managed key unwrapped by the platform identity, diagnostics to the audit workspace,
one Data Zone Standard deployment per allowed model family (a pinned version, no automatic
upgrade), and "Cognitive Services OpenAI User" on the account for the identities that call it
(allow_callers).

Sources (pinned by tests/azure/test_azure_platform*.py):
- https://learn.microsoft.com/azure/ai-services/disable-local-auth and Azure Policy's built-in
  "Configure Azure AI Services resources to disable local key access" (Entra ID only).
- https://learn.microsoft.com/azure/ai-services/cognitive-services-custom-subdomains: "Microsoft
  Entra authentication" and virtual networks / private endpoints require a custom subdomain.
- https://learn.microsoft.com/azure/ai-services/cognitive-services-data-loss-prevention:
  restrictOutboundNetworkAccess with allowedFqdnList.
- https://learn.microsoft.com/azure/ai-services/openai/encrypt-data-at-rest: keySource
  Microsoft.KeyVault with keyVaultUri, keyName and the identity's client id; leaving out the key
  version lets the account follow the key's rotation.
- Deployment types and models: hardstack/spec/platforms/azure.py (Data Zone Standard keeps
  processing in the region's data zone).
- https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/ai-machine-learning
  (Cognitive Services OpenAI User: inference only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import cognitiveservices

from hardstack.components.azure import roles
from hardstack.components.azure.diagnostics import send_to_workspace
from hardstack.components.azure.ml_workspace import PlatformKey
from hardstack.components.azure.private_endpoint import PrivateEndpoint, PrivateEndpointArgs
from hardstack.spec.platforms.azure import DEPLOYMENT_SKU, MODEL_VERSIONS

# Tokens per minute of each deployment, in thousands: a small default a team raises when it knows
# its load (quota is per subscription, region and model).
CAPACITY = 10


@dataclass
class OpenAIAccountArgs:
    subscription_id: str
    name: str  # the account's name and custom subdomain, globally unique (naming.platform_name)
    resource_group_name: pulumi.Input[str]
    location: str
    key: PlatformKey
    workspace_id: pulumi.Input[str]
    endpoint_subnet_id: pulumi.Input[str]
    dns_zone_id: pulumi.Input[str]  # privatelink.openai.azure.com
    families: Sequence[str]  # allowed model families (spec platform.foundation_models.allow)
    allowed_fqdns: Sequence[pulumi.Input[str]] = ()  # the only hosts the service may fetch from
    capacity: int = CAPACITY
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = [f for f in self.families if f not in MODEL_VERSIONS]
        if unknown:
            raise ValueError(f"no pinned version for model families {unknown}; known: {', '.join(MODEL_VERSIONS)}")
        if not self.families:
            raise ValueError("an Azure OpenAI account needs at least one allowed model family")


class OpenAIAccount(pulumi.ComponentResource):
    account: cognitiveservices.Account
    deployments: dict[str, cognitiveservices.Deployment]
    id: pulumi.Output[str]

    def __init__(self, name: str, args: OpenAIAccountArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:azure:OpenAIAccount", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        key, tags = args.key, {**args.tags, "purpose": "foundation-models"}
        self.account = cognitiveservices.Account(
            f"{name}-account", account_name=args.name, resource_group_name=args.resource_group_name,
            location=args.location, kind="OpenAI", sku={"name": "S0"},
            identity={"type": "UserAssigned", "user_assigned_identities": [key.identity_id]},
            properties={
                "custom_sub_domain_name": args.name,
                "disable_local_auth": True,
                "public_network_access": "Disabled",
                "network_acls": {"default_action": "Deny", "bypass": "None", "ip_rules": [],
                                 "virtual_network_rules": []},
                "restrict_outbound_network_access": True,
                "allowed_fqdn_list": list(args.allowed_fqdns),
                "encryption": {"key_source": "Microsoft.KeyVault", "key_vault_properties": {
                    "key_name": key.key_name, "key_vault_uri": key.vault_uri,
                    "identity_client_id": key.identity_client_id}},
            },
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[key.grant]),
        )
        self.id = self.account.id
        self.endpoint = PrivateEndpoint(f"{name}-account", PrivateEndpointArgs(
            resource_group_name=args.resource_group_name, location=args.location, target_id=self.account.id,
            group_id="account", subnet_id=args.endpoint_subnet_id, dns_zone_id=args.dns_zone_id, tags=tags,
        ), opts=child)
        send_to_workspace(f"{name}-account-diag", self.account.id, args.workspace_id, parent=self)
        self.deployments = {}
        previous: list[pulumi.Resource] = []
        for family in args.families:
            model = MODEL_VERSIONS[family]
            deployment = cognitiveservices.Deployment(
                f"{name}-{family}", deployment_name=family, account_name=self.account.name,
                resource_group_name=args.resource_group_name,
                sku={"name": DEPLOYMENT_SKU, "capacity": args.capacity},
                properties={
                    "model": {"format": "OpenAI", "name": model.name, "version": model.version},
                    # A new version is a decision (its behaviour and region table differ), not a surprise.
                    "version_upgrade_option": "NoAutoUpgrade",
                    "rai_policy_name": "Microsoft.DefaultV2",
                },
                tags=tags,
                # One deployment at a time: the account rejects concurrent changes to its deployments.
                opts=pulumi.ResourceOptions(parent=self, depends_on=previous),
            )
            self.deployments[family] = deployment
            previous = [deployment]
        self.name, self.subscription_id = name, args.subscription_id
        self.grants: dict[str, pulumi.Resource] = {}
        self.register_outputs({"id": self.account.id, "endpoint": self.account.properties.endpoint})

    def allow_callers(self, principal_ids: Mapping[str, pulumi.Input[str]]) -> None:
        """Cognitive Services OpenAI User on this account for each principal (purpose -> principal id).
        Separate from the account: the workspace's managed network needs the account to exist
        before the workspace (its private endpoint rule is provisioned with it), and the workspace's
        identity exists only after."""
        for purpose, principal in principal_ids.items():
            self.grants[purpose] = roles.assign(
                f"{self.name}-{purpose}-openai-user", self.subscription_id, principal,
                roles.Grant(roles.COGNITIVE_SERVICES_OPENAI_USER, self.account.id), parent=self,
            )
