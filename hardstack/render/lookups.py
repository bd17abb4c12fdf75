"""Answers to the deploy-time lookups (Pulumi invokes) that blueprints make.

Some facts exist only in the live cloud: the current AMI behind an SSM public parameter, the
Cloud Storage service agent of a project (created by the very call that reads it), the service
account Cloud Logging encrypts with. Blueprints read them with invokes rather than guessing;
offline, these functions answer like the provider would, deterministically, so renders stay
identical. An invoke without an answer here is an error, never an empty result: an empty
answer would silently drop whatever was built from it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hardstack.render.computed import Target, short_hash
from hardstack.render.computed.gcp import agent_email, project_number


class UnansweredLookupError(Exception):
    """A blueprint made an invoke the offline renderer has no answer for."""


def _ssm_parameter(args: dict[str, Any], target: Target) -> dict[str, Any]:
    name = str(args["name"])
    # SSM public parameters under /aws/service/ami-* hold an AMI id.
    value = f"ami-{short_hash('ami', target.region, name)}" if "/ami-" in name else f"value-of-{name}"
    return {
        "id": name, "name": name, "value": value, "insecureValue": value, "type": "String",
        "version": 1, "withDecryption": bool(args.get("withDecryption", True)),
        "arn": f"arn:aws:ssm:{target.region}::parameter{name}",
    }


def _gcs_service_account(args: dict[str, Any], target: Target) -> dict[str, Any]:
    project = str(args.get("project") or target.account)
    email = agent_email("storage.googleapis.com", project)
    return {"id": email, "project": project, "emailAddress": email, "member": f"serviceAccount:{email}"}


def _logging_settings(args: dict[str, Any], target: Target) -> dict[str, Any]:
    project = str(args.get("project") or target.account)
    agent = agent_email("logging.googleapis.com", project)
    return {
        "id": f"projects/{project}/settings", "name": f"projects/{project}/settings", "project": project,
        "kmsServiceAccountId": agent, "loggingServiceAccountId": agent,
        "disableDefaultSink": False, "storageLocation": "", "kmsKeyName": "",
    }


def _gcp_project(args: dict[str, Any], target: Target) -> dict[str, Any]:
    project = str(args.get("projectId") or target.account)
    return {"id": f"projects/{project}", "projectId": project, "number": project_number(project), "name": project}


ANSWERS: dict[str, Callable[[dict[str, Any], Target], dict[str, Any]]] = {
    "aws:ssm/getParameter:getParameter": _ssm_parameter,
    "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": _gcs_service_account,
    "gcp:logging/getProjectSettings:getProjectSettings": _logging_settings,
    "gcp:organizations/getProject:getProject": _gcp_project,
}


def answer(token: str, args: dict[str, Any], target: Target) -> dict[str, Any]:
    found = ANSWERS.get(token)
    if found is None:
        raise UnansweredLookupError(
            f"the program calls {token}, which the offline renderer cannot answer; "
            f"known lookups: {', '.join(sorted(ANSWERS))}"
        )
    return found(args, target)
