"""ranks: the rank ladder marketers set (versioned), and each member's rank and highest rank announced.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 18:20:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import linecomm.db

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('point_ranks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=True),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_point_ranks')),
    sa.UniqueConstraint('version', 'level', name=op.f('uq_point_ranks_version_level'))
    )
    op.create_table('rank_menu_setting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('from_level', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.String(length=200), nullable=True),
    sa.Column('updated_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rank_menu_setting'))
    )
    with op.batch_alter_table('member_points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rank_level', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('rank_announced', sa.Integer(), server_default=sa.text('0'), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('member_points', schema=None) as batch_op:
        batch_op.drop_column('rank_announced')
        batch_op.drop_column('rank_level')

    op.drop_table('rank_menu_setting')
    op.drop_table('point_ranks')
