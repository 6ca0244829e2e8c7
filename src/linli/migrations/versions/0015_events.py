"""events: grid events (网格事件) reported from the street

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05

The two-level category dictionary with each stage's limit (seeded by ``linli.events.categories`` on first
use, like the needs catalogue), the events and their photos. An event reported up points at its work order
(one per event: UNIQUE order_id); the work-order tables are unchanged (the source ``event`` and the level
``district`` are values, not columns).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import linli.db.base

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("name_en", sa.String(length=80), nullable=False),
        sa.Column("gbt_code", sa.String(length=20), nullable=False),
        sa.Column("register_hours", sa.Integer(), nullable=False),
        sa.Column("dispatch_hours", sa.Integer(), nullable=False),
        sa.Column("handle_hours", sa.Integer(), nullable=False),
        sa.Column("verify_hours", sa.Integer(), nullable=False),
        sa.Column("close_hours", sa.Integer(), nullable=False),
        sa.Column("yellow_percent", sa.Integer(), nullable=False),
        sa.Column("sort", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["event_category.id"], name=op.f("fk_event_category_parent_id_event_category")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_category")),
        sa.UniqueConstraint("code", name=op.f("uq_event_category_code")),
    )
    with op.batch_alter_table("event_category", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_category_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "grid_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=True),
        sa.Column("sketch_x", sa.Float(), nullable=True),
        sa.Column("sketch_y", sa.Float(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("handling", sa.String(length=12), nullable=False),
        sa.Column("action_taken", sa.Text(), nullable=False),
        sa.Column("reported_by_id", sa.Integer(), nullable=True),
        sa.Column("reporter_name", sa.String(length=60), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("stage_started_at", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("stage_yellow_at", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("stage_due_at", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("skipped_level", sa.String(length=12), nullable=False),
        sa.Column("escalated_at", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("seen_again", sa.Integer(), nullable=False),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_grid_event_area_id_area")),
        sa.ForeignKeyConstraint(["building_id"], ["building.id"], name=op.f("fk_grid_event_building_id_building")),
        sa.ForeignKeyConstraint(
            ["category_id"], ["event_category.id"], name=op.f("fk_grid_event_category_id_event_category")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["work_order.id"], name=op.f("fk_grid_event_order_id_work_order")),
        sa.ForeignKeyConstraint(
            ["reported_by_id"], ["user_account.id"], name=op.f("fk_grid_event_reported_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_event")),
        sa.UniqueConstraint("order_id", name=op.f("uq_grid_event_order_id")),
    )
    with op.batch_alter_table("grid_event", schema=None) as batch_op:
        batch_op.create_index("ix_grid_event_area_state", ["area_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_grid_event_building_id"), ["building_id"], unique=False)
        batch_op.create_index("ix_grid_event_category_created", ["category_id", "created_at"], unique=False)
        batch_op.create_index("ix_grid_event_reporter", ["reported_by_id", "created_at"], unique=False)

    op.create_table(
        "event_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=48), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["grid_event.id"], name=op.f("fk_event_photo_event_id_grid_event")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_photo")),
        sa.UniqueConstraint("event_id", "name", name=op.f("uq_event_photo_event_id_name")),
    )
    with op.batch_alter_table("event_photo", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_photo_event_id"), ["event_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("event_photo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_photo_event_id"))

    op.drop_table("event_photo")
    with op.batch_alter_table("grid_event", schema=None) as batch_op:
        batch_op.drop_index("ix_grid_event_reporter")
        batch_op.drop_index("ix_grid_event_category_created")
        batch_op.drop_index(batch_op.f("ix_grid_event_building_id"))
        batch_op.drop_index("ix_grid_event_area_state")

    op.drop_table("grid_event")
    with op.batch_alter_table("event_category", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_category_parent_id"))

    op.drop_table("event_category")
