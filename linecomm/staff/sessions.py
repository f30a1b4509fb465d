"""Staff sign-in sessions, kept server-side so they can be revoked.

A sign-in opens a row and hands back a random token for the browser's cookie; the row stores only the
token's SHA-256. A request is signed in while its token names a row that is not revoked, whose account is
active, and that is within both timeouts: 30 idle minutes and 12 hours in all. Logout revokes one row;
a password, role or active change, or "sign out everywhere", revokes all of the account's rows.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.staff.models import StaffSession, StaffUser

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
# last_seen_at is written at most this often: one UPDATE a minute per browser, not one per request.
TOUCH_INTERVAL = timedelta(minutes=1)
USER_AGENT_MAX = 255


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user: StaffUser, user_agent: str | None, address: str | None,
                 now: datetime | None = None) -> str:
    """Add a session row for `user`; returns the token for the cookie (never stored as such)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    agent = "".join(ch for ch in user_agent or "" if ch.isprintable())[:USER_AGENT_MAX] or None
    session.add(StaffSession(staff_id=user.id, token_hash=_hash(token), user_agent=agent,
                             address=(address or "")[:64] or None, issued_at=now, last_seen_at=now))
    session.flush()
    return token


@dataclass(frozen=True)
class Resumed:
    """What a request's token comes to: the signed-in staff member and the session's id, or None
    (`expired` when a timeout ended the session). `changed`: the row must be written (its last use noted,
    or, `expired`, revoked); `note_use` does that."""

    user: StaffUser | None
    session_id: int | None = None
    expired: bool = False
    changed: bool = False
    now: datetime | None = None


def resume(session: Session, token: str, now: datetime | None = None) -> Resumed:
    """The staff member whose live session `token` names. Reads only, so a page request can ask it in a
    read-only session; what must be written is left to `note_use`."""
    now = now or utcnow()
    found = session.execute(
        select(StaffSession, StaffUser).join(StaffUser, StaffUser.id == StaffSession.staff_id)
        .where(StaffSession.token_hash == _hash(token))
    ).first()
    if found is None:
        return Resumed(None)
    row, user = found
    if row.revoked_at is not None or not user.is_active:
        return Resumed(None)
    if now - row.last_seen_at > IDLE_TIMEOUT or now - row.issued_at > ABSOLUTE_TIMEOUT:
        return Resumed(None, row.id, expired=True, changed=True, now=now)
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        return Resumed(user, row.id, changed=True, now=now)
    return Resumed(user, row.id)


def note_use(session: Session, resumed: Resumed) -> None:
    """Write what `resume` found: revoke a timed-out session, or note the session's last use (at most once
    a `TOUCH_INTERVAL`). A session revoked in between stays revoked, at the time it was."""
    if not resumed.changed or resumed.session_id is None:
        return
    change = {"revoked_at": resumed.now} if resumed.expired else {"last_seen_at": resumed.now}
    session.execute(
        update(StaffSession).where(StaffSession.id == resumed.session_id, StaffSession.revoked_at.is_(None))
        .values(**change)
    )


def revoke(session: Session, token: str, now: datetime | None = None) -> bool:
    """End the session `token` names (logout); False when it had already ended."""
    result = session.execute(
        update(StaffSession).where(StaffSession.token_hash == _hash(token), StaffSession.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )
    return bool(result.rowcount)


def revoke_all(session: Session, user: StaffUser, now: datetime | None = None) -> int:
    """End every session of `user`, in every browser; returns how many were open (timed-out ones are over
    already and are left as they are)."""
    now = now or utcnow()
    result = session.execute(
        update(StaffSession).where(StaffSession.staff_id == user.id, *_live(now)).values(revoked_at=now)
    )
    return result.rowcount or 0


def _live(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (StaffSession.revoked_at.is_(None), StaffSession.last_seen_at > now - IDLE_TIMEOUT,
            StaffSession.issued_at > now - ABSOLUTE_TIMEOUT)


def open_sessions(session: Session, user: StaffUser, now: datetime | None = None) -> list[StaffSession]:
    """The account's sessions still in use, most recently used first (for the account page)."""
    stmt = select(StaffSession).where(StaffSession.staff_id == user.id, *_live(now or utcnow()))
    return list(session.scalars(stmt.order_by(StaffSession.last_seen_at.desc(), StaffSession.id.desc())))


def open_session_counts(session: Session, now: datetime | None = None) -> dict[int, int]:
    """{staff id: sessions still in use}, for every account that has one (for the staff list)."""
    stmt = (select(StaffSession.staff_id, func.count()).where(*_live(now or utcnow()))
            .group_by(StaffSession.staff_id))
    return {staff_id: count for staff_id, count in session.execute(stmt)}
