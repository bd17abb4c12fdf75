"""AWS: which resource types are which nodes, and through which properties they relate."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from hardstack.evidence.kinds.base import Details, Index, Link, Reverse, Table, catalog_gpu, dig, text
from hardstack.evidence.model import Edge, Relation
from hardstack.render.graph import Resource

INSTANCE = "aws:ec2/instance:Instance"
KEY = "aws:kms/key:Key"
SUBNET = "aws:ec2/subnet:Subnet"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
TRAIL = "aws:cloudtrail/trail:Trail"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
DETECTOR = "aws:guardduty/detector:Detector"
SECURITY_HUB = "aws:securityhub/account:Account"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
FUNCTION = "aws:lambda/function:Function"
# The managed AI platform: notebooks and Studio people work in, models served from private endpoints.
NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
DOMAIN = "aws:sagemaker/domain:Domain"
MODEL = "aws:sagemaker/model:Model"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
GUARDRAIL = "aws:bedrock/guardrail:Guardrail"
# EKS: the managed control plane is a platform service; node groups are the cluster's compute (workloads),
# drawn with their TEE like the VMs ("none": EKS has no confidential nodes).
CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
# The separate encryption and logging resources of a bucket (the V2 names are the older ones).
SSE_CONFIGS = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
BUCKET_LOGGING = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")
# EventBridge names the services whose findings a rule forwards by their event source.
FINDING_SOURCES = {"aws.guardduty": DETECTOR, "aws.securityhub": SECURITY_HUB}
LOG_WRITE_ACTIONS = ("logs:PutLogEvents", "logs:*")


def _instance(r: Resource, index: Index) -> dict[str, str]:
    i = r.inputs
    machine = text(i.get("instanceType"))
    zone = text(i.get("availabilityZone"))
    if not zone:
        # An instance without a zone of its own runs in its subnet's.
        subnets = [index.by_urn[u] for u in index.refs(r, "subnetId")]
        zone = next((text(s.inputs.get("availabilityZone")) for s in subnets if s.inputs.get("availabilityZone")), "")
    details = {
        "machine_type": machine,
        "tee": "SEV-SNP" if text(dig(i, "cpuOptions", "amdSevSnp")).lower() == "enabled" else "none",
        "gpu": catalog_gpu("aws", machine),
        "image": text(i.get("ami")),
        "zone": zone,
    }
    return {k: v for k, v in details.items() if v}


def _key(r: Resource, index: Index) -> dict[str, str]:
    i = r.inputs
    spec = text(i.get("keySpec") or i.get("customerMasterKeySpec")) or "SYMMETRIC_DEFAULT"
    # Keys of the default key store live only in AWS KMS's FIPS-validated HSMs; a custom key
    # store is CloudHSM (or an external store, which the graph cannot tell apart).
    store = "custom key store" if i.get("customKeyStoreId") else "AWS KMS"
    rotation = "off"
    if i.get("enableKeyRotation") is True:
        rotation = f"every {text(i.get('rotationPeriodInDays')) or '365'} days"
    return {"protection": f"HSM ({store})", "rotation": rotation, "spec": spec}


def _log_group(r: Resource, index: Index) -> dict[str, str]:
    retention = text(r.inputs.get("retentionInDays"))
    return {"retention": f"{retention} days" if retention not in ("", "0") else "never expires"}


def _endpoint(r: Resource, index: Index) -> dict[str, str]:
    service = text(r.inputs.get("serviceName"))
    region = text(r.inputs.get("region"))
    # "com.amazonaws.eu-west-1.ecr.dkr" -> "ecr.dkr": the part after the region.
    parts = service.split(".")
    short = ".".join(parts[3:]) if len(parts) > 3 and parts[0] == "com" else service
    out = {"service": short or service, "type": text(r.inputs.get("vpcEndpointType")) or "Gateway"}
    if region:
        out["region"] = region
    return out


def _notebook(r: Resource, index: Index) -> dict[str, str]:
    i = r.inputs
    details = {"service": "SageMaker notebook instance", "machine_type": text(i.get("instanceType")),
               "image": text(i.get("platformIdentifier")),
               "internet": "none" if text(i.get("directInternetAccess")) == "Disabled" else "direct"}
    return {k: v for k, v in details.items() if v}


def _domain(r: Resource, index: Index) -> dict[str, str]:
    network = text(r.inputs.get("appNetworkAccessType")) or "PublicInternetOnly"
    return {"service": "SageMaker Studio", "network": network}


def _model(r: Resource, index: Index) -> dict[str, str]:
    container = r.inputs.get("primaryContainer")
    image = text(container.get("image")) if isinstance(container, dict) else ""
    isolated = "on" if r.inputs.get("enableNetworkIsolation") is True else "off"
    return {k: v for k, v in {"service": "SageMaker model", "image": image, "network isolation": isolated}.items() if v}


def _guardrail(r: Resource, index: Index) -> dict[str, str]:
    content = r.inputs.get("contentPolicyConfig")
    filters = content.get("filtersConfigs") if isinstance(content, dict) else None
    strengths = sorted({text(f.get("inputStrength")) for f in filters or () if isinstance(f, dict)})
    sensitive = r.inputs.get("sensitiveInformationPolicyConfig")
    pii = sensitive.get("piiEntitiesConfigs") if isinstance(sensitive, dict) else None
    return {"service": "Bedrock guardrail", "content filters": "/".join(strengths) or "none",
            "personal data": f"{len(pii)} types filtered" if pii else "not filtered"}


def _cluster(r: Resource, index: Index) -> dict[str, str]:
    i = r.inputs
    vpc = i.get("vpcConfig") if isinstance(i.get("vpcConfig"), dict) else {}
    public = vpc.get("endpointPublicAccess") is not False
    access = i.get("accessConfig") if isinstance(i.get("accessConfig"), dict) else {}
    return {"service": "EKS", "version": text(i.get("version")), "endpoint": "public" if public else "private",
            "access": text(access.get("authenticationMode")) or "CONFIG_MAP"}


def _node_group(r: Resource, index: Index) -> dict[str, str]:
    i = r.inputs
    machine = ", ".join(text(t) for t in i.get("instanceTypes") or ())
    scaling = i.get("scalingConfig") if isinstance(i.get("scalingConfig"), dict) else {}
    details = {"machine_type": machine, "tee": "none", "gpu": catalog_gpu("aws", machine.split(", ")[0]),
               "image": text(i.get("amiType")), "nodes": text(scaling.get("desiredSize"))}
    return {k: v for k, v in details.items() if v}


def _named(service: str) -> Details:
    return lambda r, index: {"service": service}


def _event_sources(pattern: Any) -> set[str]:
    if isinstance(pattern, dict):
        found = {s for s in pattern.get("source", ()) if isinstance(s, str)} if isinstance(
            pattern.get("source"), list) else set()
        for value in pattern.values():
            found |= _event_sources(value)
        return found
    if isinstance(pattern, list):
        return set().union(*(_event_sources(v) for v in pattern)) if pattern else set()
    return set()


def _findings_to_topics(index: Index) -> Iterator[Edge]:
    """GuardDuty and Security Hub reach SNS (alerts_to) and the containment function (triggers)
    through an EventBridge rule matching their source."""
    relation: dict[str, Relation] = {"alert": "alerts_to", "responder": "triggers"}
    for target in index.graph.of_type(EVENT_TARGET):
        alerts = [u for u in index.nodes_named_by(target, "arn") if index.kinds.get(u) in relation]
        for rule_urn in index.refs(target, "rule"):
            try:
                pattern = json.loads(text(index.by_urn[rule_urn].inputs.get("eventPattern")) or "{}")
            except ValueError:
                continue
            for source in _event_sources(pattern):
                monitor_type = FINDING_SOURCES.get(source)
                for monitor in index.graph.of_type(monitor_type) if monitor_type else ():
                    for alert in alerts:
                        yield Edge(monitor.urn, alert, relation[index.kinds[alert]])


def _cluster_logs(index: Index) -> Iterator[Edge]:
    """EKS writes control-plane logs to /aws/eks/<cluster>/cluster, named by convention, not by reference."""
    groups = {text(g.inputs.get("name")): g.urn for g in index.graph.of_type(LOG_GROUP)}
    for cluster in index.graph.of_type(CLUSTER):
        group = groups.get(f"/aws/eks/{text(cluster.inputs.get('name'))}/cluster")
        if group:
            yield Edge(cluster.urn, group, "logs_to")


def _workload_logs(index: Index) -> Iterator[Edge]:
    """An instance writes to the log groups its role may write to (the agent uses the role)."""
    for instance in index.graph.of_type(INSTANCE):
        for role in index.nodes_named_by(instance, "iamInstanceProfile"):
            for policy in index.referring(role, ROLE_POLICY, "role"):
                document = text(policy.inputs.get("policy"))
                if not any(action in document for action in LOG_WRITE_ACTIONS):
                    continue
                for log in index.nodes_named_by(policy, "policy"):
                    if index.by_urn[log].type == LOG_GROUP:
                        yield Edge(instance.urn, log, "logs_to")


TABLE = Table(
    cloud="aws",
    kinds={
        INSTANCE: "workload", KEY: "key", **{b: "store" for b in BUCKETS},
        "aws:ec2/vpc:Vpc": "network", SUBNET: "subnet", ROLE: "identity", ENDPOINT: "endpoint",
        LOG_GROUP: "log", TRAIL: "log", "aws:sns/topic:Topic": "alert",
        DETECTOR: "monitor", SECURITY_HUB: "monitor", FUNCTION: "responder",
        NOTEBOOK: "platform", DOMAIN: "platform", MODEL: "platform", GUARDRAIL: "platform",
        CLUSTER: "platform", NODE_GROUP: "workload",
    },
    details={
        INSTANCE: _instance, KEY: _key, LOG_GROUP: _log_group, ENDPOINT: _endpoint,
        DETECTOR: _named("GuardDuty"), SECURITY_HUB: _named("Security Hub"), TRAIL: _named("CloudTrail"),
        NOTEBOOK: _notebook, DOMAIN: _domain, MODEL: _model, GUARDRAIL: _guardrail,
        CLUSTER: _cluster, NODE_GROUP: _node_group,
    },
    # A node group's launch template stands for the key its volumes are encrypted with.
    through={"aws:iam/instanceProfile:InstanceProfile": ("role",), LAUNCH_TEMPLATE: ("blockDeviceMappings",)},
    reverse={"aws:ec2/routeTable:RouteTable": Reverse(
        "aws:ec2/routeTableAssociation:RouteTableAssociation", "routeTableId", "subnetId")},
    placement={INSTANCE: ("subnetId",), SUBNET: ("vpcId",), ENDPOINT: ("subnetIds", "vpcId"),
               NOTEBOOK: ("subnetId",), DOMAIN: ("subnetIds", "vpcId"), MODEL: ("vpcConfig",),
               CLUSTER: ("vpcConfig",), NODE_GROUP: ("subnetIds",)},
    links=(
        Link(INSTANCE, "rootBlockDevice", "", "encrypts"),
        Link(INSTANCE, "ebsBlockDevices", "", "encrypts"),
        Link(LOG_GROUP, "kmsKeyId", "", "encrypts"),
        Link(TRAIL, "kmsKeyId", "", "encrypts"),
        Link("aws:sns/topic:Topic", "kmsMasterKeyId", "", "encrypts"),
        *(Link(b, "serverSideEncryptionConfiguration", "", "encrypts") for b in BUCKETS),
        *(Link(sse, "rules", "bucket", "encrypts") for sse in SSE_CONFIGS),
        Link(INSTANCE, "", "iamInstanceProfile", "runs_as"),
        Link(FUNCTION, "", "role", "runs_as"),
        Link(NOTEBOOK, "kmsKeyId", "", "encrypts"),
        Link(NOTEBOOK, "", "roleArn", "runs_as"),
        Link(DOMAIN, "kmsKeyId", "", "encrypts"),
        Link(DOMAIN, "", "defaultUserSettings", "runs_as"),
        Link(MODEL, "", "executionRoleArn", "runs_as"),
        # The endpoint configuration's key encrypts the volumes of the model it serves.
        Link(ENDPOINT_CONFIG, "kmsKeyArn", "productionVariants", "encrypts"),
        Link(GUARDRAIL, "kmsKeyArn", "", "encrypts"),
        Link(CLUSTER, "encryptionConfig", "", "encrypts"),
        Link(CLUSTER, "", "roleArn", "runs_as"),
        Link(NODE_GROUP, "launchTemplate", "", "encrypts"),
        Link(NODE_GROUP, "", "nodeRoleArn", "runs_as"),
        Link(FUNCTION, "", "loggingConfig", "logs_to"),
        Link("aws:ec2/flowLog:FlowLog", "vpcId", "logDestination", "logs_to"),
        Link("aws:ec2/flowLog:FlowLog", "subnetId", "logDestination", "logs_to"),
        *(Link(lg, "bucket", "targetBucket", "logs_to") for lg in BUCKET_LOGGING),
        Link(TRAIL, "", "cloudWatchLogsGroupArn", "logs_to"),
        Link(TRAIL, "", "s3BucketName", "logs_to"),
        # Buckets whose data events the trail's selectors record.
        Link(TRAIL, "advancedEventSelectors", "", "logs_to"),
        Link(TRAIL, "eventSelectors", "", "logs_to"),
        Link(ENDPOINT, "subnetIds", "", "reaches"),
        Link(ENDPOINT, "routeTableIds", "", "reaches"),
    ),
    extra=(_findings_to_topics, _workload_logs, _cluster_logs),
)
