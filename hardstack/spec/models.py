"""The environment spec: one pydantic model tree for an AI environment on any cloud.

Field-level rules live on the fields; rules that relate several fields (a confidential kind
the cloud does not offer, GDPR residency, HIPAA rotation) live in `rules.py` so the loader can
apply them even when other fields are broken and report every problem at once.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from hardstack.spec.fields import Gpu, Name, Provisioning, Zone, _Strict, unique_names
from hardstack.spec.kubernetes.models import Kubernetes
from hardstack.spec.platforms.models import Platform

Cloud = Literal["aws", "azure", "gcp"]
Framework = Literal["gdpr", "hipaa", "nist-800-53"]
ConfidentialKind = Literal["tdx", "sev-snp", "none"]
Egress = Literal["none", "nat", "proxy"]
Protection = Literal["software", "hsm"]
Classification = Literal["public", "internal", "confidential", "restricted"]
BucketPurpose = Literal["datasets", "models"]


_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
BLUEPRINT_REFERENCE = rf"^{_IDENTIFIER}(\.{_IDENTIFIER})*:{_IDENTIFIER}(\.{_IDENTIFIER})*$"


def _blueprint_reference(value: str) -> str:
    # Only the shape is checked here: importing the module would make `hardstack validate` load
    # the cloud SDKs and make a spec's validity depend on the machine's sys.path. The module is
    # imported when the environment is rendered (blueprints/custom.py).
    if re.fullmatch(BLUEPRINT_REFERENCE, value) is None:
        raise PydanticCustomError(
            "blueprint", "'{value}' is not a blueprint reference: write 'package.module:Attribute', the "
            "module to import, a colon and the blueprint in it, e.g. acme_platform.blueprints:TrainingEnv",
            {"value": value},
        )
    return value


BlueprintReference = Annotated[
    str, AfterValidator(_blueprint_reference), Field(json_schema_extra={"pattern": BLUEPRINT_REFERENCE}),
]


RFC1918 = tuple(ipaddress.IPv4Network(b) for b in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))


def _private_cidr(value: str) -> str:
    try:
        net = ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise PydanticCustomError(
            "cidr", "'{value}' is not an IPv4 network in CIDR form ({reason}); "
            "write it like 10.20.0.0/16", {"value": value, "reason": str(exc)},
        ) from None
    if not any(net.subnet_of(block) for block in RFC1918):
        raise PydanticCustomError(
            "cidr", "'{value}' is not a private range; use 10.0.0.0/8, 172.16.0.0/12 "
            "or 192.168.0.0/16", {"value": value},
        )
    if not 16 <= net.prefixlen <= 22:
        raise PydanticCustomError(
            "cidr", "prefix /{prefix} does not fit: use /16 to /22 so each zone gets a "
            "workload and an endpoint subnet", {"prefix": net.prefixlen},
        )
    return str(net)


Cidr = Annotated[str, AfterValidator(_private_cidr)]


class Network(_Strict):
    cidr: Cidr = Field("10.20.0.0/16", description="private IPv4 range of the environment")
    egress: Egress = Field(
        "none", description="internet egress for workloads: none (default), nat or proxy"
    )
    zones: int = Field(2, ge=2, le=3, description="availability zones to spread subnets over")


class Keys(_Strict):
    rotation_days: int = Field(
        90, ge=1, le=2560, description="rotation period of every customer-managed key, days"
    )
    protection: Protection = Field("hsm", description="software or hsm key protection")
    deletion_window_days: int = Field(
        30, ge=7, le=30, description="days a deleted key can still be recovered"
    )


class Workload(_Strict):
    name: Name
    machine_type: str = Field(min_length=1, description="the cloud's machine type or VM size")
    count: int = Field(1, ge=1, le=100)
    confidential: ConfidentialKind | None = Field(
        None,
        description="tdx, sev-snp or none; empty means the cloud's default "
        "(tdx on gcp and azure, sev-snp on aws). 'none' needs an exemption.",
    )
    gpu: Gpu | None = None
    disk_gb: int = Field(100, ge=20, le=16384)
    role: Literal["training", "inference"] = "training"
    zones: list[Zone] | None = Field(
        None, min_length=1,
        description="gcp only: zones to place the instances in, in turn; empty means the zones of the "
        "region that offer the machine type confidentially (see hardstack.spec.catalog)",
    )
    provisioning: Provisioning = Field(
        "standard",
        description="gcp only: standard, spot (preemptible, stopped when reclaimed) or flex-start "
        "(queued capacity for max_run_hours, then deleted); confidential a3-highgpu-1g takes spot or flex-start",
    )
    max_run_hours: int | None = Field(
        None, ge=1, le=168,
        description="flex-start only: hours the instance may run before Compute Engine deletes it (1-168)",
    )
    ssh_public_key: str | None = Field(
        None,
        pattern=r"^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( .*)?$",
        description="admin SSH public key; required on azure, where password login is always off "
        "(aws and gcp use Session Manager / OS Login instead)",
    )


class Bucket(_Strict):
    name: Name
    purpose: BucketPurpose = Field(description="datasets or models (models are write-once)")


def _default_buckets() -> list[Bucket]:
    return [Bucket(name="datasets", purpose="datasets"), Bucket(name="models", purpose="models")]


class Data(_Strict):
    buckets: list[Bucket] = Field(default_factory=_default_buckets, min_length=1)
    retention_days: int = Field(
        365, ge=1, le=3650, description="days non-current object versions are kept"
    )
    model_lock_days: int = Field(
        30, ge=1, le=3650,
        description="days model artifacts are locked against change (object lock/retention)",
    )

    @field_validator("buckets")
    @classmethod
    def _unique_buckets(cls, buckets: list[Bucket]) -> list[Bucket]:
        return list(unique_names(buckets, "bucket"))


class Logging(_Strict):
    retention_days: int = Field(
        365, ge=90, le=3653, description="days audit logs are kept (HIPAA: at least 2190)"
    )


ResponseMode = Literal["isolate", "notify"]
Severity = Literal["low", "medium", "high", "critical"]


class Response(_Strict):
    """What the environment does by itself when threat detection reports one of its workloads."""

    mode: ResponseMode | None = Field(
        None,
        description="isolate: move the workload into a quarantine network, revoke its identity's access, snapshot "
        "its disks for forensics, then notify; notify: only report the finding and what isolation would do. "
        "Default: isolate when data_classification is restricted, notify otherwise",
    )
    min_severity: Severity = Field(
        "high",
        description="the lowest finding severity that triggers the response: low, medium, high or critical "
        "(Azure Defender for Cloud alerts go up to high)",
    )
    dry_run: bool = Field(
        False,
        description="with mode isolate: decide and report what would be done, change nothing (try the wiring "
        "before trusting it)",
    )


class Monitoring(_Strict):
    threat_detection: bool = True
    alert_email: Annotated[
        str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    ] = Field(description="where security alerts are sent")
    response: Response = Field(
        default_factory=Response,
        description="automated containment of a workload that threat detection reports (needs threat_detection)",
    )


Guid = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]


class AzureTenant(_Strict):
    tenant_id: Guid = Field(description="Entra tenant of the subscription (pins the provider and Key Vault)")
    cvm_orchestrator_object_id: Guid | None = Field(
        None,
        description="object id of the 'Confidential VM Orchestrator' service principal (app "
        "bf7b6499-ff71-4aa2-97a4-f372087be7f0) in this tenant; it releases confidential disk keys. Required "
        "when a workload is confidential",
    )
    security_provider_object_id: Guid | None = Field(
        None,
        description="object id of the 'Windows Azure Security Resource Provider' service principal (app "
        "8edd93e1-2103-40b4-bd70-6e34e586362d) in this tenant; Defender for Cloud sends alerts to the "
        "containment Event Hub as it. Required when threat_detection is on and there are workloads",
    )
    cosmos_db_object_id: Guid | None = Field(
        None,
        description="object id of the 'Azure Cosmos DB' service principal (app a232010e-820c-4083-83bb-3ace5fc29d0b) "
        "in this tenant; an Azure Machine Learning workspace's metadata store unwraps the platform key as it. "
        "Required when platform has notebooks or endpoints",
    )


# Words that stand for a reason nobody has written yet.
PLACEHOLDERS = frozenset({"todo", "tbd", "tba", "fixme", "xxx", "n/a", "na", "wip", "placeholder", "later",
                          "none", "lorem", "ipsum", "asdf", "test", "temp", "tmp", "whatever", "dunno"})
_WORD = re.compile(r"[^\W\d_][\w'/-]*", re.UNICODE)


def _reason(value: str) -> str:
    text = " ".join(value.split())
    words = [w.lower() for w in _WORD.findall(text)]
    marker = next((w for w in words if w in {"todo", "tbd", "tba", "fixme", "xxx", "n/a", "wip"}), None)
    if marker is not None:
        raise PydanticCustomError(
            "reason", "'{marker}' marks a reason still to be written: say why this exception is "
            "acceptable, in words a reviewer can judge", {"marker": marker},
        )
    real = {w for w in words if len(w) > 1 and w not in PLACEHOLDERS}
    if len(text) < 20 or len(real) < 4:
        raise PydanticCustomError(
            "reason", "a reason needs at least 20 characters and four different words (has {count}): "
            "say why this exception is acceptable", {"count": len(real)},
        )
    return text


def _approver(value: str) -> str:
    text = value.strip()
    if not text or text.lower() in PLACEHOLDERS:
        raise PydanticCustomError("approver", "name who approved the exception (a person or a role's mailbox)", {})
    return text


class Exemption(_Strict):
    rule: str = Field(min_length=1, description="policy rule id or checkov check id")
    resource: str = Field(min_length=1, description="logical resource or workload name")
    reason: Annotated[str, AfterValidator(_reason)] = Field(
        description="why, in a sentence a reviewer can judge (20+ characters, 4+ different words, no TODO/TBD)"
    )
    expires: dt.date = Field(
        description="date after which the exemption no longer applies; at most a year ahead "
        "(HARDSTACK_EXEMPTION_HORIZON_DAYS)",
    )
    approved_by: Annotated[str, AfterValidator(_approver)] | None = Field(
        None, description="who approved it; required under gdpr and hipaa",
    )


class Environment(_Strict):
    """A whole hardened AI environment on one cloud."""

    name: Name
    cloud: Cloud
    region: str = Field(min_length=1)
    account: str = Field(
        min_length=1,
        description="AWS account id (12 digits), GCP project id, or Azure subscription id",
    )
    owner: str = Field(
        pattern=r"^[A-Za-z0-9 _.:/=+@-]{1,63}$",
        description="team or person accountable, written into every resource's tags: letters, digits, "
        "spaces and _ . : / = + - @, at most 63 characters (AWS tag values, GCP labels once lower-cased)",
    )
    project_number: str | None = Field(
        None, pattern=r"^[0-9]{6,19}$",
        description="gcp only: the project number; when set, the Compute Engine agent's email is built "
        "from it and the project lookup (organizations.get_project) is skipped",
    )
    data_classification: Classification = "confidential"
    compliance: list[Framework] = Field(default_factory=list)
    network: Network = Field(default_factory=Network)
    keys: Keys = Field(default_factory=Keys)
    workloads: list[Workload] = Field(default_factory=list)
    data: Data = Field(default_factory=Data)
    logging: Logging = Field(default_factory=Logging)
    monitoring: Monitoring
    platform: Platform | None = Field(
        None,
        description="the cloud's managed AI platform (SageMaker and Bedrock, Vertex AI, Azure Machine Learning and "
        "Azure OpenAI): notebooks, private model endpoints and foundation-model access, hardened like the VMs",
    )
    kubernetes: Kubernetes | None = Field(
        None,
        description="a private, hardened Kubernetes cluster (GKE, AKS or EKS) with confidential node pools where the "
        "service offers them",
    )
    azure: AzureTenant | None = Field(None, description="azure only: the tenant the subscription belongs to")
    blueprint: BlueprintReference | None = Field(
        None,
        description="your own blueprint instead of the cloud's built-in one: 'package.module:Attribute' naming a "
        "function build(env) -> stack outputs, or an object with such a build method; importable where hardstack "
        "and Pulumi run (pip install its package, or PYTHONPATH); see blueprints/custom.py",
    )
    exemptions: list[Exemption] = Field(default_factory=list)

    @field_validator("workloads")
    @classmethod
    def _unique_workloads(cls, workloads: list[Workload]) -> list[Workload]:
        return list(unique_names(workloads, "workload"))

    @model_validator(mode="after")
    def _cross_field_rules(self) -> Environment:
        from hardstack.spec.rules import cross_field_problems
        from hardstack.spec.view import SpecView

        problems = cross_field_problems(SpecView.of(self))
        if problems:
            raise PydanticCustomError(
                "hardstack_rules",
                "{summary}",
                {
                    "summary": "; ".join(f"{'.'.join(map(str, p.path))}: {p.message}" for p in problems),
                    "problems": [(list(p.path), p.message) for p in problems],
                },
            )
        return self

    def response_mode(self) -> str:
        """The containment mode once the default is applied: restricted data is isolated
        automatically, because a person woken at night is slower than an attacker with the
        workload's credentials; for other data a false positive costs more than the wait."""
        if self.monitoring.response.mode is not None:
            return self.monitoring.response.mode
        return "isolate" if self.data_classification == "restricted" else "notify"

    def confidential_kind(self, workload: Workload) -> str:
        """The kind a workload runs with once the cloud's default is applied."""
        from hardstack.spec.catalog import DEFAULT_KIND

        return workload.confidential or DEFAULT_KIND[self.cloud]

    def exemption_for(self, rule: str, resource: str, today: dt.date | None = None) -> Exemption | None:
        today = today or dt.date.today()
        return next(
            (e for e in self.exemptions if e.rule == rule and e.resource == resource and e.expires >= today),
            None,
        )
