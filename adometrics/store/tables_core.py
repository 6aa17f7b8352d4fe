"""Tables for organizations, projects, teams, users, Git metadata and pull requests."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, LargeBinary, Text

from .columns import ID, SHA, WORD, UtcDateTime, digest, key, org_key, sealed, table

organizations = table(
    "organizations",
    Column("id", ID, primary_key=True),
    Column("name", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("kind", WORD, nullable=False),
    digest(),
)

connections = table(
    "connections", org_key(),
    Column("identity_id", ID),
    Column("identity_name", Text),
    Column("auth_method", WORD, nullable=False),
    Column("health", WORD, nullable=False),
    Column("health_reason", Text),
    Column("last_sync_at", UtcDateTime),
    *sealed("credential"),
    digest(),
)

projects = table("projects", org_key(), key("id"), Column("name", Text, nullable=False), digest())

teams = table(
    "teams", org_key(), key("id"),
    Column("project_id", ID, nullable=False),
    Column("name", Text, nullable=False),
    digest(),
    Index(None, "org_id", "project_id"),
)

team_members = table(
    "team_members", org_key(), key("team_id"), key("identity_id"),
    Column("is_group", Boolean, nullable=False),
    Column("is_admin", Boolean, nullable=False),
    digest(),
    Index(None, "org_id", "identity_id"),
)

users = table(
    "users", org_key(), key("id"),
    Column("display_name", Text, nullable=False),
    *sealed("email", indexed=True),
    Column("license", Text),
    Column("status", WORD),
    Column("last_accessed_at", UtcDateTime),
    digest(),
    Index(None, "org_id", "email_bidx"),
)

repositories = table(
    "repositories", org_key(), key("id"),
    Column("project_id", ID, nullable=False),
    Column("name", Text, nullable=False),
    *sealed("default_branch", indexed=True),
    Column("is_disabled", Boolean, nullable=False),
    digest(),
    Index(None, "org_id", "project_id"),
)

refs = table(
    "refs", org_key(), key("repo_id"), key("name_bidx", LargeBinary),
    Column("name_enc", LargeBinary, nullable=False),
    Column("object_id", SHA, nullable=False),
    digest(),
)

commits = table(
    "commits", org_key(), key("repo_id"), key("sha", SHA),
    Column("author_name", Text),
    *sealed("author_email", indexed=True),
    Column("author_date", UtcDateTime),
    Column("committer_date", UtcDateTime),
    Column("parents", Text),  # space-separated shas; NULL when unknown, "" for a root commit
    digest(),
    Index(None, "org_id", "repo_id", "committer_date"),
)

pull_requests = table(
    "pull_requests", org_key(), key("project_id"), key("id", Integer),
    Column("repo_id", ID, nullable=False),
    Column("creator_id", ID),
    Column("created_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime),
    Column("status", WORD, nullable=False),
    Column("is_draft", Boolean, nullable=False),
    *sealed("title", nullable=False),
    *sealed("source_branch", indexed=True, nullable=False),
    *sealed("target_branch", indexed=True, nullable=False),
    Column("merge_strategy", WORD),
    Column("last_merge_source_commit", SHA),
    Column("last_merge_target_commit", SHA),
    Column("last_merge_commit", SHA),
    Column("fingerprint", Text),
    digest(),
    Index(None, "org_id", "repo_id", "closed_at"),
    Index(None, "org_id", "repo_id", "created_at"),
    Index(None, "org_id", "last_merge_commit"),
)

def _pr() -> tuple:
    """Key columns naming a pull request."""
    return org_key(), key("project_id"), key("pr_id", Integer)

pr_reviewers = table(
    "pr_reviewers", *_pr(), key("identity_id"),
    Column("vote", Integer, nullable=False),
    Column("is_required", Boolean, nullable=False),
    Column("is_group", Boolean, nullable=False),
    digest(),
)

pr_review_events = table(
    "pr_review_events", *_pr(), key("thread_id", Integer), key("comment_id", Integer),
    Column("actor_id", ID, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("kind", WORD, nullable=False),
    Column("vote", Integer),
    Column("actor_is_user", Boolean, nullable=False),
    digest(),
    # Covers the first-review aggregate of the metrics (store/pr_facts.py): no table lookups per event.
    Index("ix_pr_review_events_facts", "org_id", "project_id", "pr_id", "at", "kind", "vote", "actor_is_user",
          "actor_id"),
)

pr_iterations = table(
    "pr_iterations", *_pr(), key("id", Integer),
    Column("created_at", UtcDateTime),
    Column("source_commit", SHA),
    Column("target_commit", SHA),
    digest(),
)

pr_commits = table(
    "pr_commits", *_pr(), key("sha", SHA),
    Column("author_date", UtcDateTime),
    digest(),
    Index(None, "org_id", "sha"),
    Index("ix_pr_commits_facts", "org_id", "project_id", "pr_id", "author_date"),  # earliest commit per PR
)

pr_statuses = table(
    "pr_statuses", *_pr(), key("id", Integer),
    Column("iteration_id", Integer),
    Column("state", WORD),
    Column("context_genre", Text),
    Column("context_name", Text),
    Column("created_at", UtcDateTime),
    digest(),
)
