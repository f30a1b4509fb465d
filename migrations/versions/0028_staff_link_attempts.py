"""staff_link_attempts: wrong staff-link codes sent in chat, counted by the throttle.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 21:10:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import linecomm.db

revision: str = '0028'
down_revision: str | None = '0027'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('staff_link_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('webhook_event_id', sa.String(length=64), nullable=False),
    sa.Column('at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_staff_link_attempts_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_link_attempts')),
    sa.UniqueConstraint('webhook_event_id', name=op.f('uq_staff_link_attempts_webhook_event_id'))
    )
    with op.batch_alter_table('staff_link_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_link_attempts_at'), ['at'], unique=False)
        batch_op.create_index('ix_staff_link_attempts_member_id_at', ['member_id', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('staff_link_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_link_attempts_member_id_at')
        batch_op.drop_index(batch_op.f('ix_staff_link_attempts_at'))

    op.drop_table('staff_link_attempts')
