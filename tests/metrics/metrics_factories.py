"""Small builders for metric facts, so each table row in the tests reads as the scenario it describes.

Time is counted in hours from T0, Monday 2026-01-05 00:00 UTC; the default window is the four ISO weeks
[T0, T0 + 28 days).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from adometrics.domain import (
    DeploymentAttempt,
    DeploymentKind,
    PullRequestFacts,
    Scope,
    ShippedCommits,
    Window,
)
from adometrics.metrics import analyse, ancestry_from_pairs, build_report

T0 = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
WINDOW = Window(start=T0, end=T0 + timedelta(days=28))
ORG = Scope(organization="fabrikam")


def h(hours: float) -> datetime:
    """The moment ``hours`` after T0."""
    return T0 + timedelta(hours=hours)


def dep(id: int, at: float | None, *, env: str | None = "prod", repo: str | None = "r1",
        sha: str | None = None, status: str | None = "succeeded",
        kind: DeploymentKind = DeploymentKind.ENVIRONMENT, project: str = "p1",
        op: str | None = None, modified: float | None = None,
        commits: dict[str, str] | None = None) -> DeploymentAttempt:
    """An attempt finishing ``at`` hours after T0, deploying ``sha`` (default ``c<id>``) of ``repo``."""
    if commits is None:
        commits = {} if repo is None else {repo: sha or f"c{id}"}
    return DeploymentAttempt(
        kind=kind, project_id=project, id=id, environment=env, status=status, operation_status=op,
        finished_at=None if at is None else h(at), modified_at=None if modified is None else h(modified),
        commits_by_repo=commits)


def ship(id: int, *shas: str, repo: str = "r1", kind: DeploymentKind = DeploymentKind.ENVIRONMENT,
         project: str = "p1") -> ShippedCommits:
    return ShippedCommits(kind=kind, project_id=project, deployment_id=id, repo_id=repo, shas=frozenset(shas))


def pr(id: int, created: float, closed: float | None = None, *, status: str = "completed",
       merge: str | None = None, earliest: float | None = None, review: float | None = None,
       creator: str | None = "alice", repo: str = "r1", project: str = "p1") -> PullRequestFacts:
    """A PR created ``created`` hours after T0; a completed one merges ``m<id>`` unless told otherwise."""
    if merge is None and status == "completed":
        merge = f"m{id}"
    return PullRequestFacts(
        project_id=project, repo_id=repo, id=id, creator_id=creator, created_at=h(created),
        closed_at=None if closed is None else h(closed), status=status, merge_commit=merge,
        earliest_commit_at=None if earliest is None else h(earliest),
        first_review_at=None if review is None else h(review))


def report(attempts: Iterable[DeploymentAttempt] = (), shipped: Iterable[ShippedCommits] = (),
           prs: Iterable[PullRequestFacts] = (), *, window: Window = WINDOW, scope: Scope = ORG,
           ancestors: Iterable[tuple[str, str, str]] = (), benchmark: str = "2023",
           patterns: dict[str, str] | None = None) -> dict:
    history = analyse(list(attempts), list(shipped), ancestry_from_pairs(ancestors), patterns)
    return build_report(scope=scope, window=window, history=history, pull_requests=list(prs),
                        benchmark=benchmark)


def window(start_hours: float, end_hours: float) -> Window:
    return Window(start=h(start_hours), end=h(end_hours))
