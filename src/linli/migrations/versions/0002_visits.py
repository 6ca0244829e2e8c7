"""visits (千户访): the visit policy, household rhythms, grid logs with their items and notes, alerts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import linli.db.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "visit_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("condition", sa.String(length=12), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("contact_every_days", sa.Integer(), nullable=True),
        sa.Column("visit_every_days", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["area.id"], name=op.f("fk_visit_rule_community_id_area")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_rule")),
    )
    with op.batch_alter_table("visit_rule", schema=None) as batch_op:
        batch_op.create_index("ix_visit_rule_community_position", ["community_id", "position"], unique=False)

    op.create_table(
        "household_rhythm",
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("restarted_on", sa.Date(), nullable=True),
        sa.Column("stopped_on", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("contact_every", sa.Integer(), nullable=True),
        sa.Column("visit_every", sa.Integer(), nullable=True),
        sa.Column("care_weight", sa.Integer(), nullable=False),
        sa.Column("close_care", sa.Boolean(), nullable=False),
        sa.Column("basis", sa.String(length=240), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("last_contact_at", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_visit_at", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("contact_due_on", sa.Date(), nullable=True),
        sa.Column("visit_due_on", sa.Date(), nullable=True),
        sa.Column("next_due_on", sa.Date(), nullable=True),
        sa.Column("recheck_on", sa.Date(), nullable=True),
        sa.Column("updated_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_household_rhythm_area_id_area")),
        sa.ForeignKeyConstraint(
            ["building_id"], ["building.id"], name=op.f("fk_household_rhythm_building_id_building")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_household_rhythm_household_id_household")
        ),
        sa.ForeignKeyConstraint(["rule_id"], ["visit_rule.id"], name=op.f("fk_household_rhythm_rule_id_visit_rule")),
        sa.PrimaryKeyConstraint("household_id", name=op.f("pk_household_rhythm")),
    )
    with op.batch_alter_table("household_rhythm", schema=None) as batch_op:
        batch_op.create_index("ix_household_rhythm_area_due", ["area_id", "next_due_on"], unique=False)

    op.create_table(
        "grid_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("started_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("urgency", sa.String(length=12), nullable=False),
        sa.Column("story", sa.Text(), nullable=False),
        sa.Column("skills_found", sa.Text(), nullable=False),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("corrected_at", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_grid_log_area_id_area")),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"], name=op.f("fk_grid_log_household_id_household")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_grid_log_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_log")),
    )
    with op.batch_alter_table("grid_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_grid_log_area_started", ["area_id", "started_at", "user_id", "duration_minutes"], unique=False
        )
        batch_op.create_index("ix_grid_log_household_started", ["household_id", "started_at", "channel"], unique=False)

    op.create_table(
        "household_cadence",
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("contact_every_days", sa.Integer(), nullable=True),
        sa.Column("visit_every_days", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_household_cadence_household_id_household")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_household_cadence_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("household_id", name=op.f("pk_household_cadence")),
    )
    op.create_table(
        "grid_log_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("opened_by_log_id", sa.Integer(), nullable=False),
        sa.Column("closed_by_log_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_grid_log_item_area_id_area")),
        sa.ForeignKeyConstraint(
            ["closed_by_log_id"], ["grid_log.id"], name=op.f("fk_grid_log_item_closed_by_log_id_grid_log")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_grid_log_item_household_id_household")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_log_id"], ["grid_log.id"], name=op.f("fk_grid_log_item_opened_by_log_id_grid_log")
        ),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"], name=op.f("fk_grid_log_item_resident_id_resident")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_log_item")),
    )
    with op.batch_alter_table("grid_log_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grid_log_item_area_id"), ["area_id"], unique=False)
        batch_op.create_index("ix_grid_log_item_household_status", ["household_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_grid_log_item_opened_by_log_id"), ["opened_by_log_id"], unique=False)

    op.create_table(
        "grid_log_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["log_id"], ["grid_log.id"], name=op.f("fk_grid_log_note_log_id_grid_log")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_grid_log_note_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_log_note")),
    )
    with op.batch_alter_table("grid_log_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grid_log_note_log_id"), ["log_id"], unique=False)

    op.create_table(
        "visit_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("log_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("opened_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_visit_alert_area_id_area")),
        sa.ForeignKeyConstraint(["community_id"], ["area.id"], name=op.f("fk_visit_alert_community_id_area")),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"], name=op.f("fk_visit_alert_household_id_household")),
        sa.ForeignKeyConstraint(["log_id"], ["grid_log.id"], name=op.f("fk_visit_alert_log_id_grid_log")),
        sa.ForeignKeyConstraint(
            ["resolved_by"], ["user_account.id"], name=op.f("fk_visit_alert_resolved_by_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_alert")),
    )
    with op.batch_alter_table("visit_alert", schema=None) as batch_op:
        batch_op.create_index("ix_visit_alert_community_open", ["community_id", "resolved_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_alert_household_id"), ["household_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("visit_alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_alert_household_id"))
        batch_op.drop_index("ix_visit_alert_community_open")

    op.drop_table("visit_alert")
    with op.batch_alter_table("grid_log_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grid_log_note_log_id"))

    op.drop_table("grid_log_note")
    with op.batch_alter_table("grid_log_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grid_log_item_opened_by_log_id"))
        batch_op.drop_index("ix_grid_log_item_household_status")
        batch_op.drop_index(batch_op.f("ix_grid_log_item_area_id"))

    op.drop_table("grid_log_item")
    op.drop_table("household_cadence")
    with op.batch_alter_table("grid_log", schema=None) as batch_op:
        batch_op.drop_index("ix_grid_log_household_started")
        batch_op.drop_index("ix_grid_log_area_started")

    op.drop_table("grid_log")
    with op.batch_alter_table("household_rhythm", schema=None) as batch_op:
        batch_op.drop_index("ix_household_rhythm_area_due")

    op.drop_table("household_rhythm")
    with op.batch_alter_table("visit_rule", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_rule_community_position")

    op.drop_table("visit_rule")
