"""Invite codes: creation, listing and redemption rules for the closed community."""
from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.members.models import InviteCode, InviteCodeAttempt, InviteRedemption
from linecomm.timezones import JST

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed on phones
CODE_LENGTH = 8
CUSTOM_CODE_MIN = 6  # a chosen code must not be guessable in a few tries (throttle or not)
CUSTOM_CODE_MAX = 32
# Wrong codes: 5 by one member within 15 minutes close code entry for them for 15 minutes; 100 by
# everyone within 15 minutes close it for all until they age out (one person with many LINE accounts).
WRONG_CODES_PER_MEMBER = 5
WRONG_CODE_WINDOW = timedelta(minutes=15)
WRONG_CODE_LOCK = timedelta(minutes=15)
WRONG_CODES_ALL_MEMBERS = 100
ATTEMPTS_KEPT = timedelta(days=1)


class CodeCheck(Enum):
    OK = "ok"
    NOT_FOUND = "not_found"
    EXPIRED = "expired"
    USED_UP = "used_up"
    DISABLED = "disabled"
    LOCKED = "locked"  # this member typed too many wrong codes lately
    PAUSED = "paused"  # everyone did: code entry is paused for all


@dataclass(frozen=True)
class InviteSummary:
    code: str
    cohort: str
    max_uses: int
    used_count: int
    expires_at: datetime | None
    disabled: bool
    created_at: datetime


def normalise_code(raw: str) -> str:
    """Codes are matched without regard to width, case, spaces or hyphens (「ａｂｃｄ-1234」 == 「ABCD1234」)."""
    text = unicodedata.normalize("NFKC", raw).upper()
    return "".join(ch for ch in text if ch.isalnum())


