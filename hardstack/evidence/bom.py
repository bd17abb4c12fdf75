"""A CycloneDX 1.6 bill of materials of one environment: its confidential machines, keys, data
stores and the cloud services they run on, with the check's verdict, for supply-chain tooling.

Built with cyclonedx-python-lib and written by its JSON outputter, so the document is whatever
that library (and the CycloneDX schema it validates against) calls valid 1.6.

Type choices, from the 1.6 component type definitions (https://cyclonedx.org/docs/1.6/json/#components_items_type):
- the environment (metadata.component) is a "platform", "a runtime environment which interprets
  or executes software": it is where the AI workloads execute, not an application of its own;
- a confidential machine is a "device", "a hardware device such as a processor or chip-set":
  its security claim is the CPU's trusted execution environment (TDX, SEV-SNP). The spec asks of
  a device "a component for the physical hardware itself and another component of type
  'firmware' or 'operating-system' ... describing information about the software running on the
  device", which is how the boot image is nested; the GPU is a nested "device";
- a key is a "cryptographic-asset" with cryptoProperties of asset type
  "related-crypto-material" (https://cyclonedx.org/docs/1.6/json/#components_items_cryptoProperties);
  its protection level fits relatedCryptoMaterialProperties.securedBy.mechanism ("HSM,
  TPM, SGX, Software"); rotation has no field and is a property;
- a data store or log is "data", "a collection of discrete values that convey information".
  The 1.6 component `data` field is not modelled by cyclonedx-python-lib 11 (Component has no
  `data`), so its purpose and encryption are properties.

Metadata lifecycle is "design": the inventory is read off a graph rendered offline, so it is
what is "proposed or planned to be used" (https://cyclonedx.org/docs/1.6/json/#metadata_lifecycles).

Dependencies follow CycloneDX's direction, "ref" depends on "dependsOn": what a key encrypts
depends on the key (it cannot be read without it), and each resource depends on the cloud
service that runs it. The library's Dependency has no "provides", which would be the only way to
point from the key to what it encrypts; the key lists those as `hardstack:encrypts` properties.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Mapping
from datetime import datetime
from uuid import UUID

from cyclonedx.model import Property, XsUri
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.contact import OrganizationalEntity
from cyclonedx.model.crypto import (
    CryptoAssetType,
    CryptoProperties,
    RelatedCryptoMaterialProperties,
    RelatedCryptoMaterialSecuredBy,
    RelatedCryptoMaterialType,
)
from cyclonedx.model.lifecycle import LifecyclePhase, PredefinedLifecycle
from cyclonedx.model.service import Service
from cyclonedx.model.tool import ToolRepository
from cyclonedx.output.json import JsonV1Dot6

import hardstack
from hardstack.evidence.model import Inventory, Node
from hardstack.evidence.services import CloudService, cloud_service

# Property names live under one namespace, as the CycloneDX property taxonomy asks of names it
# does not register (https://github.com/CycloneDX/cyclonedx-property-taxonomy).
NS = "hardstack"
VERDICTS = ("pass", "fail")
RESERVED = frozenset({f"{NS}:verdict", f"{NS}:cloud", f"{NS}:region"})
# The node kinds that become components; the rest (networks, identities, alerts...) are context
# a reviewer reads in the diagram, and show up here through the services and properties.
COMPONENT_KINDS = ("workload", "key", "store", "log", "platform")
# Details shown as typed fields or nested components rather than only as properties.
_NESTED = ("gpu", "image")


def bill_of_materials(inventory: Inventory, *, verdict: str, properties: Mapping[str, str] | None = None,
                      serial: str | None = None, timestamp: datetime | None = None) -> str:
    """The CycloneDX 1.6 JSON of `inventory`. `verdict` is the check's "pass" or "fail";
    `properties` extra metadata properties (finding counts...); `serial` a UUID, bare or as
    "urn:uuid:...". Without `serial` or `timestamp` the BOM gets a fresh serial number (the
    spec wants one per BOM generated) and the current time; with both, the same inventory gives
    the same bytes."""
    return JsonV1Dot6(build(inventory, verdict=verdict, properties=properties, serial=serial,
                            timestamp=timestamp)).output_as_string(indent=2)


def build(inventory: Inventory, *, verdict: str, properties: Mapping[str, str] | None = None,
          serial: str | None = None, timestamp: datetime | None = None) -> Bom:
    """The library's Bom of `inventory`, for callers that want another output format."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
    extra = dict(properties or {})
    clash = sorted(RESERVED & extra.keys())
    if clash:
        raise ValueError(f"properties may not set {', '.join(clash)}: the bill of materials sets them itself")

    root = Component(
        type=ComponentType.PLATFORM, name=inventory.stack, bom_ref=f"{NS}:stack:{inventory.cloud}:{inventory.stack}",
        description=f"{inventory.cloud} environment {inventory.stack} in {inventory.region}",
    )
    metadata = BomMetaData(
        component=root,
        tools=ToolRepository(components=[Component(type=ComponentType.APPLICATION, name="hardstack",
                                                   version=_version())]),
        lifecycles=[PredefinedLifecycle(LifecyclePhase.DESIGN)],
        properties=[Property(name=f"{NS}:verdict", value=verdict),
                    Property(name=f"{NS}:cloud", value=inventory.cloud),
                    Property(name=f"{NS}:region", value=inventory.region),
                    *(Property(name=name, value=value) for name, value in extra.items())],
        timestamp=timestamp,
    )

    components = {n.id: _component(n, inventory) for n in inventory.nodes if n.kind in COMPONENT_KINDS}
    services = _services(inventory.nodes)
    bom = Bom(serial_number=UUID(serial) if serial else None, metadata=metadata,
              components=components.values(), services=services.values())

    bom.register_dependency(root, [*components.values(), *services.values()])
    for node in inventory.nodes:
        if node.id not in components:
            continue
        uses: list[Component | Service] = [components[e.source] for e in inventory.related("encrypts")
                                           if e.target == node.id and e.source in components]
        service = cloud_service(node.type)
        if service is not None:
            uses.append(services[service.key])
        bom.register_dependency(components[node.id], uses)
    return bom


