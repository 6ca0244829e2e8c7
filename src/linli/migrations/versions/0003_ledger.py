"""ledger: background import jobs of the resident ledger (台账)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import linli.db.base

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("partial", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("committed", sa.Boolean(), nullable=False),
        sa.Column("unknown_columns", sa.Text(), nullable=False),
        sa.Column("error_code", sa.String(length=60), nullable=False),
        sa.Column("error_zh", sa.Text(), nullable=False),
        sa.Column("error_en", sa.Text(), nullable=False),
        sa.Column("report_name", sa.String(length=220), nullable=False),
        sa.Column("report_enc", sa.Text(), nullable=True),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_ledger_job_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_job")),
    )
    with op.batch_alter_table("ledger_job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_job_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ledger_job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_job_user_id"))
    op.drop_table("ledger_job")
