"""Project-wide guardrails: organization policies on the project and a deprivileged default
compute service account.

The policies make the environment's own choices binding on anything else created in the
project by hand or by another tool: no service-account keys, no external IPs on VMs, OS Login,
Shielded VM, and Confidential VMs only. The last one can be switched off only explicitly
(`require_confidential=False`), which the blueprint does only when the spec exempts a
workload from confidential computing. Setting project policies needs
`roles/orgpolicy.policyAdmin`, granted at organization level, to whoever deploys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_gcp as gcp

from hardstack.components.gcp.options import child_options

# Boolean constraints enforced on the project.
ENFORCED: tuple[str, ...] = (
    "iam.disableServiceAccountKeyCreation",
    "iam.disableServiceAccountKeyUpload",
    "compute.requireOsLogin",
    "compute.requireShieldedVm",
    "storage.uniformBucketLevelAccess",
    "storage.publicAccessPrevention",
)
NO_EXTERNAL_IPS = "compute.vmExternalIpAccess"
CONFIDENTIAL_ONLY = "compute.restrictNonConfidentialComputing"


@dataclass
class ProjectGuardrailsArgs:
    project: str
    require_confidential: bool = True


def policy_rules(constraint: str) -> list[dict[str, Any]]:
    if constraint == NO_EXTERNAL_IPS:
        return [{"deny_all": "TRUE"}]  # a list constraint: no instance may have an external IP
    if constraint == CONFIDENTIAL_ONLY:
        # A list constraint over services: denying compute.googleapis.com means every VM it
        # creates must be a Confidential VM.
        return [{"values": {"denied_values": ["compute.googleapis.com"]}}]
    return [{"enforce": "TRUE"}]


class ProjectGuardrails(pulumi.ComponentResource):
    policies: dict[str, gcp.orgpolicy.Policy]

    def __init__(self, name: str, args: ProjectGuardrailsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:gcp:ProjectGuardrails", name, None, opts)
        child = child_options(self, opts)
        parent = f"projects/{args.project}"
        constraints = [*ENFORCED, NO_EXTERNAL_IPS] + ([CONFIDENTIAL_ONLY] if args.require_confidential else [])
        self.policies = {
            constraint: gcp.orgpolicy.Policy(
                f"{name}-{constraint.replace('.', '-').lower()}",
                name=f"{parent}/policies/{constraint}", parent=parent,
                spec={"rules": policy_rules(constraint)}, opts=child,
            )
            for constraint in constraints
        }
        # The default compute service account gets Editor on new projects; strip it.
        gcp.projects.DefaultServiceAccounts(
            f"{name}-default-compute-sa", project=args.project, action="DEPRIVILEGE",
            restore_policy="REVERT_AND_IGNORE_FAILURE", opts=child,
        )
        self.register_outputs({"policies": sorted(self.policies)})
