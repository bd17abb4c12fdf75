"""Key rotation that works, and key expiry that someone hears of.

Confidential disk encryption sets pin one key version and Azure rotates confidential VM keys only
offline; an expired disk key shuts its VMs down. So the confidential disk key is rotated by
people, before a deadline the key carries, and Key Vault's expiry events become Azure Monitor
alerts to the security team. Each test fails on the design before this change (auto-rotated disk
key expiring 120 days in with nobody subscribed to its KeyNearExpiry event).
"""

from __future__ import annotations

import pytest
from azure_helpers import ACTION_GROUP, DES, EVENT_SUBSCRIPTION, SYSTEM_TOPIC, VAULT, arm_id, diagnostics_of, key

from hardstack.components.azure import disk_encryption, key_alerts
from hardstack.components.azure.key_alerts import KeyExpiryAlertsArgs
from hardstack.components.azure.naming import vault_name
from hardstack.components.azure.vault_key import ConfidentialRelease, VaultKeyArgs
from hardstack.render import Graph, Target, render_program
from hardstack.spec import Environment


def actions(graph: Graph, purpose: str) -> dict[str, dict]:
    policy = key(graph, purpose).inputs["properties"]["rotationPolicy"]
    return {a["action"]["type"]: a["trigger"] for a in policy["lifetimeActions"]}


def test_confidential_disk_key_is_rotated_offline_before_it_expires(azure_graph: Graph, gpu_graph: Graph,
                                                                    azure_spec: Environment) -> None:
    # "Automatic key rotation isn't currently supported for confidential VMs"
    # (learn.microsoft.com/azure/confidential-computing/key-rotation-offline): no rotate action,
    # a version lives keys.rotation_days, and Key Vault announces its expiry 30 days ahead.
    for graph in (azure_graph, gpu_graph):
        assert actions(graph, "disks") == {"notify": {"timeBeforeExpiry": "P30D"}}
        props = key(graph, "disks").inputs["properties"]
        assert props["rotationPolicy"]["attributes"]["expiryTime"] == f"P{azure_spec.keys.rotation_days}D"
        assert key(graph, "disks").inputs["tags"]["rotation"] == "offline"
        (des,) = graph.of_type(DES)
        assert des.inputs["rotationToLatestKeyVersionEnabled"] is False


def test_automatic_keys_notify_only_when_a_rotation_was_missed(azure_graph: Graph, azure_spec: Environment) -> None:
    # KeyNearExpiry fires for "the current version of a key" (event-schema-key-vault): notifying
    # 23 days before a 120-day expiry (7 days after the rotation was due) fires only when the
    # rotation did not happen; at 30 days it fired on every rotation day.
    for purpose in ("data", "logs"):
        found = actions(azure_graph, purpose)
        assert found["rotate"] == {"timeAfterCreate": f"P{azure_spec.keys.rotation_days}D"}
        assert found["notify"] == {"timeBeforeExpiry": "P23D"}
        assert key(azure_graph, purpose).inputs["tags"]["rotation"] == "automatic"


def test_key_args_make_the_rotation_mode_and_deadline_explicit() -> None:
    release = ConfidentialRelease("westeurope", ["tdx"])
    offline = VaultKeyArgs(purpose="disks", vault_name="kv", resource_group_name="rg", rotation_days=60,
                           confidential_release=release)
    assert (offline.rotation, offline.lifetime_days, offline.notify_before_expiry_days) == ("offline", 60, 30)
    short = VaultKeyArgs(purpose="disks", vault_name="kv", resource_group_name="rg", rotation_days=28,
                         confidential_release=release)
    assert short.notify_before_expiry_days == 21  # still 7 days after the version was created
    automatic = VaultKeyArgs(purpose="data", vault_name="kv", resource_group_name="rg")
    assert (automatic.rotation, automatic.lifetime_days, automatic.notify_before_expiry_days) == ("automatic", 120, 23)
    # Key Vault expiry times are at least 28 days (KeyRotationPolicy.ExpiresIn).
    with pytest.raises(ValueError, match="at least 28 days"):
        VaultKeyArgs(purpose="disks", vault_name="kv", resource_group_name="rg", rotation_days=14,
                     confidential_release=release)
    with pytest.raises(ValueError, match="at least 14 days after it rotates"):
        VaultKeyArgs(purpose="data", vault_name="kv", resource_group_name="rg", expiry_grace_days=10)


