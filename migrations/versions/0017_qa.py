"""qa: member questions and answers (one best answer per question), FAQ entries; outbound_messages.not_before
(a notice pushed outside a delivery waits for quiet hours to end).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 15:30:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import linecomm.db

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'qa_questions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=True),
        sa.Column('content_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('category', sa.String(length=32), nullable=False),
        sa.Column('search_key', sa.Text(), nullable=False),
        sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('notified_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['content_id'], ['content_items.id'],
                                name=op.f('fk_qa_questions_content_id_content_items')),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_qa_questions_member_id_members'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_questions')),
        sa.UniqueConstraint('content_id', name=op.f('uq_qa_questions_content_id')),
    )
    with op.batch_alter_table('qa_questions', schema=None) as batch_op:
        batch_op.create_index('ix_qa_questions_category_id', ['category', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_questions_member_id'), ['member_id'], unique=False)

    op.create_table(
        'qa_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=True),
        sa.Column('staff_id', sa.Integer(), nullable=True),
        sa.Column('content_id', sa.Integer(), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('is_official', sa.Boolean(), nullable=False),
        sa.Column('is_best', sa.Boolean(), nullable=False),
        sa.Column('best_chosen_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('best_chosen_by', sa.String(length=16), nullable=True),
        sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['content_id'], ['content_items.id'],
                                name=op.f('fk_qa_answers_content_id_content_items')),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_qa_answers_member_id_members'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['question_id'], ['qa_questions.id'],
                                name=op.f('fk_qa_answers_question_id_qa_questions'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_qa_answers_staff_id_staff_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_answers')),
        sa.UniqueConstraint('content_id', name=op.f('uq_qa_answers_content_id')),
    )
    with op.batch_alter_table('qa_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_answers_member_id'), ['member_id'], unique=False)
        batch_op.create_index('ix_qa_answers_question_id_id', ['question_id', 'id'], unique=False)
        # One best answer per question.
        batch_op.create_index('uq_qa_answers_one_best', ['question_id'], unique=True,
                              sqlite_where=sa.text('is_best'), postgresql_where=sa.text('is_best'))

    op.create_table(
        'qa_faqs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('category', sa.String(length=32), nullable=False),
        sa.Column('search_key', sa.Text(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['created_by'], ['staff_users.id'], name=op.f('fk_qa_faqs_created_by_staff_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['question_id'], ['qa_questions.id'],
                                name=op.f('fk_qa_faqs_question_id_qa_questions'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_faqs')),
        sa.UniqueConstraint('question_id', name=op.f('uq_qa_faqs_question_id')),
    )
    with op.batch_alter_table('qa_faqs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_faqs_category'), ['category'], unique=False)

    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('not_before', linecomm.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.drop_column('not_before')
    with op.batch_alter_table('qa_faqs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_faqs_category'))
    op.drop_table('qa_faqs')
    with op.batch_alter_table('qa_answers', schema=None) as batch_op:
        batch_op.drop_index('uq_qa_answers_one_best', sqlite_where=sa.text('is_best'), postgresql_where=sa.text('is_best'))
        batch_op.drop_index('ix_qa_answers_question_id_id')
        batch_op.drop_index(batch_op.f('ix_qa_answers_member_id'))
    op.drop_table('qa_answers')
    with op.batch_alter_table('qa_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_questions_member_id'))
        batch_op.drop_index('ix_qa_questions_category_id')
    op.drop_table('qa_questions')
