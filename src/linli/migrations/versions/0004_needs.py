"""needs: the service catalogue, urgency levels, the working-day calendar, teams, work orders, their
timeline, and notifications.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import linli.db.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_day")),
    )
    op.create_table(
        "need_category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("name_en", sa.String(length=60), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("sort", sa.Integer(), nullable=False),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need_category")),
        sa.UniqueConstraint("code", name=op.f("uq_need_category_code")),
    )
    op.create_table(
        "need_urgency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("name_en", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("community_after_hours", sa.Integer(), nullable=False),
        sa.Column("street_after_hours", sa.Integer(), nullable=False),
        sa.Column("sort", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need_urgency")),
        sa.UniqueConstraint("code", name=op.f("uq_need_urgency_code")),
    )
    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_team_area_id_area")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
    )
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_area_id"), ["area_id"], unique=False)

    op.create_table(
        "team_member",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("leader", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_team_member_team_id_team")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_team_member_user_id_user_account")),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_team_member")),
    )
    with op.batch_alter_table("team_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_member_user_id"), ["user_id"], unique=False)

    op.create_table(
        "work_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("urgency_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("hotline_number", sa.String(length=40), nullable=True),
        sa.Column("grid_log_item_id", sa.Integer(), nullable=True),
        sa.Column("tracking_code", sa.String(length=16), nullable=True),
        sa.Column("requester_user_id", sa.Integer(), nullable=True),
        sa.Column("requester_name", sa.String(length=60), nullable=False),
        sa.Column("requester_phone_enc", sa.String(length=120), nullable=True),
        sa.Column("requester_phone_hash", sa.String(length=32), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("resume_state", sa.String(length=16), nullable=True),
        sa.Column("assignee_user_id", sa.Integer(), nullable=True),
        sa.Column("assignee_team_id", sa.Integer(), nullable=True),
        sa.Column("dispatched_by_id", sa.Integer(), nullable=True),
        sa.Column("dispatched_at", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("due_at", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reported_at", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("suspended_at", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("supervised_at", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("overdue_at", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("extension_count", sa.Integer(), nullable=False),
        sa.Column("extension_requested_until", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rework_count", sa.Integer(), nullable=False),
        sa.Column("rating", sa.String(length=16), nullable=True),
        sa.Column("rating_comment", sa.Text(), nullable=False),
        sa.Column("rated_at", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_work_order_area_id_area")),
        sa.ForeignKeyConstraint(["assignee_team_id"], ["team.id"], name=op.f("fk_work_order_assignee_team_id_team")),
        sa.ForeignKeyConstraint(
            ["assignee_user_id"], ["user_account.id"], name=op.f("fk_work_order_assignee_user_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["category_id"], ["need_category.id"], name=op.f("fk_work_order_category_id_need_category")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_work_order_created_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["dispatched_by_id"], ["user_account.id"], name=op.f("fk_work_order_dispatched_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"], ["work_order.id"], name=op.f("fk_work_order_duplicate_of_id_work_order")
        ),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"], name=op.f("fk_work_order_household_id_household")),
        sa.ForeignKeyConstraint(
            ["requester_user_id"], ["user_account.id"], name=op.f("fk_work_order_requester_user_id_user_account")
        ),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"], name=op.f("fk_work_order_resident_id_resident")),
        sa.ForeignKeyConstraint(
            ["urgency_id"], ["need_urgency.id"], name=op.f("fk_work_order_urgency_id_need_urgency")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_order")),
        sa.UniqueConstraint("grid_log_item_id", name=op.f("uq_work_order_grid_log_item_id")),
        sa.UniqueConstraint("hotline_number", name=op.f("uq_work_order_hotline_number")),
        sa.UniqueConstraint("tracking_code", name=op.f("uq_work_order_tracking_code")),
    )
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.create_index("ix_work_order_area_created", ["area_id", "created_at"], unique=False)
        batch_op.create_index("ix_work_order_area_state_due", ["area_id", "state", "due_at"], unique=False)
        batch_op.create_index("ix_work_order_assignee_state", ["assignee_user_id", "state"], unique=False)
        batch_op.create_index(
            "ix_work_order_household_category", ["household_id", "category_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_work_order_requester_phone_hash"), ["requester_phone_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_order_requester_user_id"), ["requester_user_id"], unique=False)
        batch_op.create_index(
            "ix_work_order_running_due",
            ["due_at"],
            unique=False,
            postgresql_where=sa.text(
                "state IN ('dispatched', 'handling', 'extended', 'supervised', 'rework', 'returned')"
            ),
            sqlite_where=sa.text("state IN ('dispatched', 'handling', 'extended', 'supervised', 'rework', 'returned')"),
        )
        batch_op.create_index("ix_work_order_team_state", ["assignee_team_id", "state"], unique=False)

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("link", sa.String(length=200), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["work_order.id"], name=op.f("fk_notification_order_id_work_order")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_notification_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_order_id"), ["order_id"], unique=False)
        batch_op.create_index("ix_notification_user_read", ["user_id", "read_at"], unique=False)

    op.create_table(
        "work_order_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=False),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("photo", sa.String(length=200), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["work_order.id"], name=op.f("fk_work_order_event_order_id_work_order")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_work_order_event_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_order_event")),
    )
    with op.batch_alter_table("work_order_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_order_event_order_id"), ["order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("work_order_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_order_event_order_id"))

    op.drop_table("work_order_event")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_user_read")
        batch_op.drop_index(batch_op.f("ix_notification_order_id"))

    op.drop_table("notification")
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.drop_index("ix_work_order_team_state")
        batch_op.drop_index(
            "ix_work_order_running_due",
            postgresql_where=sa.text(
                "state IN ('dispatched', 'handling', 'extended', 'supervised', 'rework', 'returned')"
            ),
            sqlite_where=sa.text("state IN ('dispatched', 'handling', 'extended', 'supervised', 'rework', 'returned')"),
        )
        batch_op.drop_index(batch_op.f("ix_work_order_requester_user_id"))
        batch_op.drop_index(batch_op.f("ix_work_order_requester_phone_hash"))
        batch_op.drop_index("ix_work_order_household_category")
        batch_op.drop_index("ix_work_order_assignee_state")
        batch_op.drop_index("ix_work_order_area_state_due")
        batch_op.drop_index("ix_work_order_area_created")

    op.drop_table("work_order")
    with op.batch_alter_table("team_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_member_user_id"))

    op.drop_table("team_member")
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_area_id"))

    op.drop_table("team")
    op.drop_table("need_urgency")
    op.drop_table("need_category")
    op.drop_table("calendar_day")
