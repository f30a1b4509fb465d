"""Badges' privacy hook: the badges a member holds (revoked ones too, with the staff's reasons). Erasure
deletes the member's badge rows: a badge says something about the person and the reasons staff wrote may
name them; the catalogue (`badges`) holds no member data."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from linecomm.points.badge_models import Badge, MemberBadge
from linecomm.privacy.registry import PrivacyHook, plain

if TYPE_CHECKING:
    from linecomm.members.models import Member


def export_member(session: Session, member: Member) -> dict[str, Any]:
    rows = session.execute(select(Badge.name, MemberBadge).join(Badge, Badge.id == MemberBadge.badge_id)
                           .where(MemberBadge.member_id == member.id).order_by(MemberBadge.id)).all()
    return {"badges": [
        {"badge": name, "granted_at": plain(mb.granted_at), "reason": mb.reason, "revoked_at": plain(mb.revoked_at),
         "revoke_reason": mb.revoke_reason} for name, mb in rows]}


def erase_member(session: Session, member: Member, now: datetime) -> dict[str, Any]:
    deleted = session.execute(delete(MemberBadge).where(MemberBadge.member_id == member.id)
                              .execution_options(synchronize_session=False)).rowcount or 0
    return {"badges": int(deleted)} if deleted else {}


hook = PrivacyHook(name="badges", tables=("member_badges",), export_member=export_member,
                   erase_member=erase_member)
