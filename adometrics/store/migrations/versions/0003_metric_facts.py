"""Derived metric tables (adometrics/store/tables_metrics.py): per-PR and per-deployment results of the
analysis over all data, and the data version that says whether they are current.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = sa.String(length=255)
WORD = sa.String(length=64)
TS = sa.DateTime(timezone=True)
PHASES = ("coding", "pickup", "review", "deploy", "cycle")
KEY = ("org_id", "kind", "project_id", "deployment_id")


def _org_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["org_id"], ["organizations.id"],
                                   name=op.f(f"fk_{table}_org_id_organizations"), ondelete="CASCADE")


def _index(table: str, *columns: str) -> None:
    op.create_index(op.f(f"ix_{table}_{'_'.join(columns)}"), table, list(columns))


def _deployment_key() -> list[sa.Column]:
    return [sa.Column("org_id", ID, nullable=False), sa.Column("kind", WORD, nullable=False),
            sa.Column("project_id", ID, nullable=False),
            sa.Column("deployment_id", sa.Integer(), nullable=False)]


def _outcome() -> list[sa.Column]:
    return [sa.Column("finished_at", TS, nullable=False), sa.Column("success", sa.Boolean(), nullable=False),
            sa.Column("failure", sa.Boolean(), nullable=False), sa.Column("restore_hours", sa.Double())]


def upgrade() -> None:
    op.create_table(
        "metric_state",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("data_version", sa.Integer(), nullable=False),
        sa.Column("built_version", sa.Integer()),
        sa.Column("built_at", TS),
        _org_fk("metric_state"),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_metric_state")),
    )
    op.create_table(
        "metric_pull_requests",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("pr_id", sa.Integer(), nullable=False),
        sa.Column("repo_id", ID, nullable=False),
        sa.Column("author_key", sa.Text()),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("closed_at", TS),
        sa.Column("state", WORD),
        *(sa.Column(f"{phase}_hours", sa.Double()) for phase in PHASES),
        sa.Column("deployed_at", TS),
        sa.Column("lead_hours", sa.Double()),
        _org_fk("metric_pull_requests"),
        sa.PrimaryKeyConstraint("org_id", "project_id", "pr_id", name=op.f("pk_metric_pull_requests")),
    )
    for columns in (("created_at",), ("closed_at",), ("deployed_at",), ("repo_id", "closed_at"),
                    ("repo_id", "created_at"), ("repo_id", "deployed_at")):
        _index("metric_pull_requests", "org_id", *columns)
    op.create_table(
        "metric_deployments", *_deployment_key(), *_outcome(), _org_fk("metric_deployments"),
        sa.PrimaryKeyConstraint(*KEY, name=op.f("pk_metric_deployments")),
    )
    _index("metric_deployments", "org_id", "finished_at")
    op.create_table(
        "metric_deployment_repositories", *_deployment_key(), sa.Column("repo_id", ID, nullable=False),
        *_outcome(), _org_fk("metric_deployment_repositories"),
        sa.PrimaryKeyConstraint(*KEY, "repo_id", name=op.f("pk_metric_deployment_repositories")),
    )
    _index("metric_deployment_repositories", "org_id", "repo_id", "finished_at")
    op.create_table(
        "metric_deployment_prs", *_deployment_key(), sa.Column("pr_project_id", ID, nullable=False),
        sa.Column("pr_id", sa.Integer(), nullable=False), _org_fk("metric_deployment_prs"),
        sa.PrimaryKeyConstraint(*KEY, "pr_project_id", "pr_id", name=op.f("pk_metric_deployment_prs")),
    )
    _index("metric_deployment_prs", "org_id", "pr_project_id", "pr_id")


def downgrade() -> None:
    for name in ("metric_deployment_prs", "metric_deployment_repositories", "metric_deployments",
                 "metric_pull_requests", "metric_state"):
        op.drop_table(name)
