"""The README's component example runs as written, offline, and does what it says."""

from __future__ import annotations

import re

from aws_helpers import ROOT

from hardstack.render import Target, render_program

MARKER = "<!-- readme-example: aws-compose -->"


def readme_example() -> str:
    text = (ROOT / "README.md").read_text()
    match = re.search(re.escape(MARKER) + r"\s*```python\n(.*?)```", text, re.S)
    assert match, "README lost its component example"
    return match.group(1)


def test_readme_example_composes_key_and_buckets() -> None:
    code = readme_example()
    graph = render_program(
        lambda: exec(compile(code, "README.md", "exec"), {}),  # the README is our own text
        "readme", Target(cloud="aws", region="eu-central-1", account="123456789012"),
    ).graph
    (key,) = graph.of_type("aws:kms/key:Key")
    assert key.inputs["enableKeyRotation"] is True
    buckets = {b.inputs["bucket"]: b for b in graph.of_type("aws:s3/bucket:Bucket")}
    assert set(buckets) == {"team-access-logs-123456789012", "team-datasets-123456789012"}
    sse = [r for r in graph.of_type(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
        if key.urn in r.dependencies]
    assert len(sse) == 1  # the datasets bucket, encrypted with the example's key
    logging = graph.of_type("aws:s3/bucketLogging:BucketLogging")
    assert [r.inputs["targetBucket"] for r in logging] == ["team-access-logs-123456789012"]
    # ... and the access logs are delivered: the target's policy lets S3's logging service write them
    from hardstack.policy.harness import check_stack
    from hardstack.rules.aws.storage import access_log_delivery

    assert check_stack(access_log_delivery, graph) == []
    (provider,) = graph.of_type("pulumi:providers:aws")
    assert all(r.provider_urn == provider.urn for r in graph if r.custom and r is not provider)
