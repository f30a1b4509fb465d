"""Rich menus: the join and community menus linecomm created on LINE (the current one of each kind has no
retired_at).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 15:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import linecomm.db

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('rich_menus',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('line_rich_menu_id', sa.String(length=64), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('retired_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rich_menus')),
    sa.UniqueConstraint('line_rich_menu_id', name=op.f('uq_rich_menus_line_rich_menu_id'))
    )
    with op.batch_alter_table('rich_menus', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rich_menus_kind'), ['kind'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rich_menus', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rich_menus_kind'))
    op.drop_table('rich_menus')
