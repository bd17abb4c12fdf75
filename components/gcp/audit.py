"""Audit logging: every audit log type for every service, kept in a CMEK log bucket.

- Data Access audit logs are off by default in GCP; this turns on ADMIN_READ, DATA_READ and
  DATA_WRITE for all services, with no exempted principals.
- A Cloud Logging bucket in the environment's region, encrypted with the logs key, keeps the
  logs for the spec's retention. With `locked=True` (the blueprint sets it when the spec has
  compliance hipaa) the retention can never be shortened and the bucket never deleted while
  it holds logs: the audit trail becomes tamper-evident.
- Project sinks route audit logs (admin activity, data access, system events, policy
  denials) and network logs (VPC flow, firewall, Cloud NAT, DNS) into that bucket; the
  `_Default` bucket would keep them only 30 days.
The logging service agent must hold the logs key before the bucket is created: pass a key id
that resolves only after the key's IAM binding exists (`KeyRing.ids` does).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from hardstack.components.gcp.options import child_options

AUDIT_LOG_TYPES: tuple[str, ...] = ("ADMIN_READ", "DATA_READ", "DATA_WRITE")
AUDIT_FILTER = " OR ".join(
    f'LOG_ID("cloudaudit.googleapis.com/{log}")'
    for log in ("activity", "data_access", "system_event", "policy")
)
NETWORK_FILTER = " OR ".join((
    'LOG_ID("compute.googleapis.com/vpc_flows")',
    'LOG_ID("compute.googleapis.com/firewall")',
    'LOG_ID("compute.googleapis.com/nat_flows")',
    'LOG_ID("dns.googleapis.com/dns_queries")',
))


@dataclass
class AuditLoggingArgs:
    project: str
    region: str
    bucket_id: str
    logs_key_id: pulumi.Input[str]
    retention_days: int
    locked: bool = False

    def __post_init__(self) -> None:
        # Cloud Logging keeps logs 1 to 3650 days; below 90 is no audit trail at all.
        if not 90 <= self.retention_days <= 3650:
            raise ValueError(f"retention_days must be 90..3650 for an audit log bucket, got {self.retention_days}")


class AuditLogging(pulumi.ComponentResource):
    bucket: gcp.logging.ProjectBucketConfig
    destination: pulumi.Output[str]

    def __init__(self, name: str, args: AuditLoggingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:gcp:AuditLogging", name, None, opts)
        child = child_options(self, opts)
        gcp.projects.IAMAuditConfig(
            f"{name}-all-services", project=args.project, service="allServices",
            audit_log_configs=[{"log_type": t} for t in AUDIT_LOG_TYPES], opts=child,
        )
        self.bucket = gcp.logging.ProjectBucketConfig(
            f"{name}-bucket", project=args.project, location=args.region, bucket_id=args.bucket_id,
            retention_days=args.retention_days, locked=args.locked,
            cmek_settings={"kms_key_name": args.logs_key_id},
            description=f"Audit and network logs, kept {args.retention_days} days"
            + (", locked" if args.locked else ""),
            opts=child,
        )
        self.destination = pulumi.Output.concat("logging.googleapis.com/", self.bucket.id)
        for kind, log_filter in (("audit", AUDIT_FILTER), ("network", NETWORK_FILTER)):
            gcp.logging.ProjectSink(
                f"{name}-{kind}-sink", name=f"{args.bucket_id}-{kind}", project=args.project,
                destination=self.destination, filter=log_filter, unique_writer_identity=True,
                description=f"{kind} logs to the {args.bucket_id} log bucket", opts=child,
            )
        self.register_outputs({"bucket": self.bucket.id})
