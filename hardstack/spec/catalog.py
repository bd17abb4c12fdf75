"""What each cloud offers for confidential computing, and where GDPR data may live.

The tables are the single source of truth for the spec's cross-field rules: validation
messages list the alternatives straight from here, so they never drift from what is checked.
Facts come from the provider SDK sources (pulumi-aws 7.51, pulumi-gcp 10.2, azure-native 3.29).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class MachineFamily:
    """A group of machine types that offers one confidential-computing kind."""

    cloud: str
    kind: str  # "tdx" | "sev-snp"
    pattern: str  # full-match regex over the machine type
    example: str  # shown to users in error messages
    gpu: str | None = None  # the confidential GPU this family carries, if any
    gpu_count: int = 0

    def matches(self, machine_type: str) -> bool:
        return re.fullmatch(self.pattern, machine_type) is not None


FAMILIES: tuple[MachineFamily, ...] = (
    # AWS: SEV-SNP only, on the 6th-generation AMD families, set at launch.
    MachineFamily("aws", "sev-snp", r"m6a\.(large|[0-9]*xlarge)", "m6a.2xlarge"),
    MachineFamily("aws", "sev-snp", r"c6a\.(large|[0-9]*xlarge)", "c6a.4xlarge"),
    MachineFamily("aws", "sev-snp", r"r6a\.(large|[0-9]*xlarge)", "r6a.2xlarge"),
    # GCP: TDX on C3 and on A3 with one H100; SEV-SNP on N2D (AMD Milan).
    MachineFamily("gcp", "tdx", r"c3-standard-[0-9]+", "c3-standard-8"),
    MachineFamily("gcp", "tdx", r"a3-highgpu-1g", "a3-highgpu-1g", gpu="h100", gpu_count=1),
    MachineFamily("gcp", "sev-snp", r"n2d-(standard|highmem|highcpu)-[0-9]+", "n2d-standard-8"),
    # Azure: TDX on the DCesv5/DCedsv5/ECesv5/ECedsv5 sizes, SEV-SNP on the "a" sizes,
    # and the only confidential GPU size, NCCadsH100v5 (SEV-SNP + H100).
    MachineFamily("azure", "tdx", r"Standard_DC[0-9]+es_v5", "Standard_DC4es_v5"),
    MachineFamily("azure", "tdx", r"Standard_DC[0-9]+eds_v5", "Standard_DC4eds_v5"),
    MachineFamily("azure", "tdx", r"Standard_EC[0-9]+es_v5", "Standard_EC8es_v5"),
    MachineFamily("azure", "tdx", r"Standard_EC[0-9]+eds_v5", "Standard_EC8eds_v5"),
    MachineFamily("azure", "sev-snp", r"Standard_DC[0-9]+as_v5", "Standard_DC4as_v5"),
    MachineFamily("azure", "sev-snp", r"Standard_DC[0-9]+ads_v5", "Standard_DC4ads_v5"),
    MachineFamily("azure", "sev-snp", r"Standard_EC[0-9]+as_v5", "Standard_EC8as_v5"),
    MachineFamily("azure", "sev-snp", r"Standard_EC[0-9]+ads_v5", "Standard_EC8ads_v5"),
    MachineFamily(
        "azure", "sev-snp", r"Standard_NCC40ads_H100_v5", "Standard_NCC40ads_H100_v5",
        gpu="h100", gpu_count=1,
    ),
)

# Machine types that carry GPUs but no confidential computing; used to say "this is a GPU
# type" rather than "unknown type" when someone asks for confidential GPUs where none exist.
GPU_PATTERNS: dict[str, str] = {
    "aws": r"(p3|p4d|p4de|p5|p5e|p5en|g4dn|g5|g6|g6e|gr6|trn1|inf2)\..+",
    "gcp": r"(a2|a3|g2)-.+",
    "azure": r"Standard_N[CDV].+",
}

DEFAULT_KIND: dict[str, str] = {"aws": "sev-snp", "gcp": "tdx", "azure": "tdx"}

# Regions where GDPR personal data may stay without a chapter V transfer basis.
EU_EEA_REGIONS: dict[str, frozenset[str]] = {
    "aws": frozenset({
        "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-3", "eu-north-1",
        "eu-south-1", "eu-south-2",
    }),
    "gcp": frozenset({
        "europe-west1", "europe-west3", "europe-west4", "europe-west8", "europe-west9",
        "europe-west10", "europe-west12", "europe-north1", "europe-north2",
        "europe-central2", "europe-southwest1",
    }),
    "azure": frozenset({
        "westeurope", "northeurope", "germanywestcentral", "francecentral", "swedencentral",
        "italynorth", "polandcentral", "spaincentral", "norwayeast", "austriaeast",
        "belgiumcentral", "denmarkeast",
    }),
}

# Known regions per cloud, to catch typos early; a region outside this list is rejected
# with the closest known names.
KNOWN_REGIONS: dict[str, frozenset[str]] = {
    "aws": EU_EEA_REGIONS["aws"] | frozenset({
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-2",
        "eu-central-2", "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1",
        "ap-southeast-2", "sa-east-1", "me-central-1", "af-south-1", "il-central-1",
    }),
    "gcp": EU_EEA_REGIONS["gcp"] | frozenset({
        "europe-west2", "europe-west6", "us-central1", "us-east1", "us-east4", "us-east5",
        "us-west1", "us-west2", "us-west3", "us-west4", "us-south1", "asia-east1",
        "asia-northeast1", "asia-south1", "asia-southeast1", "australia-southeast1",
        "northamerica-northeast1", "southamerica-east1", "me-central1",
    }),
    "azure": EU_EEA_REGIONS["azure"] | frozenset({
        "uksouth", "ukwest", "switzerlandnorth", "eastus", "eastus2", "westus", "westus2",
        "westus3", "centralus", "northcentralus", "southcentralus", "canadacentral",
        "japaneast", "southeastasia", "australiaeast", "centralindia", "uaenorth",
        "brazilsouth", "koreacentral",
    }),
}

# Azure location -> its shared Microsoft Azure Attestation provider, from Microsoft's default
# CVM release policy: confidential OS disk keys are released only through these.
AZURE_ATTESTATION: dict[str, str] = {
    "eastus": "sharedeus.eus", "eastus2": "sharedeus2.eus2", "westus": "sharedwus.wus",
    "westus2": "sharedwus2.wus2", "westus3": "sharedwus3.wus3", "centralus": "sharedcus.cus",
    "northcentralus": "sharedncus.ncus", "southcentralus": "sharedscus.scus",
    "northeurope": "sharedneu.neu", "westeurope": "sharedweu.weu", "germanywestcentral": "shareddewc.dewc",
    "francecentral": "sharedfrc.frc", "swedencentral": "sharedsec.sec", "italynorth": "shareditn.itn",
    "polandcentral": "sharedplc.plc", "norwayeast": "sharednoe.noe", "switzerlandnorth": "sharedswn.swn",
    "uksouth": "shareduks.uks", "ukwest": "sharedukw.ukw", "southeastasia": "sharedsasia.sasia",
    "japaneast": "sharedjpe.jpe", "koreacentral": "sharedkrc.krc", "centralindia": "sharedcin.cin",
    "australiaeast": "sharedeau.eau", "canadacentral": "sharedcac.cac", "uaenorth": "shareduaen.uaen",
    "brazilsouth": "sharedsbr.sbr",
}
# Rule ids that exemptions in the spec may name for the decisions validation enforces.
RULE_CONFIDENTIAL = "confidential-computing"
RULE_GDPR_TRANSFER = "gdpr-data-residency"
SPEC_RULES: frozenset[str] = frozenset({RULE_CONFIDENTIAL, RULE_GDPR_TRANSFER})


def families(cloud: str, kind: str | None = None) -> list[MachineFamily]:
    return [f for f in FAMILIES if f.cloud == cloud and (kind is None or f.kind == kind)]


def family_of(cloud: str, machine_type: str) -> MachineFamily | None:
    return next((f for f in families(cloud) if f.matches(machine_type)), None)


def kinds_offered(cloud: str) -> list[str]:
    return sorted({f.kind for f in families(cloud)})


def is_gpu_type(cloud: str, machine_type: str) -> bool:
    pattern = GPU_PATTERNS.get(cloud)
    return pattern is not None and re.fullmatch(pattern, machine_type) is not None


def examples(cloud: str, kind: str, gpu: bool | None = None) -> str:
    picked = [
        f.example for f in families(cloud, kind)
        if gpu is None or (f.gpu is not None) == gpu
    ]
    return ", ".join(picked) if picked else "none"
