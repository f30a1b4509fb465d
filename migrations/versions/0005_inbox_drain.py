"""Inbox draining and outbox claims.

The worker takes pending events in batches (`linecomm.webhooks.drain`); the partial index keeps that
query cheap however many handled rows the inbox holds, and `next_attempt_at` spaces out the retries of an
event that failed. An outgoing message being sent carries the sender's claim (`claim_token`, until
`lease_until`), so no second sender takes it meanwhile and a stale sender cannot overwrite its outcome.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 09:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import linecomm.db

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', linecomm.db.UTCDateTime(timezone=True), nullable=True))
    op.create_index('ix_webhook_events_pending', 'webhook_events', ['id'], unique=False,
                    postgresql_where=PENDING, sqlite_where=PENDING)
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_token', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('lease_until', linecomm.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.drop_column('lease_until')
        batch_op.drop_column('claim_token')
    op.drop_index('ix_webhook_events_pending', table_name='webhook_events')
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.drop_column('next_attempt_at')
