"""leaderboards: points per member and JST month, members' choice to stay off the boards, and an index on
member_points.lifetime for ranking without Redis.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 18:20:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import linecomm.db

revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('leaderboard_monthly_points',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('updated_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_leaderboard_monthly_points_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'month', name=op.f('pk_leaderboard_monthly_points'))
    )
    with op.batch_alter_table('leaderboard_monthly_points', schema=None) as batch_op:
        batch_op.create_index('ix_leaderboard_monthly_points_month_points', ['month', 'points'], unique=False)

    op.create_table('leaderboard_preferences',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('updated_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_leaderboard_preferences_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', name=op.f('pk_leaderboard_preferences'))
    )
    with op.batch_alter_table('member_points', schema=None) as batch_op:
        batch_op.create_index('ix_member_points_lifetime', ['lifetime'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('member_points', schema=None) as batch_op:
        batch_op.drop_index('ix_member_points_lifetime')
    op.drop_table('leaderboard_preferences')
    with op.batch_alter_table('leaderboard_monthly_points', schema=None) as batch_op:
        batch_op.drop_index('ix_leaderboard_monthly_points_month_points')
    op.drop_table('leaderboard_monthly_points')
