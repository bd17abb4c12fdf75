"""The optional sections `hardstack new` writes commented out (the managed AI platform, a Kubernetes
cluster): each shows the cloud's defaults and validates once its lines lose their '# '."""

from __future__ import annotations

from hardstack.spec import catalog
from hardstack.spec.kubernetes.offer import OFFERS as CLUSTERS
from hardstack.spec.platforms.rules import OFFERS

PLATFORM_MARK = "    # platform:"


def platform_comment(cloud: str, account: str, region: str) -> str:
    """The platform section, commented out: a stack uses it by removing the '# ' of its lines."""
    offer = OFFERS[cloud]
    family = next(f for f in offer.model_families if region in offer.model_regions.get(f, {region}))
    endpoint = "    #     - name: scorer          # private model serving endpoint\n"
    if cloud == "aws":
        endpoint += (f"    #       image: {account}.dkr.ecr.{region}.amazonaws.com/scorer:1.0   # ECR of {region}\n"
                     "    #       model_artifact: models/scorer/model.tar.gz   # in a models bucket\n")
    policy = ('    #   access_policy: "123456789"   # Access Context Manager policy: a VPC Service Controls '
              "perimeter (needs project_number)\n"
              "    #   access_levels: [accessPolicies/123456789/accessLevels/ci_runners]   # who may still call in: "
              "the pipeline, admins\n" if cloud == "gcp" else "")
    owners = ("    #     owners: [00000000-0000-4000-8000-000000000000]   # one each, Entra object ids: "
              "az ad user show --id someone@example.com --query id -o tsv\n" if cloud == "azure" else "")
    return (
        f"    # The managed AI platform ({offer.service}), private and keyed like the rest: remove the\n"
        "    # '# ' of the lines below to use it.\n"
        f"{PLATFORM_MARK}\n"
        f"    #   notebooks:   # {offer.notebook_service}\n"
        f"    #     instance_type: {offer.notebook_default}\n"
        f"{owners}"
        f"    #   endpoints:\n{endpoint}"
        f"    #   foundation_models: {{allow: [{family}]}}   # of: {', '.join(offer.model_families)}\n"
        f"{policy}"
    )


KUBERNETES_MARK = "    # kubernetes:"


def kubernetes_comment(cloud: str, region: str) -> str:
    """The kubernetes section, commented out: a CPU pool of the service's default TEE and, where the
    region runs one, a confidential H100 pool; EKS pools say none, which needs an exemption."""
    offer = CLUSTERS[cloud]
    lines = [f"    # A private, hardened {offer.service} cluster: remove the '# ' of the lines below to use it.",
             KUBERNETES_MARK, "    #   version: \"1.35\""]
    if offer.admin is not None and offer.admin.required:
        lines.append("    #   admins: [00000000-0000-4000-8000-000000000000]   # Entra group object ids: "
                     "az ad group show --group <name> --query id -o tsv")
    lines.append("    #   node_pools:")
    if not offer.kinds:
        lines += ["    #     - name: general",
                  "    #       machine_type: m6a.xlarge",
                  "    #       count: 2",
                  f"    #       confidential: none   # {offer.service} has no confidential nodes: exempt "
                  "confidential-computing for this pool, with the reason"]
        return "\n".join(lines) + "\n"
    cpu = next((f for f in catalog.families_in(cloud, offer.default, region) if f.gpu is None), None)
    example = cpu.example if cpu else next(f.example for f in catalog.families(cloud, offer.default) if f.gpu is None)
    lines += ["    #     - name: general", f"    #       machine_type: {example}   # {offer.default}",
              "    #       count: 2"]
    gpu = next((f for f in catalog.families_in(cloud, offer.default, region, gpu=True)), None)
    if gpu is not None:
        lines += ["    #     - name: gpu", f"    #       machine_type: {gpu.example}",
                  f"    #       gpu: {{kind: {gpu.gpu}, count: {gpu.gpu_count}}}"]
        if "standard" not in gpu.provisioning:
            lines.append(f"    #       provisioning: {gpu.provisioning[0]}   # {' or '.join(gpu.provisioning)} only")
        if gpu.zones:
            lines.append(f"    #       zones: [{', '.join(gpu.zones_in(region))}]")
    return "\n".join(lines) + "\n"
