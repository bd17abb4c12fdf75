"""VNet flow logs: every flow in and out of the environment's network, kept and analysed.

One VNet flow log (NSG flow logs are retired for new deployments) written to the log storage
account by its own user-assigned identity (Storage Blob Data Contributor on that account only,
so the account keeps shared keys off), with traffic analytics into the audit workspace.
Flow logs belong to the region's Network Watcher, which Azure creates with the first VNet of a
region (NetworkWatcherRG/NetworkWatcher_<location>); pass another one if the subscription's
watcher lives elsewhere.

What the log account must be (https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-overview,
"Storage account"; policy rule azure-flow-log-storage): in the VNet's region, Standard ("Premium
storage accounts aren't supported"), and, behind a firewall, open to "Azure services on the
trusted services list" (https://learn.microsoft.com/azure/network-watcher/frequently-asked-questions).
The blueprint's log account is all three (SecureStorageAccount network_access="trusted-services").
Microsoft's one rotation caveat is about the account's access keys ("If you change or rotate the
access keys to your storage account, virtual network flow logs stop working"); the log account
has shared keys off and Network Watcher writes with this identity, so it does not apply. The
account's customer-managed key rotates automatically; no Microsoft page says that stops flow
logs, so it stays, and only a deployment can confirm writes continue after the first rotation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import managedidentity, network

from hardstack.components.azure import roles

MAX_RETENTION_DAYS = 365  # flow log retention; beyond it, 0 ("keep") and the account's lifecycle deletes


@dataclass
class VnetFlowLogArgs:
    subscription_id: str
    resource_group_name: pulumi.Input[str]  # where the flow log's identity lives
    location: str
    vnet_id: pulumi.Input[str]
    storage_account_id: pulumi.Input[str]
    workspace_id: pulumi.Input[str]
    workspace_customer_id: pulumi.Input[str]  # the workspace GUID traffic analytics also needs
    retention_days: int = 365
    network_watcher_resource_group: str = "NetworkWatcherRG"
    network_watcher_name: str | None = None  # NetworkWatcher_<location> if None
    analytics_interval_minutes: int = 10
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.analytics_interval_minutes not in (10, 60):
            raise ValueError("traffic analytics runs every 10 or 60 minutes")


class VnetFlowLog(pulumi.ComponentResource):
    flow_log: network.FlowLog

    def __init__(self, name: str, args: VnetFlowLogArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:azure:VnetFlowLog", name, None, opts)
        self.identity = managedidentity.UserAssignedIdentity(
            f"{name}-id", resource_name_=f"id-{name}", resource_group_name=args.resource_group_name,
            location=args.location, tags=dict(args.tags), opts=pulumi.ResourceOptions(parent=self),
        )
        # Network Watcher creates its own container in the account, so the grant is account-wide.
        writer = roles.assign(
            f"{name}-writer", args.subscription_id, self.identity.principal_id,
            roles.Grant(roles.STORAGE_BLOB_DATA_CONTRIBUTOR, args.storage_account_id), parent=self,
        )
        days = args.retention_days if args.retention_days <= MAX_RETENTION_DAYS else 0
        self.flow_log = network.FlowLog(
            f"{name}-flow-log",
            flow_log_name=f"fl-{name}",
            network_watcher_name=args.network_watcher_name or f"NetworkWatcher_{args.location}",
            resource_group_name=args.network_watcher_resource_group,
            location=args.location,
            target_resource_id=args.vnet_id,
            storage_id=args.storage_account_id,
            identity={"type": "UserAssigned", "user_assigned_identities": [self.identity.id]},
            enabled=True,
            format={"type": "JSON", "version": 2},
            retention_policy={"enabled": True, "days": days},
            flow_analytics_configuration={"network_watcher_flow_analytics_configuration": {
                "enabled": True, "workspace_id": args.workspace_customer_id, "workspace_region": args.location,
                "workspace_resource_id": args.workspace_id,
                "traffic_analytics_interval": args.analytics_interval_minutes,
            }},
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[writer]),
        )
        self.register_outputs({"id": self.flow_log.id})
