"""search keys from the readings names really have; no index on resident_key.resident_id

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27

``name_keys`` now reads each character its common way, and the characters names read more than one
way in each of those ways (``linli.lib.pinyin.NAME_READINGS``), instead of every reading pypinyin
knows (archaic ones too: 王 yu, 许 hu): every resident's keys are written anew. A resident's keys are
now replaced by primary key (the old name's keys), so the index on ``resident_id`` goes: it was a
third of the cost of writing keys.
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
    with op.batch_alter_table("resident_key", schema=None) as batch_op:
        batch_op.drop_index("ix_resident_key_resident_id")
    rebuild_keys()


def rebuild_keys() -> None:
    """Write every resident's search keys anew, a chunk of residents at a time."""
    bind = op.get_bind()
    bind.execute(sa.delete(KEY))
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
    # The keys written above find every name the old ones found by its common readings; the archaic
    # readings are not written back.
    with op.batch_alter_table("resident_key", schema=None) as batch_op:
        batch_op.create_index("ix_resident_key_resident_id", ["resident_id"], unique=False)
