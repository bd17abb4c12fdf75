"""Computed attributes of GCP resources (ids, self links, emails) as pulumi-gcp returns them."""

from __future__ import annotations

from typing import Any

from hardstack.render.computed import Target, module_and_kind

_API = "https://www.googleapis.com/compute/v1"
_REGIONAL = {"Subnetwork", "Router", "RouterNat", "Address", "ForwardingRule"}


def computed(token: str, name: str, inputs: dict[str, Any], target: Target) -> dict[str, Any]:
    module, kind = module_and_kind(token)
    project = str(inputs.get("project") or target.account)
    physical = str(inputs.get("name") or inputs.get("accountId") or name)
    out: dict[str, Any] = {"name": physical, "project": project}
    rid = f"projects/{project}/{kind[0].lower()}{kind[1:]}s/{physical}"
    if module == "compute":
        where = (
            f"regions/{inputs.get('region') or target.region}" if kind in _REGIONAL
            else f"zones/{inputs['zone']}" if "zone" in inputs
            else "global"
        )
        collection = f"{kind[0].lower()}{kind[1:]}s"
        rid = f"projects/{project}/{where}/{collection}/{physical}"
        out["selfLink"] = f"{_API}/{rid}"
    elif module == "kms" and kind == "KeyRing":
        rid = f"projects/{project}/locations/{inputs.get('location', target.region)}/keyRings/{physical}"
    elif module == "kms" and kind == "CryptoKey":
        ring = inputs.get("keyRing", f"projects/{project}/locations/-/keyRings/-")
        rid = f"{ring}/cryptoKeys/{physical}"
    elif module == "serviceaccount" and kind == "Account":
        email = f"{physical}@{project}.iam.gserviceaccount.com"
        rid = f"projects/{project}/serviceAccounts/{email}"
        out.update(email=email, member=f"serviceAccount:{email}", uniqueId=physical)
    elif module == "storage" and kind == "Bucket":
        rid = physical
        out.update(url=f"gs://{physical}", selfLink=f"https://www.googleapis.com/storage/v1/b/{physical}")
    elif module == "pubsub" and kind == "Topic":
        rid = f"projects/{project}/topics/{physical}"
    out["id"] = rid
    return out
