"""Key expiry that reaches people: Key Vault's expiry events become Azure Monitor alerts.

A key version's "notify" lifetime action makes Key Vault publish Microsoft.KeyVault.KeyNearExpiry
(and Microsoft.KeyVault.KeyExpired once it expires), but only to an Event Grid subscription: with
none, nobody hears of it. This component creates the vault's Event Grid system topic and two
subscriptions that deliver those events as Azure Monitor alerts to the environment's action
group (mail to the security team): near expiry at `near_expiry_severity`, expired at
`expired_severity`; failed deliveries are logged to the audit workspace. An expired disk key
shuts down every VM whose disks use it, so a confidential disk key's KeyNearExpiry is the start
of its offline rotation (see disk_encryption.py).

Sources (pinned by tests/azure/test_azure_key_rotation.py):
- https://learn.microsoft.com/azure/event-grid/event-schema-key-vault: event types
  Microsoft.KeyVault.KeyNearExpiry and Microsoft.KeyVault.KeyExpired.
- https://learn.microsoft.com/azure/event-grid/handler-azure-monitor-alerts: "Azure Monitor alerts
  as a destination in Event Grid event subscriptions is currently available only for Azure Key
  Vault system events."
- https://learn.microsoft.com/azure/event-grid/handle-key-vault-events-using-azure-monitor-alerts:
  the Cloud Events Schema v1.0 is "the only schema type that's supported for Azure Monitor alerts
  destination"; the destination takes a severity, action groups and a description.
- https://learn.microsoft.com/azure/event-grid/create-view-manage-system-topics-arm: a system
  topic names its source resource and its topic type; a vault's is Microsoft.KeyVault.vaults
  (https://learn.microsoft.com/azure/key-vault/general/event-grid-logicapps).
- azure-native 3.29 eventgrid.SystemTopicEventSubscription (API 2025-02-15):
  MonitorAlertEventSubscriptionDestination(endpoint_type="MonitorAlert", action_groups, severity
  Sev0-Sev4, description).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import eventgrid

from hardstack.components.azure.diagnostics import send_to_workspace

TOPIC_TYPE = "Microsoft.KeyVault.vaults"
NEAR_EXPIRY = "Microsoft.KeyVault.KeyNearExpiry"
EXPIRED = "Microsoft.KeyVault.KeyExpired"
SCHEMA = "CloudEventSchemaV1_0"  # the only schema the MonitorAlert destination accepts
SEVERITIES = ("Sev0", "Sev1", "Sev2", "Sev3", "Sev4")


@dataclass
class KeyExpiryAlertsArgs:
    resource_group_name: pulumi.Input[str]
    location: str  # the vault's region: a system topic lives with its source
    vault_id: pulumi.Input[str]
    action_group_id: pulumi.Input[str]
    workspace_id: pulumi.Input[str]  # the topic's delivery failures are logged there
    topic_name: str  # unique in the resource group, 3-128 characters
    near_expiry_severity: str = "Sev2"
    expired_severity: str = "Sev0"  # the key's VMs are shutting down
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for severity in (self.near_expiry_severity, self.expired_severity):
            if severity not in SEVERITIES:
                raise ValueError(f"Azure Monitor alert severities are {', '.join(SEVERITIES)}; got {severity!r}")


class KeyExpiryAlerts(pulumi.ComponentResource):
    topic: eventgrid.SystemTopic
    subscriptions: dict[str, eventgrid.SystemTopicEventSubscription]

    def __init__(self, name: str, args: KeyExpiryAlertsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:azure:KeyExpiryAlerts", name, None, opts)
        # The topic's Pulumi name is its Azure name, so references to `topic.name` resolve to it.
        self.topic = eventgrid.SystemTopic(
            args.topic_name,
            system_topic_name=args.topic_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            source=args.vault_id,
            topic_type=TOPIC_TYPE,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.subscriptions = {}
        for event, severity, what in (
            (NEAR_EXPIRY, args.near_expiry_severity, "expires soon: rotate it (disk keys: offline, see the runbook)"),
            (EXPIRED, args.expired_severity, "has expired: VMs whose disks use it shut down until it is replaced"),
        ):
            short = event.rsplit(".", 1)[-1]
            self.subscriptions[short] = eventgrid.SystemTopicEventSubscription(
                f"{name}-{short}",
                event_subscription_name=f"{short}ToMonitorAlert",  # letters and digits only
                system_topic_name=self.topic.name,
                resource_group_name=args.resource_group_name,
                event_delivery_schema=SCHEMA,
                filter={"included_event_types": [event]},
                destination={
                    "endpoint_type": "MonitorAlert",
                    "action_groups": [args.action_group_id],
                    "severity": severity,
                    "description": f"hardstack: a Key Vault key {what}",
                },
                opts=pulumi.ResourceOptions(parent=self),
            )
        # An alert that cannot be delivered must leave a trace (log category DeliveryFailures).
        send_to_workspace(f"{name}-topic-diag", self.topic.id, args.workspace_id, parent=self, metrics=())
        self.register_outputs({"topic_id": self.topic.id})
