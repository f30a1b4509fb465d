"""kpi_cost_and_weekly_summary: staff members' linked LINE accounts and link codes, weekly summaries sent.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 18:20:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import linecomm.db

revision: str = '0026'
down_revision: str | None = '0025'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('staff_line_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('line_user_id', sa.String(length=64), nullable=False),
    sa.Column('weekly_summary', sa.Boolean(), nullable=False),
    sa.Column('linked_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('weekly_changed_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_staff_line_links_staff_id_staff_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_line_links')),
    sa.UniqueConstraint('line_user_id', name=op.f('uq_staff_line_links_line_user_id')),
    sa.UniqueConstraint('staff_id', name=op.f('uq_staff_line_links_staff_id'))
    )
    op.create_table('staff_link_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_staff_link_codes_staff_id_staff_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_link_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_staff_link_codes_code_hash'))
    )
    with op.batch_alter_table('staff_link_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_link_codes_staff_id'), ['staff_id'], unique=False)

    op.create_table('staff_weekly_summaries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_staff_weekly_summaries_staff_id_staff_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_weekly_summaries')),
    sa.UniqueConstraint('staff_id', 'week_start', name=op.f('uq_staff_weekly_summaries_staff_id_week_start'))
    )


def downgrade() -> None:
    op.drop_table('staff_weekly_summaries')
    with op.batch_alter_table('staff_link_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_link_codes_staff_id'))

    op.drop_table('staff_link_codes')
    op.drop_table('staff_line_links')
