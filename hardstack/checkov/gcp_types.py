"""Pulumi GCP type tokens -> Terraform resource types, for every type the blueprints emit.

An explicit table, not a guess: a wrong type makes checkov silently skip the resource. A type
missing here is reported as unjudged, never as passed.
"""

from __future__ import annotations

GCP_TYPES: dict[str, str] = {
    "gcp:artifactregistry/repository:Repository": "google_artifact_registry_repository",
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": "google_artifact_registry_repository_iam_member",
    "gcp:cloudfunctionsv2/function:Function": "google_cloudfunctions2_function",
    "gcp:storage/bucketObject:BucketObject": "google_storage_bucket_object",
    "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": "google_cloud_run_v2_service_iam_member",
    "gcp:projects/iAMCustomRole:IAMCustomRole": "google_project_iam_custom_role",
    "gcp:compute/disk:Disk": "google_compute_disk",
    "gcp:compute/firewall:Firewall": "google_compute_firewall",
    "gcp:compute/globalAddress:GlobalAddress": "google_compute_global_address",
    "gcp:compute/globalForwardingRule:GlobalForwardingRule": "google_compute_global_forwarding_rule",
    "gcp:compute/instance:Instance": "google_compute_instance",
    "gcp:compute/network:Network": "google_compute_network",
    "gcp:compute/subnetwork:Subnetwork": "google_compute_subnetwork",
    "gcp:compute/router:Router": "google_compute_router",
    "gcp:compute/routerNat:RouterNat": "google_compute_router_nat",
    "gcp:compute/route:Route": "google_compute_route",
    "gcp:compute/address:Address": "google_compute_address",
    "gcp:dns/managedZone:ManagedZone": "google_dns_managed_zone",
    "gcp:dns/policy:Policy": "google_dns_policy",
    "gcp:dns/recordSet:RecordSet": "google_dns_record_set",
    "gcp:kms/keyRing:KeyRing": "google_kms_key_ring",
    "gcp:kms/cryptoKey:CryptoKey": "google_kms_crypto_key",
    "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding": "google_kms_crypto_key_iam_binding",
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": "google_kms_crypto_key_iam_member",
    "gcp:logging/metric:Metric": "google_logging_metric",
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": "google_logging_project_bucket_config",
    "gcp:logging/projectSink:ProjectSink": "google_logging_project_sink",
    "gcp:monitoring/alertPolicy:AlertPolicy": "google_monitoring_alert_policy",
    "gcp:monitoring/notificationChannel:NotificationChannel": "google_monitoring_notification_channel",
    "gcp:orgpolicy/policy:Policy": "google_org_policy_policy",
    "gcp:projects/defaultServiceAccounts:DefaultServiceAccounts": "google_project_default_service_accounts",
    "gcp:projects/iAMAuditConfig:IAMAuditConfig": "google_project_iam_audit_config",
    "gcp:projects/iAMMember:IAMMember": "google_project_iam_member",
    "gcp:projects/iAMBinding:IAMBinding": "google_project_iam_binding",
    "gcp:projects/service:Service": "google_project_service",
    "gcp:projects/serviceIdentity:ServiceIdentity": "google_project_service_identity",
    "gcp:pubsub/topic:Topic": "google_pubsub_topic",
    "gcp:pubsub/topicIAMBinding:TopicIAMBinding": "google_pubsub_topic_iam_binding",
    "gcp:pubsub/topicIAMMember:TopicIAMMember": "google_pubsub_topic_iam_member",
    "gcp:securitycenter/notificationServiceAccount:NotificationServiceAccount":
        "google_scc_notification_service_account",
    "gcp:securitycenter/v2ProjectNotificationConfig:V2ProjectNotificationConfig":
        "google_scc_v2_project_notification_config",
    "gcp:serviceaccount/account:Account": "google_service_account",
    "gcp:serviceaccount/iAMMember:IAMMember": "google_service_account_iam_member",
    "gcp:storage/bucket:Bucket": "google_storage_bucket",
    "gcp:storage/bucketIAMBinding:BucketIAMBinding": "google_storage_bucket_iam_binding",
    "gcp:storage/bucketIAMMember:BucketIAMMember": "google_storage_bucket_iam_member",
    # The managed AI platform (components/gcp/workbench.py, vertex.py, model_access.py, perimeter.py).
    "gcp:workbench/instance:Instance": "google_workbench_instance",
    "gcp:vertex/aiEndpoint:AiEndpoint": "google_vertex_ai_endpoint",
    "gcp:vertex/aiMetadataStore:AiMetadataStore": "google_vertex_ai_metadata_store",
    "gcp:vertex/aiDataset:AiDataset": "google_vertex_ai_dataset",
    "gcp:networkconnectivity/serviceConnectionPolicy:ServiceConnectionPolicy":
        "google_network_connectivity_service_connection_policy",
    "gcp:accesscontextmanager/servicePerimeter:ServicePerimeter": "google_access_context_manager_service_perimeter",
    # GKE (components/gcp/gke.py, gke_node_pools.py).
    "gcp:container/cluster:Cluster": "google_container_cluster",
    "gcp:container/nodePool:NodePool": "google_container_node_pool",
    "gcp:binaryauthorization/policy:Policy": "google_binary_authorization_policy",
}

# Pulumi keys whose Terraform block name is already plural: the exporter would otherwise make
# them singular (`rules` -> `rule`), and checks written for Terraform would not find them.
GCP_RENAMES: dict[str, str] = {
    "rules": "rules",  # google_org_policy_policy spec.rules
    "conditions": "conditions",  # google_monitoring_alert_policy
    "aggregations": "aggregations",  # google_monitoring_alert_policy condition_threshold.aggregations
    "networks": "networks",  # google_dns_policy, google_dns_managed_zone private_visibility_config
    "serviceAccounts": "service_accounts",  # google_workbench_instance gce_setup
    "pscAutomationConfigs": "psc_automation_configs",  # google_vertex_ai_endpoint private_service_connect_config
    # google_container_cluster / node_pool: Terraform spells these blocks singular, the bridge plural.
    "cidrBlocks": "cidr_blocks",  # master_authorized_networks_config (CKV_GCP_18 reads cidr_blocks)
    "admissionWhitelistPatterns": "admission_whitelist_patterns",  # google_binary_authorization_policy
}
