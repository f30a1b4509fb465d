"""The marketer's courtesy rules (quiet hours, weekly cap) and the staff accounts that get test sends."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import Connection, delete, select
from sqlalchemy.orm import Session

from linecomm.db import insert_ignoring_conflicts, utcnow
from linecomm.pushes import owners
from linecomm.pushes.models import PushPolicy, TestRecipient
from linecomm.pushes.schedule import QuietHours, ScheduleError

LINE_USER_ID = re.compile(r"^U[0-9a-f]{32}$")
DEFAULT_QUIET_START, DEFAULT_QUIET_END, DEFAULT_WEEKLY_CAP = "21:00", "09:00", 3


def current(session: Session) -> PushPolicy:
    """The policy row, created with the defaults (21:00–09:00 quiet, 3 pushes a week) on first use."""
    row = session.get(PushPolicy, 1)
    if row is None:
        session.execute(insert_ignoring_conflicts(session, PushPolicy.__table__, ["id"]).values(
            id=1, quiet_start=DEFAULT_QUIET_START, quiet_end=DEFAULT_QUIET_END, weekly_cap=DEFAULT_WEEKLY_CAP,
            updated_at=utcnow()))
        row = session.get(PushPolicy, 1)
        assert row is not None
    return row


def read(session: Session) -> PushPolicy:
    """The policy as it stands, for whatever only reads it (pages: a reader session cannot create the row;
    background passes and notices: creating it there raced with pages and settings): the row, or the
    defaults while it does not exist yet (not added to the session)."""
    return session.get(PushPolicy, 1) or PushPolicy(
        id=1, quiet_start=DEFAULT_QUIET_START, quiet_end=DEFAULT_QUIET_END, weekly_cap=DEFAULT_WEEKLY_CAP)


def quiet_hours(policy: PushPolicy) -> QuietHours:
    return QuietHours.parse(policy.quiet_start, policy.quiet_end)


def read_quiet_hours(conn: Connection) -> QuietHours:
    """The quiet hours as they stand, read on a plain connection (the sending lanes have no session);
    the defaults while the policy row does not exist yet. Writes nothing."""
    row = conn.execute(
        select(PushPolicy.quiet_start, PushPolicy.quiet_end).where(PushPolicy.id == 1)
    ).first()
    if row is None:
        return QuietHours.parse(DEFAULT_QUIET_START, DEFAULT_QUIET_END)
    return QuietHours.parse(row.quiet_start, row.quiet_end)


def update(session: Session, *, quiet_start: str | None = None, quiet_end: str | None = None,
           weekly_cap: int | None = None, by: str | None = None, now: datetime | None = None) -> PushPolicy:
    """Change the rules; what owners of deliveries have scheduled moves out of the new quiet hours."""
    policy = current(session)
    quiet = QuietHours.parse(quiet_start or policy.quiet_start, quiet_end or policy.quiet_end)
    if weekly_cap is not None and not 1 <= weekly_cap <= 100:
        raise ScheduleError("1週間あたりの上限回数は1〜100回で指定してください。")
    policy.quiet_start, policy.quiet_end = f"{quiet.start:%H:%M}", f"{quiet.end:%H:%M}"
    if weekly_cap is not None:
        policy.weekly_cap = weekly_cap
    policy.updated_at, policy.updated_by = now or utcnow(), by
    for owner in owners.all_owners():
        owner.quiet_hours_changed(session, quiet)
    return policy


def add_test_recipient(session: Session, line_user_id: str, label: str) -> TestRecipient:
    """Register a staff member's own LINE user id (as in webhook events: U + 32 hex digits)."""
    line_user_id = line_user_id.strip()
    if not LINE_USER_ID.match(line_user_id):
        raise ScheduleError("LINEユーザーIDは「U」に続く32桁の英数字です（LINE Developersやwebhookで確認できます）。")
    row = session.scalar(select(TestRecipient).where(TestRecipient.line_user_id == line_user_id))
    if row is None:
        row = TestRecipient(line_user_id=line_user_id, label=label.strip()[:100] or "スタッフ")
        session.add(row)
        session.flush()
    return row


def remove_test_recipient(session: Session, line_user_id: str) -> bool:
    return bool(session.execute(delete(TestRecipient).where(TestRecipient.line_user_id == line_user_id)).rowcount)


def test_recipients(session: Session) -> list[TestRecipient]:
    return list(session.scalars(select(TestRecipient).order_by(TestRecipient.id)))
