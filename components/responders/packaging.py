"""How a cloud's responder is shipped: the shared shape plus that cloud's own modules, as the
package `responders`, in a deterministic archive (sorted entries, fixed timestamps and modes), so
that its digest names exactly what was rendered. Another cloud's responder never ships, so a
change to it neither redeploys nor rebuilds this one. Standard library only (shipped too)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Mapping
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = ("__init__.py", "decision.py", "packaging.py")
_EPOCH = (1980, 1, 1, 0, 0, 0)


def modules(cloud: str) -> dict[str, bytes]:
    """`responders/<file>` -> source, for the shared modules and `<cloud>_*.py`."""
    paths = sorted(p for p in HERE.glob("*.py") if p.name in SHARED or p.name.startswith(f"{cloud}_"))
    return {f"responders/{p.name}": p.read_bytes() for p in paths}


def archive(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(name, _EPOCH)
            info.external_attr = 0o644 << 16
            out.writestr(info, data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def sha256(files: Mapping[str, bytes]) -> str:
    return hashlib.sha256(archive(files)).hexdigest()