def test_key_expiry_events_become_alerts_to_the_action_group(azure_graph: Graph, gpu_graph: Graph) -> None:
    for graph in (azure_graph, gpu_graph):
        (vault,) = graph.of_type(VAULT)
        (group,) = graph.of_type(ACTION_GROUP)
        (topic,) = graph.of_type(SYSTEM_TOPIC)
        assert topic.inputs["source"] == arm_id(graph, vault)
        assert topic.inputs["topicType"] == "Microsoft.KeyVault.vaults"
        assert topic.inputs["location"] == vault.inputs["location"]
        subscriptions = {s.inputs["filter"]["includedEventTypes"][0]: s for s in graph.of_type(EVENT_SUBSCRIPTION)}
        assert set(subscriptions) == {"Microsoft.KeyVault.KeyNearExpiry", "Microsoft.KeyVault.KeyExpired"}
        for event, subscription in subscriptions.items():
            assert subscription.inputs["systemTopicName"] == topic.inputs["systemTopicName"]
            assert subscription.inputs["eventDeliverySchema"] == "CloudEventSchemaV1_0"  # the only one accepted
            destination = subscription.inputs["destination"]
            assert destination["endpointType"] == "MonitorAlert"
            assert destination["actionGroups"] == [arm_id(graph, group)]
            assert destination["severity"] == ("Sev2" if event.endswith("NearExpiry") else "Sev0"), event
            assert group.urn in subscription.propertyDependencies["destination"]  # created after the group
            assert topic.urn in subscription.propertyDependencies["systemTopicName"]
        (setting,) = diagnostics_of(graph, arm_id(graph, topic))  # failed deliveries leave a trace
        assert setting.inputs["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]


def test_key_expiry_alerts_stay_without_threat_detection(render_variant) -> None:
    graph = render_variant(monitoring={"threat_detection": False})
    assert len(graph.of_type(SYSTEM_TOPIC)) == 1 and len(graph.of_type(EVENT_SUBSCRIPTION)) == 2


def test_alert_severities_are_azure_monitor_severities() -> None:
    assert key_alerts.SEVERITIES == ("Sev0", "Sev1", "Sev2", "Sev3", "Sev4")
    with pytest.raises(ValueError, match="Sev0"):
        KeyExpiryAlertsArgs(resource_group_name="rg", location="westeurope", vault_id="v", action_group_id="a",
                            workspace_id="w", topic_name="t", expired_severity="Critical")


def test_offline_rotation_deadline_and_runbook_are_stack_outputs(azure_spec: Environment) -> None:
    from hardstack.blueprints.azure import AzureEnvironment, provider

    captured: dict = {}
    steps: list[str] = []

    def program() -> None:
        environment = AzureEnvironment(azure_spec, provider(azure_spec))
        captured.update(environment.outputs())
        captured["disk_key_rotation"]["runbook"].apply(steps.extend)

    render_program(program, "azure-outputs", Target(cloud="azure", region=azure_spec.region,
                                                    account=azure_spec.account))
    rotation = captured["disk_key_rotation"]
    assert (rotation["mode"], rotation["version_lifetime_days"], rotation["notice_days"]) == (
        "offline", azure_spec.keys.rotation_days, 30)
    vault = vault_name(azure_spec.name, azure_spec.account)
    assert steps == disk_encryption.rotation_runbook(vault, "disks", f"des-{azure_spec.name}-disks")
    assert steps[0] == f"az keyvault key rotate --vault-name {vault} --name disks"
    assert "deallocate" in steps[1] and "pulumi refresh" in steps[2]
