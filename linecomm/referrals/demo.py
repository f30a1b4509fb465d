"""Demo referrals: はなこ has an invite link, shared it twice, and みさき joined through it (attributed)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.members.models import Member
from linecomm.referrals import service
from linecomm.referrals.models import ReferralArrival, ReferralShare

REFERRER, REFERRED = "はなこ", "みさき"


def seed(session: Session) -> None:
    referrer = session.scalar(select(Member).where(Member.nickname == REFERRER))
    referred = session.scalar(select(Member).where(Member.nickname == REFERRED))
    if referrer is None or referred is None or service.existing_code(session, referrer.id) is not None:
        return
    now = utcnow()
    service.code_for(session, referrer.id, now)
    session.add_all([ReferralShare(member_id=referrer.id, shared_at=now) for _ in range(2)])
    if session.scalar(select(ReferralArrival.id).where(ReferralArrival.line_user_id == referred.line_user_id)) is None:
        session.add(ReferralArrival(line_user_id=referred.line_user_id, referrer_member_id=referrer.id, arrived_at=now))
        session.flush()
        service.settle(session, referred, referred.line_user_id, now)
