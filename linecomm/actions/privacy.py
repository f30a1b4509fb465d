"""Actions' privacy hook: what the member did, as recorded for points, and the JST months they were active
in. Erasure keeps the rows (no personal data in them once the member row is anonymised): counts and points
history stay consistent."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.actions.models import MemberAction, MemberActiveMonth
from linecomm.privacy.registry import PrivacyHook, plain

if TYPE_CHECKING:
    from linecomm.members.models import Member


def export_member(session: Session, member: Member) -> dict[str, Any]:
    return {"member_actions": [
        {"kind": a.kind, "ref": a.ref, "occurred_at": plain(a.occurred_at), "withdrawn_at": plain(a.withdrawn_at)}
        for a in session.scalars(select(MemberAction).where(MemberAction.member_id == member.id)
                                 .order_by(MemberAction.id))
    ], "member_active_months": list(session.scalars(
        select(MemberActiveMonth.month).where(MemberActiveMonth.member_id == member.id)
        .order_by(MemberActiveMonth.month)))}


def erase_member(session: Session, member: Member, now: datetime) -> dict[str, Any]:
    return {}


hook = PrivacyHook(name="actions", tables=("member_actions", "member_active_months"), export_member=export_member,
                   erase_member=erase_member)
