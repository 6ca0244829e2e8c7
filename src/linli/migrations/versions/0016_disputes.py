"""disputes: disputes and their mediation (矛盾纠纷排查化解); the grid's public notice (网格公示): an area's
boundary and supervision phone, a staff account's work phone

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import linli.db.base

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.add_column(sa.Column("boundary", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("supervision_phone", sa.String(length=20), nullable=True))
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("work_phone", sa.String(length=20), nullable=True))

    op.create_table(
        "dispute",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("grid_log_id", sa.Integer(), nullable=True),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("registered_by_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.Column("agreement", sa.Text(), nullable=False),
        sa.Column("referred_to", sa.String(length=24), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=False),
        sa.Column("outcome_at", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("follow_up_note", sa.Text(), nullable=False),
        sa.Column("closed_at", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("state <> 'closed' OR outcome IS NOT NULL", name=op.f("ck_dispute_closed_with_outcome")),
        sa.CheckConstraint("outcome <> 'referred' OR referred_to IS NOT NULL", name=op.f("ck_dispute_referral_named")),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_dispute_area_id_area")),
        sa.ForeignKeyConstraint(["grid_log_id"], ["grid_log.id"], name=op.f("fk_dispute_grid_log_id_grid_log")),
        sa.ForeignKeyConstraint(
            ["registered_by_id"], ["user_account.id"], name=op.f("fk_dispute_registered_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["user_account.id"], name=op.f("fk_dispute_closed_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute")),
    )
    with op.batch_alter_table("dispute", schema=None) as batch_op:
        batch_op.create_index("ix_dispute_area_state", ["area_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_dispute_grid_log_id"), ["grid_log_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dispute_outcome_at"), ["outcome_at"], unique=False)

    op.create_table(
        "dispute_party",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("phone_enc", sa.String(length=120), nullable=True),
        sa.Column("phone_hash", sa.String(length=32), nullable=True),
        sa.Column("phone_tail", sa.String(length=4), nullable=True),
        sa.Column("role", sa.String(length=60), nullable=False),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("resident_id IS NOT NULL OR name <> ''", name=op.f("ck_dispute_party_party_is_someone")),
        sa.ForeignKeyConstraint(["dispute_id"], ["dispute.id"], name=op.f("fk_dispute_party_dispute_id_dispute")),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"], name=op.f("fk_dispute_party_resident_id_resident")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_party")),
    )
    with op.batch_alter_table("dispute_party", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dispute_party_dispute_id"), ["dispute_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dispute_party_resident_id"), ["resident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dispute_party_phone_hash"), ["phone_hash"], unique=False)

    op.create_table(
        "dispute_mediator",
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["dispute_id"], ["dispute.id"], name=op.f("fk_dispute_mediator_dispute_id_dispute")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_dispute_mediator_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("dispute_id", "user_id", name=op.f("pk_dispute_mediator")),
    )
    with op.batch_alter_table("dispute_mediator", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dispute_mediator_user_id"), ["user_id"], unique=False)

    op.create_table(
        "dispute_mediation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("attendees", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["dispute_id"], ["dispute.id"], name=op.f("fk_dispute_mediation_dispute_id_dispute")),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user_account.id"], name=op.f("fk_dispute_mediation_recorded_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_mediation")),
    )
    with op.batch_alter_table("dispute_mediation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dispute_mediation_dispute_id"), ["dispute_id"], unique=False)


def downgrade() -> None:
    op.drop_table("dispute_mediation")
    op.drop_table("dispute_mediator")
    op.drop_table("dispute_party")
    op.drop_table("dispute")
    # SQLite (3.35+) drops a plain column in place: a batch rebuild of user_account or area, which most tables
    # refer to, would leave the foreign-key check failing at the commit.
    for table, column in (("user_account", "work_phone"), ("area", "supervision_phone"), ("area", "boundary")):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
        else:
            op.drop_column(table, column)
