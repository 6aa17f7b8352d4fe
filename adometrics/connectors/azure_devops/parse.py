"""Raw ADO dicts → domain records: one import point for every parser (ARCHITECTURE §1, §2).

Each parser is a pure function that copies the named fields it needs and drops the rest: no raw payload,
comment text, commit message or description survives parsing (the domain has no field for them). Values are
read tolerantly (dates with 0–7 fraction digits, ``Z`` or an offset, ``0001-01-01`` = not set; enums in any
case; GUIDs in one canonical form) and a record that is present but wrong raises :class:`MalformedRecord`,
which the collectors report as skipped. The parsers live in ``parse_*`` modules by area.
"""

from __future__ import annotations

from .parse_builds import TimelineRecord, parse_build, parse_build_definition, parse_timeline_record
from .parse_common import (
    MalformedRecord,
    enum_value,
    guid,
    identity_is_user,
    parse_datetime,
    same_identity,
)
from .parse_git import parse_commit, parse_ref, parse_repository
from .parse_org import parse_project, parse_team, parse_team_member, parse_user
from .parse_pulls import (
    is_system_thread,
    parse_pr_commit,
    parse_pr_iteration,
    parse_pr_reviewers,
    parse_pr_status,
    parse_pull_request,
    parse_review_events,
    pr_fingerprint,
)
from .parse_releases import (
    parse_deployment,
    parse_environment,
    parse_environment_deployment,
    parse_release,
    parse_release_artifact,
    parse_release_definition,
)

__all__ = [
    "MalformedRecord",
    "TimelineRecord",
    "enum_value",
    "guid",
    "identity_is_user",
    "is_system_thread",
    "parse_build",
    "parse_build_definition",
    "parse_commit",
    "parse_datetime",
    "parse_deployment",
    "parse_environment",
    "parse_environment_deployment",
    "parse_pr_commit",
    "parse_pr_iteration",
    "parse_pr_reviewers",
    "parse_pr_status",
    "parse_project",
    "parse_pull_request",
    "parse_ref",
    "parse_release",
    "parse_release_artifact",
    "parse_release_definition",
    "parse_repository",
    "parse_review_events",
    "parse_team",
    "parse_team_member",
    "parse_timeline_record",
    "parse_user",
    "pr_fingerprint",
    "same_identity",
]
