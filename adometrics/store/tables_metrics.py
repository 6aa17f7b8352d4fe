"""Derived tables: the per-PR and per-deployment results of METRICS.md's analysis over all collected data.

Rollbacks, restores, first deployments and PR phases depend on the whole history, not on a report's scope
or window, so they are computed once per change of the data (``reports.materialize``) and a report only
selects and counts rows. Everything here can be rebuilt from the synced tables; nothing is sensitive (ids,
times and hours). ``metric_state`` says whether the rows are current: the upsert bumps ``data_version``
when it changes synced rows, and a rebuild records the version it saw.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Double, Index, Integer, Text

from .columns import ID, WORD, UtcDateTime, key, org_key, table

metric_state = table(
    "metric_state", org_key(),
    Column("data_version", Integer, nullable=False),
    Column("built_version", Integer),
    Column("built_at", UtcDateTime),
)

# One row per PR. ``state`` is merged / abandoned (closed) or NULL; the phase hours are METRICS.md §3's for
# merged PRs (NULL where it says null); ``deployed_at`` is the merge commit's first production deployment,
# ``lead_hours`` the PR's lead time for changes (METRICS.md §2) when it has one.
metric_pull_requests = table(
    "metric_pull_requests", org_key(), key("project_id"), key("pr_id", Integer),
    Column("repo_id", ID, nullable=False),
    Column("author_key", Text),  # the creator's identity id without hyphens, case-folded
    Column("created_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime),
    Column("state", WORD),
    Column("coding_hours", Double),
    Column("pickup_hours", Double),
    Column("review_hours", Double),
    Column("deploy_hours", Double),
    Column("cycle_hours", Double),
    Column("deployed_at", UtcDateTime),
    Column("lead_hours", Double),
    Index(None, "org_id", "created_at"),
    Index(None, "org_id", "closed_at"),
    Index(None, "org_id", "deployed_at"),
    Index(None, "org_id", "repo_id", "closed_at"),
    Index(None, "org_id", "repo_id", "created_at"),
    Index(None, "org_id", "repo_id", "deployed_at"),
)


def _deployment_key() -> tuple:
    return org_key(), key("kind", WORD), key("project_id"), key("deployment_id", Integer)


# Production attempts (METRICS.md §1). ``restore_hours``: for a failure, the time to its restore in whichever
# repository it deployed was restored first; NULL while unrestored (and for a success).
metric_deployments = table(
    "metric_deployments", *_deployment_key(),
    Column("finished_at", UtcDateTime, nullable=False),
    Column("success", Boolean, nullable=False),
    Column("failure", Boolean, nullable=False),
    Column("restore_hours", Double),
    Index(None, "org_id", "finished_at"),
)

# The same attempts once per repository they deployed, with the restore in that repository.
metric_deployment_repositories = table(
    "metric_deployment_repositories", *_deployment_key(), key("repo_id"),
    Column("finished_at", UtcDateTime, nullable=False),
    Column("success", Boolean, nullable=False),
    Column("failure", Boolean, nullable=False),
    Column("restore_hours", Double),
    Index(None, "org_id", "repo_id", "finished_at"),
)

# Production attempts that shipped a merged PR's merge commit: what a team's deployments are.
metric_deployment_prs = table(
    "metric_deployment_prs", *_deployment_key(), key("pr_project_id"), key("pr_id", Integer),
    Index(None, "org_id", "pr_project_id", "pr_id"),
)
