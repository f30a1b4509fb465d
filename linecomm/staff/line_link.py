"""A staff member's own LINE account, linked to their console account so the community can push them the
weekly summary (linecomm.kpis.weekly), and the one-time codes that link it.

Linking: in the console (アカウント) a staff member gets an 8-digit code, valid for 15 minutes and once; they
send 「スタッフ連携 12345678」 to the official account from their LINE app (linecomm.staff.chat); the LINE user
who sent it becomes theirs. Only the SHA-256 of a code is stored. The LINE user id is staff data: it is
removed when the staff member unlinks it or is disabled (`forget`), and never shown in the console. Wrong
codes sent in chat are throttled per LINE user and across everyone (linecomm.staff.link_attempts)."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Boolean, ForeignKey, String, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from linecomm.db import Base, UTCDateTime, utcnow
from linecomm.staff import line_copy as copy
from linecomm.staff import link_attempts
from linecomm.staff.models import StaffUser

CODE_TTL = timedelta(minutes=15)
CODE_DIGITS = 8  # 10^8 codes: guessing a live one by chat is hopeless within 15 minutes, under the throttle


class StaffLineLink(Base):
    """The LINE account a staff member linked, and whether it gets the weekly summary."""

    __tablename__ = "staff_line_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), unique=True)
    line_user_id: Mapped[str] = mapped_column(String(64), unique=True)
    weekly_summary: Mapped[bool] = mapped_column(Boolean, default=False)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    weekly_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StaffLinkCode(Base):
    """A one-time code a staff member sends in chat to link their LINE account (its hash only)."""

    __tablename__ = "staff_link_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@dataclass(frozen=True)
class IssuedCode:
    code: str
    expires_at: datetime


class LinkRefused(Exception):
    """A code that cannot link; the message is the polite Japanese reply. `wrong_code`: the code is
    unknown, expired, used, or its staff member disabled (what the throttle counts); False: the code was
    not checked (entry closed) or was right but cannot link this LINE account."""

    def __init__(self, reply: str, wrong_code: bool = True):
        super().__init__(reply)
        self.wrong_code = wrong_code


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def issue_code(session: Session, staff_id: int, now: datetime | None = None) -> IssuedCode:
    """A fresh code for `staff_id`; their earlier unused codes stop working. Flushes only."""
    now = now or utcnow()
    session.execute(delete(StaffLinkCode).where(StaffLinkCode.staff_id == staff_id,
                                                StaffLinkCode.used_at.is_(None)))
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    row = StaffLinkCode(staff_id=staff_id, code_hash=_hash(code), expires_at=now + CODE_TTL, created_at=now)
    session.add(row)
    session.flush()
    return IssuedCode(code, row.expires_at)


def redeem(session: Session, code: str, line_user_id: str, now: datetime | None = None) -> StaffUser:
    """Link `line_user_id` to the staff member whose live code this is, and use the code up (once, even
    when two messages race); returns the staff member. Raises LinkRefused with the reply to send."""
    now = now or utcnow()
    row = session.scalar(select(StaffLinkCode).where(StaffLinkCode.code_hash == _hash(code)))
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise LinkRefused(copy.link_code_refused())
    staff = session.get(StaffUser, row.staff_id)
    if staff is None or not staff.is_active:
        raise LinkRefused(copy.link_code_refused())
    other = session.scalar(select(StaffLineLink).where(StaffLineLink.line_user_id == line_user_id,
                                                       StaffLineLink.staff_id != staff.id))
    if other is not None:
        raise LinkRefused(copy.link_taken(), wrong_code=False)
    used = session.execute(update(StaffLinkCode).where(StaffLinkCode.id == row.id, StaffLinkCode.used_at.is_(None))
                           .values(used_at=now))
    if used.rowcount != 1:
        raise LinkRefused(copy.link_code_refused())
    link = session.scalar(select(StaffLineLink).where(StaffLineLink.staff_id == staff.id))
    if link is None:
        session.add(StaffLineLink(staff_id=staff.id, line_user_id=line_user_id, weekly_summary=False, linked_at=now))
    else:
        link.line_user_id, link.linked_at = line_user_id, now
    session.flush()
    return staff


def redeem_in_chat(session: Session, code: str, member_id: int, line_user_id: str, webhook_event_id: str,
                   now: datetime) -> StaffUser:
    """`redeem` for a code sent in chat, under the throttle: while code entry is closed for the sender
    every code is refused unchecked; a wrong code is recorded (once per webhook event) in the caller's
    transaction, so it counts even if the reply never reaches LINE. Raises LinkRefused. Flushes only."""
    closed = link_attempts.entry_closed(session, member_id, now)
    if closed is not None:
        raise LinkRefused(copy.link_entry_closed(closed.until, now, everyone=closed.everyone), wrong_code=False)
    try:
        return redeem(session, code, line_user_id, now)
    except LinkRefused as refused:
        if refused.wrong_code:
            link_attempts.record_wrong_code(session, member_id, webhook_event_id, now)
        raise


def link_of(session: Session, staff_id: int) -> StaffLineLink | None:
    return session.scalar(select(StaffLineLink).where(StaffLineLink.staff_id == staff_id))


def set_weekly_summary(session: Session, staff_id: int, wanted: bool, now: datetime | None = None) -> bool:
    """Opt in or out of the weekly summary; False when no LINE account is linked. Flushes only."""
    link = link_of(session, staff_id)
    if link is None:
        return False
    if link.weekly_summary != wanted:
        link.weekly_summary, link.weekly_changed_at = wanted, now or utcnow()
        session.flush()
    return True


def forget(session: Session, staff_id: int) -> bool:
    """Remove the staff member's LINE link and unused codes (unlinking, or the account being disabled);
    True when a link was removed. Flushes only."""
    session.execute(delete(StaffLinkCode).where(StaffLinkCode.staff_id == staff_id))
    removed = session.execute(delete(StaffLineLink).where(StaffLineLink.staff_id == staff_id)).rowcount
    session.flush()
    return bool(removed)
