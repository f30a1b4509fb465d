"""kpi_snapshots: the KPI dashboard's daily figures, one row per (Japan-time day, metric, cohort).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 18:20:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import linecomm.db

revision: str = '0025'
down_revision: str | None = '0024'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('kpi_daily',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('metric', sa.String(length=40), nullable=False),
    sa.Column('cohort', sa.String(length=100), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.Column('computed_at', linecomm.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_daily')),
    sa.UniqueConstraint('day', 'metric', 'cohort', name=op.f('uq_kpi_daily_day_metric_cohort'))
    )


def downgrade() -> None:
    op.drop_table('kpi_daily')
