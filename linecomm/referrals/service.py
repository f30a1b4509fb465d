"""Referral rules: a member's code, a newcomer accepting an invite link, and attributing their join once.

Why a LIFF page: LINE's add-friend link carries no parameter and the follow event says nothing of where a
friend came from, so a member's invite link is a LIFF URL (`https://liff.line.me/{LIFF_ID}/invite/join?ref=CODE`,
LINE passes path and query on to the endpoint). The newcomer signs in with LINE there (LIFF works for
anyone with LINE, friend of the account or not), accepts, and we note "this LINE user was referred by
CODE"; they then add the account and join through the closed chat flow (参加 → invite code → consent →
nickname). When members' `complete_join` succeeds it calls its membership listeners, and
`on_membership_changed` settles the arrival once: attributed (one `referrals` row per referred member,
UNIQUE, and one REFERRAL_JOINED action for the referrer) or not (referrer gone, self, loop).
Functions only flush; the caller commits."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linecomm.actions import service as actions
from linecomm.actions.service import ActionKind
from linecomm.db import dialect_name, insert_ignoring_conflicts, utcnow
from linecomm.members.models import Member, MemberStatus
from linecomm.referrals.models import ArrivalOutcome, Referral, ReferralArrival, ReferralCode, ReferralShare

CODE_BYTES = 9  # 72 random bits, 12 URL-safe characters
_CODE_SHAPE = re.compile(r"^[A-Za-z0-9_-]{8,32}$")
ACTIVE = (MemberStatus.MEMBER,)


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def code_for(session: Session, member_id: int, now: datetime | None = None) -> str:
    """The member's referral code, made on first use (two requests at once end with the same code)."""
    found = session.scalar(select(ReferralCode.code).where(ReferralCode.member_id == member_id))
    if found is not None:
        return found
    for _ in range(5):  # a collision of 72 random bits is all but impossible; retry regardless
        try:
            with session.begin_nested():
                session.execute(insert_ignoring_conflicts(session, ReferralCode.__table__, ["member_id"])
                                .values(member_id=member_id, code=new_code(), created_at=now or utcnow()))
        except IntegrityError:
            continue
        found = session.scalar(select(ReferralCode.code).where(ReferralCode.member_id == member_id))
        if found is not None:
            return found
    raise RuntimeError("could not make a referral code")


def existing_code(session: Session, member_id: int) -> str | None:
    return session.scalar(select(ReferralCode.code).where(ReferralCode.member_id == member_id))


def invite_url(liff_id: str, code: str, fallback_base: str) -> str:
    """The link a member shares: the LIFF URL of the join page (or, without a LIFF app, this site's page)."""
    if liff_id:
        return f"https://liff.line.me/{liff_id}/invite/join?ref={code}"
    return f"{fallback_base.rstrip('/')}/liff/invite/join?ref={code}"


class Verdict(Enum):
    OK = "ok"
    UNKNOWN_CODE = "unknown_code"
    REFERRER_INACTIVE = "referrer_inactive"
    SELF = "self"
    LOOP = "loop"
    ALREADY_MEMBER = "already_member"
    FORMER_MEMBER = "former_member"
    ALREADY_ACCEPTED = "already_accepted"  # this link was accepted before: nothing more to do
    OTHER_REFERRER = "other_referrer"  # another member's link was accepted first


@dataclass(frozen=True)
class Check:
    verdict: Verdict
    referrer_id: int | None = None
    referrer_nickname: str | None = None


def _referrer(session: Session, raw: str) -> tuple[int, str, str | None] | None:
    code = (raw or "").strip()
    if not _CODE_SHAPE.match(code):
        return None
    row = session.execute(
        select(Member.id, Member.status, Member.nickname).join(ReferralCode, ReferralCode.member_id == Member.id)
        .where(ReferralCode.code == code)
    ).first()
    return (row.id, row.status, row.nickname) if row is not None else None


