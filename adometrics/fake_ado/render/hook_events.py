"""What a service-hook delivery carries: the event's ``resource`` and its human messages.

Resources reuse the area renderers (a PR event carries the same GitPullRequest as
``GET .../pullRequests/{id}``, a build event the same Build as ``GET .../builds/{id}``), shaped as
ENDPOINTS.md §11.3–11.4 describe. Everything is rendered as of the world's now, i.e. right after the clock
advance that raised the event.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from ..registry import Call
from ..scenario.model import ActivityEvent
from ..wire import iso
from . import builds, git, pulls, releases
from .hook_catalog import RELEASE_ALIASES, RELEASE_DEPLOYMENT_COMPLETED

PR_EVENTS = ("git.pullrequest.created", "git.pullrequest.updated", "git.pullrequest.merged")
BUILD_STATUS = {
    "succeeded": "Succeeded",
    "partiallySucceeded": "PartiallySucceeded",
    "failed": "Failed",
    "canceled": "Stopped",
}
# releaseEnvironmentStatus filter values (EnvironmentStatus flags) by deployment status.
ENVIRONMENT_STATUS = {
    "succeeded": "4",
    "canceled": "8",
    "rejected": "16",
    "failed": "32",
    "partiallySucceeded": "128",
}
MINIMAL_KEYS = ("id", "pullRequestId", "pushId", "buildNumber", "name", "status", "result", "url")


def canonical(event_type: str) -> str:
    """One name per event kind (release events have two spellings; see ``render.hook_catalog``)."""
    if "deployment-completed" in event_type or event_type == "release.deployment.completed":
        return RELEASE_DEPLOYMENT_COMPLETED
    return RELEASE_ALIASES.get(event_type, event_type)


@dataclass(slots=True)
class Subject:
    """The entity an event is about, looked up once per event; ``facts`` feed the subscription filters."""

    resource: dict[str, Any] | None
    facts: dict[str, str]
    messages: tuple[str, str]  # (short text, detailed text)


def subject(call: Call, event: ActivityEvent) -> Subject | None:
    """Render the event's resource, or None when the entity is not (or no longer) visible."""
    kind = canonical(event.event_type)
    if kind in PR_EVENTS:
        return _pull_request(call, event)
    if kind == "git.push":
        return _push(call, event)
    if kind == "build.complete":
        return _build(call, event)
    if kind == RELEASE_DEPLOYMENT_COMPLETED:
        return _deployment(call, event)
    return None


def _who(ref: dict[str, Any] | None) -> str:
    return (ref or {}).get("displayName", "Someone")


def _pull_request(call: Call, event: ActivityEvent) -> Subject | None:
    """GitPullRequest as the single GET gives it, with its commits (ENDPOINTS §11.3)."""
    world = call.world
    pr = world.pull_request(int(event.resource_id))
    repo = world.repository(pr.repository_id) if pr else None
    if pr is None or repo is None:
        return None
    resource = pulls.pull_request(call, repo, pr, listing=False, include_commits=True)
    verb = {"git.pullrequest.created": "created", "git.pullrequest.merged": "merged"}.get(
        canonical(event.event_type), "updated"
    )
    text = f"{_who(resource.get('createdBy'))} {verb} pull request {pr.id} ({pr.title}) in {repo.name}"
    facts = {
        "repository": repo.id,
        "branch": pr.target_ref,
        "notificationType": event.notification_type or "",
    }
    return Subject(resource, facts, (text, f"{text}\r\n{pr.source_ref} -> {pr.target_ref}"))


def _push(call: Call, event: ActivityEvent) -> Subject | None:
    """GitPush with its ref updates and commits."""
    world = call.world
    repo = world.repository(event.repository_id) if event.repository_id else None
    project = world.project(repo.project_id) if repo else None
    push = next((p for p in world.pushes(repo.id) if p.id == int(event.resource_id)), None) if repo else None
    if repo is None or project is None or push is None:
        return None
    commits = [
        git.commit_ref(call, repo, project, c)
        for c in (world.commit(repo.id, sha) for sha in push.commit_shas)
        if c is not None
    ]
    resource = git.push(call, repo, project, push, ref_updates=True, commits=commits, links=True)
    branches = ", ".join(u.name.removeprefix("refs/heads/") for u in push.ref_updates)
    text = f"{_who(resource.get('pushedBy'))} pushed updates to {repo.name}:{branches}"
    facts = {"repository": repo.id, "branch": " ".join(u.name for u in push.ref_updates)}
    return Subject(resource, facts, (text, f"{text}\r\n{len(commits)} commit(s)"))


