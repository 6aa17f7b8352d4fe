"""Wire shapes of one classic release with its stages (``Release``, ``ReleaseEnvironment``) and their attempt
history (``deploySteps``), as of the world's now. Split from ``releases.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..scenario.model import Deployment, Release, ReleaseEnvironment
from ..wire import iso
from .builds import stable_guid
from .common import identity_ref
from .releases import (
    ENV_STATUS,
    Context,
    definition_ref,
    deployment_state,
    last_modified,
    project_reference,
    release_links,
)
from .releases import artifact as release_artifact


def environment_status(attempts: Sequence[Deployment], now: datetime) -> str:
    if not attempts:
        return "notStarted"
    latest = max(attempts, key=lambda d: (d.attempt, d.id))
    if now < latest.started:
        return "queued"
    if now < latest.completed:
        return "inProgress"
    if latest.operation_status.lower() in ("canceled", "rejected"):
        return ENV_STATUS[latest.operation_status.lower()]
    return ENV_STATUS.get(latest.deployment_status.lower(), "rejected")


def _deploy_step(ctx: Context, dep: Deployment) -> dict[str, Any]:
    """DeploymentAttempt (the attempt history of a stage) with its agent phase."""
    now = ctx.call.world.now
    status, operation = deployment_state(dep, now)
    requester = identity_ref(ctx.call, dep.requested_by_id)
    phase_status = {"notDeployed": "notStarted", "inProgress": "inProgress"}.get(
        status,
        "succeeded"
        if status == "succeeded"
        else "partiallySucceeded"
        if status == "partiallySucceeded"
        else "failed",
    )
    phase: dict[str, Any] = {
        "id": dep.id,
        "phaseId": "1",
        "name": "Run on agent",
        "rank": 1,
        "phaseType": "agentBasedDeployment",
        "status": phase_status,
        "runPlanId": _plan_id(dep),
        "deploymentJobs": [],
        "manualInterventions": [],
    }
    if now >= dep.started:
        phase["startedOn"] = iso(dep.started)
    return {
        "id": dep.id,
        "deploymentId": dep.id,
        "attempt": dep.attempt,
        "reason": dep.reason,
        "status": status,
        "operationStatus": operation,
        "releaseDeployPhases": [phase],
        "requestedBy": requester,
        "requestedFor": requester,
        "queuedOn": iso(dep.queued),
        "lastModifiedBy": requester,
        "lastModifiedOn": iso(last_modified(dep, now)),
        "hasStarted": now >= dep.started,
        "tasks": [],
        "runPlanId": _plan_id(dep),
        "issues": [],
    }


APPROVAL_OPTIONS = {
    "requiredApproverCount": 0,
    "releaseCreatorCanBeApprover": True,
    "autoTriggeredAndPreviousEnvironmentApprovedCanBeSkipped": False,
    "enforceIdentityRevalidation": False,
    "timeoutInMintues": 43200,  # sic: the service's spelling (example)
}


def _deploy_phase(env: ReleaseEnvironment) -> dict[str, Any]:
    """The stage's agent phase as snapshotted at release creation: one script-file task, no inline script."""
    return {
        "deploymentInput": {
            "parallelExecution": {"parallelExecutionType": "none"},
            "skipArtifactsDownload": False,
            "timeoutInMinutes": 0,
            "queueId": 11,
            "demands": [],
            "enableAccessToken": False,
        },
        "rank": 1,
        "phaseType": "agentBasedDeployment",
        "name": "Run on agent",
        "workflowTasks": [
            {
                "taskId": "e213ff0f-5d5c-4791-802d-52ea3e7be1f1",
                "version": "2.*",
                "name": "Deploy",
                "enabled": True,
                "alwaysRun": False,
                "continueOnError": False,
                "timeoutInMinutes": 0,
                "definitionType": "task",
                "inputs": {
                    "scriptType": "filePath",
                    "scriptName": "$(System.DefaultWorkingDirectory)/deploy/deploy.ps1",
                    "arguments": f"-Environment {env.name}",
                    "inlineScript": "",
                    "workingFolder": "",
                    "failOnStandardError": "true",
                },
            }
        ],
    }


def _plan_id(dep: Deployment) -> str:
    return stable_guid("release-plan", dep.project_id, dep.id)


