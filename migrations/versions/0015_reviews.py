"""Reviews and uploaded photos: members' re-encoded photos (uploaded_photos), the product catalogue with its
review counters (review_products), one review per member and product (reviews) and "helpful" marks, once per
member and review (review_helpful_marks).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 15:30:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import linecomm.db

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('uploaded_photos',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('owner_member_id', sa.Integer(), nullable=True),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_member_id'], ['members.id'], name=op.f('fk_uploaded_photos_owner_member_id_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_uploaded_photos'))
    )
    op.create_index(op.f('ix_uploaded_photos_owner_member_id'), 'uploaded_photos', ['owner_member_id'], unique=False)
    op.create_table('review_products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.Column('photo_id', sa.String(length=32), nullable=True),
    sa.Column('archived_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('review_count', sa.Integer(), nullable=False),
    sa.Column('star_sum', sa.Integer(), nullable=False),
    sa.Column('stars_1', sa.Integer(), nullable=False),
    sa.Column('stars_2', sa.Integer(), nullable=False),
    sa.Column('stars_3', sa.Integer(), nullable=False),
    sa.Column('stars_4', sa.Integer(), nullable=False),
    sa.Column('stars_5', sa.Integer(), nullable=False),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['photo_id'], ['uploaded_photos.id'], name=op.f('fk_review_products_photo_id_uploaded_photos'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_products'))
    )
    op.create_index('ix_review_products_archived_at_id', 'review_products', ['archived_at', 'id'], unique=False)
    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('stars', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('photo_id', sa.String(length=32), nullable=True),
    sa.Column('content_id', sa.Integer(), nullable=True),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('counted_stars', sa.Integer(), nullable=True),
    sa.Column('helpful_count', sa.Integer(), nullable=False),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('first_published_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('stars BETWEEN 1 AND 5', name=op.f('ck_reviews_stars_range')),
    sa.ForeignKeyConstraint(['content_id'], ['content_items.id'], name=op.f('fk_reviews_content_id_content_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_reviews_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['photo_id'], ['uploaded_photos.id'], name=op.f('fk_reviews_photo_id_uploaded_photos'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['product_id'], ['review_products.id'], name=op.f('fk_reviews_product_id_review_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('product_id', 'member_id', name=op.f('uq_reviews_product_id_member_id'))
    )
    op.create_index(op.f('ix_reviews_content_id'), 'reviews', ['content_id'], unique=False)
    op.create_index('ix_reviews_helpful', 'reviews', ['product_id', 'published', 'helpful_count', 'id'], unique=False)
    op.create_index('ix_reviews_member_id_id', 'reviews', ['member_id', 'id'], unique=False)
    op.create_index('ix_reviews_newest', 'reviews', ['product_id', 'published', 'id'], unique=False)
    op.create_table('review_helpful_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_review_helpful_marks_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_helpful_marks_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_helpful_marks')),
    sa.UniqueConstraint('review_id', 'member_id', name=op.f('uq_review_helpful_marks_review_id_member_id'))
    )
    op.create_index(op.f('ix_review_helpful_marks_member_id'), 'review_helpful_marks', ['member_id'], unique=False)


def downgrade() -> None:
    op.drop_table('review_helpful_marks')
    op.drop_table('reviews')
    op.drop_table('review_products')
    op.drop_table('uploaded_photos')
