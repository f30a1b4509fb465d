"""Telling members before their points expire: the daily expiry step (linecomm.points.jobs) also stores,
for every member with unspent grants whose last valid day is within `WARN_DAYS`, one message per expiry
date (「12月19日に120ポイントの有効期限が切れます。」) through the outbox under the UNIQUE key
`points-expiry:<member>:<date>`, so a date is told once however often the step runs and a missed day is
caught up. Who and how much is one GROUP BY; the messages are one INSERT. Held until quiet hours end."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from linecomm.members.models import Member
from linecomm.outbox import queueing
from linecomm.points import copy
from linecomm.points.models import EntryKind, PointEntry
from linecomm.points.rank_notices import held_until, send_after_commit
from linecomm.pushes.segments import reachable
from linecomm.timezones import JST

WARN_DAYS = 14


def expiry_key(member_id: int, day: date) -> str:
    return f"points-expiry:{member_id}:{day.isoformat()}"


def due(session: Session, now: datetime, days: int = WARN_DAYS) -> list[tuple[int, str, date, int]]:
    """(member id, LINE user id, last valid JST day, points) of the unsettled grants that expire after `now`
    and within `days` JST days, per member and day, for members a push may reach (one statement)."""
    grant, settled = aliased(PointEntry), aliased(PointEntry)
    horizon = datetime.combine(now.astimezone(JST).date() + timedelta(days=days + 1), time(0), tzinfo=JST)
    rows = session.execute(
        select(grant.member_id, Member.line_user_id, grant.expires_at, func.sum(grant.amount))
        .join(Member, Member.id == grant.member_id)
        .where(grant.kind == EntryKind.GRANT, grant.amount > 0, grant.expires_at > now, grant.expires_at <= horizon,
               ~select(settled.id).where(settled.source_entry_id == grant.id,
                                         settled.kind.in_((EntryKind.EXPIRY, EntryKind.REVERSAL))).exists(),
               reachable(), Member.line_user_id.like("U%"))
        .group_by(grant.member_id, Member.line_user_id, grant.expires_at)
        .order_by(grant.member_id, grant.expires_at)
    ).all()
    # A grant expires when the JST day after its last valid day starts (ledger.expiry_after).
    return [(m, user_id, (expires - timedelta(seconds=1)).astimezone(JST).date(), int(points))
            for m, user_id, expires, points in rows]


def warn(session: Session, now: datetime, liff_id: str | None = None) -> int:
    """Store the warnings not stored before (one INSERT) and ask for their sending after commit (unless
    quiet hours hold them). Returns how many were stored."""
    rows = []
    for member_id, user_id, day, points in due(session, now):
        row = queueing.message_row(key=expiry_key(member_id, day), to=user_id, member_id=member_id,
                                   messages=copy.expiry_warning(day, points, copy.points_url(liff_id)))
        rows.append(row)
    if not rows:
        return 0
    not_before = held_until(session, now)
    for row in rows:
        row["not_before"] = not_before
    ids = [i for i in queueing.store_new(session, rows) if i is not None]
    send_after_commit(session, ids, not_before)
    return len(ids)
