"""The month's totals recomputed from the ledger (the truth the ledger keeps them from, on `member_points`):
one UPDATE from one GROUP BY over the month's ledger rows that writes only the totals that differ, and one
UPDATE that zeroes totals with no rows behind them. Run by the leaderboard pass before it rebuilds the
month's board; only flushes."""
from __future__ import annotations

import logging
from datetime import datetime, time

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from linecomm.points.models import EntryKind, MemberPoints, PointEntry
from linecomm.timezones import JST

log = logging.getLogger(__name__)


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The JST month "2026-12" as [start, end) instants."""
    year, number = int(month[:4]), int(month[5:7])
    start = datetime.combine(datetime(year, number, 1).date(), time(0), tzinfo=JST)
    following = datetime(year + number // 12, number % 12 + 1, 1).date()
    return start, datetime.combine(following, time(0), tzinfo=JST)


def repair_month(session: Session, month: str, now: datetime) -> int:
    """Make `month`'s totals match the ledger; returns how many had drifted (0 when the ledger kept them).
    A member with entries in the month has a `member_points` row (the balances' recompute makes sure)."""
    start, end = month_bounds(month)
    in_month = (PointEntry.kind != EntryKind.EXPIRY, PointEntry.created_at >= start, PointEntry.created_at < end)
    totals = (select(PointEntry.member_id.label("member_id"), func.sum(PointEntry.amount).label("points"))
              .where(*in_month).group_by(PointEntry.member_id).subquery("totals"))
    drifted = session.execute(  # (never a row a newer month has written since: that month's total stands)
        update(MemberPoints).where(MemberPoints.member_id == totals.c.member_id, MemberPoints.month_key <= month,
                                   or_(MemberPoints.month_key != month, MemberPoints.month_points != totals.c.points))
        .values(month_key=month, month_points=totals.c.points, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount or 0
    # NOT EXISTS, which PostgreSQL plans as an anti-join: a NOT IN (subquery) is hashed only while the
    # month's members fit in work_mem, and beyond (300,000 of them) rescans the list for every row.
    none_behind = ~select(PointEntry.id).where(PointEntry.member_id == MemberPoints.member_id, *in_month).exists()
    drifted += session.execute(
        update(MemberPoints).where(and_(MemberPoints.month_key == month, MemberPoints.month_points != 0),
                                   none_behind)
        .values(month_points=0, updated_at=now).execution_options(synchronize_session=False)).rowcount or 0
    if drifted:
        log.warning("leaderboard: %d monthly total(s) for %s drifted from the ledger; repaired", drifted, month)
    return drifted
