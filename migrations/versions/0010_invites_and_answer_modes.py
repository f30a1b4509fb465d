"""Invite uses counted at completed joins, wrong-code throttling, theme posts' answer modes.

- A use of an invite code is now counted when the join completes, not when the code is typed: the uses
  held by joins that were cancelled, declined or are still under way are given back (their redemption
  rows go; a member finishing later takes a use then).
- `invite_code_attempts`: wrong codes typed, counted by the throttle.
- `theme_posts.answer_mode`: one answer per member or several; existing posts keep taking several.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 12:30:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import linecomm.db

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Redemptions that are not the code the member joined with: joins that never completed.
_UNFINISHED = (
    "SELECT r.id FROM invite_redemptions r JOIN members m ON m.id = r.member_id "
    "WHERE m.invite_code_id IS NULL OR m.invite_code_id <> r.invite_code_id"
)


def upgrade() -> None:
    op.create_table('invite_code_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_invite_code_attempts_member_id_members'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invite_code_attempts'))
    )
    with op.batch_alter_table('invite_code_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_invite_code_attempts_member_id_at', ['member_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_invite_code_attempts_at'), ['at'], unique=False)

    with op.batch_alter_table('theme_posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_mode', sa.String(length=16), nullable=False,
                                      server_default='multiple'))

    op.execute(
        "UPDATE invite_codes SET used_count = used_count - (SELECT count(*) FROM invite_redemptions "
        f"WHERE invite_redemptions.invite_code_id = invite_codes.id AND invite_redemptions.id IN ({_UNFINISHED}))"
    )
    op.execute(f"DELETE FROM invite_redemptions WHERE id IN ({_UNFINISHED})")


def downgrade() -> None:
    # Use counts are left as they are (the uses given back by upgrade() are not taken again).
    with op.batch_alter_table('theme_posts', schema=None) as batch_op:
        batch_op.drop_column('answer_mode')
    with op.batch_alter_table('invite_code_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invite_code_attempts_at'))
        batch_op.drop_index('ix_invite_code_attempts_member_id_at')
    op.drop_table('invite_code_attempts')
