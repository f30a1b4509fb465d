"""Pushes: theme posts, step messages, deliveries with their multicast batches (frozen recipient ids and
the X-Line-Retry-Key stored before the first attempt), the courtesy policy and staff test recipients.

A batch's recipients are an integer array on PostgreSQL (a JSON array on SQLite): a million recipients
are 2,000 rows written by one INSERT ... SELECT, not a million.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 14:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import linecomm.db
from linecomm.pushes.models import MemberIdList

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('theme_posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('image_url', sa.String(length=2000), nullable=True),
    sa.Column('choice_kind', sa.String(length=16), nullable=True),
    sa.Column('choices', sa.Text(), nullable=False),
    sa.Column('answers_open_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answers_close_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('segment', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('schedule_kind', sa.String(length=16), nullable=True),
    sa.Column('send_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('weekday', sa.Integer(), nullable=True),
    sa.Column('day_of_month', sa.Integer(), nullable=True),
    sa.Column('time_of_day', sa.String(length=5), nullable=True),
    sa.Column('next_occurrence_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_send_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('quota_policy', sa.String(length=16), nullable=False),
    sa.Column('batch_size', sa.Integer(), nullable=True),
    sa.Column('tested_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=True),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_posts'))
    )
    with op.batch_alter_table('theme_posts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_posts_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_theme_posts_next_send_at'), ['next_send_at'], unique=False)

    op.create_table('push_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('days_after_join', sa.Integer(), nullable=False),
    sa.Column('time_of_day', sa.String(length=5), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('image_url', sa.String(length=2000), nullable=True),
    sa.Column('quota_policy', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('activated_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_steps'))
    )
    op.create_table('push_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('step_id', sa.Integer(), nullable=True),
    sa.Column('occurrence_key', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('messages', sa.Text(), nullable=False),
    sa.Column('segment', sa.Text(), nullable=False),
    sa.Column('quota_policy', sa.String(length=16), nullable=False),
    sa.Column('weekly_cap', sa.Integer(), nullable=True),
    sa.Column('batch_size', sa.Integer(), nullable=False),
    sa.Column('scheduled_for', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('not_before', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('segment_count', sa.Integer(), nullable=True),
    sa.Column('over_cap_count', sa.Integer(), nullable=False),
    sa.Column('over_quota_count', sa.Integer(), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('batch_count', sa.Integer(), nullable=False),
    sa.Column('quota_limit', sa.Integer(), nullable=True),
    sa.Column('quota_used', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('requested_by', sa.String(length=200), nullable=True),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['post_id'], ['theme_posts.id'], name=op.f('fk_push_deliveries_post_id_theme_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['step_id'], ['push_steps.id'], name=op.f('fk_push_deliveries_step_id_push_steps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_deliveries')),
    sa.UniqueConstraint('occurrence_key', name=op.f('uq_push_deliveries_occurrence_key'))
    )
    with op.batch_alter_table('push_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_deliveries_post_id'), ['post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_push_deliveries_step_id'), ['step_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_push_deliveries_status'), ['status'], unique=False)

    op.create_table('push_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('batch_no', sa.Integer(), nullable=False),
    sa.Column('retry_key', sa.String(length=36), nullable=False),
    sa.Column('member_ids', MemberIdList(), nullable=True),
    sa.Column('fixed_to', sa.Text(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_by', sa.String(length=120), nullable=True),
    sa.Column('lease_expires_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_attempt_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_attempt_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_count', sa.Integer(), nullable=False),
    sa.Column('skipped_count', sa.Integer(), nullable=False),
    sa.Column('accepted_before', sa.Boolean(), nullable=False),
    sa.Column('line_request_id', sa.String(length=64), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['delivery_id'], ['push_deliveries.id'], name=op.f('fk_push_batches_delivery_id_push_deliveries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_batches')),
    sa.UniqueConstraint('delivery_id', 'batch_no', name=op.f('uq_push_batches_delivery_id_batch_no')),
    sa.UniqueConstraint('retry_key', name=op.f('uq_push_batches_retry_key'))
    )
    with op.batch_alter_table('push_batches', schema=None) as batch_op:
        batch_op.create_index('ix_push_batches_status_finished', ['status', 'finished_at'], unique=False)
        batch_op.create_index('ix_push_batches_pending', ['delivery_id', 'batch_no'], unique=False,
                              postgresql_where=sa.text("status = 'pending'"),
                              sqlite_where=sa.text("status = 'pending'"))

    op.create_table('push_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quiet_start', sa.String(length=5), nullable=False),
    sa.Column('quiet_end', sa.String(length=5), nullable=False),
    sa.Column('weekly_cap', sa.Integer(), nullable=False),
    sa.Column('updated_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_policy'))
    )
    op.create_table('push_test_recipients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_user_id', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_test_recipients')),
    sa.UniqueConstraint('line_user_id', name=op.f('uq_push_test_recipients_line_user_id'))
    )


def downgrade() -> None:
    op.drop_table('push_test_recipients')
    op.drop_table('push_policy')
    with op.batch_alter_table('push_batches', schema=None) as batch_op:
        batch_op.drop_index('ix_push_batches_pending')
        batch_op.drop_index('ix_push_batches_status_finished')
    op.drop_table('push_batches')
    with op.batch_alter_table('push_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_deliveries_status'))
        batch_op.drop_index(batch_op.f('ix_push_deliveries_step_id'))
        batch_op.drop_index(batch_op.f('ix_push_deliveries_post_id'))
    op.drop_table('push_deliveries')
    op.drop_table('push_steps')
    with op.batch_alter_table('theme_posts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_posts_next_send_at'))
        batch_op.drop_index(batch_op.f('ix_theme_posts_status'))
    op.drop_table('theme_posts')