def check(session: Session, line_user_id: str, raw_code: str) -> Check:
    """Whether this LINE user may accept the invite link carrying `raw_code` (read only)."""
    found = _referrer(session, raw_code)
    if found is None:
        return Check(Verdict.UNKNOWN_CODE)
    referrer_id, referrer_status, nickname = found
    visitor = session.execute(
        select(Member.id, Member.status, Member.joined_at, Member.left_at).where(Member.line_user_id == line_user_id)
    ).first()
    if visitor is not None and visitor.id == referrer_id:
        return Check(Verdict.SELF, referrer_id, nickname)
    if referrer_status not in ACTIVE:
        return Check(Verdict.REFERRER_INACTIVE, referrer_id)
    if visitor is not None and _referred(session, referrer=visitor.id, referred=referrer_id):
        return Check(Verdict.LOOP, referrer_id, nickname)
    if visitor is not None and visitor.status in (MemberStatus.MEMBER, MemberStatus.SUSPENDED):
        return Check(Verdict.ALREADY_MEMBER, referrer_id, nickname)
    if visitor is not None and (visitor.joined_at is not None or visitor.left_at is not None
                                or visitor.status in (MemberStatus.LEFT, MemberStatus.DELETED)):
        return Check(Verdict.FORMER_MEMBER, referrer_id, nickname)
    accepted = session.scalar(select(ReferralArrival.referrer_member_id)
                              .where(ReferralArrival.line_user_id == line_user_id))
    if accepted is not None:
        verdict = Verdict.ALREADY_ACCEPTED if accepted == referrer_id else Verdict.OTHER_REFERRER
        return Check(verdict, referrer_id, nickname)
    return Check(Verdict.OK, referrer_id, nickname)


def accept(session: Session, line_user_id: str, raw_code: str, now: datetime | None = None) -> Check:
    """The newcomer accepts the invite: noted once per LINE user (the first link accepted counts)."""
    checked = check(session, line_user_id, raw_code)
    if checked.verdict is not Verdict.OK or checked.referrer_id is None:
        return checked
    inserted = session.execute(
        insert_ignoring_conflicts(session, ReferralArrival.__table__, ["line_user_id"])
        .values(line_user_id=line_user_id, referrer_member_id=checked.referrer_id, arrived_at=now or utcnow())
        .returning(ReferralArrival.__table__.c.id)
    ).scalar()
    return checked if inserted is not None else check(session, line_user_id, raw_code)


def record_share(session: Session, member_id: int, now: datetime | None = None) -> None:
    session.add(ReferralShare(member_id=member_id, shared_at=now or utcnow()))
    session.flush()


def _referred(session: Session, *, referrer: int, referred: int) -> bool:
    return bool(session.scalar(select(exists().where(Referral.referrer_member_id == referrer,
                                                     Referral.referred_member_id == referred))))


def on_membership_changed(session: Session, member: Member, line_user_id: str) -> None:
    """A members' listener: when someone becomes a member, settle their arrival (if any) once."""
    if member.status != MemberStatus.MEMBER:
        return
    settle(session, member, line_user_id, member.joined_at or utcnow())


def settle(session: Session, member: Member, line_user_id: str, now: datetime) -> str | None:
    """Attribute the newcomer's join to the member whose link they accepted, at most once. Returns the
    outcome, or None when there was no open arrival."""
    stmt = select(ReferralArrival).where(ReferralArrival.line_user_id == line_user_id,
                                         ReferralArrival.settled_at.is_(None))
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update()
    arrival = session.scalars(stmt).first()
    if arrival is None:
        return None
    referrer = session.get(Member, arrival.referrer_member_id)
    if arrival.referrer_member_id == member.id:
        outcome = ArrivalOutcome.SELF
    elif referrer is None or referrer.status not in ACTIVE:
        outcome = ArrivalOutcome.REFERRER_INACTIVE
    elif _referred(session, referrer=member.id, referred=arrival.referrer_member_id):
        outcome = ArrivalOutcome.LOOP
    else:
        inserted = session.execute(
            insert_ignoring_conflicts(session, Referral.__table__, ["referred_member_id"])
            .values(referrer_member_id=arrival.referrer_member_id, referred_member_id=member.id, attributed_at=now)
            .returning(Referral.__table__.c.id)
        ).scalar()
        outcome = ArrivalOutcome.ATTRIBUTED if inserted is not None else ArrivalOutcome.ALREADY
        if inserted is not None:
            actions.record(session, arrival.referrer_member_id, ActionKind.REFERRAL_JOINED, f"referral:{member.id}",
                           ref=f"referral:{inserted}", at=now)
    session.execute(update(ReferralArrival).where(ReferralArrival.id == arrival.id)
                    .values(settled_at=now, outcome=outcome))
    return outcome


def install() -> None:
    """Listen to joins (linecomm.members.service.MEMBERSHIP_LISTENERS), so members never imports referrals."""
    from linecomm.members import service as members

    if on_membership_changed not in members.MEMBERSHIP_LISTENERS:
        members.MEMBERSHIP_LISTENERS.append(on_membership_changed)


def referred_someone():  # type: ignore[no-untyped-def]
    """For segments: an EXISTS correlated to members.id — the member has at least one attributed referral."""
    return exists().where(Referral.referrer_member_id == Member.id)


def was_referred():  # type: ignore[no-untyped-def]
    """For segments: the member joined through another member's invite (attributed)."""
    return exists().where(Referral.referred_member_id == Member.id)
