"""Tables for builds, classic releases, YAML environments, deployment commits, sync checkpoints and the
per-project settings that decide which deployments count."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, LargeBinary, Text

from .columns import ID, SHA, WORD, UtcDateTime, digest, key, org_key, sealed, table

build_definitions = table(
    "build_definitions", org_key(), key("project_id"), key("id", Integer),
    Column("name", Text, nullable=False),
    Column("path", Text),
    Column("repo_id", ID),
    Column("is_deployment_pipeline", Boolean, nullable=False),  # user setting, never overwritten by a sync
    Column("deployment_environment", Text),                      # user setting
    digest(),
)

builds = table(
    "builds", org_key(), key("project_id"), key("id", Integer),
    Column("definition_id", Integer, nullable=False),
    Column("repo_id", ID),
    *sealed("source_branch", indexed=True),
    Column("source_version", SHA),
    Column("reason", WORD),
    Column("status", WORD),
    Column("result", WORD),
    Column("queued_at", UtcDateTime),
    Column("started_at", UtcDateTime),
    Column("finished_at", UtcDateTime),
    Column("pr_id", Integer),
    digest(),
    Index(None, "org_id", "definition_id", "finished_at"),
    Index(None, "org_id", "finished_at"),
    Index(None, "org_id", "repo_id", "source_branch_bidx"),
)

release_definitions = table(
    "release_definitions", org_key(), key("project_id"), key("id", Integer),
    Column("name", Text, nullable=False),
    Column("path", Text),
    digest(),
)

release_definition_environments = table(
    "release_definition_environments", org_key(), key("project_id"), key("definition_id", Integer),
    key("id", Integer),
    Column("name", Text, nullable=False),
    Column("rank", Integer),
    digest(),
)

releases = table(
    "releases", org_key(), key("project_id"), key("id", Integer),
    Column("definition_id", Integer, nullable=False),
    Column("name", Text),
    Column("created_at", UtcDateTime),
    digest(),
)

release_artifacts = table(
    "release_artifacts", org_key(), key("project_id"), key("release_id", Integer), key("alias", Text),
    Column("type", WORD),
    Column("build_id", Integer),
    Column("build_definition_id", Integer),
    Column("repo_id", ID),
    Column("source_version", SHA),
    *sealed("branch", indexed=True),
    digest(),
    Index(None, "org_id", "build_id"),
    Index(None, "org_id", "repo_id"),  # a repository's releases (metrics at repository scope)
)

classic_deployments = table(
    "classic_deployments", org_key(), key("project_id"), key("id", Integer),
    Column("release_id", Integer, nullable=False),
    Column("release_definition_id", Integer),
    Column("environment_id", Integer),
    Column("definition_environment_id", Integer),
    Column("environment_name", Text, nullable=False),
    Column("attempt", Integer),
    Column("status", WORD),
    Column("operation_status", WORD),
    Column("queued_at", UtcDateTime),
    Column("started_at", UtcDateTime),
    Column("completed_at", UtcDateTime),
    Column("last_modified_at", UtcDateTime),
    digest(),
    Index(None, "org_id", "environment_name", "completed_at"),
    Index(None, "org_id", "release_id"),
)

environments = table(
    "environments", org_key(), key("project_id"), key("id", Integer),
    Column("name", Text, nullable=False),
    digest(),
)

environment_deployments = table(
    "environment_deployments", org_key(), key("project_id"), key("id", Integer),
    Column("environment_id", Integer, nullable=False),
    Column("build_id", Integer),
    Column("definition_id", Integer),
    Column("stage_name", Text),
    Column("stage_attempt", Integer),
    Column("result", WORD),
    Column("queued_at", UtcDateTime),
    Column("started_at", UtcDateTime),
    Column("finished_at", UtcDateTime),
    digest(),
    Index(None, "org_id", "environment_id", "finished_at"),
    Index(None, "org_id", "build_id"),
)

def _deployment() -> tuple:
    """Key columns naming a deployment attempt and one repository it deployed."""
    return (org_key(), key("project_id"), key("deployment_kind", WORD), key("deployment_id", Integer),
            key("repo_id"))

deployment_commits = table(
    "deployment_commits", *_deployment(), key("sha", SHA),
    Index(None, "org_id", "sha"),
)

deployment_comparisons = table(
    "deployment_comparisons", *_deployment(),
    Column("deployed_sha", SHA, nullable=False),
    Column("base_sha", SHA),
    Column("commit_count", Integer, nullable=False),
    Column("is_ancestor_of_base", Boolean),
    digest(),
)

project_settings = table(
    "project_settings", org_key(), key("project_id"),
    Column("production_pattern", Text),   # user setting; NULL: METRICS.md's default pattern
    Column("updated_at", UtcDateTime, nullable=False),
)

sync_checkpoints = table(
    "sync_checkpoints", org_key(), key("stream", Text), key("scope", Text),
    Column("cursor", Text),
    Column("position", Text),
    Column("updated_at", UtcDateTime),
    digest(),
)

data_keys = table(
    "data_keys",
    Column("org_id", ID, primary_key=True),  # no foreign key: shredding keys must not need the org row
    key("key_id", Integer),
    Column("purpose", WORD, nullable=False),  # "data" (encrypts values) or "index" (blind index, digests)
    Column("state", WORD, nullable=False),    # "active", "retired" (decrypt only)
    Column("master_key_id", WORD, nullable=False),
    Column("wrapped", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)
