"""The commented stack file `hardstack new` writes: complete, valid, and explained line by line."""

from __future__ import annotations

from dataclasses import dataclass

from hardstack.spec import catalog

DEFAULT_MACHINE: dict[str, str] = {
    "aws": "m6a.2xlarge",
    "gcp": "c3-standard-8",
    "azure": "Standard_DC4es_v5",
}
PLACEHOLDER_ACCOUNT: dict[str, str] = {
    "aws": "123456789012",
    "gcp": "my-ml-project-1234",
    "azure": "00000000-0000-4000-8000-000000000000",
}
ACCOUNT_MEANING: dict[str, str] = {
    "aws": "AWS account id: the only account this stack may deploy to",
    "gcp": "GCP project id the environment lives in",
    "azure": "Azure subscription id the environment lives in",
}


@dataclass(frozen=True)
class ScaffoldArgs:
    name: str
    cloud: str
    region: str
    compliance: tuple[str, ...] = ()
    account: str | None = None
    owner: str = "platform-team"
    alert_email: str = "secops@example.com"


def default_machine(cloud: str, region: str) -> str:
    """The cloud's default confidential type if the region runs it, else the first one it does
    run; an unknown region keeps the default (validation then names the regions that fit)."""
    preferred = DEFAULT_MACHINE[cloud]
    family = catalog.family_of(cloud, preferred)
    if family is not None and family.offered_in(region):
        return preferred
    kind = catalog.DEFAULT_KIND[cloud]
    fitting = [f for f in catalog.families(cloud, kind) if f.gpu is None and f.offered_in(region)]
    return fitting[0].example if fitting else preferred


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_stack_file(args: ScaffoldArgs) -> str:
    kind = catalog.DEFAULT_KIND[args.cloud]
    machine = default_machine(args.cloud, args.region)
    account = args.account or PLACEHOLDER_ACCOUNT[args.cloud]
    hipaa = "hipaa" in args.compliance
    log_days = 2190 if hipaa else 400
    offered = [f for f in catalog.families(args.cloud) if f.offered_in(args.region)]
    alternatives = ", ".join(f"{f.example} ({f.kind})" for f in offered) or "none in this region"
    compliance = ", ".join(args.compliance)
    azure = (
        "    azure:   # the subscription's tenant; its Confidential VM Orchestrator releases confidential disk keys\n"
        "      tenant_id: 00000000-0000-4000-8000-000000000000            # replace: az account show --query tenantId\n"
        "      cvm_orchestrator_object_id: 00000000-0000-4000-8000-000000000000"
        "   # replace: az ad sp show --id bf7b6499-ff71-4aa2-97a4-f372087be7f0 --query id -o tsv\n"
        if args.cloud == "azure" else ""
    )
    gcp_placement = (
        "\n        # zones: [..]        # gcp: zones offering the type (default: the catalog's zones of the region)"
        "\n        # provisioning: standard   # gcp: standard | spot | flex-start (with max_run_hours)"
        if args.cloud == "gcp" else ""
    )
    ssh = (
        "\n        # Azure VMs take SSH keys only (password login is off): put your public key here.\n"
        "        ssh_public_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIReplaceWithYourOwnPublicKey000000000 admin"
        if args.cloud == "azure" else ""
    )
    return f"""\
# hardstack environment '{args.name}' on {args.cloud.upper()} ({args.region}).
# Written by `hardstack new`. Check it with `hardstack validate`, render it offline with
# `hardstack plan`, deploy it with `pulumi up -s {args.name}`.
# Every field is documented in `hardstack schema`.
config:
  hardstack:environment:
    name: {args.name}
    cloud: {args.cloud}
    region: {args.region}
    account: {_quote(account)}   # {ACCOUNT_MEANING[args.cloud]}
    owner: {_quote(args.owner)}   # accountable team, written into every resource's tags
    data_classification: confidential   # public | internal | confidential | restricted
    compliance: [{compliance}]   # any of: gdpr, hipaa, nist-800-53
    network:
      cidr: 10.20.0.0/16   # private range, /16 to /22
      egress: none         # none (APIs via private endpoints only) | nat | proxy
      zones: 2             # availability zones, 2 or 3
    keys:
      rotation_days: 90    # customer-managed keys rotate this often (HIPAA: at most 90)
      protection: hsm      # hsm | software
      deletion_window_days: 30
    workloads:
      # confidential: tdx | sev-snp | none ('none' needs an exemption with a reason).
      # Confidential machine types on {args.cloud}: {alternatives}
      - name: trainer
        machine_type: {machine}
        confidential: {kind}
        count: 1
        disk_gb: 100
        role: training      # training | inference{gcp_placement}{ssh}
    data:
      buckets:
        - {{name: datasets, purpose: datasets}}
        - {{name: models, purpose: models}}   # model artifacts are write-once (locked)
      retention_days: 365    # days non-current object versions are kept
      model_lock_days: 30    # days each model artifact version cannot be changed
    logging:
      retention_days: {log_days}   # audit log retention in days{' (HIPAA: six years)' if hipaa else ''}
{azure}    monitoring:
      threat_detection: true
      alert_email: {_quote(args.alert_email)}
    # Exemptions record a decided exception: rule id, resource, reason, expiry date.
    exemptions: []
"""
