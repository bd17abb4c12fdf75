"""The GCP components work without a spec or a blueprint: a team's own Pulumi program that
composes a key ring and two buckets renders offline with every secure default in place.

EXAMPLE is the program proposed for the README's GCP section; once it is there, this test can
read it from the README instead (see tests/aws/test_aws_readme_example.py).
"""

from __future__ import annotations

from hardstack.render import Target, render_program

EXAMPLE = '''
import pulumi
import pulumi_gcp as gcp

from components.gcp import KeyRing, KeyRingArgs, SecureBucket, SecureBucketArgs, ServiceAgents, ServiceAgentsArgs

PROJECT, REGION = "team-ml-4711", "europe-west4"
provider = gcp.Provider("team", project=PROJECT, region=REGION)
opts = pulumi.ResourceOptions(provider=provider)

agents = ServiceAgents("team-services", ServiceAgentsArgs(project=PROJECT), opts=opts)
keys = KeyRing("team-keys", KeyRingArgs(
    project=PROJECT, location=REGION, ring_name="team-keys",
    users={"data": [agents.members["storage"]]},  # only Cloud Storage's agent encrypts
), opts=opts)
access_logs = SecureBucket("team-access-logs", SecureBucketArgs(
    bucket_name=f"{PROJECT}-access-logs", project=PROJECT, location=REGION, kind="access-logs",
    kms_key_id=keys.ids["data"], retention_days=400,
), opts=opts)
datasets = SecureBucket("team-datasets", SecureBucketArgs(
    bucket_name=f"{PROJECT}-datasets", project=PROJECT, location=REGION, kind="datasets",
    kms_key_id=keys.ids["data"], access_log_bucket=access_logs.name,
    readers=["serviceAccount:trainer@team-ml-4711.iam.gserviceaccount.com"],
), opts=opts)
pulumi.export("datasets_bucket", datasets.name)
'''


def test_components_compose_outside_a_blueprint() -> None:
    graph = render_program(
        lambda: exec(compile(EXAMPLE, "example.py", "exec"), {}),  # our own example text
        "gcp-alone", Target(cloud="gcp", region="europe-west4", account="team-ml-4711"),
    ).graph
    (key,) = graph.of_type("gcp:kms/cryptoKey:CryptoKey")
    assert key.inputs["rotationPeriod"] == "7776000s"
    assert key.inputs["versionTemplate"]["protectionLevel"] == "HSM"
    assert key.inputs["deletionPolicy"] == "PREVENT"
    buckets = {b.inputs["name"]: b.inputs for b in graph.of_type("gcp:storage/bucket:Bucket")}
    assert set(buckets) == {"team-ml-4711-access-logs", "team-ml-4711-datasets"}
    key_id = f"{key.inputs['keyRing']}/cryptoKeys/{key.inputs['name']}"
    for bucket in buckets.values():
        assert bucket["encryption"]["defaultKmsKeyName"] == key_id
        assert bucket["publicAccessPrevention"] == "enforced"
        assert bucket["uniformBucketLevelAccess"] is True
    assert buckets["team-ml-4711-datasets"]["logging"]["logBucket"] == "team-ml-4711-access-logs"
    (provider,) = graph.of_type("pulumi:providers:gcp")
    assert all(r.provider_urn == provider.urn for r in graph if r.custom and r is not provider)
