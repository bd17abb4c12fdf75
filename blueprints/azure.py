"""The hardened AI environment on Azure, composed from components/azure.

Order follows what Azure checks at creation: the audit workspace and network first (everything
sends diagnostics there, private endpoints need subnets), then the identities services unwrap
keys with (their tenant names the vault's tenant), the vault and its keys, the log account and
flow logs, the data account, disk encryption, workload identities and VMs, the AI platform when
the spec has a platform section (Azure OpenAI before the Azure Machine Learning workspace, whose
managed network opens a private endpoint to it), monitoring, and last the alerts that turn Key
Vault's key expiry events into mail (they need the action group).
Every resource hangs below the AzureEnvironment component and gets the explicit provider
through it; nothing uses an ambient default provider.
"""

from __future__ import annotations

import ipaddress
from typing import Any

import pulumi
import pulumi_azure_native as azure_native
from pulumi_azure_native import resources

from hardstack.blueprints.azure_kubernetes import aks_cluster, kms_key, kubernetes_outputs
from hardstack.blueprints.tags import azure_tags
from hardstack.components.azure.audit import AuditWorkspace, AuditWorkspaceArgs
from hardstack.components.azure.compute import ConfidentialWorkload, ConfidentialWorkloadArgs
from hardstack.components.azure.containment import Containment, ContainmentArgs, StorageKey
from hardstack.components.azure.disk_encryption import DiskEncryption, DiskEncryptionArgs, rotation_runbook
from hardstack.components.azure.flow_logs import VnetFlowLog, VnetFlowLogArgs
from hardstack.components.azure.identity import (
    ServiceIdentities,
    ServiceIdentitiesArgs,
    WorkloadIdentity,
    WorkloadIdentityArgs,
)
from hardstack.components.azure.key_alerts import KeyExpiryAlerts, KeyExpiryAlertsArgs
from hardstack.components.azure.key_vault import KeyVault, KeyVaultArgs
from hardstack.components.azure.ml_compute import MlCompute, MlComputeArgs
from hardstack.components.azure.ml_workspace import MlWorkspace, MlWorkspaceArgs, Outbound, PlatformKey
from hardstack.components.azure.monitoring import ThreatMonitoring, ThreatMonitoringArgs
from hardstack.components.azure.naming import platform_name, regional_name, storage_account_name, vault_name
from hardstack.components.azure.network import PrivateNetwork, PrivateNetworkArgs, subnet_plan
from hardstack.components.azure.openai import OpenAIAccount, OpenAIAccountArgs
from hardstack.components.azure.roles import KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER, Grant, assign
from hardstack.components.azure.storage import Container, SecureStorageAccount, SecureStorageAccountArgs
from hardstack.components.azure.vault_key import ConfidentialRelease, VaultKey, VaultKeyArgs
from hardstack.components.responders import azure_package
from hardstack.components.responders.decision import Settings
from hardstack.spec import Environment
from hardstack.spec.platforms import azure as platform_offer


