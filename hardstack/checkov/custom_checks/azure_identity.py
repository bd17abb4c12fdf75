"""HS_AZ_20, HS_AZ_21: role assignments grant no privileged role and no subscription- or
group-wide scope. checkov's ARM checks look at custom role definitions, never at assignments."""

from __future__ import annotations

import re
from typing import Any

from azure_values import get
from checkov.arm.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

ROLE_ASSIGNMENT = "Microsoft.Authorization/roleAssignments"
# Built-in role definition ids, the same in every tenant: Owner, Contributor, User Access
# Administrator, Role Based Access Control Administrator.
PRIVILEGED_ROLES = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
}
# A resource id: below a resource group, a provider namespace and a resource.
RESOURCE_SCOPE = re.compile(r"/resourceGroups/[^/]+/providers/[^/]+/[^/]+/[^/]+", re.IGNORECASE)


class AzureRoleNotPrivileged(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure role assignments grant no Owner, Contributor or access-administration role",
            id="HS_AZ_20", categories=[CheckCategories.IAM], supported_resources=[ROLE_ASSIGNMENT],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/roleDefinitionId"]
        role = str(get(conf, "properties/roleDefinitionId") or "").rstrip("/").rsplit("/", 1)[-1].lower()
        return CheckResult.FAILED if not role or role in PRIVILEGED_ROLES else CheckResult.PASSED


class AzureRoleResourceScope(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure role assignments are scoped to one resource, not a subscription or resource group",
            id="HS_AZ_21", categories=[CheckCategories.IAM], supported_resources=[ROLE_ASSIGNMENT],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        # An extension resource's target is its top-level scope; a template without one assigns
        # at the scope it is deployed to, a resource group at the narrowest.
        self.evaluated_keys = ["scope"]
        return CheckResult.PASSED if RESOURCE_SCOPE.search(str(conf.get("scope") or "")) else CheckResult.FAILED


not_privileged = AzureRoleNotPrivileged()
resource_scope = AzureRoleResourceScope()