def release_environment(
    ctx: Context, release: Release, env: ReleaseEnvironment, attempts: Sequence[Deployment]
) -> dict[str, Any]:
    """ReleaseEnvironment with its ``deploySteps`` (one per attempt started by now)."""
    now = ctx.call.world.now
    owner = identity_ref(ctx.call, release.created_by_id)
    definition = ctx.definitions.get(release.definition_id)
    rank_before = None
    if definition is not None:
        rank_before = next((e.name for e in definition.environments if e.rank == env.rank - 1), None)
    created = min((d.queued for d in attempts), default=release.created)
    modified = max((last_modified(d, now) for d in attempts), default=release.created)
    return {
        "id": env.id,
        "releaseId": release.id,
        "name": env.name,
        "status": environment_status(attempts, now),
        "variables": {},
        "variableGroups": [],
        "preDeployApprovals": [],
        "postDeployApprovals": [],
        "preApprovalsSnapshot": {
            "approvals": [{"rank": 1, "isAutomated": True, "isNotificationOn": False, "id": 0}],
            "approvalOptions": APPROVAL_OPTIONS,
        },
        "postApprovalsSnapshot": {
            "approvals": [{"rank": 1, "isAutomated": True, "isNotificationOn": False, "id": 0}]
        },
        "deploySteps": [_deploy_step(ctx, d) for d in sorted(attempts, key=lambda d: d.attempt)],
        "rank": env.rank,
        "definitionEnvironmentId": env.definition_environment_id,
        "environmentOptions": {
            "emailNotificationType": "OnlyOnFailure",
            "emailRecipients": "release.environment.owner;release.creator",
            "skipArtifactsDownload": False,
            "timeoutInMinutes": 0,
            "enableAccessToken": False,
            "publishDeploymentStatus": True,
        },
        "demands": [],
        "conditions": (
            [{"result": False, "name": rank_before, "conditionType": "environmentState", "value": "4"}]
            if rank_before
            else []
        ),
        "createdOn": iso(created),
        "modifiedOn": iso(modified),
        "workflowTasks": [],
        "deployPhasesSnapshot": [_deploy_phase(env)],
        "owner": owner,
        "schedules": [],
        "release": {
            "id": release.id,
            "name": release.name,
            "url": f"{ctx.vsrm}/releases/{release.id}",
            "_links": release_links(ctx, release.id),
        },
        "releaseDefinition": {
            k: v
            for k, v in definition_ref(ctx, release.definition_id).items()
            if k in ("id", "name", "url", "_links")
        },
        "releaseCreatedBy": {
            "id": release.created_by_id,
            "displayName": (owner or {}).get("displayName", ""),
        },
        "triggerReason": "Manual" if rank_before is None else f"After successful deployment of {rank_before}",
    }


def release(
    ctx: Context, rel: Release, deployments: Sequence[Deployment], *, environments: bool, artifacts: bool
) -> dict[str, Any]:
    """Release (list item, or the single GET with ``environments`` and ``artifacts``)."""
    now = ctx.call.world.now
    creator = identity_ref(ctx.call, rel.created_by_id)
    modified = max((last_modified(d, now) for d in deployments), default=rel.created)
    out: dict[str, Any] = {
        "id": rel.id,
        "name": rel.name,
        "status": "active",
        "createdOn": iso(rel.created),
        "modifiedOn": iso(modified),
        "modifiedBy": creator,
        "createdBy": creator,
        "createdFor": creator,
    }
    if environments:
        out["environments"] = [
            release_environment(ctx, rel, env, [d for d in deployments if d.release_environment_id == env.id])
            for env in sorted(rel.environments, key=lambda e: e.rank)
        ]
    out.update({"variables": {}, "variableGroups": []})
    if artifacts:
        out["artifacts"] = [release_artifact(ctx, rel, a) for a in rel.artifacts]
    definition = ctx.definitions.get(rel.definition_id)
    out.update(
        {
            "releaseDefinition": definition_ref(ctx, rel.definition_id),
            "releaseDefinitionRevision": definition.revision if definition else 1,
            "description": "",
            "reason": rel.reason,
            "releaseNameFormat": "Release-$(rev:r)",
            "keepForever": False,
            "definitionSnapshotRevision": 1,
            "logsContainerUrl": f"{ctx.vsrm}/releases/{rel.id}/logs",
            "url": f"{ctx.vsrm}/releases/{rel.id}",
            "_links": release_links(ctx, rel.id),
            "tags": [],
            "triggeringArtifactAlias": next((a.alias for a in rel.artifacts if a.is_primary), None),
            "projectReference": project_reference(ctx),
            "properties": {},
        }
    )
    return out
