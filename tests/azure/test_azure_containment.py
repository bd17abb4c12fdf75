"""Containment in the rendered Azure graphs: Defender's automation -> Event Hub (trusted service,
no keys) -> a private Flex Consumption Function with its own identity and least-privilege role,
the quarantine NSG, and the log alert that carries the report to the action group."""

from __future__ import annotations

import ipaddress

import pytest
from azure_helpers import IDENTITY, NSG, ROLE, SUBNET, arm_id, diagnostics_of, principal_of

from hardstack.components.azure import containment, containment_permissions, identity
from hardstack.components.responders import azure_package
from hardstack.render import Graph, Resource
from hardstack.spec import Environment

AUTOMATION = "azure-native:security:Automation"
NAMESPACE = "azure-native:eventhub:Namespace"
RULESET = "azure-native:eventhub:NamespaceNetworkRuleSet"
HUB = "azure-native:eventhub:EventHub"
WEBAPP = "azure-native:web:WebApp"
PLAN = "azure-native:web:AppServicePlan"
ROLE_DEF = "azure-native:authorization:RoleDefinition"
INSIGHTS = "azure-native:applicationinsights:Component"
QUERY_ALERT = "azure-native:monitor:ScheduledQueryRule"
RG = "/subscriptions/s/resourceGroups/rg"


def only(graph: Graph, token: str) -> Resource:
    found = graph.of_type(token)
    assert len(found) == 1, (token, [r.name for r in found])
    return found[0]


def settings(app: Resource) -> dict[str, str]:
    return {s["name"]: s.get("value") for s in app.inputs["siteConfig"]["appSettings"]}


@pytest.mark.parametrize("graph_name", ["azure_graph", "gpu_graph"])
def test_every_example_stack_has_trigger_function_role_and_quarantine(graph_name: str,
                                                                      request: pytest.FixtureRequest) -> None:
    graph: Graph = request.getfixturevalue(graph_name)
    for token in (AUTOMATION, NAMESPACE, HUB, WEBAPP, PLAN, ROLE_DEF, INSIGHTS, QUERY_ALERT):
        only(graph, token)
    assert [r.name for r in graph.of_type(NSG) if r.name.endswith("-containment-quarantine-nsg")]


def test_the_automation_sends_the_groups_alerts_to_the_hub_as_a_trusted_service(azure_graph: Graph) -> None:
    automation, hub = only(azure_graph, AUTOMATION), only(azure_graph, HUB)
    rg = azure_graph.of_type("azure-native:resources:ResourceGroup")[0]
    assert automation.inputs["isEnabled"] is True
    assert automation.inputs["sources"] == [{"eventSource": "Alerts"}]
    (action,) = automation.inputs["actions"]
    assert action["actionType"] == "EventHub" and action["isTrustedServiceEnabled"] is True
    assert "connectionString" not in action  # no SAS key anywhere
    assert action["eventHubResourceId"] == arm_id(azure_graph, hub)
    assert automation.inputs["scopes"][0]["scopePath"].endswith(rg.inputs["resourceGroupName"])
    assert hub.inputs["eventHubName"] == containment.EVENT_HUB


def test_the_namespace_has_no_keys_and_a_deny_firewall_with_the_trusted_service_exception(azure_graph: Graph) -> None:
    namespace, rules = only(azure_graph, NAMESPACE), only(azure_graph, RULESET)
    assert namespace.inputs["disableLocalAuth"] is True and namespace.inputs["minimumTlsVersion"] == "1.2"
    assert rules.inputs["defaultAction"] == "Deny" and rules.inputs["trustedServiceAccessEnabled"] is True
    assert rules.inputs["ipRules"] == [] and rules.inputs["virtualNetworkRules"] == []
    endpoint = next(r for r in azure_graph.of_type("azure-native:network:PrivateEndpoint") if "ehns" in r.name)
    assert endpoint.inputs["privateLinkServiceConnections"][0]["groupIds"] == ["namespace"]


def test_the_function_is_private_https_only_and_keyless(azure_graph: Graph, azure_spec: Environment) -> None:
    app = only(azure_graph, WEBAPP)
    assert app.inputs["kind"] == "functionapp,linux"
    assert app.inputs["httpsOnly"] is True and app.inputs["publicNetworkAccess"] == "Disabled"
    site = app.inputs["siteConfig"]
    assert (site["minTlsVersion"], site["ftpsState"], site["scmMinTlsVersion"]) == ("1.2", "Disabled", "1.2")
    assert app.inputs["identity"]["type"] == "UserAssigned"
    assert only(azure_graph, PLAN).inputs["sku"] == {"name": "FC1", "tier": "FlexConsumption"}
    values = settings(app)
    assert not any("ConnectionString" in k or "AccountKey" in str(v) for k, v in values.items()
                   if k != "APPLICATIONINSIGHTS_CONNECTION_STRING")
    for prefix in ("AzureWebJobsStorage", containment.CONNECTION):
        assert values[f"{prefix}__credential"] == "managedidentity"
        assert values[f"{prefix}__clientId"] == values["AZURE_CLIENT_ID"]
    assert values[f"{containment.CONNECTION}__fullyQualifiedNamespace"].endswith(".servicebus.windows.net")
    assert values["HARDSTACK_ENVIRONMENT"] == azure_spec.name
    assert values["HARDSTACK_RESPONSE_MODE"] == azure_spec.response_mode() == "notify"  # confidential data
    assert values["HARDSTACK_PACKAGE_SHA256"] == azure_package.sha256()
    assert values["HARDSTACK_QUARANTINE_NSG_ID"].endswith("nsg-azure-prod-eu-containment-quarantine")
    storage = app.inputs["functionAppConfig"]["deployment"]["storage"]
    assert storage["authentication"]["type"] == "UserAssignedIdentity"
    for kind in ("WebAppFtpAllowed", "WebAppScmAllowed"):
        assert only(azure_graph, f"azure-native:web:{kind}").inputs["allow"] is False


