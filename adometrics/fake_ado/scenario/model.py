"""The simulator's internal state: plain records, free of any wire format.

Each record holds its whole simulated timeline (e.g. a pull request knows when it will close); what a
client sees at a given simulated instant is derived by ``views.py``. Keeping state and wire format apart
(as moto does) lets one record feed several endpoints and API versions.

All datetimes are timezone-aware UTC. Identity ids and project/repository ids are lower-case GUID strings;
commit ids are 40-hex SHA-1 strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

IdentityKind = Literal["user", "group", "service"]


@dataclass(slots=True)
class Identity:
    """A user, group or service identity as IdentityRef shows it."""

    id: str
    display_name: str
    unique_name: str  # UPN / e-mail for users; "[Project]\\Team" style for groups
    descriptor: str  # e.g. "aad.<base64>", "vssgp.<base64>", "svc.<base64>"
    kind: IdentityKind = "user"


@dataclass(slots=True)
class User:
    """A member of the organization with its entitlement (vsaex userentitlements)."""

    identity: Identity
    date_created: datetime
    last_accessed: datetime | None  # None = never (rendered as 0001-01-01T00:00:00Z)
    license: str = "express"  # accountLicenseType: express (Basic), stakeholder, advanced, ...
    license_display_name: str = "Basic"
    status: str = "active"  # accessLevel.status: active | disabled | pending
    meta_type: str = "member"  # member | guest
    origin: str = "aad"
    origin_id: str = ""


@dataclass(slots=True)
class Project:
    id: str
    name: str
    description: str
    created: datetime
    last_update_time: datetime
    revision: int
    visibility: str = "private"
    state: str = "wellFormed"


@dataclass(slots=True)
class Team:
    id: str
    name: str
    project_id: str
    description: str
    member_ids: list[str]  # identity ids; groups may appear (Identity.kind == "group")
    admin_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Repository:
    id: str
    name: str
    project_id: str
    default_branch: str | None  # full ref name; None for an empty repository
    size: int
    created: datetime
    is_disabled: bool = False
    is_fork: bool = False


@dataclass(slots=True)
class Signature:
    name: str
    email: str
    date: datetime


@dataclass(slots=True)
class Commit:
    """Commit metadata. ``pushed_at`` is when the commit becomes visible on the server."""

    sha: str
    parents: tuple[str, ...]
    tree_id: str
    author: Signature
    committer: Signature
    comment: str
    change_counts: tuple[int, int, int]  # Add, Edit, Delete
    pushed_at: datetime
    push_id: int


@dataclass(slots=True)
class RefUpdate:
    name: str
    old_object_id: str
    new_object_id: str


@dataclass(slots=True)
class Push:
    id: int
    repository_id: str
    date: datetime
    pushed_by: str  # identity id
    ref_updates: list[RefUpdate]
    commit_shas: list[str]


@dataclass(slots=True)
class Ref:
    """A branch or tag; ``created``/``deleted`` bound when it exists, ``history`` gives its head over time."""

    name: str
    creator_id: str
    created: datetime
    deleted: datetime | None
    history: list[tuple[datetime, str]]  # (since, object id), ascending


@dataclass(slots=True)
class Comment:
    id: int
    parent_id: int
    author_id: str
    published: datetime
    comment_type: str  # text | system | codeChange
    content: str


@dataclass(slots=True)
class Thread:
    """A PR comment thread. System threads carry ``properties`` such as CodeReviewThreadType=VoteUpdate."""

    id: int
    published: datetime
    last_updated: datetime
    status: str | None  # None on system threads
    properties: dict[str, tuple[str, object]]  # name -> ($type, $value)
    comments: list[Comment]
    is_system: bool
    file_path: str | None = None  # a code comment's file (served by the API, never collected)


@dataclass(slots=True)
class VoteEvent:
    at: datetime
    vote: int  # 10, 5, 0, -5, -10


@dataclass(slots=True)
class Reviewer:
    identity_id: str
    added: datetime
    is_required: bool
    votes: list[VoteEvent]  # ascending; the vote at time t is the last event at or before t (else 0)
    has_declined: bool = False


@dataclass(slots=True)
class Iteration:
    id: int
    created: datetime
    author_id: str
    reason: str  # create | push | forcePush | rebase
    source_commit: str
    target_commit: str
    common_commit: str
    push_id: int
    commit_shas: list[str]  # commits added by this iteration, newest first


@dataclass(slots=True)
class PullRequestStatus:
    id: int
    iteration_id: int | None
    state: str
    description: str
    genre: str
    name: str
    target_url: str
    created_by_id: str
    created: datetime
    properties: dict[str, object] = field(default_factory=dict)  # typed bag {name: {"$type", "$value"}}


@dataclass(slots=True)
class PullRequest:
    """A pull request over its whole life. ``closed`` may lie after the simulated now: it is then active."""

    id: int
    repository_id: str
    project_id: str
    created_by_id: str
    created: datetime
    title: str
    description: str
    source_ref: str
    target_ref: str
    final_status: str  # completed | abandoned | active
    closed: datetime | None
    closed_by_id: str | None
    merge_strategy: str  # noFastForward | squash | rebase | rebaseMerge
    draft_until: datetime | None  # draft from creation until this instant (None: never a draft)
    commit_shas: list[str]  # source commits, newest first
    last_merge_source_commit: str
    last_merge_target_commit: str
    merge_commit: str | None  # the commit on the target branch created at completion
    reviewers: list[Reviewer]
    threads: list[Thread]
    iterations: list[Iteration]
    statuses: list[PullRequestStatus]
    labels: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PullRequestSummary:
    """Compact index entry kept for every PR, so large organizations list PRs without their details."""

    id: int
    repository_id: str
    project_id: str
    created_by_id: str
    created: datetime
    closed: datetime | None
    final_status: str


@dataclass(slots=True)
class BuildDefinition:
    id: int
    name: str
    path: str
    project_id: str
    repository_id: str
    created: datetime
    revision: int
    authored_by_id: str
    process_type: int = 2  # 1 designer, 2 YAML
    yaml_filename: str | None = "azure-pipelines.yml"


@dataclass(slots=True)
class Build:
    id: int
    number: str
    definition_id: int
    project_id: str
    repository_id: str
    source_branch: str
    source_version: str
    reason: str  # individualCI | pullRequest | manual | schedule | batchedCI
    queued: datetime
    started: datetime
    finished: datetime
    result: str  # succeeded | partiallySucceeded | failed | canceled
    requested_for_id: str
    requested_by_id: str
    pull_request_id: int | None = None
    tags: list[str] = field(default_factory=list)


@dataclass(slots=True)
class TimelineRecord:
    id: str
    parent_id: str | None
    type: str  # Stage | Phase | Job | Task | Checkpoint
    name: str
    identifier: str
    started: datetime
    finished: datetime
    result: str
    order: int
    attempt: int = 1


@dataclass(slots=True)
class ReleaseDefinitionEnvironment:
    id: int
    name: str
    rank: int


@dataclass(slots=True)
class ReleaseDefinition:
    id: int
    name: str
    path: str
    project_id: str
    created: datetime
    modified: datetime
    created_by_id: str
    revision: int
    environments: list[ReleaseDefinitionEnvironment]
    build_definition_ids: list[int]  # artifact sources (primary first)


@dataclass(slots=True)
class ReleaseArtifact:
    alias: str
    is_primary: bool
    build_definition_id: int
    build_id: int
    build_number: str
    repository_id: str
    source_version: str
    source_branch: str


@dataclass(slots=True)
class ReleaseEnvironment:
    id: int
    definition_environment_id: int
    name: str
    rank: int


@dataclass(slots=True)
class Release:
    id: int
    name: str
    definition_id: int
    project_id: str
    created: datetime
    created_by_id: str
    reason: str  # continuousIntegration | manual | schedule
    artifacts: list[ReleaseArtifact]
    environments: list[ReleaseEnvironment]


@dataclass(slots=True)
class Deployment:
    """One attempt to deploy a release to one of its environments."""

    id: int
    release_id: int
    release_environment_id: int
    definition_environment_id: int
    environment_name: str
    definition_id: int
    project_id: str
    attempt: int
    reason: str  # automated | manual | redeployTrigger | scheduled
    queued: datetime
    started: datetime
    completed: datetime
    deployment_status: str  # succeeded | partiallySucceeded | failed | notDeployed (views: inProgress)
    operation_status: str  # Approved | PhaseSucceeded | PhaseFailed | Canceled | Rejected | ...
    requested_by_id: str


@dataclass(slots=True)
class Environment:
    id: int
    name: str
    description: str
    project_id: str
    created: datetime
    created_by_id: str
    last_modified: datetime


@dataclass(slots=True)
class EnvironmentDeploymentRecord:
    id: int
    environment_id: int
    project_id: str
    definition_id: int
    definition_name: str
    build_id: int  # owner.id
    build_number: str
    plan_id: str
    stage_name: str
    stage_attempt: int
    job_name: str
    job_attempt: int
    queued: datetime
    started: datetime
    finished: datetime
    result: str  # succeeded | succeededWithIssues | failed | canceled | skipped | abandoned


@dataclass(slots=True)
class ActivityEvent:
    """Something that happened at ``at``; drives service-hook deliveries as simulated time advances."""

    at: datetime
    event_type: str  # git.push | git.pullrequest.created | git.pullrequest.updated | build.complete | ...
    project_id: str
    repository_id: str | None
    resource_id: int | str  # PR id, build id, push id, deployment id
    notification_type: str | None = None  # for git.pullrequest.updated
