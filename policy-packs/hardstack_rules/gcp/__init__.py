"""GCP rules; importing this package registers them."""

from ..gcp import (  # noqa: F401 imported for registration
    compute,
    containment,
    identity,
    keys,
    kubernetes,
    logging,
    monitoring,
    network,
    platform,
    relations,
    storage,
    tagging,
)
