"""members inbox outbox

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 12:58:19.979804
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import linecomm.db

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('chat_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.String(length=64), nullable=False),
    sa.Column('chat_type', sa.String(length=8), nullable=False),
    sa.Column('joined_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('left_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('member_events', sa.Integer(), nullable=False),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_groups')),
    sa.UniqueConstraint('chat_id', name=op.f('uq_chat_groups_chat_id'))
    )
    op.create_table('invite_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('cohort', sa.String(length=100), nullable=False),
    sa.Column('max_uses', sa.Integer(), nullable=False),
    sa.Column('used_count', sa.Integer(), nullable=False),
    sa.Column('expires_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('disabled_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invite_codes')),
    sa.UniqueConstraint('code', name=op.f('uq_invite_codes_code'))
    )
    op.create_table('webhook_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('webhook_event_id', sa.String(length=64), nullable=False),
    sa.Column('event_type', sa.String(length=40), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=True),
    sa.Column('source_type', sa.String(length=16), nullable=True),
    sa.Column('source_id', sa.String(length=64), nullable=True),
    sa.Column('user_id', sa.String(length=64), nullable=True),
    sa.Column('occurred_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('is_redelivery', sa.Boolean(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('received_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('handled_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_events')),
    sa.UniqueConstraint('webhook_event_id', name=op.f('uq_webhook_events_webhook_event_id'))
    )
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_events_status_received', ['status', 'received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_events_user_id'), ['user_id'], unique=False)

    op.create_table('members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_user_id', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=True),
    sa.Column('picture_url', sa.String(length=2000), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('is_following', sa.Boolean(), nullable=False),
    sa.Column('join_step', sa.String(length=16), nullable=True),
    sa.Column('pending_invite_code_id', sa.Integer(), nullable=True),
    sa.Column('invite_code_id', sa.Integer(), nullable=True),
    sa.Column('cohort', sa.String(length=100), nullable=True),
    sa.Column('nickname', sa.String(length=40), nullable=True),
    sa.Column('nickname_key', sa.String(length=80), nullable=True),
    sa.Column('leave_requested_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('followed_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('unfollowed_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('joined_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('left_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_active_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('profile_fetched_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['invite_code_id'], ['invite_codes.id'], name=op.f('fk_members_invite_code_id_invite_codes')),
    sa.ForeignKeyConstraint(['pending_invite_code_id'], ['invite_codes.id'], name=op.f('fk_members_pending_invite_code_id_invite_codes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_members')),
    sa.UniqueConstraint('line_user_id', name=op.f('uq_members_line_user_id')),
    sa.UniqueConstraint('nickname_key', name=op.f('uq_members_nickname_key'))
    )
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_members_cohort'), ['cohort'], unique=False)
        batch_op.create_index(batch_op.f('ix_members_joined_at'), ['joined_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_members_last_active_at'), ['last_active_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_members_status'), ['status'], unique=False)
        batch_op.create_index('ix_members_status_joined', ['status', 'joined_at'], unique=False)

    op.create_table('consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('notice_version', sa.String(length=40), nullable=False),
    sa.Column('agreed_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_consents_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents')),
    sa.UniqueConstraint('member_id', 'notice_version', name=op.f('uq_consents_member_id_notice_version'))
    )
    op.create_table('invite_redemptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invite_code_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('redeemed_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invite_code_id'], ['invite_codes.id'], name=op.f('fk_invite_redemptions_invite_code_id_invite_codes')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_invite_redemptions_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invite_redemptions')),
    sa.UniqueConstraint('member_id', name=op.f('uq_invite_redemptions_member_id'))
    )
    with op.batch_alter_table('invite_redemptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invite_redemptions_invite_code_id'), ['invite_code_id'], unique=False)

    op.create_table('outbound_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=120), nullable=False),
    sa.Column('to', sa.String(length=64), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('messages', sa.Text(), nullable=False),
    sa.Column('reply_token', sa.String(length=255), nullable=True),
    sa.Column('reply_deadline', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('retry_key', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('sent_via', sa.String(length=8), nullable=True),
    sa.Column('reply_attempted', sa.Boolean(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('line_request_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_outbound_messages_member_id_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_messages')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_outbound_messages_idempotency_key')),
    sa.UniqueConstraint('retry_key', name=op.f('uq_outbound_messages_retry_key'))
    )
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbound_messages_member_id'), ['member_id'], unique=False)
        batch_op.create_index('ix_outbound_messages_status_created', ['status', 'created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbound_messages_status_created')
        batch_op.drop_index(batch_op.f('ix_outbound_messages_member_id'))

    op.drop_table('outbound_messages')
    with op.batch_alter_table('invite_redemptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invite_redemptions_invite_code_id'))

    op.drop_table('invite_redemptions')
    op.drop_table('consents')
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_index('ix_members_status_joined')
        batch_op.drop_index(batch_op.f('ix_members_status'))
        batch_op.drop_index(batch_op.f('ix_members_last_active_at'))
        batch_op.drop_index(batch_op.f('ix_members_joined_at'))
        batch_op.drop_index(batch_op.f('ix_members_cohort'))

    op.drop_table('members')
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_events_user_id'))
        batch_op.drop_index('ix_webhook_events_status_received')

    op.drop_table('webhook_events')
    op.drop_table('invite_codes')
    op.drop_table('chat_groups')
