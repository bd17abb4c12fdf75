"""Automated containment: Security Command Center findings -> the CMEK findings topic -> an
Eventarc Pub/Sub trigger -> a Python Cloud Run function (2nd gen) running
components/responders/gcp_scc.py, which quarantines the instance, disables its service account
and snapshots its disks (see that module and docs/runbooks/containment-gcp.md).

What is created, and why it is shaped so:
- Two deny-all firewalls (ingress and egress) at priority 0: lower values take precedence and 0
  is the lowest value (highest priority) a rule may have (Firewall.priority, 0-65535,
  https://cloud.google.com/compute/docs/reference/rest/v1/firewalls); no other rule of the
  environment sits at 0 (tests/gcp/test_gcp_containment.py). They match only the quarantine
  network tag, so they do nothing until the responder adds it.
- Three service accounts with one job each: the function's own (runtime), the trigger's (may
  only invoke this function), the build's (may only read the source and write the image).
  Since July 2024 new projects build with an account that may lack the permissions, so the
  build account is explicit (https://cloud.google.com/functions/docs/securing/build-custom-sa).
- The runtime account's rights are two custom roles holding exactly the permissions the responder
  calls: Compute Engine ones on this project, and disabling service accounts granted on each
  workload's account only, never on the project.
- The function takes internal traffic only and nobody may invoke it but the trigger's account
  (run.invoker on its Cloud Run service, https://cloud.google.com/run/docs/triggering/pubsub-triggers).
- Its logs are routed to the environment's CMEK log bucket; a log-based metric on the reports
  it writes raises an alert to the security channel.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from hardstack.components.gcp.names import bucket_name, resource_name, service_account_id
from hardstack.components.gcp.options import child_options
from hardstack.components.responders import gcp_package
from hardstack.components.responders.decision import Settings
from hardstack.components.responders.gcp_scc import PROJECT, QUARANTINE_TAG, REGION, SNAPSHOT_KEY

RUNTIME = "python312"
# Eventarc's event type for messages published to a topic
# (https://cloud.google.com/eventarc/docs/reference/supported-events#pubsub).
PUBLISHED = "google.cloud.pubsub.topic.v1.messagePublished"
DEFAULT_TAG = "hardstack-quarantine"
TOP_PRIORITY = 0
# APIs a 2nd gen function with an Eventarc trigger needs
# (https://cloud.google.com/run/docs/triggering/pubsub-triggers#before-you-begin).
APIS = ("cloudfunctions.googleapis.com", "run.googleapis.com", "cloudbuild.googleapis.com",
        "artifactregistry.googleapis.com", "eventarc.googleapis.com")
# Exactly what gcp_scc.py calls. instances.list finds an instance a finding names by id;
# zoneOperations.get waits for setTags; snapshot creation needs "compute.disks.createSnapshot,
# compute.snapshots.create, and compute.snapshots.get" (gcloud compute disks snapshot reference,
# https://cloud.google.com/sdk/gcloud/reference/compute/disks/snapshot), and labels on the snapshot
# compute.snapshots.setLabels.
COMPUTE_PERMISSIONS: tuple[str, ...] = (
    "compute.disks.createSnapshot", "compute.instances.get", "compute.instances.list",
    "compute.instances.setTags", "compute.snapshots.create", "compute.snapshots.get",
    "compute.snapshots.setLabels", "compute.zoneOperations.get",
)
# serviceAccounts.get and .disable (https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/disable).
IDENTITY_PERMISSIONS: tuple[str, ...] = ("iam.serviceAccounts.disable", "iam.serviceAccounts.get")
# The build account's roles (https://cloud.google.com/run/docs/configuring/services/build-service-account):
# build logs (project level only), the image (on the repository), the source (on the bucket).
BUILD_LOG_ROLE = "roles/logging.logWriter"


# The Artifact Registry agent encrypts images with the repository's key; used only where
# generateServiceIdentity returns no email (https://cloud.google.com/iam/docs/service-agents).
ARTIFACT_REGISTRY_AGENT = "service-{number}@gcp-sa-artifactregistry.iam.gserviceaccount.com"


@dataclass
class ResponderApis:
    """What must exist before the environment's key ring is bound: the APIs the responder needs,
    and the Artifact Registry agent, whose member the blueprint adds to the images' key."""

    services: list[gcp.projects.Service]
    registry_agent: pulumi.Output[str]


