"""foundation

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import linli.db.base

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=15), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "path",
            sa.String(length=120).with_variant(sa.String(length=120, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("character", sa.Text(), nullable=False),
        sa.Column("sort", sa.Integer(), nullable=False),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["area.id"], name=op.f("fk_area_parent_id_area")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area")),
        sa.UniqueConstraint("code", name=op.f("uq_area_code")),
        sa.UniqueConstraint("path", name=op.f("uq_area_path")),
    )
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_area_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("name_en", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("care_weight", sa.Integer(), nullable=False),
        sa.Column("close_care", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag")),
        sa.UniqueConstraint("code", name=op.f("uq_tag_code")),
    )
    op.create_table(
        "building",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("compound", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_building_area_id_area")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_building")),
        sa.UniqueConstraint("area_id", "compound", "name", name=op.f("uq_building_area_id_compound_name")),
    )
    with op.batch_alter_table("building", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_building_area_id"), ["area_id"], unique=False)

    op.create_table(
        "household",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("room", sa.String(length=50), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("head_id", sa.Integer(), nullable=True),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("dissolved_on", sa.Date(), nullable=True),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_household_area_id_area")),
        sa.ForeignKeyConstraint(["building_id"], ["building.id"], name=op.f("fk_household_building_id_building")),
        sa.ForeignKeyConstraint(["head_id"], ["resident.id"], name="fk_household_head_id_resident", use_alter=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household")),
    )
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_household_area_id"), ["area_id"], unique=False)
        batch_op.create_index("ix_household_building_room", ["building_id", "room"], unique=False)

    op.create_table(
        "resident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("gender", sa.String(length=1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("id_number_enc", sa.String(length=120), nullable=True),
        sa.Column("id_number_hash", sa.String(length=32), nullable=True),
        sa.Column("id_tail", sa.String(length=4), nullable=True),
        sa.Column("phone_enc", sa.String(length=120), nullable=True),
        sa.Column("phone_hash", sa.String(length=32), nullable=True),
        sa.Column("phone_tail", sa.String(length=4), nullable=True),
        sa.Column("relation", sa.String(length=2), nullable=False),
        sa.Column("kind", sa.String(length=2), nullable=False),
        sa.Column("ethnicity", sa.String(length=2), nullable=False),
        sa.Column("skills", sa.Text(), nullable=False),
        sa.Column("willing_to_help", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_resident_area_id_area")),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"], name=op.f("fk_resident_household_id_household")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident")),
        sa.UniqueConstraint("id_number_hash", name=op.f("uq_resident_id_number_hash")),
    )
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resident_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_resident_birth_date"), ["birth_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_resident_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_resident_id_tail"), ["id_tail"], unique=False)
        batch_op.create_index(batch_op.f("ix_resident_phone_hash"), ["phone_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_resident_phone_tail"), ["phone_tail"], unique=False)
        batch_op.create_index(batch_op.f("ix_resident_status"), ["status"], unique=False)

    # household.head_id and resident.household_id refer to each other: SQLite keeps the foreign key
    # inline in CREATE TABLE (it cannot add one later); PostgreSQL adds it once both tables exist.
    if op.get_bind().dialect.name != "sqlite":
        op.create_foreign_key("fk_household_head_id_resident", "household", "resident", ["head_id"], ["id"])

    op.create_table(
        "resident_key",
        sa.Column(
            "key",
            sa.String(length=80).with_variant(sa.String(length=80, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_resident_key_area_id_area")),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"], name=op.f("fk_resident_key_resident_id_resident")),
        sa.PrimaryKeyConstraint("key", "resident_id", name=op.f("pk_resident_key")),
    )
    with op.batch_alter_table("resident_key", schema=None) as batch_op:
        batch_op.create_index("ix_resident_key_area_key", ["area_id", "key"], unique=False)
        batch_op.create_index(batch_op.f("ix_resident_key_resident_id"), ["resident_id"], unique=False)

    op.create_table(
        "resident_tag",
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"], name=op.f("fk_resident_tag_resident_id_resident")),
        sa.ForeignKeyConstraint(["tag_id"], ["tag.id"], name=op.f("fk_resident_tag_tag_id_tag")),
        sa.PrimaryKeyConstraint("resident_id", "tag_id", name=op.f("pk_resident_tag")),
    )
    with op.batch_alter_table("resident_tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resident_tag_tag_id"), ["tag_id"], unique=False)

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("display_name", sa.String(length=60), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", linli.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"], name=op.f("fk_user_account_resident_id_resident")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("username", name=op.f("uq_user_account_username")),
    )
    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_assignment_area_id_area")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_assignment_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment")),
        sa.UniqueConstraint("user_id", "role", "area_id", name=op.f("uq_assignment_user_id_role_area_id")),
    )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignment_user_id"), ["user_id"], unique=False)

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("client", sa.String(length=60), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_audit_event_area_id_area")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_audit_event_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_user_id"), ["user_id"], unique=False)

    op.create_table(
        "resident_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("from_household_id", sa.Integer(), nullable=True),
        sa.Column("to_household_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_household_id"],
            ["household.id"],
            name=op.f("fk_resident_event_from_household_id_household"),
        ),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"], name=op.f("fk_resident_event_resident_id_resident")),
        sa.ForeignKeyConstraint(
            ["to_household_id"], ["household.id"], name=op.f("fk_resident_event_to_household_id_household")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_resident_event_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident_event")),
    )
    with op.batch_alter_table("resident_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resident_event_resident_id"), ["resident_id"], unique=False)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_household_head_id_resident", "household", type_="foreignkey")
    with op.batch_alter_table("resident_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resident_event_resident_id"))

    op.drop_table("resident_event")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))
        batch_op.drop_index(batch_op.f("ix_audit_event_action"))

    op.drop_table("audit_event")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_user_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_area_id"))

    op.drop_table("assignment")
    op.drop_table("user_account")
    with op.batch_alter_table("resident_tag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resident_tag_tag_id"))

    op.drop_table("resident_tag")
    with op.batch_alter_table("resident_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resident_key_resident_id"))
        batch_op.drop_index("ix_resident_key_area_key")

    op.drop_table("resident_key")
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resident_status"))
        batch_op.drop_index(batch_op.f("ix_resident_phone_tail"))
        batch_op.drop_index(batch_op.f("ix_resident_phone_hash"))
        batch_op.drop_index(batch_op.f("ix_resident_id_tail"))
        batch_op.drop_index(batch_op.f("ix_resident_household_id"))
        batch_op.drop_index(batch_op.f("ix_resident_birth_date"))
        batch_op.drop_index(batch_op.f("ix_resident_area_id"))

    op.drop_table("resident")
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_index("ix_household_building_room")
        batch_op.drop_index(batch_op.f("ix_household_area_id"))

    op.drop_table("household")
    with op.batch_alter_table("building", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_building_area_id"))

    op.drop_table("building")
    op.drop_table("tag")
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_area_parent_id"))

    op.drop_table("area")
