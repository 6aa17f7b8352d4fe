"""Parsers for pipelines: build definitions, builds and build timeline records (ENDPOINTS §8).

Logs, issues (compiler and log output), tasks, variables and definition steps are never copied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adometrics.domain import Build, BuildDefinition

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

BUILD_STATUSES = ("none", "inProgress", "completed", "cancelling", "postponed", "notStarted", "all")
BUILD_RESULTS = ("none", "succeeded", "partiallySucceeded", "failed", "canceled")
TASK_RESULTS = ("succeeded", "succeededWithIssues", "failed", "canceled", "skipped", "abandoned")
TIMELINE_TYPES = ("Stage", "Phase", "Job", "Task", "Checkpoint")
_PR_BRANCH = re.compile(r"^refs/pull/(\d+)/", re.IGNORECASE)


def parse_build_definition(raw: Any, org_id: str, project_id: str) -> BuildDefinition:
    """BuildDefinitionReference → BuildDefinition (the opt-in deployment settings are the user's and stay
    at their defaults here; the store never overwrites them)."""
    raw = obj(raw, "build definition")
    project = guid(sub(raw, "project").get("id"), "project.id") or project_id
    return BuildDefinition(
        org_id=org_id,
        project_id=project,
        id=required_int(raw, "id"),
        name=required_str(raw, "name"),
        path=as_str(raw.get("path"), "path") or None,
        repo_id=guid(sub(raw, "repository").get("id"), "repository.id"),
    )


def parse_build(raw: Any, org_id: str, project_id: str) -> Build:
    """Build → Build. ``pr_id`` comes from ``triggerInfo["pr.number"]`` or a ``refs/pull/{n}/merge``
    source branch."""
    raw = obj(raw, "build")
    definition = sub(raw, "definition")
    definition_id = as_int(definition.get("id"), "definition.id")
    if definition_id is None:
        raise MalformedRecord("definition.id is missing")
    branch = as_str(raw.get("sourceBranch"), "sourceBranch") or None
    return Build(
        org_id=org_id,
        project_id=guid(sub(raw, "project").get("id"), "project.id") or project_id,
        id=required_int(raw, "id"),
        definition_id=definition_id,
        repo_id=guid(sub(raw, "repository").get("id"), "repository.id"),
        source_branch=branch,
        source_version=sha(raw.get("sourceVersion"), "sourceVersion"),
        reason=enum_value(raw.get("reason"), "reason"),
        status=enum_value(raw.get("status"), "status", BUILD_STATUSES),
        result=enum_value(raw.get("result"), "result", BUILD_RESULTS),
        queued_at=optional_date(raw, "queueTime"),
        started_at=optional_date(raw, "startTime"),
        finished_at=optional_date(raw, "finishTime"),
        pr_id=_pr_number(raw, branch),
    )


def _pr_number(raw: Any, branch: str | None) -> int | None:
    trigger = sub(raw, "triggerInfo")
    number = as_int(trigger.get("pr.number"), "triggerInfo.pr.number")
    if number is not None:
        return number
    found = _PR_BRANCH.match(branch or "")
    return int(found[1]) if found else None


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineRecord:
    """A Stage or Job of a build's timeline, for the fallback when YAML environments cannot be read
    (ARCHITECTURE §4). Not stored: the sync only learns from it which pipelines deploy to production."""

    build_id: int
    id: str
    parent_id: str | None = None
    type: str
    name: str
    identifier: str | None = None
    result: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    attempt: int | None = None


def parse_timeline_record(raw: Any, build_id: int) -> TimelineRecord:
    """One timeline record → TimelineRecord; ``log``, ``issues``, ``task`` and details are dropped."""
    raw = obj(raw, "timeline record")
    return TimelineRecord(
        build_id=build_id,
        id=required_str(raw, "id"),
        parent_id=as_str(raw.get("parentId"), "parentId") or None,
        type=enum_value(raw.get("type"), "type", TIMELINE_TYPES) or _missing("type"),
        name=required_str(raw, "name"),
        identifier=as_str(raw.get("identifier"), "identifier") or None,
        result=enum_value(raw.get("result"), "result", TASK_RESULTS),
        started_at=optional_date(raw, "startTime"),
        finished_at=optional_date(raw, "finishTime"),
        attempt=as_int(raw.get("attempt"), "attempt"),
    )


def _missing(field: str) -> str:
    raise MalformedRecord(f"{field} is missing")
