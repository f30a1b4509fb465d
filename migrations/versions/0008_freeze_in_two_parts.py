"""A large delivery's recipient list is frozen in two parts, so sending starts while the rest is frozen.

`freeze_after_id` is set while members with a greater id are still to be frozen (NULL: the list is whole).
A delivery is never finished while it is set (linecomm.pushes.freeze, linecomm.pushes.engine).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 19:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('push_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('freeze_after_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('push_deliveries', schema=None) as batch_op:
        batch_op.drop_column('freeze_after_id')
