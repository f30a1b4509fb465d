"""referrals: members' referral codes, newcomers arriving through invite links, attributed joins, shares.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 16:15:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import linecomm.db

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('referral_arrivals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_user_id', sa.String(length=64), nullable=False),
    sa.Column('referrer_member_id', sa.Integer(), nullable=False),
    sa.Column('arrived_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('settled_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['referrer_member_id'], ['members.id'], name=op.f('fk_referral_arrivals_referrer_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_arrivals')),
    sa.UniqueConstraint('line_user_id', name=op.f('uq_referral_arrivals_line_user_id'))
    )
    with op.batch_alter_table('referral_arrivals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_arrivals_referrer_member_id'), ['referrer_member_id'], unique=False)

    op.create_table('referral_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_referral_codes_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_codes')),
    sa.UniqueConstraint('code', name=op.f('uq_referral_codes_code')),
    sa.UniqueConstraint('member_id', name=op.f('uq_referral_codes_member_id'))
    )
    op.create_table('referral_shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('shared_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_referral_shares_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_shares'))
    )
    with op.batch_alter_table('referral_shares', schema=None) as batch_op:
        batch_op.create_index('ix_referral_shares_member_id_at', ['member_id', 'shared_at'], unique=False)

    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referrer_member_id', sa.Integer(), nullable=False),
    sa.Column('referred_member_id', sa.Integer(), nullable=False),
    sa.Column('attributed_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['referred_member_id'], ['members.id'], name=op.f('fk_referrals_referred_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referrer_member_id'], ['members.id'], name=op.f('fk_referrals_referrer_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals')),
    sa.UniqueConstraint('referred_member_id', name=op.f('uq_referrals_referred_member_id'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_attributed_at'), ['attributed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_referrer_member_id'), ['referrer_member_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referrals_referrer_member_id'))
        batch_op.drop_index(batch_op.f('ix_referrals_attributed_at'))

    op.drop_table('referrals')
    with op.batch_alter_table('referral_shares', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_shares_member_id_at')

    op.drop_table('referral_shares')
    op.drop_table('referral_codes')
    with op.batch_alter_table('referral_arrivals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_arrivals_referrer_member_id'))

    op.drop_table('referral_arrivals')
