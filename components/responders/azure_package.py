"""The Azure Function's deployment package: function_app.py at the root, this folder as the
package `responders` (the shared modules and the Azure ones: packaging.py), and requirements.txt
pinning the SDKs the responder was tested with. Deterministic, so its SHA-256 names exactly what
was rendered. Build it with `python -m hardstack.components.responders.azure_package OUT.zip`.
Standard library only."""

from __future__ import annotations

import sys
from pathlib import Path

from . import packaging

HERE = Path(__file__).resolve().parent
# The SDK versions tests/containment/azure runs the responder against (constraints.txt).
REQUIREMENTS = (
    "azure-functions==1.26.0",
    "azure-identity==1.27.0",
    "azure-core==1.41.0",
    "azure-mgmt-core==1.6.0",
    "azure-mgmt-authorization==4.0.0",
    "azure-mgmt-compute==39.0.0",
    "azure-mgmt-network==33.1.0",
)


def files() -> dict[str, bytes]:
    return {"function_app.py": (HERE / "azure_function_app.py").read_bytes(),
            "requirements.txt": ("\n".join(REQUIREMENTS) + "\n").encode(), **packaging.modules("azure")}


def package() -> bytes:
    return packaging.archive(files())


def sha256() -> str:
    return packaging.sha256(files())


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "azure-responder.zip")
    target.write_bytes(package())
    print(f"{target} sha256={sha256()}")
