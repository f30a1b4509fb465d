"""NG words carry their readings; a switchable rule holds personal data for review.

`ng_words.readings`: other spellings of an entry (しね for 死ね), matched like the term.
`moderation_policy.hold_personal_data`: the built-in rule holding phone numbers, e-mail addresses, LINE IDs
and addresses for review; existing communities get it switched on, the safe default.
`content_items.personal_data`: the kinds of personal data the rule found in an item (shown in the queue).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 12:30:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('ng_words', schema=None) as batch_op:
        batch_op.add_column(sa.Column('readings', sa.String(length=500), nullable=True))
    with op.batch_alter_table('moderation_policy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hold_personal_data', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    with op.batch_alter_table('content_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('personal_data', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('content_items', schema=None) as batch_op:
        batch_op.drop_column('personal_data')
    with op.batch_alter_table('moderation_policy', schema=None) as batch_op:
        batch_op.drop_column('hold_personal_data')
    with op.batch_alter_table('ng_words', schema=None) as batch_op:
        batch_op.drop_column('readings')
