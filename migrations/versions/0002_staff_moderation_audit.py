"""Staff accounts and sign-in attempts, the append-only audit log, tags, and the moderation core
(content items, decisions, reports, sanctions, NG words, policy); indexes for searching a million members.

On PostgreSQL, nickname and display-name search get pg_trgm GIN indexes (substring search); SQLite falls
back to LIKE. The audit log refuses UPDATE and DELETE through triggers on both databases.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 13:15:38.232371
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import linecomm.db

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_address_at', ['address', 'at'], unique=False)
        batch_op.create_index('ix_login_attempts_email_at', ['email', 'at'], unique=False)

    op.create_table('moderation_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_hide_threshold', sa.Integer(), nullable=False),
    sa.Column('updated_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_policy'))
    )
    op.create_table('ng_words',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('term', sa.String(length=100), nullable=False),
    sa.Column('term_key', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=254), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ng_words')),
    sa.UniqueConstraint('term_key', name=op.f('uq_ng_words_term_key'))
    )
    op.create_table('staff_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('session_epoch', sa.Integer(), nullable=False),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('password_changed_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_users')),
    sa.UniqueConstraint('email', name=op.f('uq_staff_users_email'))
    )
    op.create_table('tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=254), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tags')),
    sa.UniqueConstraint('name', name=op.f('uq_tags_name'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('staff_email', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('target_type', sa.String(length=40), nullable=True),
    sa.Column('target_id', sa.String(length=64), nullable=True),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_audit_log_staff_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_action_id', ['action', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_log_staff_id_id', ['staff_id', 'id'], unique=False)
        batch_op.create_index('ix_audit_log_target', ['target_type', 'target_id'], unique=False)

    op.create_table('content_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('ref', sa.String(length=120), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('in_queue', sa.Boolean(), nullable=False),
    sa.Column('review_reason', sa.String(length=16), nullable=True),
    sa.Column('blocked_reason', sa.String(length=16), nullable=True),
    sa.Column('ng_action', sa.String(length=8), nullable=True),
    sa.Column('ng_terms', sa.Text(), nullable=True),
    sa.Column('report_count', sa.Integer(), nullable=False),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('redacted_at', linecomm.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['decided_by'], ['staff_users.id'], name=op.f('fk_content_items_decided_by_staff_users')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_content_items_member_id_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_items'))
    )
    with op.batch_alter_table('content_items', schema=None) as batch_op:
        batch_op.create_index('ix_content_items_in_queue_id', ['in_queue', 'id'], unique=False)
        batch_op.create_index('ix_content_items_kind_ref', ['kind', 'ref'], unique=False)
        batch_op.create_index('ix_content_items_member_id_id', ['member_id', 'id'], unique=False)

    op.create_table('member_tags',
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('tagged_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_tags_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_member_tags_tag_id_tags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tag_id', 'member_id', name=op.f('pk_member_tags'))
    )
    with op.batch_alter_table('member_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_tags_member_id'), ['member_id'], unique=False)

    op.create_table('content_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('content_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['content_id'], ['content_items.id'], name=op.f('fk_content_decisions_content_id_content_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_content_decisions_staff_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_decisions'))
    )
    with op.batch_alter_table('content_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_decisions_content_id'), ['content_id'], unique=False)

    op.create_table('content_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('content_id', sa.Integer(), nullable=False),
    sa.Column('reporter_member_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['content_id'], ['content_items.id'], name=op.f('fk_content_reports_content_id_content_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_member_id'], ['members.id'], name=op.f('fk_content_reports_reporter_member_id_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_reports')),
    sa.UniqueConstraint('content_id', 'reporter_member_id', name=op.f('uq_content_reports_content_id_reporter_member_id'))
    )
    with op.batch_alter_table('content_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_reports_reporter_member_id'), ['reporter_member_id'], unique=False)

    op.create_table('member_sanctions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('content_id', sa.Integer(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['content_id'], ['content_items.id'], name=op.f('fk_member_sanctions_content_id_content_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_sanctions_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_member_sanctions_staff_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_sanctions'))
    )
    with op.batch_alter_table('member_sanctions', schema=None) as batch_op:
        batch_op.create_index('ix_member_sanctions_member_id_id', ['member_id', 'id'], unique=False)

    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.create_index('ix_members_cohort_id', ['cohort', 'id'], unique=False)
        batch_op.create_index('ix_members_status_id', ['status', 'id'], unique=False)

    _create_search_indexes()
    _create_audit_guards()


def _create_search_indexes() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE INDEX ix_members_nickname_key_trgm ON members USING gin (nickname_key gin_trgm_ops)")
    op.execute("CREATE INDEX ix_members_display_name_trgm ON members USING gin (display_name gin_trgm_ops)")


def _create_audit_guards() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )


def _drop_audit_guards_and_search_indexes() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
        op.execute("DROP INDEX IF EXISTS ix_members_display_name_trgm")
        op.execute("DROP INDEX IF EXISTS ix_members_nickname_key_trgm")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")



def downgrade() -> None:
    _drop_audit_guards_and_search_indexes()
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_index('ix_members_status_id')
        batch_op.drop_index('ix_members_cohort_id')

    with op.batch_alter_table('member_sanctions', schema=None) as batch_op:
        batch_op.drop_index('ix_member_sanctions_member_id_id')

    op.drop_table('member_sanctions')
    with op.batch_alter_table('content_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_reports_reporter_member_id'))

    op.drop_table('content_reports')
    with op.batch_alter_table('content_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_decisions_content_id'))

    op.drop_table('content_decisions')
    with op.batch_alter_table('member_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_tags_member_id'))

    op.drop_table('member_tags')
    with op.batch_alter_table('content_items', schema=None) as batch_op:
        batch_op.drop_index('ix_content_items_member_id_id')
        batch_op.drop_index('ix_content_items_kind_ref')
        batch_op.drop_index('ix_content_items_in_queue_id')

    op.drop_table('content_items')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_target')
        batch_op.drop_index('ix_audit_log_staff_id_id')
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index('ix_audit_log_action_id')

    op.drop_table('audit_log')
    op.drop_table('tags')
    op.drop_table('staff_users')
    op.drop_table('ng_words')
    op.drop_table('moderation_policy')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_email_at')
        batch_op.drop_index('ix_login_attempts_address_at')

    op.drop_table('login_attempts')
