"""The database schema: one table per domain record, keyed by Azure DevOps ids (never by connection).

Sensitive values live only in ``*_enc`` columns (ciphertext, :mod:`.crypto`); equality lookups on them use the
``*_bidx`` blind-index columns. ``row_digest`` is a keyed digest of a row's synced values that lets the upsert
skip unchanged rows. There is deliberately no column for file content, diffs, logs, comment bodies, commit
messages or raw API payloads. Foreign keys point only at ``organizations``: ADO references may name objects
we have not collected (yet) or cannot see, and a missing one must not make a page fail.

The tables are defined in :mod:`.tables_core`, :mod:`.tables_pipelines` and :mod:`.tables_metrics` (derived
results of the metrics); import them from here, so that :data:`metadata` is always complete.
"""

from __future__ import annotations

from .columns import UtcDateTime, metadata
from .tables_core import (
    commits,
    connections,
    organizations,
    pr_commits,
    pr_iterations,
    pr_review_events,
    pr_reviewers,
    pr_statuses,
    projects,
    pull_requests,
    refs,
    repositories,
    team_members,
    teams,
    users,
)
from .tables_metrics import (
    metric_deployment_prs,
    metric_deployment_repositories,
    metric_deployments,
    metric_pull_requests,
    metric_state,
)
from .tables_pipelines import (
    build_definitions,
    builds,
    classic_deployments,
    data_keys,
    deployment_commits,
    deployment_comparisons,
    environment_deployments,
    environments,
    project_settings,
    release_artifacts,
    release_definition_environments,
    release_definitions,
    releases,
    sync_checkpoints,
)

__all__ = [
    "UtcDateTime",
    "build_definitions",
    "builds",
    "classic_deployments",
    "commits",
    "connections",
    "data_keys",
    "deployment_commits",
    "deployment_comparisons",
    "environment_deployments",
    "environments",
    "metadata",
    "metric_deployment_prs",
    "metric_deployment_repositories",
    "metric_deployments",
    "metric_pull_requests",
    "metric_state",
    "organizations",
    "pr_commits",
    "pr_iterations",
    "pr_review_events",
    "pr_reviewers",
    "pr_statuses",
    "project_settings",
    "projects",
    "pull_requests",
    "refs",
    "release_artifacts",
    "release_definition_environments",
    "release_definitions",
    "releases",
    "repositories",
    "sync_checkpoints",
    "team_members",
    "teams",
    "users",
]
