"""What the routes may ask of a simulated organization.

Every query answers *as of the world's simulated now*: an entity created later does not exist yet, a PR
whose ``closed`` lies in the future is still active (see ``views.py``). Large organizations are generated
lazily, so list queries that span many repositories return compact summaries and details are loaded per
item.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from .model import (
    ActivityEvent,
    Build,
    BuildDefinition,
    Commit,
    Deployment,
    Environment,
    EnvironmentDeploymentRecord,
    Identity,
    Project,
    PullRequest,
    PullRequestSummary,
    Push,
    Ref,
    Release,
    ReleaseDefinition,
    Repository,
    Team,
    TimelineRecord,
    User,
)


class World(Protocol):
    organization: str
    organization_id: str  # GUID (collection / account id)
    now: datetime  # simulated now (UTC)
    history_start: datetime  # earliest activity

    def advance(self, delta: timedelta) -> list[ActivityEvent]:
        """Move the clock forward; return the activity that became visible, oldest first."""

    # -- organization -----------------------------------------------------------------------------
    def projects(self) -> Sequence[Project]: ...
    def project(self, id_or_name: str) -> Project | None: ...
    def teams(self, project_id: str) -> Sequence[Team]: ...
    def identity(self, identity_id: str) -> Identity | None: ...
    def users(self) -> Sequence[User]: ...

    # -- git ----------------------------------------------------------------------------------------
    def repositories(self, project_id: str | None = None) -> Sequence[Repository]: ...
    def repository(self, id_or_name: str, project_id: str | None = None) -> Repository | None: ...
    def refs(self, repository_id: str) -> Sequence[tuple[Ref, str]]:
        """Refs existing now, sorted by name, each with its current object id."""

    def commit(self, repository_id: str, sha: str) -> Commit | None: ...
    def commits(
        self, repository_id: str, include: str, exclude: str | None = None
    ) -> Sequence[Commit]:
        """Commits reachable from ``include`` and not from ``exclude`` (git's ``include ^exclude``), in
        git-log order (newest committer date first), restricted to what is pushed by now."""

    def resolve_version(self, repository_id: str, version: str, version_type: str) -> str | None:
        """Branch name (short or full ref), tag or commit id -> commit id as of now."""

    def pushes(self, repository_id: str) -> Sequence[Push]:
        """Pushes up to now, newest first."""

    # -- pull requests ------------------------------------------------------------------------------
    def pull_request_index(
        self, project_id: str | None = None, repository_id: str | None = None
    ) -> Sequence[PullRequestSummary]:
        """Every PR created by now in the scope, newest (highest id) first."""

    def pull_request(self, pr_id: int) -> PullRequest | None: ...

    # -- builds -------------------------------------------------------------------------------------
    def build_definitions(self, project_id: str) -> Sequence[BuildDefinition]: ...
    def builds(self, project_id: str) -> Sequence[Build]:
        """Builds queued by now, ascending id."""

    def build(self, build_id: int) -> Build | None: ...
    def timeline(self, build_id: int) -> Sequence[TimelineRecord]: ...

    # -- classic releases ---------------------------------------------------------------------------
    def release_definitions(self, project_id: str) -> Sequence[ReleaseDefinition]: ...
    def releases(self, project_id: str) -> Sequence[Release]:
        """Releases created by now, ascending id."""

    def release(self, release_id: int) -> Release | None: ...
    def deployments(self, project_id: str) -> Sequence[Deployment]:
        """Deployments queued by now, ascending id."""

    # -- YAML environments --------------------------------------------------------------------------
    def environments(self, project_id: str) -> Sequence[Environment]: ...
    def deployment_records(self, environment_id: int) -> Sequence[EnvironmentDeploymentRecord]:
        """Records started by now, ascending id."""
