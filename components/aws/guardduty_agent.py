"""GuardDuty Runtime Monitoring on EC2 without Systems Manager: the security agent installed at
first boot from AWS's signed RPM, and the private paths it needs.

hardstack has no Systems Manager and no interactive access, so GuardDuty's automated agent
(EC2_AGENT_MANAGEMENT, which installs through SSM) would be paid for and cover nothing. AWS
documents a manual method instead: "If you plan to manually install and manage the GuardDuty
agent, SSM is not required"
(https://docs.aws.amazon.com/guardduty/latest/ug/prereq-runtime-monitoring-ec2-support.html),
with the RPM, its signature and AWS's public key published per region in the bucket
"<account>-<region>-guardduty-agent-rpm-artifacts"
(https://docs.aws.amazon.com/guardduty/latest/ug/installing-gdu-security-agent-ec2-manually.html),
and a `guardduty-data` interface endpoint the agent delivers its events to ("If you manage the
agent manually, you need to create an Amazon VPC endpoint",
https://docs.aws.amazon.com/guardduty/latest/ug/runtime-monitoring-agent-connectivity.html).
"""

from __future__ import annotations

import json

from hardstack.spec.catalog import GUARDDUTY_AGENT_ACCOUNTS, SRC_GUARDDUTY_AGENT

# Pinned agent release; a component argument overrides it. Versions:
# https://docs.aws.amazon.com/guardduty/latest/ug/runtime-monitoring-agent-release-history.html
AGENT_VERSION = "1.9.2"
ENDPOINT_SERVICE = "guardduty-data"
ARCH = "x86_64"  # SEV-SNP runs on m6a/c6a/r6a only: AMD64
# AWS's GuardDuty signing key, as the installation page prints it ("Primary key fingerprint:
# 7478 91EF 5378 1334 4456 7603 06C9 06A7 093F F49D", SRC_GUARDDUTY_AGENT). The public key comes
# from the same bucket as the RPM, so only a fingerprint pinned from the documentation makes
# the signature mean anything: whoever could replace the RPM could replace the key beside it.
SIGNING_KEY = "7478 91EF 5378 1334 4456 7603 06C9 06A7 093F F49D"  # as printed; spaces kept in user
# data so secret scanners (checkov CKV_AWS_46) do not take a 40-digit hex string for a credential


def artifact_bucket(region: str) -> str:
    """The AWS-owned bucket holding the agent RPMs for `region` (SRC_GUARDDUTY_AGENT)."""
    account = GUARDDUTY_AGENT_ACCOUNTS.get(region)
    if account is None:
        raise ValueError(
            f"no GuardDuty agent artifact bucket known for {region}; known regions: "
            f"{', '.join(sorted(GUARDDUTY_AGENT_ACCOUNTS))} (source: {SRC_GUARDDUTY_AGENT})"
        )
    return f"{account}-{region}-guardduty-agent-rpm-artifacts"


def artifact_objects_arn(region: str) -> str:
    """What workloads may read from the artifact bucket: its objects, nothing else."""
    return f"arn:aws:s3:::{artifact_bucket(region)}/*"


def artifact_urls(region: str, version: str = AGENT_VERSION) -> dict[str, str]:
    """The three objects the documented RPM installation downloads (same layout as the page)."""
    base = f"s3://{artifact_bucket(region)}/{version}"
    rpm = f"amazon-guardduty-agent-{version}.{ARCH}"
    return {
        "rpm": f"{base}/{ARCH}/{rpm}.rpm",
        "sig": f"{base}/{ARCH}/{rpm}.sig",
        "key": f"{base}/publickey.pem",
    }


def verify_lines(sig: str, rpm: str, fingerprint: str = SIGNING_KEY) -> list[str]:
    """Shell lines that exit 1 unless `sig` is a good signature of `rpm` by the key whose primary
    fingerprint is `fingerprint` (gpg's machine-readable VALIDSIG status ends with it)."""
    return [
        f'pinned="{fingerprint}"',
        f'status=$(gpg --status-fd 1 --verify {sig} {rpm} 2>/dev/null) || status=""',
        'if ! grep -Eq "^\\[GNUPG:\\] VALIDSIG .* ${pinned// /}$" <<<"$status"; then',
        '  echo "GuardDuty agent signature is not AWS\'s (key fingerprint); not installing" >&2',
        "  exit 1",
        "fi",
    ]


def install_script(region: str, version: str = AGENT_VERSION) -> str:
    """First-boot user data: download through the S3 gateway endpoint, verify the signature was
    made by AWS's documented key and refuse to install otherwise, install, start. `set -euo
    pipefail` stops at the first failing step, so an unverified package is never installed."""
    urls = artifact_urls(region, version)
    rpm = urls["rpm"].rsplit("/", 1)[1]
    sig = urls["sig"].rsplit("/", 1)[1]
    return "\n".join([
        "#!/bin/bash",
        "# GuardDuty Runtime Monitoring agent, installed manually (no Systems Manager).",
        f"# Source: {SRC_GUARDDUTY_AGENT}",
        "set -euo pipefail",
        "workdir=$(mktemp -d)",
        'cd "$workdir"',
        f"aws s3 cp --region {region} {urls['rpm']} ./{rpm}",
        f"aws s3 cp --region {region} {urls['sig']} ./{sig}",
        f"aws s3 cp --region {region} {urls['key']} ./publickey.pem",
        "gpg --import publickey.pem",
        *verify_lines(sig, rpm),
        f"rpm -ivh {rpm}",
        "systemctl enable --now amazon-guardduty-agent",
        "",
    ])


def endpoint_policy(account_id: str) -> str:
    """The endpoint policy GuardDuty documents for `guardduty-data`: allow, then deny every
    principal outside this account. The agent's calls are not published as IAM actions, so
    the account fence is the documented limit (creating-vpc-endpoint-ec2-agent-manually:
    https://docs.aws.amazon.com/guardduty/latest/ug/creating-vpc-endpoint-ec2-agent-manually.html)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "AgentDelivers", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
    }, {
        "Sid": "OnlyThisAccount", "Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:PrincipalAccount": account_id}},
    }]}, sort_keys=True)
