"""The project's APIs and the Google service agents that act on the environment's behalf.

Customer-managed keys are used by Google's service agents, not by workloads: Cloud Storage,
Compute Engine, Cloud Logging and Pub/Sub each encrypt with the key as their own agent, so each
key's IAM names these agents. Their emails contain the project NUMBER, which the spec does not
carry (it holds the project id), and data-source invokes such as
`storage.get_project_service_account` are off limits (the offline renderer answers none).

So the number comes from a resource: `projects.ServiceIdentity` for Pub/Sub (a service that
supports just-in-time identity generation) returns `service-<NUMBER>@gcp-sa-pubsub...`; the
other agents' emails follow Google's documented patterns from that number. Callers that know
the number can pass `project_number` and skip the derivation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.gcp.options import child_options

# APIs the environment uses; enabled explicitly so a fresh project deploys in one run.
REQUIRED_APIS: tuple[str, ...] = (
    "cloudkms.googleapis.com", "compute.googleapis.com", "dns.googleapis.com",
    "iam.googleapis.com", "logging.googleapis.com", "monitoring.googleapis.com",
    "orgpolicy.googleapis.com", "oslogin.googleapis.com", "pubsub.googleapis.com",
    "securitycenter.googleapis.com", "storage.googleapis.com",
)
# Documented service agent domains (https://cloud.google.com/iam/docs/service-agents).
AGENT_DOMAINS: dict[str, str] = {
    "compute": "compute-system.iam.gserviceaccount.com",
    "storage": "gs-project-accounts.iam.gserviceaccount.com",
    "logging": "gcp-sa-logging.iam.gserviceaccount.com",
    "pubsub": "gcp-sa-pubsub.iam.gserviceaccount.com",
}
_PUBSUB_AGENT = re.compile(r"service-([0-9]+)@gcp-sa-pubsub\.iam\.gserviceaccount\.com")


def number_from_pubsub_agent(email: str) -> str:
    match = _PUBSUB_AGENT.fullmatch(email)
    if match is None:
        raise ValueError(f"unexpected Pub/Sub service agent email {email!r}; pass project_number explicitly")
    return match.group(1)


@dataclass
class ServiceAgentsArgs:
    project: str
    apis: Sequence[str] = REQUIRED_APIS
    project_number: str | None = None  # skips deriving it from the Pub/Sub agent


class ServiceAgents(pulumi.ComponentResource):
    """`members[name]` is the IAM member ("serviceAccount:...") of the compute, storage,
    logging and pubsub agents."""

    members: dict[str, pulumi.Output[str]]
    project_number: pulumi.Output[str]

    def __init__(self, name: str, args: ServiceAgentsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:gcp:ServiceAgents", name, None, opts)
        child = child_options(self, opts)
        self.apis = {
            api: gcp.projects.Service(
                f"{name}-{api.split('.')[0]}", project=args.project, service=api,
                # Never switch an API off on destroy: other stacks in the project may use it.
                disable_on_destroy=False, disable_dependent_services=False, opts=child,
            )
            for api in args.apis
        }
        after_apis = child_options(self, opts, *self.apis.values())
        self.pubsub = gcp.projects.ServiceIdentity(
            f"{name}-pubsub-agent", project=args.project, service="pubsub.googleapis.com", opts=after_apis,
        )
        if args.project_number is not None:
            self.project_number = pulumi.Output.from_input(args.project_number)
        else:
            self.project_number = self.pubsub.email.apply(number_from_pubsub_agent)
        self.members = {
            short: self.project_number.apply(lambda n, d=domain: f"serviceAccount:service-{n}@{d}")
            for short, domain in AGENT_DOMAINS.items()
        }
        self.members["pubsub"] = self.pubsub.member
        self.register_outputs({"project_number": self.project_number})
