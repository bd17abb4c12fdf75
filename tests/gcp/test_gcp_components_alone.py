"""The GCP components work without a spec or a blueprint: a team's own Pulumi program that
composes a key ring and two buckets renders offline with every secure default in place.

The program is the README's GCP example, read from the README so the README stays true.
"""

from __future__ import annotations

import re
from pathlib import Path

from hardstack.render import Target, render_program

MARKER = "<!-- readme-example: gcp-compose -->"
README = Path(__file__).resolve().parents[2] / "README.md"


def readme_example() -> str:
    match = re.search(re.escape(MARKER) + r"\s*```python\n(.*?)```", README.read_text(), re.S)
    assert match, "README lost its GCP component example"
    return match.group(1)


def test_components_compose_outside_a_blueprint() -> None:
    code = readme_example()
    graph = render_program(
        lambda: exec(compile(code, "README.md", "exec"), {}),  # our own README text
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
