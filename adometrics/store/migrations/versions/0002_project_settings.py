"""Per-project settings: the production pattern of METRICS.md §1 (NULL keeps the documented default).

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


def downgrade() -> None:
    op.drop_table("project_settings")
