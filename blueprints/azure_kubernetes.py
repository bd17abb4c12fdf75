"""The AKS cluster of an Azure environment whose spec has a `kubernetes` section.

Kept apart from blueprints/azure.py so that file stays one concern per method: the KMS key (a
key of the environment's vault, rotated by a person because AKS pins its version), the node pools
the spec asks for (each a SEV-SNP confidential VM pool unless it says none, with an exemption),
the system pool AKS needs, and the cluster (components/azure/aks.py) in the network's AKS subnets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, cast

import pulumi

from hardstack.components.azure.aks import AksCluster, AksClusterArgs, system_pool
from hardstack.components.azure.aks_pools import PoolSpec
from hardstack.components.azure.vault_key import VaultKey, VaultKeyArgs
from hardstack.spec import Environment
from hardstack.spec.kubernetes.rules import kind_of

if TYPE_CHECKING:
    from hardstack.blueprints.azure import AzureEnvironment

# KMS wraps etcd's data keys by encrypt/decrypt (the kubernetes-kms plugin), not wrapKey.
KMS_OPERATIONS = ("encrypt", "decrypt")


def kms_key(env: Environment, common: dict[str, Any]) -> VaultKey:
    """The etcd (KMS) key: manual rotation, so its expiry notice reaches people before the version
    AKS uses expires (a rotated-away version would expire without KeyNearExpiry)."""
    return VaultKey(f"{env.name}-kms", VaultKeyArgs(
        purpose="kms", hsm=env.keys.protection == "hsm", operations=KMS_OPERATIONS, manual_rotation=True,
        **common,
    ))


def pools(env: Environment) -> list[PoolSpec]:
    assert env.kubernetes is not None
    zones = tuple(str(z) for z in range(1, env.network.zones + 1))
    out = [
        PoolSpec(
            name=p.name, vm_size=p.machine_type, count=p.count, kind=kind_of("azure", p.confidential),
            gpu=p.gpu is not None, disk_gb=p.disk_gb,
            # Zonal offers of the confidential GPU size are not assumed (as for GPU VMs).
            zones=() if p.gpu is not None else zones,
            tags={"node-pool": p.name},
        )
        for p in env.kubernetes.node_pools
    ]
    return list(system_pool(out))


def aks_cluster(root: AzureEnvironment) -> AksCluster:
    env = root.env
    assert env.kubernetes is not None
    if env.network.egress == "proxy":
        raise ValueError("kubernetes on Azure takes network egress 'nat' or 'none'")
    subnets = root.network.subnets
    key = root.keys["kms"]
    egress = cast(Literal["none", "nat"], env.network.egress)
    return AksCluster(f"{env.name}-k8s", AksClusterArgs(
        subscription_id=env.account, resource_group_name=root.rg, location=env.region,
        # Unique in the resource group only: AKS adds its own hash to the private FQDN.
        cluster_name=f"aks-{env.name}",
        version=env.kubernetes.version, tenant_id=root.service_ids.tenant_id,
        node_subnet_id=subnets["aks-nodes"].id, apiserver_subnet_id=subnets["aks-apiserver"].id,
        vault_id=root.vault.id, kms_key_id=key.id, kms_key_uri_with_version=key.key_uri_with_version,
        workspace_id=root.audit.id, pools=pools(env), admins=list(env.kubernetes.admins or ()), egress=egress,
        subnets_ready=[subnets["aks-nodes"], subnets["aks-apiserver"]], tags=root.tags,
    ), opts=root.child)


def kubernetes_outputs(aks: AksCluster) -> dict[str, Any]:
    cluster = aks.cluster
    return {"kubernetes": {
        "cluster_id": cluster.id,
        "cluster_name": cluster.name,
        "private_fqdn": cluster.private_fqdn,
        "oidc_issuer_url": cluster.oidc_issuer_profile.apply(lambda p: p.issuer_url if p else None),
        "node_pool_ids": {n: p.id for n, p in aks.pools.items()},
        "kubelet_identity_client_id": aks.kubelet_identity.client_id,
        # The KMS key is pinned by version: rotate it (new version, then `az aks update
        # --azure-keyvault-kms-key-id <new version>`) before the version in use expires.
        "kms_rotation": pulumi.Output.from_input(
            "az keyvault key rotate --vault-name <vault> --name kms; then az aks update -g <group> -n <cluster> "
            "--enable-azure-keyvault-kms --azure-keyvault-kms-key-vault-network-access Private "
            "--azure-keyvault-kms-key-vault-resource-id <vault id> --azure-keyvault-kms-key-id <new key version id>; "
            "then re-encrypt every secret (kubectl get secrets -A -o json | kubectl replace -f -); keep the old "
            "version enabled: it expires one rotation period later, after the next rotation"),
    }}
