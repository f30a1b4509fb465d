"""Invite codes: creation, listing and redemption rules for the closed community."""
from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.members.models import InviteCode, InviteRedemption
from linecomm.timezones import JST

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed on phones
CODE_LENGTH = 8


class CodeCheck(Enum):
    OK = "ok"
    NOT_FOUND = "not_found"
    EXPIRED = "expired"
    USED_UP = "used_up"
    DISABLED = "disabled"


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
        if not 4 <= len(code) <= 32:
            raise ValueError("a code has 4 to 32 letters or digits")
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


def redeem(
    session: Session, member_id: int, raw: str, now: datetime | None = None, release_prior: bool = True
) -> tuple[CodeCheck, InviteCode | None]:
    """Use a code for a member. A member's earlier redemption of the same code is reused, never counted
    twice; the use counter only moves while uses remain (one UPDATE, safe under concurrency).
    `release_prior` gives back the use of a different code the member started with but never finished."""
    now = now or utcnow()
    code = find(session, raw)
    prior = session.scalar(select(InviteRedemption).where(InviteRedemption.member_id == member_id))
    if code is not None and prior is not None and prior.invite_code_id == code.id:
        return CodeCheck.OK, code
    result = check(code, now)
    if result is not CodeCheck.OK or code is None:
        return result, code
    if prior is not None:  # switching codes mid-join gives the unfinished first use back
        if release_prior:
            session.execute(
                update(InviteCode)
                .where(InviteCode.id == prior.invite_code_id)
                .values(used_count=InviteCode.used_count - 1)
            )
        session.delete(prior)
        session.flush()
    taken = session.execute(
        update(InviteCode)
        .where(InviteCode.id == code.id, InviteCode.used_count < InviteCode.max_uses)
        .values(used_count=InviteCode.used_count + 1)
    )
    if taken.rowcount != 1:
        return CodeCheck.USED_UP, code
    session.add(InviteRedemption(invite_code_id=code.id, member_id=member_id, redeemed_at=now))
    session.flush()
    session.refresh(code)
    return CodeCheck.OK, code


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
