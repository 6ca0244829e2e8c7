"""a work order's grid-log item is a foreign key

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27

The visits and needs migrations were written side by side, so the order's link to the grid-log item
it came from was a plain integer; now that the chain is one line, the database holds it to the item.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_work_order_grid_log_item_id_grid_log_item"), "grid_log_item", ["grid_log_item_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_work_order_grid_log_item_id_grid_log_item"), type_="foreignkey")