def responder_apis(name: str, project: str, project_number: pulumi.Input[str],
                   opts: pulumi.ResourceOptions) -> ResponderApis:
    services = [gcp.projects.Service(
        f"{name}-{api.split('.')[0]}", project=project, service=api,
        # Never switch an API off on destroy: other stacks in the project may use it.
        disable_on_destroy=False, disable_dependent_services=False, opts=opts,
    ) for api in APIS]
    # A CMEK repository needs its agent to hold the key before it is created
    # (https://cloud.google.com/artifact-registry/docs/cmek); ServiceIdentity creates the agent.
    agent = gcp.projects.ServiceIdentity(
        f"{name}-artifactregistry-agent", project=project, service="artifactregistry.googleapis.com",
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=services)))
    member = pulumi.Output.all(agent.email, project_number).apply(
        lambda values: "serviceAccount:" + (values[0] or ARTIFACT_REGISTRY_AGENT.format(number=values[1])))
    return ResponderApis(services, member)


def role_id(*parts: str) -> str:
    """Custom role ids: letters, digits, '_' and '.', 3 to 64 characters."""
    return re.sub(r"[^a-zA-Z0-9_.]", "_", "_".join(parts))[:64]


@dataclass
class ContainmentArgs:
    project: str
    region: str
    name_prefix: str
    settings: Settings  # environment (as its label value), mode, min_severity, dry_run
    network: pulumi.Input[str]
    findings_topic: pulumi.Input[str]  # the CMEK topic Security Command Center publishes to
    disks_key_id: pulumi.Input[str]  # snapshots are encrypted with the key the disks use
    source_key_id: pulumi.Input[str]  # the function source bucket's key (the storage agent holds it)
    images_key_id: pulumi.Input[str]  # the image repository's key (the Artifact Registry agent holds it)
    apis: ResponderApis  # created before the key ring: see responder_apis
    access_log_bucket: pulumi.Input[str]
    log_destination: pulumi.Input[str]  # the CMEK log bucket as a sink destination (AuditLogging.destination)
    alert_channel: pulumi.Input[str]
    workload_accounts: Sequence[pulumi.Input[str]]  # emails: the only accounts the responder may disable
    source_object: str = field(default_factory=gcp_package.object_name)  # the archive's object name
    quarantine_tag: str = DEFAULT_TAG
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?", self.quarantine_tag):
            raise ValueError(f"network tag {self.quarantine_tag!r}: lower-case letters, digits and '-', 1-63")
        if not self.workload_accounts:
            raise ValueError("containment needs the workloads' service accounts")


