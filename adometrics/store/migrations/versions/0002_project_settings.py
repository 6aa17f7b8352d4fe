"""Per-project settings (the production pattern of METRICS.md §1; NULL keeps the documented default), and
indexes for the metrics' queries: covering ones for the per-PR aggregates (earliest commit, first review),
and a repository's releases.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.String(length=255)


def upgrade() -> None:
    op.create_table(
        "project_settings",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("production_pattern", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"],
                                name=op.f("fk_project_settings_org_id_organizations"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("org_id", "project_id", name=op.f("pk_project_settings")),
    )
    op.create_index("ix_pr_commits_facts", "pr_commits", ["org_id", "project_id", "pr_id", "author_date"])
    op.create_index("ix_pr_review_events_facts", "pr_review_events",
                    ["org_id", "project_id", "pr_id", "at", "kind", "vote", "actor_is_user", "actor_id"])
    op.create_index(op.f("ix_release_artifacts_org_id_repo_id"), "release_artifacts", ["org_id", "repo_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_release_artifacts_org_id_repo_id"), table_name="release_artifacts")
    op.drop_index("ix_pr_review_events_facts", table_name="pr_review_events")
    op.drop_index("ix_pr_commits_facts", table_name="pr_commits")
    op.drop_table("project_settings")
