"""search keys from the readings names really have; resident_key becomes a plain derived index

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27

``name_keys`` now reads each character its common way, and the characters names read more than one
way in each of those ways (``linli.lib.pinyin.NAME_READINGS``), instead of every reading pypinyin
knows (archaic ones too: 王 yu, 许 hu): every resident's keys are written anew, into the table made
again as a derived index like a full-text one: no index on ``resident_id`` (a resident's keys are
replaced by primary key, the old name's keys) and no foreign keys (the keys are written only beside
their resident, and a search joins the resident anyway). Together those were over half the cost of
writing a resident's ~5 keys (bench/README.md, Ledger).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from linli.lib.pinyin import name_keys

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

CHUNK = 20_000
RESIDENT = sa.table(
    "resident", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("area_id", sa.Integer)
)
KEY = sa.table(
    "resident_key", sa.column("key", sa.String), sa.column("resident_id", sa.Integer), sa.column("area_id", sa.Integer)
)


def upgrade() -> None:
    op.drop_table("resident_key")
    create_table(foreign_keys=False)
    rebuild_keys()


def create_table(foreign_keys: bool) -> None:
    """Create ``resident_key`` as 0001 did (``foreign_keys``, with the ``resident_id`` index) or as now."""
    constraints = (
        [
            sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_resident_key_area_id_area")),
            sa.ForeignKeyConstraint(
                ["resident_id"], ["resident.id"], name=op.f("fk_resident_key_resident_id_resident")
            ),
        ]
        if foreign_keys
        else []
    )
    op.create_table(
        "resident_key",
        sa.Column(
            "key",
            sa.String(length=80).with_variant(sa.String(length=80, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        *constraints,
        sa.PrimaryKeyConstraint("key", "resident_id", name=op.f("pk_resident_key")),
    )
    op.create_index("ix_resident_key_area_key", "resident_key", ["area_id", "key"], unique=False)
    if foreign_keys:
        op.create_index(op.f("ix_resident_key_resident_id"), "resident_key", ["resident_id"], unique=False)


def rebuild_keys() -> None:
    """Write every resident's search keys anew, a chunk of residents at a time."""
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(RESIDENT.c.id, RESIDENT.c.name, RESIDENT.c.area_id)
            .where(RESIDENT.c.id > last)
            .order_by(RESIDENT.c.id)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        keys = [{"key": k, "resident_id": rid, "area_id": area} for rid, name, area in rows for k in name_keys(name)]
        bind.execute(sa.insert(KEY), sorted(keys, key=lambda k: k["key"]))
        last = rows[-1][0]


def downgrade() -> None:
    # The keys are written by today's ``name_keys``; the archaic readings are not written back.
    op.drop_table("resident_key")
    create_table(foreign_keys=True)
    rebuild_keys()
