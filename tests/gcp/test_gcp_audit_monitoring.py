"""Audit logging (every audit log type, CMEK log bucket with the spec's retention, locked under
HIPAA, sinks) and monitoring (metrics, alerts to the spec's address, CMEK findings topic)."""

from __future__ import annotations

from hardstack.render import Graph
from hardstack.spec import Environment

LOG_BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig"
SINK = "gcp:logging/projectSink:ProjectSink"
METRIC = "gcp:logging/metric:Metric"
ALERT = "gcp:monitoring/alertPolicy:AlertPolicy"
TOPIC = "gcp:pubsub/topic:Topic"
SCC_CONFIG = "gcp:securitycenter/v2ProjectNotificationConfig:V2ProjectNotificationConfig"


def test_all_audit_log_types_for_all_services(gcp_graph: Graph, gcp_spec: Environment) -> None:
    (config,) = gcp_graph.of_type("gcp:projects/iAMAuditConfig:IAMAuditConfig")
    assert config.inputs["service"] == "allServices"
    assert config.inputs["project"] == gcp_spec.account
    logs = config.inputs["auditLogConfigs"]
    assert sorted(c["logType"] for c in logs) == ["ADMIN_READ", "DATA_READ", "DATA_WRITE"]
    assert not any(c.get("exemptedMembers") for c in logs)


def test_log_bucket_cmek_retention_and_hipaa_lock(gcp_graph: Graph, gcp_spec: Environment, q) -> None:
    (bucket,) = gcp_graph.of_type(LOG_BUCKET)
    assert bucket.inputs["cmekSettings"] == {"kmsKeyName": q.key_id(gcp_graph, "logs")}
    assert bucket.inputs["retentionDays"] == gcp_spec.logging.retention_days
    assert bucket.inputs["location"] == gcp_spec.region
    assert "hipaa" in gcp_spec.compliance and bucket.inputs["locked"] is True


def test_log_bucket_unlocked_without_hipaa(gcp_variant) -> None:
    graph = gcp_variant(compliance=["gdpr"], logging={"retention_days": 400})
    (bucket,) = graph.of_type(LOG_BUCKET)
    assert bucket.inputs["locked"] is False and bucket.inputs["retentionDays"] == 400


def test_log_bucket_waits_for_the_logging_agent_to_hold_the_key(gcp_graph: Graph, q) -> None:
    # Changed with defect 8: the logging agent was expected by its guessed service-N@gcp-sa-logging
    # email; CMEK log buckets are encrypted as the project settings' kmsServiceAccountId.
    (bucket,) = gcp_graph.of_type(LOG_BUCKET)
    binding = q.key_binding(gcp_graph, "logs")
    kms_account = q.lookup(gcp_graph, q.LOGGING_SETTINGS)["kmsServiceAccountId"]
    assert f"serviceAccount:{kms_account}" in binding.inputs["members"]
    assert binding.urn in bucket.dependencies


def test_sinks_to_the_own_log_bucket_get_no_grant(gcp_graph: Graph) -> None:
    # "Sinks that have a destination that is a log bucket in the same project as the sink do not
    # have a writer_identity and no additional permissions are required"
    # (https://cloud.google.com/logging/docs/reference/v2/rest/v2/projects.sinks#LogSink).
    (bucket,) = gcp_graph.of_type(LOG_BUCKET)
    sinks = gcp_graph.of_type(SINK)
    assert len(sinks) == 3  # audit, network, and the containment function's logs
    for sink in sinks:
        assert sink.inputs["project"] == bucket.inputs["project"]
        assert bucket.urn in sink.propertyDependencies["destination"]
    granted = [r for r in gcp_graph if "IAM" in r.type and any(s.urn in r.dependencies for s in sinks)]
    assert granted == []


def test_audit_logs_routed_to_the_log_bucket(gcp_graph: Graph, gcp_spec: Environment) -> None:
    (bucket,) = gcp_graph.of_type(LOG_BUCKET)
    destination = (f"logging.googleapis.com/projects/{gcp_spec.account}/locations/{gcp_spec.region}"
                   f"/buckets/{bucket.inputs['bucketId']}")
    sinks = {s.inputs["name"]: s.inputs for s in gcp_graph.of_type(SINK)}
    audit = next(s for n, s in sinks.items() if n.endswith("-audit"))
    assert audit["destination"] == destination
    for log in ("activity", "data_access", "system_event", "policy"):
        assert f'LOG_ID("cloudaudit.googleapis.com/{log}")' in audit["filter"]
    network = next(s for n, s in sinks.items() if n.endswith("-network"))
    assert network["destination"] == destination and "vpc_flows" in network["filter"]