class Containment(pulumi.ComponentResource):
    function: gcp.cloudfunctionsv2.Function
    firewalls: dict[str, gcp.compute.Firewall]
    runtime: gcp.serviceaccount.Account
    trigger: gcp.serviceaccount.Account
    builder: gcp.serviceaccount.Account

    def __init__(self, name: str, args: ContainmentArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:gcp:Containment", name, None, opts)
        self.args, self.name = args, name
        self.child = child_options(self, opts)
        self._quarantine_firewalls()
        self._accounts()
        self.after_apis = child_options(self, opts, *args.apis.services)
        self._grants()
        source = self._source()
        repository = self._repository()
        self.function = self._function(source, repository)
        self._invoker()
        self._reporting()
        self.register_outputs({"function": self.function.name, "quarantine_tag": args.quarantine_tag})

    def _quarantine_firewalls(self) -> None:
        args, log = self.args, {"metadata": "INCLUDE_ALL_METADATA"}
        self.firewalls = {
            "in": gcp.compute.Firewall(
                f"{self.name}-quarantine-in", name=resource_name(self.name, "quarantine-in"), project=args.project,
                network=args.network, direction="INGRESS", priority=TOP_PRIORITY, denies=[{"protocol": "all"}],
                source_ranges=["0.0.0.0/0"], target_tags=[args.quarantine_tag], log_config=log,
                description="Containment: nothing reaches a quarantined instance", opts=self.child),
            "out": gcp.compute.Firewall(
                f"{self.name}-quarantine-out", name=resource_name(self.name, "quarantine-out"), project=args.project,
                network=args.network, direction="EGRESS", priority=TOP_PRIORITY, denies=[{"protocol": "all"}],
                destination_ranges=["0.0.0.0/0"], target_tags=[args.quarantine_tag], log_config=log,
                description="Containment: a quarantined instance reaches nothing", opts=self.child),
        }

    def _accounts(self) -> None:
        args = self.args

        def account(job: str, what: str) -> gcp.serviceaccount.Account:
            return gcp.serviceaccount.Account(
                f"{self.name}-{job}", project=args.project, account_id=service_account_id(args.name_prefix, job),
                display_name=f"hardstack containment {job} of {args.name_prefix}", description=what, opts=self.child)

        self.runtime = account("responder", "Runs the containment function: isolates, revokes, snapshots")
        self.trigger = account("responder-trigger", "Eventarc trigger: may only invoke the containment function")
        self.builder = account("responder-build", "Builds the containment function's image")

    def _grants(self) -> None:
        args, child = self.args, self.after_apis
        prefix = args.name_prefix.replace("-", "_")
        compute = gcp.projects.IAMCustomRole(
            f"{self.name}-compute-role", project=args.project, role_id=role_id("hardstack", prefix, "containment"),
            title=f"hardstack containment of {args.name_prefix}", permissions=list(COMPUTE_PERMISSIONS),
            description="Quarantine tag, snapshots: exactly what the containment function calls", opts=child)
        identity = gcp.projects.IAMCustomRole(
            f"{self.name}-identity-role", project=args.project, role_id=role_id("hardstack", prefix, "revoke"),
            title=f"hardstack revocation of {args.name_prefix}", permissions=list(IDENTITY_PERMISSIONS),
            description="Disable a workload's service account (granted on those accounts only)", opts=child)
        # The role's full name; the resource's `name` output is only known after creation.
        self.compute_role = pulumi.Output.concat("projects/", args.project, "/roles/", compute.role_id)
        self.identity_role = pulumi.Output.concat("projects/", args.project, "/roles/", identity.role_id)
        gcp.projects.IAMMember(
            f"{self.name}-responder-compute", project=args.project, role=self.compute_role,
            member=self.runtime.member, opts=child)
        for index, email in enumerate(args.workload_accounts):
            gcp.serviceaccount.IAMMember(
                f"{self.name}-revoke-{index}", role=self.identity_role, member=self.runtime.member,
                service_account_id=pulumi.Output.concat("projects/", args.project, "/serviceAccounts/", email),
                opts=child)
        gcp.projects.IAMMember(
            f"{self.name}-build-logs", project=args.project, role=BUILD_LOG_ROLE, member=self.builder.member,
            opts=child)

    def _source(self) -> pulumi.Output[str]:
        args, child = self.args, self.after_apis
        bucket = gcp.storage.Bucket(
            f"{self.name}-source", name=bucket_name(args.project, args.name_prefix, "responder-src"),
            project=args.project, location=args.region.upper(), storage_class="STANDARD",
            uniform_bucket_level_access=True, public_access_prevention="enforced",
            encryption={
                "default_kms_key_name": args.source_key_id,
                "google_managed_encryption_enforcement_config": {"restriction_mode": "FullyRestricted"},
                "customer_supplied_encryption_enforcement_config": {"restriction_mode": "FullyRestricted"},
            },
            versioning={"enabled": True}, soft_delete_policy={"retention_duration_seconds": 7 * 86_400},
            logging={"log_bucket": args.access_log_bucket, "log_object_prefix": f"{args.name_prefix}-responder-src"},
            force_destroy=False, labels={**args.labels, "purpose": "function-source"}, opts=child)
        gcp.storage.BucketIAMMember(
            f"{self.name}-source-reader", bucket=bucket.name, role="roles/storage.objectViewer",
            member=self.builder.member, opts=child)
        # `pulumi up` uploads the archive with the deployer's credentials; the bucket's default key
        # encrypts it. Its name is its digest (gcp_package.object_name), so the function is rebuilt
        # whenever the responder changes, and never from an archive other than the rendered one.
        # Text assets, not file paths: the rendered graph holds the exact source and nothing
        # that depends on where the checkout lives.
        archive = pulumi.AssetArchive({
            name: pulumi.StringAsset(data.decode("utf-8")) for name, data in gcp_package.files().items()
        })
        self.source_bucket = bucket
        self.source_archive = gcp.storage.BucketObject(
            f"{self.name}-source-archive", bucket=bucket.name, name=args.source_object, source=archive,
            content_type="application/zip", opts=child)
        return self.source_archive.name

    def _repository(self) -> pulumi.Output[str]:
        args, child = self.args, self.after_apis
        repository = gcp.artifactregistry.Repository(
            f"{self.name}-images", project=args.project, location=args.region, format="DOCKER",
            repository_id=resource_name(args.name_prefix, "responder"),
            description="Images of the containment function, built from its source",
            kms_key_name=args.images_key_id,
            labels={**args.labels, "purpose": "function-images"}, opts=child)
        gcp.artifactregistry.RepositoryIamMember(
            f"{self.name}-images-writer", project=args.project, location=args.region,
            repository=repository.repository_id, role="roles/artifactregistry.writer", member=self.builder.member,
            opts=child)
        # The form build_config.docker_repository takes: projects/P/locations/L/repositories/R.
        return pulumi.Output.concat("projects/", args.project, "/locations/", args.region, "/repositories/",
                                    repository.repository_id)

    def _function(self, source: pulumi.Output[str], repository: pulumi.Output[str]) -> gcp.cloudfunctionsv2.Function:
        args = self.args
        env = {**args.settings.as_env(), PROJECT: args.project, REGION: args.region,
               QUARANTINE_TAG: args.quarantine_tag, SNAPSHOT_KEY: args.disks_key_id}
        return gcp.cloudfunctionsv2.Function(
            f"{self.name}-function", project=args.project, location=args.region,
            name=resource_name(args.name_prefix, "responder"),
            description="hardstack containment: isolates workloads Security Command Center reports",
            build_config={
                "runtime": RUNTIME, "entry_point": gcp_package.ENTRY_POINT,
                "source": {"storage_source": {"bucket": self.source_bucket.name, "object": source}},
                "service_account": self.builder.id,
                "docker_repository": repository,
            },
            service_config={
                "service_account_email": self.runtime.email,
                # Internal only: Eventarc's Pub/Sub push from this project is internal traffic
                # (https://cloud.google.com/run/docs/securing/ingress).
                "ingress_settings": "ALLOW_INTERNAL_ONLY",
                "all_traffic_on_latest_revision": True,
                "environment_variables": env,
                # One finding at a time per instance: two copies racing on setTags would both
                # read the same fingerprint, and one would fail and be retried anyway.
                "max_instance_count": 3, "max_instance_request_concurrency": 1,
                "available_memory": "512M", "timeout_seconds": 300,
            },
            event_trigger={
                "trigger_region": args.region, "event_type": PUBLISHED, "pubsub_topic": args.findings_topic,
                "service_account_email": self.trigger.email,
                # A failed action raises: the finding is delivered again, and the actions are idempotent.
                "retry_policy": "RETRY_POLICY_RETRY",
            },
            labels={**args.labels, "purpose": "containment"}, opts=self.after_apis)

    def _invoker(self) -> None:
        """Eventarc calls the function as the trigger's account, which needs run.invoker on the
        function's Cloud Run service (same name as the function); no Eventarc Event Receiver role
        for direct Pub/Sub events
        (https://cloud.google.com/eventarc/standard/docs/functions/roles-permissions)."""
        gcp.cloudrunv2.ServiceIamMember(
            f"{self.name}-trigger-invoker", project=self.args.project, location=self.args.region,
            name=self.function.name, role="roles/run.invoker", member=self.trigger.member, opts=self.after_apis)

    def _reporting(self) -> None:
        args, child = self.args, self.after_apis
        service = resource_name(args.name_prefix, "responder")
        own_logs = f'resource.type="cloud_run_revision" AND resource.labels.service_name="{service}"'
        gcp.logging.ProjectSink(
            f"{self.name}-logs-sink", name=resource_name(args.name_prefix, "responder-logs"), project=args.project,
            destination=args.log_destination, filter=own_logs,
            unique_writer_identity=True, description="The containment function's logs to the CMEK log bucket",
            opts=child)
        metric = gcp.logging.Metric(
            f"{self.name}-reports", project=args.project, name=resource_name(args.name_prefix, "containment-reports"),
            # ALERT (isolated) and WARNING (would isolate); findings it ignored are logged as INFO.
            filter=f"{own_logs} AND jsonPayload.hardstack_report.environment:* AND severity>=WARNING",
            description="Reports of the containment function about workloads of this environment",
            metric_descriptor={"metric_kind": "DELTA", "value_type": "INT64", "unit": "1"}, opts=child)
        gcp.monitoring.AlertPolicy(
            f"{self.name}-reports-alert", project=args.project, display_name=f"{args.name_prefix}: containment",
            combiner="OR", severity="CRITICAL", enabled=True,
            conditions=[{
                "display_name": "containment report written",
                "condition_threshold": {
                    "filter": pulumi.Output.concat('metric.type="logging.googleapis.com/user/', metric.name, '"'),
                    "comparison": "COMPARISON_GT", "threshold_value": 0, "duration": "0s",
                    "aggregations": [{"alignment_period": "60s", "per_series_aligner": "ALIGN_COUNT"}],
                    "trigger": {"count": 1},
                },
            }],
            notification_channels=[args.alert_channel], alert_strategy={"auto_close": "1800s"},
            documentation={"content": "The containment function handled a finding. Read its report: "
                           f"jsonPayload.hardstack_report in the logs of {service}; runbook "
                           "docs/runbooks/containment-gcp.md.", "mime_type": "text/markdown"},
            user_labels=dict(args.labels), opts=child)

