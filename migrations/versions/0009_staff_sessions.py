"""Staff sign-in sessions kept server-side, so logout and suspension revoke them.

Each sign-in gets a `staff_sessions` row (the SHA-256 of the random token in the browser's cookie, when it
was issued and last used, when it was revoked, the browser and address). The per-account session epoch
they replace is dropped: sessions signed in before this revision end (their cookie names no row).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 12:30:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import linecomm.db

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('staff_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_agent', sa.String(length=255), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('issued_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_staff_sessions_staff_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_staff_sessions_token_hash'))
    )
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_staff_sessions_staff_id_revoked_at', ['staff_id', 'revoked_at'], unique=False)

    # In place (SQLite 3.35+ drops a plain column itself): copying staff_users, as batch mode would, means
    # dropping the table that audit_log and others reference, which SQLite's foreign keys refuse.
    with op.batch_alter_table('staff_users', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('session_epoch')


def downgrade() -> None:
    with op.batch_alter_table('staff_users', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_sessions_staff_id_revoked_at')

    op.drop_table('staff_sessions')
