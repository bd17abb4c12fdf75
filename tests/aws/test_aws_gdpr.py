"""GDPR residency on AWS: outside the EU/EEA only with a recorded chapter V transfer basis."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from aws_helpers import AWS_STACK

from hardstack.spec import SpecError, loads


def spec_text(region: str, exemption: str = "") -> str:
    text, count = re.subn(r"(?m)^    region: .*$", f"    region: {region}", AWS_STACK.read_text())
    assert count == 1
    assert "    exemptions:\n" in text
    return text.replace("    exemptions:\n", f"    exemptions:{exemption}\n")


def test_gdpr_outside_eu_rejected_with_the_way_out() -> None:
    with pytest.raises(SpecError) as err:
        loads(spec_text("us-east-2"), Path("Pulumi.aws-prod-eu.yaml"))
    (issue,) = [i for i in err.value.issues if i.field == "region"]
    assert "outside the EU/EEA" in issue.message and "gdpr-data-residency" in issue.message
    assert issue.line == spec_text("us-east-2").splitlines().index("    region: us-east-2") + 1


def test_gdpr_outside_eu_accepted_with_a_transfer_exemption() -> None:
    expires = (dt.date.today() + dt.timedelta(days=180)).isoformat()
    exemption = (
        "\n      - rule: gdpr-data-residency\n        resource: aws-prod-eu\n"
        "        reason: Standard contractual clauses (EU 2021/914) signed with the US processor\n"
        f"        expires: {expires}\n"
        "        approved_by: dpo@example.com"
    )
    env = loads(spec_text("us-east-2", exemption), Path("Pulumi.aws-prod-eu.yaml")).environment
    assert env.region == "us-east-2"


def test_expired_transfer_exemption_does_not_count() -> None:
    exemption = (
        "\n      - rule: gdpr-data-residency\n        resource: aws-prod-eu\n"
        "        reason: Standard contractual clauses (EU 2021/914) signed with the US processor\n"
        "        expires: 2020-01-31\n"
        "        approved_by: dpo@example.com"
    )
    with pytest.raises(SpecError, match="outside the EU/EEA"):
        loads(spec_text("us-east-2", exemption), Path("Pulumi.aws-prod-eu.yaml"))
