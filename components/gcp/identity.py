"""One service account per workload, holding no keys and almost no project-level roles.

Access to data is granted on the resources themselves (bucket IAM in `bucket.py`), never on
the project. The only project-level roles are the two Google offers no narrower scope for,
writing the workload's own logs and metrics; both are predefined, write-only roles. Primitive
roles (owner, editor, viewer) are refused outright.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from hardstack.components.gcp.options import child_options

# Roles that exist only at project level; everything else must be granted on a resource.
PROJECT_ONLY_ROLES: tuple[str, ...] = ("roles/logging.logWriter", "roles/monitoring.metricWriter")
PRIMITIVE_ROLES = frozenset({"roles/owner", "roles/editor", "roles/viewer"})


@dataclass
class WorkloadIdentityArgs:
    project: str
    account_id: str  # 6-30 characters; see names.service_account_id
    description: str
    project_roles: Sequence[str] = PROJECT_ONLY_ROLES

    def __post_init__(self) -> None:
        broad = sorted(set(self.project_roles) - set(PROJECT_ONLY_ROLES))
        if broad:
            raise ValueError(
                f"{self.account_id}: project-level roles {', '.join(broad)} are not allowed; "
                f"grant on the resource instead (project level only: {', '.join(PROJECT_ONLY_ROLES)})"
            )


class WorkloadIdentity(pulumi.ComponentResource):
    account: gcp.serviceaccount.Account
    email: pulumi.Output[str]
    member: pulumi.Output[str]

    def __init__(self, name: str, args: WorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:gcp:WorkloadIdentity", name, None, opts)
        child = child_options(self, opts)
        self.account = gcp.serviceaccount.Account(
            f"{name}-sa", project=args.project, account_id=args.account_id,
            display_name=f"hardstack workload {name}", description=args.description, opts=child,
        )
        self.email = self.account.email
        self.member = self.account.member
        for role in args.project_roles:
            gcp.projects.IAMMember(
                f"{name}-{role.split('/')[-1].replace('.', '-').lower()}", project=args.project,
                role=role, member=self.account.member, opts=child,
            )
        self.register_outputs({"email": self.account.email})
