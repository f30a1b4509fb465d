"""points: rules, the ledger, balances and the job state.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 16:15:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import linecomm.db

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'point_rules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('action_kind', sa.String(length=32), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.Column('daily_cap', sa.Integer(), nullable=True),
        sa.Column('expiry_months', sa.Integer(), nullable=True),
        sa.Column('created_by', sa.String(length=200), nullable=True),
        sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_point_rules')),
        sa.UniqueConstraint('action_kind', 'version', name=op.f('uq_point_rules_action_kind_version')),
    )
    op.create_table(
        'points_job_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recomputed_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('expired_on', sa.String(length=10), nullable=True),
        sa.Column('last_drift', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_points_job_state')),
    )
    op.create_table(
        'member_points',
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('balance', sa.Integer(), nullable=False),
        sa.Column('lifetime', sa.Integer(), nullable=False),
        sa.Column('updated_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_points_member_id_members'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('member_id', name=op.f('pk_member_points')),
    )
    op.create_table(
        'point_entries',
        sa.Column('id', BIG_ID, nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=120), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=True),
        sa.Column('action_kind', sa.String(length=32), nullable=True),
        sa.Column('rule_version', sa.Integer(), nullable=True),
        sa.Column('source_entry_id', BIG_ID, nullable=True),
        sa.Column('expires_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('reason', sa.String(length=200), nullable=True),
        sa.Column('created_by', sa.String(length=200), nullable=True),
        sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['action_id'], ['member_actions.id'],
                                name=op.f('fk_point_entries_action_id_member_actions'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_point_entries_member_id_members'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['source_entry_id'], ['point_entries.id'],
                                name=op.f('fk_point_entries_source_entry_id_point_entries'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_point_entries')),
        sa.UniqueConstraint('key', name=op.f('uq_point_entries_key')),
    )
    with op.batch_alter_table('point_entries', schema=None) as batch_op:
        batch_op.create_index('ix_point_entries_member_created', ['member_id', 'created_at'], unique=False)
        for column in ('expires_at', 'action_id', 'source_entry_id'):  # partial: most rows have none
            where = sa.text(f'{column} IS NOT NULL')
            batch_op.create_index(f'ix_point_entries_{column}', [column], unique=False, postgresql_where=where,
                                  sqlite_where=where)


def downgrade() -> None:
    with op.batch_alter_table('point_entries', schema=None) as batch_op:
        for column in ('source_entry_id', 'action_id', 'expires_at'):
            batch_op.drop_index(f'ix_point_entries_{column}')
        batch_op.drop_index('ix_point_entries_member_created')
    op.drop_table('point_entries')
    op.drop_table('member_points')
    op.drop_table('points_job_state')
    op.drop_table('point_rules')
