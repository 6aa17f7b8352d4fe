"""Wire shapes of classic releases, deployments and release definitions (vsrm host).

Shapes follow ``specs/release/7.1/httpExamples``. Build artifacts carry the ``definitionReference`` map a
real Build artifact has: besides the keys the examples show (definition, project, version, branch, …) the
well-known inputs ``buildUri``, ``repository``, ``repository.provider``, ``requestedFor``, ``requestedForId``,
``sourceVersion`` and ``pullRequestMergeCommitId`` — the deployed commit is
``definitionReference.sourceVersion.id``. Everything is rendered as of the world's now.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..registry import Call
from ..scenario import views
from ..scenario.model import Deployment, Release, ReleaseArtifact, ReleaseDefinition
from ..wire import iso
from .common import identity_ref, link

UNSET = "0001-01-01T00:00:00"  # how the release area writes "not set" (examples)
ENV_STATUS = {  # final deploymentStatus (or operationStatus) -> ReleaseEnvironment.status
    "succeeded": "succeeded",
    "partiallysucceeded": "partiallySucceeded",
    "failed": "rejected",
    "canceled": "canceled",
    "rejected": "rejected",
}


def deployment_state(dep: Deployment, now: datetime) -> tuple[str, str]:
    """(deploymentStatus, operationStatus) as of ``now``."""
    status, operation, _ = views.deployment_state(dep, now)
    return status, operation


def last_modified(dep: Deployment, now: datetime) -> datetime:
    if now < dep.started:
        return dep.queued
    return dep.completed if dep.completed <= now else dep.started


class Context:
    """Per-request lookups (definitions, builds, projects) so a page of releases costs one pass each."""

    def __init__(self, call: Call, project_id: str):
        self.call = call
        self.project = call.world.project(project_id)
        self.definitions = {d.id: d for d in call.world.release_definitions(project_id)}
        self._build_defs: dict[str, dict[int, Any]] = {}

    def build_definition(self, project_id: str, definition_id: int):
        if project_id not in self._build_defs:
            self._build_defs[project_id] = {d.id: d for d in self.call.world.build_definitions(project_id)}
        return self._build_defs[project_id].get(definition_id)

    @property
    def vsrm(self) -> str:
        return f"{self.call.host_url('vsrm')}/{self.call.world.organization}/{self.project.id}/_apis/Release"

    @property
    def web(self) -> str:
        return f"{self.call.host_url('dev')}/{self.call.world.organization}/{self.project.id}/_release"


def project_reference(ctx: Context) -> dict[str, Any]:
    return {"id": ctx.project.id, "name": ctx.project.name}


def definition_ref(ctx: Context, definition_id: int) -> dict[str, Any]:
    """ReleaseDefinitionShallowReference."""
    d = ctx.definitions.get(definition_id)
    url = f"{ctx.vsrm}/definitions/{definition_id}"
    return {
        "id": definition_id,
        "name": d.name if d else "",
        "path": d.path if d else "\\",
        "projectReference": project_reference(ctx),
        "url": url,
        "_links": {"self": link(url), "web": link(f"{ctx.web}?definitionId={definition_id}")},
    }


def release_links(ctx: Context, release_id: int) -> dict[str, Any]:
    return {
        "self": link(f"{ctx.vsrm}/releases/{release_id}"),
        "web": link(f"{ctx.web}?releaseId={release_id}&_a=release-summary"),
    }


def _pair(value: str, name: str | None = None) -> dict[str, str]:
    return {"id": value, "name": value if name is None else name}


def artifact(ctx: Context, release: Release, art: ReleaseArtifact) -> dict[str, Any]:
    """A Build artifact with its ``definitionReference`` (see the module docstring)."""
    call = ctx.call
    org_url = f"{call.host_url('dev')}/{call.world.organization}"
    permalink = f"{org_url}/_permalink/_build/index?collectionId={call.world.organization_id}&projectId="
    build = call.world.build(art.build_id)
    build_def = ctx.build_definition(release.project_id, art.build_definition_id)
    repo = call.world.repository(art.repository_id)
    requester = call.world.identity(build.requested_for_id) if build else None
    merge = art.source_version if build is not None and build.reason == "pullRequest" else ""
    return {
        "sourceId": f"{release.project_id}:{art.build_definition_id}",
        "type": "Build",
        "alias": art.alias,
        "definitionReference": {
            "IsMultiDefinitionType": _pair("False"),
            "IsXamlBuildArtifactType": _pair("False"),
            "artifactSourceDefinitionUrl": _pair(
                f"{permalink}{release.project_id}&definitionId={art.build_definition_id}", ""
            ),
            "defaultVersionBranch": _pair(""),
            "defaultVersionSpecific": _pair(""),
            "defaultVersionTags": _pair(""),
            "defaultVersionType": _pair("latestType", "Latest"),
            "branch": _pair(art.source_branch),
            "buildUri": _pair(f"vstfs:///Build/Build/{art.build_id}"),
            "definition": _pair(str(art.build_definition_id), build_def.name if build_def else ""),
            "project": _pair(release.project_id, ctx.project.name),
            "pullRequestMergeCommitId": _pair(merge),
            "repository": _pair(art.repository_id, repo.name if repo else ""),
            "repository.provider": _pair("TfsGit"),
            "requestedFor": _pair(
                requester.id if requester else "", requester.display_name if requester else ""
            ),
            "requestedForId": _pair(requester.id if requester else "", ""),
            "sourceVersion": _pair(art.source_version),
            "version": _pair(str(art.build_id), art.build_number),
            "artifactSourceVersionUrl": _pair(f"{permalink}{release.project_id}&buildId={art.build_id}", ""),
        },
        "isPrimary": art.is_primary,
        "isRetained": False,
    }


def shallow_release(ctx: Context, release: Release) -> dict[str, Any]:
    """The release nested in a deployment: as in the example, only ids, name, links and artifacts are set."""
    return {
        "id": release.id,
        "name": release.name,
        "url": f"{ctx.vsrm}/releases/{release.id}",
        "artifacts": [artifact(ctx, release, a) for a in release.artifacts],
        "webAccessUri": f"{ctx.web}?releaseId={release.id}&_a=release-summary",
        "_links": release_links(ctx, release.id),
        "description": None,
        "releaseDefinition": None,
        "createdOn": UNSET,
        "createdBy": None,
        "modifiedBy": None,
        "reason": "none",
    }


def _approval(ctx: Context, dep: Deployment, release: Release, state: tuple[str, str]) -> dict[str, Any]:
    """The pre-deployment approval: automated, or a person's rejection when the deployment was rejected."""
    rejected = state[1].lower() == "rejected"
    person = identity_ref(ctx.call, dep.requested_by_id) if rejected else None
    out: dict[str, Any] = {"id": dep.id * 2, "revision": 1}
    if person is not None:
        out.update({"approver": person, "approvedBy": person})
    out.update(
        {
            "approvalType": "preDeploy",
            "createdOn": iso(dep.queued),
            "modifiedOn": iso(dep.started if not rejected else dep.completed),
            "status": "rejected" if rejected else "approved",
            "comments": "",
            "isAutomated": not rejected,
            "isNotificationOn": False,
            "trialNumber": 1,
            "attempt": dep.attempt,
            "rank": 1,
            "release": {
                "id": release.id,
                "name": release.name,
                "url": f"{ctx.vsrm}/releases/{release.id}",
                "_links": {},
            },
            "releaseDefinition": {
                "id": dep.definition_id,
                "name": definition_ref(ctx, dep.definition_id)["name"],
                "url": f"{ctx.vsrm}/definitions/{dep.definition_id}",
                "_links": {},
            },
            "releaseEnvironment": {
                "id": dep.release_environment_id,
                "name": dep.environment_name,
                "_links": {},
            },
            "url": f"{ctx.vsrm}/approvals/{dep.id * 2}",
        }
    )
    return out


