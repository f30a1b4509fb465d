"""ideas: members' ideas, their supporters and comments, official answers and the threshold settings.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 15:30:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import linecomm.db

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('idea_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('window_days', sa.Integer(), nullable=False),
    sa.Column('momentum_day', sa.Date(), nullable=True),
    sa.Column('updated_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_by', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_settings'))
    )
    op.create_table('ideas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('content_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('photo_id', sa.String(length=32), nullable=True),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('support_count', sa.Integer(), nullable=False),
    sa.Column('comment_count', sa.Integer(), nullable=False),
    sa.Column('momentum', sa.Integer(), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('window_days', sa.Integer(), nullable=False),
    sa.Column('published_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('window_ends_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reached_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('author_told_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expired_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('stage_changed_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['content_id'], ['content_items.id'], name=op.f('fk_ideas_content_id_content_items')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_ideas_member_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['photo_id'], ['uploaded_photos.id'], name=op.f('fk_ideas_photo_id_uploaded_photos'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ideas')),
    sa.UniqueConstraint('content_id', name=op.f('uq_ideas_content_id'))
    )
    op.create_index('ix_ideas_member_id_id', 'ideas', ['member_id', 'id'], unique=False)
    op.create_index('ix_ideas_momentum_id', 'ideas', ['momentum', 'id'], unique=False)
    op.create_index('ix_ideas_stage_id', 'ideas', ['stage', 'id'], unique=False)
    op.create_index('ix_ideas_stage_support_count_id', 'ideas', ['stage', 'support_count', 'id'], unique=False)
    op.create_index('ix_ideas_stage_window_ends_at', 'ideas', ['stage', 'window_ends_at'], unique=False)
    op.create_index('ix_ideas_stage_momentum_id', 'ideas', ['stage', 'momentum', 'id'], unique=False)
    op.create_index('ix_ideas_category_id', 'ideas', ['category', 'id'], unique=False)
    op.create_index('ix_ideas_category_support_count_id', 'ideas', ['category', 'support_count', 'id'], unique=False)
    op.create_index('ix_ideas_category_momentum_id', 'ideas', ['category', 'momentum', 'id'], unique=False)
    op.create_index('ix_ideas_stage_category_id', 'ideas', ['stage', 'category', 'id'], unique=False)
    op.create_index('ix_ideas_stage_category_support_count_id', 'ideas', ['stage', 'category', 'support_count', 'id'],
                    unique=False)
    op.create_index('ix_ideas_stage_category_momentum_id', 'ideas', ['stage', 'category', 'momentum', 'id'],
                    unique=False)
    op.create_index('ix_ideas_support_count_id', 'ideas', ['support_count', 'id'], unique=False)
    op.create_table('idea_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('body', sa.String(length=1000), nullable=False),
    sa.Column('messages', sa.Text(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=True),
    sa.Column('scheduled_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=True),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['push_deliveries.id'], name=op.f('fk_idea_answers_delivery_id_push_deliveries')),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_answers_idea_id_ideas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_answers')),
    sa.UniqueConstraint('delivery_id', name=op.f('uq_idea_answers_delivery_id'))
    )
    op.create_index(op.f('ix_idea_answers_idea_id'), 'idea_answers', ['idea_id'], unique=False)
    op.create_table('idea_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('content_id', sa.Integer(), nullable=False),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['content_id'], ['content_items.id'], name=op.f('fk_idea_comments_content_id_content_items')),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_comments_idea_id_ideas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_idea_comments_member_id_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_comments')),
    sa.UniqueConstraint('content_id', name=op.f('uq_idea_comments_content_id'))
    )
    op.create_index('ix_idea_comments_idea_id_id', 'idea_comments', ['idea_id', 'id'], unique=False)
    op.create_index(op.f('ix_idea_comments_member_id'), 'idea_comments', ['member_id'], unique=False)
    op.create_table('idea_supports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_supports_idea_id_ideas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_idea_supports_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_supports')),
    sa.UniqueConstraint('idea_id', 'member_id', name=op.f('uq_idea_supports_idea_id_member_id'))
    )
    op.create_index('ix_idea_supports_created_at', 'idea_supports', ['created_at'], unique=False)
    op.create_index('ix_idea_supports_member_id', 'idea_supports', ['member_id'], unique=False)


def downgrade() -> None:
    op.drop_table('idea_supports')
    op.drop_table('idea_comments')
    op.drop_table('idea_answers')
    op.drop_table('ideas')
    op.drop_table('idea_settings')
