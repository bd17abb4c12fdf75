"""HS_GCP_16: enabled APIs are never switched off when the stack is destroyed or replaced.

Turning off logging.googleapis.com or cloudkms.googleapis.com on destroy would silence audit
logging and strand encrypted data for everything else in the project; checkov has no check
for google_project_service."""

from __future__ import annotations

from typing import Any

from _values import first
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class GcpProjectServiceKeptOnDestroy(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure project services stay enabled when the stack is destroyed",
            id="HS_GCP_16", categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["google_project_service"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        off_on_destroy = first(conf.get("disable_on_destroy"))
        # The provider's default is true: only an explicit false keeps the API on.
        return CheckResult.PASSED if off_on_destroy is False else CheckResult.FAILED


check = GcpProjectServiceKeptOnDestroy()
