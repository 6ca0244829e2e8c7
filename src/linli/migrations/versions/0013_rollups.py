"""rollups: the dashboard's monthly figures per area (figure_month) and when each month was refreshed

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import linli.db.base

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "figure_month",
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_figure_month_area_id_area")),
        sa.PrimaryKeyConstraint("area_id", "month", "code", name=op.f("pk_figure_month")),
    )
    op.create_table(
        "rollup_run",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("refreshed_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_rollup_run")),
    )


def downgrade() -> None:
    op.drop_table("rollup_run")
    op.drop_table("figure_month")
