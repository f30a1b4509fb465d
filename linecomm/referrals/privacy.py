"""Referrals' privacy hook: a member's referral code, the invites they shared, the link they arrived by
and the joins attributed to them or to their own join.

Erasing deletes their code (their invite link stops working) and the arrival keyed by their LINE user id;
attributed referrals and share counts stay (no personal data in them once the member row is anonymised),
so referrers' counts keep working."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from linecomm.privacy.registry import PrivacyHook, plain
from linecomm.referrals.models import Referral, ReferralArrival, ReferralCode, ReferralShare

if TYPE_CHECKING:
    from linecomm.members.models import Member


def export_member(session: Session, member: Member) -> dict[str, Any]:
    code = session.scalar(select(ReferralCode).where(ReferralCode.member_id == member.id))
    arrival = session.scalar(select(ReferralArrival).where(ReferralArrival.line_user_id == member.line_user_id))
    referred_by = session.scalar(select(Referral).where(Referral.referred_member_id == member.id))
    made = session.scalars(select(Referral).where(Referral.referrer_member_id == member.id).order_by(Referral.id))
    shares = session.scalars(select(ReferralShare.shared_at).where(ReferralShare.member_id == member.id)
                             .order_by(ReferralShare.id))
    return {"referrals": {
        "code": code.code if code else None,
        "code_created_at": plain(code.created_at) if code else None,
        "invites_shared_at": [plain(at) for at in shares],
        "arrived_by_invite_at": plain(arrival.arrived_at) if arrival else None,
        "referred_by_member_id": referred_by.referrer_member_id if referred_by else None,
        "joins_referred": [{"member_id": r.referred_member_id, "attributed_at": plain(r.attributed_at)}
                           for r in made],
    }}


def erase_member(session: Session, member: Member, now: datetime) -> dict[str, Any]:
    codes = session.execute(delete(ReferralCode).where(ReferralCode.member_id == member.id)
                            .execution_options(synchronize_session=False)).rowcount or 0
    session.execute(delete(ReferralArrival).where(ReferralArrival.line_user_id == member.line_user_id)
                    .execution_options(synchronize_session=False))
    return {"referral_codes": int(codes)} if codes else {}


hook = PrivacyHook(
    name="referrals",
    tables=("referral_codes", "referral_arrivals", "referrals", "referral_shares"),
    export_member=export_member,
    erase_member=erase_member,
)
