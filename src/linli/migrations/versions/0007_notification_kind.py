"""notifications say what happened as a kind and a subject, shown in the reader's language

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27

Until now a notification's text was written in Chinese when it was sent. It now keeps a kind
(``assigned``, ``overdue`` …) and the order's title, and each reader sees it in their language;
``text`` still holds the Chinese line (older rows have only that, and are shown as they are).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=24), server_default="", nullable=False))
        batch_op.add_column(sa.Column("subject", sa.String(length=200), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_column("subject")
        batch_op.drop_column("kind")
