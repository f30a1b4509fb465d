"""The image policy of the moderation core.

Words cannot screen a picture, so content with an image (a photo sent as a theme answer) is held for a
moderator's approval unless the owner chooses to publish images at once (reports can still hide them).
Existing communities get the safe default, "hold".

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 13:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('moderation_policy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('image_posts', sa.String(length=16), nullable=False, server_default='hold'))


def downgrade() -> None:
    with op.batch_alter_table('moderation_policy', schema=None) as batch_op:
        batch_op.drop_column('image_posts')
