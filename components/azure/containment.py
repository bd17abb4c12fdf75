"""Automated containment: Defender for Cloud alerts -> Event Hub -> a Python Function that
quarantines a VM's NICs, revokes its identity's role assignments and snapshots its disks
(components/responders/azure_defender.py); a log alert brings its report to the action group.

Why this path (pinned by tests/azure/test_azure_containment.py and tests/containment/azure):
- Workflow automation actions are LogicApp, EventHub or Workspace only (azure-native
  security.Automation: AutomationActionEventHub/LogicApp/Workspace): no Function target. The
  Event Hub action delivers as a trusted service (isTrustedServiceEnabled), so the namespace
  keeps SAS keys off; Defender then needs "Azure Event Hubs Data Sender" on the hub for the
  "Windows Azure Security Resource Provider"
  (https://learn.microsoft.com/azure/defender-for-cloud/continuous-export-event-hub-firewall).
- The Function reads the hub through a private endpoint with an identity-based connection
  (<CONNECTION>__fullyQualifiedNamespace, https://learn.microsoft.com/azure/azure-functions/
  functions-bindings-event-hubs-trigger#identity-based-connections) and Data Receiver on the hub.
- Flex Consumption (FC1): VNet integration into a subnet delegated to Microsoft.App/environments
  (Azure-Samples/remote-mcp-apim-functions-python infra/app/vnet.bicep), the package in a blob
  container read with the user-assigned identity, host storage via AzureWebJobsStorage__accountName
  with "Storage Blob Data Owner" ("covers the basic needs of Functions host storage",
  https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity).
- A Function cannot post to an action group: its report is one log line (REPORT_MARKER) that
  Application Insights (local auth off, Monitoring Metrics Publisher for the identity,
  https://learn.microsoft.com/azure/azure-monitor/app/azure-ad-authentication) writes to the
  audit workspace, where a scheduled query rule fires the action group.
- Least privilege: a custom role at the resource group with exactly the responder's calls
  (RESPONDER_ACTIONS), assigned with a condition that lets it delete only the workloads' data-role
  grants (https://learn.microsoft.com/azure/role-based-access-control/conditions-authorization-actions-attributes).
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import (
    applicationinsights,
    authorization,
    eventhub,
    managedidentity,
    monitor,
    network,
    privatedns,
    security,
    web,
)

from hardstack.components.azure import roles
from hardstack.components.azure.containment_permissions import (
    EVENT_HUBS_DATA_RECEIVER,
    EVENT_HUBS_DATA_SENDER,
    MONITORING_METRICS_PUBLISHER,
    RESPONDER_ACTIONS,
    STORAGE_BLOB_DATA_OWNER,
    WORKLOAD_ROLES,
    delete_condition,
)
from hardstack.components.azure.diagnostics import send_to_workspace
from hardstack.components.azure.network import closing_rules, rule
from hardstack.components.azure.storage import Container, SecureStorageAccount, SecureStorageAccountArgs
from hardstack.components.responders.decision import Settings

EVENT_HUB = "defender-alerts"
CONNECTION = "DefenderAlerts"
CONSUMER_GROUP = "containment"
DEPLOYMENT_CONTAINER = "deployment"
REPORT_MARKER = "hardstack-containment"
SERVICEBUS_ZONE = "privatelink.servicebus.windows.net"  # Event Hubs group id "namespace"
_NAMES = uuid.UUID("0f6f6c3e-2a4b-4c55-9d3e-7a1b2c3d4e5f")


def quarantine_rules() -> list[dict[str, object]]:
    # Priority 100, the lowest number a rule may have, wins over every other rule of the NSG and
    # Azure's defaults (AllowVnetInBound ... at 65000+); the closing rules are the house's.
    return [rule("quarantine-deny-all-inbound", 100, "Inbound", "Deny", "*", "*"),
            rule("quarantine-deny-all-outbound", 100, "Outbound", "Deny", "*", "*"), *closing_rules()]


# HTTPS for blobs; AMQP (5671/5672) is how the Event Hubs trigger reads the hub.
ENDPOINT_PORTS = ["443", "5671", "5672"]


def function_rules(prefix: str, endpoints: str) -> list[dict[str, object]]:
    """Into the VNet the Function reaches its private endpoints only; nothing comes in."""
    return [
        rule("allow-private-endpoints", 100, "Outbound", "Allow", prefix, endpoints, ENDPOINT_PORTS, "Tcp"),
        *closing_rules(),
    ]


def endpoint_rules(functions: str, endpoints: str) -> list[dict[str, object]]:
    """The containment endpoints (Event Hubs, the Function's blobs) answer the Function only."""
    return [
        rule("allow-function", 100, "Inbound", "Allow", functions, endpoints, ENDPOINT_PORTS, "Tcp"),
        *closing_rules(),
    ]


def subnet_prefixes(free_range: str) -> tuple[str, str]:
    """The Function's integration subnet (/26) and its endpoints subnet (/27) from a free range."""
    net = ipaddress.IPv4Network(free_range)
    if net.prefixlen > 25:
        raise ValueError(f"{free_range}: containment needs a free /25 or larger for its two subnets")
    function = next(net.subnets(new_prefix=26))
    endpoints = next(s for s in net.subnets(new_prefix=27) if not s.overlaps(function))
    return str(function), str(endpoints)


@dataclass(frozen=True)
class StorageKey:
    account_name: str
    key_id: pulumi.Input[str]
    key_name: str
    key_vault_uri: pulumi.Input[str]
    identity_id: pulumi.Input[str]
    identity_principal_id: pulumi.Input[str]


@dataclass
class ContainmentArgs:
    subscription_id: str
    environment: str
    resource_group_name: pulumi.Input[str]
    resource_group_id: pulumi.Input[str]
    location: str
    settings: Settings
    vnet_name: pulumi.Input[str]
    vnet_id: pulumi.Input[str]
    free_range: str  # an unused range of the VNet (/25 or larger) for the two containment subnets
    workspace_id: pulumi.Input[str]
    action_group_id: pulumi.Input[str]
    storage: StorageKey  # the customer-managed key of the Function's own storage account
    blob_dns_zone_id: pulumi.Input[str]
    package_sha256: str
    workload_principal_ids: Sequence[pulumi.Input[str]]  # the identities the responder may strip
    # Object id of "Windows Azure Security Resource Provider" in the tenant; without it Defender
    # cannot deliver to the hub (the stack rule azure-containment-delivery says so).
    security_provider_object_id: str | None = None
    after: Sequence[pulumi.Resource] = ()  # ARM rejects concurrent subnet writes in one VNet
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        subnet_prefixes(self.free_range)
        if not self.workload_principal_ids:
            raise ValueError("containment needs the workloads' identities: it revokes nothing else")


class Containment(pulumi.ComponentResource):
    quarantine_nsg: network.NetworkSecurityGroup
    identity: managedidentity.UserAssignedIdentity
    function_app: web.WebApp
    automation: security.Automation

    def __init__(self, name: str, args: ContainmentArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:azure:Containment", name, None, opts)
        self.args, self.name = args, name
        self.child = pulumi.ResourceOptions(parent=self)
        self.tags = {**args.tags, "purpose": "containment"}
        rg = args.resource_group_name
        self.quarantine_nsg = network.NetworkSecurityGroup(
            f"{name}-quarantine-nsg", network_security_group_name=f"nsg-{name}-quarantine", resource_group_name=rg,
            location=args.location, security_rules=quarantine_rules(), tags={**self.tags, "tier": "quarantine"},
            opts=self.child,
        )
        send_to_workspace(f"{name}-quarantine-nsg-diag", self.quarantine_nsg.id, args.workspace_id, parent=self,
                          metrics=())
        self.identity = managedidentity.UserAssignedIdentity(
            f"{name}-id", resource_name_=f"id-{name}", resource_group_name=rg, location=args.location,
            tags=self.tags, opts=self.child,
        )
        self._subnet()
        self._storage()
        self._delivery()
        self._grants()
        self._function()
        self._alert()
        self.register_outputs({"function_app_id": self.function_app.id, "quarantine_nsg_id": self.quarantine_nsg.id,
                               "package_sha256": args.package_sha256})

    def _assign(self, purpose: str, role: pulumi.Input[str], scope: pulumi.Input[str], principal: pulumi.Input[str],
                condition: pulumi.Input[str] | None = None) -> authorization.RoleAssignment:
        return authorization.RoleAssignment(
            f"{self.name}-{purpose}",
            role_assignment_name=str(uuid.uuid5(_NAMES, f"{self.args.subscription_id}/{self.name}-{purpose}")),
            principal_id=principal, principal_type="ServicePrincipal",
            role_definition_id=roles.role_definition_id(self.args.subscription_id, role) if isinstance(role, str)
            else role,
            scope=scope, condition=condition, condition_version="2.0" if condition else None,
            description=f"hardstack containment: {purpose}", opts=self.child,
        )

    def _subnet(self) -> None:
        args, rg = self.args, self.args.resource_group_name
        functions, endpoints = subnet_prefixes(args.free_range)
        self.function_nsg = network.NetworkSecurityGroup(
            f"{self.name}-function-nsg", network_security_group_name=f"nsg-{self.name}-function",
            resource_group_name=rg, location=args.location, security_rules=function_rules(functions, endpoints),
            tags={**self.tags, "tier": "function"}, opts=self.child,
        )
        self.endpoint_nsg = network.NetworkSecurityGroup(
            f"{self.name}-endpoints-nsg", network_security_group_name=f"nsg-{self.name}-endpoints",
            resource_group_name=rg, location=args.location, security_rules=endpoint_rules(functions, endpoints),
            tags={**self.tags, "tier": "containment-endpoints"}, opts=self.child,
        )
        for tier, nsg in (("function", self.function_nsg), ("endpoints", self.endpoint_nsg)):
            send_to_workspace(f"{self.name}-{tier}-nsg-diag", nsg.id, args.workspace_id, parent=self, metrics=())
        self.subnet = network.Subnet(
            f"{self.name}-subnet", subnet_name="snet-containment", virtual_network_name=args.vnet_name,
            resource_group_name=rg, address_prefix=functions,
            network_security_group={"id": self.function_nsg.id},
            default_outbound_access=False, private_endpoint_network_policies="Enabled",
            delegations=[{"name": "flex-consumption", "service_name": "Microsoft.App/environments"}],
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.after)),
        )
        self.endpoint_subnet = network.Subnet(
            f"{self.name}-endpoints", subnet_name="snet-containment-endpoints", virtual_network_name=args.vnet_name,
            resource_group_name=rg, address_prefix=endpoints, network_security_group={"id": self.endpoint_nsg.id},
            default_outbound_access=False, private_endpoint_network_policies="Enabled",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.subnet]),
        )

    def _storage(self) -> None:
        """The Function's own account: host storage and the deployment package, nothing else."""
        args, key = self.args, self.args.storage
        self.storage = SecureStorageAccount(f"{self.name}-storage", SecureStorageAccountArgs(
            account_name=key.account_name, subscription_id=args.subscription_id,
            resource_group_name=args.resource_group_name, location=args.location, key_id=key.key_id,
            key_name=key.key_name, key_vault_uri=key.key_vault_uri, cmk_identity_id=key.identity_id,
            cmk_identity_principal_id=key.identity_principal_id, workspace_id=args.workspace_id,
            containers=[Container(DEPLOYMENT_CONTAINER, None, "function-package")],
            endpoint_subnet_id=self.endpoint_subnet.id, dns_zone_id=args.blob_dns_zone_id,
            noncurrent_version_days=30, tags=self.tags,
        ), opts=self.child)
        self.deployment_url = pulumi.Output.concat("https://", self.storage.account.name,
                                                   f".blob.core.windows.net/{DEPLOYMENT_CONTAINER}")

    def _delivery(self) -> None:
        args, rg = self.args, self.args.resource_group_name
        self.namespace = eventhub.Namespace(
            f"{self.name}-ehns", namespace_name=f"evhns-{self.name}", resource_group_name=rg, location=args.location,
            sku={"name": "Standard", "tier": "Standard", "capacity": 1}, disable_local_auth=True,
            minimum_tls_version="1.2", public_network_access="Enabled", zone_redundant=True, tags=self.tags,
            opts=self.child,
        )
        # Public access stays Enabled only for the trusted-services exception Defender delivers
        # through; the firewall denies everyone else and the Function uses the private endpoint.
        eventhub.NamespaceNetworkRuleSet(
            f"{self.name}-ehns-firewall", namespace_name=self.namespace.name, resource_group_name=rg,
            default_action="Deny", public_network_access="Enabled", trusted_service_access_enabled=True,
            ip_rules=[], virtual_network_rules=[], opts=self.child,
        )
        self.hub = eventhub.EventHub(
            f"{self.name}-hub", event_hub_name=EVENT_HUB, namespace_name=self.namespace.name, resource_group_name=rg,
            partition_count=2, retention_description={"cleanup_policy": "Delete", "retention_time_in_hours": 168},
            opts=self.child,
        )
        eventhub.ConsumerGroup(
            f"{self.name}-consumer", consumer_group_name=CONSUMER_GROUP, event_hub_name=self.hub.name,
            namespace_name=self.namespace.name, resource_group_name=rg, opts=self.child,
        )
        send_to_workspace(f"{self.name}-ehns-diag", self.namespace.id, args.workspace_id, parent=self)
        zone = privatedns.PrivateZone(
            f"{self.name}-servicebus-zone", private_zone_name=SERVICEBUS_ZONE, resource_group_name=rg,
            location="global", tags=self.tags, opts=self.child,
        )
        privatedns.VirtualNetworkLink(
            f"{self.name}-servicebus-link", virtual_network_link_name=f"link-{self.name}", private_zone_name=zone.name,
            resource_group_name=rg, location="global", registration_enabled=False, virtual_network={"id": args.vnet_id},
            tags=self.tags, opts=self.child,
        )
        endpoint = network.PrivateEndpoint(
            f"{self.name}-ehns-pe", private_endpoint_name=f"pe-{self.name}-ehns", resource_group_name=rg,
            location=args.location, subnet={"id": self.endpoint_subnet.id},
            private_link_service_connections=[{"name": "namespace", "private_link_service_id": self.namespace.id,
                                               "group_ids": ["namespace"]}],
            tags=self.tags, opts=self.child,
        )
        network.PrivateDnsZoneGroup(
            f"{self.name}-ehns-dns", private_dns_zone_group_name="default", private_endpoint_name=endpoint.name,
            resource_group_name=rg,
            private_dns_zone_configs=[{"name": SERVICEBUS_ZONE, "private_dns_zone_id": zone.id}],
            opts=self.child,
        )
        # All alerts of the environment's resource group; the responder applies min_severity.
        self.automation = security.Automation(
            f"{self.name}-automation", automation_name=f"auto-{self.name}", resource_group_name=rg,
            location=args.location, is_enabled=True,
            description="hardstack: Defender for Cloud alerts of this environment to the containment Function",
            scopes=[{"scope_path": args.resource_group_id, "description": "the environment's resource group"}],
            sources=[{"event_source": "Alerts"}],
            actions=[{"action_type": "EventHub", "event_hub_resource_id": self.hub.id,
                      "is_trusted_service_enabled": True}],
            tags=self.tags, opts=self.child,
        )
        if args.security_provider_object_id:
            self._assign("defender-sender", EVENT_HUBS_DATA_SENDER, self.hub.id, args.security_provider_object_id)

    def _grants(self) -> None:
        args = self.args
        principal = self.identity.principal_id
        self.role = authorization.RoleDefinition(
            f"{self.name}-role", role_name=f"hardstack containment responder ({args.environment})",
            role_definition_id=str(uuid.uuid5(_NAMES, f"{args.subscription_id}/{self.name}-role")),
            description="Quarantine a VM's NIC, delete its identity's data-role assignments, snapshot its disks",
            role_type="CustomRole", scope=args.resource_group_id, assignable_scopes=[args.resource_group_id],
            permissions=[{"actions": list(RESPONDER_ACTIONS), "not_actions": [], "data_actions": [],
                          "not_data_actions": []}],
            opts=self.child,
        )
        condition = pulumi.Output.all(*args.workload_principal_ids).apply(
            lambda ids: delete_condition(WORKLOAD_ROLES, [str(i) for i in ids]))
        self._assign("responder", self.role.id, args.resource_group_id, principal, condition=condition)
        self._assign("hub-receiver", EVENT_HUBS_DATA_RECEIVER, self.hub.id, principal)
        self._assign("host-storage", STORAGE_BLOB_DATA_OWNER, self.storage.id, principal)

    def _function(self) -> None:
        args, rg = self.args, self.args.resource_group_name
        self.insights = applicationinsights.Component(
            f"{self.name}-insights", resource_name_=f"appi-{self.name}", resource_group_name=rg, location=args.location,
            kind="web", application_type="web", workspace_resource_id=args.workspace_id, ingestion_mode="LogAnalytics",
            disable_local_auth=True, retention_in_days=90, tags=self.tags, opts=self.child,
        )
        self._assign("telemetry", MONITORING_METRICS_PUBLISHER, self.insights.id, self.identity.principal_id)
        plan = web.AppServicePlan(
            f"{self.name}-plan", name=f"asp-{self.name}", resource_group_name=rg, location=args.location,
            kind="functionapp", reserved=True, sku={"name": "FC1", "tier": "FlexConsumption"}, tags=self.tags,
            opts=self.child,
        )
        client_id = self.identity.client_id
        identity_settings = {"credential": "managedidentity", "clientId": client_id}
        settings: dict[str, pulumi.Input[str]] = {
            "AzureWebJobsStorage__accountName": self.storage.account.name,
            **{f"AzureWebJobsStorage__{k}": v for k, v in identity_settings.items()},
            f"{CONNECTION}__fullyQualifiedNamespace": pulumi.Output.concat(self.namespace.name,
                                                                          ".servicebus.windows.net"),
            **{f"{CONNECTION}__{k}": v for k, v in identity_settings.items()},
            "APPLICATIONINSIGHTS_CONNECTION_STRING": self.insights.connection_string,
            "APPLICATIONINSIGHTS_AUTHENTICATION_STRING": pulumi.Output.concat("Authorization=AAD;ClientId=", client_id),
            "AZURE_CLIENT_ID": client_id,
            "HARDSTACK_SUBSCRIPTION_ID": args.subscription_id,
            "HARDSTACK_QUARANTINE_NSG_ID": self.quarantine_nsg.id,
            "HARDSTACK_PACKAGE_SHA256": args.package_sha256,
            **args.settings.as_env(),
        }
        self.function_app = web.WebApp(
            f"{self.name}-function", name=f"func-{self.name}", resource_group_name=rg, location=args.location,
            kind="functionapp,linux", server_farm_id=plan.id, https_only=True, public_network_access="Disabled",
            client_cert_enabled=True, client_cert_mode="Required",
            identity={"type": "UserAssigned", "user_assigned_identities": [self.identity.id]},
            key_vault_reference_identity=self.identity.id, virtual_network_subnet_id=self.subnet.id,
            site_config={
                "min_tls_version": "1.2", "scm_min_tls_version": "1.2", "ftps_state": "Disabled",
                "http20_enabled": True, "remote_debugging_enabled": False,
                # Only private destinations go through the VNet (its endpoints); ARM, Entra ID and
                # Azure Monitor are reached over the platform's outbound, so the VNet keeps no
                # internet path (egress none). NSG rules then bind only the private traffic.
                "vnet_route_all_enabled": False,
                "app_settings": [{"name": k, "value": v} for k, v in settings.items()],
            },
            function_app_config={
                "deployment": {"storage": {
                    "type": "blobContainer", "value": self.deployment_url,
                    "authentication": {"type": "UserAssignedIdentity",
                                       "user_assigned_identity_resource_id": self.identity.id},
                }},
                "runtime": {"name": "python", "version": "3.11"},
                "scale_and_concurrency": {"maximum_instance_count": 40, "instance_memory_mb": 2048},
            },
            tags=self.tags, opts=self.child,
        )
        # Basic-auth publishing (FTP and the SCM site) off: deployments use Entra ID only.
        for kind, resource in (("ftp", web.WebAppFtpAllowed), ("scm", web.WebAppScmAllowed)):
            resource(f"{self.name}-{kind}-basic-auth", name=self.function_app.name, resource_group_name=rg,
                     allow=False, opts=self.child)
        send_to_workspace(f"{self.name}-function-diag", self.function_app.id, args.workspace_id, parent=self)

    def _alert(self) -> None:
        args = self.args
        self.alert = monitor.ScheduledQueryRule(
            f"{self.name}-report-alert", rule_name=f"alert-{self.name}-report",
            resource_group_name=args.resource_group_name, location=args.location, kind="LogAlert", enabled=True,
            severity=1,
            description="hardstack: a containment report (or failure) of the Defender responder",
            scopes=[args.workspace_id], evaluation_frequency="PT5M", window_size="PT5M", auto_mitigate=False,
            criteria={"all_of": [{
                "query": f'AppTraces | where Message startswith "{REPORT_MARKER}" '
                         "| project TimeGenerated, Message, SeverityLevel",
                "time_aggregation": "Count", "operator": "GreaterThan", "threshold": 0,
                "failing_periods": {"number_of_evaluation_periods": 1, "min_failing_periods_to_alert": 1},
            }]},
            actions={"action_groups": [args.action_group_id]}, tags=self.tags, opts=self.child,
        )
