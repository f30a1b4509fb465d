"""The throttle on wrong staff-link codes sent in chat (linecomm.staff.line_link, linecomm.staff.chat).

A code is 8 digits (10^8) and lives 15 minutes, so guessing is hopeless only while guesses are few:
- per LINE user (their member row), 5 wrong codes within 15 minutes close code entry for them until the
  oldest of those 5 is 15 minutes old. A staff member mistyping a code needs one or two tries; 5 leaves
  room for fat fingers while one account can try at most 480 codes a day (~5·10^-6 of the space).
- across everyone, 50 wrong codes within 15 minutes (a code's whole life) pause code entry for all until
  they age out: one person with many LINE accounts then gets at most 50 guesses at a live code,
  a chance of 5·10^-7 per code issued. Staff link an account once, so an honest 15-minute window
  never sees more than a few wrong codes; the price is that a determined attacker can hold linking
  paused (staff then wait or retry later: nothing else is affected).
While entry is closed every code is refused unchecked, a right one too, and the refusal is not counted
(it tells nothing). The rows are the guarantee (they hold across worker processes and restarts, with or
without Redis); each carries its webhook event id, so an event handled again counts once. On PostgreSQL
concurrent workers may overshoot the shared cap by the events they handle at the same moment. Rows older
than a day are pruned whenever a wrong code is recorded. A row names the sender's member row: covered by
linecomm.staff.privacy for export and erasure."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from linecomm.db import Base, UTCDateTime, insert_ignoring_conflicts, utcnow

WRONG_CODES_PER_USER = 5
WRONG_CODES_ALL_USERS = 50
WRONG_CODE_WINDOW = timedelta(minutes=15)
ATTEMPTS_KEPT = timedelta(days=1)


class StaffLinkAttempt(Base):
    """A wrong staff-link code sent in chat by a LINE user (their member row), once per webhook event."""

    __tablename__ = "staff_link_attempts"
    __table_args__ = (Index("ix_staff_link_attempts_member_id_at", "member_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    webhook_event_id: Mapped[str] = mapped_column(String(64), unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


@dataclass(frozen=True)
class EntryClosed:
    """Code entry is closed for the sender until `until`; `everyone`: by the shared cap, not their own."""

    until: datetime
    everyone: bool


def entry_closed(session: Session, member_id: int, now: datetime) -> EntryClosed | None:
    """Whether the sender may not try a code now (see the module's rules), and until when. Reads only."""
    mine = list(session.scalars(
        select(StaffLinkAttempt.at).where(StaffLinkAttempt.member_id == member_id)
        .order_by(StaffLinkAttempt.at.desc()).limit(WRONG_CODES_PER_USER)
    ))
    if len(mine) == WRONG_CODES_PER_USER and mine[-1] + WRONG_CODE_WINDOW > now:
        return EntryClosed(mine[-1] + WRONG_CODE_WINDOW, everyone=False)
    nth_newest = session.scalar(
        select(StaffLinkAttempt.at).order_by(StaffLinkAttempt.at.desc()).offset(WRONG_CODES_ALL_USERS - 1).limit(1)
    )
    if nth_newest is not None and nth_newest + WRONG_CODE_WINDOW > now:
        return EntryClosed(nth_newest + WRONG_CODE_WINDOW, everyone=True)
    return None


def record_wrong_code(session: Session, member_id: int, webhook_event_id: str, now: datetime) -> None:
    """Count a wrong code from the sender of `webhook_event_id` (once, however often the event is handled)
    and prune rows older than a day. Flushes only."""
    session.execute(delete(StaffLinkAttempt).where(StaffLinkAttempt.at < now - ATTEMPTS_KEPT))
    session.execute(insert_ignoring_conflicts(session, StaffLinkAttempt.__table__, ["webhook_event_id"])
                    .values(member_id=member_id, webhook_event_id=webhook_event_id, at=now))
    session.flush()


def attempts_of(session: Session, member_id: int) -> list[datetime]:
    """When the member sent a wrong staff-link code (what the throttle holds about them)."""
    return list(session.scalars(select(StaffLinkAttempt.at).where(StaffLinkAttempt.member_id == member_id)
                                .order_by(StaffLinkAttempt.at)))


def erase_attempts(session: Session, member_id: int) -> int:
    """Delete the member's rows; how many there were. Flushes only."""
    return session.execute(delete(StaffLinkAttempt).where(StaffLinkAttempt.member_id == member_id)).rowcount or 0
