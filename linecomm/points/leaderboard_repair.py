"""The month's totals recomputed from the ledger (the truth they are kept from): one upsert from one GROUP BY
over the month's ledger rows that writes only the totals that differ, and one UPDATE that zeroes totals with
no rows behind them. Run by the leaderboard pass before it rebuilds the month's board; only flushes."""
from __future__ import annotations

import logging
from datetime import datetime, time

from sqlalchemy import func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from linecomm.db import dialect_name
from linecomm.points.leaderboard_models import MonthlyPoints
from linecomm.points.models import EntryKind, PointEntry
from linecomm.timezones import JST

log = logging.getLogger(__name__)


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The JST month "2026-12" as [start, end) instants."""
    year, number = int(month[:4]), int(month[5:7])
    start = datetime.combine(datetime(year, number, 1).date(), time(0), tzinfo=JST)
    following = datetime(year + number // 12, number % 12 + 1, 1).date()
    return start, datetime.combine(following, time(0), tzinfo=JST)


def repair_month(session: Session, month: str, now: datetime) -> int:
    """Make `month`'s totals match the ledger; returns how many had drifted (0 when the seam kept them)."""
    start, end = month_bounds(month)
    in_month = (PointEntry.kind != EntryKind.EXPIRY, PointEntry.created_at >= start, PointEntry.created_at < end)
    totals = (select(PointEntry.member_id, literal(month), func.sum(PointEntry.amount),
                     literal(now, MonthlyPoints.updated_at.type))
              .where(*in_month).group_by(PointEntry.member_id))
    insert = postgresql.insert(MonthlyPoints) if dialect_name(session) == "postgresql" else sqlite.insert(MonthlyPoints)
    upsert = insert.from_select(["member_id", "month", "points", "updated_at"], totals)
    table = MonthlyPoints.__table__
    upsert = upsert.on_conflict_do_update(
        index_elements=["member_id", "month"],
        set_={"points": upsert.excluded.points, "updated_at": upsert.excluded.updated_at},
        where=table.c.points != upsert.excluded.points,
    ).returning(table.c.member_id)
    drifted = len(session.execute(upsert).all())
    none_behind = ~select(PointEntry.id).where(PointEntry.member_id == MonthlyPoints.member_id, *in_month).exists()
    drifted += session.execute(
        update(MonthlyPoints).where(MonthlyPoints.month == month, none_behind, or_(MonthlyPoints.points != 0))
        .values(points=0, updated_at=now).execution_options(synchronize_session=False)).rowcount or 0
    if drifted:
        log.warning("leaderboard: %d monthly total(s) for %s drifted from the ledger; repaired", drifted, month)
    return drifted
