"""Telling members before their points expire: the daily expiry step (linecomm.points.jobs) also stores,
for every member with unspent grants whose last valid day is within `WARN_DAYS`, one message for all of
them (「12月19日から12月31日までに、合計120ポイントの有効期限が切れます。」) through the outbox under the UNIQUE
key `points-expiry:<member>:<period>`, a period being one of the consecutive `WARN_DAYS`-day stretches of
the calendar (JST). So a member hears at most once a fortnight, however many days their points expire on
(a member who earns every day has points expiring every day) and however often the step runs, and a missed
day is caught up within the period. Every grant is told: its last valid day falls within `WARN_DAYS` of the
start of some period's first run. Who and how much is one GROUP BY; the messages are one INSERT. Held
until quiet hours end."""
from __future__ import annotations

from dataclasses import dataclass
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


def period_of(day: date) -> int:
    """Which WARN_DAYS-day stretch of the calendar `day` falls in."""
    return day.toordinal() // WARN_DAYS


def expiry_key(member_id: int, today: date) -> str:
    return f"points-expiry:{member_id}:{period_of(today)}"


@dataclass(frozen=True)
class Expiring:
    member_id: int
    line_user_id: str
    first: date  # the first last-valid day among the member's expiring grants
    last: date
    points: int


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


def expiring(session: Session, now: datetime) -> list[Expiring]:
    """Per member, what expires within WARN_DAYS (from `due`)."""
    held: dict[int, Expiring] = {}
    for member_id, user_id, day, points in due(session, now):
        was = held.get(member_id)
        held[member_id] = (Expiring(member_id, user_id, day, day, points) if was is None else
                           Expiring(member_id, user_id, min(was.first, day), max(was.last, day), was.points + points))
    return list(held.values())


def warn(session: Session, now: datetime, liff_id: str | None = None) -> int:
    """Store the warnings not stored in this period before (one INSERT) and ask for their sending after
    commit (unless quiet hours hold them). Returns how many were stored."""
    today = now.astimezone(JST).date()
    rows = []
    for e in expiring(session, now):
        row = queueing.message_row(key=expiry_key(e.member_id, today), to=e.line_user_id, member_id=e.member_id,
                                   messages=copy.expiry_warning(e.first, e.last, e.points, copy.points_url(liff_id)))
        rows.append(row)
    if not rows:
        return 0
    not_before = held_until(session, now)
    for row in rows:
        row["not_before"] = not_before
    ids = [i for i in queueing.store_new(session, rows) if i is not None]
    send_after_commit(session, ids, not_before)
    return len(ids)
