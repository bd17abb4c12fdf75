"""Azure rules; importing this package registers them."""

from ..azure import (  # noqa: F401 imported for registration
    compute,
    containment,
    identity,
    keys,
    kubernetes,
    logging,
    monitoring,
    network,
    platform,
    platform_models,
    relations,
    storage,
    tagging,
)
