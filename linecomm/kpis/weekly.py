"""The weekly summary pushed to the staff members who asked for it (their linked LINE account, opt-in:
linecomm.staff.line_link): last week's key figures (linecomm.kpis.summary.week_figures) in one Flex bubble.

When: from Monday 09:00 Japan time, for the week Monday..Sunday that just ended. The sweeper enqueues
`run_weekly_summaries` every interval (linecomm.sweeper.PERIODIC_JOBS); it does nothing until a summary is
due, then sends each opted-in staff member the current week's once: a row per (staff member, week) under a
UNIQUE constraint is inserted before the message is stored, and the outbox message carries the same key, so
a retried or concurrent pass sends nothing twice. A pass missed on Monday (the service was down) sends later
that week; a staff member who opts in mid-week gets that week's summary at the next pass.

Quiet hours (linecomm.pushes.policy) do not apply: they protect members from marketing; this is a message a
staff member asked for on their own account, as a test send is (linecomm.pushes.models.DeliveryKind.TEST),
and it is due at 09:00, when quiet hours end by default. It is a push, billed as one message per staff
member, and counted in the cost figures like every push."""
from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from sqlalchemy import Date, ForeignKey, Integer, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from linecomm.db import Base, UTCDateTime, insert_rows_ignoring_conflicts, transaction, utcnow
from linecomm.kpis import weekly_copy as copy
from linecomm.kpis.summary import week_figures
from linecomm.outbox import queueing
from linecomm.staff.line_link import StaffLineLink
from linecomm.staff.models import StaffUser
from linecomm.timezones import JST

log = logging.getLogger(__name__)
RUN_JOB = "linecomm.kpis.weekly.run_weekly_summaries"
SEND_AT = time(9, 0)  # Monday, Japan time


class StaffWeeklySummary(Base):
    """One weekly summary sent (or being sent) to one staff member: the row that makes it once."""

    __tablename__ = "staff_weekly_summaries"
    __table_args__ = (UniqueConstraint("staff_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    week_start: Mapped[date] = mapped_column(Date)  # the Monday the summary went out (Japan time)
    message_id: Mapped[int | None] = mapped_column(Integer)  # outbound_messages.id (no FK: this row is the record)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def due_week(now: datetime) -> date:
    """The Monday (Japan time) of the latest Monday 09:00 at or before `now`."""
    local = now.astimezone(JST)
    monday = local.date() - timedelta(days=local.weekday())
    if datetime.combine(monday, SEND_AT, tzinfo=JST) > local:
        monday -= timedelta(days=7)
    return monday


def message_key(staff_id: int, week: date) -> str:
    return f"kpi-weekly:{staff_id}:{week.isoformat()}"


def queue_summaries(session: Session, now: datetime) -> list[int]:
    """Store this week's summary for every opted-in, active staff member who has not had it; returns the
    outbox ids to send after commit (none when nobody is due: one cheap query). Flushes only."""
    week = due_week(now)
    already = select(StaffWeeklySummary.id).where(StaffWeeklySummary.staff_id == StaffLineLink.staff_id,
                                                  StaffWeeklySummary.week_start == week).exists()
    due = session.execute(
        select(StaffLineLink.staff_id, StaffLineLink.line_user_id)
        .join(StaffUser, StaffUser.id == StaffLineLink.staff_id)
        .where(StaffLineLink.weekly_summary.is_(True), StaffUser.is_active.is_(True), ~already)
        .order_by(StaffLineLink.staff_id)
    ).all()
    if not due:
        return []
    claimed = set(insert_rows_ignoring_conflicts(
        session, StaffWeeklySummary.__table__,
        [{"staff_id": staff_id, "week_start": week, "message_id": None, "created_at": now} for staff_id, _ in due],
        ["staff_id", "week_start"], "staff_id"))
    if not claimed:
        return []
    message = copy.summary_bubble(week_figures(session, week - timedelta(days=1)))
    ids: list[int] = []
    for staff_id, line_user_id in due:
        if staff_id not in claimed:
            continue  # another pass has it
        message_id = queueing.queue_message(session, key=message_key(staff_id, week), to=line_user_id,
                                            messages=[message])
        if message_id is not None:
            ids.append(message_id)
            session.execute(StaffWeeklySummary.__table__.update()
                            .where(StaffWeeklySummary.staff_id == staff_id, StaffWeeklySummary.week_start == week)
                            .values(message_id=message_id))
    session.flush()
    return ids


def run_weekly_summaries() -> None:
    """Periodic job (the sweeper enqueues it every interval): send the week's summaries that are due."""
    from linecomm import runtime
    from linecomm.outbox import sending

    rt = runtime.current()
    with transaction(rt.sessions) as session:
        ids = queue_summaries(session, rt.clock())
    if ids:
        rt.queue.enqueue(sending.DELIVER_JOB, ids)
        log.info("weekly summary: %d staff message(s) queued", len(ids))
