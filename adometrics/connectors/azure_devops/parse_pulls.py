"""Parsers for pull requests and their details (ENDPOINTS §6). Titles and branch names are copied (the
store encrypts them); descriptions, comment text and commit messages never leave the raw payload."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from adometrics.domain import PrCommit, PrIteration, PrStatus, PullRequest, Reviewer, ReviewEvent
from adometrics.domain.common import ReviewEventKind

from .parse_common import (
    MalformedRecord,
    as_bool,
    as_int,
    as_str,
    commit_id,
    enum_value,
    guid,
    identity_is_group,
    identity_is_user,
    obj,
    optional_date,
    parse_datetime,
    required_date,
    required_guid,
    required_int,
    required_str,
    same_identity,
    sha,
    sub,
    typed_property,
)

PR_STATUSES = ("active", "completed", "abandoned", "notSet")
STATUS_STATES = ("notSet", "pending", "succeeded", "failed", "error", "notApplicable")
MERGE_STRATEGIES = ("noFastForward", "squash", "rebase", "rebaseMerge")


def parse_pull_request(raw: Any, org_id: str, project_id: str, repo_id: str | None = None) -> PullRequest:
    """GitPullRequest (list or single form) → PullRequest with the list-level fingerprint.

    ``repository.id`` and ``repository.project.id`` win over the caller's ids when present (a project-wide
    listing spans repositories)."""
    raw = obj(raw, "pull request")
    repo = sub(raw, "repository")
    repo_key = guid(repo.get("id"), "repository.id") or repo_id
    if not repo_key:
        raise MalformedRecord("repository.id is missing")
    status = enum_value(raw.get("status"), "status", PR_STATUSES)
    if status is None:
        raise MalformedRecord("status is missing")
    return PullRequest(
        org_id=org_id,
        project_id=_project_of(raw, project_id),
        repo_id=repo_key,
        id=required_int(raw, "pullRequestId"),
        creator_id=guid(sub(raw, "createdBy").get("id"), "createdBy.id"),
        created_at=required_date(raw, "creationDate"),
        closed_at=optional_date(raw, "closedDate"),
        status=status,
        is_draft=as_bool(raw.get("isDraft"), "isDraft"),
        title=as_str(raw.get("title"), "title") or "",
        source_branch=required_str(raw, "sourceRefName"),
        target_branch=required_str(raw, "targetRefName"),
        merge_strategy=enum_value(sub(raw, "completionOptions").get("mergeStrategy"),
                                  "completionOptions.mergeStrategy", MERGE_STRATEGIES),
        last_merge_source_commit=commit_id(raw, "lastMergeSourceCommit"),
        last_merge_target_commit=commit_id(raw, "lastMergeTargetCommit"),
        last_merge_commit=commit_id(raw, "lastMergeCommit"),
        fingerprint=pr_fingerprint(raw),
    )


def parse_pr_reviewers(raw: Any, org_id: str, project_id: str) -> list[Reviewer]:
    """The ``reviewers`` of a GitPullRequest → Reviewer records (vote as of now; groups flagged)."""
    raw = obj(raw, "pull request")
    project = _project_of(raw, project_id)
    pr_id = required_int(raw, "pullRequestId")
    return [_reviewer(r, org_id, project, pr_id) for r in _list(raw, "reviewers")]


def _project_of(raw: Mapping[str, Any], project_id: str) -> str:
    return guid(sub(sub(raw, "repository"), "project").get("id"), "repository.project.id") or project_id


def _list(raw: Mapping[str, Any], key: str) -> list[Any]:
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedRecord(f"{key} is not a list")
    return value


def _reviewer(raw: Any, org_id: str, project_id: str, pr_id: int) -> Reviewer:
    raw = obj(raw, "reviewer")
    return Reviewer(
        org_id=org_id,
        project_id=project_id,
        pr_id=pr_id,
        identity_id=required_guid(raw, "id"),
        vote=as_int(raw.get("vote"), "reviewers[].vote") or 0,
        is_required=as_bool(raw.get("isRequired"), "reviewers[].isRequired"),
        is_group=identity_is_group(raw),
    )


def pr_fingerprint(raw: Mapping[str, Any]) -> str:
    """What tells the sync a PR's details must be re-read (ARCHITECTURE §4): status, closed date, merge
    commit, reviewer votes and last merge source commit — normalised, so spelling changes do not count."""
    closed = optional_date(raw, "closedDate")
    votes = sorted(
        (guid(r.get("id"), "reviewers[].id") or "", as_int(r.get("vote"), "reviewers[].vote") or 0)
        for r in _list(raw, "reviewers") if isinstance(r, Mapping)
    )
    material = [
        (enum_value(raw.get("status"), "status", PR_STATUSES) or "").casefold(),
        closed.isoformat() if closed else None,
        commit_id(raw, "lastMergeCommit"),
        votes,
        commit_id(raw, "lastMergeSourceCommit"),
    ]
    encoded = json.dumps(material, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()[:32]


# -- threads → review events -------------------------------------------------------------------------


def is_system_thread(raw: Mapping[str, Any]) -> bool:
    """System threads are the PR's event log: a ``CodeReviewThreadType`` property, or only system
    comments."""
    properties = raw.get("properties")
    if isinstance(properties, Mapping) and typed_property(properties, "CodeReviewThreadType") is not None:
        return True
    comments = [c for c in _list(raw, "comments") if isinstance(c, Mapping)]
    return bool(comments) and all(str(c.get("commentType", "")).casefold() == "system" for c in comments)


def parse_review_events(raw: Any, org_id: str, project_id: str, pr_id: int, author_id: str | None,
                        problems: list[str] | None = None) -> list[ReviewEvent]:
    """One thread → its review activity (METRICS.md §3): the vote of a ``VoteUpdate`` system thread, or
    the ``text`` comments of a human thread. Events by the PR's author are dropped (they never count and
    the domain has no flag for them); group and service comments are kept with ``actor_is_user=False``.
    A malformed comment is left out and its reason appended to ``problems``; a malformed thread raises."""
    raw = obj(raw, "thread")
    thread_id = required_int(raw, "id")
    if is_system_thread(raw):
        vote = _vote_event(raw, org_id, project_id, pr_id, thread_id)
        return [vote] if vote and not same_identity(vote.actor_id, author_id) else []
    events = []
    for comment in _list(raw, "comments"):
        try:
            event = _comment_event(comment, org_id, project_id, pr_id, thread_id)
        except MalformedRecord as exc:
            if problems is not None:
                problems.append(f"thread {thread_id}: {exc.reason}")
            continue
        if event and not same_identity(event.actor_id, author_id):
            events.append(event)
    return events


def _vote_event(raw: Mapping[str, Any], org_id: str, project_id: str, pr_id: int,
                thread_id: int) -> ReviewEvent | None:
    properties = raw.get("properties")
    if not isinstance(properties, Mapping):
        return None
    kind = typed_property(properties, "CodeReviewThreadType")
    if not isinstance(kind, str) or kind.casefold() != "voteupdate":
        return None
    vote = as_int(typed_property(properties, "CodeReviewVoteResult"), "CodeReviewVoteResult")
    if not vote:  # a reset to "no vote" is not review activity
        return None
    actor = guid(typed_property(properties, "CodeReviewVotedByTfId"), "CodeReviewVotedByTfId")
    if not actor:
        raise MalformedRecord("CodeReviewVotedByTfId is missing")
    return ReviewEvent(org_id=org_id, project_id=project_id, pr_id=pr_id, thread_id=thread_id, comment_id=0,
                       actor_id=actor, at=required_date(raw, "publishedDate"), kind=ReviewEventKind.VOTE,
                       vote=vote, actor_is_user=True)


def _comment_event(raw: Any, org_id: str, project_id: str, pr_id: int, thread_id: int) -> ReviewEvent | None:
    raw = obj(raw, "comment")
    kind = as_str(raw.get("commentType"), "commentType")
    if (kind or "text").casefold() != "text":
        return None
    author = sub(raw, "author")
    return ReviewEvent(
        org_id=org_id, project_id=project_id, pr_id=pr_id, thread_id=thread_id,
        comment_id=required_int(raw, "id"), actor_id=required_guid(author, "id"),
        at=required_date(raw, "publishedDate"), kind=ReviewEventKind.COMMENT, vote=None,
        actor_is_user=identity_is_user(author),
    )


# -- iterations, commits, statuses -------------------------------------------------------------------


def parse_pr_iteration(raw: Any, org_id: str, project_id: str, pr_id: int) -> PrIteration:
    raw = obj(raw, "iteration")
    return PrIteration(org_id=org_id, project_id=project_id, pr_id=pr_id, id=required_int(raw, "id"),
                       created_at=optional_date(raw, "createdDate"),
                       source_commit=commit_id(raw, "sourceRefCommit"),
                       target_commit=commit_id(raw, "targetRefCommit"))


def parse_pr_commit(raw: Any, org_id: str, project_id: str, pr_id: int) -> PrCommit:
    """GitCommitRef of a PR → PrCommit (id and author date; the message is dropped)."""
    raw = obj(raw, "commit")
    commit = sha(raw.get("commitId"), "commitId")
    if not commit:
        raise MalformedRecord("commitId is missing")
    return PrCommit(org_id=org_id, project_id=project_id, pr_id=pr_id, sha=commit,
                    author_date=parse_datetime(sub(raw, "author").get("date"), "author.date"))


def parse_pr_status(raw: Any, org_id: str, project_id: str, pr_id: int) -> PrStatus:
    """GitPullRequestStatus → PrStatus (state and context; description, URL and properties dropped)."""
    raw = obj(raw, "status")
    context = sub(raw, "context")
    return PrStatus(
        org_id=org_id, project_id=project_id, pr_id=pr_id, id=required_int(raw, "id"),
        iteration_id=as_int(raw.get("iterationId"), "iterationId"),
        state=enum_value(raw.get("state"), "state", STATUS_STATES),
        context_genre=as_str(context.get("genre"), "context.genre") or None,
        context_name=as_str(context.get("name"), "context.name") or None,
        created_at=optional_date(raw, "creationDate"),
    )
