"""The Function's package: what it contains, and that its function_app.py, imported from the
package the way the Functions host does, registers the Event Hubs trigger the component wires."""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import pytest

from hardstack.components.azure import containment
from hardstack.components.responders import azure_package


def test_the_package_is_deterministic_and_holds_the_responder_and_its_entry_point() -> None:
    first, second = azure_package.package(), azure_package.package()
    assert first == second
    names = zipfile.ZipFile(io.BytesIO(first)).namelist()
    assert {"function_app.py", "requirements.txt", "responders/__init__.py", "responders/decision.py",
            "responders/azure_defender.py"} <= set(names)
    # Only the shared shape and Azure's own modules: another cloud's change does not redeploy it.
    assert not [n for n in names if n.startswith(("responders/aws_", "responders/gcp_"))]
    requirements = zipfile.ZipFile(io.BytesIO(first)).read("requirements.txt").decode().split()
    assert "azure-mgmt-compute==39.0.0" in requirements and "azure-functions==1.26.0" in requirements


def test_function_app_registers_the_identity_based_event_hub_trigger(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    zipfile.ZipFile(io.BytesIO(azure_package.package())).extractall(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == "responders" or m.startswith("responders.")] + ["function_app"]:
        monkeypatch.delitem(sys.modules, name, raising=False)
    import function_app  # type: ignore[import-not-found]

    functions = function_app.app.get_functions()
    assert len(functions) == 1
    trigger = functions[0].get_bindings_dict()["bindings"][0]
    assert trigger["type"] == "eventHubTrigger"
    assert (trigger["connection"], trigger["eventHubName"], trigger["consumerGroup"]) == (
        containment.CONNECTION, containment.EVENT_HUB, containment.CONSUMER_GROUP)
    assert function_app.REPORT_MARKER == containment.REPORT_MARKER