def _build(call: Call, event: ActivityEvent) -> Subject | None:
    """The Build as ``GET .../build/builds/{id}`` gives it (not the XAML-era samples; ENDPOINTS §11.3)."""
    world = call.world
    build = world.build(int(event.resource_id))
    if build is None:
        return None
    definition = next(
        (d for d in world.build_definitions(build.project_id) if d.id == build.definition_id), None
    )
    name = definition.name if definition else str(build.definition_id)
    text = f"Build {build.number} {build.result}"
    facts = {"definitionName": name, "buildStatus": BUILD_STATUS.get(build.result, build.result)}
    return Subject(builds.build(call, build, definition), facts, (text, f"{text}\r\nDefinition: {name}"))


def _deployment(call: Call, event: ActivityEvent) -> Subject | None:
    """``{environment: ReleaseEnvironment, release, project{id, name}}``, as the deployment samples."""
    world = call.world
    wanted = str(event.resource_id)
    deployments = world.deployments(event.project_id)
    deployment = next((d for d in deployments if str(d.id) == wanted), None)
    release = world.release(deployment.release_id) if deployment else None
    if deployment is None or release is None:
        return None
    env = next((e for e in release.environments if e.id == deployment.release_environment_id), None)
    if env is None:
        return None
    ctx = releases.Context(call, event.project_id)
    attempts = [d for d in deployments if d.release_environment_id == env.id]
    resource = {
        "environment": _release_environment(ctx, release, env, deployment, attempts),
        "release": releases.shallow_release(ctx, release),
        "project": {"id": event.project_id, "name": ctx.project.name if ctx.project else ""},
    }
    status = deployment.deployment_status
    text = f"Deployment of release {release.name} to {deployment.environment_name} {status}"
    facts = {
        "releaseDefinitionId": str(release.definition_id),
        "releaseEnvironmentId": str(deployment.definition_environment_id),
        "releaseEnvironmentStatus": ENVIRONMENT_STATUS.get(status, ""),
    }
    return Subject(resource, facts, (text, text))


def _release_environment(ctx, release, env, deployment, attempts) -> dict[str, Any]:
    """The releases area's ReleaseEnvironment renderer (wherever it lives), else its key fields."""
    for module in ("release_detail", "releases"):
        try:
            found = getattr(importlib.import_module(f"{__package__}.{module}"), "release_environment", None)
        except ImportError:
            found = None
        if callable(found):
            return found(ctx, release, env, attempts)
    vsrm = ctx.vsrm
    return {"id": env.id, "releaseId": release.id, "name": env.name, "status": deployment.deployment_status,
            "definitionEnvironmentId": env.definition_environment_id, "rank": env.rank,
            "release": {"id": release.id, "name": release.name, "url": f"{vsrm}/releases/{release.id}"},
            "releaseDefinition": {"id": release.definition_id,
                                  "url": f"{vsrm}/definitions/{release.definition_id}"},
            "createdOn": iso(deployment.queued), "modifiedOn": iso(deployment.completed)}


def message(setting: str, text: str) -> dict[str, str] | None:
    """``messagesToSend``/``detailedMessagesToSend``: "" all formats, one format, or "none" (null)."""
    if setting == "none":
        return None
    html = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r\n", "<br/>")
    formats = {"text": text, "html": html, "markdown": text.replace("\r\n", "\r\n\r\n")}
    return formats if setting not in formats else {setting: formats[setting]}


def resource_details(setting: str, resource: dict[str, Any] | None) -> dict[str, Any] | None:
    """``resourceDetailsToSend``: "" everything, ``minimal`` key fields only, ``none`` null."""
    if setting == "none" or resource is None:
        return None
    if setting == "minimal":
        return {k: resource[k] for k in MINIMAL_KEYS if k in resource}
    return resource
