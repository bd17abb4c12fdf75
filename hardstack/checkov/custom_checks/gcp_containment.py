"""Checks for the containment responder's pieces that checkov does not judge.

HS_GCP_17: custom roles grant nothing that lets their holder act as another identity or change
  who may do what (impersonating a service account, minting its tokens or keys, setting IAM
  policies, editing roles): a responder holding them could reach further than containment.
  The impersonation permissions are those of https://cloud.google.com/iam/docs/service-account-permissions.
HS_GCP_18: grants on a service account give no member the right to act as it or create its
  tokens or keys, and never reach allUsers or allAuthenticatedUsers.
HS_GCP_19: a Cloud Run function (2nd gen) runs, and is triggered, as a service account of its
  own, never the Compute Engine default account (which holds Editor unless deprivileged).
HS_GCP_20: nobody outside the project may invoke a Cloud Run service (a function's endpoint):
  no run.invoker for allUsers or allAuthenticatedUsers (checkov has no check for the v2 IAM
  resources)."""

from __future__ import annotations

from typing import Any

from _values import block, first
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

ESCALATING = frozenset({
    "iam.serviceAccounts.actAs", "iam.serviceAccounts.getAccessToken", "iam.serviceAccounts.getOpenIdToken",
    "iam.serviceAccounts.implicitDelegation", "iam.serviceAccounts.signBlob", "iam.serviceAccounts.signJwt",
    "iam.serviceAccountKeys.create", "iam.serviceAccounts.setIamPolicy", "iam.roles.create", "iam.roles.update",
    "resourcemanager.projects.setIamPolicy", "resourcemanager.folders.setIamPolicy",
    "resourcemanager.organizations.setIamPolicy",
})
ACTING_ROLES = frozenset({
    "roles/owner", "roles/editor", "roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator",
    "roles/iam.serviceAccountKeyAdmin", "roles/iam.serviceAccountAdmin", "roles/iam.workloadIdentityUser",
})
PUBLIC = frozenset({"allUsers", "allAuthenticatedUsers"})
DEFAULT_COMPUTE_ACCOUNT = "-compute@developer.gserviceaccount.com"


def _members(conf: dict[str, Any]) -> list[str]:
    members = first(conf.get("members"))
    found = list(members) if isinstance(members, list) else [members] if members else []
    member = first(conf.get("member"))
    return [str(m) for m in [*found, member] if m]


class GcpCustomRoleNoEscalation(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure custom roles cannot impersonate service accounts or change IAM policies",
            id="HS_GCP_17", categories=[CheckCategories.IAM],
            supported_resources=["google_project_iam_custom_role", "google_organization_iam_custom_role"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        permissions = first(conf.get("permissions"))
        permissions = permissions if isinstance(permissions, list) else [permissions]
        return CheckResult.FAILED if ESCALATING & {str(p) for p in permissions} else CheckResult.PASSED


class GcpServiceAccountGrantNoActing(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure grants on service accounts do not let members act as them or reach the public",
            id="HS_GCP_18", categories=[CheckCategories.IAM],
            supported_resources=["google_service_account_iam_member", "google_service_account_iam_binding"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        role = str(first(conf.get("role")) or "")
        if role in ACTING_ROLES or PUBLIC & set(_members(conf)):
            return CheckResult.FAILED
        return CheckResult.PASSED


class GcpFunctionOwnServiceAccounts(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Cloud Run functions run and are triggered as service accounts of their own",
            id="HS_GCP_19", categories=[CheckCategories.IAM],
            supported_resources=["google_cloudfunctions2_function"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        runtime = str(first(block(conf, "service_config").get("service_account_email")) or "")
        if not runtime or runtime.endswith(DEFAULT_COMPUTE_ACCOUNT):
            return CheckResult.FAILED
        trigger = block(conf, "event_trigger")
        if trigger:
            invoker = str(first(trigger.get("service_account_email")) or "")
            if not invoker or invoker.endswith(DEFAULT_COMPUTE_ACCOUNT):
                return CheckResult.FAILED
        return CheckResult.PASSED


class GcpCloudRunNotPublic(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Cloud Run services (function endpoints) cannot be invoked by the public",
            id="HS_GCP_20", categories=[CheckCategories.IAM],
            supported_resources=["google_cloud_run_v2_service_iam_member", "google_cloud_run_v2_service_iam_binding",
                                 "google_cloudfunctions2_function_iam_member",
                                 "google_cloudfunctions2_function_iam_binding"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return CheckResult.FAILED if PUBLIC & set(_members(conf)) else CheckResult.PASSED


custom_role_check = GcpCustomRoleNoEscalation()
service_account_grant_check = GcpServiceAccountGrantNoActing()
function_accounts_check = GcpFunctionOwnServiceAccounts()
check = GcpCloudRunNotPublic()
