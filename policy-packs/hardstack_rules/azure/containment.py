"""Azure automated containment (components/azure/containment.py): Defender for Cloud alerts reach
a responder Function through a keyless Event Hub; the Function is private and keyless, its logs
go to the audit workspace, and its custom role holds only what the responder calls, deleting
role assignments only under a condition.

Sources: workflow automation actions are LogicApp, EventHub or Workspace only, and an Event Hub
action can deliver as a trusted service (isTrustedServiceEnabled) once the "Windows Azure
Security Resource Provider" holds Azure Event Hubs Data Sender on the hub
(https://learn.microsoft.com/azure/defender-for-cloud/continuous-export-event-hub-firewall);
conditions on roleAssignments/delete read RoleDefinitionId and PrincipalId
(https://learn.microsoft.com/azure/role-based-access-control/conditions-authorization-actions-attributes)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..azure.tokens import NSG, PRICING, ROLE, VM
from ..relations import of_type, references
from ..rule import resource_rule, stack_rule

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

AUTOMATION = "azure-native:security:Automation"
HUB = "azure-native:eventhub:EventHub"
NAMESPACE = "azure-native:eventhub:Namespace"
WEBAPP = "azure-native:web:WebApp"
ROLE_DEFINITION = "azure-native:authorization:RoleDefinition"
INSIGHTS = "azure-native:applicationinsights:Component"

RESPONSE = {"hipaa": ["164.308(a)(6)(ii)"], "gdpr": ["32(1)(b)", "33"], "nist-800-53": ["IR-4", "SI-4"]}
LEAST_PRIVILEGE = {"hipaa": ["164.308(a)(4)"], "gdpr": ["25", "32(1)(b)"], "nist-800-53": ["AC-6", "AC-3"]}
PRIVATE = {"hipaa": ["164.312(e)(1)"], "gdpr": ["32(1)(b)"], "nist-800-53": ["SC-7", "AC-17"]}
LOGS = {"hipaa": ["164.312(b)"], "gdpr": ["30", "32(1)(d)"], "nist-800-53": ["AU-9", "AU-6"]}
EVENT_HUBS_DATA_SENDER = "2b629674-e913-4c01-ae53-ef4638d8f975"
ROLE_ASSIGNMENT_DELETE = "Microsoft.Authorization/roleAssignments/delete"
# Connection settings that carry a key (AzureWebJobsStorage, Event Hubs, anything "ConnectionString").
SECRET_MARKERS = ("AccountKey=", "SharedAccessKey=", "SharedAccessSignature=")


def _is_function(props: Mapping[str, Any]) -> bool:
    return "functionapp" in str(props.get("kind", "")).lower()


def _deny_all_first(nsg: PolicyResource) -> bool:
    rules = nsg.props.get("securityRules") or []
    for direction in ("Inbound", "Outbound"):
        own = [r for r in rules if r.get("direction") == direction]
        if not own:
            return False
        top = min(own, key=lambda r: r.get("priority", 4096))
        if not (top.get("access") == "Deny" and top.get("sourceAddressPrefix") == "*"
                and top.get("destinationAddressPrefix") == "*" and top.get("protocol") == "*"
                and top.get("destinationPortRange") == "*"):
            return False
    return not any(r.get("access") == "Allow" for r in rules)


@stack_rule(
    id="azure-containment-responder", title="Defender alerts about VMs reach a responder that can quarantine them",
    severity="high", cloud="azure", practice="monitoring", controls=RESPONSE,
    remediation="Add components.azure.Containment (blueprints/azure.py does when threat detection is on): a "
    "security.Automation for Alerts with an EventHub action, the responder Function app and a quarantine NSG whose "
    "first rules deny everything in both directions.",
)
def containment_responder(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    servers = [p for p in of_type(resources, PRICING) if p.props.get("pricingName") == "VirtualMachines"
               and p.props.get("pricingTier") == "Standard"]
    vms = of_type(resources, VM)
    if not servers or not vms:
        return  # no VM threat detection, nothing to respond to
    automations = [a for a in of_type(resources, AUTOMATION) if a.props.get("isEnabled") is not False
                   and any(s.get("eventSource") == "Alerts" for s in a.props.get("sources") or [])
                   and any(x.get("actionType") == "EventHub" for x in a.props.get("actions") or [])]
    if not automations:
        yield "Defender alerts go to people only: no enabled workflow automation sends Alerts to an Event Hub", \
            servers[0].urn
    if not [f for f in of_type(resources, WEBAPP) if _is_function(f.props)]:
        yield "no responder Function app: nothing acts on Defender's alerts", servers[0].urn
    if not [n for n in of_type(resources, NSG) if _deny_all_first(n)]:
        yield "no quarantine NSG (deny-all first, no allow rule) to move a suspicious VM's NIC into", servers[0].urn


@stack_rule(
    id="azure-containment-delivery", title="Defender delivers alerts to the Event Hub as a trusted service, keyless",
    severity="high", cloud="azure", practice="monitoring", controls=RESPONSE,
    remediation="Set is_trusted_service_enabled=True and no connection_string on the automation's EventHub action, "
    "disable_local_auth on the namespace, and assign Azure Event Hubs Data Sender on the hub to the tenant's "
    "'Windows Azure Security Resource Provider' (environment azure.security_provider_object_id).",
)
def containment_delivery(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    hubs = of_type(resources, HUB)
    senders = [r for r in of_type(resources, ROLE)
               if str(r.props.get("roleDefinitionId", "")).lower().endswith(EVENT_HUBS_DATA_SENDER)]
    for automation in of_type(resources, AUTOMATION):
        for action in automation.props.get("actions") or []:
            if action.get("actionType") != "EventHub":
                continue
            if action.get("connectionString") or action.get("isTrustedServiceEnabled") is not True:
                yield (f"automation {automation.name} delivers with a SAS connection string instead of as a trusted "
                       "service"), automation.urn
            targets = [h for h in hubs if references(automation, "actions", h)]
            if not any(any(references(s, "scope", h) for h in targets) for s in senders):
                yield (f"automation {automation.name}: no Azure Event Hubs Data Sender grant on its hub, so Defender "
                       "cannot deliver as a trusted service"), automation.urn
    for namespace in of_type(resources, NAMESPACE):
        if namespace.props.get("disableLocalAuth") is not True:
            yield f"Event Hubs namespace {namespace.name} accepts SAS keys (disableLocalAuth is off)", namespace.urn


@resource_rule(
    id="azure-function-private", title="Function apps have no public endpoint and accept HTTPS with TLS 1.2 only",
    severity="high", cloud="azure", practice="access", types=[WEBAPP], controls=PRIVATE,
    remediation="Set public_network_access='Disabled', https_only=True, site_config.min_tls_version='1.2' and "
    "ftps_state='Disabled'; reach the app through VNet integration and private endpoints.",
)
def function_private(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if not _is_function(props):
        return
    site = props.get("siteConfig") or {}
    if props.get("publicNetworkAccess") != "Disabled":
        yield "the Function app has a public endpoint (publicNetworkAccess is not Disabled)"
    if props.get("httpsOnly") is not True:
        yield "the Function app accepts plain HTTP (httpsOnly is off)"
    if site.get("minTlsVersion") not in ("1.2", "1.3"):
        yield f"the Function app accepts TLS {site.get('minTlsVersion', 'below 1.2')}"
    if site.get("ftpsState") != "Disabled":
        yield "the Function app allows FTP deployment"


@resource_rule(
    id="azure-function-keyless", title="Function apps use a managed identity, never stored keys",
    severity="high", cloud="azure", practice="access", types=[WEBAPP], controls=LEAST_PRIVILEGE,
    remediation="Give the app a user-assigned identity and identity-based connections (<name>__accountName, "
    "<name>__fullyQualifiedNamespace with __credential=managedidentity); no key in any app setting.",
)
def function_keyless(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if not _is_function(props):
        return
    if not str((props.get("identity") or {}).get("type", "")).lower().startswith(("userassigned", "systemassigned")):
        yield "the Function app has no managed identity"
    for setting in (props.get("siteConfig") or {}).get("appSettings") or []:
        if any(marker in str(setting.get("value", "")) for marker in SECRET_MARKERS):
            yield f"app setting {setting.get('name')} holds a key"


@resource_rule(
    id="azure-function-logs-in-workspace", title="Function telemetry goes to the audit workspace, Entra ID only",
    severity="medium", cloud="azure", practice="monitoring", types=[INSIGHTS], controls=LOGS,
    remediation="Create Application Insights workspace-based (workspace_resource_id, ingestion_mode "
    "'LogAnalytics') with disable_local_auth=True: logs then live under the workspace's retention and encryption, "
    "and only the Function's identity (Monitoring Metrics Publisher) can write them.",
)
def function_logs(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if not props.get("workspaceResourceId") or props.get("ingestionMode") != "LogAnalytics":
        yield "Application Insights keeps its own store instead of the audit workspace"
    if props.get("disableLocalAuth") is not True:
        yield "Application Insights accepts telemetry with the instrumentation key alone (local auth is on)"


@resource_rule(
    id="azure-custom-role-narrow", title="Custom roles name exact actions and resource-group scopes",
    severity="high", cloud="azure", practice="access", types=[ROLE_DEFINITION], controls=LEAST_PRIVILEGE,
    remediation="List each action the principal calls (no '*'), no data actions, no role assignment writes, and "
    "assignable scopes of resource groups, never a subscription or management group.",
)
def custom_role_narrow(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    for permission in props.get("permissions") or []:
        for action in permission.get("actions") or []:
            if "*" in action:
                yield f"action {action} is a wildcard"
            if action.lower() == "microsoft.authorization/roleassignments/write":
                yield "the role can create role assignments (escalate itself)"
        if permission.get("dataActions"):
            yield "the role grants data actions"
    for scope in props.get("assignableScopes") or []:
        if "/resourcegroups/" not in str(scope).lower():
            yield f"assignable scope {scope} is wider than a resource group"


@stack_rule(
    id="azure-role-deletion-conditioned", title="Roles that delete role assignments are held only under a condition",
    severity="high", cloud="azure", practice="access", controls=LEAST_PRIVILEGE,
    remediation="Assign a role that includes Microsoft.Authorization/roleAssignments/delete with condition_version "
    "'2.0' and a condition on ActionMatches{'...roleAssignments/delete'} that names the RoleDefinitionIds and "
    "PrincipalIds it may remove (components.azure.containment_permissions.delete_condition).",
)
def role_deletion_conditioned(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    deleting = [d for d in of_type(resources, ROLE_DEFINITION)
                if any(a.lower() == ROLE_ASSIGNMENT_DELETE.lower() for p in d.props.get("permissions") or []
                       for a in p.get("actions") or [])]
    for assignment in of_type(resources, ROLE):
        if not any(references(assignment, "roleDefinitionId", d) for d in deleting):
            continue
        condition = str(assignment.props.get("condition") or "")
        if f"ActionMatches{{'{ROLE_ASSIGNMENT_DELETE}'}}" not in condition or "RoleDefinitionId" not in condition \
                or "PrincipalId" not in condition:
            yield (f"{assignment.name} may delete any role assignment in its scope: no condition on the roles and "
                   "principals it removes"), assignment.urn
