"""Every resource tagged, created through the explicit provider, below the environment
component, and every reference between resources resolves to a resource of the graph."""

from __future__ import annotations

import re

from azure_helpers import PROVIDER, arm_id

from hardstack.render import Graph
from hardstack.spec import Environment

REQUIRED_TAGS = {"hardstack-environment", "owner", "data-classification", "compliance", "managed-by"}
# Types whose ARM API takes no tags: they configure (or are scoped to) a tagged resource.
UNTAGGABLE = {
    "azure-native:network:Subnet", "azure-native:network:PrivateDnsZoneGroup",
    "azure-native:authorization:RoleAssignment", "azure-native:monitor:DiagnosticSetting",
    "azure-native:monitor:SubscriptionDiagnosticSetting", "azure-native:storage:BlobServiceProperties",
    "azure-native:storage:BlobContainer", "azure-native:storage:BlobContainerImmutabilityPolicy",
    "azure-native:storage:ManagementPolicy", "azure-native:operationalinsights:Table",
    "azure-native:security:Pricing", "azure-native:security:SecurityContact",
    "azure-native:eventgrid:SystemTopicEventSubscription",
    # azure-native gives these no tags argument (containment)
    "azure-native:authorization:RoleDefinition", "azure-native:eventhub:EventHub",
    "azure-native:eventhub:ConsumerGroup", "azure-native:eventhub:NamespaceNetworkRuleSet",
    "azure-native:web:WebAppFtpAllowed", "azure-native:web:WebAppScmAllowed",
}
# Ids the graph references but does not create: Azure-managed or built-in.
EXTERNAL = (
    re.compile(r"/subscriptions/[^/]+$"),  # the subscription itself (Defender, alert scopes)
    re.compile(r"/providers/Microsoft\.Authorization/roleDefinitions/[0-9a-f-]+$"),  # built-in roles
)
ARM_ID = re.compile(r"^/subscriptions/[0-9a-f-]+(/.*)?$")


def test_every_taggable_resource_carries_the_required_tags(azure_graph: Graph, azure_spec: Environment) -> None:
    checked = 0
    for res in azure_graph:
        if not res.custom or res.type.startswith("pulumi:") or res.type in UNTAGGABLE:
            continue
        tags = res.inputs.get("tags")
        assert tags and set(tags) >= REQUIRED_TAGS, (res.name, REQUIRED_TAGS - set(tags or {}))
        assert tags["hardstack-environment"] == azure_spec.name and tags["owner"] == azure_spec.owner
        assert tags["compliance"] == ",".join(azure_spec.compliance)
        checked += 1
    assert checked >= 25


def test_explicit_provider_for_every_resource(azure_graph: Graph, gpu_graph: Graph) -> None:
    for graph, sub in ((azure_graph, "00000000-0000-4000-8000-000000000000"),
                       (gpu_graph, "00000000-0000-4000-8000-000000000001")):
        (provider,) = graph.of_type(PROVIDER)
        assert provider.inputs["subscriptionId"] == sub and provider.inputs["location"] == "westeurope"
        for res in graph:
            if res.custom and not res.type.startswith("pulumi:providers:"):
                assert res.provider_urn == provider.urn, res.name


def test_everything_hangs_below_the_environment(azure_graph: Graph) -> None:
    (root,) = azure_graph.of_type("hardstack:azure:Environment")
    for res in azure_graph:
        if res.urn == root.urn or res.type.startswith("pulumi:providers:"):
            continue
        parent, seen = res.parent, 0
        while parent != root.urn:
            found = azure_graph.by_urn(parent)
            assert found is not None, f"{res.name} hangs outside the environment"
            parent, seen = found.parent, seen + 1
            assert seen < 20, res.name


def _ids_in(value: object) -> list[str]:
    if isinstance(value, dict):
        return [i for v in value.values() for i in _ids_in(v)]
    if isinstance(value, list):
        return [i for v in value for i in _ids_in(v)]
    return [value] if isinstance(value, str) and ARM_ID.match(value) else []


def test_every_referenced_azure_id_is_a_resource_of_the_graph(azure_graph: Graph, gpu_graph: Graph) -> None:
    for graph in (azure_graph, gpu_graph):
        created = {arm_id(graph, r) for r in graph if r.type.startswith("azure-native:")}
        for res in graph:
            for ref in _ids_in(res.inputs):
                if any(p.search(ref) for p in EXTERNAL):
                    continue
                assert ref in created, (res.name, ref)


def test_resource_counts_of_the_examples(azure_graph: Graph, gpu_graph: Graph) -> None:
    # Every practice present: floors that drop if a component stops being composed.
    assert sum(r.custom for r in azure_graph) >= 65
    assert sum(r.custom for r in gpu_graph) >= 75


def test_ids_have_arm_shape(azure_graph: Graph, azure_spec: Environment) -> None:
    from azure_helpers import CONTAINER, KEY, ROLE, WORKSPACE, by_input

    rg = f"/subscriptions/{azure_spec.account}/resourceGroups/rg-{azure_spec.name}/providers"
    vault = next(iter(azure_graph.of_type("azure-native:keyvault:Vault"))).inputs["vaultName"]
    assert arm_id(azure_graph, by_input(azure_graph, KEY, "keyName", "data")) == \
        f"{rg}/Microsoft.KeyVault/vaults/{vault}/keys/data"
    models = by_input(azure_graph, CONTAINER, "containerName", "models")
    assert arm_id(azure_graph, models) == (f"{rg}/Microsoft.Storage/storageAccounts/{models.inputs['accountName']}"
                                           "/blobServices/default/containers/models")
    (workspace,) = azure_graph.of_type(WORKSPACE)
    assert arm_id(azure_graph, workspace) == f"{rg}/Microsoft.OperationalInsights/workspaces/log-{azure_spec.name}"
    role = azure_graph.of_type(ROLE)[0]
    assert re.fullmatch(re.escape(role.inputs["scope"]) + r"/providers/Microsoft\.Authorization/roleAssignments/"
                        r"[0-9a-f-]{36}", arm_id(azure_graph, role))
