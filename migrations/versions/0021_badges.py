"""badges: the badge catalogue (built-in declarative and title badges, manual ones), the badges members
hold (each once), and the periodic pass's state.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 18:20:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import linecomm.db

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('badges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('emoji', sa.String(length=16), nullable=True),
    sa.Column('colour', sa.String(length=7), nullable=True),
    sa.Column('action_kind', sa.String(length=32), nullable=True),
    sa.Column('threshold', sa.Integer(), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=True),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_badges')),
    sa.UniqueConstraint('code', name=op.f('uq_badges_code'))
    )
    op.create_table('badge_job_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ran_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_granted', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_badge_job_state'))
    )
    op.create_table('member_badges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('badge_id', sa.Integer(), nullable=False),
    sa.Column('granted_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('granted_by', sa.String(length=200), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('revoked_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.String(length=200), nullable=True),
    sa.Column('revoke_reason', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['badge_id'], ['badges.id'], name=op.f('fk_member_badges_badge_id_badges'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_badges_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_badges')),
    sa.UniqueConstraint('member_id', 'badge_id', name=op.f('uq_member_badges_member_id_badge_id'))
    )
    with op.batch_alter_table('member_badges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_badges_badge_id'), ['badge_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('member_badges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_badges_badge_id'))

    op.drop_table('member_badges')
    op.drop_table('badge_job_state')
    op.drop_table('badges')