def end_of_day_jst(day: date) -> datetime:
    """A code 'valid until 2027-03-31' works through the last second of that day in Japan."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=JST) - timedelta(microseconds=1)


def create_code(
    session: Session,
    cohort: str,
    max_uses: int,
    expires_on: date | None = None,
    code: str | None = None,
    created_by: str | None = None,
) -> InviteCode:
    """Create a code for `cohort` usable `max_uses` times until the end of `expires_on` (JST)."""
    cohort = cohort.strip()
    if not cohort or len(cohort) > 100:
        raise ValueError("cohort label must be 1 to 100 characters")
    if max_uses < 1:
        raise ValueError("max uses must be at least 1")
    if code is not None:
        code = normalise_code(code)
        if not CUSTOM_CODE_MIN <= len(code) <= CUSTOM_CODE_MAX:
            raise ValueError(f"a code has {CUSTOM_CODE_MIN} to {CUSTOM_CODE_MAX} letters or digits")
    for _ in range(5):
        candidate = code or "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        row = InviteCode(
            code=candidate,
            cohort=cohort,
            max_uses=max_uses,
            expires_at=end_of_day_jst(expires_on) if expires_on else None,
            created_by=created_by,
        )
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
            return row
        except IntegrityError:
            if code:
                raise ValueError(f"the code {code} already exists") from None
    raise RuntimeError("could not generate a unique invite code")


def list_codes(session: Session) -> list[InviteSummary]:
    rows = session.scalars(select(InviteCode).order_by(InviteCode.created_at.desc(), InviteCode.id.desc()))
    return [
        InviteSummary(r.code, r.cohort, r.max_uses, r.used_count, r.expires_at, r.disabled_at is not None, r.created_at)
        for r in rows
    ]


def check(code: InviteCode | None, now: datetime) -> CodeCheck:
    if code is None:
        return CodeCheck.NOT_FOUND
    if code.disabled_at is not None:
        return CodeCheck.DISABLED
    if code.expires_at is not None and now > code.expires_at:
        return CodeCheck.EXPIRED
    if code.used_count >= code.max_uses:
        return CodeCheck.USED_UP
    return CodeCheck.OK


def find(session: Session, raw: str) -> InviteCode | None:
    key = normalise_code(raw)
    if not key:
        return None
    return session.scalar(select(InviteCode).where(InviteCode.code == key))


@dataclass(frozen=True)
class CodeAttempt:
    """What became of a code a member typed in the join flow."""

    result: CodeCheck
    code: InviteCode | None = None
    retry_after: datetime | None = None  # LOCKED / PAUSED: when codes are taken again


def entry_lock(session: Session, member_id: int, now: datetime) -> tuple[CodeCheck, datetime] | None:
    """Whether code entry is closed for the member: LOCKED after their own wrong codes, PAUSED after too
    many wrong codes from everyone (many LINE accounts guessing); with the time it opens again."""
    mine = list(session.scalars(
        select(InviteCodeAttempt.at).where(InviteCodeAttempt.member_id == member_id)
        .order_by(InviteCodeAttempt.at.desc()).limit(WRONG_CODES_PER_MEMBER)
    ))
    if len(mine) == WRONG_CODES_PER_MEMBER and mine[0] - mine[-1] <= WRONG_CODE_WINDOW:
        until = mine[0] + WRONG_CODE_LOCK
        if until > now:
            return CodeCheck.LOCKED, until
    nth_newest = session.scalar(
        select(InviteCodeAttempt.at).order_by(InviteCodeAttempt.at.desc()).offset(WRONG_CODES_ALL_MEMBERS - 1).limit(1)
    )
    if nth_newest is not None and nth_newest + WRONG_CODE_WINDOW > now:
        return CodeCheck.PAUSED, nth_newest + WRONG_CODE_WINDOW
    return None


def try_code(session: Session, member_id: int, raw: str, now: datetime | None = None) -> CodeAttempt:
    """Check a code a member typed, without taking a use (that happens when the join completes:
    `claim_use`). While code entry is closed for them every code is refused, a right one too; a wrong
    code is recorded, and the one that closes entry says so at once. A code the member already joined
    with (coming back after leaving) is theirs again."""
    now = now or utcnow()
    lock = entry_lock(session, member_id, now)
    if lock is not None:
        return CodeAttempt(lock[0], retry_after=lock[1])
    code = find(session, raw)
    prior = session.scalar(select(InviteRedemption.invite_code_id).where(InviteRedemption.member_id == member_id))
    if code is not None and prior == code.id:
        return CodeAttempt(CodeCheck.OK, code)
    result = check(code, now)
    if result is CodeCheck.NOT_FOUND:
        session.execute(delete(InviteCodeAttempt).where(InviteCodeAttempt.member_id == member_id,
                                                        InviteCodeAttempt.at < now - ATTEMPTS_KEPT))
        session.add(InviteCodeAttempt(member_id=member_id, at=now))
        session.flush()
        lock = entry_lock(session, member_id, now)
        if lock is not None:
            return CodeAttempt(lock[0], retry_after=lock[1])
    return CodeAttempt(result, code)


def claim_use(session: Session, member_id: int, code_id: int, now: datetime | None = None) -> CodeCheck:
    """Take one use of the code for a member completing the join, and record the redemption. Race-free:
    one conditional UPDATE takes the use only while uses remain (and the code is enabled and unexpired),
    so two members finishing at once on a code's last use cannot both get it. A member who joined with
    this code before holds its use already. Returns why not, if the use could not be taken."""
    now = now or utcnow()
    prior = session.scalar(select(InviteRedemption).where(InviteRedemption.member_id == member_id))
    if prior is not None and prior.invite_code_id == code_id:
        return CodeCheck.OK
    taken = session.execute(
        update(InviteCode)
        .where(InviteCode.id == code_id, InviteCode.used_count < InviteCode.max_uses,
               InviteCode.disabled_at.is_(None),
               or_(InviteCode.expires_at.is_(None), InviteCode.expires_at >= now))
        .values(used_count=InviteCode.used_count + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        code = session.get(InviteCode, code_id, populate_existing=True)
        result = check(code, now)
        return CodeCheck.USED_UP if result is CodeCheck.OK else result
    if prior is not None:  # they joined with another code before: that use stays counted, the row moves
        session.execute(delete(InviteRedemption).where(InviteRedemption.member_id == member_id))
    session.add(InviteRedemption(invite_code_id=code_id, member_id=member_id, redeemed_at=now))
    session.flush()
    return CodeCheck.OK


def erase_attempts(session: Session, member_id: int) -> None:
    session.execute(delete(InviteCodeAttempt).where(InviteCodeAttempt.member_id == member_id))


def attempts_of(session: Session, member_id: int) -> list[datetime]:
    """When the member typed a wrong code (what the throttle holds about them)."""
    return list(session.scalars(select(InviteCodeAttempt.at).where(InviteCodeAttempt.member_id == member_id)
                                .order_by(InviteCodeAttempt.at)))


def disable(session: Session, raw: str, now: datetime | None = None) -> InviteCode:
    """Stop a code from being redeemed (members who joined with it stay). Raises ValueError when there
    is no such code or it is already disabled."""
    code = find(session, raw)
    if code is None:
        raise ValueError("no such invite code")
    if code.disabled_at is not None:
        raise ValueError(f"the code {code.code} is already disabled")
    code.disabled_at = now or utcnow()
    session.flush()
    return code
