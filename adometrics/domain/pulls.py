"""Pull requests and the activity on them that the flow metrics need (METRICS.md §3).

Comment text is never kept: a review event records who acted, when, and how.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .common import ReviewEventKind, sensitive


@dataclass(frozen=True, slots=True, kw_only=True)
class PullRequest:
    """A PR as the list endpoint shows it; ``fingerprint`` tells the sync whether details must be re-read."""

    org_id: str
    project_id: str
    repo_id: str
    id: int
    creator_id: str | None = None
    created_at: datetime
    closed_at: datetime | None = None
    status: str                           # "active", "completed", "abandoned"
    is_draft: bool = False
    title: str = sensitive()
    source_branch: str = sensitive()
    target_branch: str = sensitive()
    merge_strategy: str | None = None
    last_merge_source_commit: str | None = None
    last_merge_target_commit: str | None = None
    last_merge_commit: str | None = None  # the PR's merge commit once completed
    fingerprint: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Reviewer:
    org_id: str
    project_id: str
    pr_id: int
    identity_id: str
    vote: int = 0                         # 10 approved, 5 with suggestions, 0, -5 waiting, -10 rejected
    is_required: bool = False
    is_group: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviewEvent:
    """A vote or a comment on a PR, keyed by where ADO holds it (thread id, comment id; 0 for the thread)."""

    org_id: str
    project_id: str
    pr_id: int
    thread_id: int
    comment_id: int = 0
    actor_id: str
    at: datetime
    kind: ReviewEventKind
    vote: int | None = None
    actor_is_user: bool = True            # False for groups and service identities


@dataclass(frozen=True, slots=True, kw_only=True)
class PrIteration:
    org_id: str
    project_id: str
    pr_id: int
    id: int
    created_at: datetime | None = None
    source_commit: str | None = None
    target_commit: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PrCommit:
    """A commit of a PR; the earliest author date starts the coding phase."""

    org_id: str
    project_id: str
    pr_id: int
    sha: str
    author_date: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PrStatus:
    org_id: str
    project_id: str
    pr_id: int
    id: int
    iteration_id: int | None = None
    state: str | None = None              # "succeeded", "failed", "pending", ...
    context_genre: str | None = None
    context_name: str | None = None
    created_at: datetime | None = None
