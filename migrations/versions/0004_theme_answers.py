"""Theme answers: members' answers to theme posts (tied to their moderation content items), images they
sent as answers, poll votes (one per member and post) and reactions (one per member, post and reaction).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 18:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import linecomm.db

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('theme_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('content_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('line_message_id', sa.String(length=32), nullable=False),
    sa.Column('image_status', sa.String(length=8), nullable=True),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('featured_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('featured_by', sa.Integer(), nullable=True),
    sa.Column('quoted_in_post_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['post_id'], ['theme_posts.id'], name=op.f('fk_theme_answers_post_id_theme_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_theme_answers_member_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['content_id'], ['content_items.id'], name=op.f('fk_theme_answers_content_id_content_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['featured_by'], ['staff_users.id'], name=op.f('fk_theme_answers_featured_by_staff_users')),
    sa.ForeignKeyConstraint(['quoted_in_post_id'], ['theme_posts.id'], name=op.f('fk_theme_answers_quoted_in_post_id_theme_posts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_answers')),
    sa.UniqueConstraint('content_id', name=op.f('uq_theme_answers_content_id')),
    sa.UniqueConstraint('line_message_id', name=op.f('uq_theme_answers_line_message_id'))
    )
    with op.batch_alter_table('theme_answers', schema=None) as batch_op:
        batch_op.create_index('ix_theme_answers_post_id_id', ['post_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_theme_answers_member_id'), ['member_id'], unique=False)

    op.create_table('theme_answer_images',
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('fetched_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['theme_answers.id'], name=op.f('fk_theme_answer_images_answer_id_theme_answers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('answer_id', name=op.f('pk_theme_answer_images'))
    )
    op.create_table('theme_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('option_key', sa.String(length=20), nullable=False),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['theme_posts.id'], name=op.f('fk_theme_votes_post_id_theme_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_theme_votes_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_votes')),
    sa.UniqueConstraint('post_id', 'member_id', name=op.f('uq_theme_votes_post_id_member_id'))
    )
    with op.batch_alter_table('theme_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_votes_member_id'), ['member_id'], unique=False)

    op.create_table('theme_reactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('reaction', sa.String(length=20), nullable=False),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['theme_posts.id'], name=op.f('fk_theme_reactions_post_id_theme_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_theme_reactions_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_reactions')),
    sa.UniqueConstraint('post_id', 'member_id', 'reaction', name=op.f('uq_theme_reactions_post_id_member_id_reaction'))
    )
    with op.batch_alter_table('theme_reactions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_reactions_member_id'), ['member_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('theme_reactions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_reactions_member_id'))
    op.drop_table('theme_reactions')
    with op.batch_alter_table('theme_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_votes_member_id'))
    op.drop_table('theme_votes')
    op.drop_table('theme_answer_images')
    with op.batch_alter_table('theme_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_answers_member_id'))
        batch_op.drop_index('ix_theme_answers_post_id_id')
    op.drop_table('theme_answers')
