"""What each cloud offers for confidential computing, and where GDPR data may live.

The tables are the single source of truth for the spec's cross-field rules: validation
messages list the alternatives straight from here, so they never drift from what is checked.
Each fact names its source page beside it (the SRC_* constants); tests/test_catalog.py pins the
tables to them, so a change to a fact is a change to a test. Where a cloud publishes no list
(regions of Azure's AMD sizes), the table says None and the README lists it among the things
only a deployment can confirm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Where each fact comes from; the tests pin every table below to these pages.
SRC_AWS_SNP = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sev-snp.html"
SRC_AWS_SNP_SIZES = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/snp-work-launch.html"
SRC_GCP_CVM = "https://docs.cloud.google.com/confidential-computing/confidential-vm/docs/supported-configurations"
SRC_GCP_CVM_GPU = (
    "https://docs.cloud.google.com/confidential-computing/confidential-vm/docs/"
    "create-a-confidential-vm-instance-with-gpu"
)
SRC_GCP_C3 = "https://cloud.google.com/compute/docs/general-purpose-machines#c3_series"
SRC_GCP_N2D = "https://cloud.google.com/compute/docs/general-purpose-machines#n2d_machines"
SRC_AZ_DCESV6 = "https://learn.microsoft.com/azure/virtual-machines/sizes/general-purpose/dcesv6-series"
SRC_AZ_ECESV6 = "https://learn.microsoft.com/azure/virtual-machines/sizes/memory-optimized/ecesv6-series"
SRC_AZ_DCESV5 = "https://learn.microsoft.com/azure/virtual-machines/dcesv5-dcedsv5-series"
SRC_AZ_ECESV5 = "https://learn.microsoft.com/azure/virtual-machines/ecesv5-ecedsv5-series"
SRC_AZ_AMD = "https://learn.microsoft.com/azure/confidential-computing/virtual-machine-options"
SRC_AZ_H100 = "https://github.com/Azure/az-cgpu-onboarding"

Provisioning = str  # "standard" | "spot" | "flex-start"


@dataclass(frozen=True)
class MachineFamily:
    """A group of machine types that offers one confidential-computing kind, and where.

    `regions` lists where the family runs confidentially (None: the cloud publishes no list,
    so only a deployment can tell); on GCP `zones` is the finer fact and the regions follow
    from it. `provisioning` lists the models the family accepts in confidential mode.
    """

    cloud: str
    kind: str  # "tdx" | "sev-snp"
    sizes: tuple[str, ...]  # every machine type of the family, exactly
    example: str  # shown to users in error messages
    source: str  # where the sizes and places come from
    regions: frozenset[str] | None = None
    zones: tuple[str, ...] = ()
    provisioning: tuple[Provisioning, ...] = ("standard",)
    gpu: str | None = None  # the confidential GPU this family carries, if any
    gpu_count: int = 0
    note: str = ""  # what the user must know beyond size and place (tenancy, retirement)

    def matches(self, machine_type: str) -> bool:
        return machine_type in self.sizes

    def offered_regions(self) -> frozenset[str] | None:
        if self.zones:
            return frozenset(zone.rsplit("-", 1)[0] for zone in self.zones)
        return self.regions

    def offered_in(self, region: str) -> bool:
        regions = self.offered_regions()
        return regions is None or region in regions

    def zones_in(self, region: str) -> list[str]:
        return [zone for zone in self.zones if zone.rsplit("-", 1)[0] == region]


def _sizes(template: str, numbers: str) -> tuple[str, ...]:
    return tuple(template.format(n) for n in numbers.split())


# GCP zones, from the supported-configurations page (snapshot of 2026-04-08).
_GCP_TDX_ZONES = (
    "asia-northeast1-b", "asia-south1-b", "asia-southeast1-a", "asia-southeast1-b", "asia-southeast1-c",
    "europe-west4-a", "europe-west4-b", "europe-west4-c", "europe-west9-a", "europe-west9-b",
    "us-central1-a", "us-central1-b", "us-central1-c", "us-east1-c", "us-east1-d", "us-east4-a",
    "us-east4-c", "us-east5-b", "us-east5-c", "us-west1-a", "us-west1-b",
)
_GCP_SNP_ZONES = (
    "asia-southeast1-a", "asia-southeast1-b", "asia-southeast1-c", "europe-west3-a", "europe-west3-b",
    "europe-west3-c", "europe-west4-a", "europe-west4-b", "europe-west4-c", "us-central1-a",
    "us-central1-b", "us-central1-c",
)
_GCP_CONFIDENTIAL_GPU_ZONES = ("europe-west4-c", "us-central1-a", "us-east5-a")
# Intel TDX v5 sizes: GA in these regions only (retiring in favour of v6).
_AZ_TDX_V5_REGIONS = frozenset({"westeurope", "centralus", "eastus2"})
_AZ_TDX_V6_REGIONS = frozenset({"westeurope", "eastus", "westus", "westus3"})
_AZ_V5_NOTE = "DCesv5/ECesv5 are being retired in favour of DCesv6/ECesv6"
_AZ_V6_NOTE = "DCesv6/ECesv6 are in public preview"

FAMILIES: tuple[MachineFamily, ...] = (
    # AWS: SEV-SNP only, on 6th-generation AMD sizes, set at launch; on shared tenancy only in
    # US East (Ohio) and Europe (Ireland).
    *(
        MachineFamily(
            "aws", "sev-snp", _sizes(f"{series}.{{}}", sizes), example, SRC_AWS_SNP_SIZES,
            regions=frozenset({"us-east-2", "eu-west-1"}), note="on shared tenancy",
        )
        for series, sizes, example in (
            ("m6a", "large xlarge 2xlarge 4xlarge 8xlarge", "m6a.2xlarge"),
            ("c6a", "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge", "c6a.4xlarge"),
            ("r6a", "large xlarge 2xlarge 4xlarge", "r6a.2xlarge"),
        )
    ),
    # GCP: TDX on C3 standard sizes (no local-SSD variants) and on A3 with one H100 (spot or
    # flex-start only, no reservations); SEV-SNP on N2D with AMD Milan.
    MachineFamily(
        "gcp", "tdx", _sizes("c3-standard-{}", "4 8 22 44 88 176"), "c3-standard-8", SRC_GCP_CVM,
        zones=_GCP_TDX_ZONES, provisioning=("standard", "spot"),
    ),
    MachineFamily(
        "gcp", "tdx", ("a3-highgpu-1g",), "a3-highgpu-1g", SRC_GCP_CVM_GPU,
        zones=_GCP_CONFIDENTIAL_GPU_ZONES, provisioning=("spot", "flex-start"), gpu="h100", gpu_count=1,
    ),
    MachineFamily(
        "gcp", "sev-snp",
        _sizes("n2d-standard-{}", "2 4 8 16 32 48 64 80 96 128 224")
        + _sizes("n2d-highmem-{}", "2 4 8 16 32 48 64 80 96")
        + _sizes("n2d-highcpu-{}", "2 4 8 16 32 48 64 80 96 128 224"),
        "n2d-standard-8", SRC_GCP_CVM, zones=_GCP_SNP_ZONES, provisioning=("standard", "spot"),
    ),
    # Azure: TDX on DCesv6/ECesv6 (current) and DCesv5/ECesv5 (retiring), SEV-SNP on the "a"
    # sizes (Microsoft publishes no region list for them) and the only confidential GPU size,
    # NCCadsH100v5 (SEV-SNP + H100).
    MachineFamily("azure", "tdx", _sizes("Standard_DC{}es_v6", "2 4 8 16 32 48 64 96 128"), "Standard_DC4es_v6",
                  SRC_AZ_DCESV6, regions=_AZ_TDX_V6_REGIONS, note=_AZ_V6_NOTE),
    MachineFamily("azure", "tdx", _sizes("Standard_DC{}eds_v6", "2 4 8 16 32 48 64 96 128"), "Standard_DC4eds_v6",
                  SRC_AZ_DCESV6, regions=_AZ_TDX_V6_REGIONS, note=_AZ_V6_NOTE),
    MachineFamily("azure", "tdx", _sizes("Standard_EC{}es_v6", "2 4 8 16 32 48 64"), "Standard_EC8es_v6",
                  SRC_AZ_ECESV6, regions=_AZ_TDX_V6_REGIONS, note=_AZ_V6_NOTE),
    MachineFamily("azure", "tdx", _sizes("Standard_EC{}eds_v6", "2 4 8 16 32 48 64"), "Standard_EC8eds_v6",
                  SRC_AZ_ECESV6, regions=_AZ_TDX_V6_REGIONS, note=_AZ_V6_NOTE),
    MachineFamily("azure", "tdx", _sizes("Standard_DC{}es_v5", "2 4 8 16 32 48 64 96"), "Standard_DC4es_v5",
                  SRC_AZ_DCESV5, regions=_AZ_TDX_V5_REGIONS, note=_AZ_V5_NOTE),
    MachineFamily("azure", "tdx", _sizes("Standard_DC{}eds_v5", "2 4 8 16 32 48 64 96"), "Standard_DC4eds_v5",
                  SRC_AZ_DCESV5, regions=_AZ_TDX_V5_REGIONS, note=_AZ_V5_NOTE),
    MachineFamily("azure", "tdx", _sizes("Standard_EC{}es_v5", "2 4 8 16 32 48 64 128"), "Standard_EC8es_v5",
                  SRC_AZ_ECESV5, regions=_AZ_TDX_V5_REGIONS, note=_AZ_V5_NOTE),
    MachineFamily("azure", "tdx", _sizes("Standard_EC{}eds_v5", "2 4 8 16 32 48 64 128"), "Standard_EC8eds_v5",
                  SRC_AZ_ECESV5, regions=_AZ_TDX_V5_REGIONS, note=_AZ_V5_NOTE),
    MachineFamily("azure", "sev-snp", _sizes("Standard_DC{}as_v5", "2 4 8 16 32 48 64 96"), "Standard_DC4as_v5",
                  SRC_AZ_AMD),
    MachineFamily("azure", "sev-snp", _sizes("Standard_DC{}ads_v5", "2 4 8 16 32 48 64 96"), "Standard_DC4ads_v5",
                  SRC_AZ_AMD),
    MachineFamily("azure", "sev-snp", _sizes("Standard_EC{}as_v5", "2 4 8 16 20 32 48 64 96"), "Standard_EC8as_v5",
                  SRC_AZ_AMD),
    MachineFamily("azure", "sev-snp", _sizes("Standard_EC{}ads_v5", "2 4 8 16 20 32 48 64 96"), "Standard_EC8ads_v5",
                  SRC_AZ_AMD),
    MachineFamily(
        "azure", "sev-snp", ("Standard_NCC40ads_H100_v5",), "Standard_NCC40ads_H100_v5", SRC_AZ_H100,
        regions=frozenset({"eastus2", "westeurope"}), gpu="h100", gpu_count=1,
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
# GuardDuty Runtime Monitoring on EC2 without Systems Manager: the agent RPM is fetched from the
# regional artifact bucket "<account>-<region>-guardduty-agent-rpm-artifacts" of these AWS accounts
# (https://docs.aws.amazon.com/guardduty/latest/ug/installing-gdu-security-agent-ec2-manually.html;
# the page's table names one account per region). Regions missing here cannot run the agent
# the way hardstack installs it, so the spec refuses workloads with threat detection there.
GUARDDUTY_AGENT_ACCOUNTS: dict[str, str] = {
    "eu-west-1": "694911143906",
    "us-east-1": "593207742271",
    "us-east-2": "307168627858",
    "us-west-2": "733349766148",
}
SRC_GUARDDUTY_AGENT = "https://docs.aws.amazon.com/guardduty/latest/ug/installing-gdu-security-agent-ec2-manually.html"

# Rule ids that exemptions in the spec may name for the decisions validation enforces.
RULE_CONFIDENTIAL = "confidential-computing"
RULE_GDPR_TRANSFER = "gdpr-data-residency"
SPEC_RULES: frozenset[str] = frozenset({RULE_CONFIDENTIAL, RULE_GDPR_TRANSFER})


def families(cloud: str, kind: str | None = None) -> list[MachineFamily]:
    return [f for f in FAMILIES if f.cloud == cloud and (kind is None or f.kind == kind)]


def family_of(cloud: str, machine_type: str) -> MachineFamily | None:
    return next((f for f in families(cloud) if f.matches(machine_type)), None)


def regions_offering(family: MachineFamily) -> str:
    """The places a family runs, for messages: zones on GCP, regions elsewhere."""
    if family.zones:
        return ", ".join(family.zones)
    regions = family.offered_regions()
    return ", ".join(sorted(regions)) if regions is not None else "every region (no published list)"


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


def families_in(cloud: str, kind: str, region: str, gpu: bool = False) -> list[MachineFamily]:
    """Families running `kind` confidentially in `region` (GPU families only with gpu=True), in
    catalog order: what `hardstack new` offers as machine types once the region is chosen."""
    return [f for f in families(cloud, kind) if (f.gpu is not None) == gpu and f.offered_in(region)]


def regions_for(cloud: str, kind: str, gpu: bool = False) -> list[str]:
    """Known regions of `cloud` where some family runs `kind` (a family without a published list
    counts as running everywhere, as `offered_in` says)."""
    return sorted(r for r in KNOWN_REGIONS[cloud] if families_in(cloud, kind, r, gpu))