def deployment(ctx: Context, dep: Deployment, release: Release) -> dict[str, Any]:
    """Deployment as the list returns it (example ``GET__ListDeployments``), as of now."""
    now = ctx.call.world.now
    state = deployment_state(dep, now)
    requester = identity_ref(ctx.call, dep.requested_by_id)
    out: dict[str, Any] = {
        "id": dep.id,
        "release": shallow_release(ctx, release),
        "releaseDefinition": definition_ref(ctx, dep.definition_id),
        "releaseEnvironment": {
            "id": dep.release_environment_id,
            "name": dep.environment_name,
            "url": f"{ctx.vsrm}/releases/{release.id}/environments/{dep.release_environment_id}",
            "_links": {},
        },
        "projectReference": project_reference(ctx),
        "definitionEnvironmentId": dep.definition_environment_id,
        "attempt": dep.attempt,
        "reason": dep.reason,
        "deploymentStatus": state[0],
        "operationStatus": state[1],
        "requestedBy": requester,
        "requestedFor": requester,
        "queuedOn": iso(dep.queued),
    }
    if now >= dep.started:
        out["startedOn"] = iso(dep.started)
    if now >= dep.completed:
        out["completedOn"] = iso(dep.completed)
    out.update(
        {
            "lastModifiedOn": iso(last_modified(dep, now)),
            "lastModifiedBy": requester,
            "conditions": [],
            "scheduledDeploymentTime": UNSET,
            "preDeployApprovals": [_approval(ctx, dep, release, state)] if now >= dep.started else [],
            "postDeployApprovals": [],
            "_links": {},
        }
    )
    return out


