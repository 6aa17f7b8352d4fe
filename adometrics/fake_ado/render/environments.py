"""Wire shapes of YAML pipeline environments and their deployment records (``EnvironmentInstance``,
``EnvironmentDeploymentExecutionRecord`` of ``taskAgent.json`` / ``environments.json``; no examples exist).

Both the 7.1 ``distributedtask`` and the 7.2-preview ``pipelines`` routes return these same shapes. A record
whose job is still running has no ``finishTime`` and no ``result`` yet.
"""

from __future__ import annotations

from typing import Any

from ..registry import Call
from ..scenario import views
from ..scenario.model import Environment, EnvironmentDeploymentRecord
from ..wire import iso
from .builds import stable_guid
from .common import identity_ref, link

BUILD_SERVICE_OWNER = "00025394-6065-48ca-87d9-7f5672854ef7"  # serviceOwner of Azure Pipelines (build) plans


def environment(call: Call, env: Environment, *, resources: bool = False) -> dict[str, Any]:
    project = call.world.project(env.project_id)
    creator = identity_ref(call, env.created_by_id)
    out: dict[str, Any] = {
        "id": env.id,
        "name": env.name,
        "description": env.description,
        "createdBy": creator,
        "createdOn": iso(env.created),
        "lastModifiedBy": creator,
        "lastModifiedOn": iso(env.last_modified),
        "project": {"id": env.project_id, "name": project.name if project else ""},
    }
    if resources:
        out["resources"] = []
    return out


def record(call: Call, rec: EnvironmentDeploymentRecord) -> dict[str, Any]:
    """EnvironmentDeploymentExecutionRecord as of now; ``owner`` is the run (build), ``definition`` the
    pipeline."""
    now = call.world.now
    base = f"{call.host_url('dev')}/{call.world.organization}/{rec.project_id}"
    out: dict[str, Any] = {
        "id": rec.id,
        "requestIdentifier": stable_guid("request", rec.project_id, rec.id),
        "environmentId": rec.environment_id,
        "serviceOwner": BUILD_SERVICE_OWNER,
        "scopeId": rec.project_id,
        "planType": "Build",
        "planId": rec.plan_id,
        "stageName": rec.stage_name,
        "jobName": rec.job_name,
        "stageAttempt": rec.stage_attempt,
        "jobAttempt": rec.job_attempt,
        "definition": {
            "id": rec.definition_id,
            "name": rec.definition_name,
            "_links": {
                "web": link(f"{base}/_build/definition?definitionId={rec.definition_id}"),
                "self": link(f"{base}/_apis/build/Definitions/{rec.definition_id}"),
            },
        },
        "owner": {
            "id": rec.build_id,
            "name": rec.build_number,
            "_links": {
                "web": link(f"{base}/_build/results?buildId={rec.build_id}"),
                "self": link(f"{base}/_apis/build/Builds/{rec.build_id}"),
            },
        },
    }
    result, finished = views.record_state(rec, now)
    if result is not None:
        out["result"] = result
    out["queueTime"] = iso(rec.queued)
    out["startTime"] = iso(rec.started)
    if finished is not None:
        out["finishTime"] = iso(finished)
    return out