def test_the_quarantine_nsg_denies_everything_first(azure_graph: Graph) -> None:
    nsg = azure_graph.named("azure-prod-eu-containment-quarantine-nsg")
    rules = [(r["direction"], r["access"], r["priority"], r["sourceAddressPrefix"], r["destinationAddressPrefix"],
              r["destinationPortRange"], r["protocol"]) for r in nsg.inputs["securityRules"]]
    assert not [r for r in rules if r[1] == "Allow"]
    for direction in ("Inbound", "Outbound"):
        first = min((r for r in rules if r[0] == direction), key=lambda r: r[2])
        assert first == (direction, "Deny", 100, "*", "*", "*", "*")  # the lowest priority number there is


def test_the_function_subnets_use_the_vnets_free_quarter(azure_graph: Graph, azure_spec: Environment) -> None:
    free = list(ipaddress.IPv4Network(azure_spec.network.cidr).subnets(prefixlen_diff=2))[3]
    mine = {s.inputs["subnetName"]: s for s in azure_graph.of_type(SUBNET) if "containment" in s.name}
    assert set(mine) == {"snet-containment", "snet-containment-endpoints"}
    for subnet in mine.values():
        assert ipaddress.IPv4Network(subnet.inputs["addressPrefix"]).subnet_of(free)
        assert subnet.inputs["defaultOutboundAccess"] is False and "networkSecurityGroup" in subnet.inputs
    delegation = mine["snet-containment"].inputs["delegations"][0]
    assert delegation["serviceName"] == "Microsoft.App/environments"


def test_the_responder_role_is_the_responders_calls_at_the_group_and_deletes_only_workload_grants(
        azure_graph: Graph) -> None:
    role = only(azure_graph, ROLE_DEF)
    (permissions,) = role.inputs["permissions"]
    assert sorted(permissions["actions"]) == sorted(containment_permissions.RESPONDER_ACTIONS)
    assert not any("*" in a for a in permissions["actions"])
    rg_scope = role.inputs["scope"]
    assert role.inputs["assignableScopes"] == [rg_scope] and "/resourceGroups/" in rg_scope
    assignment = next(r for r in azure_graph.of_type(ROLE) if r.name == "azure-prod-eu-containment-responder")
    assert assignment.inputs["scope"] == rg_scope and assignment.inputs["conditionVersion"] == "2.0"
    function_identity = azure_graph.named("azure-prod-eu-containment-id")
    assert assignment.inputs["principalId"] == principal_of(azure_graph, function_identity)
    condition = assignment.inputs["condition"]
    assert condition.startswith("((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR (")
    roles_part, principals_part = condition.split(" AND ")
    assert all(role_id in roles_part for role_id in containment_permissions.WORKLOAD_ROLES)
    workloads = [i for i in azure_graph.of_type(IDENTITY) if i.name == "azure-prod-eu-inference-id"]
    assert workloads and all(principal_of(azure_graph, i) in principals_part for i in workloads)
    # Only the workloads': not the Function's own identity, not the storage/disk services' identities.
    others = [i for i in azure_graph.of_type(IDENTITY) if i not in workloads]
    assert not any(principal_of(azure_graph, i) in principals_part for i in others)
    # It is the one grant at resource-group scope, and the only custom role.
    assert [r.name for r in azure_graph.of_type(ROLE) if "/providers/" not in r.inputs["scope"]] == [assignment.name]


def test_workload_roles_cover_every_grant_a_workload_can_get() -> None:
    args = identity.WorkloadIdentityArgs(subscription_id="s", resource_group_name="rg", location="westeurope",
                                         role="training", data_key_id=f"{RG}/providers/K/k",
                                         dataset_container_ids=[f"{RG}/providers/C/d"],
                                         model_container_ids=[f"{RG}/providers/C/m"])
    assert {g.role for g in identity.grants(args).values()} <= set(containment_permissions.WORKLOAD_ROLES)


def test_the_report_alert_queries_the_workspace_and_fires_the_action_group(azure_graph: Graph) -> None:
    alert = only(azure_graph, QUERY_ALERT)
    (criterion,) = alert.inputs["criteria"]["allOf"]
    assert f'startswith "{containment.REPORT_MARKER}"' in criterion["query"]
    group = only(azure_graph, "azure-native:monitor:ActionGroup")
    assert alert.inputs["actions"]["actionGroups"] == [arm_id(azure_graph, group)]
    assert alert.inputs["scopes"][0].endswith("log-azure-prod-eu")
    insights = only(azure_graph, INSIGHTS)
    assert insights.inputs["disableLocalAuth"] is True and insights.inputs["ingestionMode"] == "LogAnalytics"


def test_the_function_logs_and_the_namespace_send_diagnostics(azure_graph: Graph) -> None:
    for token in (WEBAPP, NAMESPACE):
        (setting,) = diagnostics_of(azure_graph, arm_id(azure_graph, only(azure_graph, token)))
        assert setting.inputs["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]
        assert setting.inputs["workspaceId"].endswith("log-azure-prod-eu")


def test_no_responder_without_threat_detection(render_variant) -> None:
    graph = render_variant(monitoring={"threat_detection": False})
    assert graph.of_type(WEBAPP) == [] and graph.of_type(AUTOMATION) == []
