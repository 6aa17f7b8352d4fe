"""Activity events derived from records: what service hooks would announce as simulated time passes.

Deriving events from the records (instead of generating them separately) keeps them consistent with what
the API shows, for generated and hand-written scenarios alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .model import ActivityEvent, Build, Deployment, PullRequest, Push

PR_CREATED = "git.pullrequest.created"
PR_UPDATED = "git.pullrequest.updated"
PUSH = "git.push"
BUILD_COMPLETE = "build.complete"
DEPLOYMENT_COMPLETED = "ms.vss-release.deployment-completed-event"
_RANK = {PUSH: 0, PR_CREATED: 1, PR_UPDATED: 2, BUILD_COMPLETE: 3, DEPLOYMENT_COMPLETED: 4}


def pr_events(pr: PullRequest) -> Iterator[ActivityEvent]:
    """Created; a PushNotification per later iteration; a ReviewerVoteNotification per vote; a
    StatusUpdateNotification when completed or abandoned."""
    repo, project = pr.repository_id, pr.project_id
    yield ActivityEvent(pr.created, PR_CREATED, project, repo, pr.id)
    for it in pr.iterations[1:]:
        yield ActivityEvent(it.created, PR_UPDATED, project, repo, pr.id, "PushNotification")
    for reviewer in pr.reviewers:
        for vote in reviewer.votes:
            yield ActivityEvent(vote.at, PR_UPDATED, project, repo, pr.id, "ReviewerVoteNotification")
    if pr.closed is not None:
        yield ActivityEvent(pr.closed, PR_UPDATED, project, repo, pr.id, "StatusUpdateNotification")


def push_event(push: Push, project_id: str) -> ActivityEvent:
    return ActivityEvent(push.date, PUSH, project_id, push.repository_id, push.id)


def build_event(build: Build) -> ActivityEvent:
    return ActivityEvent(build.finished, BUILD_COMPLETE, build.project_id, build.repository_id, build.id)


def deployment_event(dep: Deployment, repository_id: str | None) -> ActivityEvent:
    return ActivityEvent(dep.completed, DEPLOYMENT_COMPLETED, dep.project_id, repository_id, dep.id)


def sort_events(events: Iterable[ActivityEvent]) -> list[ActivityEvent]:
    """Oldest first; ties by kind, then resource id, so the order never depends on generation order."""
    return sorted(
        events,
        key=lambda e: (
            e.at,
            _RANK.get(e.event_type, 9),
            e.repository_id or "",
            _resource_key(e.resource_id),
            e.notification_type or "",
        ),
    )


def _resource_key(resource: int | str) -> str:
    return f"{resource:012d}" if isinstance(resource, int) else resource