def definition(
    ctx: Context, d: ReleaseDefinition, last: Release | None, *, environments: bool, artifacts: bool
) -> dict[str, Any]:
    """ReleaseDefinition as the list returns it; expanded environments carry only ids, names, ranks,
    schedules and retention (never deploy phases or task inputs)."""
    creator = identity_ref(ctx.call, d.created_by_id)
    url = f"{ctx.vsrm}/definitions/{d.id}"
    out: dict[str, Any] = {
        "source": "userInterface",
        "id": d.id,
        "revision": d.revision,
        "name": d.name,
        "description": None,
        "createdBy": creator,
        "createdOn": iso(d.created),
        "modifiedBy": creator,
        "modifiedOn": iso(d.modified),
        "isDeleted": False,
    }
    if last is not None:
        out["lastRelease"] = {
            "id": last.id,
            "name": last.name,
            "artifacts": [],
            "webAccessUri": None,
            "_links": {},
            "description": "",
            "releaseDefinition": {"id": d.id, "_links": {}},
            "createdOn": iso(last.created),
            "createdBy": identity_ref(ctx.call, last.created_by_id),
            "modifiedBy": None,
            "reason": "none",
        }
    out.update({"path": d.path, "projectReference": project_reference(ctx), "variableGroups": None})
    if environments:
        out["environments"] = [
            {
                "id": e.id,
                "name": e.name,
                "rank": e.rank,
                "schedules": [],
                "retentionPolicy": {"daysToKeep": 30, "releasesToKeep": 3, "retainBuild": True},
            }
            for e in sorted(d.environments, key=lambda e: e.rank)
        ]
    if artifacts:
        out["artifacts"] = [
            _definition_artifact(ctx, d, i, def_id) for i, def_id in enumerate(d.build_definition_ids)
        ]
    out.update(
        {
            "releaseNameFormat": "Release-$(rev:r)",
            "retentionPolicy": {"daysToKeep": 30},
            "url": url,
            "_links": {"self": link(url), "web": link(f"{ctx.web}?definitionId={d.id}")},
            "properties": {},
        }
    )
    return out


def _definition_artifact(ctx: Context, d: ReleaseDefinition, index: int, build_def_id: int) -> dict[str, Any]:
    build_def = ctx.build_definition(d.project_id, build_def_id)
    name = build_def.name if build_def else str(build_def_id)
    return {
        "sourceId": f"{d.project_id}:{build_def_id}",
        "type": "Build",
        "alias": f"_{name}",
        "definitionReference": {
            "defaultVersionType": {"id": "latestType", "name": "Latest"},
            "definition": _pair(str(build_def_id), name),
            "project": _pair(d.project_id, ctx.project.name),
        },
        "isPrimary": index == 0,
        "isRetained": False,
    }
