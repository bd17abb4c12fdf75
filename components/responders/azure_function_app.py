"""The Azure Function's entry point, shipped as function_app.py at the root of the package that
azure_package.py builds (Python v2 programming model: triggers are decorators on one FunctionApp).

The Event Hubs trigger connects with the Function's user-assigned identity: the app settings
DefenderAlerts__fullyQualifiedNamespace, __credential=managedidentity and __clientId define an
identity-based connection named "DefenderAlerts" (extension 5.x;
https://learn.microsoft.com/azure/azure-functions/functions-bindings-event-hubs-trigger#connections).
The responder calls Azure Resource Manager with the same identity (AZURE_CLIENT_ID)."""

from __future__ import annotations

import logging
import os

import azure.functions as func  # type: ignore[import-untyped]
from azure.identity import ManagedIdentityCredential
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.network import NetworkManagementClient
from responders.azure_defender import REPORT_MARKER, AzureResponder, respond  # type: ignore[import-not-found]
from responders.decision import Settings  # type: ignore[import-not-found]

# Kept equal to components/azure/containment.py (EVENT_HUB, CONNECTION, CONSUMER_GROUP) by a test.
EVENT_HUB = "defender-alerts"
CONNECTION = "DefenderAlerts"
CONSUMER_GROUP = "containment"

app = func.FunctionApp()


def responder() -> AzureResponder:
    env = os.environ
    credential = ManagedIdentityCredential(client_id=env["AZURE_CLIENT_ID"])
    subscription = env["HARDSTACK_SUBSCRIPTION_ID"]
    return AzureResponder(
        Settings.from_env(env), env["HARDSTACK_QUARANTINE_NSG_ID"],
        compute=ComputeManagementClient(credential, subscription),
        network=NetworkManagementClient(credential, subscription),
        authorization=AuthorizationManagementClient(credential, subscription),
    )


@app.event_hub_message_trigger(arg_name="event", event_hub_name=EVENT_HUB, connection=CONNECTION,
                               consumer_group=CONSUMER_GROUP)
def contain(event: func.EventHubEvent) -> None:
    try:
        respond(event.get_body(), responder())
    except Exception:
        # The alert query matches this line too: a responder that fails is news for the team.
        logging.getLogger("hardstack.containment").exception("%s-error", REPORT_MARKER)
        raise
