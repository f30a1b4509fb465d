"""member_active_months: the JST months each member did something in (kept as actions are recorded).

The upgrade fills it from member_actions: each action's JST month, withdrawn ones included (a month stays
counted once the member did something in it). An action withdrawn and recorded again before this revision
was re-dated, so only its latest month is known.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 21:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0027'
down_revision: str | None = '0026'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The JST month ("2026-12") of a stored UTC timestamp: PostgreSQL keeps timestamptz, SQLite a naive UTC text.
MONTH_OF = {
    "postgresql": "to_char(occurred_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM')",
    "sqlite": "strftime('%Y-%m', occurred_at, '+9 hours')",
}


def upgrade() -> None:
    op.create_table('member_active_months',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_active_months_member_id_members'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'month', name=op.f('pk_member_active_months'))
    )
    month = MONTH_OF[op.get_bind().dialect.name]
    op.execute(f"INSERT INTO member_active_months (member_id, month) "
               f"SELECT DISTINCT member_id, {month} FROM member_actions")


def downgrade() -> None:
    op.drop_table('member_active_months')
