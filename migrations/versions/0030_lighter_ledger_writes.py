"""lighter_ledger_writes: point_entries declares no foreign keys (an append-only ledger whose rows, members,
actions and sources are never deleted; each check locked the named row per entry written), and its member
index becomes member_id alone (deduplicated) plus (member_id, created_at) for actions' entries;
member_points loses its lifetime index and keeps 30 % of each page free on PostgreSQL, so a tallies write
is a HOT update that touches no index.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05 21:40:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0030'
down_revision: str | None = '0029'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('point_entries', schema=None) as batch_op:
        batch_op.drop_constraint('fk_point_entries_member_id_members', type_='foreignkey')
        batch_op.drop_constraint('fk_point_entries_action_id_member_actions', type_='foreignkey')
        batch_op.drop_constraint('fk_point_entries_source_entry_id_point_entries', type_='foreignkey')
        batch_op.drop_index('ix_point_entries_member_created')
        batch_op.create_index('ix_point_entries_member_id', ['member_id'], unique=False)
        batch_op.create_index('ix_point_entries_member_action_created', ['member_id', 'created_at'], unique=False,
                              postgresql_where=sa.text('action_kind IS NOT NULL'),
                              sqlite_where=sa.text('action_kind IS NOT NULL'))
    with op.batch_alter_table('member_points', schema=None) as batch_op:
        batch_op.drop_index('ix_member_points_lifetime')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE member_points SET (fillfactor = 70)')  # applies to pages written from now on


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE member_points RESET (fillfactor)')
    with op.batch_alter_table('member_points', schema=None) as batch_op:
        batch_op.create_index('ix_member_points_lifetime', ['lifetime'], unique=False)
    with op.batch_alter_table('point_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_point_entries_member_action_created',
                            postgresql_where=sa.text('action_kind IS NOT NULL'),
                            sqlite_where=sa.text('action_kind IS NOT NULL'))
        batch_op.drop_index('ix_point_entries_member_id')
        batch_op.create_index('ix_point_entries_member_created', ['member_id', 'created_at'], unique=False)
        batch_op.create_foreign_key('fk_point_entries_source_entry_id_point_entries', 'point_entries',
                                    ['source_entry_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key('fk_point_entries_action_id_member_actions', 'member_actions',
                                    ['action_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key('fk_point_entries_member_id_members', 'members',
                                    ['member_id'], ['id'], ondelete='CASCADE')
