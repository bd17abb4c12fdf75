"""A private, hardened AKS cluster whose node pools are AMD SEV-SNP confidential VMs.

- Private API server inside the VNet (API Server VNet Integration, its own delegated subnet), no
  public FQDN, run command off: people and pipelines reach it from networks joined to the VNet
  (peering, VPN or ExpressRoute gateway) on 443, which the API server subnet's NSG allows; the
  private DNS zone is AKS's own ("system"), linked to the VNet.
- Entra ID only: managed Entra integration with Azure RBAC for Kubernetes authorization, local
  accounts (the static admin kubeconfig) disabled, Kubernetes RBAC on.
- Workload identity and the OIDC issuer: pods get Entra tokens, never secrets.
- KMS etcd encryption with a key of the environment's (private) vault, reached privately: the key
  is pinned by version and rotated by a person (`az aks update --azure-keyvault-kms-key-id`).
- Defender for Containers' sensor to the audit workspace, Container insights (Entra auth), Azure
  Policy add-on, the Key Vault secrets provider with rotation, Image Cleaner, and every control-plane
  log category (kube-audit, kube-audit-admin, kube-apiserver, guard, ...) to the workspace.
- Azure CNI Overlay with Cilium network policy; nodes without public IPs; outbound through the
  environment's NAT gateway (egress nat) or none at all (egress none: a network-isolated cluster
  that bootstraps from a private registry cache).
- Patch-version upgrades and node image upgrades run by AKS; the node resource group is read-only.
- Its own user-assigned identities for the control plane and the kubelet, granted before the
  cluster exists (KMS "doesn't work with system-assigned managed identity ... the key vault access
  policy must be set before the feature is turned on").

Sources (pinned by tests/azure/test_azure_kubernetes*.py):
- https://learn.microsoft.com/azure/aks/use-kms-etcd-encryption: key id with its version; a
  private key vault needs API Server VNet Integration (Konnectivity no longer supported for new
  subscriptions); Key Vault Crypto User for the cluster identity (RBAC vaults); user-assigned identity.
- https://learn.microsoft.com/azure/aks/api-server-vnet-integration: delegated subnet (>= /28) for
  the API server; private cluster mode; the cluster identity needs Network Contributor on it.
- https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad and
  https://learn.microsoft.com/azure/aks/manage-azure-rbac: disableLocalAccounts, aadProfile managed
  with enableAzureRBAC.
- https://learn.microsoft.com/azure/aks/workload-identity-deploy-cluster: oidcIssuerProfile and
  securityProfile.workloadIdentity.
- https://learn.microsoft.com/azure/defender-for-cloud/defender-for-containers-enable:
  securityProfile.defender with the workspace and securityMonitoring.
- https://learn.microsoft.com/azure/aks/auto-upgrade-cluster and auto-upgrade-node-os-image:
  upgradeChannel patch, nodeOSUpgradeChannel NodeImage.
- https://learn.microsoft.com/azure/aks/node-resource-group-lockdown: restrictionLevel ReadOnly.
- https://learn.microsoft.com/azure/aks/concepts-network-isolated: outboundType none with the
  bootstrap artifact source Cache.
- https://learn.microsoft.com/azure/aks/supported-kubernetes-versions: the minor version (the
  service picks the patch).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
from pulumi_azure_native import authorization, containerservice, managedidentity

from hardstack.components.azure import roles
from hardstack.components.azure.aks_pools import SYSTEM_NODES, SYSTEM_SIZE, PoolSpec, pool_name, pool_profile
from hardstack.components.azure.container_insights import container_insights
from hardstack.components.azure.diagnostics import send_to_workspace
from hardstack.components.azure.network import POD_CIDR, SERVICE_CIDR

DNS_SERVICE_IP = "172.17.0.10"  # inside SERVICE_CIDR
UPGRADE_CHANNEL = "patch"
NODE_OS_UPGRADE_CHANNEL = "NodeImage"


@dataclass
class AksClusterArgs:
    subscription_id: str
    resource_group_name: pulumi.Input[str]
    location: str
    cluster_name: str
    version: str  # a minor, e.g. "1.35"
    tenant_id: pulumi.Input[str]
    node_subnet_id: pulumi.Input[str]
    apiserver_subnet_id: pulumi.Input[str]
    vault_id: pulumi.Input[str]
    kms_key_id: pulumi.Input[str]  # the key's ARM id (grant scope)
    kms_key_uri_with_version: pulumi.Input[str]  # what KMS takes
    workspace_id: pulumi.Input[str]
    pools: Sequence[PoolSpec]
    # Object ids of the Entra groups whose members administer the cluster. Required: with local accounts off and
    # Azure RBAC deciding, nobody else can use the Kubernetes API, subscription Owners included.
    admins: Sequence[str] = ()
    egress: Literal["none", "nat"] = "nat"
    subnets_ready: Sequence[pulumi.Resource] = ()  # the subnets' NSG/NAT settings, before the cluster
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.admins:
            raise ValueError("an AKS cluster with local accounts off needs admins (Entra group object ids): without an "
                             "AKS RBAC role nobody can use its Kubernetes API (learn.microsoft.com/azure/aks/"
                             "manage-azure-rbac)")
        systems = [p for p in self.pools if p.system]
        if len(systems) != 1:
            raise ValueError(f"an AKS cluster needs exactly one system pool here, got {len(systems)}")
        names = [pool_name(p.name) for p in self.pools]
        if len(set(names)) != len(names):
            raise ValueError(f"node pool names collide once made AKS names (12 lowercase letters/digits): {names}")


def system_pool(pools: Sequence[PoolSpec]) -> Sequence[PoolSpec]:
    """Make the first CPU pool of two or more nodes the system pool, or add a small dedicated SEV-SNP
    one: a GPU pool never hosts CoreDNS and the other system pods."""
    for pool in pools:
        if not pool.gpu and pool.count >= 2:
            pool.system = True
            return pools
    system = PoolSpec("system", SYSTEM_SIZE, SYSTEM_NODES, "sev-snp", zones=next(
        (p.zones for p in pools if not p.gpu), ()), system=True, dedicated_system=True)
    return [system, *pools]


class AksCluster(pulumi.ComponentResource):
    cluster: containerservice.ManagedCluster
    pools: dict[str, containerservice.AgentPool]
    control_plane_identity: managedidentity.UserAssignedIdentity
    kubelet_identity: managedidentity.UserAssignedIdentity
    grants: dict[str, authorization.RoleAssignment]

    def __init__(self, name: str, args: AksClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:azure:AksCluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        rg = args.resource_group_name
        self.control_plane_identity = managedidentity.UserAssignedIdentity(
            f"{name}-cp", resource_name_=f"id-{name}-cp", resource_group_name=rg, location=args.location,
            tags={**tags, "purpose": "aks-control-plane"}, opts=child,
        )
        self.kubelet_identity = managedidentity.UserAssignedIdentity(
            f"{name}-kubelet", resource_name_=f"id-{name}-kubelet", resource_group_name=rg, location=args.location,
            tags={**tags, "purpose": "aks-kubelet"}, opts=child,
        )
        principal = self.control_plane_identity.principal_id
        wanted = {
            "kms-key": roles.Grant(roles.KEY_VAULT_CRYPTO_USER, args.kms_key_id),
            "kms-vault": roles.Grant(roles.KEY_VAULT_CONTRIBUTOR, args.vault_id),
            "node-subnet": roles.Grant(roles.NETWORK_CONTRIBUTOR, args.node_subnet_id),
            "apiserver-subnet": roles.Grant(roles.NETWORK_CONTRIBUTOR, args.apiserver_subnet_id),
            "kubelet-identity": roles.Grant(roles.MANAGED_IDENTITY_OPERATOR, self.kubelet_identity.id),
        }
        # Granted before the cluster: KMS checks its key access when it is turned on, and AKS joins the
        # subnets and hands out the kubelet identity at creation.
        self.grants = {purpose: roles.assign(f"{name}-{purpose}", args.subscription_id, principal, grant, parent=self)
                       for purpose, grant in wanted.items()}
        pools = list(args.pools)
        system = next(p for p in pools if p.system)
        profile = {"name": pool_name(system.name), **pool_profile(system, args.node_subnet_id, args.version)}
        network = {
            "network_plugin": "azure", "network_plugin_mode": "overlay",
            "network_policy": "cilium", "network_dataplane": "cilium",
            "pod_cidr": POD_CIDR, "service_cidr": SERVICE_CIDR, "dns_service_ip": DNS_SERVICE_IP,
            "load_balancer_sku": "standard",
            "outbound_type": "userAssignedNATGateway" if args.egress == "nat" else "none",
        }
        extra: dict[str, object] = {}
        if args.egress == "none":
            # Network isolated: images of the AKS bootstrap come from a private registry cache.
            extra["bootstrap_profile"] = {"artifact_source": "Cache"}
        self.cluster = containerservice.ManagedCluster(
            f"{name}-aks", resource_name_=args.cluster_name, resource_group_name=rg, location=args.location,
            dns_prefix=args.cluster_name, kubernetes_version=args.version,
            sku={"name": "Base", "tier": "Standard"},
            identity={"type": "UserAssigned", "user_assigned_identities": [self.control_plane_identity.id]},
            identity_profile={"kubeletidentity": {
                "resource_id": self.kubelet_identity.id, "client_id": self.kubelet_identity.client_id,
                "object_id": self.kubelet_identity.principal_id,
            }},
            enable_rbac=True, disable_local_accounts=True,
            aad_profile={"managed": True, "enable_azure_rbac": True, "tenant_id": args.tenant_id},
            api_server_access_profile={
                "enable_private_cluster": True, "enable_private_cluster_public_fqdn": False,
                "enable_vnet_integration": True, "subnet_id": args.apiserver_subnet_id,
                "private_dns_zone": "system", "disable_run_command": True,
            },
            oidc_issuer_profile={"enabled": True},
            security_profile={
                "workload_identity": {"enabled": True},
                "azure_key_vault_kms": {
                    "enabled": True, "key_id": args.kms_key_uri_with_version,
                    "key_vault_network_access": "Private", "key_vault_resource_id": args.vault_id,
                },
                "defender": {"log_analytics_workspace_resource_id": args.workspace_id,
                             "security_monitoring": {"enabled": True}},
                "image_cleaner": {"enabled": True, "interval_hours": 168},
            },
            addon_profiles={
                "omsagent": {"enabled": True, "config": {"logAnalyticsWorkspaceResourceID": args.workspace_id,
                                                         "useAADAuth": "true"}},
                "azurepolicy": {"enabled": True},
                # The Secrets Store CSI driver mounts Key Vault secrets into pods (as their workload
                # identity) and refreshes them every two minutes
                # (https://learn.microsoft.com/azure/aks/csi-secrets-store-configuration-options).
                "azureKeyvaultSecretsProvider": {"enabled": True, "config": {
                    "enableSecretRotation": "true", "rotationPollInterval": "2m"}},
            },
            network_profile=network,
            auto_upgrade_profile={"upgrade_channel": UPGRADE_CHANNEL,
                                  "node_os_upgrade_channel": NODE_OS_UPGRADE_CHANNEL},
            node_resource_group=f"rg-{args.cluster_name}-nodes",
            node_resource_group_profile={"restriction_level": "ReadOnly"},
            agent_pool_profiles=[profile],
            tags=tags,
            **extra,
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[*self.grants.values(), *args.subnets_ready],
                # The user pools are AgentPool resources of their own; the cluster's list would
                # otherwise report them as drift (azure-native's guidance for separate agent pools).
                ignore_changes=["agentPoolProfiles"],
            ),
        )
        self.pools = {}
        for pool in pools:
            if pool.system:
                continue
            self.pools[pool.name] = containerservice.AgentPool(
                f"{name}-{pool.name}", agent_pool_name=pool_name(pool.name), resource_name_=self.cluster.name,
                resource_group_name=rg, **pool_profile(pool, args.node_subnet_id, args.version), opts=child,
            )
        # The admins, on this cluster only: Kubernetes objects through Azure RBAC, and the user kubeconfig.
        for index, admin in enumerate(args.admins):
            for purpose, role in (("rbac-admin", roles.AKS_RBAC_CLUSTER_ADMIN), ("user", roles.AKS_CLUSTER_USER)):
                self.grants[f"admin-{index}-{purpose}"] = roles.assign(
                    f"{name}-admin-{index}-{purpose}", args.subscription_id, admin,
                    roles.Grant(role, self.cluster.id), parent=self, principal_type="Group")
        send_to_workspace(f"{name}-aks-diag", self.cluster.id, args.workspace_id, parent=self)
        self.insights = container_insights(name, self.cluster.id, rg, args.location, args.workspace_id, tags, self)
        self.id = self.cluster.id
        self.register_outputs({"cluster_id": self.cluster.id, "pool_ids": {n: p.id for n, p in self.pools.items()}})
