"""The inputs of the metric computations (METRICS.md), shaped so the store can fill them set-wise.

These records carry what was observed, not conclusions: ADO's status strings stay raw and rollbacks,
first deployments and review rules are decided in one place, ``adometrics.metrics``. All datetimes are
timezone-aware UTC (the store's ``UtcDateTime`` columns give exactly that); a naive one makes the
computations fail loudly instead of silently shifting a window.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from ..errors import ConfigurationError
from .common import DeploymentKind


class DeploymentKey(NamedTuple):
    """Names one attempt across its three sources; ids are unique only per kind (and project)."""

    kind: str
    project_id: str
    id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DeploymentAttempt:
    """A candidate deployment attempt (METRICS.md §1), one per classic deployment id, environment record id or
    build id of a deployment pipeline. Not yet classified: canceled or in-progress records may be included.

    ``status`` is the classic ``deploymentStatus``, or the environment record's / build's ``result``;
    ``operation_status`` is the classic ``operationStatus``. ``finished_at`` is ``completedOn`` /
    ``finishTime``; ``modified_at`` is the classic ``lastModifiedOn``, used when ``completedOn`` is missing.
    ``environment`` None on a build means the configured default, ``production``.
    ``commits_by_repo`` maps each repository the attempt deployed to the commit it deployed there.
    """

    kind: DeploymentKind
    project_id: str
    id: int
    environment: str | None
    status: str | None
    operation_status: str | None = None
    finished_at: datetime | None = None
    modified_at: datetime | None = None
    commits_by_repo: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def key(self) -> DeploymentKey:
        return DeploymentKey(str(self.kind), self.project_id, self.id)


@dataclass(frozen=True, slots=True, kw_only=True)
class ShippedCommits:
    """The commits one deployment shipped in one repository: reachable from its commit and not from the
    previous successful deployment's (the collector's ``itemVersion``/``compareVersion`` comparison).
    One row per deployment and repository, so a ``GROUP BY`` over ``deployment_commits`` fills it."""

    kind: DeploymentKind
    project_id: str
    deployment_id: int
    repo_id: str
    shas: frozenset[str]

    @property
    def key(self) -> DeploymentKey:
        return DeploymentKey(str(self.kind), self.project_id, self.deployment_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class PullRequestFacts:
    """One PR with the few aggregates the flow and lead-time metrics need.

    ``earliest_commit_at`` is the minimum author date of the PR's commits (None when it has none);
    ``first_review_at`` is the first review activity *as METRICS.md §3 counts it* — compute it with
    ``adometrics.metrics.flow.first_review_times`` (the author's own activity excluded there).
    ``merge_commit`` is ``lastMergeCommit.commitId``; it only counts once the PR is ``completed``.
    """

    project_id: str
    repo_id: str
    id: int
    creator_id: str | None
    created_at: datetime
    closed_at: datetime | None = None
    status: str
    merge_commit: str | None = None
    earliest_commit_at: datetime | None = None
    first_review_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    """A half-open UTC window ``[start, end)``."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        for bound in (self.start, self.end):
            if bound.tzinfo is None or bound.utcoffset() != timedelta(0):
                raise ConfigurationError(f"window bound {bound.isoformat()} must be a UTC datetime")
        if not self.start < self.end:
            raise ConfigurationError("the window's end must be after its start (the end is exclusive)")

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    @property
    def days(self) -> float:
        return (self.end - self.start) / timedelta(days=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Scope:
    """What the report is about. Names are echoed as given; ids select the facts (None: not restricted).

    ``team_member_ids`` are the team's *user* members (build them with ``metrics.report.team_user_ids``,
    which drops groups). Restrictions combine: a team and a repository means that team's PRs in that
    repository and the deployments of that repository shipping one of them.
    """

    organization: str
    project: str | None = None
    team: str | None = None
    repository: str | None = None
    project_id: str | None = None
    repo_id: str | None = None
    team_member_ids: frozenset[str] | None = None