class AzureEnvironment(pulumi.ComponentResource):
    """The root of one environment: every resource of the stack hangs below it."""

    def __init__(self, env: Environment, provider: azure_native.Provider) -> None:
        super().__init__(
            "hardstack:azure:Environment", env.name, None,
            pulumi.ResourceOptions(providers=[provider]),
        )
        self.env = env
        self.tags = azure_tags(env)
        self.child = pulumi.ResourceOptions(parent=self)
        self.kinds = {w.name: env.confidential_kind(w) for w in env.workloads}
        # The containment responder watches the workloads whenever threat detection is on; in
        # mode notify it reports what isolation would do.
        self.responds = env.monitoring.threat_detection and bool(env.workloads)
        self.resource_group = resources.ResourceGroup(
            f"{env.name}-rg", resource_group_name=f"rg-{env.name}", location=env.region, tags=self.tags,
            opts=self.child,
        )
        self.rg = self.resource_group.name
        self.audit = AuditWorkspace(f"{env.name}-audit", AuditWorkspaceArgs(
            subscription_id=env.account, resource_group_name=self.rg, location=env.region,
            workspace_name=f"log-{env.name}", retention_days=env.logging.retention_days, tags=self.tags,
        ), opts=self.child)
        self.network = PrivateNetwork(f"{env.name}-net", PrivateNetworkArgs(
            resource_group_name=self.rg, location=env.region, cidr=env.network.cidr,
            workspace_id=self.audit.id, egress=env.network.egress, private_dns_groups=self._dns_groups(),
            platform_clients=self.uses_ml, kubernetes=env.kubernetes is not None, tags=self.tags,
        ), opts=self.child)
        self._keys()
        self._storage()
        self._workloads()
        self.ml_workspace: MlWorkspace | None = None
        self.ml_compute: MlCompute | None = None
        self.openai: OpenAIAccount | None = None
        if env.platform is not None:
            self._platform()
        # The AKS cluster when the spec has a kubernetes section (blueprints/azure_kubernetes.py).
        self.aks = aks_cluster(self) if env.kubernetes is not None else None
        self.monitoring = ThreatMonitoring(f"{env.name}-monitoring", ThreatMonitoringArgs(
            subscription_id=env.account, resource_group_name=self.rg, alert_email=env.monitoring.alert_email,
            threat_detection=env.monitoring.threat_detection, containers=self.aks is not None, tags=self.tags,
        ), opts=self.child)
        # Every key's "notify" action reaches the action group: a confidential disk key's notice is
        # the start of its offline rotation, and any expired key stops what it encrypts.
        self.key_alerts = KeyExpiryAlerts(f"{env.name}-key-expiry", KeyExpiryAlertsArgs(
            resource_group_name=self.rg, location=env.region, vault_id=self.vault.id,
            action_group_id=self.monitoring.action_group.id, workspace_id=self.audit.id,
            topic_name=f"evgt-{env.name}-vault", tags=self.tags,
        ), opts=self.child)
        self.containment = self._containment() if self.responds else None
        self.register_outputs(self.outputs())

    @property
    def uses_ml(self) -> bool:
        """Azure Machine Learning hosts the notebooks and the endpoints."""
        platform = self.env.platform
        return platform is not None and (platform.notebooks is not None or bool(platform.endpoints))

    def _dns_groups(self) -> tuple[str, ...]:
        platform = self.env.platform
        groups: tuple[str, ...] = ("vault", "blob")
        if self.uses_ml:
            groups += ("file", "amlworkspace", "notebooks", "registry")
        if platform is not None and platform.foundation_models is not None:
            groups += ("account",)
        return groups

    def _keys(self) -> None:
        env = self.env
        confidential = sorted({k for k in self.kinds.values() if k != "none"})
        purposes = ["data-cmk", "logs-cmk"] + (["disks"] if confidential else [])
        purposes += ["disks-std"] if "none" in self.kinds.values() else []
        purposes += ["functions-cmk"] if self.responds else []
        purposes += ["platform-cmk"] if env.platform is not None else []
        self.service_ids = ServiceIdentities(f"{env.name}-svc", ServiceIdentitiesArgs(
            resource_group_name=self.rg, location=env.region, purposes=purposes, tags=self.tags,
        ), opts=self.child)
        # HSM-backed keys need Premium, and confidential OS disk keys are always RSA-HSM.
        premium = env.keys.protection == "hsm" or bool(confidential)
        self.vault = KeyVault(f"{env.name}-kv", KeyVaultArgs(
            vault_name=vault_name(env.name, env.account), resource_group_name=self.rg, location=env.region,
            tenant_id=self.service_ids.tenant_id, endpoint_subnet_id=self.network.subnets["endpoints"].id,
            dns_zone_id=self.network.dns_zones["vault"].id, workspace_id=self.audit.id,
            sku="premium" if premium else "standard", soft_delete_days=env.keys.deletion_window_days,
            tags=self.tags,
        ), opts=self.child)
        common: dict[str, Any] = {
            "vault_name": self.vault.name, "resource_group_name": self.rg, "rotation_days": env.keys.rotation_days,
            "tags": self.tags,
        }
        hsm = env.keys.protection == "hsm"
        self.keys = {p: VaultKey(f"{env.name}-{p}", VaultKeyArgs(purpose=p, hsm=hsm, **common), opts=self.child)
                     for p in ("data", "logs") + (("functions",) if self.responds else ())
                     + (("platform",) if env.platform is not None else ())}
        if env.kubernetes is not None:
            self.keys["kms"] = kms_key(env, common)
        if confidential:
            self.keys["disks"] = VaultKey(f"{env.name}-disks", VaultKeyArgs(
                purpose="disks", hsm=True, confidential_release=ConfidentialRelease(env.region, confidential),
                **common,
            ), opts=self.child)
        if "disks-std" in purposes:
            self.keys["disks-std"] = VaultKey(f"{env.name}-disks-std", VaultKeyArgs(
                purpose="disks-std", hsm=hsm, **common), opts=self.child)

    def _storage(self) -> None:
        env, ids = self.env, self.service_ids.identities
        self.log_account = SecureStorageAccount(f"{env.name}-logs", SecureStorageAccountArgs(
            account_name=storage_account_name(env.name, env.account, "logs"), subscription_id=env.account,
            resource_group_name=self.rg, location=env.region, key_id=self.keys["logs"].id, key_name="logs",
            key_vault_uri=vault_uri(self.keys["logs"]), cmk_identity_id=ids["logs-cmk"].id,
            cmk_identity_principal_id=ids["logs-cmk"].principal_id, workspace_id=self.audit.id,
            network_access="trusted-services", noncurrent_version_days=env.logging.retention_days,
            delete_after_days=env.logging.retention_days, tags=self.tags,
        ), opts=self.child)
        self.flow_log = VnetFlowLog(f"{env.name}-flows", VnetFlowLogArgs(
            subscription_id=env.account, resource_group_name=self.rg, location=env.region,
            vnet_id=self.network.vnet.id, storage_account_id=self.log_account.id, workspace_id=self.audit.id,
            workspace_customer_id=self.audit.customer_id, retention_days=env.logging.retention_days, tags=self.tags,
        ), opts=self.child)
        # Model artifacts are always write-once for model_lock_days, whatever the compliance scope:
        # a model that can be swapped silently cannot be trusted by anyone.
        containers = [Container(b.name, env.data.model_lock_days if b.purpose == "models" else None, b.purpose)
                      for b in env.data.buckets]
        self.data_account = SecureStorageAccount(f"{env.name}-data", SecureStorageAccountArgs(
            account_name=storage_account_name(env.name, env.account, "data"), subscription_id=env.account,
            resource_group_name=self.rg, location=env.region, key_id=self.keys["data"].id, key_name="data",
            key_vault_uri=vault_uri(self.keys["data"]), cmk_identity_id=ids["data-cmk"].id,
            cmk_identity_principal_id=ids["data-cmk"].principal_id, workspace_id=self.audit.id,
            containers=containers, endpoint_subnet_id=self.network.subnets["endpoints"].id,
            dns_zone_id=self.network.dns_zones["blob"].id, noncurrent_version_days=env.data.retention_days,
            tags={**self.tags, "data-classification": env.data_classification},
        ), opts=self.child)

    def _disk_encryption(self, confidential: bool) -> DiskEncryption:
        env = self.env
        purpose = "disks" if confidential else "disks-std"
        key, identity = self.keys[purpose], self.service_ids.identities[purpose]
        return DiskEncryption(f"{env.name}-{purpose}", DiskEncryptionArgs(
            subscription_id=env.account, resource_group_name=self.rg, location=env.region, vault_id=self.vault.id,
            identity_id=identity.id, identity_principal_id=identity.principal_id, key_id=key.id,
            key_uri_with_version=key.key_uri_with_version, key_uri=key.key_uri, confidential=confidential,
            # The spec requires the tenant block whenever a workload is confidential.
            release_principal_id=env.azure.cvm_orchestrator_object_id if confidential and env.azure else None,
            tags=self.tags,
        ), opts=self.child)

    def _workloads(self) -> None:
        env = self.env
        self.disk_sets: dict[bool, DiskEncryption] = {}
        if any(k != "none" for k in self.kinds.values()):
            self.disk_sets[True] = self._disk_encryption(confidential=True)
        if "none" in self.kinds.values():
            self.disk_sets[False] = self._disk_encryption(confidential=False)
        purposes = {b.name: b.purpose for b in env.data.buckets}
        containers = self.data_account.containers
        datasets = [c.id for n, c in containers.items() if purposes[n] == "datasets"]
        models = [c.id for n, c in containers.items() if purposes[n] == "models"]
        zones = [str(z) for z in range(1, env.network.zones + 1)]
        self.identities: dict[str, WorkloadIdentity] = {}
        self.workloads: dict[str, ConfidentialWorkload] = {}
        for w in env.workloads:
            name, kind = f"{env.name}-{w.name}", self.kinds[w.name]
            tags = {**self.tags, "workload": w.name}
            identity = WorkloadIdentity(name, WorkloadIdentityArgs(
                subscription_id=env.account, resource_group_name=self.rg, location=env.region, role=w.role,
                data_key_id=self.keys["data"].id, dataset_container_ids=datasets, model_container_ids=models,
                tags=tags,
            ), opts=self.child)
            self.identities[w.name] = identity
            assert w.ssh_public_key is not None  # the spec requires it on Azure
            self.workloads[w.name] = ConfidentialWorkload(name, ConfidentialWorkloadArgs(
                resource_group_name=self.rg, location=env.region, vm_size=w.machine_type, kind=kind,
                subnet_id=self.network.subnets["workload"].id, identity_id=identity.id,
                disk_encryption_set_id=self.disk_sets[kind != "none"].id, workspace_id=self.audit.id,
                ssh_public_key=w.ssh_public_key, count=w.count, gpu=w.gpu is not None, disk_gb=w.disk_gb,
                # Zonal offers of the confidential GPU size are not assumed: GPU VMs are placed regionally.
                zones=() if w.gpu is not None else zones, tags=tags,
            ), opts=self.child)

    def _containment(self) -> Containment:
        """Defender alerts -> Event Hub -> the responder Function, in the VNet's free last quarter
        (subnet_plan uses the first three)."""
        env, ids = self.env, self.service_ids.identities
        response = env.monitoring.response
        free = list(ipaddress.IPv4Network(env.network.cidr).subnets(prefixlen_diff=2))[3]
        assert str(free) not in subnet_plan(env.network.cidr, env.network.egress).values()
        key = self.keys["functions"]
        return Containment(f"{env.name}-containment", ContainmentArgs(
            subscription_id=env.account, environment=env.name, resource_group_name=self.rg,
            resource_group_id=self.resource_group.id, location=env.region,
            settings=Settings(env.name, env.response_mode(), response.min_severity, response.dry_run),
            vnet_name=self.network.vnet.name, vnet_id=self.network.vnet.id, free_range=str(free),
            workspace_id=self.audit.id,
            action_group_id=self.monitoring.action_group.id,
            storage=StorageKey(
                account_name=storage_account_name(env.name, env.account, "func"), key_id=key.id, key_name="functions",
                key_vault_uri=vault_uri(key), identity_id=ids["functions-cmk"].id,
                identity_principal_id=ids["functions-cmk"].principal_id,
            ),
            blob_dns_zone_id=self.network.dns_zones["blob"].id, package_sha256=azure_package.sha256(),
            workload_principal_ids=[i.principal_id for i in self.identities.values()],
            security_provider_object_id=env.azure.security_provider_object_id if env.azure else None,
            after=list(self.network.subnets.values())[-1:], tags=self.tags,
        ), opts=self.child)

    def _platform(self) -> None:
        """Azure Machine Learning (notebooks, endpoints) and Azure OpenAI (foundation models), private,
        keyed with the platform key that one identity unwraps for all of them."""
        env, platform = self.env, self.env.platform
        assert platform is not None
        identity, key = self.service_ids.identities["platform-cmk"], self.keys["platform"]
        # One grant for every platform service: ARM refuses a second identical assignment.
        grant = assign(f"{env.name}-platform-cmk", env.account, identity.principal_id,
                       Grant(KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER, key.id), parent=self)
        self.platform_key = PlatformKey(
            key_id=key.id, key_name="platform", key_uri=key.key_uri, vault_id=self.vault.id, vault_uri=vault_uri(key),
            identity_id=identity.id, identity_principal_id=identity.principal_id,
            identity_client_id=identity.client_id, grant=grant,
        )
        zones = {g: z.id for g, z in self.network.dns_zones.items()}
        endpoints = self.network.subnets["endpoints"].id
        callers: dict[str, pulumi.Input[str]] = {w: i.principal_id for w, i in self.identities.items()}
        outbound = [Outbound("data-blob", self.data_account.id, "blob")]
        if platform.foundation_models is not None:
            # Before the workspace: its managed network opens the private endpoint to the account
            # when it is provisioned, with the workspace.
            self.openai = OpenAIAccount(f"{env.name}-openai", OpenAIAccountArgs(
                subscription_id=env.account, name=platform_name(env.name, env.account, "oai", 64),
                resource_group_name=self.rg, location=env.region, key=self.platform_key, workspace_id=self.audit.id,
                endpoint_subnet_id=endpoints, dns_zone_id=zones["account"], families=platform.foundation_models.allow,
                allowed_fqdns=[f"{storage_account_name(env.name, env.account, 'data')}.blob.core.windows.net"],
                tags=self.tags,
            ), opts=self.child)
            outbound.append(Outbound("openai", self.openai.id, "account"))
        if self.uses_ml:
            self.ml_workspace = MlWorkspace(f"{env.name}-ml", MlWorkspaceArgs(
                subscription_id=env.account, name=f"mlw-{env.name}", resource_group_name=self.rg,
                location=env.region, tenant_id=self.service_ids.tenant_id, key=self.platform_key,
                workspace_id=self.audit.id, endpoint_subnet_id=endpoints, dns_zone_ids=zones,
                storage_account_name=storage_account_name(env.name, env.account, "mlws"),
                vault_name=vault_name(f"{env.name}-ml", env.account),
                registry_name=platform_name(env.name, env.account, "cr", 50, hyphens=False),
                outbound=outbound,
                # The spec requires it with notebooks or endpoints (hardstack/spec/platforms/azure.py);
                # a program that leaves it out fails the stack rule azure-ml-workspace-key-usable.
                cosmos_db_principal_id=env.azure.cosmos_db_object_id if env.azure else None,
                soft_delete_days=env.keys.deletion_window_days, tags=self.tags,
            ), opts=self.child)
            notebooks = platform.notebooks
            self.ml_compute = MlCompute(f"{env.name}-ml", MlComputeArgs(
                resource_group_name=self.rg, location=env.region, workspace_name=self.ml_workspace.workspace.name,
                workspace_id=self.audit.id, notebooks=notebooks.count if notebooks else 0,
                owners=(notebooks.owners or []) if notebooks else [],
                tenant_id=env.azure.tenant_id if env.azure else "",
                notebook_size=(notebooks.instance_type if notebooks and notebooks.instance_type
                               else platform_offer.OFFER.notebook_default),
                endpoints={e.name: regional_name(env.name, env.account, e.name, 32) for e in platform.endpoints},
                prefix=regional_name(env.name, env.account, f"ci-{env.name}", 21),
                after=[self.ml_workspace.endpoint], tags=self.tags,
            ), opts=self.child)
            callers["ml-workspace"] = self.ml_workspace.principal_id
            for name, principal in zip(self.ml_compute.endpoints, self.ml_compute.principal_ids(), strict=True):
                callers[f"endpoint-{name}"] = principal
        if self.openai is not None:
            self.openai.allow_callers(callers)

    def _platform_outputs(self) -> dict[str, Any]:
        if self.env.platform is None:
            return {}
        out: dict[str, Any] = {}
        if self.ml_workspace is not None and self.ml_compute is not None:
            out["ml_workspace_id"] = self.ml_workspace.id
            out["online_endpoint_ids"] = {n: e.id for n, e in self.ml_compute.endpoints.items()}
            out["compute_instance_ids"] = [c.id for c in self.ml_compute.instances]
        if self.openai is not None:
            out["openai_account_id"] = self.openai.id
            out["openai_endpoint"] = self.openai.account.properties.endpoint
            out["openai_deployments"] = sorted(self.openai.deployments)
        return {"platform": out}

    def outputs(self) -> dict[str, Any]:
        return {
            "resource_group": self.resource_group.name,
            "vault_id": self.vault.id,
            "key_ids": {p: k.id for p, k in self.keys.items()},
            "data_account": self.data_account.account.name,
            "vnet_id": self.network.vnet.id,
            "workspace_id": self.audit.id,
            "vm_ids": {n: [vm.id for vm in w.vms] for n, w in self.workloads.items()},
            **self._offline_rotation(),
            **({"containment": {"function_app_id": self.containment.function_app.id,
                                "quarantine_nsg_id": self.containment.quarantine_nsg.id,
                                "package_sha256": self.containment.args.package_sha256}}
               if self.containment else {}),
            **self._platform_outputs(),
            **(kubernetes_outputs(self.aks) if self.aks is not None else {}),
        }

    def _offline_rotation(self) -> dict[str, Any]:
        """The confidential disk key's rotation deadline and runbook, for whoever gets the alert."""
        key, des = self.keys.get("disks"), self.disk_sets.get(True)
        if key is None or des is None:
            return {}
        runbook = pulumi.Output.all(self.vault.name, des.disk_encryption_set.name).apply(
            lambda names: rotation_runbook(names[0], "disks", names[1]))
        return {"disk_key_rotation": {"mode": key.rotation, "version_lifetime_days": key.lifetime_days,
                                      "notice_days": key.notice_days, "runbook": runbook}}


def vault_uri(key: VaultKey) -> pulumi.Output[str]:
    """The vault URI as Key Vault reports it for the key (https://<vault>.vault.azure.net/...)."""
    return key.key_uri.apply(lambda uri: uri.split("/keys/", 1)[0] + "/")


def provider(env: Environment) -> azure_native.Provider:
    # An explicit provider pinned to the spec's subscription, tenant and location.
    return azure_native.Provider(
        f"{env.name}-azure",
        subscription_id=env.account,
        tenant_id=env.azure.tenant_id if env.azure else None,
        location=env.region,
    )


def build(env: Environment) -> dict[str, Any]:
    return AzureEnvironment(env, provider(env)).outputs()
