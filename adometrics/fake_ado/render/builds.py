"""Wire shapes of builds, build definitions, build changes and timelines (build area, dev host).

The specs repo has no build examples; the shapes follow ``build.json`` definitions (``Build``,
``BuildDefinitionReference``, ``Change``, ``Timeline``) and the field list of ENDPOINTS.md §8. A build is
rendered as of the world's now: queued (``notStarted``), running (``inProgress``, no ``finishTime`` or
``result``) or ``completed``.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..registry import Call
from ..scenario import views
from ..scenario.model import Build, BuildDefinition, Commit, Repository, TimelineRecord
from ..wire import iso
from .common import identity_ref, link, project_ref

HOSTED_POOL = {"id": 9, "name": "Azure Pipelines", "isHosted": True}
QUEUE_ID = 11
CHANGE_MESSAGE_LIMIT = 200  # build changes carry a truncated message (``messageTruncated``)


def stable_guid(*parts: object) -> str:
    digest = hashlib.sha1("|".join(str(p) for p in parts).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16]))


def plan_ids(call: Call, project_id: str) -> dict[int, str]:
    """Build id -> orchestration plan id, as the YAML environments' deployment records name them, so a
    record's ``planId`` matches its run's ``orchestrationPlan`` (and timeline id)."""
    return {
        rec.build_id: rec.plan_id
        for env in call.world.environments(project_id)
        for rec in call.world.deployment_records(env.id)
    }


def plan_id(call: Call, build: Build, known: dict[int, str] | None = None) -> str:
    """The orchestration plan (= main timeline) id of a build: the model's when it has one, else the one
    its deployment records carry, else a stable id derived from the build."""
    own = getattr(build, "plan_id", None)
    if own:
        return own
    known = plan_ids(call, build.project_id) if known is None else known
    return known.get(build.id) or stable_guid("plan", build.project_id, build.id)


def api_base(call: Call, project_id: str) -> str:
    return f"{call.host_url('dev')}/{call.world.organization}/{project_id}/_apis/build"


def _web(call: Call, project_id: str) -> str:
    return f"{call.host_url('dev')}/{call.world.organization}/{project_id}"


def queue(call: Call, project_id: str) -> dict[str, Any]:
    return {
        "_links": {
            "self": link(f"{call.host_url('dev')}/{call.world.organization}/_apis/build/Queues/{QUEUE_ID}")
        },
        "id": QUEUE_ID,
        "name": "Azure Pipelines",
        "url": f"{call.host_url('dev')}/{call.world.organization}/_apis/build/Queues/{QUEUE_ID}",
        "pool": dict(HOSTED_POOL),
    }


def definition_ref(call: Call, definition: BuildDefinition) -> dict[str, Any]:
    """DefinitionReference as nested in a build."""
    api = api_base(call, definition.project_id)
    return {
        "drafts": [],
        "id": definition.id,
        "name": definition.name,
        "url": f"{api}/Definitions/{definition.id}?revision={definition.revision}",
        "uri": f"vstfs:///Build/Definition/{definition.id}",
        "path": definition.path,
        "type": "build",
        "queueStatus": "enabled",
        "revision": definition.revision,
        "project": project_ref(call, definition.project_id),
    }


def definition(
    call: Call,
    definition: BuildDefinition,
    latest: Build | None = None,
    latest_completed: Build | None = None,
    *,
    include_latest: bool = False,
) -> dict[str, Any]:
    """BuildDefinitionReference (the shallow list form: never the process, steps or variables)."""
    api = api_base(call, definition.project_id)
    web = _web(call, definition.project_id)
    out: dict[str, Any] = {
        "_links": {
            "self": link(f"{api}/Definitions/{definition.id}?revision={definition.revision}"),
            "web": link(f"{web}/_build/definition?definitionId={definition.id}"),
            "editor": link(f"{web}/_build/designer?id={definition.id}&_a=edit-build-definition"),
            "badge": link(f"{api}/status/{definition.id}"),
        },
        "quality": "definition",
        "authoredBy": identity_ref(call, definition.authored_by_id),
        "queue": queue(call, definition.project_id),
    }
    out.update(definition_ref(call, definition))
    out["createdDate"] = iso(definition.created)
    if include_latest:
        if latest is not None:
            out["latestBuild"] = build(call, latest, definition)
        if latest_completed is not None:
            out["latestCompletedBuild"] = build(call, latest_completed, definition)
    return out


def repository_ref(call: Call, repo: Repository | None, repository_id: str) -> dict[str, Any]:
    project = call.world.project(repo.project_id) if repo else None
    name = repo.name if repo else repository_id
    url = (
        f"{call.host_url('dev')}/{call.world.organization}/{project.name}/_git/{repo.name}"
        if repo and project
        else ""
    )
    return {
        "id": repository_id,
        "type": "TfsGit",
        "name": name,
        "url": url,
        "clean": None,
        "checkoutSubmodules": False,
    }


def build(
    call: Call, b: Build, definition_: BuildDefinition | None = None, plans: dict[int, str] | None = None
) -> dict[str, Any]:
    """Build as the list and the single GET return it (the ``logs`` reference included, as ADO does)."""
    now = call.world.now
    status, result, _ = views.build_state(b, now)
    plan = plan_id(call, b, plans)
    api = api_base(call, b.project_id)
    web = _web(call, b.project_id)
    if definition_ is None:
        definition_ = next(
            (d for d in call.world.build_definitions(b.project_id) if d.id == b.definition_id), None
        )
    repo = call.world.repository(b.repository_id)
    out: dict[str, Any] = {
        "_links": {
            "self": link(f"{api}/Builds/{b.id}"),
            "web": link(f"{web}/_build/results?buildId={b.id}"),
            "sourceVersionDisplayUri": link(f"{api}/builds/{b.id}/sources"),
            "timeline": link(f"{api}/builds/{b.id}/Timeline"),
            "badge": link(f"{api}/status/{b.definition_id}"),
        },
        "properties": {},
        "tags": list(b.tags),
        "validationResults": [],
        "plans": [{"planId": plan}],
        "triggerInfo": _trigger_info(b, repo),
        "id": b.id,
        "buildNumber": b.number,
        "status": status,
    }
    if result is not None:
        out["result"] = result
    out["queueTime"] = iso(b.queued)
    if status != "notStarted":
        out["startTime"] = iso(b.started)
    if status == "completed":
        out["finishTime"] = iso(b.finished)
    out.update(
        {
            "url": f"{api}/Builds/{b.id}",
            "definition": definition_ref(call, definition_) if definition_ else {"id": b.definition_id},
            "buildNumberRevision": 1,
            "project": project_ref(call, b.project_id),
            "uri": f"vstfs:///Build/Build/{b.id}",
            "sourceBranch": b.source_branch,
            "sourceVersion": b.source_version,
            "queue": queue(call, b.project_id),
            "priority": "normal",
            "reason": b.reason,
            "requestedFor": identity_ref(call, b.requested_for_id),
            "requestedBy": identity_ref(call, b.requested_by_id),
            "lastChangedDate": iso(_last_changed(b, status)),
            "lastChangedBy": identity_ref(call, b.requested_by_id),
            "orchestrationPlan": {"planId": plan},
            "logs": {"id": 0, "type": "Container", "url": f"{api}/builds/{b.id}/logs"},
            "repository": repository_ref(call, repo, b.repository_id),
            "retainedByRelease": False,
            "triggeredByBuild": None,
            "appendCommitMessageToRunName": True,
        }
    )
    return out


def _last_changed(b: Build, status: str) -> datetime:
    return {"notStarted": b.queued, "inProgress": b.started}.get(status, b.finished)


def _trigger_info(b: Build, repo: Repository | None) -> dict[str, str]:
    """String map ADO fills for CI and PR triggers (keys as seen in real payloads)."""
    if b.reason == "pullRequest" and b.pull_request_id is not None:
        return {
            "pr.number": str(b.pull_request_id),
            "pr.isFork": "False",
            "pr.triggerRepository": b.repository_id,
            "pr.triggerRepository.Type": "TfsGit",
        }
    if b.reason in ("individualCI", "batchedCI"):
        return {
            "ci.sourceBranch": b.source_branch,
            "ci.sourceSha": b.source_version,
            "ci.triggerRepository": b.repository_id,
        }
    return {}


def people_by_email(call: Call) -> dict[str, Any]:
    """E-mail -> identity, to show commit authors as ADO does (once per request, not per change)."""
    return {u.identity.unique_name.lower(): u.identity for u in call.world.users()}


def change(call: Call, repo: Repository | None, commit: Commit, people: dict[str, Any]) -> dict[str, Any]:
    """Change (build changes): the commit id, a truncated message, author and timestamp."""
    message = commit.comment
    truncated = len(message) > CHANGE_MESSAGE_LIMIT
    identity = people.get(commit.author.email.lower())
    author = (
        identity_ref(call, identity)
        if identity
        else {"displayName": commit.author.name, "uniqueName": commit.author.email}
    )
    location = web = ""
    if repo is not None:
        org = call.world.organization
        location = (
            f"{call.host_url('dev')}/{org}/{repo.project_id}/_apis/git/repositories/{repo.id}/commits/"
            f"{commit.sha}"
        )
        project = call.world.project(repo.project_id)
        if project is not None:
            web = f"{call.host_url('dev')}/{org}/{project.name}/_git/{repo.name}/commit/{commit.sha}"
    return {
        "id": commit.sha,
        "message": message[:CHANGE_MESSAGE_LIMIT] if truncated else message,
        "type": "TfsGit",
        "author": author,
        "timestamp": iso(commit.author.date),
        "location": location,
        "displayUri": web,
        "messageTruncated": truncated,
        "pusher": commit.committer.email,
    }


def timeline(call: Call, b: Build, records: list[TimelineRecord]) -> dict[str, Any]:
    """Timeline with the records started by now (``state`` pending/inProgress/completed)."""
    now = call.world.now
    api = api_base(call, b.project_id)
    timeline_id = plan_id(call, b)
    last = max((min(r.finished, now) for r in records if r.started <= now), default=b.queued)
    log_ids = {r.id: log_id for log_id, r in log_records(records).items()}
    return {
        "records": [_record(call, b, r, now, log_ids.get(r.id)) for r in records],
        "lastChangedBy": "00000002-0000-8888-8000-000000000000",
        "lastChangedOn": iso(last),
        "id": timeline_id,
        "changeId": sum(1 for r in records if r.started <= now),
        "url": f"{api}/builds/{b.id}/Timeline/{timeline_id}",
    }


def _record(call: Call, b: Build, r: TimelineRecord, now: datetime, log_id: int | None) -> dict[str, Any]:
    api = api_base(call, b.project_id)
    state, result, started, finished = views.timeline_state(r, now)
    out: dict[str, Any] = {
        "previousAttempts": [],
        "id": r.id,
        "parentId": r.parent_id,
        "type": r.type,
        "name": r.name,
        "startTime": iso(started) if started else None,
        "finishTime": iso(finished) if finished else None,
        "currentOperation": None,
        "percentComplete": 100 if state == "completed" else 0,
        "state": state,
        "result": result,
        "resultCode": None,
        "changeId": r.order,
        "lastModified": iso(min(r.finished, now) if state != "pending" else b.queued),
        "workerName": "Hosted Agent" if r.type in ("Job", "Task") else None,
        "order": r.order,
        "details": None,
        "errorCount": 1 if result == "failed" else 0,
        "warningCount": 0,
        "url": None,
        "log": None,
        "task": None,
        "attempt": r.attempt,
        "identifier": r.identifier,
    }
    if log_id is not None and state != "pending":
        out["log"] = {"id": log_id, "type": "Container", "url": f"{api}/builds/{b.id}/logs/{log_id}"}
    if r.type == "Task":
        out["task"] = {"id": stable_guid("task", r.name), "name": r.name.split(" ")[0], "version": "2.0.0"}
    if result == "failed" and r.type == "Task":
        out["issues"] = [
            {
                "type": "error",
                "category": "General",
                "message": "Process completed with exit code 1.",
                "data": {"type": "error", "logFileLineNumber": "42"},
            }
        ]
    return out


def log_records(records: Sequence[TimelineRecord]) -> dict[int, TimelineRecord]:
    """Log id -> the Job or Task record that wrote it (ids from 1 in timeline order)."""
    writers = [r for r in sorted(records, key=lambda r: (r.started, r.order)) if r.type in ("Job", "Task")]
    return {i: r for i, r in enumerate(writers, start=1)}