def _version() -> str:
    try:
        return importlib.metadata.version("hardstack")
    except importlib.metadata.PackageNotFoundError:  # run from a checkout without installing
        return hardstack.__version__


def _component(node: Node, inventory: Inventory) -> Component:
    props = [Property(name=f"{NS}:kind", value=node.kind), Property(name=f"{NS}:type", value=node.type)]
    props += [Property(name=f"{NS}:{key}", value=value) for key, value in node.details.items() if value]
    if node.within is not None:
        props.append(Property(name=f"{NS}:within", value=_name_of(inventory, node.within)))
    common = {"name": node.name, "bom_ref": node.id, "description": node.label or None}
    if node.kind in ("workload", "platform"):
        props += [Property(name=f"{NS}:runs_as", value=_name_of(inventory, e.target))
                  for e in inventory.related("runs_as") if e.source == node.id]
        if node.kind == "platform":  # a managed service: the cloud runs the machines
            return Component(type=ComponentType.PLATFORM, properties=props, **common)
        return Component(type=ComponentType.DEVICE, properties=props, components=_parts(node), **common)
    if node.kind == "key":
        props += [Property(name=f"{NS}:encrypts", value=_name_of(inventory, e.target))
                  for e in inventory.related("encrypts") if e.source == node.id]
        return Component(type=ComponentType.CRYPTOGRAPHIC_ASSET, properties=props,
                         crypto_properties=_key_material(node), **common)
    return Component(type=ComponentType.DATA, properties=props, **common)


def _parts(node: Node) -> list[Component]:
    """A machine's GPU and boot image, as the spec's device guidance nests hardware and software."""
    parts = []
    if gpu := node.details.get("gpu"):
        parts.append(Component(type=ComponentType.DEVICE, name=gpu, bom_ref=f"{node.id}#gpu"))
    if image := node.details.get("image"):
        parts.append(Component(type=ComponentType.OPERATING_SYSTEM, name=image, bom_ref=f"{node.id}#image"))
    return parts


def _key_material(node: Node) -> CryptoProperties:
    mechanism = _mechanism(node.details.get("protection"))
    return CryptoProperties(
        asset_type=CryptoAssetType.RELATED_CRYPTO_MATERIAL,
        related_crypto_material_properties=RelatedCryptoMaterialProperties(
            type=_key_type(node),
            secured_by=RelatedCryptoMaterialSecuredBy(mechanism=mechanism) if mechanism else None,
        ),
    )


def _key_type(node: Node) -> RelatedCryptoMaterialType:
    """A symmetric key is a "secret-key"; an RSA or EC key the vault holds is the "private-key" of
    its pair. The key's "spec" (AWS keySpec, Azure kty, a GCP algorithm) tells them apart:
    SYMMETRIC_DEFAULT, HMAC_256, GOOGLE_SYMMETRIC_ENCRYPTION against RSA_2048, RSA-HSM, ECC_NIST_P256,
    EC_SIGN_P256_SHA256. Without one, Azure Key Vault keys are RSA (components/azure/vault_key.py)
    and the AWS and GCP keys the blueprints make symmetric."""
    spec = (node.details.get("spec") or node.details.get("algorithm") or "").upper()
    asymmetric = spec.startswith(("RSA", "EC")) if spec else node.type.startswith("azure-native:keyvault")
    return RelatedCryptoMaterialType.PRIVATE_KEY if asymmetric else RelatedCryptoMaterialType.SECRET_KEY


def _mechanism(protection: str | None) -> str | None:
    """The clouds' protection levels (HSM, SOFTWARE, "RSA-HSM"...) in the schema's own examples'
    spelling, so that consumers comparing mechanisms see one value per level."""
    if not protection:
        return None
    lowered = protection.lower()
    if "hsm" in lowered:
        return "HSM"
    if "software" in lowered:
        return "Software"
    return protection


def _services(nodes: Iterable[Node]) -> dict[str, Service]:
    found: dict[str, tuple[CloudService, set[str]]] = {}
    for node in nodes:
        service = cloud_service(node.type)
        if service is not None:
            found.setdefault(service.key, (service, set()))[1].add(node.type)
    return {key: Service(
        name=service.name, bom_ref=f"{NS}:service:{key}",
        provider=OrganizationalEntity(name=service.provider, urls=[XsUri(service.url)]),
        properties=[Property(name=f"{NS}:resource_type", value=token) for token in sorted(tokens)],
    ) for key, (service, tokens) in sorted(found.items())}


def _name_of(inventory: Inventory, node_id: str) -> str:
    try:
        return inventory.node(node_id).name
    except KeyError:  # an edge to a resource the inventory left out: its URN still identifies it
        return node_id
