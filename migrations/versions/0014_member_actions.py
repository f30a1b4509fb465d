"""Member actions: what a member did, recorded once per action (UNIQUE key), for points and badges.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 15:25:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import linecomm.db

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('member_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('ref', sa.String(length=120), nullable=True),
    sa.Column('content_id', sa.Integer(), nullable=True),
    sa.Column('occurred_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['content_id'], ['content_items.id'], name=op.f('fk_member_actions_content_id_content_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_actions_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_actions')),
    sa.UniqueConstraint('key', name=op.f('uq_member_actions_key'))
    )
    with op.batch_alter_table('member_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_actions_content_id'), ['content_id'], unique=False)
        batch_op.create_index('ix_member_actions_kind_occurred', ['kind', 'occurred_at'], unique=False)
        batch_op.create_index('ix_member_actions_member_occurred', ['member_id', 'occurred_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('member_actions', schema=None) as batch_op:
        batch_op.drop_index('ix_member_actions_member_occurred')
        batch_op.drop_index('ix_member_actions_kind_occurred')
        batch_op.drop_index(batch_op.f('ix_member_actions_content_id'))
    op.drop_table('member_actions')
