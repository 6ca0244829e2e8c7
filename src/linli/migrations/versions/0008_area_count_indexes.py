"""indexes that let an area's residents and households be counted from the index alone

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27

Counting the registered residents of a district (1,000,000 rows) through ``ix_resident_area_id``
looked every row up for its status; ``(area_id, status)`` answers from the index, and serves every
query the old one did. The same for households and ``dissolved_on``.
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_resident_area_status", "resident", ["area_id", "status"])
    op.drop_index("ix_resident_area_id", table_name="resident")
    op.create_index("ix_household_area_dissolved", "household", ["area_id", "dissolved_on"])
    op.drop_index("ix_household_area_id", table_name="household")


def downgrade() -> None:
    op.create_index("ix_household_area_id", "household", ["area_id"])
    op.drop_index("ix_household_area_dissolved", table_name="household")
    op.create_index("ix_resident_area_id", "resident", ["area_id"])
    op.drop_index("ix_resident_area_status", table_name="resident")