def test_email_notification_channel_from_the_spec(gcp_graph: Graph, gcp_spec: Environment) -> None:
    (channel,) = gcp_graph.of_type("gcp:monitoring/notificationChannel:NotificationChannel")
    assert channel.inputs["type"] == "email"
    assert channel.inputs["labels"] == {"email_address": gcp_spec.monitoring.alert_email}


def test_log_based_metrics_for_the_four_signals(gcp_graph: Graph, q) -> None:
    filters = {m.inputs["name"].split("-", 3)[-1]: m.inputs["filter"]
               for m in q.outside_containment(gcp_graph.of_type(METRIC))}
    signals = {
        "iam-policy-changes": ["SetIamPolicy"],
        "firewall-changes": ["gce_firewall_rule", "compute.firewalls.insert", "compute.firewalls.patch",
                             "compute.firewalls.delete"],
        "key-destroy-or-disable": ["DestroyCryptoKeyVersion", 'cryptoKeyVersion.state="DISABLED"'],
        "sa-key-creation": ["google.iam.admin.v1.CreateServiceAccountKey"],
    }
    assert sorted(filters) == sorted(signals)
    for signal, fragments in signals.items():
        for fragment in fragments:
            assert fragment in filters[signal], (signal, fragment)


def test_one_alert_per_metric_to_the_channel(gcp_graph: Graph) -> None:
    (channel,) = gcp_graph.of_type("gcp:monitoring/notificationChannel:NotificationChannel")
    metrics = {m.inputs["name"]: m for m in gcp_graph.of_type(METRIC)}
    alerts = gcp_graph.of_type(ALERT)
    assert len(alerts) == len(metrics) == 5  # the four signals and the containment reports
    alerted = set()
    for alert in alerts:
        assert channel.urn in alert.propertyDependencies["notificationChannels"]
        assert alert.inputs["enabled"] is True
        (condition,) = alert.inputs["conditions"]
        threshold = condition["conditionThreshold"]
        name = threshold["filter"].split("logging.googleapis.com/user/", 1)[1].rstrip('"')
        assert metrics[name].urn in alert.propertyDependencies["conditions"]
        assert threshold["comparison"] == "COMPARISON_GT" and threshold["thresholdValue"] == 0
        alerted.add(name)
    assert alerted == set(metrics)


def test_findings_topic_encrypted_and_kept_in_region(gcp_graph: Graph, gcp_spec: Environment, q) -> None:
    (topic,) = gcp_graph.of_type(TOPIC)
    assert topic.inputs["kmsKeyName"] == q.key_id(gcp_graph, "logs")
    assert topic.inputs["messageStoragePolicy"]["allowedPersistenceRegions"] == [gcp_spec.region]
    assert q.agent(gcp_graph, "gcp-sa-pubsub") in q.key_binding(gcp_graph, "logs").inputs["members"]
    assert q.key_binding(gcp_graph, "logs").urn in topic.dependencies


def test_findings_topic_accepts_publishes_from_any_region(gcp_graph: Graph, gcp_spec: Environment) -> None:
    # Defect 10b: with enforce_in_transit, "Publish ... requests received in a region not allowed
    # in the message storage policy are rejected with a FAILED_PRECONDITION error"
    # (https://cloud.google.com/pubsub/docs/resource-location-restriction), and Security Command
    # Center runs in global or multi-region locations only
    # (https://cloud.google.com/security-command-center/docs/data-residency-support). Messages are
    # still stored only in the allowed region, whoever publishes them.
    (topic,) = gcp_graph.of_type(TOPIC)
    assert topic.inputs["messageStoragePolicy"] == {
        "allowedPersistenceRegions": [gcp_spec.region], "enforceInTransit": False}


def test_security_command_center_notifies_the_topic(gcp_graph: Graph, gcp_spec: Environment) -> None:
    (topic,) = gcp_graph.of_type(TOPIC)
    (config,) = gcp_graph.of_type(SCC_CONFIG)
    assert config.inputs["pubsubTopic"] == f"projects/{gcp_spec.account}/topics/{topic.inputs['name']}"
    assert 'state="ACTIVE"' in config.inputs["streamingConfig"]["filter"]
    (publisher,) = gcp_graph.of_type("gcp:pubsub/topicIAMBinding:TopicIAMBinding")
    (scc,) = gcp_graph.of_type("gcp:securitycenter/notificationServiceAccount:NotificationServiceAccount")
    assert publisher.inputs["role"] == "roles/pubsub.publisher"
    assert scc.urn in publisher.propertyDependencies["members"]
    assert publisher.urn in config.dependencies


def test_no_scc_notifications_when_threat_detection_is_off(gcp_variant) -> None:
    graph = gcp_variant(monitoring={"threat_detection": False})
    assert graph.of_type(SCC_CONFIG) == []
    assert len(graph.of_type(TOPIC)) == 1  # the topic stays for when it is switched back on
