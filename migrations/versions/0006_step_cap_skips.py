"""Step messages under the weekly cap: the members a step left out because they had reached the cap.

A step run skips members who already got the week's pushes, like a theme post does, and counts them.
Without a record the next day's catch-up would find them "not sent yet" and offer the step again (and
count them again); one row per step and member (UNIQUE) makes the skip final.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 12:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import linecomm.db

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('push_step_skips',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['step_id'], ['push_steps.id'], name=op.f('fk_push_step_skips_step_id_push_steps'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_push_step_skips_member_id_members'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['delivery_id'], ['push_deliveries.id'],
                            name=op.f('fk_push_step_skips_delivery_id_push_deliveries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_step_skips')),
    sa.UniqueConstraint('step_id', 'member_id', name=op.f('uq_push_step_skips_step_id_member_id'))
    )
    with op.batch_alter_table('push_step_skips', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_step_skips_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_push_step_skips_delivery_id'), ['delivery_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('push_step_skips', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_step_skips_delivery_id'))
        batch_op.drop_index(batch_op.f('ix_push_step_skips_member_id'))
    op.drop_table('push_step_skips')
