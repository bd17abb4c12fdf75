"""Which Model Garden models the project may call, and who may call them.

- The organization policy constraint `vertexai.allowedModels` on the project: a list of
  `publishers/PUBLISHER/models/MODEL:ACTION` values; "For a custom allow policy, you explicitly
  allow a list of models and implicitly deny all other models", and each model is listed on its
  own, never as a group (https://cloud.google.com/vertex-ai/generative-ai/docs/control-model-access).
  Only `predict` (models as a service) is allowed: `deploy` of open models to endpoints is not.
  The policy binds every principal of the project; setting it needs roles/orgpolicy.policyAdmin,
  like the project's other guardrails (guardrails.py).
- Invoking needs aiplatform.endpoints.predict, which Vertex AI grants through roles/aiplatform.user
  (https://cloud.google.com/vertex-ai/docs/general/access-control). Model Garden's publisher models
  have no IAM of their own, so the grant is on the project, to the given members only (the
  notebooks' and workloads' accounts), never to a group or a primitive role.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from hardstack.components.gcp.options import child_options

CONSTRAINT = "vertexai.allowedModels"
INVOKER_ROLE = "roles/aiplatform.user"


@dataclass
class ModelAccessArgs:
    project: str
    allowed_models: Sequence[str]  # publishers/P/models/M:predict, one per model
    invokers: Sequence[pulumi.Input[str]] = ()  # IAM members ("serviceAccount:...")

    def __post_init__(self) -> None:
        if not self.allowed_models:
            raise ValueError("an empty allow-list would deny every model: list at least one")
        bad = [m for m in self.allowed_models if not m.startswith("publishers/") or m.count("/") != 3]
        if bad:
            raise ValueError(f"not publishers/PUBLISHER/models/MODEL[:ACTION]: {', '.join(bad)}")


class ModelAccess(pulumi.ComponentResource):
    policy: gcp.orgpolicy.Policy
    grants: list[gcp.projects.IAMMember]

    def __init__(self, name: str, args: ModelAccessArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:gcp:ModelAccess", name, None, opts)
        child = child_options(self, opts)
        parent = f"projects/{args.project}"
        self.policy = gcp.orgpolicy.Policy(
            f"{name}-allowed-models", name=f"{parent}/policies/{CONSTRAINT}", parent=parent,
            spec={"rules": [{"values": {"allowed_values": sorted(args.allowed_models)}}]}, opts=child,
        )
        self.grants = [
            gcp.projects.IAMMember(f"{name}-invoker-{index}", project=args.project, role=INVOKER_ROLE,
                                   member=member, opts=child)
            for index, member in enumerate(args.invokers)
        ]
        self.register_outputs({"policy": self.policy.name})
