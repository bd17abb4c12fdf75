"""Azure audit logging: one Log Analytics workspace that only Entra ID callers reach, keeping the
audit tables long enough, and fed by the activity log and by the diagnostics of every vault,
storage account, NSG and VM of the stack."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..azure.tokens import (
    ACCOUNT,
    ACTIVITY_LOG,
    BLOB_SERVICE,
    DIAGNOSTIC,
    NSG,
    TABLE,
    VAULT,
    VM,
    WORKSPACE,
    enabled,
)
from ..relations import configured, of_type, references
from ..rule import resource_rule, stack_rule
from ..values import number

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

AUDIT = {"hipaa": ["164.312(b)", "164.308(a)(1)(ii)(D)"], "gdpr": ["30", "32(1)(d)"],
         "nist-800-53": ["AU-2", "AU-12"]}
# Tables that hold the audit trail: the activity log, Key Vault and blob access, NSG events
# (AzureDiagnostics: NSGs have no resource-specific tables) and queries of the workspace itself.
AUDIT_TABLES = ("AzureActivity", "AZKVAuditLogs", "StorageBlobLogs", "AzureDiagnostics", "LAQueryLogs")
WORKSPACE_DEFAULT_DAYS = 30
ACTIVITY_CATEGORIES = ("Administrative", "Security", "Policy")


@resource_rule(
    id="azure-log-analytics-local-auth-disabled", title="Log Analytics workspaces accept Entra ID callers only",
    severity="high", cloud="azure", practice="access", types=[WORKSPACE],
    controls={"hipaa": ["164.312(d)"], "nist-800-53": ["AU-9", "IA-2"], "gdpr": ["32(1)(b)"]},
    remediation="Set features.disable_local_auth=True: shared workspace keys let anyone holding one write "
    "(or forge) audit records.",
)
def local_auth(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if (props.get("features") or {}).get("disableLocalAuth") is not True:
        yield "local (shared key) authentication is on: workspace keys can ingest and query audit data"


def _positive(value: Any) -> int | None:
    # Tables take -1 for "as the workspace" (retention) and "as interactive" (total retention).
    return int(value) if isinstance(value, int | float) and value > 0 else None


@stack_rule(
    id="azure-log-analytics-retention", title="Audit tables keep logs at least N days", severity="medium",
    cloud="azure", practice="compliance", controls={"hipaa": ["164.316(b)(2)(i)"], "nist-800-53": ["AU-11"]},
    remediation="Keep the workspace's retention_in_days, or each audit table's total_retention_in_days (interactive "
    "plus long-term, up to 12 years), at least the minimum (HIPAA pack: 2190); components.azure.AuditWorkspace "
    "sets logging.retention_days per audit table.",
    config={"minimumDays": {"type": "integer", "default": 365, "minimum": 30}},
)
def retention(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    minimum = config["minimumDays"]
    for workspace in of_type(resources, WORKSPACE):
        ws_days = _positive(workspace.props.get("retentionInDays")) or WORKSPACE_DEFAULT_DAYS
        tables = configured(resources, workspace, TABLE, "workspaceName")
        for table in tables:
            interactive = _positive(table.props.get("retentionInDays")) or ws_days
            kept = _positive(table.props.get("totalRetentionInDays")) or interactive
            if kept < minimum:
                yield (f"table {table.props.get('tableName', table.name)} of workspace {workspace.name} keeps "
                       f"{number(kept)} days; the minimum is {number(minimum)}"), table.urn
        if ws_days < minimum:
            named = {t.props.get("tableName") for t in tables}
            inheriting = [t for t in AUDIT_TABLES if t not in named]
            if inheriting:
                yield (f"workspace {workspace.name} keeps {ws_days} days, and so do its audit tables "
                       f"{', '.join(inheriting)}; the minimum is {number(minimum)}"), workspace.urn


@resource_rule(
    id="azure-diagnostic-setting-to-workspace", title="Diagnostic settings send enabled logs or metrics to a "
    "workspace", severity="medium", cloud="azure", practice="monitoring", types=[DIAGNOSTIC, ACTIVITY_LOG],
    controls=AUDIT,
    remediation="Set workspace_id and enable the allLogs category group (and AllMetrics where the type has metrics).",
)
def setting_to_workspace(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if not props.get("workspaceId"):
        yield "sends to no Log Analytics workspace"
    if not enabled(props.get("logs")) and not enabled(props.get("metrics")):
        yield "enables no log category and no metric"


# (type, what to call it, whether logs are required: VMs and accounts have metrics only)
DIAGNOSED = ((VAULT, "vault", True), (NSG, "network security group", True), (VM, "VM", False),
             (ACCOUNT, "storage account", False),
             # The AI platform: who used the workspace, called the models, pulled images, scored.
             ("azure-native:machinelearningservices:Workspace", "Azure Machine Learning workspace", True),
             ("azure-native:machinelearningservices:OnlineEndpoint", "online endpoint", True),
             ("azure-native:cognitiveservices:Account", "Azure OpenAI account", True),
             ("azure-native:containerregistry:Registry", "container registry", True),
             # The AKS control plane: kube-audit, kube-audit-admin, kube-apiserver, guard, ...
             ("azure-native:containerservice:ManagedCluster", "AKS cluster", True))


@stack_rule(
    id="azure-diagnostics-to-workspace", title="Vaults, storage, NSGs, VMs and AI platform services send diagnostics "
    "to a workspace of this stack", severity="high", cloud="azure", practice="monitoring", controls=AUDIT,
    remediation="Add a monitor.DiagnosticSetting per resource (and per blob service) with the stack's workspace "
    "(components.azure.diagnostics.send_to_workspace).",
)
def diagnostics(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    workspaces = of_type(resources, WORKSPACE)

    def settings(target: PolicyResource) -> list[PolicyResource]:
        return [d for d in configured(resources, target, DIAGNOSTIC, "resourceUri")
                if any(references(d, "workspaceId", w) for w in workspaces)]

    for token, kind, logs in DIAGNOSED:
        for target in of_type(resources, token):
            found = settings(target)
            sent = [d for d in found if enabled(d.props.get("logs")) or (not logs and enabled(d.props.get("metrics")))]
            if not sent:
                what = "audit logs" if logs else "diagnostics"
                yield f"{kind} {target.name} sends no {what} to a workspace of this stack", target.urn
    for account in of_type(resources, ACCOUNT):
        services = configured(resources, account, BLOB_SERVICE, "accountName")
        # Blob reads, writes and deletes are logged by the blob service, not by the account.
        if not any(enabled(d.props.get("logs")) for s in services for d in settings(s)):
            yield f"storage account {account.name} logs no blob reads and writes to a workspace of this stack", \
                account.urn


@stack_rule(
    id="azure-activity-log-to-workspace", title="The subscription activity log reaches a workspace of this stack",
    severity="high", cloud="azure", practice="monitoring", controls=AUDIT,
    remediation="Add a monitor.SubscriptionDiagnosticSetting with the Administrative, Security and Policy "
    "categories and the stack's workspace (components.azure.AuditWorkspace).",
)
def activity_log(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    workspaces = of_type(resources, WORKSPACE)
    settings = [s for s in of_type(resources, ACTIVITY_LOG) if any(references(s, "workspaceId", w) for w in workspaces)]
    if not settings:
        yield "the subscription activity log (who changed what) reaches no workspace of this stack", None
        return
    sent = {e.get("category") for s in settings for e in enabled(s.props.get("logs"))}
    missing = [c for c in ACTIVITY_CATEGORIES if c not in sent]
    if missing:
        yield f"activity log categories {', '.join(missing)} reach no workspace of this stack", settings[0].urn
