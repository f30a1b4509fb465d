"""tallies_in_one_write: the current JST month's points move onto member_points (month_key, month_points),
kept in the same write as the balance and rank; leaderboard_monthly_points goes (the ledger holds every
month's entries).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05 21:30:00
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import linecomm.db

revision: str = '0029'
down_revision: str | None = '0028'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _this_month() -> str:
    return datetime.now(timezone.utc).astimezone(ZoneInfo("Asia/Tokyo")).strftime("%Y-%m")


def upgrade() -> None:
    with op.batch_alter_table('member_points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('month_key', sa.String(length=7), server_default=sa.text("''"), nullable=False))
        batch_op.add_column(sa.Column('month_points', sa.Integer(), server_default=sa.text('0'), nullable=False))
    # The current month's totals come across; earlier months stay in the ledger.
    op.execute(sa.text(
        "UPDATE member_points SET month_key = :month, month_points = (SELECT l.points FROM "
        "leaderboard_monthly_points l WHERE l.member_id = member_points.member_id AND l.month = :month) "
        "WHERE member_id IN (SELECT member_id FROM leaderboard_monthly_points WHERE month = :month)"
    ).bindparams(month=_this_month()))
    with op.batch_alter_table('leaderboard_monthly_points', schema=None) as batch_op:
        batch_op.drop_index('ix_leaderboard_monthly_points_month_points')
    op.drop_table('leaderboard_monthly_points')


def downgrade() -> None:
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
    op.execute("INSERT INTO leaderboard_monthly_points (member_id, month, points, updated_at) "
               "SELECT member_id, month_key, month_points, updated_at FROM member_points WHERE month_key <> ''")
    with op.batch_alter_table('member_points', schema=None) as batch_op:
        batch_op.drop_column('month_points')
        batch_op.drop_column('month_key')
