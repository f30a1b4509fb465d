"""Members' privacy hook: the member row, consents, tags, the invite code used and wrong codes typed.

Erasing anonymises the member row in place (status `deleted`, no LINE id, names or profile) and keeps the
consent record and the invite redemption, so counts per cohort and code uses keep working.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from linecomm.members import invites, service
from linecomm.members.models import Consent, InviteCode, InviteRedemption, Member, MemberStatus, MemberTag, Tag
from linecomm.privacy.registry import PrivacyHook, plain

MEMBER_FIELDS = (
    "id", "line_user_id", "display_name", "picture_url", "language", "status", "is_following", "cohort",
    "nickname", "created_at", "followed_at", "unfollowed_at", "joined_at", "left_at", "last_active_at",
)


def export_member(session: Session, member: Member) -> dict[str, Any]:
    code = session.get(InviteCode, member.invite_code_id) if member.invite_code_id else None
    redemption = session.scalar(select(InviteRedemption).where(InviteRedemption.member_id == member.id))
    return {
        "member": {f: plain(getattr(member, f)) for f in MEMBER_FIELDS},
        "invite": {"code": code.code, "cohort": code.cohort,
                   "redeemed_at": plain(redemption.redeemed_at) if redemption else None} if code else None,
        "consents": [
            {"notice_version": c.notice_version, "agreed_at": plain(c.agreed_at),
             "withdrawn_at": plain(c.withdrawn_at), "channel": c.channel}
            for c in session.scalars(select(Consent).where(Consent.member_id == member.id).order_by(Consent.id))
        ],
        "tags": list(session.scalars(
            select(Tag.name).join(MemberTag, MemberTag.tag_id == Tag.id).where(MemberTag.member_id == member.id)
            .order_by(Tag.name)
        )),
        "wrong_invite_codes_at": [plain(at) for at in invites.attempts_of(session, member.id)],
    }


def erase_member(session: Session, member: Member, now: datetime) -> dict[str, Any]:
    before = {"status": member.status, "cohort": member.cohort}
    service.membership_changed(session, member)  # before the LINE user id goes (their rich menu is reset)
    session.execute(delete(MemberTag).where(MemberTag.member_id == member.id))
    invites.erase_attempts(session, member.id)
    member.line_user_id = f"deleted:{member.id}"
    member.display_name = member.picture_url = member.language = None
    member.nickname = member.nickname_key = None
    member.join_step = None
    member.pending_invite_code_id = None
    member.leave_requested_at = member.profile_fetched_at = None
    member.is_following = False
    member.status = MemberStatus.DELETED
    member.left_at = member.left_at or now
    return before


hook = PrivacyHook(
    name="members",
    tables=("members", "consents", "member_tags", "invite_redemptions", "invite_code_attempts"),
    export_member=export_member,
    erase_member=erase_member,
)
