"""Container insights for an AKS cluster: the data collection rule that tells the cluster's Azure
Monitor agent what to collect and where to send it, and its association with the cluster.

The omsagent add-on with managed identity (`useAADAuth`) runs the agent but collects nothing on its
own: the agent "requires at least one data collection rule (DCR) to begin collecting data"
(https://learn.microsoft.com/azure/azure-monitor/agents/azure-monitor-agent-manage), and the CLI
creates the rule and its association client-side, so a template must declare both
(https://learn.microsoft.com/azure/azure-monitor/containers/container-insights-data-collection-configure:
extension `ContainerInsights`, association `ContainerInsightsExtension`; "Deleting this association will
break the data collection for this AKS Cluster").
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
from pulumi_azure_native import monitor

# Every Container insights table (the group stream of the default cost preset): container logs
# (ContainerLogV2), Kubernetes events, pod/node/service inventory and performance.
STREAMS = ("Microsoft-ContainerInsights-Group-Default",)
EXTENSION = "ContainerInsights"
ASSOCIATION = "ContainerInsightsExtension"
DESTINATION = "ciworkspace"


def container_insights(name: str, cluster_id: pulumi.Input[str], resource_group_name: pulumi.Input[str],
                       location: str, workspace_id: pulumi.Input[str], tags: Mapping[str, str],
                       parent: pulumi.Resource) -> monitor.DataCollectionRuleAssociation:
    child = pulumi.ResourceOptions(parent=parent)
    rule = monitor.DataCollectionRule(
        f"{name}-ci-dcr", data_collection_rule_name=f"dcr-{name}-ci", resource_group_name=resource_group_name,
        location=location, kind="Linux", description="Container insights of the AKS cluster, to the audit workspace",
        data_sources={"extensions": [{
            "name": ASSOCIATION, "extension_name": EXTENSION, "streams": list(STREAMS),
            "extension_settings": {"dataCollectionSettings": {
                "interval": "1m", "namespaceFilteringMode": "Off", "enableContainerLogV2": True}},
        }]},
        destinations={"log_analytics": [{"name": DESTINATION, "workspace_resource_id": workspace_id}]},
        data_flows=[{"streams": list(STREAMS), "destinations": [DESTINATION]}],
        tags=dict(tags), opts=child,
    )
    return monitor.DataCollectionRuleAssociation(
        f"{name}-ci-dcra", association_name=ASSOCIATION, resource_uri=cluster_id,
        data_collection_rule_id=rule.id, description="Container insights data collection of this cluster",
        opts=child,
    )
