"""A VPC Service Controls perimeter around the environment's project: Vertex AI, Workbench, Cloud
Storage, Cloud KMS, Logging and Monitoring of the project can be called only from inside it, and
data cannot be copied to a project outside it.

- Vertex AI documents the services to protect: "include Vertex AI (aiplatform.googleapis.com) and
  Vertex AI Workbench (notebooks.googleapis.com) as protected services ... Vertex AI won't be able
  to reach resources outside the perimeter, such as files in a Cloud Storage bucket that is outside
  the perimeter" (https://cloud.google.com/vertex-ai/docs/general/vpc-service-controls); the
  environment's buckets and keys are in the same project, so they are inside.
- Resources are `projects/<NUMBER>` (ServicePerimeterConfig.resources,
  https://cloud.google.com/vpc-service-controls/docs/reference/rest/v1/accessPolicies.servicePerimeters);
  the spec refuses access_policy without project_number.
- VPC accessible services: from the environment's network only the restricted services may be
  called (RESTRICTED-SERVICES), so a notebook cannot reach an API the perimeter does not guard.
- The perimeter is enforced (`status`), not a dry run. Creating it needs
  roles/accesscontextmanager.policyEditor on the organization's access policy.
- Once it is enforced, calls from outside to the restricted services of the project (a deployer
  running `pulumi up` from a CI runner, a person's console) are refused unless an access level or
  an ingress rule of the access policy admits them; the spec names none, so the organization's
  policy must (https://cloud.google.com/vpc-service-controls/docs/ingress-egress-rules).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from hardstack.components.gcp.options import child_options

RESTRICTED_SERVICES: tuple[str, ...] = (
    "aiplatform.googleapis.com", "notebooks.googleapis.com", "storage.googleapis.com",
    "cloudkms.googleapis.com", "logging.googleapis.com", "monitoring.googleapis.com",
)


def perimeter_id(name: str) -> str:
    """Perimeter names: a letter, then letters, digits and '_', at most 50 characters."""
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", name)
    cleaned = cleaned if cleaned[:1].isalpha() else f"p_{cleaned}"
    return cleaned[:50]


@dataclass
class ServicePerimeterArgs:
    access_policy: str  # the policy's number
    project_number: pulumi.Input[str]
    name: str
    restricted_services: Sequence[str] = RESTRICTED_SERVICES
    # Who may still call in from outside (the deploying pipeline, administrators): without one, an enforced
    # perimeter refuses the next `pulumi up` too (https://cloud.google.com/vpc-service-controls/docs/use-access-levels).
    access_levels: Sequence[str] = ()

    def __post_init__(self) -> None:
        if not self.access_policy.isdigit():
            raise ValueError(f"access_policy is the policy's number, got {self.access_policy!r}")
        foreign = [level for level in self.access_levels
                   if not level.startswith(f"accessPolicies/{self.access_policy}/accessLevels/")]
        if foreign:
            raise ValueError(f"access levels of another policy: {', '.join(foreign)}")


class ServicePerimeter(pulumi.ComponentResource):
    perimeter: gcp.accesscontextmanager.ServicePerimeter

    def __init__(self, name: str, args: ServicePerimeterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:gcp:ServicePerimeter", name, None, opts)
        child = child_options(self, opts)
        policy = f"accessPolicies/{args.access_policy}"
        services = sorted(args.restricted_services)
        self.perimeter = gcp.accesscontextmanager.ServicePerimeter(
            f"{name}-perimeter", parent=policy, name=f"{policy}/servicePerimeters/{perimeter_id(args.name)}",
            title=perimeter_id(args.name), perimeter_type="PERIMETER_TYPE_REGULAR",
            description=f"{args.name}: Vertex AI, Workbench, Cloud Storage and Cloud KMS stay inside",
            status={
                "resources": [pulumi.Output.from_input(args.project_number).apply(lambda n: f"projects/{n}")],
                "restricted_services": services,
                "access_levels": sorted(args.access_levels),
                "vpc_accessible_services": {"enable_restriction": True, "allowed_services": ["RESTRICTED-SERVICES"]},
            },
            opts=child,
        )
        self.register_outputs({"perimeter": self.perimeter.name})
