"""Routes: classic releases, deployments and release definitions (vsrm host; ENDPOINTS.md §9).

Releases and deployments page with an *integer* continuation token (the spec types it int32): the id of the
first item of the next page, sent back in ``x-ms-continuationtoken`` while more remain. Time windows are
half-open ``[min, max)``; deployment times are those visible now (a running deployment has no completion).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from .. import registry
from ..registry import Call, endpoint
from ..render import release_detail as detail
from ..render import releases as render
from ..scenario.model import Deployment, Release
from ..wire import AdoError, envelope, query, query_bool, query_choice, query_datetime, query_int, token_page
from .builds import with_token
from .pulls import project_or_404

SPEC = "release/7.1/release.json"
RELEASES_DEFAULT, RELEASES_MAX = 50, 100  # BEHAVIOUR.md §8 (spec: "Default is 50")
DEPLOYMENTS_DEFAULT, DEPLOYMENTS_MAX = 50, 100
DEFINITIONS_DEFAULT, DEFINITIONS_MAX = 100, 1000


def _order(request: Request) -> bool:
    """True for descending (the default of both lists)."""
    return query_choice(request, "queryOrder", "descending", ("descending", "ascending")) == "descending"


def int_page(items: Sequence[Any], request: Request, descending: bool, default: int, maximum: int):
    """Items (sorted by id in the list's order) from the token's id on; returns (page, next token)."""
    token = query_int(request, "continuationToken")
    top = query_int(request, "$top")
    size = default if top is None else max(1, min(top, maximum))
    if token is not None:
        items = [i for i in items if (i.id <= token if descending else i.id >= token)]
    page = list(items[:size])
    return page, (str(items[size].id) if len(items) > size else None)


def _in_window(when, low, high) -> bool:
    return when is not None and (low is None or when >= low) and (high is None or when < high)


def _expand(request: Request) -> set[str]:
    return {p.strip().lower() for p in (query(request, "$expand") or "").split(",") if p.strip()}


# -- releases ---------------------------------------------------------------------------------------


@endpoint(
    "releases.list",
    "vsrm",
    "GET",
    "/{org}/{project}/_apis/release/releases",
    scopes=registry.RELEASE,
    spec=SPEC,
    operation_id="Releases_List",
)
def list_releases(request: Request, call: Call):
    project = project_or_404(request, call)
    descending = _order(request)
    keep = _release_filter(request, call)
    releases = sorted(
        (r for r in call.world.releases(project.id) if keep(r)), key=lambda r: r.id, reverse=descending
    )
    page, token = int_page(releases, request, descending, RELEASES_DEFAULT, RELEASES_MAX)
    expand = _expand(request)
    ctx = render.Context(call, project.id)
    by_release = _deployments_by_release(call, project.id) if "environments" in expand else {}
    body = envelope(
        [
            detail.release(
                ctx,
                r,
                by_release.get(r.id, []),
                environments="environments" in expand,
                artifacts="artifacts" in expand,
            )
            for r in page
        ]
    )
    return with_token(body, token)


def _release_filter(request: Request, call: Call) -> Callable[[Release], bool]:
    definition = query_int(request, "definitionId")
    env_def = query_int(request, "definitionEnvironmentId")
    created_by = (query(request, "createdBy") or "").lower()
    status = (query(request, "statusFilter") or "").lower()
    low, high = query_datetime(request, "minCreatedTime"), query_datetime(request, "maxCreatedTime")
    text = (query(request, "searchText") or "").lower()
    ids = {int(x) for x in (query(request, "releaseIdFilter") or "").split(",") if x.strip().isdigit()}
    version = query(request, "artifactVersionId")
    branch = query(request, "sourceBranchFilter")
    source = query(request, "sourceId")
    deleted = query_bool(request, "isDeleted")

    def keep(r: Release) -> bool:
        return not deleted and all(
            (
                definition is None or r.definition_id == definition,
                env_def is None or any(e.definition_environment_id == env_def for e in r.environments),
                not created_by or r.created_by_id == created_by,
                status in ("", "undefined", "active"),
                (low is None and high is None) or _in_window(r.created, low, high),
                not text or text in r.name.lower(),
                not ids or r.id in ids,
                not version or any(str(a.build_id) == version for a in r.artifacts),
                not branch or any(a.source_branch == branch for a in r.artifacts),
                not source or any(f"{r.project_id}:{a.build_definition_id}" == source for a in r.artifacts),
            )
        )

    return keep


def _deployments_by_release(call: Call, project_id: str) -> dict[int, list[Deployment]]:
    grouped: dict[int, list[Deployment]] = {}
    for dep in call.world.deployments(project_id):
        grouped.setdefault(dep.release_id, []).append(dep)
    return grouped


def _release_or_404(request: Request, call: Call, project_id: str) -> Release:
    raw = request.path_params["release"]
    rel = call.world.release(int(raw)) if raw.isdigit() else None
    if rel is None or rel.project_id != project_id or rel.created > call.world.now:
        raise AdoError(404, "ReleaseNotFoundException", f"VS402880: Release with id {raw} does not exist.")
    return rel


@endpoint(
    "releases.get",
    "vsrm",
    "GET",
    "/{org}/{project}/_apis/release/releases/{release}",
    scopes=registry.RELEASE,
    spec=SPEC,
    operation_id="Releases_Get Release",
)
def get_release(request: Request, call: Call):
    project = project_or_404(request, call)
    rel = _release_or_404(request, call, project.id)
    deployments = [d for d in call.world.deployments(project.id) if d.release_id == rel.id]
    return detail.release(
        render.Context(call, project.id), rel, deployments, environments=True, artifacts=True
    )


# -- deployments ------------------------------------------------------------------------------------


@endpoint(
    "releases.deployments",
    "vsrm",
    "GET",
    "/{org}/{project}/_apis/release/deployments",
    scopes=registry.RELEASE,
    spec=SPEC,
    operation_id="Deployments_List",
)
def list_deployments(request: Request, call: Call):
    project = project_or_404(request, call)
    descending = _order(request)
    releases = {r.id: r for r in call.world.releases(project.id)}
    deployments = [d for d in call.world.deployments(project.id) if d.release_id in releases]
    if query_bool(request, "latestAttemptsOnly"):
        deployments = _latest_attempts(deployments)
    keep = _deployment_filter(request, call, releases)
    deployments = sorted((d for d in deployments if keep(d)), key=lambda d: d.id, reverse=descending)
    page, token = int_page(deployments, request, descending, DEPLOYMENTS_DEFAULT, DEPLOYMENTS_MAX)
    ctx = render.Context(call, project.id)
    return with_token(envelope([render.deployment(ctx, d, releases[d.release_id]) for d in page]), token)


def _latest_attempts(deployments: list[Deployment]) -> list[Deployment]:
    latest: dict[int, Deployment] = {}
    for dep in deployments:
        held = latest.get(dep.release_environment_id)
        if held is None or dep.attempt > held.attempt:
            latest[dep.release_environment_id] = dep
    return list(latest.values())


def _deployment_filter(
    request: Request, call: Call, releases: dict[int, Release]
) -> Callable[[Deployment], bool]:
    now = call.world.now
    definition = query_int(request, "definitionId")
    env_def = query_int(request, "definitionEnvironmentId")
    created_by = (query(request, "createdBy") or "").lower()
    created_for = (query(request, "createdFor") or "").lower()
    statuses = _flags(request, "deploymentStatus")
    operations = _flags(request, "operationStatus")
    low_mod, high_mod = query_datetime(request, "minModifiedTime"), query_datetime(request, "maxModifiedTime")
    low_start, high_start = (
        query_datetime(request, "minStartedTime"),
        query_datetime(request, "maxStartedTime"),
    )
    branch = query(request, "sourceBranch")

    def keep(d: Deployment) -> bool:
        status, operation = render.deployment_state(d, now)
        started = d.started if d.started <= now else None
        return all(
            (
                definition is None or d.definition_id == definition,
                env_def is None or d.definition_environment_id == env_def,
                not created_by or d.requested_by_id == created_by,
                not created_for or d.requested_by_id == created_for,
                not statuses or status.lower() in statuses,
                not operations or operation.lower() in operations,
                (low_mod is None and high_mod is None)
                or _in_window(render.last_modified(d, now), low_mod, high_mod),
                (low_start is None and high_start is None) or _in_window(started, low_start, high_start),
                not branch
                or any(a.is_primary and a.source_branch == branch for a in releases[d.release_id].artifacts),
            )
        )

    return keep


def _flags(request: Request, name: str) -> set[str]:
    values = {p.strip().lower() for p in (query(request, name) or "").split(",") if p.strip()}
    return set() if values & {"all", "undefined"} else values


# -- definitions ------------------------------------------------------------------------------------

DEFINITION_ORDERS = {"idascending", "iddescending", "nameascending", "namedescending"}


@endpoint(
    "releases.definitions",
    "vsrm",
    "GET",
    "/{org}/{project}/_apis/release/definitions",
    scopes=registry.RELEASE,
    spec=SPEC,
    operation_id="Definitions_List",
)
def list_definitions(request: Request, call: Call):
    project = project_or_404(request, call)
    order = query_choice(request, "queryOrder", "idAscending", DEFINITION_ORDERS)
    definitions = [
        d
        for d in call.world.release_definitions(project.id)
        if d.created <= call.world.now and _definition_matches(request, d)
    ]
    key = (lambda d: (d.name.casefold(), d.id)) if order.startswith("name") else (lambda d: d.id)
    definitions.sort(key=key, reverse=order.endswith("descending"))
    page = token_page(
        definitions,
        query(request, "continuationToken"),
        query_int(request, "$top"),
        DEFINITIONS_DEFAULT,
        DEFINITIONS_MAX,
        salt=f"rd{order}",
    )
    expand = _expand(request)
    last: dict[int, Release] = {}
    for rel in call.world.releases(project.id):
        last[rel.definition_id] = rel
    ctx = render.Context(call, project.id)
    body = envelope(
        [
            render.definition(
                ctx, d, last.get(d.id), environments="environments" in expand, artifacts="artifacts" in expand
            )
            for d in page.items
        ]
    )
    return with_token(body, page.continuation)


def _definition_matches(request: Request, d) -> bool:
    text = (query(request, "searchText") or "").lower()
    exact = query_bool(request, "isExactNameMatch")
    ids = {x.strip() for x in (query(request, "definitionIdFilter") or "").split(",") if x.strip()}
    path = query(request, "path")
    artifact_type = (query(request, "artifactType") or "").lower()
    source = query(request, "artifactSourceId")
    if text and (d.name.lower() != text if exact else text not in d.name.lower()):
        return False
    return all(
        (
            not ids or str(d.id) in ids,
            not path or d.path.rstrip("\\").lower() == path.rstrip("\\").lower(),
            artifact_type in ("", "build"),
            not source or any(f"{d.project_id}:{b}" == source for b in d.build_definition_ids),
            not query_bool(request, "isDeleted"),
        )
    )


# -- content: release logs (served, flagged as content in the request log) ----------------------------


@endpoint(
    "releases.logs",
    "vsrm",
    "GET",
    "/{org}/{project}/_apis/release/releases/{release}/logs",
    scopes=registry.RELEASE,
    content=True,
    spec=SPEC,
    operation_id="Releases_Get Logs",
)
def release_logs(request: Request, call: Call):
    """All logs of a release as a zip (one text file per deployment attempt)."""
    project = project_or_404(request, call)
    rel = _release_or_404(request, call, project.id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for dep in call.world.deployments(project.id):
            if dep.release_id == rel.id and dep.started <= call.world.now:
                archive.writestr(
                    f"{dep.environment_name}/Attempt{dep.attempt}/Run on agent/1_Deploy.log", _log_text(dep)
                )
    return Response(buffer.getvalue(), media_type="application/zip")


@endpoint(
    "releases.task_log",
    "vsrm",
    "GET",
    "/{org}/{project}/_apis/release/releases/{release}/environments/{environment}/deployPhases/{phase}"
    "/tasks/{task}/logs",
    scopes=registry.RELEASE,
    content=True,
    spec=SPEC,
    operation_id="Releases_Get Task Log",
)
def task_log(request: Request, call: Call):
    project = project_or_404(request, call)
    rel = _release_or_404(request, call, project.id)
    env = request.path_params["environment"]
    attempts = [
        d
        for d in call.world.deployments(project.id)
        if d.release_id == rel.id and str(d.release_environment_id) == env and d.started <= call.world.now
    ]
    if not attempts:
        raise AdoError(
            404, "ReleaseEnvironmentNotFoundException", f"Environment {env} has no deployment logs."
        )
    return PlainTextResponse(_log_text(max(attempts, key=lambda d: d.attempt)))


def _log_text(dep: Deployment) -> str:
    from ..wire import iso

    return "\n".join(
        [
            f"{iso(dep.started)} ##[section]Starting: Deploy",
            f"{iso(dep.started)} Deploying release to {dep.environment_name}",
            f"{iso(dep.completed)} ##[section]Finishing: Deploy",
        ]
    )
