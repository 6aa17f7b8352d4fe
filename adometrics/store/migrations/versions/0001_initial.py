"""Initial schema: every table of adometrics/store/schema.py as of the first release.

Frozen: a later schema change gets a revision of its own; never edit this one. Column types are spelled out
here (not imported from schema.py) so that this revision keeps meaning what it meant when it was written.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.String(length=255)
SHORT = sa.String(length=64)
TS = sa.DateTime(timezone=True)


def _org_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["org_id"], ["organizations.id"], name=op.f(f"fk_{table}_org_id_organizations"), ondelete="CASCADE"
    )


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=op.f(f"pk_{table}"))


def _index(table: str, *columns: str) -> None:
    op.create_index(op.f(f"ix_{table}_{'_'.join(columns)}"), table, list(columns))


def upgrade() -> None:
    op.create_table(
        "data_keys",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("purpose", SHORT, nullable=False),
        sa.Column("state", SHORT, nullable=False),
        sa.Column("master_key_id", SHORT, nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        _pk("data_keys", "org_id", "key_id"),
    )
    op.create_table(
        "organizations",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("kind", SHORT, nullable=False),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _pk("organizations", "id"),
    )
    op.create_table(
        "build_definitions",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("repo_id", ID, nullable=True),
        sa.Column("is_deployment_pipeline", sa.Boolean(), nullable=False),
        sa.Column("deployment_environment", sa.Text(), nullable=True),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("build_definitions"),
        _pk("build_definitions", "org_id", "project_id", "id"),
    )
    op.create_table(
        "builds",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("definition_id", sa.Integer(), nullable=False),
        sa.Column("repo_id", ID, nullable=True),
        sa.Column("source_branch_enc", sa.LargeBinary(), nullable=True),
        sa.Column("source_branch_bidx", sa.LargeBinary(), nullable=True),
        sa.Column("source_version", SHORT, nullable=True),
        sa.Column("reason", SHORT, nullable=True),
        sa.Column("status", SHORT, nullable=True),
        sa.Column("result", SHORT, nullable=True),
        sa.Column("queued_at", TS, nullable=True),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("pr_id", sa.Integer(), nullable=True),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("builds"),
        _pk("builds", "org_id", "project_id", "id"),
    )
    _index("builds", "org_id", "definition_id", "finished_at")
    _index("builds", "org_id", "finished_at")
    _index("builds", "org_id", "repo_id", "source_branch_bidx")
    op.create_table(
        "classic_deployments",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("release_definition_id", sa.Integer(), nullable=True),
        sa.Column("environment_id", sa.Integer(), nullable=True),
        sa.Column("definition_environment_id", sa.Integer(), nullable=True),
        sa.Column("environment_name", sa.Text(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=True),
        sa.Column("status", SHORT, nullable=True),
        sa.Column("operation_status", SHORT, nullable=True),
        sa.Column("queued_at", TS, nullable=True),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("completed_at", TS, nullable=True),
        sa.Column("last_modified_at", TS, nullable=True),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("classic_deployments"),
        _pk("classic_deployments", "org_id", "project_id", "id"),
    )
    _index("classic_deployments", "org_id", "environment_name", "completed_at")
    _index("classic_deployments", "org_id", "release_id")
    op.create_table(
        "commits",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("repo_id", ID, nullable=False),
        sa.Column("sha", SHORT, nullable=False),
        sa.Column("author_name", sa.Text(), nullable=True),
        sa.Column("author_email_enc", sa.LargeBinary(), nullable=True),
        sa.Column("author_email_bidx", sa.LargeBinary(), nullable=True),
        sa.Column("author_date", TS, nullable=True),
        sa.Column("committer_date", TS, nullable=True),
        sa.Column("parents", sa.Text(), nullable=True),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("commits"),
        _pk("commits", "org_id", "repo_id", "sha"),
    )
    _index("commits", "org_id", "repo_id", "committer_date")
    op.create_table(
        "connections",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("identity_id", ID, nullable=True),
        sa.Column("identity_name", sa.Text(), nullable=True),
        sa.Column("auth_method", SHORT, nullable=False),
        sa.Column("health", SHORT, nullable=False),
        sa.Column("health_reason", sa.Text(), nullable=True),
        sa.Column("last_sync_at", TS, nullable=True),
        sa.Column("credential_enc", sa.LargeBinary(), nullable=True),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("connections"),
        _pk("connections", "org_id"),
    )
    op.create_table(
        "deployment_commits",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("deployment_kind", SHORT, nullable=False),
        sa.Column("deployment_id", sa.Integer(), nullable=False),
        sa.Column("repo_id", ID, nullable=False),
        sa.Column("sha", SHORT, nullable=False),
        _org_fk("deployment_commits"),
        _pk(
            "deployment_commits", "org_id", "project_id", "deployment_kind", "deployment_id", "repo_id", "sha"
        ),
    )
    _index("deployment_commits", "org_id", "sha")
    op.create_table(
        "deployment_comparisons",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("deployment_kind", SHORT, nullable=False),
        sa.Column("deployment_id", sa.Integer(), nullable=False),
        sa.Column("repo_id", ID, nullable=False),
        sa.Column("deployed_sha", SHORT, nullable=False),
        sa.Column("base_sha", SHORT, nullable=True),
        sa.Column("commit_count", sa.Integer(), nullable=False),
        sa.Column("is_ancestor_of_base", sa.Boolean(), nullable=True),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("deployment_comparisons"),
        _pk("deployment_comparisons", "org_id", "project_id", "deployment_kind", "deployment_id", "repo_id"),
    )
    op.create_table(
        "environment_deployments",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("environment_id", sa.Integer(), nullable=False),
        sa.Column("build_id", sa.Integer(), nullable=True),
        sa.Column("definition_id", sa.Integer(), nullable=True),
        sa.Column("stage_name", sa.Text(), nullable=True),
        sa.Column("stage_attempt", sa.Integer(), nullable=True),
        sa.Column("result", SHORT, nullable=True),
        sa.Column("queued_at", TS, nullable=True),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("environment_deployments"),
        _pk("environment_deployments", "org_id", "project_id", "id"),
    )
    _index("environment_deployments", "org_id", "build_id")
    _index("environment_deployments", "org_id", "environment_id", "finished_at")
    op.create_table(
        "environments",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("environments"),
        _pk("environments", "org_id", "project_id", "id"),
    )
    op.create_table(
        "pr_commits",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("pr_id", sa.Integer(), nullable=False),
        sa.Column("sha", SHORT, nullable=False),
        sa.Column("author_date", TS, nullable=True),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("pr_commits"),
        _pk("pr_commits", "org_id", "project_id", "pr_id", "sha"),
    )
    _index("pr_commits", "org_id", "sha")
    op.create_table(
        "pr_iterations",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("pr_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=True),
        sa.Column("source_commit", SHORT, nullable=True),
        sa.Column("target_commit", SHORT, nullable=True),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("pr_iterations"),
        _pk("pr_iterations", "org_id", "project_id", "pr_id", "id"),
    )
    op.create_table(
        "pr_review_events",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("pr_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", ID, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("kind", SHORT, nullable=False),
        sa.Column("vote", sa.Integer(), nullable=True),
        sa.Column("actor_is_user", sa.Boolean(), nullable=False),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("pr_review_events"),
        _pk("pr_review_events", "org_id", "project_id", "pr_id", "thread_id", "comment_id"),
    )
    op.create_table(
        "pr_reviewers",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("pr_id", sa.Integer(), nullable=False),
        sa.Column("identity_id", ID, nullable=False),
        sa.Column("vote", sa.Integer(), nullable=False),
        sa.Column("is_required", sa.Boolean(), nullable=False),
        sa.Column("is_group", sa.Boolean(), nullable=False),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("pr_reviewers"),
        _pk("pr_reviewers", "org_id", "project_id", "pr_id", "identity_id"),
    )
    op.create_table(
        "pr_statuses",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("pr_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("iteration_id", sa.Integer(), nullable=True),
        sa.Column("state", SHORT, nullable=True),
        sa.Column("context_genre", sa.Text(), nullable=True),
        sa.Column("context_name", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=True),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("pr_statuses"),
        _pk("pr_statuses", "org_id", "project_id", "pr_id", "id"),
    )
    op.create_table(
        "projects",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("projects"),
        _pk("projects", "org_id", "id"),
    )
    op.create_table(
        "pull_requests",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repo_id", ID, nullable=False),
        sa.Column("creator_id", ID, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("status", SHORT, nullable=False),
        sa.Column("is_draft", sa.Boolean(), nullable=False),
        sa.Column("title_enc", sa.LargeBinary(), nullable=False),
        sa.Column("source_branch_enc", sa.LargeBinary(), nullable=False),
        sa.Column("source_branch_bidx", sa.LargeBinary(), nullable=False),
        sa.Column("target_branch_enc", sa.LargeBinary(), nullable=False),
        sa.Column("target_branch_bidx", sa.LargeBinary(), nullable=False),
        sa.Column("merge_strategy", SHORT, nullable=True),
        sa.Column("last_merge_source_commit", SHORT, nullable=True),
        sa.Column("last_merge_target_commit", SHORT, nullable=True),
        sa.Column("last_merge_commit", SHORT, nullable=True),
        sa.Column("fingerprint", sa.Text(), nullable=True),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("pull_requests"),
        _pk("pull_requests", "org_id", "project_id", "id"),
    )
    _index("pull_requests", "org_id", "last_merge_commit")
    _index("pull_requests", "org_id", "repo_id", "closed_at")
    _index("pull_requests", "org_id", "repo_id", "created_at")
    op.create_table(
        "refs",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("repo_id", ID, nullable=False),
        sa.Column("name_bidx", sa.LargeBinary(), nullable=False),
        sa.Column("name_enc", sa.LargeBinary(), nullable=False),
        sa.Column("object_id", SHORT, nullable=False),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("refs"),
        _pk("refs", "org_id", "repo_id", "name_bidx"),
    )
    op.create_table(
        "release_artifacts",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.Text(), nullable=False),
        sa.Column("type", SHORT, nullable=True),
        sa.Column("build_id", sa.Integer(), nullable=True),
        sa.Column("build_definition_id", sa.Integer(), nullable=True),
        sa.Column("repo_id", ID, nullable=True),
        sa.Column("source_version", SHORT, nullable=True),
        sa.Column("branch_enc", sa.LargeBinary(), nullable=True),
        sa.Column("branch_bidx", sa.LargeBinary(), nullable=True),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("release_artifacts"),
        _pk("release_artifacts", "org_id", "project_id", "release_id", "alias"),
    )
    _index("release_artifacts", "org_id", "build_id")
    op.create_table(
        "release_definition_environments",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("definition_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("release_definition_environments"),
        _pk("release_definition_environments", "org_id", "project_id", "definition_id", "id"),
    )
    op.create_table(
        "release_definitions",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("release_definitions"),
        _pk("release_definitions", "org_id", "project_id", "id"),
    )
    op.create_table(
        "releases",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("definition_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=True),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("releases"),
        _pk("releases", "org_id", "project_id", "id"),
    )
    op.create_table(
        "repositories",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("default_branch_enc", sa.LargeBinary(), nullable=True),
        sa.Column("default_branch_bidx", sa.LargeBinary(), nullable=True),
        sa.Column("is_disabled", sa.Boolean(), nullable=False),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("repositories"),
        _pk("repositories", "org_id", "id"),
    )
    _index("repositories", "org_id", "project_id")
    op.create_table(
        "sync_checkpoints",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("stream", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("position", sa.Text(), nullable=True),
        sa.Column("updated_at", TS, nullable=True),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("sync_checkpoints"),
        _pk("sync_checkpoints", "org_id", "stream", "scope"),
    )
    op.create_table(
        "team_members",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("team_id", ID, nullable=False),
        sa.Column("identity_id", ID, nullable=False),
        sa.Column("is_group", sa.Boolean(), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("team_members"),
        _pk("team_members", "org_id", "team_id", "identity_id"),
    )
    _index("team_members", "org_id", "identity_id")
    op.create_table(
        "teams",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("teams"),
        _pk("teams", "org_id", "id"),
    )
    _index("teams", "org_id", "project_id")
    op.create_table(
        "users",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("email_enc", sa.LargeBinary(), nullable=True),
        sa.Column("email_bidx", sa.LargeBinary(), nullable=True),
        sa.Column("license", sa.Text(), nullable=True),
        sa.Column("status", SHORT, nullable=True),
        sa.Column("last_accessed_at", TS, nullable=True),
        sa.Column("row_digest", sa.LargeBinary(), nullable=False),
        _org_fk("users"),
        _pk("users", "org_id", "id"),
    )
    _index("users", "org_id", "email_bidx")


def downgrade() -> None:
    op.drop_table("users")
    op.drop_table("teams")
    op.drop_table("team_members")
    op.drop_table("sync_checkpoints")
    op.drop_table("repositories")
    op.drop_table("releases")
    op.drop_table("release_definitions")
    op.drop_table("release_definition_environments")
    op.drop_table("release_artifacts")
    op.drop_table("refs")
    op.drop_table("pull_requests")
    op.drop_table("projects")
    op.drop_table("pr_statuses")
    op.drop_table("pr_reviewers")
    op.drop_table("pr_review_events")
    op.drop_table("pr_iterations")
    op.drop_table("pr_commits")
    op.drop_table("environments")
    op.drop_table("environment_deployments")
    op.drop_table("deployment_comparisons")
    op.drop_table("deployment_commits")
    op.drop_table("connections")
    op.drop_table("commits")
    op.drop_table("classic_deployments")
    op.drop_table("builds")
    op.drop_table("build_definitions")
    op.drop_table("organizations")
    op.drop_table("data_keys")
