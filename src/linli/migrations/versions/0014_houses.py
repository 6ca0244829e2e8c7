"""houses: units, houses, tenancies, care grades (实有房屋); every household moved onto a house

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05

The data migration keeps every row: each household gets the house of its building and room, one
house per distinct (building, unit, room), status ``owner_occupied``. The unit is read from the room
text by ``linli.lib.rooms.split_room`` (``2-301`` and ``2单元301`` → unit 2单元, room 301; anything
else → the building's 1单元).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

import linli.db.base
from linli.lib.rooms import split_room

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

CHUNK = 5000


def upgrade() -> None:
    op.create_table(
        "unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_unit_area_id_area")),
        sa.ForeignKeyConstraint(["building_id"], ["building.id"], name=op.f("fk_unit_building_id_building")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
        sa.UniqueConstraint("building_id", "name", name=op.f("uq_unit_building_id_name")),
    )
    op.create_table(
        "house",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("room", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("owner_resident_id", sa.Integer(), nullable=True),
        sa.Column("owner_name", sa.String(length=60), nullable=False),
        sa.Column("owner_phone_enc", sa.String(length=120), nullable=True),
        sa.Column("owner_phone_hash", sa.String(length=32), nullable=True),
        sa.Column("owner_phone_tail", sa.String(length=4), nullable=True),
        sa.Column("floor_area", sa.Float(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_house_area_id_area")),
        sa.ForeignKeyConstraint(["building_id"], ["building.id"], name=op.f("fk_house_building_id_building")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_house_unit_id_unit")),
        # The resident table exists already: the key can be written inline on both databases.
        sa.ForeignKeyConstraint(["owner_resident_id"], ["resident.id"], name="fk_house_owner_resident_id_resident"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_house")),
        sa.UniqueConstraint("unit_id", "room", name=op.f("uq_house_unit_id_room")),
    )
    with op.batch_alter_table("house", schema=None) as batch_op:
        batch_op.create_index("ix_house_area_status", ["area_id", "status"], unique=False)
        batch_op.create_index("ix_house_building_status", ["building_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_house_owner_phone_hash"), ["owner_phone_hash"], unique=False)

    op.create_table(
        "tenancy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("house_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_tenancy_area_id_area")),
        sa.ForeignKeyConstraint(["house_id"], ["house.id"], name=op.f("fk_tenancy_house_id_house")),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"], name=op.f("fk_tenancy_household_id_household")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_tenancy_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenancy")),
    )
    with op.batch_alter_table("tenancy", schema=None) as batch_op:
        batch_op.create_index("ix_tenancy_house_starts", ["house_id", "starts_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_tenancy_household_id"), ["household_id"], unique=False)

    op.create_table(
        "care_grade_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=8), nullable=True),
        sa.Column("previous", sa.String(length=8), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_care_grade_change_household_id_household")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_care_grade_change_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_grade_change")),
    )
    with op.batch_alter_table("care_grade_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_grade_change_household_id"), ["household_id"], unique=False)

    # SQLite can add a column with its foreign key in place (ALTER TABLE … ADD COLUMN … REFERENCES), so
    # the household table, referred to by most of the schema, is not rebuilt.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE household ADD COLUMN house_id INTEGER"
            " CONSTRAINT fk_household_house_id_house REFERENCES house (id)"
        )
    else:
        op.add_column("household", sa.Column("house_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_household_house_id_house", "household", "house", ["house_id"], ["id"])
    op.add_column("household", sa.Column("care_grade", sa.String(length=8), nullable=True))
    op.create_index("ix_household_house_id", "household", ["house_id"], unique=False)

    move_households_onto_houses(op.get_bind())


def move_households_onto_houses(connection: sa.Connection) -> int:
    """Give every household without a house the house of its building and room; return how many.

    One unit per (building, unit name) and one house per (unit, room), made where missing; ids are left
    to the database, then read back, so PostgreSQL's sequences stay right.
    """
    meta = sa.MetaData()
    household = sa.Table(
        "household",
        meta,
        sa.Column("id", sa.Integer),
        sa.Column("building_id", sa.Integer),
        sa.Column("room", sa.String),
        sa.Column("house_id", sa.Integer),
    )
    building = sa.Table("building", meta, sa.Column("id", sa.Integer), sa.Column("area_id", sa.Integer))
    unit = sa.Table(
        "unit",
        meta,
        sa.Column("id", sa.Integer),
        sa.Column("area_id", sa.Integer),
        sa.Column("building_id", sa.Integer),
        sa.Column("name", sa.String),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True)),
        sa.Column("updated_at", linli.db.base.UTCDateTime(timezone=True)),
    )
    house = sa.Table(
        "house",
        meta,
        sa.Column("id", sa.Integer),
        sa.Column("area_id", sa.Integer),
        sa.Column("building_id", sa.Integer),
        sa.Column("unit_id", sa.Integer),
        sa.Column("room", sa.String),
        sa.Column("status", sa.String),
        sa.Column("owner_name", sa.String),
        sa.Column("note", sa.String),
        sa.Column("created_at", linli.db.base.UTCDateTime(timezone=True)),
        sa.Column("updated_at", linli.db.base.UTCDateTime(timezone=True)),
    )
    rows = connection.execute(
        sa.select(household.c.id, household.c.building_id, household.c.room, building.c.area_id)
        .join(building, building.c.id == household.c.building_id)
        .where(household.c.house_id.is_(None))
        .order_by(household.c.id)
    ).all()
    if not rows:
        return 0
    now = linli.db.base.utcnow()
    placed = [(hid, bid, area, *split_room(room or "")) for hid, bid, room, area in rows]
    units = {(b, u): None for b, u in connection.execute(sa.select(unit.c.building_id, unit.c.name))}
    new_units: dict[tuple[int, str], int] = {}
    for _, bid, area, unit_name, _ in placed:
        if (bid, unit_name) not in units and (bid, unit_name) not in new_units:
            new_units[(bid, unit_name)] = area
    _insert(
        connection,
        unit,
        [
            {"area_id": a, "building_id": b, "name": n, "created_at": now, "updated_at": now}
            for (b, n), a in new_units.items()
        ],
    )
    unit_ids = {(b, n): i for i, b, n in connection.execute(sa.select(unit.c.id, unit.c.building_id, unit.c.name))}
    existing = {(u, r) for u, r in connection.execute(sa.select(house.c.unit_id, house.c.room))}
    new_houses: dict[tuple[int, str], dict[str, Any]] = {}
    for _, bid, area, unit_name, room in placed:
        key = (unit_ids[(bid, unit_name)], room)
        if key not in existing and key not in new_houses:
            new_houses[key] = {
                "area_id": area,
                "building_id": bid,
                "unit_id": key[0],
                "room": room,
                "status": "owner_occupied",
                "owner_name": "",
                "note": "",
                "created_at": now,
                "updated_at": now,
            }
    _insert(connection, house, list(new_houses.values()))
    house_ids = {(u, r): i for i, u, r in connection.execute(sa.select(house.c.id, house.c.unit_id, house.c.room))}
    moves = [
        {"b_id": hid, "b_house": house_ids[(unit_ids[(bid, unit_name)], room)]}
        for hid, bid, _, unit_name, room in placed
    ]
    statement = (
        sa.update(household).where(household.c.id == sa.bindparam("b_id")).values(house_id=sa.bindparam("b_house"))
    )
    for start in range(0, len(moves), CHUNK):
        connection.execute(statement, moves[start : start + CHUNK])
    return len(moves)


def _insert(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        connection.execute(sa.insert(table), rows[start : start + CHUNK])


def downgrade() -> None:
    op.drop_index("ix_household_house_id", table_name="household")
    if op.get_bind().dialect.name == "sqlite":
        _household_without_houses()
    else:
        op.drop_constraint("fk_household_house_id_house", "household", type_="foreignkey")
        op.drop_column("household", "care_grade")
        op.drop_column("household", "house_id")
    with op.batch_alter_table("care_grade_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_grade_change_household_id"))
    op.drop_table("care_grade_change")
    with op.batch_alter_table("tenancy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tenancy_household_id"))
        batch_op.drop_index("ix_tenancy_house_starts")
    op.drop_table("tenancy")
    with op.batch_alter_table("house", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_house_owner_phone_hash"))
        batch_op.drop_index("ix_house_building_status")
        batch_op.drop_index("ix_house_area_status")
    op.drop_table("house")
    op.drop_table("unit")


def _household_without_houses() -> None:
    """Rebuild SQLite's household table without house_id and care_grade, keeping every key that points at it.

    Most tables refer to household. Dropping it, even to put a copy in its place, counts a foreign-key
    violation per referring row; with the check deferred to the commit, the violations are resolved only by
    rows INSERTed into a table of that name again — a batch rebuild renames its copy instead, and the
    commit fails. So: copy the rows aside, drop, create the table afresh, insert the rows back.
    """
    connection = op.get_bind()
    op.execute("PRAGMA defer_foreign_keys=ON")
    old = sa.Table("household", sa.MetaData(), autoload_with=connection)
    kept = [c for c in old.columns if c.name not in ("house_id", "care_grade")]
    names = ", ".join(f'"{c.name}"' for c in kept)
    op.execute(f"CREATE TABLE _household_rows AS SELECT {names} FROM household")
    indexes = [(i.name, [c.name for c in i.columns], i.unique) for i in old.indexes]
    op.drop_table("household")
    fresh = sa.Table("household", sa.MetaData(), *(c._copy() for c in kept))
    fresh.create(connection)
    for name, columns, unique in indexes:
        if name and "house_id" not in columns and "care_grade" not in columns:
            op.create_index(name, "household", columns, unique=bool(unique))
    op.execute(f"INSERT INTO household ({names}) SELECT {names} FROM _household_rows")
    op.execute("DROP TABLE _household_rows")
