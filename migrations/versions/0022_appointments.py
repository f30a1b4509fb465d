"""appointments: the owner's candidate rules, ambassadors and member-moderators appointed, and the reported
items member-moderators hid pending review (one UNIQUE slot per member, JST day and hide).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 18:20:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import linecomm.db

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('appointment_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('min_lifetime_points', sa.Integer(), nullable=False),
    sa.Column('required_badges', sa.String(length=200), nullable=False),
    sa.Column('min_active_months', sa.Integer(), nullable=False),
    sa.Column('active_window_months', sa.Integer(), nullable=False),
    sa.Column('no_sanctions', sa.Boolean(), nullable=False),
    sa.Column('moderator_daily_limit', sa.Integer(), nullable=False),
    sa.Column('updated_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_by', sa.String(length=254), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment_rules'))
    )
    op.create_table('appointments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=24), nullable=False),
    sa.Column('appointed_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('appointed_by', sa.String(length=254), nullable=False),
    sa.Column('ended_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_by', sa.String(length=254), nullable=True),
    sa.Column('end_reason', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_appointments_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments'))
    )
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointments_member_id'), ['member_id'], unique=False)
        batch_op.create_index('uq_appointments_active_member_role', ['member_id', 'role'], unique=True,
                              postgresql_where=sa.text('ended_at IS NULL'), sqlite_where=sa.text('ended_at IS NULL'))

    op.create_table('moderator_hides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('content_id', sa.Integer(), nullable=False),
    sa.Column('jst_day', sa.String(length=10), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['content_id'], ['content_items.id'], name=op.f('fk_moderator_hides_content_id_content_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_moderator_hides_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderator_hides')),
    sa.UniqueConstraint('content_id', name=op.f('uq_moderator_hides_content_id')),
    sa.UniqueConstraint('member_id', 'jst_day', 'slot', name=op.f('uq_moderator_hides_member_id_jst_day_slot'))
    )


def downgrade() -> None:
    op.drop_table('moderator_hides')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index('uq_appointments_active_member_role', postgresql_where=sa.text('ended_at IS NULL'),
                            sqlite_where=sa.text('ended_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_appointments_member_id'))

    op.drop_table('appointments')
    op.drop_table('appointment_rules')
