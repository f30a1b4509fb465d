"""Appointments' privacy hook: the member's appointments (held and ended) and the reported items they hid
as a member-moderator. Erasing ends any active appointment (its rights go with it; the title badge is
badges' own row) and removes the reasons staff wrote when revoking, which may name the member; the rows
stay so the daily limits and the queue's history keep adding up."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from linecomm.ambassadors.models import Appointment, ModeratorHide
from linecomm.privacy.registry import PrivacyHook, plain

if TYPE_CHECKING:
    from linecomm.members.models import Member


def export_member(session: Session, member: Member) -> dict[str, Any]:
    return {
        "appointments": [
            {"role": a.role, "appointed_at": plain(a.appointed_at), "ended_at": plain(a.ended_at),
             "end_reason": a.end_reason}
            for a in session.scalars(select(Appointment).where(Appointment.member_id == member.id)
                                     .order_by(Appointment.id))
        ],
        "items_hidden_as_moderator": [
            {"content_id": h.content_id, "at": plain(h.at)}
            for h in session.scalars(select(ModeratorHide).where(ModeratorHide.member_id == member.id)
                                     .order_by(ModeratorHide.id))
        ],
    }


def erase_member(session: Session, member: Member, now: datetime) -> dict[str, Any]:
    ended = session.execute(
        update(Appointment).where(Appointment.member_id == member.id, Appointment.ended_at.is_(None))
        .values(ended_at=now, ended_by="privacy").execution_options(synchronize_session=False)).rowcount or 0
    session.execute(update(Appointment).where(Appointment.member_id == member.id, Appointment.end_reason.is_not(None))
                    .values(end_reason=None).execution_options(synchronize_session=False))
    return {"appointments_ended": int(ended)} if ended else {}


hook = PrivacyHook(name="ambassadors", tables=("appointments", "moderator_hides"),
                   export_member=export_member, erase_member=erase_member)
