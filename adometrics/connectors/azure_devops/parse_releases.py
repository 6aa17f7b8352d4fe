"""Parsers for deployments: classic release definitions, releases, deployments (ENDPOINTS §9) and YAML
environments with their deployment records (§10). Variables, approvals and task inputs are never copied."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from adometrics.domain import (
    ClassicDeployment,
    Environment,
    EnvironmentDeployment,
    Release,
    ReleaseArtifact,
    ReleaseDefinition,
    ReleaseEnvironmentDef,
)

from .parse_common import (
    MalformedRecord,
    as_int,
    as_str,
    enum_value,
    guid,
    obj,
    optional_date,
    required_int,
    required_str,
    sha,
    sub,
)

DEPLOYMENT_STATUSES = ("undefined", "notDeployed", "inProgress", "succeeded", "partiallySucceeded", "failed")
OPERATION_STATUSES = (
    "undefined", "queued", "scheduled", "pending", "approved", "rejected", "deferred", "queuedForAgent",
    "phaseInProgress", "phaseSucceeded", "phasePartiallySucceeded", "phaseFailed", "canceled",
    "phaseCanceled", "manualInterventionPending", "queuedForPipeline", "cancelling", "evaluatingGates",
    "gateFailed", "all",
)
RECORD_RESULTS = ("succeeded", "succeededWithIssues", "failed", "canceled", "skipped", "abandoned")
_BUILD_URI = re.compile(r"^vstfs:///Build/Build/(\d+)$", re.IGNORECASE)


def parse_release_definition(raw: Any, org_id: str, project_id: str) -> ReleaseDefinition:
    """ReleaseDefinition → ids, names, path and stages (id, name, rank); everything else dropped."""
    raw = obj(raw, "release definition")
    stages = []
    for env in _list(raw, "environments"):
        env = obj(env, "environment")
        stages.append(ReleaseEnvironmentDef(id=required_int(env, "id"), name=required_str(env, "name"),
                                            rank=as_int(env.get("rank"), "environments[].rank")))
    return ReleaseDefinition(
        org_id=org_id,
        project_id=guid(sub(raw, "projectReference").get("id"), "projectReference.id") or project_id,
        id=required_int(raw, "id"),
        name=required_str(raw, "name"),
        path=as_str(raw.get("path"), "path") or None,
        environments=tuple(stages),
    )


def _list(raw: Mapping[str, Any], key: str) -> list[Any]:
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedRecord(f"{key} is not a list")
    return value


def parse_release(raw: Any, org_id: str, project_id: str) -> Release:
    """Release (with ``$expand=artifacts``) → Release with its artifacts."""
    raw = obj(raw, "release")
    definition_id = as_int(sub(raw, "releaseDefinition").get("id"), "releaseDefinition.id")
    if definition_id is None:
        raise MalformedRecord("releaseDefinition.id is missing")
    return Release(
        org_id=org_id,
        project_id=guid(sub(raw, "projectReference").get("id"), "projectReference.id") or project_id,
        id=required_int(raw, "id"),
        definition_id=definition_id,
        name=as_str(raw.get("name"), "name") or None,
        created_at=optional_date(raw, "createdOn"),
        artifacts=tuple(parse_release_artifact(a) for a in _list(raw, "artifacts")),
    )


def _ref_id(reference: Mapping[str, Any], key: str) -> str | None:
    """``definitionReference[key].id`` (a map of ``{id, name}`` pairs); empty strings are None."""
    value = reference.get(key)
    if not isinstance(value, Mapping):
        return None
    text = as_str(value.get("id"), f"definitionReference.{key}.id")
    return text.strip() if text and text.strip() else None


def parse_release_artifact(raw: Any) -> ReleaseArtifact:
    """An artifact → what a deployment shipped. Build artifacts: ``version`` is the build id (else from
    ``buildUri``), ``definition`` the pipeline, ``repository`` and ``sourceVersion`` the commit. Git
    artifacts: ``definition`` is the repository and ``version`` the commit."""
    raw = obj(raw, "artifact")
    alias = required_str(raw, "alias")
    kind = as_str(raw.get("type"), "type") or None
    ref = sub(raw, "definitionReference")
    branch = _ref_id(ref, "branch") or _ref_id(ref, "branches")
    if kind and kind.casefold() == "git":
        return ReleaseArtifact(alias=alias, type=kind, repo_id=guid(_ref_id(ref, "definition")),
                               source_version=sha(_ref_id(ref, "version"), "version"), branch=branch)
    build_id = _digits(_ref_id(ref, "version"))
    if build_id is None:
        found = _BUILD_URI.match(_ref_id(ref, "buildUri") or "")
        build_id = int(found[1]) if found else None
    is_build = bool(kind) and kind.casefold() == "build"
    return ReleaseArtifact(
        alias=alias,
        type=kind,
        build_id=build_id if is_build else None,
        build_definition_id=_digits(_ref_id(ref, "definition")) if is_build else None,
        repo_id=guid(_ref_id(ref, "repository"), "definitionReference.repository.id"),
        source_version=sha(_ref_id(ref, "sourceVersion"), "definitionReference.sourceVersion.id"),
        branch=branch,
    )


def _digits(text: str | None) -> int | None:
    """An integer id written as text, or None (a build number such as ``20260518.2`` is not an id)."""
    return int(text) if text and text.isdigit() else None


def parse_deployment(raw: Any, org_id: str, project_id: str) -> ClassicDeployment:
    """Deployment → ClassicDeployment (one per deployment id; ``queuedOn`` may be ``0001-01-01`` = None)."""
    raw = obj(raw, "deployment")
    release_id = as_int(sub(raw, "release").get("id"), "release.id")
    if release_id is None:
        raise MalformedRecord("release.id is missing")
    environment = sub(raw, "releaseEnvironment")
    return ClassicDeployment(
        org_id=org_id,
        project_id=guid(sub(raw, "projectReference").get("id"), "projectReference.id") or project_id,
        id=required_int(raw, "id"),
        release_id=release_id,
        release_definition_id=as_int(sub(raw, "releaseDefinition").get("id"), "releaseDefinition.id"),
        environment_id=as_int(environment.get("id"), "releaseEnvironment.id"),
        definition_environment_id=as_int(raw.get("definitionEnvironmentId"), "definitionEnvironmentId"),
        environment_name=required_str(environment, "name"),
        attempt=as_int(raw.get("attempt"), "attempt"),
        status=enum_value(raw.get("deploymentStatus"), "deploymentStatus", DEPLOYMENT_STATUSES),
        operation_status=enum_value(raw.get("operationStatus"), "operationStatus", OPERATION_STATUSES),
        queued_at=optional_date(raw, "queuedOn"),
        started_at=optional_date(raw, "startedOn"),
        completed_at=optional_date(raw, "completedOn"),
        last_modified_at=optional_date(raw, "lastModifiedOn"),
    )


def parse_environment(raw: Any, org_id: str, project_id: str) -> Environment:
    raw = obj(raw, "environment")
    return Environment(
        org_id=org_id,
        project_id=guid(sub(raw, "project").get("id"), "project.id") or project_id,
        id=required_int(raw, "id"),
        name=required_str(raw, "name"),
    )


def parse_environment_deployment(raw: Any, org_id: str, project_id: str,
                                 environment_id: int | None = None) -> EnvironmentDeployment:
    """EnvironmentDeploymentExecutionRecord → EnvironmentDeployment; ``owner.id`` is the run (a build id)
    only for Build plans."""
    raw = obj(raw, "deployment record")
    env = as_int(raw.get("environmentId"), "environmentId")
    env = env if env is not None else environment_id
    if env is None:
        raise MalformedRecord("environmentId is missing")
    plan = (as_str(raw.get("planType"), "planType") or "Build").casefold()
    owner = as_int(sub(raw, "owner").get("id"), "owner.id") if plan == "build" else None
    return EnvironmentDeployment(
        org_id=org_id,
        project_id=guid(raw.get("scopeId"), "scopeId") or project_id,
        id=required_int(raw, "id"),
        environment_id=env,
        build_id=owner,
        definition_id=as_int(sub(raw, "definition").get("id"), "definition.id"),
        stage_name=as_str(raw.get("stageName"), "stageName") or None,
        stage_attempt=as_int(raw.get("stageAttempt"), "stageAttempt"),
        result=enum_value(raw.get("result"), "result", RECORD_RESULTS),
        queued_at=optional_date(raw, "queueTime"),
        started_at=optional_date(raw, "startTime"),
        finished_at=optional_date(raw, "finishTime"),
    )
