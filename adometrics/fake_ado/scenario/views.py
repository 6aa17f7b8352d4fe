"""What a record looks like at a simulated instant: pure functions of (record, now).

Records hold their whole timeline (``model.py``); the World already hides entities that do not exist yet
(created/queued after now). These functions derive the rest, so every route answers consistently:

- a PR whose ``closed`` lies after now is ``active``, with no closedDate, closedBy or merge commit;
- votes, threads, comments, iterations, statuses and commits published after now are invisible;
- a build is ``notStarted`` before ``started``, ``inProgress`` before ``finished``, then ``completed``;
- a deployment waits (``notDeployed``/``Pending``), runs (``inProgress``), then shows its final state.

Instants compare inclusively: something that happens exactly at ``now`` has happened.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from .model import (
    Build,
    Deployment,
    EnvironmentDeploymentRecord,
    Iteration,
    PullRequest,
    PullRequestStatus,
    Ref,
    Reviewer,
    Thread,
    TimelineRecord,
)

# -- pull requests ---------------------------------------------------------------------------------


def pr_status(pr: PullRequest, now: datetime) -> str:
    """``active`` until ``closed`` (inclusive of closing at now), then the final status."""
    if pr.closed is not None and pr.closed <= now:
        return pr.final_status
    return "active"


def pr_closed(pr: PullRequest, now: datetime) -> datetime | None:
    """closedDate as of now (None while active)."""
    return pr.closed if pr.closed is not None and pr.closed <= now else None


def pr_closed_by(pr: PullRequest, now: datetime) -> str | None:
    """closedBy identity id as of now (None while active)."""
    return pr.closed_by_id if pr_closed(pr, now) is not None else None


def pr_is_draft(pr: PullRequest, now: datetime) -> bool:
    """Draft from creation until ``draft_until`` (exclusive); a draft that is abandoned stays a draft."""
    return pr.draft_until is not None and now < pr.draft_until


def reviewer_vote(reviewer: Reviewer, now: datetime) -> int:
    """The reviewer's vote at now: the last vote event at or before now, else 0."""
    vote = 0
    for event in reviewer.votes:
        if event.at > now:
            break
        vote = event.vote
    return vote


def visible_reviewers(pr: PullRequest, now: datetime) -> list[tuple[Reviewer, int]]:
    """Reviewers added by now, each with its vote as of now."""
    return [(r, reviewer_vote(r, now)) for r in pr.reviewers if r.added <= now]


def visible_threads(pr: PullRequest, now: datetime) -> list[Thread]:
    """Threads published by now, holding only comments published by now (copies when trimmed).

    ``last_updated`` becomes the newest visible comment's date.
    """
    out = []
    for thread in pr.threads:
        if thread.published > now:
            continue
        comments = [c for c in thread.comments if c.published <= now]
        if len(comments) == len(thread.comments):
            out.append(thread)
            continue
        last = max((c.published for c in comments), default=thread.published)
        out.append(dataclasses.replace(thread, comments=comments, last_updated=last))
    return out


def visible_iterations(pr: PullRequest, now: datetime) -> list[Iteration]:
    """Iterations created by now (ids 1..n, ascending)."""
    return [it for it in pr.iterations if it.created <= now]


def visible_statuses(pr: PullRequest, now: datetime) -> list[PullRequestStatus]:
    """Statuses posted by now."""
    return [s for s in pr.statuses if s.created <= now]


def pr_commit_shas(pr: PullRequest, now: datetime) -> list[str]:
    """Source commits of the visible iterations, newest first (the PR's ``commits`` as of now)."""
    shas: list[str] = []
    for it in reversed(visible_iterations(pr, now)):
        shas.extend(it.commit_shas)
    return shas


def last_merge_source(pr: PullRequest, now: datetime) -> str:
    """lastMergeSourceCommit: the source head of the latest visible iteration."""
    its = visible_iterations(pr, now)
    return its[-1].source_commit if its else pr.last_merge_source_commit


def last_merge_target(pr: PullRequest, now: datetime) -> str:
    """lastMergeTargetCommit: the target the PR was last merged with (final value once completed)."""
    if pr_status(pr, now) == "completed":
        return pr.last_merge_target_commit
    its = visible_iterations(pr, now)
    return its[-1].target_commit if its else pr.last_merge_target_commit


def last_merge_commit(pr: PullRequest, now: datetime) -> str | None:
    """lastMergeCommit: the completion commit on the target, only once the PR is completed by now."""
    return pr.merge_commit if pr_status(pr, now) == "completed" else None


# -- git ---------------------------------------------------------------------------------------------


def ref_exists(ref: Ref, now: datetime) -> bool:
    return ref.created <= now and (ref.deleted is None or ref.deleted > now)


def ref_object(ref: Ref, now: datetime) -> str | None:
    """The ref's object id at now (None when it does not exist at now)."""
    if not ref_exists(ref, now):
        return None
    current = None
    for since, sha in ref.history:
        if since > now:
            break
        current = sha
    return current


# -- builds and deployments -----------------------------------------------------------------------


def build_state(build: Build, now: datetime) -> tuple[str, str | None, datetime | None]:
    """(status, result, finishTime) at now: notStarted / inProgress carry no result nor finish time."""
    if now < build.started:
        return "notStarted", None, None
    if now < build.finished:
        return "inProgress", None, None
    return "completed", build.result, build.finished


def deployment_state(dep: Deployment, now: datetime) -> tuple[str, str, datetime | None]:
    """(deploymentStatus, operationStatus, completedOn) at now.

    Before ``started`` the deployment waits for approval (``notDeployed``/``Pending``); until ``completed`` it
    runs (``inProgress``/``PhaseInProgress``); afterwards its final state.
    """
    if dep.started > now and dep.completed > now:
        return "notDeployed", "Pending", None
    if dep.completed > now:
        return "inProgress", "PhaseInProgress", None
    return dep.deployment_status, dep.operation_status, dep.completed


def record_state(record: EnvironmentDeploymentRecord, now: datetime) -> tuple[str | None, datetime | None]:
    """(result, finishTime) of an environment deployment record: both None while it runs."""
    if now < record.finished:
        return None, None
    return record.result, record.finished


def timeline_state(
    record: TimelineRecord, now: datetime
) -> tuple[str, str | None, datetime | None, datetime | None]:
    """(state, result, startTime, finishTime) of a timeline record: pending, inProgress or completed."""
    if now < record.started:
        return "pending", None, None, None
    if now < record.finished:
        return "inProgress", None, record.started, None
    return "completed", record.result, record.started, record.finished
